"""Statutory clocks across the 2026 Spring Festival (调休: Sat 14 and Sat 28 Feb worked) and National Day
(1–7 Oct off, Sat 10 Oct worked), on both regimes, with pauses."""

from __future__ import annotations

import datetime as dt

from ggzy.core.clock import SHANGHAI
from ggzy.rules import procurement, tendering
from ggzy.rules.clocks import StatutoryClock, latest_before, within


def at(y: int, m: int, d: int, h: int = 10) -> dt.datetime:
    return dt.datetime(y, m, d, h, tzinfo=SHANGHAI)


def test_a_working_day_clock_skips_national_day_and_counts_the_swapped_saturday() -> None:
    # 质疑 answered within 7 working days (采购法 art. 53), received Wed 30 Sep 2026:
    # 1–7 Oct are holidays; Thu 8, Fri 9, Sat 10 (调休, worked), Mon 12, Tue 13, Wed 14, Thu 15.
    clock = StatutoryClock(procurement.CHALLENGE_ANSWER, at(2026, 9, 30))
    assert clock.due() == dt.date(2026, 10, 15)
    assert not clock.overdue(at(2026, 10, 15, 23)) and clock.overdue(at(2026, 10, 16, 0))


def test_without_the_swapped_saturday_the_due_day_would_be_a_day_later() -> None:
    """The 调休 Saturday matters: counted as a plain weekend the answer would be due on Fri 16 Oct."""
    clock = StatutoryClock(procurement.CHALLENGE_ANSWER, at(2026, 9, 30))
    assert clock.counted(at(2026, 10, 10)) == 3  # Thu 8, Fri 9, Sat 10
    assert clock.counted(at(2026, 10, 11)) == 3  # Sunday 11 is a rest day


def test_a_calendar_day_clock_runs_through_the_holiday() -> None:
    # 招标人答复异议 3 days (条例 art. 22), received 30 Sep: due 3 Oct although it is a holiday.
    assert StatutoryClock(tendering.OBJECTION_ANSWER, at(2026, 9, 30)).due() == dt.date(2026, 10, 3)


def test_the_works_complaint_acceptance_counts_working_days_across_the_spring_festival() -> None:
    # 3 working days (条例 art. 61) from Fri 13 Feb 2026: Sat 14 (调休), then 15–23 Feb off, Tue 24, Wed 25.
    assert StatutoryClock(tendering.COMPLAINT_ACCEPT, at(2026, 2, 13)).due() == dt.date(2026, 2, 25)


def test_a_procurement_complaint_window_of_15_working_days_over_the_spring_festival() -> None:
    # 15 working days after the answer period ended Thu 12 Feb (采购法 art. 55):
    # Fri 13, Sat 14 (调休), Tue 24 … Fri 27, Sat 28 (调休) = 7, then 2–6 Mar = 12, 9–11 Mar = 15.
    assert StatutoryClock(procurement.COMPLAINT_WITHIN, at(2026, 2, 12)).due() == dt.date(2026, 3, 11)


def test_a_pause_for_expert_review_moves_the_decision_day() -> None:
    # 30 working days (条例 art. 61) from Mon 2 Nov 2026; an expert review from Wed 4 to Wed 11 Nov
    # excludes 5 working days (Thu 5, Fri 6, Mon 9, Tue 10, Wed 11).
    clock = StatutoryClock(tendering.COMPLAINT_DECIDE, at(2026, 11, 2))
    plain = clock.due()
    paused = clock.pause(at(2026, 11, 4), "专家评审")
    assert paused.paused and paused.due() is None
    resumed = paused.resume(at(2026, 11, 11))
    assert plain == dt.date(2026, 12, 14)
    assert resumed.due() == dt.date(2026, 12, 21)


def test_a_pause_over_a_holiday_excludes_only_the_days_it_covers() -> None:
    # Procurement decision (30 working days, 采购法 art. 56) from Mon 21 Sep 2026 (Fri 25 Sep is 中秋, 1–7 Oct
    # 国庆, Sat 10 Oct worked): due Mon 9 Nov. Testing from 25 Sep to 9 Oct holds Mon 28–Wed 30 Sep, Thu 8 and
    # Fri 9 Oct = 5 working days, so the decision is due 5 working days later, Mon 16 Nov.
    clock = StatutoryClock(procurement.COMPLAINT_DECIDE, at(2026, 9, 21))
    resumed = clock.pause(at(2026, 9, 25), "检测").resume(at(2026, 10, 9))
    assert clock.due() == dt.date(2026, 11, 9)
    assert resumed.due() == dt.date(2026, 11, 16)


def test_objection_to_documents_must_come_ten_days_before_the_deadline() -> None:
    deadline = at(2026, 10, 20, 9)
    assert latest_before(deadline, tendering.OBJECTION_TO_DOCUMENTS) == dt.date(2026, 10, 10)
    assert latest_before(deadline, tendering.OBJECTION_TO_PREQUALIFICATION) == dt.date(2026, 10, 18)


def test_a_challenge_within_seven_working_days_of_knowing() -> None:
    known = at(2026, 9, 29)  # Tue; then Wed 30 Sep, Thu 8, Fri 9, Sat 10, Mon 12, Tue 13, Wed 14 Oct
    assert within(known, procurement.CHALLENGE_WITHIN, at(2026, 10, 14, 20))
    assert not within(known, procurement.CHALLENGE_WITHIN, at(2026, 10, 15, 8))
