"""报价规律迹象 — identical prices (X12), prices in arithmetic progression (X13), in whole-percentage steps (X14)."""

from __future__ import annotations

import polars as pl

from ggzy.supervision.flags.base import Outcome, RunContext, flag
from ggzy.supervision.flags.collusion_signs.common import (
    ART40,
    bidders,
    outcome,
    repeated,
    shared,
    spec,
    tenders_with_bids,
)
from ggzy.supervision.flags.options import defaults_of, option
from ggzy.supervision.ocds.tables import Tables

REQUIRES = ("bids/details/value/amount", "bids/details/value/currency", "bids/details/tenderers/id")


def cents(tables: Tables) -> pl.LazyFrame:
    """Submitted single-tenderer bids with a positive amount, in whole cents: rid, bid, currency, cents."""
    return (
        tables.bids.lazy()
        .filter(
            (pl.col("n_tenderers") == 1)
            & pl.col("amount").is_not_null()
            & pl.col("amount").is_finite()
            & (pl.col("amount") > 0)
            & ~pl.col("status").fill_null("").is_in(["invited", "withdrawn"])
        )
        .select(
            "rid",
            "bid",
            pl.col("currency").fill_null(""),
            (pl.col("amount") * 100).round().cast(pl.Int64).alias("cents"),
        )
    )


def unpriced(tables: Tables, ctx: RunContext) -> int:
    """In-scope releases with bids but no priced single-tenderer bid."""

    def make() -> int:
        people = bidders(tables, ctx)
        priced_rids = cents(tables).join(people.lazy(), on=["rid", "bid"], how="semi").select(pl.col("rid").n_unique())
        return int(tenders_with_bids(tables, ctx) - priced_rids.collect().item())

    count: int = ctx.cached("signs.unpriced", make)
    return count


def priced(tables: Tables, ctx: RunContext) -> pl.DataFrame:
    """Tenders with at least 3 priced tenderers, each tenderer's lowest amount, sorted by (rid, currency, cents,
    tenderer): rid, tenderer, currency, cents, i (row number)."""

    def make() -> pl.DataFrame:
        bids = cents(tables).filter(pl.len().over("rid", "currency") >= 3)
        joined = bids.join(bidders(tables, ctx).lazy(), on=["rid", "bid"]).select(
            "rid", "tenderer", "currency", "cents"
        )
        # each tenderer's lowest amount by a group-by, sorted afterwards (fewer rows to sort; peak memory)
        lowest = joined.group_by("rid", "currency", "tenderer").agg(pl.col("cents").min())
        return (
            lowest.filter(pl.len().over("rid", "currency") >= 3)
            .sort("rid", "currency", "cents", "tenderer")  # a total order: (rid, currency, tenderer) is unique
            .select("rid", "tenderer", "currency", "cents")
            .with_columns(pl.int_range(pl.len(), dtype=pl.Int64).alias("i"))
            .collect()
        )

    frame: pl.DataFrame = ctx.cached("signs.priced", make)
    return frame


NO_PRICES = "没有带金额的单一投标人投标 (no priced single-tenderer bids)"

X12 = spec(
    "X12",
    "不同投标人报价相同",
    "Identical prices from different tenderers",
    "Within one tender, two or more different tenderers bid the same amount (to the cent) in the same currency.",
    f"{ART40} (四) 投标文件异常一致 and (五) 投标报价呈规律性差异; cf. Cardinal R028",
    REQUIRES,
)


def compute_x12(tables: Tables, ctx: RunContext) -> Outcome:
    people = bidders(tables, ctx)
    same = repeated(cents(tables), "rid", "currency", "cents").join(people.lazy(), on=["rid", "bid"])
    values = same.select("rid", "tenderer", pl.format("{} {}", pl.col("cents") / 100, "currency").alias("value"))
    none = unpriced(tables, ctx)
    return outcome(shared(values, "报价", tables), tenders_with_bids(tables, ctx) - none, {NO_PRICES: none})


