"""The opening: key holders' shares rebuild the key in memory; every bid is decrypted and published."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ggzy.bidding import keys as opening_keys
from ggzy.bidding import opening
from ggzy.bidding.models import Bid, SealedShare, SubmittedShare
from ggzy.core.clock import FixedClock
from ggzy.core.errors import Conflict, Forbidden, RuleViolation
from ggzy.core.files import FileStore
from ggzy.core.keys import Keys
from ggzy.entities.service import Identity
from ggzy.notices import queries as notices
from ggzy.projects import timers as deadline
from ggzy.projects.models import Section
from ggzy.sealing import keystore
from tests.builders import PASSWORD
from tests.trade import World, a_published_section, a_sealed_bid, a_world, an_envelope


@pytest.fixture
def world(session: Session, clock: FixedClock, ident: Identity, opening_env: opening_keys.KeyEnv) -> World:
    return a_world(session, clock, ident, opening_env, bidders=4)


def closed_section(
    session: Session,
    clock: FixedClock,
    world: World,
    files: FileStore,
    env: opening_keys.KeyEnv,
    keys: Keys,
    prices: tuple[str, ...] = ("4800000.00", "4750000.50", "4901234.56"),
) -> Section:
    section = a_published_section(session, clock, world, files, env)
    for bidder, price in zip(world.bidders, prices, strict=False):
        a_sealed_bid(session, clock, files, keys, section, bidder, price=price)
    assert section.bid_deadline is not None
    clock.set(section.bid_deadline)
    deadline.reach_deadline(session, section.id, clock.now())
    return section


def share(
    session: Session,
    clock: FixedClock,
    holder: object,
    section: Section,
    files: FileStore,
    env: opening_keys.KeyEnv,
    password: str = PASSWORD,
) -> opening.ShareState:
    return opening.submit_share(
        session,
        holder.actor,
        section_id=section.id,
        password=password,
        clock=clock,
        env=env,
        files=files,  # type: ignore[attr-defined]
    )


def test_no_share_is_taken_before_the_deadline(
    session: Session, clock: FixedClock, world: World, files: FileStore, opening_env: opening_keys.KeyEnv
) -> None:
    section = a_published_section(session, clock, world, files, opening_env)
    with pytest.raises(RuleViolation, match="投标截止并满足开标条件后"):
        share(session, clock, world.operator, section, files, opening_env)


def test_two_shares_open_every_bid_and_publish_the_record_with_the_prices(
    session: Session, clock: FixedClock, world: World, files: FileStore, opening_env: opening_keys.KeyEnv, keys: Keys
) -> None:
    section = closed_section(session, clock, world, files, opening_env, keys)
    first = share(session, clock, world.supervisor, section, files, opening_env)
    assert (first.submitted, first.opened) == (["supervision"], False)
    assert section.status == "closed"
    done = share(session, clock, world.tenderer, section, files, opening_env)
    assert done.opened and section.status == "opened" and section.opened_at is not None
    rows = opening.opening_rows(session, section)
    assert sorted(str(r.price) for r in rows) == ["4750000.50", "4800000.00", "4901234.56"]
    record = notices.of_section(session, section.id, "opening")[0]
    assert "4,750,000.50" in record.body and "4,901,234.56" in record.body
    assert session.execute(select(func.count()).select_from(SubmittedShare)).scalar_one() == 0
    assert all(b.archive_path for b in session.execute(select(Bid)).scalars())


def test_a_wrong_password_a_stranger_and_a_second_share_of_one_holder_are_refused(
    session: Session, clock: FixedClock, world: World, files: FileStore, opening_env: opening_keys.KeyEnv, keys: Keys
) -> None:
    section = closed_section(session, clock, world, files, opening_env, keys)
    with pytest.raises(keystore.WrongPassword):
        share(session, clock, world.operator, section, files, opening_env, password="Not-My-Password-1")
    with pytest.raises(Forbidden):
        share(session, clock, world.bidders[0], section, files, opening_env)
    share(session, clock, world.operator, section, files, opening_env)
    with pytest.raises(Conflict, match="已经提交过"):
        share(session, clock, world.operator, section, files, opening_env)


def test_a_share_sealed_for_another_section_does_not_open_this_one(
    session: Session, clock: FixedClock, world: World, files: FileStore, opening_env: opening_keys.KeyEnv, keys: Keys
) -> None:
    section = closed_section(session, clock, world, files, opening_env, keys)
    other = a_published_section(session, clock, world, files, opening_env)
    mine = session.get(SealedShare, (section.id, 1, world.operator.user.id))
    theirs = session.get(SealedShare, (other.id, 1, world.operator.user.id))
    assert mine is not None and theirs is not None
    mine.blob = theirs.blob  # a share reused from another section
    with pytest.raises(keystore.ShareUnreadable):
        share(session, clock, world.operator, section, files, opening_env)


def test_a_bid_that_cannot_be_decrypted_is_recorded_with_whose_fault_and_the_others_open(
    session: Session, clock: FixedClock, world: World, files: FileStore, opening_env: opening_keys.KeyEnv, keys: Keys
) -> None:
    section = a_published_section(session, clock, world, files, opening_env)
    good = [a_sealed_bid(session, clock, files, keys, section, b) for b in world.bidders[:2]]
    envelope = an_envelope(section, world.bidders[2], 1, price="100.00", files=[("a.pdf", b"x" * 5000)])
    broken = a_sealed_bid(session, clock, files, keys, section, world.bidders[2], data=envelope[:-40] + b"\x00" * 40)
    fourth = a_sealed_bid(session, clock, files, keys, section, world.bidders[3])
    with open(files.path(fourth.envelope_path), "r+b") as f:  # the platform's copy is damaged after the receipt
        f.seek(300)
        f.write(b"\xff")
    assert section.bid_deadline is not None
    clock.set(section.bid_deadline + timedelta(seconds=1))
    deadline.reach_deadline(session, section.id, clock.now())
    share(session, clock, world.operator, section, files, opening_env)
    share(session, clock, world.supervisor, section, files, opening_env)
    assert [b.status for b in good] == ["opened", "opened"]
    assert broken.status == "failed" and "投标人原因，视为撤销" in broken.failure
    assert fourth.status == "failed" and "平台原因，视为撤回" in fourth.failure
    assert "视为撤销" in notices.of_section(session, section.id, "opening")[0].body


def test_only_the_latest_sealed_version_is_opened(
    session: Session, clock: FixedClock, world: World, files: FileStore, opening_env: opening_keys.KeyEnv, keys: Keys
) -> None:
    section = a_published_section(session, clock, world, files, opening_env)
    old = a_sealed_bid(session, clock, files, keys, section, world.bidders[0], price="1.00")
    for b in world.bidders[:3]:
        a_sealed_bid(session, clock, files, keys, section, b)
    assert section.bid_deadline is not None
    clock.set(section.bid_deadline)
    deadline.reach_deadline(session, section.id, clock.now())
    share(session, clock, world.operator, section, files, opening_env)
    share(session, clock, world.supervisor, section, files, opening_env)
    assert old.status == "superseded" and old.opened_at is None and old.price is None
    assert "1.00" not in [str(r.price) for r in opening.opening_rows(session, section)]
