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
    "连续登录失败达到此次数即锁定账户",
    5,
    Unit.TIMES,
    S,
    Citation(DJBH, "8.1.4.1 b)"),
    IN_FORCE,
    note="GGZY_LOGIN_MAX_FAILURES",
)
LOCKOUT_MINUTES = rule(
    "security.lockout_minutes",
    "账户锁定时长",
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
