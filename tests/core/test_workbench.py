"""待办 — each workbench row says how long is left before its deadline, or how long it is overdue (issue 13 item 1:
"each workbench lists what is due, by deadline")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ggzy.core.workbench import remaining

NOW = datetime(2026, 12, 4, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("delta", "text", "overdue"),
    [
        (timedelta(days=3, hours=4, minutes=10), "还剩3天4小时", False),
        (timedelta(days=20), "还剩20天", False),
        (timedelta(hours=5, minutes=30), "还剩5小时30分钟", False),
        (timedelta(hours=2), "还剩2小时", False),
        (timedelta(minutes=7, seconds=30), "还剩7分钟", False),
        (timedelta(seconds=20), "还剩1分钟", False),
        (timedelta(0), "还剩0分钟", False),
        (-timedelta(minutes=20), "已逾期20分钟", True),
        (-timedelta(days=2, hours=1), "已逾期2天1小时", True),
    ],
)
def test_the_time_left_reads_as_a_person_says_it(delta: timedelta, text: str, overdue: bool) -> None:
    assert remaining(NOW + delta, NOW) == (text, overdue)


def test_an_item_without_a_deadline_says_nothing() -> None:
    assert remaining(None, NOW) == ("", False)
