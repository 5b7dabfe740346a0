"""案件查询 — a case as each party sees it: its clocks, its thread, who must act next; the register."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ggzy.cases.models import Case, CaseEntry, CasePause
from ggzy.cases.states import CaseKind, CaseStatus, ClockKind, Matter, Remedy
from ggzy.core import policy
from ggzy.core.actor import Actor
from ggzy.core.errors import NotFound
from ggzy.core.roles import Role, Sector
from ggzy.projects import queries as projects
from ggzy.rules import procurement, tendering
from ggzy.rules.base import Rule
from ggzy.rules.clocks import Pause, StatutoryClock

PROCUREMENT = "procurement"


def get_case(session: Session, case_id: str) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound("案件不存在", code="no-such-case")
    return case


def find_by_number(session: Session, number: str) -> Case | None:
    return session.scalar(select(Case).where(Case.number == number))


def subject_of(session: Session, case: Case) -> policy.Subject:
    """The parties (complainant, tenderer and its agency) and the sector of the regulator that handles it."""
    project = projects.get_project(session, case.project_id)
    orgs = {case.complainant_org_id, project.tenderer_org_id} | (
        {project.agency_org_id} if project.agency_org_id else set()
    )
    return policy.Subject("case", frozenset(orgs), sector=case.regulator_sector or case.sector)


def ensure_may_read(session: Session, actor: Actor, case: Case) -> None:
    """Each party, the handling regulator, the centre's guides and oversight; nobody else before publication."""
    policy.ensure(actor, policy.CASE_READ, subject_of(session, case))


def regulator_of(project_sector: str, regime: str) -> Sector:
    """谁监管、谁负责: works go to the sector's regulator, procurement to the finance department (采购法 art. 13)."""
    return Sector.FINANCE if regime == PROCUREMENT else Sector(project_sector)


def points_of(case: Case) -> list[str]:
    value = json.loads(case.points)
    assert isinstance(value, list)
    return [str(v) for v in value]


def answer_rule(regime: str, matter: Matter) -> Rule:
    if regime == PROCUREMENT:
        return procurement.CHALLENGE_ANSWER
    if matter is Matter.OPENING:
        return tendering.OBJECTION_AT_OPENING
    if matter is Matter.RESULT:
        return tendering.OBJECTION_TO_RESULT_ANSWER
    return tendering.OBJECTION_ANSWER


def accept_rule(regime: str) -> Rule:
    return procurement.COMPLAINT_ACCEPT if regime == PROCUREMENT else tendering.COMPLAINT_ACCEPT


def decide_rule(regime: str) -> Rule:
    return procurement.COMPLAINT_DECIDE if regime == PROCUREMENT else tendering.COMPLAINT_DECIDE


def pauses(session: Session, case_id: str, clock: ClockKind) -> list[CasePause]:
    q = select(CasePause).where(CasePause.case_id == case_id, CasePause.clock == clock.value)
    return list(session.scalars(q.order_by(CasePause.started_at, CasePause.id)))


def clocks(session: Session, case: Case) -> dict[ClockKind, StatutoryClock]:
    """The case's statutory clocks, as they stand (pauses included)."""
    out: dict[ClockKind, StatutoryClock] = {}
    if case.kind == CaseKind.OBJECTION.value:
        out[ClockKind.ANSWER] = StatutoryClock(answer_rule(case.regime, Matter(case.matter)), case.filed_at)
        return out
    out[ClockKind.ACCEPT] = StatutoryClock(accept_rule(case.regime), case.filed_at)
    # works: from the acceptance (条例 art. 61); procurement: from receipt (采购法 art. 56)
    start = case.filed_at if case.regime == PROCUREMENT else case.accepted_at
    if start is not None:
        ps = tuple(Pause(p.started_at, p.reason, p.ended_at) for p in pauses(session, case.id, ClockKind.DECIDE))
        out[ClockKind.DECIDE] = StatutoryClock(decide_rule(case.regime), start, ps)
    return out


def open_clock(case: Case) -> ClockKind | None:
    """The clock that runs now: the one whose act has not happened yet."""
    if case.kind == CaseKind.OBJECTION.value:
        return ClockKind.ANSWER if case.answered_at is None else None
    if case.status == CaseStatus.FILED.value:
        return ClockKind.ACCEPT
    if case.status == CaseStatus.ACCEPTED.value:
        return ClockKind.DECIDE
    return None


def needs_compliance(case: Case) -> bool:
    return (
        case.status == CaseStatus.DECIDED.value
        and case.remedy is not None
        and Remedy(case.remedy) is not Remedy.NONE
        and case.complied_at is None
    )


