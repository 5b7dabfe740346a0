"""定时 — a procurement suspension ends after at most 30 days (采购法 art. 57), whether or not the complaint is
decided; the trade resumes with the bidders' held time given back."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ggzy.cases import complaints, queries
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


def sources(_ctx: Any) -> list[DueSource]:
    return [DueSource("cases.suspension_max", due_suspensions, end_suspension)]
