"""金额与组成类合规指标 — deposit over the cap (C02), non-open procedure above the threshold (C06), committee (C08)."""

from __future__ import annotations

import polars as pl

from ggzy.rules import procurement, tendering
from ggzy.rules.base import Rule
from ggzy.rules.procedures import Method
from ggzy.supervision.flags.base import Group, Outcome, Phase, RunContext, flag, hits_frame
from ggzy.supervision.flags.compliance.common import missing, scoped, spec, unmapped
from ggzy.supervision.flags.legal import OPEN_METHODS, regimes, state_funds, with_decisions
from ggzy.supervision.flags.options import defaults_of, option
from ggzy.supervision.ocds.tables import Tables

CAPS: tuple[Rule, ...] = (tendering.DEPOSIT_CAP, procurement.DEPOSIT_CAP)
NO_ESTIMATE = "缺少招标项目估算价/预算 (tender/value/amount missing)"

C02 = spec(
    "C02",
    "投标保证金超过上限",
    "Bid deposit over the cap",
    "The bid deposit asked (ggzy extension tender/ggzySupervision/bidDeposit/amount, in the tender's currency) "
    "exceeds the cap of the procedure's regime as a percentage of the estimate or budget (tender/value/amount).",
    f"{tendering.DEPOSIT_CAP.citation}; {procurement.DEPOSIT_CAP.citation} (≤ {tendering.DEPOSIT_CAP.value}%) — "
    "ggzy.rules.tendering.DEPOSIT_CAP, ggzy.rules.procurement.DEPOSIT_CAP",
    (
        "tender/ggzySupervision/bidDeposit/amount",
        "tender/value/amount",
        "tender/procurementMethodDetails|procurementMethod",
    ),
    "the deposit as a percentage of the estimate",
)


def compute_c02(tables: Tables, ctx: RunContext) -> Outcome:
    frame = scoped(tables, ctx, ["deposit_amount", "deposit_currency", "tender_amount", "tender_currency"])
    frame, no_deposit = missing(frame, pl.col("deposit_amount").is_not_null(), "没有投标保证金数据 (no bid deposit)")
    frame, no_estimate = missing(
        frame, pl.col("tender_amount").is_not_null() & (pl.col("tender_amount") > 0), NO_ESTIMATE
    )
    same = pl.col("deposit_currency").is_null() | (
        pl.col("deposit_currency") == pl.col("tender_currency").fill_null("")
    )
    frame, currency = missing(frame, same, "保证金与估算价币种不同 (deposit and estimate in different currencies)")
    skipped = no_deposit | no_estimate | currency | unmapped(frame)
    caps = pl.DataFrame(
        [(r.regime.value, float(r.value), str(r.citation)) for r in CAPS],
        schema=["regime", "cap", "citation"],
        orient="row",
    )
    judged = frame.join(regimes(), on="proc").join(caps, on="regime")
    percent = pl.col("deposit_amount") / pl.col("tender_amount") * 100
    flagged = judged.filter(percent > pl.col("cap")).select(
        "rid",
        pl.col("ocid").alias("key"),
        percent.alias("percent"),
        pl.format(
            "保证金 {} 为估算价 {} 的 {}%，超过 {}%（{}）",
            "deposit_amount",
            "tender_amount",
            percent.round(2),
            "cap",
            "citation",
        ).alias("evidence"),
    )
    return Outcome(
        hits=hits_frame(flagged, Group.OCID, pl.col("percent"), Phase.FOLD), evaluated=judged.height, skipped=skipped
    )


C06 = spec(
    "C06",
    "应公开招标而未公开招标",
    "Non-open procedure above the threshold",
    "A release whose catalog category (ggzySupervision.category, else from the procedure's regime and "
    "mainProcurementCategory) and estimate make ggzy.rules.catalog.decide() require tendering or open tendering, "
    "and whose procedure the trading platform would refuse (ggzy.rules.catalog.violations()): a non-tender method, "
    "or invited tender without an approved exception. State funds from ggzySupervision.stateFunds; where they are "
    "missing and would change the decision the release is skipped (or assume_state_funds_share is used).",
    "16号令 第5条; 招标投标法实施条例 第8条; 政府采购法 第27条; 河南省集中采购目录及标准 — ggzy.rules.catalog",
    (
        "tender/value/amount",
        "tender/procurementMethodDetails|procurementMethod",
        "tender/mainProcurementCategory",
        "tender/ggzySupervision/stateFunds (works)",
    ),
    "always 1.0",
    defaults_of("C06"),
)


