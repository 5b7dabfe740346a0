"""等级保护 — the platform's security numbers (GB/T 22239-2019 level 3; ASVS 5.0 where it is stricter).

Operators may tighten these through configuration; the defaults are what the standard asks.
"""

from __future__ import annotations

from datetime import date

from ggzy.rules.base import Citation, Regime, Unit, rule

DJBH = "GB/T 22239-2019 信息安全技术 网络安全等级保护基本要求"
IN_FORCE = date(2019, 12, 1)
S = Regime.PLATFORM

LOGIN_FAILURES = rule(
    "security.login_failures",
    "同一账户自同一网络地址连续口令错误达到此次数，即暂停该地址对该账户的登录",
    5,
    Unit.TIMES,
    S,
    Citation(DJBH, "8.1.4.1 b)"),
    IN_FORCE,
    note="GGZY_LOGIN_MAX_FAILURES",
)
LOCKOUT_MINUTES = rule(
    "security.lockout_minutes",
    "首次暂停登录的时长（此后每次暂停加倍，至多见 security.lockout_max_minutes）",
    15,
    Unit.MINUTES,
    S,
    Citation(DJBH, "8.1.4.1 b)"),
    IN_FORCE,
    note="GGZY_LOGIN_LOCKOUT_MINUTES",
)
IDLE_TIMEOUT = rule(
    "security.idle_timeout",
    "登录会话空闲超时",
    30,
    Unit.MINUTES,
    S,
    Citation(DJBH, "8.1.4.1 b)"),
    IN_FORCE,
    note="GGZY_SESSION_IDLE_MINUTES",
)
PASSWORD_MIN = rule(
    "security.password_min",
    "口令最短长度",
    12,
    Unit.COUNT,
    S,
    Citation(DJBH, "8.1.4.1 a)"),
    IN_FORCE,
    note="GGZY_PASSWORD_MIN_LENGTH; ASVS V6.2.1 asks ≥ 8",
)
STAFF_CLASSES = rule(
    "security.staff_password_classes",
    "工作人员口令须混合的字符类别数（大写、小写、数字、符号）",
    3,
    Unit.COUNT,
    S,
    Citation(DJBH, "8.1.4.1 a)"),
    IN_FORCE,
    note="GGZY_STAFF_PASSWORD_CLASSES",
)
TWO_FACTORS = rule(
    "security.two_factors",
    "工作人员须采用口令加动态口令两种以上鉴别技术",
    2,
    Unit.COUNT,
    S,
    Citation(DJBH, "8.1.4.1 d)"),
    IN_FORCE,
)

# --- throttling (ggzy/entities/throttle.py explains the design) ------------------------------------
# 8.1.4.1 b) asks for "登录失败处理功能 … 限制非法登录次数"; it names no numbers, so these are the
# platform's choice: strict enough to stop guessing, loose enough that no stranger can shut the
# owner out (a lock binds one address to one account, never the account as a whole).
LOCKOUT_MAX_MINUTES = rule(
    "security.lockout_max_minutes",
    "暂停登录时长的上限（逐次加倍后不超过此值）",
    24 * 60,
    Unit.MINUTES,
    S,
    Citation(DJBH, "8.1.4.1 b)"),
    IN_FORCE,
)
ADDRESS_FAILURES = rule(
    "security.address_failures",
    "同一网络地址在一个计数周期内对所有账户的登录失败总数达到此次数，即暂停该地址的登录",
    30,
    Unit.TIMES,
    S,
    Citation(DJBH, "8.1.4.1 b)"),
    IN_FORCE,
    note="周期见 security.address_window_minutes；暂停时长同样逐次加倍",
)
ADDRESS_WINDOW = rule(
    "security.address_window_minutes",
    "网络地址登录失败的计数周期",
    60,
    Unit.MINUTES,
    S,
    Citation(DJBH, "8.1.4.1 b)"),
    IN_FORCE,
)
SECOND_FACTOR_FAILURES = rule(
    "security.second_factor_failures",
    "动态口令连续错误达到此次数即暂停该账户的第二步验证（口令正确不清零，暂停时长逐次加倍）",
    5,
    Unit.TIMES,
    S,
    Citation(DJBH, "8.1.4.1 b)、d)"),
    IN_FORCE,
)
RESET_CODE_MINUTES = rule(
    "security.reset_code_minutes",
    "口令重置一次性验证码的有效期",
    24 * 60,
    Unit.MINUTES,
    S,
    Citation(DJBH, "8.1.4.1 a)"),
    IN_FORCE,
    note="只发给本人（短信），管理员不知道也不能指定可用口令（8.1.4.2 权限分离、8.1.5 三权分立，ASVS V6.4.1）",
)
