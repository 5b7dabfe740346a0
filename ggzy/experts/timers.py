"""定时 — draw once the seed is known (a checkpoint after the commitment), and replace experts who did not
answer in time; both found from stored facts alone, both idempotent."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from ggzy.core.clock import FixedClock
from ggzy.core.timers import DueSource
from ggzy.experts import queries, service
from ggzy.experts.models import Draw
from ggzy.experts.states import DrawStatus


def sources(ctx: Any) -> list[DueSource]:
    def draw(session: Session, draw_id: str, now: datetime) -> bool:
        d = session.get(Draw, draw_id)
        if d is None or d.status != DrawStatus.COMMITTED.value:
            return False
        service.perform_draw(session, draw_id=draw_id, clock=FixedClock(now), notifier=ctx.notifier)
        return True

    def expire(session: Session, invitation_id: str, now: datetime) -> bool:
        return service.expire(session, invitation_id=invitation_id, clock=FixedClock(now), notifier=ctx.notifier)

    return [
        DueSource("experts.draw", lambda s, _now: queries.due_draws(s), draw),
        DueSource("experts.answers", queries.due_answers, expire),
    ]
