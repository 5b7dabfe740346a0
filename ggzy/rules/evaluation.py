"""评标 — rejection grounds (否决投标), bid-clearing thresholds, price-score rules and the committee's settings.

Rejection grounds are rows with their article, so a report cites the law that rejected a bid. Numbers the
law does not fix (how far an expert may score from the others before the chair is told; what counts as an
unusual unit price) are platform settings kept here, each marked as such.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ggzy.rules import procurement, tendering
from ggzy.rules.base import Citation, Regime, Rule, Unit, rule

REG = "招标投标法实施条例"
REG_IN_FORCE = date(2019, 3, 2)
GP_RULES = "政府采购货物和服务招标投标管理办法"  # 财政部令第87号
GP_RULES_IN_FORCE = date(2017, 10, 1)
TALKS = "政府采购竞争性磋商采购方式管理暂行办法"  # 财库〔2014〕214号
TALKS_IN_FORCE = date(2014, 12, 31)
INTERIM = "评标委员会和评标方法暂行规定"  # 七部委12号令
INTERIM_IN_FORCE = date(2001, 7, 5)
PLATFORM = Regime.PLATFORM


@dataclass(frozen=True)
class Ground:
    """A ground on which the committee must reject a bid (否决投标的情形)."""

    code: str
    title: str
    citation: Citation

    def describe(self) -> str:
        return f"{self.title}（{self.citation}）"


def _art51(item: str, title: str) -> Ground:
    return Ground(f"art51.{item}", title, Citation(REG, f"第51条第（{item}）项"))


GROUNDS: dict[str, Ground] = {
    g.code: g
    for g in (
        _art51("一", "投标文件未经投标单位盖章和单位负责人签字"),
        _art51("二", "投标联合体没有提交共同投标协议"),
        _art51("三", "投标人不符合国家或者招标文件规定的资格条件"),
        _art51("四", "同一投标人提交两个以上不同的投标文件或者投标报价（要求提交备选投标的除外）"),
        _art51("五", "投标报价低于成本或者高于招标文件设定的最高投标限价"),
        _art51("六", "投标文件没有对招标文件的实质性要求和条件作出响应"),
        _art51("七", "投标人有串通投标、弄虚作假、行贿等违法行为"),
    )
}
QUALIFICATION = GROUNDS["art51.三"]
OVER_CEILING = GROUNDS["art51.五"]
NOT_RESPONSIVE = GROUNDS["art51.六"]
COLLUSION = GROUNDS["art51.七"]

# 算术错误的修正：单价与总价不一致的，以单价为准修正总价（标准施工招标文件 评标办法 3.1.3 [verify]）.
ARITHMETIC_CORRECTION = Citation("标准施工招标文件（2007年版）", "第三章 评标办法 3.1.3", verify=True)
CLARIFICATION = Citation(REG, "第52条")
REPORT_SIGNED = Citation(REG, "第53条")
LOWEST_PRICE_METHOD = Citation(INTERIM, "第30条至第33条")
COMPREHENSIVE_METHOD = Citation(INTERIM, "第34条至第36条")
NEGOTIATION = Citation(procurement.LAW, "第38条")
QUOTATION = Citation(procurement.LAW, "第40条")
SINGLE_SOURCE = Citation(procurement.LAW, "第39条")
CONSULTATION = Citation(TALKS, "第21条至第24条")
GP_PRICE_SCORE = Citation(GP_RULES, "第55条")
ABNORMAL_IDENTITY = Citation(REG, "第40条第（四）项")

ARITHMETIC_TOLERANCE = rule(
    "evaluation.arithmetic_tolerance",
    "清标：单价×数量与合价之差超过此数即为算术错误",
    Decimal("0.01"),
    Unit.YUAN,
    PLATFORM,
    ARITHMETIC_CORRECTION,
    date(2007, 11, 1),
    note="平台设置：分位四舍五入后的容差",
)
UNUSUAL_UNIT_PRICE = rule(
    "evaluation.unusual_unit_price",
    "清标：单价偏离各投标人同项单价中位数达此比例即为异常单价",
    Decimal(30),
    Unit.PERCENT,
    PLATFORM,
    ABNORMAL_IDENTITY,
    REG_IN_FORCE,
    note="平台设置（待核）：两家以上投标人异常单价相同，视为异常一致的迹象，报监管",
)
SCORE_SPREAD = rule(
    "evaluation.score_spread",
    "评分偏离：专家对同一投标的评分与其他专家平均分之差超过满分的此比例，提示组长并报监管",
    Decimal(20),
    Unit.PERCENT,
    PLATFORM,
    Citation(INTERIM, "第43条", verify=True),
    INTERIM_IN_FORCE,
    note="平台设置：法无明文，可按地方规定调整",
)
QUALIFICATION_MAJORITY = rule(
    "evaluation.qualification_majority",
    "资格或符合性审查：过半数成员认定不合格的，该投标不通过",
    1,
    Unit.COUNT,
    PLATFORM,
    Citation(INTERIM, "第43条", verify=True),
    INTERIM_IN_FORCE,
    note="少数服从多数",
)
CONSULTATION_PRICE_WEIGHT_GOODS = (
    rule(
        "evaluation.consultation_price_weight_goods_min",
        "竞争性磋商：货物项目价格分值占总分值的比重不低于",
        Decimal(30),
        Unit.PERCENT,
        Regime.PROCUREMENT,
        Citation(TALKS, "第24条"),
        TALKS_IN_FORCE,
    ),
    rule(
        "evaluation.consultation_price_weight_goods_max",
        "竞争性磋商：货物项目价格分值占总分值的比重不高于",
        Decimal(60),
        Unit.PERCENT,
        Regime.PROCUREMENT,
        Citation(TALKS, "第24条"),
        TALKS_IN_FORCE,
    ),
)
CONSULTATION_PRICE_WEIGHT_SERVICES = (
    rule(
        "evaluation.consultation_price_weight_services_min",
        "竞争性磋商：服务项目价格分值占总分值的比重不低于",
        Decimal(10),
        Unit.PERCENT,
        Regime.PROCUREMENT,
        Citation(TALKS, "第24条"),
        TALKS_IN_FORCE,
    ),
    rule(
        "evaluation.consultation_price_weight_services_max",
        "竞争性磋商：服务项目价格分值占总分值的比重不高于",
        Decimal(30),
        Unit.PERCENT,
        Regime.PROCUREMENT,
        Citation(TALKS, "第24条"),
        TALKS_IN_FORCE,
    ),
)
CANDIDATES_MAX: Rule = tendering.CANDIDATES_MAX


def committee_minimum(regime: Regime, negotiated: bool) -> Rule:
    """The smallest committee (always odd) for this regime and procedure."""
    if regime is Regime.PROCUREMENT and negotiated:
        return procurement.COMMITTEE_MIN_NEGOTIATION
    return tendering.COMMITTEE_MIN


def ground(code: str) -> Ground:
    return GROUNDS[code]


# --- who sits on the committee without a draw ------------------------------------------------------------
# The committee is the draw's (招标投标法 art. 37; 条例 art. 46; 采购条例 art. 39). Only these grounds let the
# room open with members named by hand; the ground is recorded in the log with the opening of the room.


@dataclass(frozen=True)
class DirectGround:
    code: str
    title: str
    citation: Citation
    regime: Regime
    single_source_only: bool = False

    def describe(self) -> str:
        return f"{self.title}（{self.citation}）"


DIRECT_GROUNDS: dict[str, DirectGround] = {
    g.code: g
    for g in (
        DirectGround(
            "works-art47",
            "技术复杂、专业性强或者国家有特殊要求，随机抽取的专家难以保证胜任，由招标人直接确定",
            Citation(REG, "第47条"),
            Regime.TENDERING,
        ),
        DirectGround(
            "gp-experts-art13",
            "技术复杂、专业性强，随机方式难以确定合适评审专家，经主管预算单位同意由采购人自行选定",
            Citation("政府采购评审专家管理办法", "第13条"),
            Regime.PROCUREMENT,
        ),
        DirectGround(
            "single-source",
            "单一来源采购由采购人组织具有相关经验的专业人员与供应商协商",
            Citation("政府采购非招标采购方式管理办法", "第41条"),
            Regime.PROCUREMENT,
            single_source_only=True,
        ),
    )
}
DRAW_REQUIRED = Citation("招标投标法", "第37条；《招标投标法实施条例》第46条；《政府采购法实施条例》第39条")
CHAIR_CHOSEN = Citation(INTERIM, "第9条：评标委员会负责人由评标委员会成员推举产生或者由招标人确定")
