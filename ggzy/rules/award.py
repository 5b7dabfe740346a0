"""定标与合同 — the numbers of publicity, award, contract and archive not already in tendering.py /
procurement.py, and the two regimes' terms side by side, so the award domain reads one row per regime.

Works (招标投标法/条例): candidates published within 3 days of the report and shown ≥ 3 days (条例 art. 54),
objections answered within 3 days (art. 54), the written report to the supervisor within 15 days
(招标投标法 art. 47), the contract within 30 days (art. 46), performance security ≤ 10 % (条例 art. 58).
Procurement (政府采购法/条例): the purchaser confirms the winner within 5 working days of the report and the
result is published within 2 working days of the confirmation (采购条例 art. 43); the contract within 30 days
(采购法 art. 46), published within 2 working days (采购条例 art. 50); files kept ≥ 15 years (采购法 art. 42).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from ggzy.core.acceleration import accelerate
from ggzy.core.calendar import add_working_days, end_of_local_day, local_date
from ggzy.rules import procurement, tendering
from ggzy.rules.base import Citation, Regime, Rule, Unit, rule
from ggzy.rules.procedures import Period

E_BIDDING = "电子招标投标办法"
E_IN_FORCE = dt.date(2013, 5, 1)

PUBLISH_CANDIDATES_WITHIN = rule(
    "tendering.publish_candidates_within",
    "自收到评标报告之日起公示中标候选人",
    3,
    Unit.DAYS,
    Regime.TENDERING,
    Citation(tendering.REG, "第54条"),
    tendering.REG_IN_FORCE,
)
RESULT_OBJECTION_ANSWER = rule(
    "tendering.result_objection_answer",
    "招标人自收到对评标结果的异议之日起作出答复",
    3,
    Unit.DAYS,
    Regime.TENDERING,
    Citation(tendering.REG, "第54条"),
    tendering.REG_IN_FORCE,
)
RECORDS_KEPT = rule(
    "tendering.records_kept",
    "电子招标投标数据电文保存期限不少于",
    15,
    Unit.YEARS,
    Regime.TENDERING,
    Citation(E_BIDDING, "第56条", verify=True),
    E_IN_FORCE,
    note="电子招标投标办法的条文序号来自二手资料，须核对原文",
)
CONFIRM_WINNER_WITHIN = rule(
    "procurement.confirm_winner_within",
    "采购人自收到评审报告之日起确定中标或者成交供应商",
    5,
    Unit.WORKING_DAYS,
    Regime.PROCUREMENT,
    Citation(procurement.REG, "第43条"),
    procurement.REG_IN_FORCE,
)
RESULT_PUBLISH_WITHIN = rule(
    "procurement.result_publish_within",
    "自确定中标或者成交供应商之日起公告中标、成交结果",
    2,
    Unit.WORKING_DAYS,
    Regime.PROCUREMENT,
    Citation(procurement.REG, "第43条"),
    procurement.REG_IN_FORCE,
)
CHALLENGE_ANSWER = procurement.CHALLENGE_ANSWER  # one rule, kept in procurement.py (the cases domain reads it too)
AMOUNT_TOLERANCE = Decimal("0.01")  # a difference of one fen is rounding; anything more departs from the award


@dataclass(frozen=True)
class Within:
    """At the latest N (working) days after a moment: the end of that Beijing day (the start day not counted)."""

    label: str
    days: int
    working: bool
    citation: Citation

    def latest_at(self, start: dt.datetime, *, factor: int = 1) -> dt.datetime:
        day = local_date(start)
        last = add_working_days(day, self.days) if self.working else day + dt.timedelta(days=self.days)
        return accelerate(start, end_of_local_day(last).astimezone(dt.UTC), factor)

    def describe(self) -> str:
        unit = "个工作日" if self.working else "日"
        return f"{self.label}{self.days}{unit}内（{self.citation}）"


def _within(label: str, r: Rule) -> Within:
    return Within(label, int(r.value), r.unit is Unit.WORKING_DAYS, r.citation)


@dataclass(frozen=True)
class Terms:
    """One regime's clocks from the signed report to the archive."""

    regime: Regime
    candidates_max: int
    candidates_citation: Citation
    publish_candidates: Within  # report → candidates published
    publicity_min: Period | None  # candidates shown at least (works only)
    objection_answer: Within
    confirm: Within | None  # report → the winner decided (procurement)
    result_publish: Within | None  # award → result notice (procurement)
    supervisor_report: Within | None  # award → written report to the supervisor (works)
    contract: Within
    contract_publish: Within | None  # signing → contract notice (procurement)
    security_cap: Decimal  # percent of the contract amount
    security_citation: Citation
    retention_years: int
    retention_citation: Citation
    amount_citation: Citation  # the contract may not depart from the award


TERMS: dict[Regime, Terms] = {
    Regime.TENDERING: Terms(
        regime=Regime.TENDERING,
        candidates_max=int(tendering.CANDIDATES_MAX.value),
        candidates_citation=tendering.CANDIDATES_MAX.citation,
        publish_candidates=_within("自收到评标报告之日起公示中标候选人，", PUBLISH_CANDIDATES_WITHIN),
        publicity_min=Period(
            "publicity", "中标候选人公示期", int(tendering.PUBLICITY_MIN.value), False, tendering.PUBLICITY_MIN.citation
        ),
        objection_answer=_within("自收到异议之日起答复，", RESULT_OBJECTION_ANSWER),
        confirm=None,
        result_publish=None,
        supervisor_report=_within("自确定中标人之日起向有关行政监督部门提交书面报告，", tendering.REPORT_WITHIN),
        contract=_within("自中标通知书发出之日起订立书面合同，", tendering.CONTRACT_WITHIN),
        contract_publish=None,
        security_cap=Decimal(tendering.PERFORMANCE_BOND_CAP.value),
        security_citation=tendering.PERFORMANCE_BOND_CAP.citation,
        retention_years=int(RECORDS_KEPT.value),
        retention_citation=RECORDS_KEPT.citation,
        amount_citation=Citation(tendering.REG, "第57条"),
    ),
    Regime.PROCUREMENT: Terms(
        regime=Regime.PROCUREMENT,
        candidates_max=int(tendering.CANDIDATES_MAX.value),
        candidates_citation=tendering.CANDIDATES_MAX.citation,
        publish_candidates=_within("自收到评审报告之日起确定中标（成交）供应商，", CONFIRM_WINNER_WITHIN),
        publicity_min=None,
        objection_answer=_within("自收到质疑之日起答复，", CHALLENGE_ANSWER),
        confirm=_within("自收到评审报告之日起确定中标（成交）供应商，", CONFIRM_WINNER_WITHIN),
        result_publish=_within("自确定中标（成交）供应商之日起公告结果，", RESULT_PUBLISH_WITHIN),
        supervisor_report=None,
        contract=_within("自中标（成交）通知书发出之日起签订合同，", procurement.CONTRACT_WITHIN),
        contract_publish=_within("自合同签订之日起公告合同，", procurement.CONTRACT_PUBLISH_WITHIN),
        security_cap=Decimal(procurement.PERFORMANCE_BOND_CAP.value),
        security_citation=procurement.PERFORMANCE_BOND_CAP.citation,
        retention_years=int(procurement.RECORDS_KEPT.value),
        retention_citation=procurement.RECORDS_KEPT.citation,
        amount_citation=Citation(procurement.LAW, "第46条"),
    ),
}


def terms(regime: Regime) -> Terms:
    return TERMS[regime]
