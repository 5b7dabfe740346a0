"""工作日历 — calendar and working days with China's official holidays and swapped working days (调休).

Holidays come from the maintained `chinesecalendar` package. For a year it does not cover yet
(the State Council publishes each year's arrangement late in the previous year), the calendar
falls back to Monday–Friday and says so: `covered(year)` is False and pages show a warning.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import chinese_calendar

from ggzy.core.clock import SHANGHAI


@lru_cache(maxsize=64)
def covered(year: int) -> bool:
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def is_working_day(day: dt.date) -> bool:
    if covered(day.year):
        return bool(chinese_calendar.is_workday(day))
    return day.weekday() < 5


def add_working_days(start: dt.date, n: int) -> dt.date:
    """The n-th working day after `start` (the start day itself is not counted, as the law counts)."""
    if n < 0:
        raise ValueError("n must be ≥ 0")
    day = start
    while n:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            n -= 1
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end`."""
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count


def local_date(at: dt.datetime) -> dt.date:
    """The calendar date in Beijing of an instant (legal periods count Beijing days)."""
    return at.astimezone(SHANGHAI).date()


def end_of_local_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=SHANGHAI)
