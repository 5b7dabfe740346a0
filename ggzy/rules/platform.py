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

PRICE_CHECK_HIGH = rule(
    "platform.price_check_high",
    "报价高于标段估算价的该比例时，浏览器在加密前提示投标人核对",
    150,
    Unit.PERCENT,
    Regime.PLATFORM,
    Citation(PLATFORM_RULES, "报价核对提示"),
    IN_FORCE,
    note="报价在浏览器中加密，平台在开标前看不到；只有投标人自己的浏览器能在密封前发现多输的零",
)
PRICE_CHECK_LOW = rule(
    "platform.price_check_low",
    "报价低于标段估算价的该比例时，浏览器在加密前提示投标人核对",
    50,
    Unit.PERCENT,
    Regime.PLATFORM,
    Citation(PLATFORM_RULES, "报价核对提示"),
    IN_FORCE,
    note="提示不是拒绝：投标人核对后仍可递交；是否低于成本由评标委员会认定（招标投标法第三十三条）",
)
