"""定时 — a procurement suspension ends after at most 30 days (采购法 art. 57), whether or not the complaint is
decided; the trade resumes with the bidders' held time given back. A case whose answer, acceptance or decision
clock ran out without the act is recorded late once (an event and a supervision alert, `service.record_late`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ggzy.cases import complaints, queries, service
from ggzy.cases.models import Case
from ggzy.core import holds
from ggzy.core.actor import system
from ggzy.core.clock import FixedClock
from ggzy.core.timers import DueSource
from ggzy.rules import procurement

LIMIT = dt.timedelta(days=int(procurement.SUSPENSION_MAX.value))


def due_suspensions(session: Session, now: dt.datetime) -> list[str]:
    q = (
        select(Case.id)
        .join(holds.Hold, holds.Hold.id == Case.suspension_hold_id)
        .where(Case.regime == queries.PROCUREMENT, holds.Hold.lifted_at.is_(None), holds.Hold.placed_at <= now - LIMIT)
    )
    return list(session.scalars(q.limit(100)))


def end_suspension(session: Session, case_id: str, now: dt.datetime) -> bool:
    case = session.get(Case, case_id)
    if case is None or case.suspension_hold_id is None:
        return False
    hold = session.get(holds.Hold, case.suspension_hold_id)
    if hold is None or hold.lifted_at is not None or hold.placed_at > now - LIMIT:
        return False
    complaints.end_suspension_by_law(session, system(), case=case, clock=FixedClock(now))
    return True


def due_late(session: Session, now: dt.datetime) -> list[str]:
    """Cases whose running clock is past its due time (paused clocks have no due time, so never appear)."""
    q = select(Case).where(Case.next_due_at.is_not(None), Case.next_due_at < now).order_by(Case.next_due_at, Case.id)
    out = []
    for case in session.scalars(q.limit(500)):
        running = queries.open_clock(case)
        if running is not None and running.value not in service.late_recorded(case):
            out.append(case.id)
    return out


def record_late(session: Session, case_id: str, now: dt.datetime) -> bool:
    case = session.execute(select(Case).where(Case.id == case_id).with_for_update(skip_locked=True)).scalar()
    if case is None:
        return False
    running = queries.open_clock(case)
    statutory = queries.clocks(session, case).get(running) if running else None
    if running is None or statutory is None or not statutory.overdue(now):
        return False
    return service.record_late(session, case, running, FixedClock(now))


def sources(_ctx: Any) -> list[DueSource]:
    return [
        DueSource("cases.suspension_max", due_suspensions, end_suspension),
        DueSource("cases.late_acts", due_late, record_late),
    ]
