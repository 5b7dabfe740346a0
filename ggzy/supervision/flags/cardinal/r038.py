"""R038 否决投标比例过高 — excessive disqualified bids per buyer, procuring entity or tenderer (Cardinal)."""

from __future__ import annotations

import polars as pl

from ggzy.supervision.flags.base import FlagSpec, Group, Outcome, Phase, RunContext, flag, hits_frame
from ggzy.supervision.flags.cardinal.common import (
    FAMILY,
    SOURCE_DOCS,
    SUBMITTED,
    fused,
    in_scope,
    quartiles,
    settings_of,
)
from ggzy.supervision.ocds.tables import Tables

SPEC = FlagSpec(
    id="R038",
    family=FAMILY,
    name_zh="否决投标比例过高",
    name_en="Excessive disqualified bids",
    definition="The ratio of disqualified to submitted bids of a buyer, procuring entity or tenderer is at or "
    "above Q3 + 1.5·IQR (R-8) of that group's ratios.",
    defaults={"threshold": "Q3 + 1.5·IQR", "minimum_submitted_bids": "2", "minimum_contracting_processes": "2"},
    source=f"{SOURCE_DOCS}038; cf. 条例 art. 51 (grounds for rejecting bids)",
    requires=("bids/details/status", "buyer/id | tender/procuringEntity/id | bids/details/tenderers/id"),
    groups=(Group.BUYER, Group.PROCURING_ENTITY, Group.TENDERER),
    output="the ratio of disqualified bids to submitted bids",
)


def _fractions(tables: Tables, ctx: RunContext) -> dict[Group, pl.DataFrame]:
    scope = in_scope(tables, ctx).lazy().select("rid", "buyer_id", "procuring_entity_id")
    bids = tables.bids.lazy().filter(SUBMITTED).select("rid", "bid", "status")
    bids = bids.join(scope.select("rid"), on="rid", how="semi")
    bids = bids.with_columns((pl.col("status") == "disqualified").cast(pl.Int64).alias("out")).collect().lazy()
    per_process = (
        (bids.group_by("rid").agg(pl.col("out").sum().alias("out"), pl.len().alias("bids")).join(scope, on="rid"))
        .collect()
        .lazy()
    )
    people = bids.join(tables.bid_tenderers.lazy().filter(pl.col("tenderer_id").is_not_null()), on=["rid", "bid"])

    def total(frame: pl.LazyFrame, key: str, count: str) -> pl.DataFrame:
        return (
            frame.filter(pl.col(key).is_not_null())
            .sort("rid")
            .group_by(key, maintain_order=True)
            .agg(pl.col("out").sum().alias("out"), pl.col(count).sum().alias("bids"), pl.col("rid").min().alias("rid"))
            .rename({key: "key"})
            .collect()
        )

    people = people.with_columns(pl.lit(1).alias("one"))
    return {
        Group.BUYER: total(per_process, "buyer_id", "bids"),
        Group.PROCURING_ENTITY: total(per_process, "procuring_entity_id", "bids"),
        Group.TENDERER: total(people, "tenderer_id", "one"),
    }


def compute(tables: Tables, ctx: RunContext) -> Outcome:
    s = settings_of(ctx)
    threshold = s.option("R038", "threshold")
    minimum_bids = s.option("R038", "minimum_submitted_bids")
    minimum_processes = s.option("R038", "minimum_contracting_processes")
    minimums = {
        Group.BUYER: 2 if minimum_processes is None else int(minimum_processes),
        Group.PROCURING_ENTITY: 2 if minimum_processes is None else int(minimum_processes),
        Group.TENDERER: 2 if minimum_bids is None else int(minimum_bids),
    }
    outcome = Outcome()
    hits = []
    for rank, (group, table) in enumerate(_fractions(tables, ctx).items()):
        # Cardinal compares the minimum with the number of submitted bids, for organisations too.
        ratios = table.filter(pl.col("bids") >= minimums[group]).with_columns(
            (pl.col("out") / pl.col("bids")).alias("ratio")
        )
        outcome.excluded[f"{group} 投标太少 (too few submitted bids)"] = table.height - ratios.height
        outcome.evaluated += ratios.height
        if ratios.is_empty():
            continue
        if threshold is None:
            q1, q3 = quartiles(ratios["ratio"])
            fence = fused(q3 - q1, 1.5, q3)
            outcome.meta |= {f"{group}_q1": q1, f"{group}_q3": q3}
        else:
            fence = float(threshold)
        outcome.meta[f"{group}_upper_fence"] = fence
        if fence > 0.0:
            flagged = ratios.filter(pl.col("ratio") >= fence).with_columns((pl.col("rid") + rank * 10**12).alias("rid"))
            hits.append(hits_frame(flagged, group, pl.col("ratio"), Phase.FINALIZE))
    if hits:
        outcome.hits = pl.concat(hits)
    return outcome


FLAG = flag(SPEC, compute)
