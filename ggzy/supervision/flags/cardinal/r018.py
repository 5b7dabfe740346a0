"""R018 单一投标 — single bid received in a competitive procedure (Cardinal)."""

from __future__ import annotations

import polars as pl

from ggzy.supervision.flags.base import FlagSpec, Group, Outcome, Phase, RunContext, flag, hits_frame
from ggzy.supervision.flags.cardinal.common import FAMILY, SOURCE_DOCS, in_scope, method_matches, settings_of
from ggzy.supervision.flags.cardinal.settings import pipe_set
from ggzy.supervision.ocds.tables import Tables

SPEC = FlagSpec(
    id="R018",
    family=FAMILY,
    name_zh="仅收到一份投标",
    name_en="Single bid received",
    definition="tender.numberOfTenderers is 1 and the procurement method is competitive (open or selective).",
    defaults={"procurement_methods": "open|selective"},
    source=f"{SOURCE_DOCS}018; cf. 招标投标法 art. 28 and 采购法 art. 36 (fewer than 3 bids)",
    requires=("tender/numberOfTenderers", "tender/procurementMethod"),
    groups=(Group.OCID,),
    output="always 1.0",
)


def compute(tables: Tables, ctx: RunContext) -> Outcome:
    option = settings_of(ctx).option("R018", "procurement_methods")
    methods = pipe_set("open|selective" if option is None else option)
    scope = in_scope(tables, ctx)
    chosen = scope.filter(method_matches(methods))
    judged = chosen.filter(pl.col("number_of_tenderers").is_not_null())
    # Only the JSON integer 1 counts (Cardinal reads the number as an unsigned integer; 1.0 is not one).
    flagged = judged.filter(pl.col("number_of_tenderers_is_int") & (pl.col("number_of_tenderers") == 1))
    return Outcome(
        hits=hits_frame(flagged.select("rid", pl.col("ocid").alias("key")), Group.OCID, 1.0, Phase.FOLD),
        evaluated=judged.height,
        skipped={"缺少投标人数或 tender (numberOfTenderers or tender missing)": chosen.height - judged.height},
        excluded={"非竞争性采购方式 (procurement method not competitive)": scope.height - chosen.height},
    )


FLAG = flag(SPEC, compute)