def open_questions(session: Session, case_id: str) -> list[CaseEntry]:
    """Questions not yet answered by their addressee (an answer follows its question in the thread)."""
    entries = thread(session, case_id)
    waiting: list[CaseEntry] = []
    for e in entries:
        if e.kind == "question":
            waiting.append(e)
        elif e.kind == "answer":
            waiting = [q for q in waiting if q.to_org_id != e.by_org_id]
    return waiting


def next_actor(session: Session, case: Case) -> str:
    """Who must act next, in words a party understands."""
    if case.kind == CaseKind.OBJECTION.value:
        return "招标人/采购人（或其代理机构）作出答复" if case.answered_at is None else "—（已答复，可依法投诉）"
    if case.status == CaseStatus.FILED.value:
        return "行政监督部门审查并决定是否受理"
    if case.status == CaseStatus.ACCEPTED.value:
        if open_questions(session, case.id):
            return "被询问的当事人回答行政监督部门的询问"
        return "行政监督部门调查并作出处理决定"
    if needs_compliance(case):
        return f"招标人/采购人按处理决定整改：{Remedy(str(case.remedy)).label}"
    return "—（已办结）"


def thread(session: Session, case_id: str) -> list[CaseEntry]:
    q = select(CaseEntry).where(CaseEntry.case_id == case_id).order_by(CaseEntry.at, CaseEntry.id)
    return list(session.scalars(q))


def entry_of(session: Session, entry_id: str) -> CaseEntry:
    entry = session.get(CaseEntry, entry_id)
    if entry is None:
        raise NotFound("材料不存在", code="no-such-entry")
    return entry


@dataclass(frozen=True)
class ClockView:
    kind: ClockKind
    describe: str
    due: dt.date | None
    paused: bool
    overdue: bool


def clock_views(session: Session, case: Case, now: dt.datetime) -> list[ClockView]:
    running = open_clock(case)
    return [
        ClockView(k, c.describe(), c.due(), c.paused, k is running and c.overdue(now))
        for k, c in clocks(session, case).items()
    ]


def cases_of(session: Session, actor: Actor, *, limit: int = 200) -> list[Case]:
    """The cases the actor may see: as a party, as the handling regulator, or all for oversight and guides."""
    q = select(Case).order_by(Case.filed_at.desc(), Case.id).limit(limit)
    if actor.role in (Role.BIDDER, Role.TENDERER, Role.AGENCY):
        mine = projects.managed_project_ids(actor.org_id)
        q = q.where((Case.complainant_org_id == actor.org_id) | Case.project_id.in_(mine))
    elif actor.role is Role.SECTOR_SUPERVISOR:
        q = q.where(Case.regulator_sector.in_(sorted(actor.sectors)))
    elif not policy.can(actor, policy.CASE_READ):
        return []
    return list(session.scalars(q))


def of_section(session: Session, section_id: str) -> list[Case]:
    return list(session.scalars(select(Case).where(Case.section_id == section_id).order_by(Case.filed_at)))


def next_number(session: Session, prefix: str) -> str:
    n = session.scalar(select(func.count()).select_from(Case).where(Case.number.like(f"{prefix}%"))) or 0
    return f"{prefix}{n + 1:04d}"


@dataclass(frozen=True)
class Overview:
    by_sector: dict[str, int]
    by_status: dict[str, int]
    by_outcome: dict[str, int]
    overdue: list[Case]  # running past their clock, or answered or decided late
    total: int


def overview(session: Session, actor: Actor, now: dt.datetime) -> Overview:
    """The supervision office's figures: cases by sector, by status and outcome, and the overdue ones."""
    policy.ensure(actor, policy.CASE_OVERVIEW)
    rows = (
        cases_of(session, actor, limit=10_000)
        if actor.role is Role.SECTOR_SUPERVISOR
        else list(session.scalars(select(Case).order_by(Case.filed_at)))
    )
    by_sector: dict[str, int] = {}
    by_status: dict[str, int] = {}
    by_outcome: dict[str, int] = {}
    overdue = []
    for c in rows:
        key = c.regulator_sector or c.sector
        by_sector[key] = by_sector.get(key, 0) + 1
        by_status[c.status] = by_status.get(c.status, 0) + 1
        if c.outcome:
            by_outcome[c.outcome] = by_outcome.get(c.outcome, 0) + 1
        if c.answered_late or c.accepted_late or c.decided_late or any(v.overdue for v in clock_views(session, c, now)):
            overdue.append(c)  # still running late, or done late (recorded and flagged)
    return Overview(by_sector, by_status, by_outcome, overdue, len(rows))
