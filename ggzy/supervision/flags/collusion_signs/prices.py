"""报价规律迹象 — identical prices (X12), prices in arithmetic progression (X13), in whole-percentage steps (X14)."""

from __future__ import annotations

import polars as pl

from ggzy.supervision.flags.base import Outcome, RunContext
from ggzy.supervision.flags.collusion_signs.common import ART40, bidders, flag, outcome, shared, spec
from ggzy.supervision.flags.options import defaults_of, option
from ggzy.supervision.ocds.tables import Tables

REQUIRES = ("bids/details/value/amount", "bids/details/value/currency", "bids/details/tenderers/id")


def priced(tables: Tables, ctx: RunContext) -> tuple[pl.DataFrame, int]:
    """Single-tenderer submitted bids with an amount, in cents: rid, ocid, tenderer, currency, cents (one per
    tenderer and tender: its lowest), and how many in-scope releases with bids had none."""

    def make() -> tuple[pl.DataFrame, int]:
        people = bidders(tables, ctx)
        single = tables.bids.filter(
            (pl.col("n_tenderers") == 1) & pl.col("amount").is_not_null() & pl.col("amount").is_finite()
            & (pl.col("amount") > 0) & ~pl.col("status").fill_null("").is_in(["invited", "withdrawn"])
        ).select("rid", "bid", pl.col("currency").fill_null(""), (pl.col("amount") * 100).round().cast(pl.Int64)
                 .alias("cents"))  # fmt: skip
        frame = (
            single.join(people, on=["rid", "bid"])
            .group_by("rid", "tenderer", "currency")
            .agg(pl.col("ocid").first(), pl.col("cents").min())
        )
        return frame, people.select("rid").n_unique() - frame.select("rid").n_unique()

    result: tuple[pl.DataFrame, int] = ctx.cached("signs.priced", make)
    return result


NO_PRICES = "没有带金额的单一投标人投标 (no priced single-tenderer bids)"

X12 = spec(
    "X12", "不同投标人报价相同", "Identical prices from different tenderers",
    "Within one tender, two or more different tenderers bid the same amount (to the cent) in the same currency.",
    f"{ART40} (四) 投标文件异常一致 and (五) 投标报价呈规律性差异; cf. Cardinal R028", REQUIRES,
)  # fmt: skip


def compute_x12(tables: Tables, ctx: RunContext) -> Outcome:
    frame, none = priced(tables, ctx)
    values = frame.select("rid", "ocid", "tenderer", pl.format("{} {}", pl.col("cents") / 100, "currency").alias("value"))
    return outcome(shared(values, "报价"), frame.select("rid").n_unique(), {NO_PRICES: none})


def ordered(frame: pl.DataFrame, min_bids: int) -> pl.DataFrame:
    """Bids of tenders with at least `min_bids` priced tenderers, sorted by amount within (rid, currency), with
    `prev` and `prev2`: the next lower amounts."""
    return (
        frame.filter(pl.len().over("rid", "currency") >= min_bids)
        .sort("rid", "currency", "cents", "tenderer")
        .with_columns(
            pl.col("cents").shift(1).over("rid", "currency").alias("prev"),
            pl.col("cents").shift(2).over("rid", "currency").alias("prev2"),
        )
    )


def runs(frame: pl.DataFrame, step: pl.Expr, min_bids: int, label: str) -> pl.DataFrame:
    """Groups of consecutive sorted bids where `step` (comparing a bid with the two below it) holds for at least
    `min_bids − 2` bids in a row — such a run of k steps covers k + 2 bids: rid, ocid, value, members, label."""
    by = ["rid", "currency"]
    marked = frame.with_columns(step.fill_null(False).alias("step"), pl.int_range(pl.len()).over(by).alias("i"))
    marked = marked.with_columns((~pl.col("step")).cum_sum().over(by).alias("run"))
    spans = (
        marked.filter(pl.col("step"))
        .group_by(*by, "run")
        .agg(pl.len().alias("k"), pl.col("i").min().alias("lo"), pl.col("i").max().alias("hi"))
        .filter(pl.col("k") >= min_bids - 2)
        .select(*by, pl.col("run").alias("span"), "lo", "hi")
    )
    members = marked.join(spans, on=by).filter(pl.col("i").is_between(pl.col("lo") - 2, pl.col("hi")))
    return (
        members.sort(*by, "span", "i")
        .group_by(*by, "span", maintain_order=True)
        .agg(
            pl.col("ocid").first(),
            (pl.col("cents") / 100).cast(pl.String).str.join(" < ").alias("value"),
            pl.col("tenderer").sort().alias("members"),
        )
        .with_columns(pl.lit(label).alias("label"))
        .select("rid", "ocid", "value", "members", "label")
    )


X13 = spec(
    "X13", "报价呈等差数列", "Prices in arithmetic progression",
    "Within one tender, at least `min_bids` tenderers' amounts, sorted, are consecutive and equally spaced "
    "(the same positive difference to the cent).",
    f"{ART40} (五): 不同投标人的投标报价呈规律性差异", REQUIRES, defaults_of("X13"),
)  # fmt: skip


def compute_x13(tables: Tables, ctx: RunContext) -> Outcome:
    frame, none = priced(tables, ctx)
    min_bids = max(3, int(option(ctx.settings, "X13", "min_bids")))
    sorted_ = ordered(frame, min_bids)
    d1, d2 = pl.col("cents") - pl.col("prev"), pl.col("prev") - pl.col("prev2")
    groups = runs(sorted_, (d1 == d2) & (d1 > 0), min_bids, "等差报价")
    return outcome(groups, sorted_.select("rid").n_unique(), {NO_PRICES: none})


X14 = spec(
    "X14", "报价按整百分比递增", "Prices in whole-percentage steps",
    "Within one tender, at least `min_bids` tenderers' amounts, sorted, each exceed the next lower one by a whole "
    "percentage (amount = lower × (100 + k)/100 to the cent, k ≥ 1).",
    f"{ART40} (五): 不同投标人的投标报价呈规律性差异", REQUIRES, defaults_of("X14"),
)  # fmt: skip


def whole_percent(high: pl.Expr, low: pl.Expr) -> pl.Expr:
    """`high` is `low` raised by a whole percentage k ≥ 1, to the cent (amounts in cents)."""
    k = (high * 100 / low).round()
    return (k > 100) & ((high * 100 - k * low).abs() <= 50)


def compute_x14(tables: Tables, ctx: RunContext) -> Outcome:
    frame, none = priced(tables, ctx)
    min_bids = max(3, int(option(ctx.settings, "X14", "min_bids")))
    sorted_ = ordered(frame, min_bids)
    step = whole_percent(pl.col("cents"), pl.col("prev")) & whole_percent(pl.col("prev"), pl.col("prev2"))
    groups = runs(sorted_, step, min_bids, "整百分比报价")
    return outcome(groups, sorted_.select("rid").n_unique(), {NO_PRICES: none})


FLAGS = (flag(X12, compute_x12), flag(X13, compute_x13), flag(X14, compute_x14))
