"""待办 — an item of "what is due next" on a workbench; domains contribute them, the shell lists them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class DueItem:
    title: str
    url: str
    due_at: datetime | None = None  # a deadline: the row says how long is left, or how long it is overdue
    basis: str = ""  # the rule that sets the date, e.g. 《招标投标法》第24条
    since: datetime | None = None  # no deadline, but waiting since then (a registration, a room opened)


def remaining(due_at: datetime | None, now: datetime) -> tuple[str, bool]:
    """How long is left before an item's deadline, as a person reads it (还剩3天4小时 / 已逾期20分钟), and whether it
    is overdue. Days and hours for long spans, hours and minutes for short ones; no deadline, no text."""
    if due_at is None:
        return "", False
    seconds = int((due_at - now).total_seconds())
    overdue = seconds < 0
    minutes = abs(seconds) // 60
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        span = f"{days}天{hours}小时" if hours else f"{days}天"
    elif hours:
        span = f"{hours}小时{mins}分钟" if mins else f"{hours}小时"
    else:
        span = f"{max(mins, 1) if seconds else 0}分钟"
    return (f"已逾期{span}" if overdue else f"还剩{span}"), overdue
