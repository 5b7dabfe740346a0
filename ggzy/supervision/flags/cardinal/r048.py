"""R048 供应品类过杂 — heterogeneous supplier (Cardinal)."""

from __future__ import annotations

import polars as pl

from ggzy.supervision.flags.base import FlagSpec, Group, Outcome, Phase, RunContext, flag, hits_frame
from ggzy.supervision.flags.cardinal.common import FAMILY, SOURCE_DOCS, fused, in_scope, quartiles, settings_of
from ggzy.supervision.ocds.tables import Tables

SPEC = FlagSpec(
    id="R048",
    family=FAMILY,
    name_zh="供应商供货品类过杂",
    name_en="Heterogeneous supplier",
    definition="The number of distinct first-level item classifications (first `digits` characters) awarded "
    "to a tenderer is at or above Q3 + 1.5·IQR (R-8) among tenderers awarded in at least 20 processes.",
    defaults={"digits": "2", "threshold": "Q3 + 1.5·IQR", "minimum_contracting_processes": "20"},
    source=f"{SOURCE_DOCS}048",
    requires=("awards/status", "awards/suppliers/id", "awards/items/classification/id"),
    groups=(Group.TENDERER,),
    output="the variety (number of classifications)",
)


def compute(tables: Tables, ctx: RunContext) -> Outcome:
    s = settings_of(ctx)
    digits = s.option("R048", "digits")
    threshold = s.option("R048", "threshold")
    minimum = s.option("R048", "minimum_contracting_processes")
    scope = in_scope(tables, ctx).lazy().filter(pl.col("awards_is_array")).select("rid")
    awards = (
        tables.awards.lazy()
        .filter((pl.col("status") == "active") & pl.col("items_is_array") & (pl.col("n_suppliers") == 1))
        .join(scope, on="rid", how="semi")
    )
    supplied = (
        awards.join(tables.award_suppliers.lazy().filter(pl.col("pos") == 0), on=["rid", "award"])
        .filter(pl.col("supplier_id").is_not_null())
        .join(tables.award_items.lazy().filter(pl.col("classification_id").is_not_null()), on=["rid", "award"])
        .with_columns(pl.col("classification_id").str.slice(0, 2 if digits is None else int(digits)).alias("code"))
    )
    variety = (
        supplied.sort("rid")
        .group_by("supplier_id", maintain_order=True)
        .agg(
            pl.col("rid").n_unique().alias("processes"),
            pl.col("code").n_unique().cast(pl.Float64).alias("variety"),
            pl.col("rid").min().alias("rid"),
        )
        .filter(pl.col("processes") >= (20 if minimum is None else int(minimum)))
        .collect()
    )
    meta: dict[str, float] = {}
    if threshold is None:
        q1, q3 = quartiles(variety["variety"])
        fence = fused(q3 - q1, 1.5, q3)
        meta = {"q1": q1, "q3": q3}
    else:
        fence = float(threshold)
    meta["upper_fence"] = fence
    flagged = variety.filter(pl.col("variety") >= fence).select("rid", pl.col("supplier_id").alias("key"), "variety")
    return Outcome(
        hits=hits_frame(flagged, Group.TENDERER, pl.col("variety"), Phase.FINALIZE), evaluated=variety.height, meta=meta
    )


FLAG = flag(SPEC, compute)