def compute_c06(tables: Tables, ctx: RunContext) -> Outcome:
    columns = ["tender_amount", "tender_currency", "state_funds_share", "state_funds_amount"]
    frame = scoped(tables, ctx, columns)
    skipped = unmapped(frame)
    mapped = frame.filter(pl.col("proc").is_not_null())
    chosen = mapped.filter(~pl.col("proc").is_in(OPEN_METHODS))
    chosen, no_category = missing(
        chosen, pl.col("category").is_not_null(), "无法确定目录品类 (catalog category unknown)"
    )
    chosen, no_estimate = missing(chosen, pl.col("tender_amount").is_not_null(), NO_ESTIMATE)
    chosen, currency = missing(
        chosen, pl.col("tender_currency").fill_null("CNY") == "CNY", "估算价不是人民币 (estimate not in CNY)"
    )
    assumed = option(ctx.settings, "C06", "assume_state_funds_share")
    judged = with_decisions(state_funds(chosen, assumed, "tender_amount"), "tender_amount")
    judged, funds = missing(judged, pl.col("decided"), "缺少国有资金信息 (state funds unknown and decisive)")
    flagged = judged.filter(pl.col("violation").is_not_null()).select(
        "rid", pl.col("ocid").alias("key"), pl.col("violation").alias("evidence")
    )
    return Outcome(
        hits=hits_frame(flagged, Group.OCID, 1.0, Phase.FOLD),
        evaluated=judged.height,
        skipped=skipped | no_category | no_estimate | currency | funds,
        excluded={"公开招标 (open tender)": mapped.height - chosen.height},
    )


COMMITTEE_RULES: dict[str, Rule] = {
    Method.OPEN_TENDER.value: tendering.COMMITTEE_MIN,
    Method.INVITED_TENDER.value: tendering.COMMITTEE_MIN,
    Method.NEGOTIATION.value: procurement.COMMITTEE_MIN_NEGOTIATION,
    Method.QUOTATION.value: procurement.COMMITTEE_MIN_NEGOTIATION,
}
EXPERT_SHARE_RULES: dict[str, Rule] = {
    Method.OPEN_TENDER.value: tendering.COMMITTEE_EXPERT_THIRDS,
    Method.INVITED_TENDER.value: tendering.COMMITTEE_EXPERT_THIRDS,
}
C08 = spec(
    "C08",
    "评标委员会组成不合规",
    "Evaluation committee composition",
    "The evaluation committee (ggzy extension tender/ggzySupervision/evaluationCommittee/members) has fewer members "
    "than the rule of the procedure, or an even number of members, or — where the number of technical and economic "
    "experts (`/experts`) is given — fewer experts than two thirds of the members (open and invited tenders). "
    "Procedures without such a rule in ggzy.rules (government-procurement tenders, consultation, single source) "
    "are excluded.",
    f"{tendering.COMMITTEE_MIN.citation}; {procurement.COMMITTEE_MIN_NEGOTIATION.citation} — "
    "ggzy.rules.tendering.COMMITTEE_MIN, ggzy.rules.procurement.COMMITTEE_MIN_NEGOTIATION, "
    "ggzy.rules.tendering.COMMITTEE_EXPERT_THIRDS",
    (
        "tender/ggzySupervision/evaluationCommittee/members",
        "tender/ggzySupervision/evaluationCommittee/experts (optional)",
        "tender/procurementMethodDetails|procurementMethod",
    ),
    "the number of members",
)


def compute_c08(tables: Tables, ctx: RunContext) -> Outcome:
    frame = scoped(tables, ctx, ["committee_members", "committee_experts"])
    frame, none = missing(frame, pl.col("committee_members").is_not_null(), "没有评标委员会数据 (no committee data)")
    skipped = none | unmapped(frame)
    mapped = frame.filter(pl.col("proc").is_not_null())
    rules = pl.DataFrame(
        [(m, int(r.value), str(r.citation)) for m, r in COMMITTEE_RULES.items()],
        schema=["proc", "min", "citation"],
        orient="row",
    )
    shares = pl.DataFrame(
        [(m, int(r.value), str(r.citation)) for m, r in EXPERT_SHARE_RULES.items()],
        schema=["proc", "thirds", "share_citation"],
        orient="row",
    )
    judged = mapped.join(rules, on="proc").join(shares, on="proc", how="left")
    members, experts = pl.col("committee_members"), pl.col("committee_experts")
    size_wrong = (members < pl.col("min")) | (members % 2 == 0)
    # exact in integers: experts / members < thirds / 3
    too_few_experts = (
        experts.is_not_null() & pl.col("thirds").is_not_null() & (experts * 3 < members * pl.col("thirds"))
    )
    size_text = pl.format("评标委员会 {} 人，应为不少于 {} 人的单数（{}）", members, "min", "citation")
    share_text = pl.format(
        "评标委员会 {} 人中技术、经济专家 {} 人，不足 {}/3（{}）", members, experts, "thirds", "share_citation"
    )
    evidence = (
        pl.when(size_wrong & too_few_experts)
        .then(pl.concat_str([size_text, share_text], separator="；"))
        .when(size_wrong)
        .then(size_text)
        .otherwise(share_text)
    )
    flagged = judged.filter(size_wrong | too_few_experts).select(
        "rid", pl.col("ocid").alias("key"), members, evidence.alias("evidence")
    )
    return Outcome(
        hits=hits_frame(flagged, Group.OCID, members, Phase.FOLD),
        evaluated=judged.height,
        skipped=skipped,
        excluded={
            "ggzy.rules 中没有该程序的评标委员会规则 (no committee rule for the procedure)": mapped.height
            - judged.height
        },
    )


FLAGS = (flag(C02, compute_c02), flag(C06, compute_c06), flag(C08, compute_c08))
