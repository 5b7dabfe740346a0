"""评分计算 — pure functions: check an expert's sheet, the qualification majority, the base price and the
price score, each bid's mean expert score, experts far from the others, and the ranking.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from ggzy.core.errors import Invalid
from ggzy.evaluation.methods import Base, Method, PriceFormula, Style
from ggzy.rules import evaluation as rules

CENT = Decimal("0.01")


def q2(d: Decimal) -> Decimal:
    return d.quantize(CENT, ROUND_HALF_UP)


@dataclass
class Sheet:
    """One expert's sheet: a score per (bid, scored criterion), a verdict and reason per qualification one."""

    scores: dict[str, dict[str, Decimal]] = field(default_factory=dict)
    passes: dict[str, dict[str, tuple[bool, str]]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "scores": {o: {c: str(v) for c, v in s.items()} for o, s in sorted(self.scores.items())},
            "qualification": {
                o: {c: {"pass": p, "reason": r} for c, (p, r) in s.items()} for o, s in sorted(self.passes.items())
            },
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Sheet:
        scores: dict[str, dict[str, Decimal]] = {}
        for org, crit in (data.get("scores") or {}).items():
            scores[str(org)] = {}
            for cid, v in (crit or {}).items():
                try:
                    d = Decimal(str(v).strip())
                except InvalidOperation:
                    raise Invalid(f"评分「{v}」不是数字", code="score-not-number") from None
                if not d.is_finite():
                    raise Invalid(f"评分「{v}」不是数字", code="score-not-number")
                scores[str(org)][str(cid)] = d
        passes: dict[str, dict[str, tuple[bool, str]]] = {}
        for org, crit in (data.get("qualification") or {}).items():
            passes[str(org)] = {
                str(cid): (bool(v.get("pass")), str(v.get("reason") or "").strip()[:300])
                for cid, v in (crit or {}).items()
            }
        return cls(scores, passes)


def check_sheet(method: Method, orgs: list[str], sheet: Sheet, names: Mapping[str, str] | None = None) -> None:
    """Every bid scored on every criterion, within 0..max with at most two decimals; every failure reasoned."""
    names = names or {}
    unknown = (set(sheet.scores) | set(sheet.passes)) - set(orgs)
    if unknown:
        raise Invalid("评分表含有不在评审范围内的投标人", code="score-unknown-bid")
    for org in orgs:
        who = names.get(org, org)
        for c in method.scored:
            v = sheet.scores.get(org, {}).get(c.id)
            if v is None:
                raise Invalid(f"未对「{who}」的「{c.name}」评分", code="score-missing")
            if v < 0 or v > c.max_score:
                raise Invalid(f"「{who}」的「{c.name}」评分 {v} 超出范围（0～{c.max_score}分）", code="score-range")
            if v != v.quantize(CENT):
                raise Invalid(f"「{who}」的「{c.name}」评分最多保留两位小数", code="score-precision")
        for c in method.qualification:
            got = sheet.passes.get(org, {}).get(c.id)
            if got is None:
                raise Invalid(f"未对「{who}」的「{c.name}」作出合格与否的判断", code="qualification-missing")
            if not got[0] and not got[1]:
                raise Invalid(f"认定「{who}」的「{c.name}」不合格，须写明理由", code="qualification-reason")
        extra = set(sheet.scores.get(org, {})) - {c.id for c in method.scored}
        extra |= set(sheet.passes.get(org, {})) - {c.id for c in method.qualification}
        if extra:
            raise Invalid(f"评分表含有未设定的评审因素：{'、'.join(sorted(extra))}", code="score-unknown-criterion")


def failed_qualification(method: Method, orgs: list[str], sheets: Mapping[str, Sheet]) -> dict[str, list[str]]:
    """Bids that more than half of the members found failing a criterion, with the criterion and reasons."""
    out: dict[str, list[str]] = {}
    n = len(sheets)
    for org in orgs:
        reasons = []
        for c in method.qualification:
            fails = [s.passes.get(org, {}).get(c.id, (True, "")) for s in sheets.values()]
            against = [r for ok, r in fails if not ok]
            if n and len(against) * 2 > n:
                reasons.append(f"{c.name}：{'；'.join(sorted(set(against)))}（{len(against)}/{n}名成员认定不合格）")
        if reasons:
            out[org] = reasons
    return out


def base_price(formula: PriceFormula, prices: list[Decimal]) -> Decimal | None:
    """评标基准价 of the valid prices."""
    if not prices:
        return None
    ps = sorted(prices)
    if formula.base is Base.LOWEST:
        b = ps[0]
    elif formula.base is Base.TRIMMED_MEAN and len(ps) >= 5:
        b = sum(ps[1:-1], Decimal(0)) / (len(ps) - 2)
    else:
        b = sum(ps, Decimal(0)) / len(ps)
    return q2(b * formula.factor)


def price_score(formula: PriceFormula, base: Decimal, price: Decimal) -> Decimal:
    """Full score at the base; the deviation style deducts per 1 % off it, the ratio style is base / price."""
    if price <= 0:
        return Decimal(0)
    if formula.style is Style.RATIO:
        return q2(min(formula.max_score, base / price * formula.max_score))
    deviation = (price - base) / base * 100
    penalty = deviation * formula.above if deviation > 0 else -deviation * formula.below
    return q2(max(Decimal(0), formula.max_score - penalty))


def expert_totals(method: Method, sheets: Mapping[str, Sheet], orgs: list[str]) -> dict[str, dict[str, Decimal]]:
    """expert → bid → that expert's total of the scored criteria."""
    ids = [c.id for c in method.scored]
    return {
        e: {o: sum((s.scores.get(o, {}).get(c, Decimal(0)) for c in ids), Decimal(0)) for o in orgs}
        for e, s in sheets.items()
    }


def subjective(values: list[Decimal], trim: bool) -> Decimal:
    vs = sorted(values)
    if trim and len(vs) >= 5:
        vs = vs[1:-1]
    return q2(sum(vs, Decimal(0)) / len(vs)) if vs else Decimal(0)


@dataclass(frozen=True)
class Outlier:
    expert: str
    org_id: str
    value: Decimal
    others: Decimal  # the mean of the other experts on the same bid


def outliers(
    method: Method, totals: Mapping[str, Mapping[str, Decimal]], threshold: Decimal | None = None
) -> list[Outlier]:
    """Experts whose total on a bid is further from the other experts' mean than the threshold (a share of
    the maximum subjective score)."""
    limit = (Decimal(rules.SCORE_SPREAD.value) if threshold is None else threshold) / 100 * method.max_subjective
    experts = sorted(totals)
    if len(experts) < 2 or limit <= 0:
        return []
    orgs = sorted({o for t in totals.values() for o in t})
    out = []
    for org in orgs:
        for e in experts:
            others = [totals[x][org] for x in experts if x != e]
            mean = q2(sum(others, Decimal(0)) / len(others))
            if abs(totals[e][org] - mean) > limit:
                out.append(Outlier(e, org, totals[e][org], mean))
    return out


@dataclass
class Row:
    org_id: str
    price: Decimal | None  # evaluated or final price
    rejected: bool = False
    ground: str = ""
    reasons: list[str] = field(default_factory=list)
    subjective: Decimal | None = None
    price_score: Decimal | None = None
    total: Decimal | None = None
    rank: int | None = None


@dataclass
class Outcome:
    rows: list[Row]
    base: Decimal | None
    outliers: list[Outlier]
    totals: dict[str, dict[str, Decimal]]


def evaluate(
    method: Method,
    bids: list[Row],
    sheets: Mapping[str, Sheet],
    *,
    threshold: Decimal | None = None,
) -> Outcome:
    """Apply the method: qualification majority, then the price score and ranking of the valid bids.
    `bids` come in with the clearing's rejections already set."""
    orgs = [b.org_id for b in bids]
    failed = failed_qualification(method, orgs, sheets)
    for b in bids:
        if b.org_id in failed and not b.rejected:
            b.rejected = True
            b.ground = rules.QUALIFICATION.code
            b.reasons += failed[b.org_id]
        if b.price is None and not b.rejected:
            b.rejected = True
            b.ground = rules.NOT_RESPONSIVE.code
            b.reasons.append("投标报价缺失或无法识别")
    valid = [b for b in bids if not b.rejected]
    totals = expert_totals(method, sheets, orgs) if method.scored else {}
    base = None
    if method.kind.scored:
        assert method.price is not None
        base = base_price(method.price, [b.price for b in valid if b.price is not None])
        for b in valid:
            b.subjective = subjective([t[b.org_id] for t in totals.values()], method.trim_experts)
            assert b.price is not None and base is not None
            b.price_score = price_score(method.price, base, b.price)
            b.total = b.subjective + b.price_score
        valid.sort(key=lambda b: (-(b.total or 0), b.price or 0, b.org_id))
    else:
        valid.sort(key=lambda b: (b.price or 0, b.org_id))
    if method.kind.by_price or method.kind.scored:
        for i, b in enumerate(valid, start=1):
            b.rank = i
    valid_totals = {e: {o: v for o, v in t.items() if o in {b.org_id for b in valid}} for e, t in totals.items()}
    found = outliers(method, valid_totals, threshold) if method.scored else []
    ranked = valid + [b for b in bids if b.rejected]
    return Outcome(ranked, base, found, totals)
