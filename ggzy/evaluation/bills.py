"""已标价工程量清单 — a priced bill of quantities: its file format, and the arithmetic check of one bill.

A bid carries its bill as a file named `*清单*.json` or `*清单*.csv` (or as `bill` in the price form):

    {"format": "ggzy-bill/1", "total": "4200.00",
     "items": [{"code": "010101001001", "name": "平整场地", "unit": "m2",
                "quantity": "1200", "unit_price": "3.50", "total": "4200.00"}]}

CSV: a header `code,name,unit,quantity,unit_price,total`, one row per item. The tender's own bill
(招标工程量清单) has the same shape without prices. Pure functions: no database, no clock.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from ggzy.rules import evaluation as rules

FORMAT = "ggzy-bill/1"
CENT = Decimal("0.01")
COLUMNS = ("code", "name", "unit", "quantity", "unit_price", "total")


class BillUnreadable(ValueError):
    """The bill file is not in the platform's format (the message is in Chinese, for the report)."""


@dataclass(frozen=True)
class Item:
    code: str
    name: str
    unit: str
    quantity: Decimal
    unit_price: Decimal | None = None
    total: Decimal | None = None

    @property
    def computed(self) -> Decimal | None:
        if self.unit_price is None:
            return None
        return (self.quantity * self.unit_price).quantize(CENT, ROUND_HALF_UP)


@dataclass(frozen=True)
class Bill:
    items: tuple[Item, ...]
    total: Decimal | None = None

    def by_code(self) -> dict[str, Item]:
        return {i.code: i for i in self.items}

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "total": None if self.total is None else str(self.total),
            "items": [
                {
                    "code": i.code,
                    "name": i.name,
                    "unit": i.unit,
                    "quantity": str(i.quantity),
                    "unit_price": None if i.unit_price is None else str(i.unit_price),
                    "total": None if i.total is None else str(i.total),
                }
                for i in self.items
            ],
        }


def _num(v: Any, what: str, line: int, *, optional: bool = False) -> Decimal | None:
    if v is None or (isinstance(v, str) and not v.strip()):
        if optional:
            return None
        raise BillUnreadable(f"第{line}项缺少{what}")
    try:
        d = Decimal(str(v).replace(",", "").strip())
    except InvalidOperation:
        raise BillUnreadable(f"第{line}项的{what}不是数字：{v}") from None
    if not d.is_finite() or d < 0:
        raise BillUnreadable(f"第{line}项的{what}须为非负数：{v}")
    return d


def parse_items(rows: list[dict[str, Any]], total: Any = None, *, priced: bool = True) -> Bill:
    items = []
    seen: set[str] = set()
    for n, r in enumerate(rows, start=1):
        code = str(r.get("code") or "").strip()
        if not code:
            raise BillUnreadable(f"第{n}项缺少项目编码")
        if code in seen:
            raise BillUnreadable(f"项目编码重复：{code}")
        seen.add(code)
        quantity = _num(r.get("quantity"), "工程量", n)
        assert quantity is not None
        items.append(
            Item(
                code=code[:40],
                name=str(r.get("name") or "").strip()[:100],
                unit=str(r.get("unit") or "").strip()[:20],
                quantity=quantity,
                unit_price=_num(r.get("unit_price"), "综合单价", n, optional=not priced),
                total=_num(r.get("total"), "合价", n, optional=not priced),
            )
        )
    return Bill(tuple(items), _num(total, "总价", 0, optional=True))


def parse(data: bytes | str | dict[str, Any] | list[Any], *, name: str = "", priced: bool = True) -> Bill:
    """A bill from a JSON document, a JSON value or CSV text."""
    if isinstance(data, dict):
        if data.get("format", FORMAT) != FORMAT:
            raise BillUnreadable(f"清单格式不受支持：{data.get('format')}")
        items = data.get("items")
        if not isinstance(items, list):
            raise BillUnreadable("清单缺少 items")
        return parse_items(items, data.get("total"), priced=priced)
    if isinstance(data, list):
        return parse_items(data, priced=priced)
    text = data.decode("utf-8-sig", errors="strict") if isinstance(data, bytes) else data
    if name.lower().endswith(".csv") or (not name and not text.lstrip().startswith(("{", "["))):
        reader = csv.DictReader(io.StringIO(text))
        missing = [c for c in COLUMNS[:4] if c not in (reader.fieldnames or [])]
        if missing:
            raise BillUnreadable(f"CSV 清单缺少列：{'、'.join(missing)}")
        return parse_items(list(reader), priced=priced)
    try:
        value = json.loads(text)
    except ValueError:
        raise BillUnreadable("清单不是有效的 JSON") from None
    return parse(value, priced=priced)


def is_bill_name(name: str) -> bool:
    return "清单" in name and name.lower().endswith((".json", ".csv"))


@dataclass(frozen=True)
class Error:
    """One arithmetic error of a bill (算术错误): what the bid said and what its unit prices give."""

    code: str
    stated: Decimal
    computed: Decimal
    what: str = "item"  # item | total | price

    def describe(self) -> str:
        label = {"item": f"清单项 {self.code} 合价", "total": "清单合计", "price": "投标函报价与清单合计"}[self.what]
        return f"{label}：标为 {self.stated:,.2f}，按单价计算应为 {self.computed:,.2f}"


@dataclass(frozen=True)
class BillCheck:
    """The arithmetic of one priced bill against the tender's bill."""

    corrected_total: Decimal
    errors: tuple[Error, ...] = ()
    missing: tuple[str, ...] = ()  # tender items the bid left out (漏项)
    changed: tuple[str, ...] = ()  # items whose quantity differs from the tender's (改变工程量)
    extra: tuple[str, ...] = ()  # items the tender does not have
    unit_prices: dict[str, Decimal] = field(default_factory=dict)


def check(bill: Bill, *, tender: Bill | None = None, price: Decimal | None = None) -> BillCheck:
    """Check every line (quantity × unit price = line total), the sum, and the price on the form.
    The unit price prevails: the corrected total is the sum of quantity × unit price."""
    tol = Decimal(rules.ARITHMETIC_TOLERANCE.value)
    errors: list[Error] = []
    corrected = Decimal(0)
    prices: dict[str, Decimal] = {}
    for item in bill.items:
        computed = item.computed
        if computed is None:
            continue
        prices[item.code] = item.unit_price  # type: ignore[assignment]
        corrected += computed
        if item.total is not None and abs(item.total - computed) >= tol:
            errors.append(Error(item.code, item.total, computed))
    corrected = corrected.quantize(CENT)
    if bill.total is not None and abs(bill.total - corrected) >= tol:
        errors.append(Error("", bill.total, corrected, "total"))
    if price is not None and abs(price - corrected) >= tol:
        errors.append(Error("", price, corrected, "price"))
    missing: list[str] = []
    changed: list[str] = []
    extra: list[str] = []
    if tender is not None:
        mine = bill.by_code()
        wanted = tender.by_code()
        missing = [c for c in wanted if c not in mine]
        changed = [c for c, i in wanted.items() if c in mine and mine[c].quantity != i.quantity]
        extra = [c for c in mine if c not in wanted]
    return BillCheck(corrected, tuple(errors), tuple(missing), tuple(changed), tuple(extra), prices)
