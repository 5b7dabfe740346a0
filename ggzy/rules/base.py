"""规则 — the shape of a rule: a number or a check, its unit, regime, citation and dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum


class Regime(StrEnum):
    TENDERING = "tendering"  # 招标投标法 (works, mostly calendar days)
    PROCUREMENT = "procurement"  # 政府采购法 (goods and services, often working days)
    PLATFORM = "platform"  # platform security (等保) and electronic bidding (电子办法)

    @property
    def label(self) -> str:
        return {"tendering": "招标投标", "procurement": "政府采购", "platform": "平台与安全"}[self.value]


class Unit(StrEnum):
    DAYS = "日"
    WORKING_DAYS = "工作日"
    PERCENT = "%"
    YUAN = "元"
    COUNT = "个"
    TIMES = "次"
    MINUTES = "分钟"
    SECONDS = "秒"
    BYTES = "字节"
    YEARS = "年"
    THIRDS = "/3"


@dataclass(frozen=True)
class Citation:
    law: str
    article: str
    verify: bool = False  # came from a secondary source: keep configurable, check the text

    def __str__(self) -> str:
        return f"《{self.law}》{self.article}" + ("（待核）" if self.verify else "")


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    value: int | Decimal
    unit: Unit
    regime: Regime
    citation: Citation
    effective: date
    expires: date | None = None
    note: str = ""

    def in_force(self, on: date) -> bool:
        return self.effective <= on and (self.expires is None or on < self.expires)

    def describe(self) -> str:
        return f"{self.title}：{self.value}{self.unit.value}（{self.citation}）"


RULES: dict[str, Rule] = {}


def rule(
    id: str,
    title: str,
    value: int | Decimal,
    unit: Unit,
    regime: Regime,
    citation: Citation,
    effective: date,
    note: str = "",
) -> Rule:
    if id in RULES:
        raise ValueError(f"rule {id} declared twice")
    r = Rule(id, title, value, unit, regime, citation, effective, note=note)
    RULES[id] = r
    return r


def rules_in_force(on: date) -> list[Rule]:
    return [r for r in RULES.values() if r.in_force(on)]
