"""门槛下聚集 — awards bunched just below a catalog threshold, by buyer: a binomial bunching test (A02)."""

from __future__ import annotations

import numpy as np
import polars as pl
from scipy.stats import binom

from ggzy.rules.catalog import DEFAULT, Catalog, Category
from ggzy.supervision.flags.avoidance.common import CATALOG_SOURCE, S7, purchases, spec
from ggzy.supervision.flags.base import Group, Outcome, Phase, RunContext, flag, hits_frame
from ggzy.supervision.flags.options import defaults_of, option
from ggzy.supervision.ocds.tables import Tables

A02 = spec(
    "A02",
    "金额聚集于门槛之下",
    "Awards bunched just below a threshold",
    "For each catalog threshold of a purchase's category (ggzy.rules.catalog: the entry's must-trade, must-tender "
    "and must-open amounts), count the buyer's purchases in [1 − `band`, 1) of the threshold (k) and in the "
    "neighbouring band [1 − 2·`band`, 1 − `band`) (m). With k + m ≥ `min_count`, k > m and a one-sided binomial "
    "test of k against Binomial(k + m, ½) at p ≤ `p_value`, the buyer is flagged. The amount is the total of the "
    "active awards in CNY, else the estimate (tender/value/amount).",
    f"{S7}; {CATALOG_SOURCE}; bunching at thresholds: Palguta & Pertold (2017), American Economic Journal: "
    "Economic Policy 9(2)",
    ("awards/value|tender/value/amount", "buyer/id", "tender/mainProcurementCategory"),
    (Group.BUYER, Group.OCID),
    "buyer: k / (k + m); processes in the band: the ratio to the threshold",
    defaults_of("A02"),
)


def thresholds(catalog: Catalog = DEFAULT) -> pl.DataFrame:
    """category, threshold: every positive amount at which the catalog's decision for the category changes."""
    rows = []
    for category in Category:
        entry = catalog.entry_for(category)
        if entry is not None:
            values = {v for v in (entry.must_trade_at, entry.must_tender_at, entry.must_open_at) if v}
            rows += [(category.value, float(v)) for v in sorted(values)]
    return pl.DataFrame(rows, schema=["category", "threshold"], orient="row")


def _amounts(tables: Tables, ctx: RunContext) -> pl.DataFrame:
    awarded = (
        tables.awards.filter((pl.col("status") == "active") & (pl.col("currency").fill_null("CNY") == "CNY"))
        .group_by("rid")
        .agg(pl.when(pl.col("amount").null_count() == 0).then(pl.col("amount").sum()).alias("awarded"))
    )
    frame = purchases(tables, ctx).join(awarded, on="rid", how="left")
    estimate = pl.when(pl.col("tender_currency").fill_null("CNY") == "CNY").then(pl.col("tender_amount"))
    return frame.with_columns(pl.coalesce("awarded", estimate).alias("value"))


def _near(usable: pl.DataFrame, band: float) -> pl.DataFrame:
    """Purchases within two bands below a threshold of their category, `below` when in the band just under it."""
    ratio = pl.col("value") / pl.col("threshold")
    return (
        usable.join(thresholds(), on="category")
        .with_columns(ratio.alias("ratio"))
        .filter(pl.col("ratio").is_between(1 - 2 * band, 1, closed="left"))
        .with_columns((pl.col("ratio") >= 1 - band).alias("below"))
    )


def _tests(near: pl.DataFrame, band: float, min_count: int, p_max: float) -> tuple[pl.DataFrame, int]:
    """Per buyer with enough purchases near a threshold: k, n, the one-sided binomial p; those bunched, and how
    many buyers were tested."""
    tests = near.group_by("buyer_id").agg(pl.col("below").sum().alias("k"), pl.len().alias("n"), pl.col("rid").min())
    tests = tests.filter(pl.col("n") >= min_count)
    k, n = tests["k"].to_numpy(), tests["n"].to_numpy()
    tests = tests.with_columns(pl.Series("p", binom.sf(k - 1, n, 0.5) if len(k) else np.array([]), pl.Float64))
    text = pl.format(
        "门槛下 {}% 区间内 {} 笔，相邻区间 {} 笔，二项检验 p = {}",
        pl.lit(round(band * 100, 1)),
        "k",
        pl.col("n") - pl.col("k"),
        pl.col("p").round(4),
    )
    found = tests.filter((pl.col("k") * 2 > pl.col("n")) & (pl.col("p") <= p_max)).sort("buyer_id")
    return found.with_columns(text.alias("evidence")), tests.height


def compute_a02(tables: Tables, ctx: RunContext) -> Outcome:
    band, min_count = float(option(ctx.settings, "A02", "band")), int(option(ctx.settings, "A02", "min_count"))
    frame = _amounts(tables, ctx)
    usable = frame.filter(
        pl.col("value").is_not_null() & pl.col("category").is_not_null() & pl.col("buyer_id").is_not_null()
    )
    near = _near(usable, band)
    found, tested = _tests(near, band, min_count, float(option(ctx.settings, "A02", "p_value")))
    processes = (
        near.filter(pl.col("below"))
        .join(found.select("buyer_id", pl.col("evidence").alias("why")), on="buyer_id")
        .sort("rid", "ratio", descending=[False, True])
        .unique("rid", keep="first")
        .sort("rid")
    )
    text = pl.format("金额 {} 为门槛 {} 的 {}%；{}", "value", "threshold", (pl.col("ratio") * 100).round(1), "why")
    buyers = found.select("rid", pl.col("buyer_id").alias("key"), (pl.col("k") / pl.col("n")).alias("v"), "evidence")
    hits = pl.concat(
        [
            hits_frame(buyers, Group.BUYER, pl.col("v"), Phase.FINALIZE),
            hits_frame(
                processes.select("rid", pl.col("ocid").alias("key"), "ratio", text.alias("evidence")),
                Group.OCID,
                pl.col("ratio"),
                Phase.FINALIZE,
                sub=1,
            ),
        ]
    )
    return Outcome(
        hits=hits,
        evaluated=tested,
        skipped={"缺少金额、品类或采购人 (amount, category or buyer missing)": frame.height - usable.height},
        meta={"k": float(near["below"].sum()), "n": float(near.height)},
    )


FLAGS = (flag(A02, compute_a02),)
