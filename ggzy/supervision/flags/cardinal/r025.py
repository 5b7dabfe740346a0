"""R025 过多未中标投标 — excessive unsuccessful bids by a top tenderer (Cardinal)."""

from __future__ import annotations

import polars as pl

from ggzy.supervision.flags.base import FlagSpec, Group, Outcome, Phase, RunContext, flag, hits_frame
from ggzy.supervision.flags.cardinal.common import (
    FAMILY,
    SOURCE_DOCS,
    final_awards,
    fused,
    in_scope,
    quantile_r8,
    quartiles,
    settings_of,
    single_tenderer_bids,
)
from ggzy.supervision.ocds.tables import Tables

SPEC = FlagSpec(
    id="R025",
    family=FAMILY,
    name_zh="频繁投标却极少中标",
    name_en="Excessive unsuccessful bids",
    definition="A tenderer whose number of valid bids is at or above the given percentile (75th) of all "
    "tenderers' counts, and whose ratio of winning to valid bids is at or below Q1 − 1.5·IQR (R-8).",
    defaults={"percentile": "75", "threshold": "Q1 − 1.5·IQR"},
    source=f"{SOURCE_DOCS}025; cf. 条例 art. 40 (cover bidding)",
    requires=("awards/status", "awards/suppliers/id", "bids/details/status", "bids/details/tenderers/id"),
    groups=(Group.TENDERER,),
    output="the ratio of winning bids to valid bids",
)


def fractions(tables: Tables, ctx: RunContext) -> pl.DataFrame:
    """Per tenderer: valid bids (one per process) and how many of those processes it won."""
    awarded = final_awards(tables, in_scope(tables, ctx)).filter(pl.col("supplier").is_not_null())
    valid = (
        single_tenderer_bids(tables, "valid")
        .join(awarded.lazy().select("rid", "supplier"), on="rid")
        .unique(["rid", "tenderer"], keep="first", maintain_order=True)
    )
    return (
        valid.group_by("tenderer", maintain_order=True)
        .agg(
            (pl.col("tenderer") == pl.col("supplier")).sum().alias("won"),
            pl.len().alias("bids"),
            pl.col("rid").min().alias("rid"),
        )
        .with_columns((pl.col("won") / pl.col("bids")).alias("ratio"))
        .collect()
    )


def compute(tables: Tables, ctx: RunContext) -> Outcome:
    s = settings_of(ctx)
    percentile = s.option("R025", "percentile")
    threshold = s.option("R025", "threshold")
    table = fractions(tables, ctx)
    tau = (75 if percentile is None else int(percentile)) / 100.0
    top = quantile_r8(table["bids"].cast(pl.Float64).to_numpy(), tau)
    meta: dict[str, float] = {}
    if threshold is None:
        q1, q3 = quartiles(table["ratio"])
        fence = fused(q3 - q1, -1.5, q1)
        meta = {"q1": q1, "q3": q3}
    else:
        fence, q1 = float(threshold), 1.0
    meta |= {"upper_fence": top, "lower_fence": fence}
    outcome = Outcome(evaluated=table.height, meta=meta)
    if q1 > 0.0 and fence > 0.0:
        flagged = table.filter((pl.col("bids") >= top) & (pl.col("ratio") <= fence))
        outcome.hits = hits_frame(
            flagged.select("rid", pl.col("tenderer").alias("key"), "ratio"),
            Group.TENDERER,
            pl.col("ratio"),
            Phase.FINALIZE,
        )
    return outcome


FLAG = flag(SPEC, compute)
