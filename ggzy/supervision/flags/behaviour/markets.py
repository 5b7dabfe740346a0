"""市场集中与授予 — concentration per buyer (B03) and category (B04), repeated awards (B05), price at the cap (B06)."""

from __future__ import annotations

import polars as pl

from ggzy.supervision.flags.base import Group, Outcome, Phase, RunContext, flag, hits_frame
from ggzy.supervision.flags.behaviour.common import S6, active_awards, main_currency, spec
from ggzy.supervision.flags.cardinal.common import in_scope
from ggzy.supervision.flags.options import defaults_of, option
from ggzy.supervision.ocds.tables import Tables

HHI_SOURCE = (
    "Herfindahl–Hirschman index; U.S. DOJ/FTC Horizontal Merger Guidelines (2010) §5.3: above 0.25 (2,500) "
    "highly concentrated"
)
NO_AMOUNT = "中标缺少金额或不是主要币种 (award amount missing or in another currency)"


def concentration(awards: pl.DataFrame, by: str, min_awards: int, threshold: float) -> tuple[pl.DataFrame, int]:
    """Per `by`: HHI of suppliers' shares of the awarded value, the top supplier and its share; those with at least
    `min_awards` awards and HHI ≥ threshold, and how many groups had enough awards."""
    per_supplier = awards.group_by(by, "supplier").agg(pl.col("amount").sum(), pl.len().alias("n"), pl.col("rid").min())
    total = pl.col("amount").sum().over(by)
    shares = per_supplier.filter(total > 0).with_columns((pl.col("amount") / total).alias("share"))
    table = (
        shares.sort([by, "share", "supplier"], descending=[False, True, False])
        .group_by(by, maintain_order=True)
        .agg(
            (pl.col("share") ** 2).sum().alias("hhi"),
            pl.col("n").sum().alias("awards"),
            pl.col("supplier").first().alias("top"),
            pl.col("share").first().alias("top_share"),
            pl.col("rid").min(),
        )
        .filter(pl.col("awards") >= min_awards)
    )
    flagged = (
        table.filter(pl.col("hhi") >= threshold)
        .sort(by)
        .select(
            "rid",
            pl.col(by).alias("key"),
            "hhi",
            pl.format(
                "{} 个中标，HHI {}；份额最大的 {} 占 {}%",
                "awards",
                pl.col("hhi").round(3),
                "top",
                (pl.col("top_share") * 100).round(1),
            ).alias("evidence"),
        )
    )
    return flagged, table.height


def _valued(tables: Tables, ctx: RunContext) -> tuple[pl.DataFrame, int]:
    awards = active_awards(tables, ctx)
    currency = main_currency(awards)
    same = pl.lit(False) if currency is None else pl.col("currency") == currency
    valued = awards.filter(pl.col("amount").is_not_null() & (pl.col("amount") >= 0) & same)
    return valued, awards.height - valued.height


B03 = spec(
    "B03",
    "采购人中标集中度过高",
    "Win concentration per buyer",
    "For a buyer with at least `min_awards` active single-supplier awards, the Herfindahl–Hirschman index of the "
    "suppliers' shares of the awarded value (main currency) is at least `threshold`.",
    f"{S6} 中标集中度; {HHI_SOURCE}",
    ("buyer/id", "awards/status", "awards/suppliers/id", "awards/value"),
    (Group.BUYER,),
    "the HHI (0–1)",
    defaults_of("B03"),
)


def compute_b03(tables: Tables, ctx: RunContext) -> Outcome:
    valued, skipped = _valued(tables, ctx)
    valued = valued.filter(pl.col("buyer_id").is_not_null())
    flagged, judged = concentration(
        valued,
        "buyer_id",
        int(option(ctx.settings, "B03", "min_awards")),
        float(option(ctx.settings, "B03", "threshold")),
    )
    return Outcome(
        hits=hits_frame(flagged, Group.BUYER, pl.col("hhi"), Phase.FINALIZE),
        evaluated=judged,
        skipped={NO_AMOUNT: skipped},
    )


B04 = spec(
    "B04",
    "品目中标集中度过高",
    "Win concentration per category",
    "For an item category (the first `digits` characters of the first award item's classification, else of the "
    "tender's first item) with at least `min_awards` awards, the HHI of the suppliers' shares of the awarded value "
    "is at least `threshold`.",
    f"{S6} 中标集中度; {HHI_SOURCE}",
    ("awards/items/classification/id|tender/items/classification/id", "awards/suppliers/id", "awards/value"),
    (Group.CATEGORY,),
    "the HHI (0–1)",
    defaults_of("B04"),
)


def compute_b04(tables: Tables, ctx: RunContext) -> Outcome:
    digits = int(option(ctx.settings, "B04", "digits"))
    valued, skipped = _valued(tables, ctx)
    items = tables.award_items.filter(pl.col("pos") == 0).select("rid", "award", "classification_id")
    tender = tables.processes.select("rid", "tender_classification")
    classed = (
        valued.join(items, on=["rid", "award"], how="left")
        .join(tender, on="rid", how="left")
        .with_columns(pl.coalesce("classification_id", "tender_classification").str.slice(0, digits).alias("category"))
    )
    known = classed.filter(pl.col("category").is_not_null() & (pl.col("category") != ""))
    flagged, judged = concentration(
        known,
        "category",
        int(option(ctx.settings, "B04", "min_awards")),
        float(option(ctx.settings, "B04", "threshold")),
    )
    return Outcome(
        hits=hits_frame(flagged, Group.CATEGORY, pl.col("hhi"), Phase.FINALIZE),
        evaluated=judged,
        skipped={NO_AMOUNT: skipped, "中标没有品目分类 (no classification)": classed.height - known.height},
    )


