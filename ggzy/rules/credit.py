"""社会信用 — the credit law of Henan (河南省社会信用条例) and the procurement credit check (财库〔2016〕125号)."""

from __future__ import annotations

from datetime import date

from ggzy.rules.base import Citation, Regime, Unit, rule

HENAN = "河南省社会信用条例"
HENAN_IN_FORCE = date(2020, 5, 1)
CAIKU_125 = "财政部关于在政府采购活动中查询及使用信用记录有关问题的通知（财库〔2016〕125号）"
PL = Regime.PLATFORM

DISPLAY_LIMIT = rule(
    "credit.display_limit",
    "失信信息的公开期限一般不超过（仍在惩戒期或名单内的除外）",
    5,
    Unit.YEARS,
    PL,
    Citation(HENAN, "第19条"),
    HENAN_IN_FORCE,
)
NOTICE_BEFORE_LISTING = rule(
    "credit.notice_before_listing",
    "认定为失信主体或列入严重失信名单前，应当书面告知信用主体并说明事由、依据及其依法享有的权利",
    0,
    Unit.DAYS,
    PL,
    Citation(HENAN, "第28条"),
    HENAN_IN_FORCE,
)
OBJECTION_HANDLE = rule(
    "credit.objection_handle",
    "信用主体提出异议后，信用信息处理机构核查并作出处理的期限",
    3,
    Unit.WORKING_DAYS,
    PL,
    Citation(HENAN, "第41条"),
    HENAN_IN_FORCE,
)
OBJECTION_HANDLE_WITH_SOURCE = rule(
    "credit.objection_handle_with_source",
    "需要向信息提供单位核实的，异议处理期限",
    7,
    Unit.WORKING_DAYS,
    PL,
    Citation(HENAN, "第41条"),
    HENAN_IN_FORCE,
)
REPAIR_WITHIN = rule(
    "credit.repair_within",
    "信用主体符合信用修复条件的，应当在此期限内完成修复、停止公示",
    1,
    Unit.WORKING_DAYS,
    PL,
    Citation(HENAN, "第43条"),
    HENAN_IN_FORCE,
)
LIMITS = rule(
    "credit.limits",
    "对严重失信主体在政府采购、国有资金投资工程招标投标、国有土地出让等方面依法予以限制",
    0,
    Unit.COUNT,
    PL,
    Citation(HENAN, "第34条"),
    HENAN_IN_FORCE,
)
PROCUREMENT_CHECK = rule(
    "credit.procurement_check",
    "采购人或代理机构在规定时间内查询失信被执行人、重大税收违法案件当事人名单和政府采购严重违法失信行为记录名单，"
    "并留存查询记录",
    0,
    Unit.COUNT,
    Regime.PROCUREMENT,
    Citation(CAIKU_125, "第二条", True),
    date(2016, 8, 1),
)
SCHEDULED_LOOKUP_EVERY = rule(
    "credit.scheduled_lookup_every",
    "对在办交易（发出中标通知书前）的投标人（供应商）定期查询外部信用名单的间隔",
    1,
    Unit.DAYS,
    PL,
    Citation(CAIKU_125, "第二条", True),
    date(2016, 8, 1),
)
LOOKUP_BEFORE_AWARD = rule(
    "credit.lookup_before_award",
    "中标候选人公示期间（发出中标通知书前），每个投标人的最近一次信用查询不早于",
    1,
    Unit.DAYS,
    PL,
    Citation(CAIKU_125, "第二条", True),
    date(2016, 8, 1),
)
