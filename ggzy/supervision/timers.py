"""定时监管 — compare each section's data once when its notice is out and once when its bids are open."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from ggzy.core.timers import DueSource
from ggzy.supervision import deposit_watch, live


def sources(ctx: Any) -> list[DueSource]:
    model = ctx.settings.collusion_model if ctx is not None else None

    def apply(session: Session, key: tuple[str, str], now: datetime) -> bool:
        return live.apply(session, key, now, collusion_model=model)

    return [
        DueSource("supervision.live", live.due, apply),
        DueSource("supervision.refunds_overdue", deposit_watch.due, deposit_watch.apply),
    ]
