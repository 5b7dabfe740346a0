"""R024 次低价过于接近中标价 — price close to winning bid (Cardinal)."""

from __future__ import annotations

import polars as pl

from ggzy.supervision.flags.base import FlagSpec, Group, Outcome, Phase, RunContext, flag, hits_frame
from ggzy.supervision.flags.cardinal.common import FAMILY, SOURCE_DOCS, fused, quartiles, settings_of
from ggzy.supervision.flags.cardinal.ratios import ratio_counts, second_lowest_ratios
from ggzy.supervision.ocds.tables import Tables

SPEC = FlagSpec(
    id="R024",
    family=FAMILY,
    name_zh="次低价与中标价过于接近",
    name_en="Price close to winning bid",
    definition="(second-lowest valid bid − winning bid) / winning bid is at or below the lower fence "
    "Q1 − 1.5·IQR (R-8 quartiles); the winner and the second-lowest bidder are flagged too.",
    defaults={"threshold": "Q1 − 1.5·IQR"},
    source=f"{SOURCE_DOCS}024; cf. 条例 art. 40 (bid prices showing a regular pattern)",
    requires=(
        "awards/status",
        "awards/suppliers/id",
        "bids/details/status",
        "bids/details/value",
        "bids/details/tenderers/id",
    ),
    groups=(Group.OCID, Group.TENDERER),
    output="the difference (process); 0.0 (tenderers)",
)


def compute(tables: Tables, ctx: RunContext) -> Outcome:
    ratios = second_lowest_ratios(tables, ctx)
    threshold = settings_of(ctx).option("R024", "threshold")
    meta: dict[str, float] = {}
    if threshold is None:
        q1, q3 = quartiles(ratios["ratio"])
        fence = fused(q3 - q1, -1.5, q1)
        meta = {"q1": q1, "q3": q3}
    else:
        fence, q1 = float(threshold), 1.0
    meta["lower_fence"] = fence
    evaluated, skipped = ratio_counts(tables, ctx)
    if not (q1 > 0.0 and fence > 0.0):  # 75% of processes have no difference: flagging would flag 75%
        return Outcome(evaluated=evaluated, skipped=skipped, meta=meta)
    flagged = ratios.filter(pl.col("ratio") <= fence)
    people = pl.concat(
        [
            flagged.select("rid", pl.col("winner").alias("key"), pl.lit(0).alias("sub")),
            flagged.select("rid", pl.col("second").alias("key"), pl.lit(1).alias("sub")),
        ]
    )
    hits = pl.concat(
        [
            hits_frame(flagged, Group.OCID, pl.col("ratio"), Phase.FINALIZE),
            hits_frame(people, Group.TENDERER, 0.0, Phase.FINALIZE),
        ]
    )
    return Outcome(hits=hits, evaluated=evaluated, skipped=skipped, meta=meta)


FLAG = flag(SPEC, compute)
