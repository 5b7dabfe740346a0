"""评标专家 — the committee's composition per regime and procedure, and the draw's avoidance settings.

The minimum sizes are those of ggzy/rules/evaluation.py (`committee_minimum`), reused here; this module adds
what the draw needs on top: the share of experts among the members, the larger procurement committee of big
projects, and the platform's settings for avoidance (回避) that the law leaves to the expert-pool rules.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ggzy.rules import procurement, tendering
from ggzy.rules.base import Citation, Regime, Rule, Unit, rule
from ggzy.rules.evaluation import GP_RULES, GP_RULES_IN_FORCE, committee_minimum

NON_TENDER = "政府采购非招标采购方式管理办法"  # 财政部令第74号
NON_TENDER_IN_FORCE = date(2014, 2, 1)
POOL_RULES = "评标专家和评标专家库管理暂行办法"  # 国家计委令第29号（2013年修订）
POOL_RULES_IN_FORCE = date(2003, 4, 1)
PLATFORM = Regime.PLATFORM

EXPERT_THIRDS_WORKS: Rule = tendering.COMMITTEE_EXPERT_THIRDS
EXPERT_THIRDS_PROCUREMENT = rule(
    "experts.gp_expert_thirds",
    "政府采购评标委员会、谈判小组、询价小组中评审专家不得少于成员总数的",
    2,
    Unit.THIRDS,
    Regime.PROCUREMENT,
    Citation(GP_RULES, "第47条；《政府采购非招标采购方式管理办法》第7条"),
    GP_RULES_IN_FORCE,
)
GP_LARGE_BUDGET = rule(
    "experts.gp_large_budget",
    "政府采购招标项目预算金额达此数的，评标委员会须为7人以上单数",
    Decimal("10000000"),
    Unit.YUAN,
    Regime.PROCUREMENT,
    Citation(GP_RULES, "第47条"),
    GP_RULES_IN_FORCE,
)
GP_LARGE_COMMITTEE_MIN = rule(
    "experts.gp_large_committee_min",
    "政府采购预算1000万元以上等项目的评标委员会成员人数（单数）不少于",
    7,
    Unit.COUNT,
    Regime.PROCUREMENT,
    Citation(GP_RULES, "第47条"),
    GP_RULES_IN_FORCE,
)
AVOIDANCE = Citation(tendering.REG, "第46条")
AVOIDANCE_GP = Citation(procurement.REG, "第9条")
RANDOM_DRAW = Citation(tendering.REG, "第46条")
RANDOM_DRAW_GP = Citation(procurement.REG, "第39条")
FORMER_EMPLOYER_YEARS = rule(
    "experts.former_employer_years",
    "回避：评标专家此年数内曾任职的单位，视同其工作单位",
    3,
    Unit.YEARS,
    PLATFORM,
    Citation(POOL_RULES, "第12条", verify=True),
    POOL_RULES_IN_FORCE,
    note="平台设置（待核）：与招标人、投标人有利害关系的情形，按近三年任职单位判断",
)
REPEAT_LIMIT = rule(
    "experts.repeat_limit",
    "回避：同一专家在统计期内为同一招标人评标超过此次数的，不再抽取",
    3,
    Unit.TIMES,
    PLATFORM,
    Citation(POOL_RULES, "第15条", verify=True),
    POOL_RULES_IN_FORCE,
    note="平台设置：法无明文次数，可按地方规定调整",
)
REPEAT_WINDOW = rule(
    "experts.repeat_window",
    "回避：统计同一专家为同一招标人评标次数的期间",
    180,
    Unit.DAYS,
    PLATFORM,
    Citation(POOL_RULES, "第15条", verify=True),
    POOL_RULES_IN_FORCE,
    note="平台设置：可按地方规定调整",
)
ANSWER_MINUTES = rule(
    "experts.answer_minutes",
    "被抽中的专家未在此时间内答复的，视为不能参加，补抽",
    30,
    Unit.MINUTES,
    PLATFORM,
    Citation(tendering.REG, "第46条", verify=True),
    tendering.REG_IN_FORCE,
    note="平台设置：语音、短信通知后等待答复的时间",
)


def committee_rules(regime: Regime, negotiated: bool, budget: Decimal) -> tuple[Rule, Rule]:
    """(minimum size, experts' share in thirds) for this regime, procedure and budget."""
    minimum = committee_minimum(regime, negotiated)
    if regime is Regime.PROCUREMENT:
        if not negotiated and budget >= Decimal(GP_LARGE_BUDGET.value):
            minimum = GP_LARGE_COMMITTEE_MIN
        return minimum, EXPERT_THIRDS_PROCUREMENT
    return minimum, EXPERT_THIRDS_WORKS
