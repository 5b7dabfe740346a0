"""政府采购 — the Government Procurement Law (政府采购法, 2014) and its regulation (实施条例, 2015)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ggzy.rules.base import Citation, Regime, Unit, rule

LAW = "政府采购法"
REG = "政府采购法实施条例"
LAW_IN_FORCE = date(2014, 8, 31)
REG_IN_FORCE = date(2015, 3, 1)
P = Regime.PROCUREMENT

BID_PERIOD = rule(
    "procurement.bid_period",
    "招标文件发出至投标截止的最短时间",
    20,
    Unit.DAYS,
    P,
    Citation(LAW, "第35条"),
    LAW_IN_FORCE,
)
DOCUMENTS_AVAILABLE = rule(
    "procurement.documents_available",
    "招标文件提供期限不少于",
    5,
    Unit.WORKING_DAYS,
    P,
    Citation(REG, "第31条"),
    REG_IN_FORCE,
)
CLARIFICATION_LEAD = rule(
    "procurement.clarification_lead",
    "澄清或修改须在投标截止前至少（否则顺延）",
    15,
    Unit.DAYS,
    P,
    Citation(REG, "第31条"),
    REG_IN_FORCE,
)
CHALLENGE_WITHIN = rule(
    "procurement.challenge_within",
    "供应商提出质疑期限",
    7,
    Unit.WORKING_DAYS,
    P,
    Citation(LAW, "第52条"),
    LAW_IN_FORCE,
)
MIN_BIDS = rule(
    "procurement.min_bids",
    "投标供应商不足此数的，招标作废",
    3,
    Unit.COUNT,
    P,
    Citation(LAW, "第36条"),
    LAW_IN_FORCE,
)
DEPOSIT_CAP = rule(
    "procurement.deposit_cap",
    "投标保证金不得超过采购项目预算金额的",
    Decimal(2),
    Unit.PERCENT,
    P,
    Citation(REG, "第33条"),
    REG_IN_FORCE,
)
DEPOSIT_REFUND_LOSERS = rule(
    "procurement.deposit_refund_losers",
    "中标通知书发出后退还未中标供应商保证金",
    5,
    Unit.WORKING_DAYS,
    P,
    Citation(REG, "第33条"),
    REG_IN_FORCE,
)
PERFORMANCE_BOND_CAP = rule(
    "procurement.performance_bond_cap",
    "履约保证金不得超过合同金额的",
    Decimal(10),
    Unit.PERCENT,
    P,
    Citation(REG, "第48条"),
    REG_IN_FORCE,
)
COMMITTEE_MIN_NEGOTIATION = rule(
    "procurement.committee_min_negotiation",
    "竞争性谈判、询价小组人数（单数）不少于",
    3,
    Unit.COUNT,
    P,
    Citation(LAW, "第38条、第40条"),
    LAW_IN_FORCE,
)
CONTRACT_WITHIN = rule(
    "procurement.contract_within",
    "自中标、成交通知书发出之日起签订合同",
    30,
    Unit.DAYS,
    P,
    Citation(LAW, "第46条"),
    LAW_IN_FORCE,
)
CONTRACT_PUBLISH_WITHIN = rule(
    "procurement.contract_publish_within",
    "合同签订后公告",
    2,
    Unit.WORKING_DAYS,
    P,
    Citation(REG, "第50条"),
    REG_IN_FORCE,
)
RECORDS_KEPT = rule(
    "procurement.records_kept", "采购文件保存期限不少于", 15, Unit.YEARS, P, Citation(LAW, "第42条"), LAW_IN_FORCE
)
