"""法定期限 — a statutory clock: a rule's period counted from a start, paused and resumed, and its due day.

Days are Beijing days counted as the law counts them: the start day is not counted (民法典 art. 201), a
calendar-day period ends on the N-th day after, a working-day period on the N-th working day after (holidays
and 调休 working weekends from core.calendar). A pause (testing, expert review, a correction request:
条例 art. 61, 采购条例 art. 58) stops the count: the days after the day it began up to and including the day it
ended are not counted — as if the clock were wound back and started again on the day it resumed. While a pause
is open the due day is unknown (`due()` is None).

The same object answers "how late may one file?" (`latest_before`) for the periods the law counts backwards
from a deadline (objections ≥ 10 days before the bid deadline: 条例 art. 22).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from ggzy.core.calendar import end_of_local_day, is_working_day, local_date
from ggzy.rules.base import Rule, Unit


@dataclass(frozen=True)
class Pause:
    started: dt.datetime
    reason: str
    ended: dt.datetime | None = None

    def covers(self, day: dt.date) -> bool:
        first = local_date(self.started)
        return first < day and (self.ended is None or day <= local_date(self.ended))


@dataclass(frozen=True)
class StatutoryClock:
    rule: Rule
    started: dt.datetime
    pauses: tuple[Pause, ...] = field(default_factory=tuple)

    @property
    def working(self) -> bool:
        return self.rule.unit is Unit.WORKING_DAYS

    @property
    def days(self) -> int:
        if self.rule.unit not in (Unit.DAYS, Unit.WORKING_DAYS):
            raise ValueError(f"rule {self.rule.id} is not a period of days")
        return int(self.rule.value)

    @property
    def paused(self) -> bool:
        return any(p.ended is None for p in self.pauses)

    def pause(self, at: dt.datetime, reason: str) -> StatutoryClock:
        if self.paused:
            raise ValueError("the clock is already paused")
        return replace(self, pauses=(*self.pauses, Pause(at, reason)))

    def resume(self, at: dt.datetime) -> StatutoryClock:
        if not self.paused:
            raise ValueError("the clock is not paused")
        last = self.pauses[-1]
        return replace(self, pauses=(*self.pauses[:-1], replace(last, ended=at)))

    def _counts(self, day: dt.date) -> bool:
        if self.working and not is_working_day(day):
            return False
        return not any(p.covers(day) for p in self.pauses)

    def due(self) -> dt.date | None:
        """The last Beijing day on which the act is in time; None while paused."""
        if self.paused:
            return None
        n, day = self.days, local_date(self.started)
        while n:
            day += dt.timedelta(days=1)
            if self._counts(day):
                n -= 1
        return day

    def due_at(self) -> dt.datetime | None:
        """The end (23:59:59 Beijing) of the due day."""
        day = self.due()
        return None if day is None else end_of_local_day(day).astimezone(dt.UTC)

    def overdue(self, at: dt.datetime) -> bool:
        day = self.due()
        return day is not None and local_date(at) > day

    def counted(self, at: dt.datetime) -> int:
        """Days of the period already used up at `at` (pauses and, for working days, rest days excluded)."""
        day, end, used = local_date(self.started), local_date(at), 0
        while day < end:
            day += dt.timedelta(days=1)
            if self._counts(day):
                used += 1
        return used

    def describe(self) -> str:
        return self.rule.describe()


def latest_before(deadline: dt.datetime, rule: Rule) -> dt.date:
    """The last Beijing day that is still `rule` days before the deadline's day (条例 art. 22: ≥ 10 days before)."""
    if rule.unit is Unit.WORKING_DAYS:
        n, day = int(rule.value), local_date(deadline)
        while n:
            day -= dt.timedelta(days=1)
            if is_working_day(day):
                n -= 1
        return day
    return local_date(deadline) - dt.timedelta(days=int(rule.value))


def within(start: dt.datetime, rule: Rule, at: dt.datetime) -> bool:
    """Whether `at` falls within the period counted from `start` (e.g. 7 working days of knowing)."""
    due = StatutoryClock(rule, start).due()
    assert due is not None
    return local_date(at) <= due
