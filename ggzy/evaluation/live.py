"""在线监督评标 — what a supervisor sees of an evaluation as it happens (T13), built from the event log:
who (by seat) has submitted, clarifications, quote rounds, clearing signs, flags, the report's digest.
Never a score before every member has submitted, never an expert's name before the report.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ggzy.core.clock import SHANGHAI
from ggzy.core.events import EVENT_TYPES, Event, LoggedEvent
from ggzy.core.pubsub import Bus
from ggzy.evaluation import queries
from ggzy.evaluation.models import Evaluation
from ggzy.evaluation.states import EvaluationStatus

PREFIX = "evaluation."


def channel(section_id: str) -> str:
    return f"evaluation:{section_id}"


def timeline(session: Session, section_id: str, limit: int = 50) -> list[dict[str, Any]]:
    stmt = (
        select(Event)
        .where(Event.scope_id == section_id, Event.type.like(PREFIX + "%"))
        .order_by(Event.seq.desc())
        .limit(limit)
    )
    out = []
    for ev in session.execute(stmt).scalars():
        payload = json.loads(ev.payload or "{}")
        seat = payload.get("seat")
        label = EVENT_TYPES[ev.type].label if ev.type in EVENT_TYPES else ev.type
        out.append(
            {
                "seq": ev.seq,
                "at": f"{ev.at.astimezone(SHANGHAI):%H:%M:%S}",
                "label": label + (f"（专家{seat}）" if seat else ""),
            }
        )
    return out


def snapshot(session: Session, e: Evaluation) -> dict[str, Any]:
    members = queries.members(session, e.id)
    questions = queries.questions(session, e.id)
    revealed = queries.is_revealed(e)
    result = json.loads(e.result or "{}")
    ranking = []
    if revealed:
        ranking = [
            {
                "rank": b.rank,
                "name": b.name,
                "price": f"{b.evaluated:,.2f}" if b.evaluated is not None else "—",
                "total": str(b.total) if b.total is not None else "",
            }
            for b in queries.bids(session, e.id)
            if b.rank is not None
        ]
    return {
        "type": "snapshot",
        "status": EvaluationStatus(e.status).label,
        "members": [{"seat": m.seat, "chair": m.is_chair, "submitted": m.submitted_at is not None} for m in members],
        "submitted": sum(1 for m in members if m.submitted_at is not None),
        "size": len(members),
        "questions": len(questions),
        "answered": sum(1 for q in questions if q.answered_at is not None),
        "round": e.quote_round,
        "signs": len(json.loads(e.signs)),
        "outliers": len(result.get("outliers", [])),
        "ranking": ranking,
        "report_sha256": e.report_sha256 or "",
        "timeline": timeline(session, e.section_id),
    }


def forwarder(bus: Bus) -> Callable[[list[LoggedEvent]], None]:
    """An `events.on_commit` listener: each committed evaluation event wakes the section's live pages."""

    def listener(new: list[LoggedEvent]) -> None:
        for ev in new:
            if ev.type.startswith(PREFIX) and ev.scope_id:
                bus.publish(channel(ev.scope_id), {"type": "event", "event": ev.type})

    return listener
