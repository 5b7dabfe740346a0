"""培训模式 — a sandbox where every legal period is shorter by a factor, so a whole tender runs in minutes.

As Prozorro's `accelerator`: a period of D from a start S ends at S + D / factor. `accelerate` is the
one place the factor is applied; every legal period goes through it (rules/procedures.Period.earliest_at).

The mode is recorded in the database, so that trades made for real and trades made for practice never
mix: a database that holds real trades refuses to run in training mode, and a training database refuses
to run without it (`ensure_mode`, called when the server or a command starts). Pages show a banner.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Integer
from sqlalchemy.orm import Mapped, Session, mapped_column

from ggzy.core import events
from ggzy.core.acceleration import REAL, accelerate
from ggzy.core.actor import system
from ggzy.core.clock import Clock
from ggzy.core.db import Base
from ggzy.core.errors import DomainError
from ggzy.core.types import UtcDateTime

__all__ = ["REAL", "accelerate"]

MAX_FACTOR = 100_000
DEMO_FACTOR = 1440  # a day becomes a minute: a 20-day tender period takes 20 minutes

TRAINING_RECORDED = events.event_type("platform.training_mode", "以培训模式运行（期限按比例缩短）", public=True)


class PlatformMode(Base):
    """One row (id 1) when the database is a training database; none for a real one."""

    __tablename__ = "platform_mode"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    training_factor: Mapped[int] = mapped_column(Integer)
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class ModeMismatch(DomainError):
    status = 409
    code = "training-mode-mismatch"
    title = "运行模式与数据库不符"


def factor(session: Session) -> int:
    """The database's factor: 1 for a real database."""
    row = session.get(PlatformMode, 1)
    return row.training_factor if row is not None else REAL


def ensure_mode(session: Session, *, wanted: int, has_trades: bool, clock: Clock) -> int:
    """Check (and, for a new training database, record) the mode; raise ModeMismatch when they differ."""
    if not REAL <= wanted <= MAX_FACTOR:
        raise ModeMismatch(f"培训模式倍数须在 {REAL} 至 {MAX_FACTOR} 之间", code="bad-training-factor")
    row = session.get(PlatformMode, 1)
    if row is None:
        if wanted == REAL:
            return REAL
        if has_trades:
            raise ModeMismatch(
                "该数据库中已有以正式模式办理的交易，不能以培训模式运行；请为培训另建数据库", code="real-database"
            )
        session.add(PlatformMode(id=1, training_factor=wanted, recorded_at=clock.now()))
        events.record(session, system(), TRAINING_RECORDED, clock=clock, payload={"factor": wanted})
        return wanted
    if wanted == REAL:
        raise ModeMismatch(
            f"该数据库是培训数据库（期限缩短为 1/{row.training_factor}），不能以正式模式运行："
            f"请设置 GGZY_TRAINING_FACTOR={row.training_factor}",
            code="training-database",
        )
    if wanted != row.training_factor:
        raise ModeMismatch(
            f"该培训数据库的期限倍数为 {row.training_factor}，请设置 GGZY_TRAINING_FACTOR={row.training_factor}",
            code="training-factor-changed",
        )
    return wanted
