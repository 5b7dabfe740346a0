"""平台交易规则 — the platform's own bounds where the law sets only a minimum.

The laws set the shortest periods (招标投标法 art. 24, 政府采购法实施条例 art. 31 …) and no longest.
A date far beyond any real tender is nearly always a typing error (a deadline in the year 9999 was
once accepted and published), and working days cannot be counted beyond the State Council's yearly
holiday arrangement (国务院办公厅关于节假日安排的通知), published for one year at a time. So a
deadline must fall within this window after the notice is published.
"""

from __future__ import annotations

from datetime import date

from ggzy.rules.base import Citation, Regime, Unit, rule

PLATFORM_RULES = "本平台交易规则"
IN_FORCE = date(2026, 12, 2)

MAX_BID_PERIOD = rule(
    "platform.max_bid_period",
    "投标（响应）截止时间距发布之日不得超过",
    366,
    Unit.DAYS,
    Regime.PLATFORM,
    Citation(PLATFORM_RULES, "期限上限"),
    IN_FORCE,
    note="法律只规定最短期限；节假日安排逐年公布，超过一年的期限无法按工作日计算，且几乎总是输入错误",
)
