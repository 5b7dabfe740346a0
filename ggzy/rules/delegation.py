"""委托代理 — what an agency may do for a tenderer (purchaser), and the supervision's sign of an agency acting
for many tenderers of one sector.

招标投标法 art. 15: the agency handles the tender within the scope the tenderer entrusted to it (在招标人委托的
范围内办理招标事宜); 政府采购法 art. 20: a purchaser that entrusts an agency signs an agency agreement (委托代理
协议) fixing what is entrusted. So every act of an agency for a tenderer checks an active appointment, and the
refusal cites both articles.
"""

from __future__ import annotations

from datetime import date

from ggzy.rules.base import Citation, Regime, Unit, rule
from ggzy.rules.platform import PLATFORM_RULES

ENTRUSTED_SCOPE = Citation("招标投标法", "第15条")
AGENCY_AGREEMENT = Citation("政府采购法", "第20条")
BASIS = (
    f"代理机构只能在招标人委托的范围内办理招标事宜（{ENTRUSTED_SCOPE}），委托须签订委托代理协议（{AGENCY_AGREEMENT}）"
)

IN_FORCE = date(2026, 12, 3)

MAX_PERIOD = rule(
    "delegation.max_period",
    "期间委托（代理框架协议）的期限不得超过",
    3,
    Unit.YEARS,
    Regime.PLATFORM,
    Citation(PLATFORM_RULES, "委托期限上限"),
    IN_FORCE,
    note="法律不限委托期限；超过三年的框架委托几乎总是输入错误，到期后可再次委托",
)

AGENCY_SPREAD = rule(
    "supervision.agency_spread",
    "同一代理机构在同一行业代理的不同招标人达到（风险提示）",
    5,
    Unit.COUNT,
    Regime.PLATFORM,
    Citation(PLATFORM_RULES, "监管预警：代理机构集中度"),
    IN_FORCE,
    note="一家代理机构为同一行业的多家招标人代理，是围标串标、代理机构与投标人串通的常见风险信号"
    "（《招标投标法实施条例》第13条禁止代理机构在所代理项目中投标或代理投标、为投标人提供咨询）；只作提示，不作结论",
)
