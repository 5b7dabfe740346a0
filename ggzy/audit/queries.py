"""日志查询 — reading events for auditors and supervisors (payloads included, so access is by policy)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from ggzy.core import policy
from ggzy.core.actor import Actor
from ggzy.core.errors import NotFound
from ggzy.core.events import EVENT_TYPES, Event, entry_of
from ggzy.core.merkle import leaf_hash
from ggzy.core.roles import Role
from ggzy.projects import queries as projects
from ggzy.projects.models import Section
from ggzy.projects.states import OPENED_OR_LATER_VALUES
from ggzy.projects.timeline import SEALED_TYPES


@dataclass(frozen=True)
class EventView:
    seq: int
    id: str
    at: Any
    type: str
    label: str
    actor_id: str | None
    role: str
    org_id: str | None
    ip: str | None
    subject_type: str | None
    subject_id: str | None
    scope_id: str | None
    payload: dict[str, Any]
    entry: str
    leaf_hash: str


def view(ev: Event) -> EventView:
    entry = entry_of(ev)
    t = EVENT_TYPES.get(ev.type)
    return EventView(
        seq=ev.seq,
        id=ev.id,
        at=ev.at,
        type=ev.type,
        label=t.label if t else ev.type,
        actor_id=ev.actor_id,
        role=ev.role,
        org_id=ev.org_id,
        ip=ev.ip,
        subject_type=ev.subject_type,
        subject_id=ev.subject_id,
        scope_id=ev.scope_id,
        payload=json.loads(ev.payload),
        entry=entry.decode(),
        leaf_hash=leaf_hash(entry).hex(),
    )


def list_events(
    session: Session,
    actor: Actor,
    *,
    type: str | None = None,
    scope: str | None = None,
    subject: str | None = None,
    before: int | None = None,
    limit: int = 50,
) -> list[EventView]:
    """Newest first. A sector supervisor sees only what their sectors' scopes resolve to (none yet)."""
    policy.ensure(actor, policy.LOG_READ)
    stmt = select(Event).order_by(Event.seq.desc()).limit(limit)
    if policy.scope_for(actor, policy.LOG_READ) is policy.Scope.SECTOR:
        stmt = stmt.where(Event.scope_id.in_(sector_scopes(session, actor)))
    stmt = stmt.where(_not_sealed(actor))
    if type:
        stmt = stmt.where(Event.type == type)
    if scope:
        stmt = stmt.where(Event.scope_id == scope)
    if subject:
        stmt = stmt.where(Event.subject_id == subject)
    if before is not None:
        stmt = stmt.where(Event.seq < before)
    return [view(e) for e in session.execute(stmt).scalars()]


def sector_scopes(session: Session, actor: Actor) -> list[str]:
    """Scope ids (projects and sections) in the actor's sectors."""
    return projects.scope_ids_in_sectors(session, actor.sectors)


def _not_sealed(actor: Actor) -> ColumnElement[bool]:
    """Who downloaded, registered or bid stays secret from every role until the opening (电子办法 art. 21);
    after it, only auditors may see it."""
    if actor.role is not Role.AUDITOR:
        return Event.type.not_in(SEALED_TYPES)
    opened = select(Section.id).where(Section.status.in_(OPENED_OR_LATER_VALUES))
    return or_(Event.type.not_in(SEALED_TYPES), Event.scope_id.in_(opened))


def get_event(session: Session, actor: Actor, seq: int) -> EventView:
    policy.ensure(actor, policy.LOG_READ)
    ev = session.get(Event, seq)
    if ev is None:
        raise NotFound("未找到该事件")
    if policy.scope_for(actor, policy.LOG_READ) is policy.Scope.SECTOR and ev.scope_id not in sector_scopes(
        session, actor
    ):
        raise NotFound("未找到该事件")
    if session.execute(select(Event.seq).where(Event.seq == seq, _not_sealed(actor))).first() is None:
        raise NotFound("未找到该事件")
    return view(ev)
