"""会话活动 — write out the browser activity each node noted in memory (web/deps.py reads only); forget
Idempotency-Key answers older than their retention (ggzy/core/idempotency.py)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from ggzy.core import idempotency
from ggzy.core.timers import DueSource
from ggzy.entities import auth


def sources(ctx: Any) -> list[DueSource]:
    activity: auth.SessionActivity = ctx.activity
    taken: dict[str, datetime] = {}

    def due(session: Session, now: datetime) -> Iterable[str]:
        taken.update(activity.take())
        return ["flush"] if taken else []

    def apply(session: Session, _key: str, now: datetime) -> bool:
        batch = dict(taken)
        taken.clear()
        try:
            return auth.flush_activity(session, batch) > 0
        except Exception:
            activity.put_back(batch)
            raise

    def expired(session: Session, now: datetime) -> Iterable[str]:
        return ["sweep"] if idempotency.any_expired(session, now=now) else []

    def sweep(session: Session, _key: str, now: datetime) -> bool:
        return idempotency.sweep(session, now=now) > 0

    return [DueSource("auth.session_activity", due, apply), DueSource("api.idempotency_keys", expired, sweep)]
