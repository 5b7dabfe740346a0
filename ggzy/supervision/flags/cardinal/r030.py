"""R030 迟交的投标中标 — late bid won (Cardinal)."""

from __future__ import annotations

import polars as pl

from ggzy.supervision.flags.base import FlagSpec, Group, Outcome, Phase, RunContext, flag, hits_frame
from ggzy.supervision.flags.cardinal.common import FAMILY, SOURCE_DOCS, in_scope
from ggzy.supervision.ocds.tables import Tables

SPEC = FlagSpec(
    id="R030",
    family=FAMILY,
    name_zh="逾期投标中标",
    name_en="Late bid won",
    definition="A valid bid's date is after tender/tenderPeriod/endDate (compared as text) and one of its "
    "tenderers supplies an active award; those tenderers are flagged too.",
    defaults={},
    source=f"{SOURCE_DOCS}030; cf. 招标投标法 art. 28 (late bids must be refused)",
    requires=("tender/tenderPeriod/endDate", "bids/details/date", "awards/suppliers/id"),
    groups=(Group.OCID, Group.TENDERER),
    output="always 1.0",
)


def compute(tables: Tables, ctx: RunContext) -> Outcome:
    scope = in_scope(tables, ctx).filter(pl.col("awards_is_array") & pl.col("bids_is_array"))
    judged = scope.filter(pl.col("tender_end").is_not_null()).select("rid", "ocid", "tender_end")
    suppliers = (
        tables.awards.lazy()
        .filter((pl.col("status") == "active") & pl.col("n_suppliers").is_not_null())
        .join(tables.award_suppliers.lazy(), on=["rid", "award"])
        .filter(pl.col("supplier_id").is_not_null())
        .select("rid", pl.col("supplier_id").alias("key"))
        .unique()
    )
    late = (
        tables.bids.lazy()
        .filter((pl.col("status") == "valid") & pl.col("date").is_not_null())
        .join(judged.lazy(), on="rid")
        .filter(pl.col("date") > pl.col("tender_end"))
        .join(tables.bid_tenderers.lazy().rename({"tenderer_id": "key"}), on=["rid", "bid"])
        .join(suppliers, on=["rid", "key"], how="semi")
        .with_columns((pl.col("bid") * 100_000 + pl.col("pos")).alias("sub"))
        .sort("rid", "sub")
        .collect()
    )
    processes = late.select("rid", pl.col("ocid").alias("key")).unique("rid", keep="first", maintain_order=True)
    hits = pl.concat(
        [hits_frame(processes, Group.OCID, 1.0, Phase.FOLD), hits_frame(late, Group.TENDERER, 1.0, Phase.FOLD)]
    )
    return Outcome(
        hits=hits,
        evaluated=judged.height,
        skipped={"缺少投标截止时间 (tenderPeriod/endDate missing)": scope.height - judged.height},
    )


FLAG = flag(SPEC, compute)
