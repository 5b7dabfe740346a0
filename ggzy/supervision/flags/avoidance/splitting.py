"""化整为零 — a buyer's non-open purchases of a category, each under a catalog threshold, together over it (A01)."""

from __future__ import annotations

import polars as pl

from ggzy.supervision.flags.avoidance.common import CATALOG_SOURCE, S7, purchases, spec
from ggzy.supervision.flags.base import Group, Outcome, Phase, RunContext, flag, hits_frame
from ggzy.supervision.flags.compliance.common import missing
from ggzy.supervision.flags.legal import OPEN_METHODS, state_funds, with_decisions
from ggzy.supervision.flags.options import defaults_of, option
from ggzy.supervision.ocds.tables import Tables

NEEDS = pl.col("must_tender") | pl.col("must_open")

A01 = spec(
    "A01",
    "化整为零规避招标",
    "Splitting a purchase to avoid tendering",
    "One buyer's purchases by non-open procedures (ggzy.rules.procedures rows other than open tender) of one "
    "catalog category and item class (first `digits` characters of tender/items[0]/classification/id) within a "
    "fiscal (calendar) year — and, when `window_days` > 0, within any window of that many days — none of which "
    "ggzy.rules.catalog.decide() requires to be (openly) tendered, but whose estimates together it would.",
    f"{S7}; {CATALOG_SOURCE}; 政府采购法实施条例 第28条 (同一预算年度内化整为零)",
    (
        "buyer/id",
        "tender/value/amount",
        "tender/procurementMethodDetails|procurementMethod",
        "tender/tenderPeriod/startDate|date",
        "tender/mainProcurementCategory",
    ),
    (Group.BUYER, Group.OCID),
    "the total estimate of the parts",
    defaults_of("A01"),
)


def _parts(tables: Tables, ctx: RunContext) -> tuple[pl.DataFrame, dict[str, int], int]:
    """Non-open purchases whose own decision needs no tender: the candidates to add up."""
    frame = purchases(tables, ctx)
    frame, unmapped = missing(
        frame,
        pl.col("proc").is_not_null() & pl.col("category").is_not_null(),
        "采购方式或品类无法确定 (procedure or category unknown)",
    )
    nonopen = frame.filter(~pl.col("proc").is_in(OPEN_METHODS))
    excluded = frame.height - nonopen.height
    usable = (
        pl.col("buyer_id").is_not_null()
        & pl.col("tender_amount").is_not_null()
        & pl.col("day").is_not_null()
        & (pl.col("tender_currency").fill_null("CNY") == "CNY")
    )
    nonopen, bad = missing(nonopen, usable, "缺少采购人、人民币估算价或日期 (buyer, CNY estimate or date missing)")
    assumed = option(ctx.settings, "A01", "assume_state_funds_share")
    judged = with_decisions(state_funds(nonopen, assumed, "tender_amount"), "tender_amount")
    judged, funds = missing(judged, pl.col("decided"), "缺少国有资金信息 (state funds unknown and decisive)")
    digits = int(option(ctx.settings, "A01", "digits"))
    parts = (
        judged.filter(~NEEDS)
        .with_columns(
            pl.col("tender_classification").fill_null("").str.slice(0, digits).alias("class"),
        )
        .select("rid", "ocid", "buyer_id", "category", "class", "day", "tender_amount", "share", "amount")
    )
    return parts, unmapped | bad | funds, excluded


def _judge(groups: pl.DataFrame) -> pl.DataFrame:
    """Decide at the groups' totals (share: the largest of the parts; amount: the sum; unknown if any is)."""
    totals = groups.with_columns(pl.col("total").alias("estimate"))
    decided = with_decisions(totals, "estimate")
    return decided.filter(pl.col("decided") & NEEDS)


def compute_a01(tables: Tables, ctx: RunContext) -> Outcome:
    parts, skipped, excluded = _parts(tables, ctx)
    year = pl.col("day").cast(pl.Int32).cast(pl.Date).dt.year()
    key = ["buyer_id", "category", "class"]
    agg = [
        pl.col("tender_amount").sum().alias("total"),
        pl.len().alias("n"),
        pl.col("rid"),
        pl.col("ocid"),
        pl.col("share").max().alias("share"),
        pl.when(pl.col("amount").null_count() == 0).then(pl.col("amount").sum()).alias("amount"),
    ]
    years = parts.with_columns(year.alias("period").cast(pl.String)).group_by(*key, "period").agg(*agg)
    groups = [years.filter(pl.col("n") >= 2)]
    window = int(option(ctx.settings, "A01", "window_days"))
    if window > 0:
        rolled = parts.sort("day").rolling("day", period=f"{window}i", group_by=key).agg(*agg)
        groups.append(
            rolled.filter(pl.col("n") >= 2)
            .with_columns(pl.format("{}日内", pl.lit(window)).alias("period"))
            .select(years.columns)
        )
    found = _judge(pl.concat(groups))
    return Outcome(
        hits=_hits(found),
        evaluated=parts.select(key).n_unique(),
        skipped=skipped,
        excluded={"公开招标 (open tender)": excluded},
    )


def _hits(found: pl.DataFrame) -> pl.DataFrame:
    described = found.with_columns(
        pl.format(
            "采购人 {} {} 以非公开方式采购 {}{} 共 {} 次、合计 ¥{}，每次均未达标准而合计达到：{}",
            "buyer_id",
            "period",
            "category",
            pl.when(pl.col("class") != "").then(pl.format("/{}", "class")).otherwise(pl.lit("")),
            "n",
            pl.col("total").round(2),
            "tender_reasons",
        ).alias("evidence"),
        pl.col("rid").list.min().alias("first"),
    ).sort("total", descending=True)
    buyers = (
        described.unique("buyer_id", keep="first")
        .sort("first")
        .select(pl.col("first").alias("rid"), pl.col("buyer_id").alias("key"), "total", "evidence")
    )
    processes = (
        described.explode("rid", "ocid")
        .unique("rid", keep="first")
        .sort("rid")
        .select("rid", pl.col("ocid").alias("key"), "total", "evidence")
    )
    return pl.concat(
        [
            hits_frame(buyers, Group.BUYER, pl.col("total"), Phase.FINALIZE),
            hits_frame(processes, Group.OCID, pl.col("total"), Phase.FINALIZE, sub=1),
        ]
    )


FLAGS = (flag(A01, compute_a01),)
