"""Procedures as rows and the working-day calendar: periods counted as the law counts them."""

from __future__ import annotations

import datetime as dt

import pytest

from ggzy.core import calendar
from ggzy.core.clock import SHANGHAI
from ggzy.rules.procedures import PROCEDURES, Method, procedure


def at(y: int, m: int, d: int, h: int = 10) -> dt.datetime:
    return dt.datetime(y, m, d, h, tzinfo=SHANGHAI)


def test_every_procedure_states_its_minimum_bidders_and_periods_with_articles() -> None:
    assert set(PROCEDURES) == set(Method)
    for p in PROCEDURES.values():
        assert p.min_bidders >= 1 and str(p.min_bidders_citation)
        assert p.bid_period.days > 0 and "《" in str(p.bid_period.citation)
    assert procedure(Method.SINGLE_SOURCE).min_bidders == 1
    assert procedure(Method.OPEN_TENDER).min_bidders == 3


def test_the_tender_period_is_twenty_calendar_days_from_the_day_after_issue() -> None:
    p = procedure(Method.OPEN_TENDER).bid_period
    assert not p.working and p.days == 20
    assert p.earliest(at(2026, 11, 26)) == dt.date(2026, 12, 16)
    assert "《招标投标法》第24条" in p.describe()


def test_documents_in_government_procurement_stay_available_five_working_days() -> None:
    p = procedure(Method.GP_OPEN_TENDER).documents_available
    assert p is not None and p.working
    assert p.earliest(at(2026, 11, 26)) == dt.date(2026, 12, 3)  # Thu → Fri, Mon, Tue, Wed, Thu


def test_official_holidays_and_swapped_working_days_count_as_the_state_council_set_them() -> None:
    assert not calendar.is_working_day(dt.date(2026, 10, 1))  # National Day
    assert calendar.is_working_day(dt.date(2026, 10, 10))  # a Saturday worked in exchange (调休)
    assert not calendar.is_working_day(dt.date(2026, 11, 28))  # an ordinary Saturday
    assert calendar.add_working_days(dt.date(2026, 9, 30), 1) == dt.date(2026, 10, 8)
    assert calendar.working_days_between(dt.date(2026, 9, 30), dt.date(2026, 10, 10)) == 3


def test_a_year_the_package_does_not_cover_falls_back_to_weekdays_and_says_so() -> None:
    assert calendar.covered(2026)
    assert not calendar.covered(2099)
    assert calendar.is_working_day(dt.date(2099, 1, 2))  # a Friday
    assert not calendar.is_working_day(dt.date(2099, 1, 3))  # a Saturday


def test_negative_working_days_are_refused() -> None:
    with pytest.raises(ValueError, match="n must be"):
        calendar.add_working_days(dt.date(2026, 1, 1), -1)
