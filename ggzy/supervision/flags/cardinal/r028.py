"""R028 投标报价相同 — identical bid prices from different tenderers (Cardinal)."""

from __future__ import annotations

import polars as pl

from ggzy.supervision.flags.base import Flag, FlagSpec, Group, Outcome, Phase, RunContext, hits_frame
from ggzy.supervision.flags.cardinal.common import FAMILY, SOURCE_DOCS, SUBMITTED, in_scope, price_comparable
from ggzy.supervision.ocds.tables import Tables

SPEC = FlagSpec(
    id="R028",
    family=FAMILY,
    name_zh="不同投标人报价相同",
    name_en="Identical bid prices",
    definition="Different tenderers submitted bids with the same amount and currency; those tenderers are "
    "flagged too.",
    defaults={},
    source=f"{SOURCE_DOCS}028; cf. 条例 art. 40 (abnormally identical bid documents)",
    requires=("bids/details/status", "bids/details/value/amount", "bids/details/value/currency",
              "bids/details/tenderers/id"),
    groups=(Group.OCID, Group.TENDERER),
    output="always 1.0",
)  # fmt: skip


def priced_bids(tables: Tables, ctx: RunContext) -> pl.DataFrame:
    """Submitted priced bids with their set of tenderer ids, in release and bid order."""
    scope = in_scope(tables, ctx).filter(price_comparable(ctx)).select("rid", "ocid")
    bids = tables.bids.filter(SUBMITTED & pl.col("amount").is_not_null() & pl.col("currency").is_not_null())
    bids = bids.join(scope, on="rid")
    ids = (
        tables.bid_tenderers.filter(pl.col("tenderer_id").is_not_null())
        .join(bids.select("rid", "bid"), on=["rid", "bid"], how="semi")
        .group_by("rid", "bid")
        .agg(pl.col("tenderer_id").unique().sort().alias("ids"))
    )
    return (
        bids.join(ids, on=["rid", "bid"])
        .with_columns((pl.col("amount") + 0.0).alias("amount"), pl.col("ids").list.join("\x1f").alias("set"))
        .sort("rid", "bid")
    )


def compute(tables: Tables, ctx: RunContext) -> Outcome:
    bids = priced_bids(tables, ctx)
    same_price = ["rid", "amount", "currency"]
    pairs = bids.with_columns(
        pl.col("set").shift(1).over(same_price).alias("before_set"),
        pl.col("ids").shift(1).over(same_price).alias("before"),
    ).filter(pl.col("before_set").is_not_null() & (pl.col("before_set") != pl.col("set")))
    processes = pairs.select("rid", pl.col("ocid").alias("key")).unique("rid", keep="first", maintain_order=True)
    # Each pair names the later bid's tenderers, then the earlier bid's.
    people = pl.concat(
        [
            pairs.select("rid", "bid", pl.lit(0).alias("side"), pl.col("ids").alias("key")),
            pairs.select("rid", "bid", pl.lit(1).alias("side"), pl.col("before").alias("key")),
        ]
    ).explode("key")
    people = people.with_columns(
        (pl.col("bid") * 4 + pl.col("side")).alias("sub")
    ).sort("rid", "sub")
    hits = pl.concat(
        [
            hits_frame(processes, Group.OCID, 1.0, Phase.FOLD),
            hits_frame(people, Group.TENDERER, 1.0, Phase.FOLD),
        ]
    )
    return Outcome(hits=hits, evaluated=bids.select("rid").n_unique())


FLAG = Flag(spec=SPEC, compute=compute, enabled=lambda settings: settings.enabled("R028"))