B05 = spec(
    "B05",
    "同一采购人反复授予同一供应商",
    "Repeated awards from one buyer to one supplier",
    "A supplier won at least `min_awards` of a buyer's active awards and at least `min_share` of them.",
    f"{S6} 主体关系; Fazekas, Tóth & King (2016), An objective corruption risk index (winner share of buyer contracts)",
    ("buyer/id", "awards/status", "awards/suppliers/id"),
    (Group.BUYER, Group.TENDERER),
    "buyer: the supplier's share of its awards; supplier: the number of awards",
    defaults_of("B05"),
)


def compute_b05(tables: Tables, ctx: RunContext) -> Outcome:
    every = active_awards(tables, ctx)
    awards = every.filter(pl.col("buyer_id").is_not_null())
    min_awards, min_share = (
        int(option(ctx.settings, "B05", "min_awards")),
        float(option(ctx.settings, "B05", "min_share")),
    )
    pairs = awards.group_by("buyer_id", "supplier").agg(pl.len().alias("n"), pl.col("rid").min())
    pairs = pairs.with_columns((pl.col("n") / pl.col("n").sum().over("buyer_id")).alias("share"))
    found = pairs.filter((pl.col("n") >= min_awards) & (pl.col("share") >= min_share)).sort("buyer_id", "supplier")
    found = found.with_columns(
        pl.format(
            "采购人 {} 的中标中有 {} 个（{}%）授予 {}", "buyer_id", "n", (pl.col("share") * 100).round(1), "supplier"
        ).alias("evidence")
    )
    hits = pl.concat(
        [
            hits_frame(
                found.select("rid", pl.col("buyer_id").alias("key"), "share", "evidence"),
                Group.BUYER,
                pl.col("share"),
                Phase.FINALIZE,
            ),
            hits_frame(
                found.select("rid", pl.col("supplier").alias("key"), "n", "evidence"),
                Group.TENDERER,
                pl.col("n"),
                Phase.FINALIZE,
                sub=1,
            ),
        ]
    )
    return Outcome(
        hits=hits,
        evaluated=awards.select("buyer_id").n_unique(),
        skipped={"中标所在流程没有采购人 (award of a process without buyer/id)": every.height - awards.height},
    )


B06 = spec(
    "B06",
    "中标价贴近最高限价",
    "Winning price within 1% of the control price",
    "The active awards' total value is at least (1 − `threshold`) of the tender value (tender/value/amount, the "
    "control price 最高投标限价) and not above it, in the same currency.",
    f"{S6} 价格分析; 招标投标法实施条例 第27条 (最高投标限价); screen for leaked ceilings and absent competition",
    ("tender/value/amount", "awards/status", "awards/value"),
    (Group.OCID,),
    "the award value / control price",
    defaults_of("B06"),
)


def compute_b06(tables: Tables, ctx: RunContext) -> Outcome:
    threshold = float(option(ctx.settings, "B06", "threshold"))
    scope = (
        in_scope(tables, ctx)
        .select("rid")
        .join(tables.processes.select("rid", "ocid", "tender_amount", "tender_currency"), on="rid")
    )
    awarded = (
        tables.awards.filter(pl.col("status") == "active")
        .group_by("rid")
        .agg(
            pl.col("amount").sum(),
            pl.col("amount").null_count().alias("missing"),
            pl.col("currency").unique().alias("cur"),
        )
    )
    joined = scope.join(awarded, on="rid")
    usable = (
        (pl.col("tender_amount") > 0)
        & (pl.col("missing") == 0)
        & (pl.col("cur").list.len() == 1)
        & (pl.col("cur").list.first().fill_null("") == pl.col("tender_currency").fill_null(""))
    )
    judged = joined.filter(usable.fill_null(False))
    ratio = pl.col("amount") / pl.col("tender_amount")
    flagged = judged.filter((ratio >= 1 - threshold) & (ratio <= 1)).select(
        "rid",
        pl.col("ocid").alias("key"),
        ratio.alias("ratio"),
        pl.format("中标金额 {} 为最高限价 {} 的 {}%", "amount", "tender_amount", (ratio * 100).round(2)).alias(
            "evidence"
        ),
    )
    skipped = {
        "缺少最高限价或中标金额，或币种不同 (no control price or award value, or currencies differ)": scope.height
        - judged.height
    }
    return Outcome(
        hits=hits_frame(flagged, Group.OCID, pl.col("ratio"), Phase.FOLD), evaluated=judged.height, skipped=skipped
    )


FLAGS = (flag(B03, compute_b03), flag(B04, compute_b04), flag(B05, compute_b05), flag(B06, compute_b06))