def ordered(tables: Tables, ctx: RunContext) -> pl.DataFrame:
    """The priced bids sorted by (rid, currency, cents, tenderer), with `prev` and `prev2`, the next lower amounts of
    the same tender (null at its start) — plain shifts on the sorted frame, no per-group window."""

    def make() -> pl.DataFrame:
        frame = priced(tables, ctx)  # already sorted
        same1 = (pl.col("rid") == pl.col("rid").shift(1)) & (pl.col("currency") == pl.col("currency").shift(1))
        same2 = (pl.col("rid") == pl.col("rid").shift(2)) & (pl.col("currency") == pl.col("currency").shift(2))
        return frame.with_columns(
            pl.when(same1).then(pl.col("cents").shift(1)).alias("prev"),
            pl.when(same2).then(pl.col("cents").shift(2)).alias("prev2"),
        )

    frame: pl.DataFrame = ctx.cached("signs.ordered", make)
    return frame


def runs(frame: pl.DataFrame, step: pl.Expr, min_bids: int, label: str, tables: Tables) -> pl.DataFrame:
    """Groups of consecutive sorted bids where `step` (comparing a bid with the two below it, in the same tender)
    holds for at least `min_bids − 2` bids in a row — a run of k steps covers k + 2 bids (rows lo − 2 … hi)."""
    holds = step.fill_null(False)
    marked = frame.select("i", holds.alias("step")).with_columns((~pl.col("step")).cum_sum().alias("run"))
    spans = (
        marked.filter(pl.col("step"))
        .group_by("run")
        .agg(pl.len().alias("k"), pl.col("i").min().alias("lo"), pl.col("i").max().alias("hi"))
        .filter(pl.col("k") >= min_bids - 2)
        .select(pl.int_ranges(pl.col("lo") - 2, pl.col("hi") + 1).alias("i"), pl.col("run").alias("span"))
        .explode("i")
    )
    members = frame.join(spans, on="i").sort("span", "i")
    return (
        members.group_by("span", maintain_order=True)
        .agg(
            pl.col("rid").first(),
            (pl.col("cents") / 100).cast(pl.String).str.join(" < ").alias("value"),
            pl.col("tenderer").sort().alias("members"),
        )
        .join(tables.processes.select("rid", "ocid"), on="rid")
        .with_columns(pl.lit(label).alias("label"))
        .select("rid", "ocid", "value", "members", "label")
    )


X13 = spec(
    "X13",
    "报价呈等差数列",
    "Prices in arithmetic progression",
    "Within one tender, at least `min_bids` tenderers' amounts, sorted, are consecutive and equally spaced "
    "(the same positive difference to the cent).",
    f"{ART40} (五): 不同投标人的投标报价呈规律性差异",
    REQUIRES,
    defaults_of("X13"),
)


def compute_x13(tables: Tables, ctx: RunContext) -> Outcome:
    sorted_, none = ordered(tables, ctx), unpriced(tables, ctx)
    min_bids = max(3, int(option(ctx.settings, "X13", "min_bids")))
    d1, d2 = pl.col("cents") - pl.col("prev"), pl.col("prev") - pl.col("prev2")
    groups = runs(sorted_, (d1 == d2) & (d1 > 0), min_bids, "等差报价", tables)
    return outcome(groups, sorted_.select("rid").n_unique(), {NO_PRICES: none})


X14 = spec(
    "X14",
    "报价按整百分比递增",
    "Prices in whole-percentage steps",
    "Within one tender, at least `min_bids` tenderers' amounts, sorted, each exceed the next lower one by a whole "
    "percentage (amount = lower × (100 + k)/100 to the cent, k ≥ 1).",
    f"{ART40} (五): 不同投标人的投标报价呈规律性差异",
    REQUIRES,
    defaults_of("X14"),
)


def whole_percent(high: pl.Expr, low: pl.Expr) -> pl.Expr:
    """`high` is `low` raised by a whole percentage k ≥ 1, to the cent (amounts in cents)."""
    k = (high * 100 / low).round()
    return (k > 100) & ((high * 100 - k * low).abs() <= 50)


def compute_x14(tables: Tables, ctx: RunContext) -> Outcome:
    sorted_, none = ordered(tables, ctx), unpriced(tables, ctx)
    min_bids = max(3, int(option(ctx.settings, "X14", "min_bids")))
    step = whole_percent(pl.col("cents"), pl.col("prev")) & whole_percent(pl.col("prev"), pl.col("prev2"))
    groups = runs(sorted_, step, min_bids, "整百分比报价", tables)
    return outcome(groups, sorted_.select("rid").n_unique(), {NO_PRICES: none})


FLAGS = (flag(X12, compute_x12), flag(X13, compute_x13), flag(X14, compute_x14))
