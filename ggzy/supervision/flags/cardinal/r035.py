"""R035 除中标人外全部被否决 — all except the winning bid disqualified (Cardinal)."""

from __future__ import annotations

import polars as pl

from ggzy.supervision.flags.base import FlagSpec, Group, Outcome, Phase, RunContext, flag, hits_frame
from ggzy.supervision.flags.cardinal.common import FAMILY, SOURCE_DOCS, final_awards, in_scope, settings_of
from ggzy.supervision.ocds.tables import Tables

SPEC = FlagSpec(
    id="R035",
    family=FAMILY,
    name_zh="除中标人外其余投标均被否决",
    name_en="All except winning bid disqualified",
    definition="Exactly one tenderer has valid bids, it is the only supplier of the active awards, and at "
    "least `threshold` other tenderers had bids disqualified; the winner is flagged too.",
    defaults={"threshold": "1"},
    source=f"{SOURCE_DOCS}035; cf. 条例 art. 51 (grounds for rejecting bids)",
    requires=("awards/status", "awards/suppliers/id", "bids/details/status", "bids/details/tenderers/id"),
    groups=(Group.OCID, Group.TENDERER),
    output="number of other tenderers with disqualified bids (process); 0.0 (winner)",
)


def compute(tables: Tables, ctx: RunContext) -> Outcome:
    option = settings_of(ctx).option("R035", "threshold")
    threshold = max(1 if option is None else int(option), 1)
    scope = in_scope(tables, ctx)
    final = final_awards(tables, scope).select("rid", "ocid")
    lazy_final = final.lazy()
    suppliers = (
        tables.awards.lazy()
        .filter(pl.col("status") == "active")
        .join(tables.award_suppliers.lazy(), on=["rid", "award"])
        .filter(pl.col("supplier_id").is_not_null())
        .join(lazy_final, on="rid", how="semi")
        .group_by("rid")
        .agg(pl.col("supplier_id").unique().alias("suppliers"))
    )
    people = (
        tables.bids.lazy()
        .filter(pl.col("status").is_in(["valid", "disqualified"]))
        .select("rid", "bid", "status")
        .join(tables.bid_tenderers.lazy().filter(pl.col("tenderer_id").is_not_null()), on=["rid", "bid"])
        .join(lazy_final, on="rid", how="semi")
    )
    valid = people.filter(pl.col("status") == "valid").group_by("rid").agg(pl.col("tenderer_id").unique().alias("v"))
    disq = (
        people.filter(pl.col("status") == "disqualified").group_by("rid").agg(pl.col("tenderer_id").unique().alias("d"))
    )
    judged = (
        lazy_final.join(valid, on="rid")
        .filter(pl.col("v").list.len() == 1)
        .join(suppliers, on="rid", how="left")
        .join(disq, on="rid", how="left")
        .with_columns(pl.col("v").list.first().alias("winner"))
        .filter((pl.col("suppliers").list.len() == 1) & (pl.col("suppliers").list.first() == pl.col("winner")))
        .with_columns(pl.col("d").fill_null([]).list.set_difference(pl.col("v")).list.len().alias("count"))
        .sort("rid")  # the group-bys above come back in any order; the output should not
        .collect()
    )
    flagged = judged.filter(pl.col("count") >= threshold)
    hits = pl.concat(
        [
            hits_frame(
                flagged.select("rid", pl.col("ocid").alias("key"), "count"), Group.OCID, pl.col("count"), Phase.FOLD
            ),
            hits_frame(flagged.select("rid", pl.col("winner").alias("key")), Group.TENDERER, 0.0, Phase.FOLD),
        ]
    )
    return Outcome(
        hits=hits,
        evaluated=final.height,
        excluded={
            "有待定或无效的授标 (an award is pending or invalid, or no bids/awards)": scope.height - final.height
        },
    )


FLAG = flag(SPEC, compute)
