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
CHALLENGE_ANSWER = rule(
    "procurement.challenge_answer",
    "采购人或代理机构收到质疑后书面答复质疑供应商和其他有关供应商的期限",
    7,
    Unit.WORKING_DAYS,
    P,
    Citation(LAW, "第53条"),
    LAW_IN_FORCE,
)
CHALLENGE_START = rule(
    "procurement.challenge_start",
    "质疑期限起算：对采购文件自获取之日（或公告期满之日），对采购过程自各程序环节结束之日，对结果自结果公告期满之日",
    0,
    Unit.DAYS,
    P,
    Citation(REG, "第53条"),
    REG_IN_FORCE,
)
SIGNING_STOPPED = rule(
    "procurement.signing_stopped",
    "质疑可能影响中标、成交结果的，采购人应当暂停签订合同，已签订的中止履行",
    0,
    Unit.DAYS,
    P,
    Citation(REG, "第54条"),
    REG_IN_FORCE,
)
COMPLAINT_WITHIN = rule(
    "procurement.complaint_within",
    "质疑答复期满后提出投诉的期限",
    15,
    Unit.WORKING_DAYS,
    P,
    Citation(LAW, "第55条"),
    LAW_IN_FORCE,
)
COMPLAINT_SCOPE = rule(
    "procurement.complaint_scope",
    "投诉的事项不得超出已质疑事项的范围",
    0,
    Unit.COUNT,
    P,
    Citation(REG, "第55条"),
    REG_IN_FORCE,
)
COMPLAINT_ACCEPT = rule(
    "procurement.complaint_accept",
    "财政部门收到投诉书后审查并决定是否受理的期限",
    5,
    Unit.WORKING_DAYS,
    P,
    Citation("政府采购质疑和投诉办法（财政部令第94号）", "第21条", True),
    date(2018, 3, 1),
)
COMPLAINT_DECIDE = rule(
    "procurement.complaint_decide",
    "财政部门收到投诉后作出处理决定的期限（检验、检测、鉴定、专家评审及补正材料时间不计入）",
    30,
    Unit.WORKING_DAYS,
    P,
    Citation(LAW, "第56条；实施条例第58条"),
    LAW_IN_FORCE,
)
SUSPENSION_MAX = rule(
    "procurement.suspension_max",
    "财政部门处理投诉期间可以书面通知采购人暂停采购活动，暂停时间最长不得超过",
    30,
    Unit.DAYS,
    P,
    Citation(LAW, "第57条"),
    LAW_IN_FORCE,
)
FALSE_COMPLAINT_DISMISSED = rule(
    "procurement.false_complaint_dismissed",
    "投诉人捏造事实、提供虚假材料或者以非法手段取得证明材料进行投诉的，财政部门应当予以驳回",
    0,
    Unit.COUNT,
    P,
    Citation(REG, "第57条"),
    REG_IN_FORCE,
)
FALSE_COMPLAINT_BAN_MAX = rule(
    "procurement.false_complaint_ban_max",
    "捏造事实、提供虚假材料或以非法手段取得证明材料进行投诉的，列入不良行为记录名单，禁止参加政府采购活动最长",
    3,
    Unit.YEARS,
    P,
    Citation(REG, "第73条"),
    REG_IN_FORCE,
)
DEBARMENT_MAX = rule(
    "procurement.debarment_max",
    "列入不良行为记录名单，在一至三年内禁止参加政府采购活动，最长",
    3,
    Unit.YEARS,
    P,
    Citation(LAW, "第77条"),
    LAW_IN_FORCE,
)
