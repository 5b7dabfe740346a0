"""R058 中标价大幅低于次低价 — heavily discounted bid (Cardinal)."""

from __future__ import annotations

import polars as pl

from ggzy.supervision.flags.base import FlagSpec, Group, Outcome, Phase, RunContext, flag, hits_frame
from ggzy.supervision.flags.cardinal.common import FAMILY, SOURCE_DOCS, fused, quartiles, settings_of
from ggzy.supervision.flags.cardinal.ratios import ratio_counts, second_lowest_ratios
from ggzy.supervision.ocds.tables import Tables

SPEC = FlagSpec(
    id="R058",
    family=FAMILY,
    name_zh="中标价大幅低于次低价",
    name_en="Heavily discounted bid",
    definition="(second-lowest valid bid − winning bid) / winning bid is at or above the upper fence "
    "Q3 + 1.5·IQR (R-8 quartiles); the winner is flagged too.",
    defaults={"threshold": "Q3 + 1.5·IQR"},
    source=f"{SOURCE_DOCS}058; cf. 条例 art. 51 (bids below cost)",
    requires=(
        "awards/status",
        "awards/suppliers/id",
        "bids/details/status",
        "bids/details/value",
        "bids/details/tenderers/id",
    ),
    groups=(Group.OCID, Group.TENDERER),
    output="the difference (process); 0.0 (winner)",
)


def compute(tables: Tables, ctx: RunContext) -> Outcome:
    ratios = second_lowest_ratios(tables, ctx)
    threshold = settings_of(ctx).option("R058", "threshold")
    meta: dict[str, float] = {}
    if threshold is None:
        q1, q3 = quartiles(ratios["ratio"])
        fence = fused(q3 - q1, 1.5, q3)
        meta = {"q1": q1, "q3": q3}
    else:
        fence = float(threshold)
    meta["upper_fence"] = fence
    evaluated, skipped = ratio_counts(tables, ctx)
    if not fence > 0.0:
        return Outcome(evaluated=evaluated, skipped=skipped, meta=meta)
    flagged = ratios.filter(pl.col("ratio") >= fence)
    hits = pl.concat(
        [
            hits_frame(flagged, Group.OCID, pl.col("ratio"), Phase.FINALIZE),
            hits_frame(flagged.select("rid", pl.col("winner").alias("key")), Group.TENDERER, 0.0, Phase.FINALIZE),
        ]
    )
    return Outcome(hits=hits, evaluated=evaluated, skipped=skipped, meta=meta)


FLAG = flag(SPEC, compute)
