"""R028 投标报价相同 — identical bid prices from different tenderers (Cardinal)."""

from __future__ import annotations

import polars as pl

from ggzy.supervision.flags.base import FlagSpec, Group, Outcome, Phase, RunContext, flag, hits_frame
from ggzy.supervision.flags.cardinal.common import FAMILY, SOURCE_DOCS, SUBMITTED, in_scope, price_comparable
from ggzy.supervision.ocds.tables import Tables

SPEC = FlagSpec(
    id="R028",
    family=FAMILY,
    name_zh="不同投标人报价相同",
    name_en="Identical bid prices",
    definition="Different tenderers submitted bids with the same amount and currency; those tenderers are flagged too.",
    defaults={},
    source=f"{SOURCE_DOCS}028; cf. 条例 art. 40 (abnormally identical bid documents)",
    requires=(
        "bids/details/status",
        "bids/details/value/amount",
        "bids/details/value/currency",
        "bids/details/tenderers/id",
    ),
    groups=(Group.OCID, Group.TENDERER),
    output="always 1.0",
)


def priced_bids(tables: Tables, ctx: RunContext) -> pl.DataFrame:
    """Submitted priced bids with a canonical text of their tenderer-id set, sorted by release, price, position."""
    scope = in_scope(tables, ctx).lazy().filter(price_comparable(ctx)).select("rid")
    bids = tables.bids.lazy().filter(SUBMITTED & pl.col("amount").is_not_null() & pl.col("currency").is_not_null())
    bids = bids.select("rid", "bid", "amount", "currency").join(scope, on="rid")
    people = tables.bid_tenderers.lazy().filter(pl.col("tenderer_id").is_not_null())
    # Most bids have one tenderer: their set is its id; only the others need a sorted, de-duplicated list.
    arity = tables.bids.lazy().select("rid", "bid", "n_tenderers")
    one = people.filter(pl.col("pos") == 0).join(
        arity.filter(pl.col("n_tenderers") == 1), on=["rid", "bid"], how="semi"
    )
    many = (
        people.join(arity.filter(pl.col("n_tenderers") > 1), on=["rid", "bid"], how="semi")
        .group_by("rid", "bid")
        .agg(pl.col("tenderer_id").unique().sort().str.join("\x1f").alias("set"))
    )
    sets = pl.concat([one.select("rid", "bid", pl.col("tenderer_id").alias("set")), many])
    return (
        bids.join(sets, on=["rid", "bid"])
        .with_columns((pl.col("amount") + 0.0).alias("amount"))  # -0.0 and 0.0 are one price
        .sort("rid", "amount", "currency", "bid")
        .collect()
    )


def compute(tables: Tables, ctx: RunContext) -> Outcome:
    bids = priced_bids(tables, ctx)
    same_price = (
        (pl.col("rid") == pl.col("rid").shift(1))
        & (pl.col("amount") == pl.col("amount").shift(1))
        & (pl.col("currency") == pl.col("currency").shift(1))
    )
    pairs = (
        bids.with_columns(pl.col("bid").shift(1).alias("before"), pl.col("set").shift(1).alias("before_set"))
        .filter(same_price & (pl.col("before_set") != pl.col("set")))
        .sort("rid", "bid")
    )
    ocids = tables.processes.select("rid", pl.col("ocid").alias("key"))
    processes = (
        pairs.select("rid")
        .unique("rid", keep="first", maintain_order=True)
        .join(ocids, on="rid", maintain_order="left")
    )
    # Each pair names the later bid's tenderers, then the earlier bid's (each set in id order).
    sides = pl.concat(
        [
            pairs.select("rid", "bid", pl.col("bid").alias("of"), pl.lit(0).alias("side")),
            pairs.select("rid", "bid", pl.col("before").alias("of"), pl.lit(1).alias("side")),
        ]
    )
    ids = (
        tables.bid_tenderers.lazy()
        .filter(pl.col("tenderer_id").is_not_null())
        .select("rid", pl.col("bid").alias("of"), pl.col("tenderer_id").alias("key"))
    )
    people = (
        sides.lazy()
        .join(ids.join(sides.lazy().select("rid").unique(), on="rid", how="semi"), on=["rid", "of"])
        .unique(["rid", "bid", "side", "key"])
        .with_columns((pl.col("bid") * 4 + pl.col("side")).alias("sub"))
        .sort("rid", "sub", "key")
        .collect()
    )
    hits = pl.concat(
        [
            hits_frame(processes, Group.OCID, 1.0, Phase.FOLD),
            hits_frame(people, Group.TENDERER, 1.0, Phase.FOLD),
        ]
    )
    return Outcome(hits=hits, evaluated=bids.select("rid").n_unique())


FLAG = flag(SPEC, compute)
