"""门户公告 — what the home page lists: the latest notices, as plain values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from ggzy.notices import queries
from ggzy.notices.states import NoticeKind


@dataclass(frozen=True)
class PortalNotice:
    title: str
    url: str
    published_at: datetime
    kind_label: str


def latest_notices(session: Session, *, limit: int = 10) -> list[PortalNotice]:
    return [
        PortalNotice(n.title, f"/notices/{n.number}", n.published_at, NoticeKind(n.kind).label)
        for n in queries.latest(session, limit=limit)
    ]
