"""会话活动 — write out the browser activity each node noted in memory (web/deps.py reads only)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

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

    return [DueSource("auth.session_activity", due, apply)]
