"""评标办法 — evaluation methods as data: criteria, weights, the price-score formula, procedure steps.

A method is a plain value (stored as JSON with the evaluation), so a tender's own method is a row, not
code: qualification review (合格制), lowest evaluated price (经评审的最低投标价法), comprehensive scoring
(综合评估法), and the procurement procedures' own steps (竞争性谈判, 竞争性磋商, 询价, 单一来源).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from ggzy.core.errors import Invalid
from ggzy.rules import evaluation as rules
from ggzy.rules.base import Citation


class Kind(StrEnum):
    QUALIFICATION = "qualification"  # 合格制资格审查
    LOWEST_PRICE = "lowest_price"  # 经评审的最低投标价法
    COMPREHENSIVE = "comprehensive"  # 综合评估法
    NEGOTIATION = "negotiation"  # 竞争性谈判
    CONSULTATION = "consultation"  # 竞争性磋商
    QUOTATION = "quotation"  # 询价
    SINGLE_SOURCE = "single_source"  # 单一来源

    @property
    def label(self) -> str:
        return KIND_LABELS[self]

    @property
    def citation(self) -> Citation:
        return KIND_CITATIONS[self]

    @property
    def has_rounds(self) -> bool:
        """Procedures where suppliers quote again in rounds and give a final quote (最后报价)."""
        return self in (Kind.NEGOTIATION, Kind.CONSULTATION, Kind.SINGLE_SOURCE)

    @property
    def scored(self) -> bool:
        return self in (Kind.COMPREHENSIVE, Kind.CONSULTATION)

    @property
    def by_price(self) -> bool:
        """Ranked by the lowest (evaluated or final) price among those that pass."""
        return self in (Kind.LOWEST_PRICE, Kind.NEGOTIATION, Kind.QUOTATION, Kind.SINGLE_SOURCE)


KIND_LABELS = {
    Kind.QUALIFICATION: "资格审查（合格制）",
    Kind.LOWEST_PRICE: "经评审的最低投标价法",
    Kind.COMPREHENSIVE: "综合评估法",
    Kind.NEGOTIATION: "竞争性谈判",
    Kind.CONSULTATION: "竞争性磋商",
    Kind.QUOTATION: "询价",
    Kind.SINGLE_SOURCE: "单一来源采购",
}
KIND_CITATIONS = {
    Kind.QUALIFICATION: rules.QUALIFICATION.citation,
    Kind.LOWEST_PRICE: rules.LOWEST_PRICE_METHOD,
    Kind.COMPREHENSIVE: rules.COMPREHENSIVE_METHOD,
    Kind.NEGOTIATION: rules.NEGOTIATION,
    Kind.CONSULTATION: rules.CONSULTATION,
    Kind.QUOTATION: rules.QUOTATION,
    Kind.SINGLE_SOURCE: rules.SINGLE_SOURCE,
}


class Base(StrEnum):
    """评标基准价 — what the price score is measured against."""

    MEAN = "mean"  # 有效投标报价的算术平均值
    LOWEST = "lowest"  # 最低有效投标报价
    TRIMMED_MEAN = "trimmed_mean"  # 去掉一个最高、一个最低后的平均值（有效投标不少于5家时）

    @property
    def label(self) -> str:
        return {"mean": "有效投标报价平均值", "lowest": "最低有效投标报价", "trimmed_mean": "去高去低后平均值"}[
            self.value
        ]


class Style(StrEnum):
    DEVIATION = "deviation"  # 满分减偏差扣分：每高于基准价1%扣above分，每低于1%扣below分
    RATIO = "ratio"  # 价格分 = 基准价 / 报价 × 满分（政府采购低价优先法，87号令第55条）


@dataclass(frozen=True)
class PriceFormula:
    max_score: Decimal
    base: Base = Base.MEAN
    factor: Decimal = Decimal(1)  # 基准价 × 下浮系数 (e.g. 0.97)
    style: Style = Style.DEVIATION
    above: Decimal = Decimal(1)  # points per 1 % above the base
    below: Decimal = Decimal("0.5")  # points per 1 % below the base

    @property
    def describe(self) -> str:
        base = self.base.label + (f"×{self.factor}" if self.factor != 1 else "")
        if self.style is Style.RATIO:
            return f"价格分＝评标基准价（{base}）÷投标报价×{self.max_score}"
        return f"以{base}为评标基准价，等于基准价得{self.max_score}分，每高1%扣{self.above}分，每低1%扣{self.below}分"


@dataclass(frozen=True)
class Criterion:
    id: str
    name: str
    kind: str = "score"  # score | qualification
    max_score: Decimal = Decimal(0)
    group: str = "技术"  # 技术 | 商务 | 资格 | 符合性

    @property
    def is_qualification(self) -> bool:
        return self.kind == "qualification"


@dataclass(frozen=True)
class Method:
    kind: Kind
    criteria: tuple[Criterion, ...] = ()
    price: PriceFormula | None = None
    trim_experts: bool = False  # drop each bid's highest and lowest expert totals when ≥ 5 experts
    candidates: int = int(rules.CANDIDATES_MAX.value)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.kind.label

    @property
    def qualification(self) -> tuple[Criterion, ...]:
        return tuple(c for c in self.criteria if c.is_qualification)

    @property
    def scored(self) -> tuple[Criterion, ...]:
        return tuple(c for c in self.criteria if not c.is_qualification)

    @property
    def max_subjective(self) -> Decimal:
        return sum((c.max_score for c in self.scored), Decimal(0))

    def criterion(self, cid: str) -> Criterion | None:
        return next((c for c in self.criteria if c.id == cid), None)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = _plain(asdict(self))
        return data


def _plain(v: Any) -> Any:
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_plain(x) for x in v]
    if isinstance(v, Decimal):
        return str(v)
    if isinstance(v, StrEnum):
        return v.value
    return v


def _dec(v: Any, what: str) -> Decimal:
    try:
        d = Decimal(str(v))
    except (InvalidOperation, TypeError):
        raise Invalid(f"{what}不是有效数字：{v}", code="method-number") from None
    if not d.is_finite() or d < 0:
        raise Invalid(f"{what}须为非负数：{v}", code="method-number")
    return d


def from_json(data: dict[str, Any]) -> Method:
    """A method from its JSON form, checked: known kind, unique criteria, scores that add up."""
    try:
        kind = Kind(data.get("kind", ""))
    except ValueError:
        raise Invalid(f"未知的评标办法：{data.get('kind')}", code="method-kind") from None
    criteria = []
    seen: set[str] = set()
    for c in data.get("criteria", []):
        cid = str(c.get("id", "")).strip()
        name = str(c.get("name", "")).strip()
        if not cid or not name or cid in seen:
            raise Invalid("评审因素须有唯一编号和名称", code="method-criteria")
        seen.add(cid)
        ckind = c.get("kind", "score")
        if ckind not in ("score", "qualification"):
            raise Invalid(f"评审因素「{name}」的类型无效", code="method-criteria")
        criteria.append(
            Criterion(
                cid, name[:60], ckind, _dec(c.get("max_score", 0), f"「{name}」满分"), str(c.get("group", "技术"))
            )
        )
    price = None
    if data.get("price"):
        p = data["price"]
        try:
            price = PriceFormula(
                max_score=_dec(p.get("max_score", 0), "价格分满分"),
                base=Base(p.get("base", "mean")),
                factor=_dec(p.get("factor", 1), "下浮系数"),
                style=Style(p.get("style", "deviation")),
                above=_dec(p.get("above", 1), "高于基准价扣分"),
                below=_dec(p.get("below", "0.5"), "低于基准价扣分"),
            )
        except ValueError as exc:
            raise Invalid(f"价格分公式无效：{exc}", code="method-price") from None
    method = Method(
        kind,
        tuple(criteria),
        price,
        bool(data.get("trim_experts", False)),
        int(data.get("candidates", rules.CANDIDATES_MAX.value)),
        dict(data.get("extra", {})),
    )
    check(method)
    return method


def check(method: Method) -> None:
    if method.kind.scored:
        if method.price is None:
            raise Invalid(f"{method.label}须设定价格分公式", code="method-price")
        if not method.scored:
            raise Invalid(f"{method.label}须设定评分因素", code="method-criteria")
        if method.max_subjective + method.price.max_score != 100:
            raise Invalid(
                f"各评分因素满分与价格分之和须为100分（现为{method.max_subjective + method.price.max_score}分）",
                code="method-total",
            )
    if not 1 <= method.candidates <= int(rules.CANDIDATES_MAX.value):
        raise Invalid(f"中标候选人须为1至{rules.CANDIDATES_MAX.value}名（{rules.CANDIDATES_MAX.citation}）")


STANDARD_QUALIFICATION = (
    Criterion("q1", "营业执照与资质证书", "qualification", group="资格"),
    Criterion("q2", "投标函签字盖章", "qualification", group="符合性"),
    Criterion("q3", "投标保证金", "qualification", group="符合性"),
)


def preset(kind: Kind | str) -> Method:
    """A ready method for each kind, as a tender's documents would commonly set it."""
    kind = Kind(kind)
    if kind is Kind.COMPREHENSIVE:
        return Method(
            kind,
            (
                *STANDARD_QUALIFICATION,
                Criterion("t1", "施工组织设计", max_score=Decimal(30)),
                Criterion("t2", "项目管理机构", max_score=Decimal(10)),
                Criterion("b1", "企业业绩与信誉", max_score=Decimal(20), group="商务"),
            ),
            PriceFormula(max_score=Decimal(40), base=Base.MEAN),
        )
    if kind is Kind.CONSULTATION:
        return Method(
            kind,
            (
                *STANDARD_QUALIFICATION[:2],
                Criterion("t1", "技术方案", max_score=Decimal(40)),
                Criterion("b1", "服务承诺", max_score=Decimal(20), group="商务"),
            ),
            PriceFormula(max_score=Decimal(40), base=Base.LOWEST, style=Style.RATIO),
        )
    return Method(kind, STANDARD_QUALIFICATION)
