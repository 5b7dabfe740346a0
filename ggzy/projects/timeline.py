"""项目时间线 — a project's history from the one event log, with sealed steps hidden until the opening."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ggzy.core import policy
from ggzy.core.actor import Actor
from ggzy.core.events import EVENT_TYPES, Event
from ggzy.projects import queries
from ggzy.projects.models import Project
from ggzy.projects.states import SectionStatus

# Event types that reveal who took part before the opening (registrations, downloads, bids).
SEALED_TYPES = frozenset(
    {"bidding.documents_downloaded", "bidding.registered", "bidding.bid_sealed", "bidding.bid_withdrawn"}
)


@dataclass(frozen=True)
class Step:
    seq: int
    at: datetime
    label: str
    role: str
    detail: str


def unopened_scopes(session: Session, scope_ids: list[str]) -> set[str]:
    from ggzy.projects.models import Section

    rows = session.execute(select(Section.id, Section.status).where(Section.id.in_(scope_ids)))
    return {sid for sid, status in rows if not SectionStatus(status).opened}


def of_project(session: Session, actor: Actor, project: Project, limit: int = 300) -> list[Step]:
    policy.ensure(actor, policy.PROJECT_READ, queries.subject_of(project))
    scopes = [project.id, *(s.id for s in queries.sections_of(session, project.id))]
    rows = session.execute(select(Event).where(Event.scope_id.in_(scopes)).order_by(Event.seq).limit(limit)).scalars()
    hidden = unopened_scopes(session, scopes)
    out = []
    for e in rows:
        if e.type in SEALED_TYPES and (e.scope_id in hidden or actor.role.value != "auditor"):
            continue  # secret until the opening; after it, only auditors see who took part (电子办法 art. 21)
        t = EVENT_TYPES.get(e.type)
        payload = json.loads(e.payload)
        detail = str(payload.get("reason") or payload.get("number") or payload.get("title") or "")
        out.append(Step(e.seq, e.at, t.label if t else e.type, e.role, detail))
    return out
