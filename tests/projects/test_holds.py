"""Holds (ggzy/core/holds.py): an open case stops the deadline and the opening, names itself, and once lifted
the trade moves again; the time held is measured once for overlapping holds."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from ggzy.bidding import keys as opening_keys
from ggzy.core import holds
from ggzy.core.actor import system
from ggzy.core.clock import FixedClock
from ggzy.core.errors import RuleViolation
from ggzy.core.files import FileStore
from ggzy.core.keys import Keys
from ggzy.entities.service import Identity
from ggzy.projects import timers as deadline
from tests.trade import a_published_section, a_sealed_bid, a_world, hand_in

Step = holds.Step


def test_a_hold_stops_the_deadline_and_the_opening_until_it_is_lifted(
    session: Session, clock: FixedClock, ident: Identity, files: FileStore, opening_env: opening_keys.KeyEnv, keys: Keys
) -> None:
    world = a_world(session, clock, ident, opening_env, bidders=3)
    section = a_published_section(session, clock, world, files, opening_env)
    for b in world.bidders:
        a_sealed_bid(session, clock, files, keys, section, b, price="4800000.00")
    me = system()
    h = holds.place(
        session,
        me,
        section_id=section.id,
        steps={Step.DEADLINE, Step.OPENING},
        case_number="YY-1",
        reason="异议处理",
        clock=clock,
    )
    assert section.bid_deadline is not None
    clock.set(section.bid_deadline + timedelta(minutes=1))
    assert deadline.reach_deadline(session, section.id, clock.now()) is False
    assert section.status == "bidding"
    holds.lift(session, me, hold_id=h.id, clock=clock)
    assert deadline.reach_deadline(session, section.id, clock.now()) is True
    assert section.status == "closed"
    h2 = holds.place(
        session, me, section_id=section.id, steps={Step.OPENING}, case_number="TS-7", reason="投诉处理", clock=clock
    )
    hand_in(session, clock, world.supervisor, section, files, opening_env)
    with pytest.raises(RuleViolation) as refused:
        hand_in(session, clock, world.tenderer, section, files, opening_env)
    assert "TS-7" in str(refused.value) and refused.value.code == "trade-suspended"
    assert section.status == "closed"
    holds.lift(session, me, hold_id=h2.id, clock=clock)
    assert holds.holding(session, section.id, Step.OPENING) is None


def test_the_time_held_counts_overlapping_holds_once_and_only_for_the_step_asked(
    session: Session, clock: FixedClock, ident: Identity, files: FileStore, opening_env: opening_keys.KeyEnv
) -> None:
    world = a_world(session, clock, ident, opening_env, bidders=1)
    section = a_published_section(session, clock, world, files, opening_env)
    me, start = system(), clock.now()
    a = holds.place(session, me, section_id=section.id, steps={Step.AWARD}, case_number="A", reason="异议", clock=clock)
    clock.set(start + timedelta(days=1))
    b = holds.place(
        session,
        me,
        section_id=section.id,
        steps={Step.AWARD, Step.SIGNING},
        case_number="B",
        reason="投诉",
        clock=clock,
    )
    clock.set(start + timedelta(days=2))
    holds.lift(session, me, hold_id=a.id, clock=clock)
    clock.set(start + timedelta(days=4))
    holds.lift(session, me, hold_id=b.id, clock=clock)
    until = start + timedelta(days=10)
    assert holds.suspended_for(session, section.id, Step.AWARD, until=until) == timedelta(days=4)
    assert holds.suspended_for(session, section.id, Step.SIGNING, until=until) == timedelta(days=3)
    assert holds.suspended_for(session, section.id, Step.OPENING, until=until) == timedelta(0)
    with pytest.raises(ValueError, match="at least one step"):
        holds.place(session, me, section_id=section.id, steps=set(), case_number="C", reason="x", clock=clock)
