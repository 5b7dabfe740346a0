"""采购方式 — procedure types as rows: stages, minimum bidders, periods and their articles.

A new procedure type is a new row and its tests, never a new class. Rows marked verify=True take
their numbers from secondary sources and are kept configurable (see LEGAL.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from ggzy.core.acceleration import accelerate
from ggzy.core.calendar import add_working_days, local_date
from ggzy.core.clock import SHANGHAI
from ggzy.rules import procurement, tendering
from ggzy.rules.base import Citation, Regime, Rule, Unit

NON_TENDER = "政府采购非招标采购方式管理办法（财政部令第74号）"
CONSULTATION = "政府采购竞争性磋商采购方式管理暂行办法（财库〔2014〕214号）"


class Method(StrEnum):
    OPEN_TENDER = "open_tender"
    INVITED_TENDER = "invited_tender"
    GP_OPEN_TENDER = "gp_open_tender"
    GP_INVITED_TENDER = "gp_invited_tender"
    NEGOTIATION = "negotiation"
    CONSULTATION = "consultation"
    QUOTATION = "quotation"
    SINGLE_SOURCE = "single_source"


@dataclass(frozen=True)
class Period:
    """A minimum number of days between two moments, counted as the law counts (start day excluded)."""

    key: str
    label: str
    days: int
    working: bool
    citation: Citation

    def earliest(self, start: dt.datetime) -> dt.date:
        """The first Beijing date that satisfies the period when counting from `start`."""
        day = local_date(start)
        if self.working:
            return add_working_days(day, self.days)
        return day + dt.timedelta(days=self.days)

    def earliest_at(self, start: dt.datetime, *, factor: int = 1) -> dt.datetime:
        """The first lawful instant: 00:00 Beijing of `earliest(start)`; in training mode the span from
        `start` to it is divided by `factor` (core.training.accelerate, the one place that does)."""
        lawful = dt.datetime.combine(self.earliest(start), dt.time(0), tzinfo=SHANGHAI).astimezone(dt.UTC)
        return accelerate(start, lawful, factor)

    def describe(self) -> str:
        unit = "个工作日" if self.working else "日"
        return f"{self.label}不少于{self.days}{unit}（{self.citation}）"


def _period(key: str, label: str, rule: Rule) -> Period:
    return Period(key, label, int(rule.value), rule.unit is Unit.WORKING_DAYS, rule.citation)


@dataclass(frozen=True)
class Procedure:
    method: Method
    name: str
    regime: Regime
    invited: bool  # only invited suppliers may take part
    competitive: bool  # False for single source
    min_bidders: int
    min_bidders_citation: Citation
    bid_period: Period  # documents issued → response deadline
    documents_available: Period | None
    clarification_lead: Period | None
    stages: tuple[str, ...]

    @property
    def label(self) -> str:
        return self.name


TENDER_STAGES = ("受理登记", "发布公告", "投标", "开标", "评标", "中标候选人公示", "中标结果", "合同", "归档")
NEGOTIATION_STAGES = ("受理登记", "发布公告", "响应", "开启", "谈判/磋商", "成交结果", "合同", "归档")

W_BID = _period("bid_period", "招标文件发出之日起至投标截止", tendering.BID_PERIOD)
W_DOCS = _period("documents_available", "招标文件发售期", tendering.DOCUMENTS_AVAILABLE)
W_CLAR = _period("clarification_lead", "澄清或修改距投标截止", tendering.CLARIFICATION_LEAD)
P_BID = _period("bid_period", "招标文件发出之日起至投标截止", procurement.BID_PERIOD)
P_DOCS = _period("documents_available", "招标文件提供期限", procurement.DOCUMENTS_AVAILABLE)
P_CLAR = _period("clarification_lead", "澄清或修改距投标截止", procurement.CLARIFICATION_LEAD)
NEG_BID = Period("bid_period", "谈判文件发出之日起至首次响应截止", 3, True, Citation(NON_TENDER, "第29条", True))
CON_BID = Period("bid_period", "磋商文件发出之日起至响应截止", 10, False, Citation(CONSULTATION, "第10条", True))
QUO_BID = Period("bid_period", "询价通知书发出之日起至响应截止", 3, True, Citation(NON_TENDER, "第45条", True))
SS_BID = Period("bid_period", "单一来源公示期", 5, True, Citation(procurement.REG, "第38条", True))
NEG_CLAR = Period("clarification_lead", "澄清或修改距响应截止", 3, True, Citation(NON_TENDER, "第29条", True))
CON_CLAR = Period("clarification_lead", "澄清或修改距响应截止", 5, False, Citation(CONSULTATION, "第10条", True))

_T = Regime.TENDERING
_P = Regime.PROCUREMENT
PROCEDURES: dict[Method, Procedure] = {
    p.method: p
    for p in (
        Procedure(
            Method.OPEN_TENDER,
            "公开招标",
            _T,
            False,
            True,
            3,
            tendering.MIN_BIDS.citation,
            W_BID,
            W_DOCS,
            W_CLAR,
            TENDER_STAGES,
        ),
        Procedure(
            Method.INVITED_TENDER,
            "邀请招标",
            _T,
            True,
            True,
            3,
            tendering.MIN_BIDS.citation,
            W_BID,
            W_DOCS,
            W_CLAR,
            TENDER_STAGES,
        ),
        Procedure(
            Method.GP_OPEN_TENDER,
            "公开招标（政府采购）",
            _P,
            False,
            True,
            3,
            procurement.MIN_BIDS.citation,
            P_BID,
            P_DOCS,
            P_CLAR,
            TENDER_STAGES,
        ),
        Procedure(
            Method.GP_INVITED_TENDER,
            "邀请招标（政府采购）",
            _P,
            True,
            True,
            3,
            procurement.MIN_BIDS.citation,
            P_BID,
            P_DOCS,
            P_CLAR,
            TENDER_STAGES,
        ),
        Procedure(
            Method.NEGOTIATION,
            "竞争性谈判",
            _P,
            True,
            True,
            3,
            Citation(procurement.LAW, "第38条"),
            NEG_BID,
            None,
            NEG_CLAR,
            NEGOTIATION_STAGES,
        ),
        Procedure(
            Method.CONSULTATION,
            "竞争性磋商",
            _P,
            True,
            True,
            3,
            Citation(CONSULTATION, "第3条", True),
            CON_BID,
            None,
            CON_CLAR,
            NEGOTIATION_STAGES,
        ),
        Procedure(
            Method.QUOTATION,
            "询价",
            _P,
            True,
            True,
            3,
            Citation(procurement.LAW, "第40条"),
            QUO_BID,
            None,
            NEG_CLAR,
            NEGOTIATION_STAGES,
        ),
        Procedure(
            Method.SINGLE_SOURCE,
            "单一来源采购",
            _P,
            True,
            False,
            1,
            Citation(procurement.LAW, "第39条"),
            SS_BID,
            None,
            None,
            NEGOTIATION_STAGES,
        ),
    )
}


def procedure(method: Method | str) -> Procedure:
    return PROCEDURES[Method(method)]
