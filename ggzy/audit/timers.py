"""定时签名与封存日志 — commit each section's sealed log at its deadline, disclose it at the opening, sign
checkpoints on a fixed schedule; purge expired sign-in sessions.

Every due item here is found from public facts alone (a deadline has passed, a section is opened, a period
has begun and the public log grew), so what the tick does is the same whatever was sealed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import Session

from ggzy.core import events, transparency
from ggzy.core.clock import FixedClock
from ggzy.core.events import SealedLog
from ggzy.core.timers import DueSource
from ggzy.entities import auth
from ggzy.projects.models import Section
from ggzy.projects.states import OPENED_OR_LATER_VALUES, SectionStatus

_BEFORE = (SectionStatus.PREPARING.value, SectionStatus.BIDDING.value)
_OPENED = OPENED_OR_LATER_VALUES


def due_commitments(session: Session, now: datetime) -> Iterable[str]:
    """Sections whose deadline has passed (closed, failed, opened or ended since) without a commitment made
    since that deadline to their sealed log as it now stands."""
    committed = exists().where(
        SealedLog.scope == Section.id,
        SealedLog.committed_at >= Section.bid_deadline,
        or_(SealedLog.disclosed_seq.is_not(None), SealedLog.committed_size == SealedLog.size),
    )
    stmt = select(Section.id).where(Section.status.not_in(_BEFORE), Section.bid_deadline <= now, ~committed)
    return list(session.execute(stmt.order_by(Section.id)).scalars())


def due_disclosures(session: Session, now: datetime) -> Iterable[str]:
    """Opened sections never disclosed or sealed again since; other scopes whose time has come."""
    disclosed = exists().where(SealedLog.scope == Section.id, SealedLog.disclosed_seq.is_not(None))
    still_open = exists().where(SealedLog.scope == Section.id, SealedLog.disclosed_seq.is_(None))
    sections = select(Section.id).where(Section.status.in_(_OPENED), or_(~disclosed, still_open))
    timed = select(SealedLog.scope).where(
        SealedLog.disclosed_seq.is_(None),
        SealedLog.until.is_not(None),
        SealedLog.until <= now,
        ~exists().where(and_(Section.id == SealedLog.scope)),
    )
    return sorted(set(session.execute(sections).scalars()) | set(session.execute(timed).scalars()))


def sources(ctx: Any) -> list[DueSource]:
    def commit(session: Session, section_id: str, now: datetime) -> bool:
        deadline = session.execute(select(Section.bid_deadline).where(Section.id == section_id)).scalar()
        return events.commit_sealed(session, section_id, clock=FixedClock(now), since=deadline) is not None

    def disclose(session: Session, scope: str, now: datetime) -> bool:
        return events.disclose(session, scope, clock=FixedClock(now)) is not None

    def due_checkpoint(session: Session, now: datetime) -> Iterable[str]:
        return ["sign"] if transparency.checkpoint_due(session, now, minutes=ctx.settings.checkpoint_minutes) else []

    def sign(session: Session, _key: str, now: datetime) -> bool:
        if not transparency.checkpoint_due(session, now, minutes=ctx.settings.checkpoint_minutes):
            return False  # another node signed this period
        sth = transparency.sign_checkpoint(
            session, keys=ctx.keys, origin=ctx.settings.log_origin, clock=FixedClock(now)
        )
        return sth is not None

    def due_sessions(session: Session, now: datetime) -> Iterable[str]:
        return ["purge"]

    def purge(session: Session, _key: str, now: datetime) -> bool:
        return auth.purge_expired_sessions(session, now=now, ident=ctx.ident) > 0

    return [
        DueSource("log.commit_sealed", due_commitments, commit),
        DueSource("log.disclose_sealed", due_disclosures, disclose),
        DueSource("log.sign_checkpoint", due_checkpoint, sign),
        DueSource("auth.purge_sessions", due_sessions, purge),
    ]
