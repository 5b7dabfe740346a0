"""R003 投标截止期过短 — short submission period (Cardinal)."""

from __future__ import annotations

import polars as pl

from ggzy.supervision.flags.base import FlagSpec, Group, Outcome, Phase, RunContext, flag, hits_frame
from ggzy.supervision.flags.cardinal.common import (
    FAMILY,
    SOURCE_DOCS,
    in_scope,
    method_matches,
    settings_of,
    whole_days,
)
from ggzy.supervision.flags.cardinal.settings import pipe_set
from ggzy.supervision.ocds.tables import Tables

SPEC = FlagSpec(
    id="R003",
    family=FAMILY,
    name_zh="投标截止期过短",
    name_en="Short submission period",
    definition="(tenderPeriod.endDate − tenderPeriod.startDate) in whole days is shorter than the threshold "
    "(per procurementMethodDetails when configured).",
    defaults={"threshold": "15", "procurement_methods": "(all)", "[R003.procurement_method_details]": "(none)"},
    source=f"{SOURCE_DOCS}003; cf. 招标投标法 art. 24 (≥ 20 days) and 采购法 art. 35",
    requires=("tender/tenderPeriod/startDate", "tender/tenderPeriod/endDate"),
    groups=(Group.OCID,),
    output="always 1.0",
)


def compute(tables: Tables, ctx: RunContext) -> Outcome:
    s = settings_of(ctx)
    option = s.option("R003", "threshold")
    threshold = 15 if option is None else int(option)
    methods = pipe_set(s.option("R003", "procurement_methods"))
    scope = in_scope(tables, ctx)
    chosen = scope.filter(method_matches(methods))
    frame = whole_days(chosen, "tender_start", "tender_end")
    judged = frame.filter(pl.col("days").is_not_null())
    details = s.r003_procurement_method_details
    limit: pl.Expr = pl.lit(threshold)
    if details:
        limit = pl.col("procurement_method_details").replace_strict(details, default=threshold, return_dtype=pl.Int64)
    flagged = judged.filter(pl.col("days") < limit).select("rid", pl.col("ocid").alias("key"))
    return Outcome(
        hits=hits_frame(flagged, Group.OCID, 1.0, Phase.FOLD),
        evaluated=judged.height,
        skipped={"缺少或无效的投标期日期 (tender/tenderPeriod dates missing or invalid)": frame.height - judged.height},
        excluded={"采购方式不在范围内 (procurement method not selected)": scope.height - chosen.height},
    )


FLAG = flag(SPEC, compute)
