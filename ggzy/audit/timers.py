"""定时签名 — sign a new checkpoint whenever the log has grown; purge expired sign-in sessions."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ggzy.core import transparency
from ggzy.core.clock import FixedClock
from ggzy.core.events import HEAD_ID, LogHead
from ggzy.core.timers import DueSource
from ggzy.entities import auth


def sources(ctx: Any) -> list[DueSource]:
    def due_checkpoint(session: Session, now: datetime) -> Iterable[int]:
        size = session.execute(select(LogHead.size).where(LogHead.id == HEAD_ID)).scalar_one()
        last = transparency.latest_checkpoint(session)
        return [size] if size > (last.size if last else 0) else []

    def sign(session: Session, _size: int, now: datetime) -> bool:
        sth = transparency.sign_checkpoint(
            session, keys=ctx.keys, origin=ctx.settings.log_origin, clock=FixedClock(now)
        )
        return sth is not None

    def due_sessions(session: Session, now: datetime) -> Iterable[str]:
        return ["purge"]

    def purge(session: Session, _key: str, now: datetime) -> bool:
        return auth.purge_expired_sessions(session, now=now, ident=ctx.ident) > 0

    return [
        DueSource("log.sign_checkpoint", due_checkpoint, sign),
        DueSource("auth.purge_sessions", due_sessions, purge),
    ]
