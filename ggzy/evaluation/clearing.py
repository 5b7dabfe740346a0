"""清标 — bid clearing before scoring: each bill's arithmetic, missing items, the ceiling price, and the
same errors or the same unusual unit prices across bidders (a sign of collusion, 条例 art. 40).

Pure: the service feeds it the opened bids and stores what it returns.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from statistics import median

from ggzy.evaluation import bills
from ggzy.rules import evaluation as rules


@dataclass(frozen=True)
class BidIn:
    org_id: str
    name: str
    price: Decimal | None
    bill: bills.Bill | None = None
    bill_problem: str = ""  # why the bill could not be read


@dataclass(frozen=True)
class Note:
    code: str  # arithmetic | missing | changed | extra | ceiling | no-bill | no-price | same-error | same-price
    text: str


@dataclass
class Cleared:
    org_id: str
    name: str
    price: Decimal | None  # the price on the form (投标函报价)
    evaluated: Decimal | None  # after arithmetic correction (unit prices prevail)
    notes: list[Note] = field(default_factory=list)
    ground: str = ""  # a rejection ground's code when clearing alone decides it (over the ceiling)
    reason: str = ""


@dataclass(frozen=True)
class Sign:
    """A pattern across bidders, for the committee and for supervision."""

    kind: str  # same-error | same-price
    org_ids: tuple[str, ...]
    detail: str


@dataclass
class Clearing:
    bids: list[Cleared]
    signs: list[Sign]


def clear(bids: list[BidIn], *, tender: bills.Bill | None, ceiling: Decimal | None) -> Clearing:
    out: list[Cleared] = []
    checks: dict[str, bills.BillCheck] = {}
    for b in bids:
        c = Cleared(b.org_id, b.name, b.price, b.price)
        if b.bill is not None:
            chk = bills.check(b.bill, tender=tender, price=b.price)
            checks[b.org_id] = chk
            c.evaluated = chk.corrected_total
            c.notes += [Note("arithmetic", e.describe()) for e in chk.errors]
            if chk.missing:
                c.notes.append(Note("missing", f"漏项 {len(chk.missing)} 项：{'、'.join(chk.missing[:10])}"))
            if chk.changed:
                c.notes.append(Note("changed", f"改变工程量 {len(chk.changed)} 项：{'、'.join(chk.changed[:10])}"))
            if chk.extra:
                c.notes.append(Note("extra", f"招标清单以外的项目 {len(chk.extra)} 项：{'、'.join(chk.extra[:10])}"))
        elif b.bill_problem:
            c.notes.append(Note("no-bill", b.bill_problem))
        elif tender is not None:
            c.notes.append(Note("no-bill", "投标文件未附已标价工程量清单"))
        if c.evaluated is None:
            c.notes.append(Note("no-price", "投标报价缺失或无法识别"))
        elif ceiling is not None and c.evaluated > ceiling:
            c.notes.append(Note("ceiling", f"报价 {c.evaluated:,.2f} 元高于最高投标限价 {ceiling:,.2f} 元"))
            c.ground = rules.OVER_CEILING.code
            c.reason = rules.OVER_CEILING.describe()
        out.append(c)
    signs = same_errors(checks) + same_unusual_prices(checks)
    by_org = {c.org_id: c for c in out}
    for s in signs:
        for o in s.org_ids:
            by_org[o].notes.append(Note(s.kind, s.detail))
    return Clearing(out, signs)


def same_errors(checks: dict[str, bills.BillCheck]) -> list[Sign]:
    """The same wrong line total on the same item in two or more bills (whatever their unit prices)."""
    seen: dict[tuple[str, Decimal], list[str]] = defaultdict(list)
    for org, chk in checks.items():
        for e in chk.errors:
            if e.what == "item":
                seen[(e.code, e.stated)].append(org)
    out = []
    for (code, stated), orgs in sorted(seen.items()):
        if len(orgs) > 1:
            detail = f"{len(orgs)}家投标人清单项 {code} 的合价同样错误地标为 {stated:,.2f}"
            out.append(Sign("same-error", tuple(sorted(orgs)), detail))
    return out


def same_unusual_prices(checks: dict[str, bills.BillCheck]) -> list[Sign]:
    """Two or more bidders quoting the same unit price for an item, far from the others' median."""
    if len(checks) < 3:
        return []
    limit = Decimal(rules.UNUSUAL_UNIT_PRICE.value) / 100
    by_item: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for org, chk in checks.items():
        for code, p in chk.unit_prices.items():
            by_item[code][org] = p
    out = []
    for code in sorted(by_item):
        prices = by_item[code]
        if len(prices) < 3:
            continue
        mid = Decimal(median(prices.values()))
        if mid == 0:
            continue
        groups: dict[Decimal, list[str]] = defaultdict(list)
        for org, p in prices.items():
            if abs(p - mid) / mid >= limit:
                groups[p].append(org)
        for p, orgs in sorted(groups.items()):
            if len(orgs) > 1:
                detail = (
                    f"{len(orgs)}家投标人清单项 {code} 的综合单价同为 {p:,.2f}，"
                    f"偏离各家中位数 {mid:,.2f} 达{rules.UNUSUAL_UNIT_PRICE.value}%以上"
                )
                out.append(Sign("same-price", tuple(sorted(orgs)), detail))
    return out
