"""保证金 — the numbers of bid security not already in tendering.py / procurement.py, with their articles.

The caps (≤ 2 %) and the refund after the contract are in `tendering` and `procurement`; here are the
refund after a withdrawal, the procurement winner's refund, and the platform's own numbers for the
bank's signed callbacks (not law: the partner bank's interface, kept configurable).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ggzy.rules.base import Citation, Regime, Unit, rule
from ggzy.rules.procurement import REG as P_REG
from ggzy.rules.procurement import REG_IN_FORCE as P_IN_FORCE
from ggzy.rules.tendering import REG as T_REG
from ggzy.rules.tendering import REG_IN_FORCE as T_IN_FORCE

WITHDRAWAL_REFUND = rule(
    "tendering.deposit_refund_withdrawal",
    "投标截止前撤回投标文件的，自收到书面撤回通知之日起退还投标保证金",
    5,
    Unit.DAYS,
    Regime.TENDERING,
    Citation(T_REG, "第35条"),
    T_IN_FORCE,
)
WINNER_REFUND = rule(
    "procurement.deposit_refund_winner",
    "自采购合同签订之日起退还中标或者成交供应商的投标保证金",
    5,
    Unit.WORKING_DAYS,
    Regime.PROCUREMENT,
    Citation(P_REG, "第33条"),
    P_IN_FORCE,
)
PROCUREMENT_WITHDRAWAL_REFUND = rule(
    "procurement.deposit_refund_withdrawal",
    "供应商在投标截止时间前撤回已提交的投标文件的，自收到书面通知之日起退还投标保证金",
    5,
    Unit.WORKING_DAYS,
    Regime.PROCUREMENT,
    Citation("政府采购货物和服务招标投标管理办法（财政部令第87号）", "第38条"),
    date(2017, 10, 1),
)
DEMAND_RATE = rule(
    "platform.deposit_interest_rate",
    "投标保证金退还时计付的银行同期活期存款利率（年）",
    Decimal("0.35"),
    Unit.PERCENT,
    Regime.PLATFORM,
    Citation("中国人民银行活期存款基准利率（2015年10月24日起）", "0.35%；合作银行执行利率不同时按其约定配置"),
    date(2015, 10, 24),
    note="GGZY_DEPOSIT_INTEREST_PERCENT",
)
CALLBACK_WINDOW = rule(
    "platform.bank_callback_window",
    "银行回调报文时间戳与平台时间之差不得超过",
    5,
    Unit.MINUTES,
    Regime.PLATFORM,
    Citation("平台与合作银行的保证金子账户接口约定", "报文签名与防重放"),
    date(2026, 1, 1),
    note="GGZY_BANK_CALLBACK_WINDOW_MINUTES",
)

# 不予退还的法定情形 — the only grounds on which security may be kept, each with its article.
FORFEIT_GROUNDS: dict[str, str] = {
    "withdrawn_after_deadline": f"《{T_REG}》第35条：投标截止后投标人撤销投标文件的，招标人可以不退还投标保证金",
    "refused_contract": f"《{T_REG}》第74条：中标人无正当理由不与招标人订立合同",
    "refused_performance_security": f"《{T_REG}》第74条：中标人在签订合同时不按照招标文件要求提交履约保证金",
}
ENDED_REFUND = rule(
    "tendering.deposit_refund_ended",
    "终止招标（含流标后不再招标）的，及时退还所收取的投标保证金及银行同期存款利息（平台按5日掌握）",
    5,
    Unit.DAYS,
    Regime.TENDERING,
    Citation(T_REG, "第31条"),
    T_IN_FORCE,
)
PROCUREMENT_ENDED_REFUND = rule(
    "procurement.deposit_refund_ended",
    "终止采购活动的，在终止后退还所收取的投标保证金及其在银行产生的孳息",
    5,
    Unit.WORKING_DAYS,
    Regime.PROCUREMENT,
    Citation("政府采购货物和服务招标投标管理办法（财政部令第87号）", "第29条"),
    date(2017, 10, 1),
)
