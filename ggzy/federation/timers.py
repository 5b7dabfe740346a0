"""接入平台定时任务 — screen pushed trades changed since they were last screened; push our own releases upstream
when this platform is itself accredited by another."""

from __future__ import annotations

from typing import Any

from ggzy.core.timers import DueSource
from ggzy.federation import outbox, screening


def sources(ctx: Any) -> list[DueSource]:
    out = [DueSource("federation.screen", screening.due, screening.apply)]
    pusher = outbox.Pusher.from_settings(ctx.settings) if ctx is not None else None
    if pusher is not None:
        out.append(DueSource("federation.push", pusher.due, pusher.apply))
    return out
