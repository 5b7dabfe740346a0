"""招标投标 — the Bidding Law (招标投标法, 2017) and its regulation (实施条例, 2019 revision)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ggzy.rules.base import Citation, Regime, Unit, rule

LAW = "招标投标法"
REG = "招标投标法实施条例"
LAW_IN_FORCE = date(2017, 12, 28)
REG_IN_FORCE = date(2019, 3, 2)
T = Regime.TENDERING

BID_PERIOD = rule(
    "tendering.bid_period", "招标文件发出至投标截止的最短时间", 20, Unit.DAYS, T, Citation(LAW, "第24条"), LAW_IN_FORCE
)
DOCUMENTS_AVAILABLE = rule(
    "tendering.documents_available", "招标文件发售期不少于", 5, Unit.DAYS, T, Citation(REG, "第16条"), REG_IN_FORCE
)
CLARIFICATION_LEAD = rule(
    "tendering.clarification_lead",
    "澄清或修改须在投标截止前至少（否则顺延截止时间）",
    15,
    Unit.DAYS,
    T,
    Citation(REG, "第21条"),
    REG_IN_FORCE,
)
OBJECTION_TO_DOCUMENTS = rule(
    "tendering.objection_to_documents",
    "对招标文件的异议须在投标截止前",
    10,
    Unit.DAYS,
    T,
    Citation(REG, "第22条"),
    REG_IN_FORCE,
)
OBJECTION_ANSWER = rule(
    "tendering.objection_answer", "招标人答复异议期限", 3, Unit.DAYS, T, Citation(REG, "第22条"), REG_IN_FORCE
)
MIN_BIDS = rule(
    "tendering.min_bids",
    "投标人少于此数不得开标，应重新招标",
    3,
    Unit.COUNT,
    T,
    Citation(LAW, "第28条；实施条例第44条"),
    LAW_IN_FORCE,
)
DEPOSIT_CAP = rule(
    "tendering.deposit_cap",
    "投标保证金不得超过招标项目估算价的",
    Decimal(2),
    Unit.PERCENT,
    T,
    Citation(REG, "第26条"),
    REG_IN_FORCE,
)
DEPOSIT_REFUND = rule(
    "tendering.deposit_refund",
    "签订合同后退还投标保证金及银行同期存款利息",
    5,
    Unit.DAYS,
    T,
    Citation(REG, "第57条"),
    REG_IN_FORCE,
)
PERFORMANCE_BOND_CAP = rule(
    "tendering.performance_bond_cap",
    "履约保证金不得超过中标合同金额的",
    Decimal(10),
    Unit.PERCENT,
    T,
    Citation(REG, "第58条"),
    REG_IN_FORCE,
)
COMMITTEE_MIN = rule(
    "tendering.committee_min",
    "评标委员会成员人数（单数）不少于",
    5,
    Unit.COUNT,
    T,
    Citation(LAW, "第37条"),
    LAW_IN_FORCE,
)
COMMITTEE_EXPERT_THIRDS = rule(
    "tendering.committee_expert_thirds",
    "评标委员会中技术、经济等方面的专家不得少于成员总数的",
    2,
    Unit.THIRDS,
    T,
    Citation(LAW, "第37条"),
    LAW_IN_FORCE,
)
CANDIDATES_MAX = rule(
    "tendering.candidates_max", "中标候选人不超过", 3, Unit.COUNT, T, Citation(REG, "第53条"), REG_IN_FORCE
)
PUBLICITY_MIN = rule(
    "tendering.publicity_min", "中标候选人公示期不少于", 3, Unit.DAYS, T, Citation(REG, "第54条"), REG_IN_FORCE
)
CONTRACT_WITHIN = rule(
    "tendering.contract_within",
    "自中标通知书发出之日起订立书面合同",
    30,
    Unit.DAYS,
    T,
    Citation(LAW, "第46条"),
    LAW_IN_FORCE,
)
REPORT_WITHIN = rule(
    "tendering.report_within",
    "确定中标人后向监督部门提交书面报告",
    15,
    Unit.DAYS,
    T,
    Citation(LAW, "第47条"),
    LAW_IN_FORCE,
)
COMPLAINT_WITHIN = rule(
    "tendering.complaint_within",
    "知道或应当知道之日起提出投诉",
    10,
    Unit.DAYS,
    T,
    Citation(REG, "第60条"),
    REG_IN_FORCE,
)
OBJECTION_TO_PREQUALIFICATION = rule(
    "tendering.objection_to_prequalification",
    "对资格预审文件的异议须在提交资格预审申请文件截止前",
    2,
    Unit.DAYS,
    T,
    Citation(REG, "第22条"),
    REG_IN_FORCE,
)
OBJECTION_AT_OPENING = rule(
    "tendering.objection_at_opening",
    "对开标有异议的，应当在开标现场提出，招标人当场作出答复（期限为当日）",
    0,
    Unit.DAYS,
    T,
    Citation(REG, "第44条"),
    REG_IN_FORCE,
)
OBJECTION_TO_RESULT_ANSWER = rule(
    "tendering.objection_to_result_answer",
    "对评标结果的异议应在中标候选人公示期间提出，招标人答复期限",
    3,
    Unit.DAYS,
    T,
    Citation(REG, "第54条"),
    REG_IN_FORCE,
)
COMPLAINT_ACCEPT = rule(
    "tendering.complaint_accept",
    "行政监督部门收到投诉后决定是否受理的期限",
    3,
    Unit.WORKING_DAYS,
    T,
    Citation(REG, "第61条"),
    REG_IN_FORCE,
)
COMPLAINT_DECIDE = rule(
    "tendering.complaint_decide",
    "自受理投诉之日起作出书面处理决定（检验、检测、鉴定、专家评审时间不计入）",
    30,
    Unit.WORKING_DAYS,
    T,
    Citation(REG, "第61条"),
    REG_IN_FORCE,
)
COMPLAINT_SUSPENSION = rule(
    "tendering.complaint_suspension",
    "行政监督部门处理投诉时，必要时可以责令暂停招标投标活动（法律未设上限，处理决定作出时结束）",
    0,
    Unit.DAYS,
    T,
    Citation(REG, "第62条"),
    REG_IN_FORCE,
)
FALSE_COMPLAINT = rule(
    "tendering.false_complaint",
    "捏造事实、伪造材料或者以非法手段取得证明材料进行投诉的，予以驳回并依法记入信用记录",
    1,
    Unit.TIMES,
    T,
    Citation(REG, "第61条、第77条"),
    REG_IN_FORCE,
)
DEBARMENT_MAX = rule(
    "tendering.debarment_max",
    "取消投标资格（禁止参加依法必须进行招标的项目投标）最长",
    3,
    Unit.YEARS,
    T,
    Citation(LAW, "第53条、第54条"),
    LAW_IN_FORCE,
)
