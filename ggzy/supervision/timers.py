"""定时监管 — compare each section's data once when its notice is out and once when its bids are open."""

from __future__ import annotations

from typing import Any

from ggzy.core.timers import DueSource
from ggzy.supervision import live


def sources(_ctx: Any) -> list[DueSource]:
    return [DueSource("supervision.live", live.due, live.apply)]
