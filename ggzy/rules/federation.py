"""多元化交易平台 — the bounds the supervision office sets for accredited platforms' pushes (P5), and the
统一交易标识码 (unified trade id) this platform gives each section for the national exchange (P4).

No law fixes these numbers: 《公共资源交易平台管理暂行办法》 (国家发展改革委等14部委令第39号, 2016) asks that
every platform's trades reach the shared system and be published; how a push is bounded is the supervision office's
rule for the platforms it accredits, so each is cited as 本平台交易规则 and can be changed here, in one place.
"""

from __future__ import annotations

from datetime import date

from ggzy.rules.base import Citation, Regime, Unit, rule

PLATFORM_RULES = "本平台交易规则"
MEASURES_39 = "公共资源交易平台管理暂行办法（国家发展改革委等14部委令第39号）"
IN_FORCE = date(2026, 12, 3)
PL = Regime.PLATFORM

TIMESTAMP_WINDOW = rule(
    "federation.timestamp_window",
    "推送请求的签名时间与本平台收到时间相差超过此值的，视为重放或时钟错误，拒收",
    15,
    Unit.MINUTES,
    PL,
    Citation(PLATFORM_RULES, "平台接入·防重放"),
    IN_FORCE,
)
CLOCK_SKEW_TOLERANCE = rule(
    "federation.clock_skew_tolerance",
    "推送请求的签名时间与本平台时间相差在此值以内的，视为正常；超过的在时限内仍接收，但计入该平台的时钟偏差",
    60,
    Unit.SECONDS,
    PL,
    Citation(PLATFORM_RULES, "平台接入·时钟偏差"),
    IN_FORCE,
)
MAX_PUSH_BYTES = rule(
    "federation.max_push_bytes",
    "一次推送的请求体不得超过",
    4 << 20,
    Unit.BYTES,
    PL,
    Citation(PLATFORM_RULES, "平台接入·请求体上限"),
    IN_FORCE,
)
MAX_RELEASES_PER_PUSH = rule(
    "federation.max_releases_per_push",
    "一次推送的发布包最多包含的发布（release）数",
    500,
    Unit.COUNT,
    PL,
    Citation(PLATFORM_RULES, "平台接入·批量上限"),
    IN_FORCE,
)
ALL_TRADES_PUSHED = rule(
    "federation.all_trades_pushed",
    "经认可的交易平台应将每一项目、公告、开标记录、中标结果与合同推送至本系统并公开（体系之外无交易、体系之内全公开）",
    0,
    Unit.DAYS,
    PL,
    Citation(MEASURES_39, "关于平台信息互联共享的规定", verify=True),
    IN_FORCE,
    note="条文序号未在本地核对；推送时限由监管办公室按本规则另行确定，本平台只记录到达延迟的原始数据",
)
