"""次低价差 — the percentage difference between the winning bid and the second-lowest valid bid (R024, R058)."""

from __future__ import annotations

import polars as pl

from ggzy.supervision.flags.base import RunContext
from ggzy.supervision.flags.cardinal.common import (
    currency_skips,
    in_currency,
    in_scope,
    main_currency,
    ratio_candidates,
)
from ggzy.supervision.ocds.tables import Tables


def second_lowest_ratios(tables: Tables, ctx: RunContext) -> pl.DataFrame:
    """rid, key (ocid), ratio, winner, second — one row per ocid (the last release wins, as in Cardinal)."""

    def make() -> pl.DataFrame:
        currency = main_currency(tables, ctx)
        bids = ratio_candidates(tables, ctx).lazy().filter(in_currency(currency))
        winning = (
            bids.filter(pl.col("tenderer") == pl.col("supplier"))
            .group_by("rid")
            .agg(pl.col("amount").min().alias("won"), pl.col("supplier").first().alias("winner"))
        )
        others = (
            bids.filter(pl.col("tenderer") != pl.col("supplier"))
            .sort("rid", "amount", "bid")
            .group_by("rid")
            .agg(pl.col("amount").first().alias("lost"), pl.col("tenderer").first().alias("second"))
        )
        ocids = in_scope(tables, ctx).lazy().select("rid", "ocid")  # the candidates' releases are in scope
        ratios = (
            winning.join(others, on="rid")
            .filter(pl.col("lost") >= pl.col("won"))  # else the award criteria are not price only
            .join(ocids, on="rid")
            .with_columns(((pl.col("lost") - pl.col("won")) / pl.col("won")).alias("ratio"))
            .sort("rid")
            .unique("ocid", keep="last", maintain_order=True)
        )
        return ratios.select("rid", pl.col("ocid").alias("key"), "ratio", "winner", "second").collect()

    ratios: pl.DataFrame = ctx.cached("cardinal.ratios", make)
    return ratios


def ratio_counts(tables: Tables, ctx: RunContext) -> tuple[int, dict[str, int]]:
    """(processes with a ratio, skip reasons) for the summary."""
    candidates = ratio_candidates(tables, ctx)
    ratios = second_lowest_ratios(tables, ctx)
    with_bids = candidates.select("rid").n_unique()
    skipped = {
        "其他币种的投标，未混算 (bids in another currency, not mixed)": currency_skips(
            candidates, main_currency(tables, ctx)
        ),
        "缺少中标价或次低有效投标 (no winning or second valid priced bid)": with_bids - ratios.height,
    }
    return ratios.height, skipped
