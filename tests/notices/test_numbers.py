"""Notice numbers: one more than the highest of the kind and year, and a number another node took in the meantime
makes this one take the next, instead of a server error (N3: several app nodes on one database)."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from ggzy.core.actor import system
from ggzy.core.clock import FixedClock
from ggzy.notices import service
from ggzy.notices.models import Notice
from ggzy.notices.states import NoticeKind


def _publish(session: Session, clock: FixedClock, title: str) -> Notice:
    return service.publish(
        session,
        system(),
        kind=NoticeKind.TENDER,
        title=title,
        body="正文",
        buyer="新乡市第一中学",
        region="410702",
        category="construction",
        method="open_tender",
        clock=clock,
    )


def test_a_number_taken_by_another_node_meanwhile_gives_the_next_one(
    session: Session, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _publish(session, clock, "新乡市第一中学综合楼招标公告")
    assert first.number.endswith("000001")
    real = service._number
    calls: list[str] = []

    def stale(s: Session, kind: NoticeKind, year: int) -> str:  # what a node read before the other committed
        calls.append("x")
        return first.number if len(calls) == 1 else real(s, kind, year)

    monkeypatch.setattr(service, "_number", stale)
    second = _publish(session, clock, "新乡市第一中学食堂招标公告")
    assert second.number.endswith("000002") and len(calls) == 2
    assert session.get(Notice, first.id) is not None and first.number.endswith("000001")
