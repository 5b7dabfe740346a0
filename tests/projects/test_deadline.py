"""The bid deadline fires by itself, once: bidding closes, or the tender fails when too few bids came in."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ggzy.bidding.keys import KeyEnv
from ggzy.core import timers
from ggzy.core.clock import FixedClock
from ggzy.core.db import Database
from ggzy.core.events import Event
from ggzy.core.files import FileStore
from ggzy.core.keys import Keys
from ggzy.entities.service import Identity
from ggzy.notices import queries as notices
from ggzy.projects import publication
from ggzy.projects import timers as deadline
from ggzy.projects.models import Section
from tests.trade import World, a_published_section, a_sealed_bid, a_world


@pytest.fixture
def world(session: Session, clock: FixedClock, ident: Identity, opening_env: KeyEnv) -> World:
    return a_world(session, clock, ident, opening_env)


def test_nothing_happens_before_the_deadline(
    session: Session, clock: FixedClock, world: World, files: FileStore, opening_env: KeyEnv
) -> None:
    section = a_published_section(session, clock, world, files, opening_env)
    assert not deadline.reach_deadline(session, section.id, clock.now())
    assert section.status == "bidding"


def test_with_enough_bids_bidding_closes_for_the_opening(
    session: Session, clock: FixedClock, world: World, files: FileStore, opening_env: KeyEnv, keys: Keys
) -> None:
    section = a_published_section(session, clock, world, files, opening_env)
    for b in world.bidders:
        a_sealed_bid(session, clock, files, keys, section, b)
    assert section.bid_deadline is not None
    clock.set(section.bid_deadline)
    assert deadline.reach_deadline(session, section.id, clock.now())
    assert section.status == "closed" and section.next_due_at is None
    assert not deadline.reach_deadline(session, section.id, clock.now()), "a second firing does nothing"


def test_with_too_few_bids_the_tender_fails_and_the_notice_says_so(
    session: Session, clock: FixedClock, world: World, files: FileStore, opening_env: KeyEnv, keys: Keys
) -> None:
    section = a_published_section(session, clock, world, files, opening_env)
    for b in world.bidders[:2]:
        a_sealed_bid(session, clock, files, keys, section, b)
    assert section.bid_deadline is not None
    clock.set(section.bid_deadline + timedelta(minutes=1))
    deadline.reach_deadline(session, section.id, clock.now())
    assert section.status == "failed" and "2家" in section.outcome_note and "第28条" in section.outcome_note
    failed = notices.of_section(session, section.id, "failed")
    assert len(failed) == 1 and "不予开标" in failed[0].body
    publication.retender(session, world.tenderer.actor, section_id=section.id, clock=clock)
    assert (section.status, section.round) == ("preparing", 2)


def test_two_app_nodes_ticking_at_once_close_a_section_once(
    fresh_db: Database, clock: FixedClock, ident: Identity, opening_env: KeyEnv, keys: Keys, files: FileStore
) -> None:
    with fresh_db.unit_of_work() as s:
        world = a_world(s, clock, ident, opening_env)
        section = a_published_section(s, clock, world, files, opening_env)
        for b in world.bidders:
            a_sealed_bid(s, clock, files, keys, section, b)
        section_id, when = section.id, section.bid_deadline
    assert when is not None
    sources = deadline.sources(None)
    reports: list[timers.TickReport] = []
    threads = [
        threading.Thread(target=lambda: reports.append(timers.tick(fresh_db, sources, when + timedelta(seconds=1))))
        for _ in range(2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r.applied for r in reports) == 1 and sum(r.failed for r in reports) == 0
    with fresh_db.unit_of_work(write=False) as s:
        closed = s.execute(select(func.count()).select_from(Event).where(Event.type == "projects.bidding_closed"))
        assert closed.scalar_one() == 1
        assert s.get(Section, section_id).status == "closed"  # type: ignore[union-attr]
