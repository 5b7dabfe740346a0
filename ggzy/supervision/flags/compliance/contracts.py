"""合同类合规指标 — contract signed too late after the award (C04), contract departing from the award (C05)."""

from __future__ import annotations

import polars as pl

from ggzy.rules import procurement, tendering
from ggzy.rules.base import Citation, Rule, Unit
from ggzy.supervision.flags.base import Group, Outcome, Phase, RunContext, flag, hits_frame
from ggzy.supervision.flags.compliance.common import missing, scoped, spec, unit, unmapped
from ggzy.supervision.flags.legal import counted_days, regimes, with_days
from ggzy.supervision.flags.options import defaults_of, option
from ggzy.supervision.ocds.tables import Tables

CONTRACT_RULES: tuple[Rule, ...] = (tendering.CONTRACT_WITHIN, procurement.CONTRACT_WITHIN)
DEPARTURE = (
    tendering.CONTRACT_WITHIN.citation,  # 招标投标法 第46条: 不得再行订立背离合同实质性内容的其他协议
    Citation(tendering.REG, "第57条"),  # 合同的标的、价款、质量、履行期限等主要条款应当与招标文件和中标人的投标文件一致
    Citation(procurement.LAW, "第50条"),  # 政府采购合同的双方当事人不得擅自变更、中止或者终止合同
)
NO_PAIR = "没有可对应到中标的合同 (no contract linked to an award by awardID)"


def pairs(tables: Tables, ctx: RunContext) -> tuple[pl.DataFrame, int, int]:
    """Contracts joined to their award (awardID = awards/id, same release): (pairs, releases judged, skipped)."""
    frame = scoped(tables, ctx, [])
    awards = tables.awards.filter(pl.col("award_id").is_not_null() & (pl.col("status") == "active")).select(
        "rid",
        "award_id",
        pl.col("date").alias("award_date"),
        pl.col("amount").alias("award_amount"),
        pl.col("currency").alias("award_currency"),
        "contract_end",
    )
    contracts = tables.contracts.filter(
        pl.col("award_id").is_not_null() & (pl.col("status").fill_null("") != "cancelled")
    )
    joined = frame.join(contracts, on="rid").join(awards, on=["rid", "award_id"])
    judged = joined.select("rid").n_unique()
    return joined, judged, frame.height - judged


C04 = spec(
    "C04",
    "合同签订超过法定期限",
    "Contract signed late after the award",
    "A contract (contracts/dateSigned) signed more days after its active award (awards/date, the award notice, "
    "linked by contracts/awardID) than the regime allows.",
    f"{tendering.CONTRACT_WITHIN.citation}; {procurement.CONTRACT_WITHIN.citation} "
    f"({tendering.CONTRACT_WITHIN.value}{tendering.CONTRACT_WITHIN.unit.value}) — ggzy.rules.*.CONTRACT_WITHIN",
    (
        "awards/id",
        "awards/date",
        "contracts/awardID",
        "contracts/dateSigned",
        "tender/procurementMethodDetails|procurementMethod",
    ),
    "the days from award to signature (the longest)",
)


def compute_c04(tables: Tables, ctx: RunContext) -> Outcome:
    joined, _, no_pair = pairs(tables, ctx)
    skipped = {NO_PAIR: no_pair} | unmapped(joined.unique("rid"))
    limits = pl.DataFrame(
        [(r.regime.value, int(r.value), r.unit is Unit.WORKING_DAYS, str(r.citation)) for r in CONTRACT_RULES],
        schema=["regime", "days", "working", "citation"],
        orient="row",
    )
    frame = joined.join(regimes(), on="proc").join(limits, on="regime")
    dated = with_days(with_days(frame, "award_date"), "date_signed")
    dated, bad = missing(
        dated,
        pl.col("award_date_day").is_not_null() & pl.col("date_signed_day").is_not_null(),
        "缺少或无效的中标或签约日期 (award or signature date missing or invalid)",
    )
    counted = counted_days(dated, "award_date_day", "date_signed_day").filter(pl.col("counted").is_not_null())
    late = (
        counted.filter(pl.col("counted") > pl.col("days"))
        .sort("counted", descending=True)
        .group_by("rid", maintain_order=True)
        .first()
        .sort("rid")
        .select(
            "rid",
            pl.col("ocid").alias("key"),
            "counted",
            pl.format(
                "中标 {} 后 {} {} 才签订合同，超过 {} {}（{}）",
                "award_date",
                "counted",
                unit(pl.col("working")),
                "days",
                unit(pl.col("working")),
                "citation",
            ).alias("evidence"),
        )
    )
    return Outcome(
        hits=hits_frame(late, Group.OCID, pl.col("counted"), Phase.FOLD),
        evaluated=counted.select("rid").n_unique(),
        skipped=skipped | bad,
    )


C05 = spec(
    "C05",
    "合同背离中标结果",
    "Contract departs from the award",
    "A contract whose value differs from its award's value by more than `tolerance` (relative; default: any "
    "difference above half a fen), whose currency differs, or whose period ends later than the award's "
    "contractPeriod: terms of the award changed in the contract.",
    "; ".join(str(c) for c in DEPARTURE),
    ("contracts/awardID", "contracts/value", "awards/value", "contracts/period/endDate|awards/contractPeriod/endDate"),
    "the relative difference of the values (1.0 for other terms)",
    defaults_of("C05"),
)


def compute_c05(tables: Tables, ctx: RunContext) -> Outcome:
    joined, judged, no_pair = pairs(tables, ctx)
    tolerance = float(option(ctx.settings, "C05", "tolerance"))
    a, c = pl.col("award_amount"), pl.col("amount")
    both = a.is_not_null() & c.is_not_null() & (a > 0)
    same_currency = pl.col("currency").fill_null("") == pl.col("award_currency").fill_null("")
    value = both & same_currency & ((c - a).abs() > a * tolerance + 0.005)
    currency = pl.col("currency").is_not_null() & pl.col("award_currency").is_not_null() & ~same_currency
    period = (
        pl.col("period_end").is_not_null()
        & pl.col("contract_end").is_not_null()
        & (pl.col("period_end").str.slice(0, 10) > pl.col("contract_end").str.slice(0, 10))
    )
    reasons = pl.concat_str(
        pl.when(value).then(pl.format("合同金额 {} ≠ 中标金额 {}；", c, a)),
        pl.when(currency).then(pl.format("合同币种 {} ≠ 中标币种 {}；", "currency", "award_currency")),
        pl.when(period).then(pl.format("合同期限至 {}，晚于中标的 {}；", "period_end", "contract_end")),
        ignore_nulls=True,
    )
    found = joined.with_columns(reasons.alias("reasons"), pl.when(value).then((c - a) / a).otherwise(1.0).alias("v"))
    flagged = (
        found.filter(value | currency | period)
        .group_by("rid", maintain_order=True)
        .agg(pl.col("ocid").first().alias("key"), pl.col("v").first(), pl.col("reasons").str.join(""))
        .sort("rid")
        .with_columns(
            pl.concat_str("reasons", pl.lit("（" + "；".join(str(x) for x in DEPARTURE) + "）")).alias("evidence")
        )
    )
    return Outcome(
        hits=hits_frame(flagged, Group.OCID, pl.col("v"), Phase.FOLD), evaluated=judged, skipped={NO_PAIR: no_pair}
    )


FLAGS = (flag(C04, compute_c04), flag(C05, compute_c05))
