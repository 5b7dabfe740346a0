"""定时 — the clocks after the award: the written report to the supervisor (招标投标法 art. 47) and the contract
(art. 46) flagged when overdue, and the dossier of a terminated trade sealed (a signed contract seals its own).
Objections to the result are cases: ggzy/cases/timers.py records one left unanswered. Each item is re-checked
under a row lock (SKIP LOCKED on PostgreSQL) or by its unique dossier."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ggzy.award import archive, contracts, queries, service
from ggzy.award.models import Award
from ggzy.core import events
from ggzy.core.actor import system
from ggzy.core.clock import FixedClock
from ggzy.core.timers import DueSource
from ggzy.projects import queries as projects
from ggzy.projects.states import SectionStatus
from ggzy.rules import award as rules
from ggzy.rules.procedures import procedure


def overdue(session: Session, award_id: str, now: datetime) -> bool:
    a = session.execute(select(Award).where(Award.id == award_id).with_for_update(skip_locked=True)).scalar()
    if a is None or a.next_due_at is None or a.next_due_at > now:
        return False
    section = projects.get_section(session, a.section_id)
    project = projects.get_project(session, section.project_id)
    terms = rules.terms(procedure(project.method).regime)
    clock, me = FixedClock(now), system()
    contract = queries.contract_of(session, a.id)
    if a.report_due_at and a.reported_at is None and not a.report_overdue and now > a.report_due_at:
        a.report_overdue = True
        events.record(session, me, service.REPORT_OVERDUE, clock=clock, subject=("award", a.id), scope=section.id)
        basis = str(terms.supervisor_report.citation) if terms.supervisor_report else ""
        service.flag(
            session,
            "D03",
            "书面报告逾期未提交",
            basis,
            section,
            project,
            {"due": a.report_due_at.isoformat()},
            clock=clock,
        )
    signed = contract is not None and contract.signed_at is not None
    if a.contract_due_at and not signed and not a.contract_overdue and now > a.contract_due_at:
        a.contract_overdue = True
        events.record(session, me, contracts.CONTRACT_OVERDUE, clock=clock, subject=("award", a.id), scope=section.id)
        service.flag(
            session,
            "D04",
            "逾期未订立书面合同",
            str(terms.contract.citation),
            section,
            project,
            {"due": a.contract_due_at.isoformat()},
            clock=clock,
            org_ids=(a.winner_org_id,) if a.winner_org_id else (),
        )
    pending = [
        d
        for d, done in (
            (a.report_due_at, a.reported_at is not None or a.report_overdue),
            (a.contract_due_at, signed or a.contract_overdue),
        )
        if d is not None and not done
    ]
    a.next_due_at = min(pending) if pending else None
    return True


def terminated_unsealed(session: Session, _now: datetime) -> list[str]:
    """Terminated sections whose dossier is not sealed yet (a signed contract seals its own at the signature)."""
    ids = projects.section_ids_in(session, SectionStatus.TERMINATED)
    return [i for i in ids if queries.dossier_of(session, i) is None]


def sources(ctx: Any) -> list[DueSource]:
    def seal(session: Session, section_id: str, now: datetime) -> bool:
        if queries.dossier_of(session, section_id) is not None:
            return False
        archive.seal(session, system(), section_id=section_id, clock=FixedClock(now), files=ctx.files, env=ctx.opening)
        return True

    return [
        DueSource("award.deadlines", queries.due_awards, overdue),
        DueSource("award.archive_terminated", terminated_unsealed, seal),
    ]
