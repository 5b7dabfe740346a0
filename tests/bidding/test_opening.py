"""The opening: after the deadline each holder's client unwraps its shares on its own side; with two holder
bodies' shares every bid's key is rebuilt in memory, every bid decrypted and the record published. The
platform alone — all of its tables, files and keys — opens nothing (issue 8, finding 6)."""

from __future__ import annotations

import base64
import json
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from ggzy import sealing
from ggzy.bidding import keyholder, opening
from ggzy.bidding import keys as opening_keys
from ggzy.bidding.models import Bid, HolderKey, OpeningRecipient, SubmittedShare
from ggzy.core.clock import FixedClock
from ggzy.core.db import Database
from ggzy.core.errors import Conflict, DomainError, Forbidden, Invalid, RuleViolation
from ggzy.core.events import Event
from ggzy.core.files import FileStore
from ggzy.core.keys import Keys
from ggzy.entities.service import Identity
from ggzy.notices import queries as notices
from ggzy.projects import queries as projects
from ggzy.projects import timers as deadline
from ggzy.projects.models import Section
from ggzy.sealing import p256
from tests.builders import Person, a_user
from tests.trade import HOLDER_KEYS, World, a_published_section, a_sealed_bid, a_world, an_envelope, hand_in


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


def test_no_share_is_handed_out_or_taken_before_the_deadline(
    session: Session, clock: FixedClock, world: World, files: FileStore, opening_env: opening_keys.KeyEnv, keys: Keys
) -> None:
    section = a_published_section(session, clock, world, files, opening_env)
    a_sealed_bid(session, clock, files, keys, section, world.bidders[0])
    with pytest.raises(RuleViolation, match="投标截止并满足开标条件后"):
        opening.holder_work(session, world.operator.actor, section_id=section.id, clock=clock, files=files)
    with pytest.raises(RuleViolation, match="投标截止并满足开标条件后"):
        opening.submit_shares(
            session, world.operator.actor, section_id=section.id, shares={}, clock=clock, env=opening_env, files=files
        )


def test_the_holders_client_refuses_to_unwrap_before_the_deadline_whatever_the_platform_says(
    session: Session, clock: FixedClock, world: World, files: FileStore, opening_env: opening_keys.KeyEnv, keys: Keys
) -> None:
    section = a_published_section(session, clock, world, files, opening_env)
    bid = a_sealed_bid(session, clock, files, keys, section, world.bidders[0])
    assert section.bid_deadline is not None
    with open(files.path(bid.envelope_path), "rb") as f:
        header = sealing.read_header(f).raw
    private = HOLDER_KEYS[world.operator.user.id].private
    early = section.bid_deadline - timedelta(hours=1)
    with pytest.raises(keyholder.TooEarly):  # the platform reports the true deadline
        keyholder.unwrap_shares({bid.id: header}, private, index=1, now=early, deadline=section.bid_deadline)
    with pytest.raises(keyholder.TooEarly):  # a lying platform claims it has passed: the bid itself says otherwise
        keyholder.unwrap_shares({bid.id: header}, private, index=1, now=early, deadline=early - timedelta(days=1))
    after = keyholder.unwrap_shares(
        {bid.id: header}, private, index=1, now=section.bid_deadline, deadline=section.bid_deadline
    )
    assert after[bid.id] is not None and len(base64.b64decode(after[bid.id] or "")) == 66


def test_two_holder_bodies_open_every_bid_and_publish_the_record_with_the_prices(
    session: Session, clock: FixedClock, world: World, files: FileStore, opening_env: opening_keys.KeyEnv, keys: Keys
) -> None:
    section = closed_section(session, clock, world, files, opening_env, keys)
    first = hand_in(session, clock, world.supervisor, section, files, opening_env)
    assert (first.submitted, first.opened) == (["supervision"], False)
    assert section.status == "closed"
    done = hand_in(session, clock, world.tenderer, section, files, opening_env)  # the centre's key is not needed
    assert done.opened and section.status == "opened" and section.opened_at is not None
    assert section.next_due_at is None
    rows = opening.opening_rows(session, section)
    assert sorted(str(r.price) for r in rows) == ["4750000.50", "4800000.00", "4901234.56"]
    record = notices.of_section(session, section.id, "opening")[0]
    assert "4,750,000.50" in record.body and "4,901,234.56" in record.body
    assert session.execute(select(func.count()).select_from(SubmittedShare)).scalar_one() == 0
    assert all(b.archive_path for b in session.execute(select(Bid)).scalars())


def _everything_the_platform_has(session: Session, files: FileStore, keys: Keys, var: Path) -> bytes:
    """Every value of every table, every stored file and the platform's master-derived keys, as one haystack."""
    hay = bytearray()
    sqlite = session.get_bind().dialect.name == "sqlite"
    query = (
        "SELECT name FROM sqlite_master WHERE type = 'table'"
        if sqlite
        else "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
    )
    tables = [r[0] for r in session.execute(text(query))]
    assert "holder_key" in tables and "bid" in tables
    for table in tables:
        for row in session.execute(text(f'SELECT * FROM "{table}"')):
            for value in row:
                hay += value if isinstance(value, bytes) else str(value).encode()
                hay += b"\x00"
    for path in sorted(var.rglob("*")):
        if path.is_file():
            hay += path.read_bytes()
    hay += keys.derive("column:shares") + keys.derive("archive:v1")
    return bytes(hay)


def test_the_platform_holds_no_holder_private_key_and_alone_or_with_one_holder_opens_nothing(
    session: Session,
    clock: FixedClock,
    world: World,
    files: FileStore,
    opening_env: opening_keys.KeyEnv,
    keys: Keys,
    tmp_path: Path,
) -> None:
    section = closed_section(session, clock, world, files, opening_env, keys)
    session.flush()
    hay = _everything_the_platform_has(session, files, keys, tmp_path)
    for pair in HOLDER_KEYS.values():
        scalar = bytes(pair.private.buffer)
        for form in (scalar, scalar.hex().encode(), base64.b64encode(scalar)):
            assert form not in hay
    stored = [record for (record,) in session.execute(select(HolderKey.record))]
    assert stored and all(set(json.loads(r)) == {"v", "public"} for r in stored)
    recipients = session.execute(select(OpeningRecipient)).scalars().all()
    assert {r.public_key for r in recipients} <= {p.public for p in HOLDER_KEYS.values()}
    # the platform forcing the opening with one holder's shares: no bid opens, no price shows
    hand_in(session, clock, world.operator, section, files, opening_env)
    rows = opening.open_section(
        session,
        world.operator.actor,
        section=section,
        project=projects.get_project(session, section.project_id),
        clock=clock,
        env=opening_env,
        files=files,
    )
    assert rows and all(r.price is None and r.status == "解密失败" for r in rows), rows
    assert all("分片" in r.note for r in rows)


def test_a_stranger_and_a_second_hand_in_of_one_holder_body_are_refused(
    session: Session,
    clock: FixedClock,
    world: World,
    files: FileStore,
    opening_env: opening_keys.KeyEnv,
    keys: Keys,
    ident: Identity,
) -> None:
    section = closed_section(session, clock, world, files, opening_env, keys)
    with pytest.raises(Forbidden):
        hand_in(session, clock, world.bidders[0], section, files, opening_env)
    late = a_user(session, clock, ident, role=world.operator.role)  # registered no key before publication
    with pytest.raises(Forbidden, match="不是本标段开标密钥的持有人"):
        opening.holder_work(session, late.actor, section_id=section.id, clock=clock, files=files)
    hand_in(session, clock, world.operator, section, files, opening_env)
    with pytest.raises(Conflict, match="已经提交过"):
        hand_in(session, clock, world.operator, section, files, opening_env)


def test_a_share_that_is_not_the_committed_one_is_refused_and_nothing_is_stored(
    session: Session, clock: FixedClock, world: World, files: FileStore, opening_env: opening_keys.KeyEnv, keys: Keys
) -> None:
    section = closed_section(session, clock, world, files, opening_env, keys)
    actor = world.operator.actor
    work = opening.holder_work(session, actor, section_id=section.id, clock=clock, files=files)
    shares = keyholder.unwrap_shares(
        {b.bid_id: b.header for b in work.bids},
        HOLDER_KEYS[world.operator.user.id].private,
        index=work.index,
        now=clock.now(),
        deadline=work.deadline,
    )
    first = sorted(shares)[0]
    bad = bytearray(base64.b64decode(shares[first] or ""))
    bad[-1] ^= 1
    forged = shares | {first: base64.b64encode(bytes(bad)).decode()}
    with pytest.raises(Invalid, match="承诺值不符"):
        opening.submit_shares(
            session, actor, section_id=section.id, shares=forged, clock=clock, env=opening_env, files=files
        )
    with pytest.raises(Invalid, match="不一致"):
        opening.submit_shares(
            session,
            actor,
            section_id=section.id,
            shares=dict(list(shares.items())[1:]),
            clock=clock,
            env=opening_env,
            files=files,
        )
    assert session.execute(select(func.count()).select_from(SubmittedShare)).scalar_one() == 0


def test_a_key_registered_by_a_holder_is_checked_and_replaces_the_old_one_for_new_sections(
    session: Session, clock: FixedClock, world: World, files: FileStore, opening_env: opening_keys.KeyEnv
) -> None:
    with pytest.raises(Invalid, match="P-256"):
        opening_keys.register_holder_key(session, world.operator.actor, public_key=b"\x04" + b"\x00" * 64, clock=clock)
    with pytest.raises(Forbidden):
        opening_keys.register_holder_key(
            session, world.bidders[0].actor, public_key=p256.generate().public, clock=clock
        )
    old = a_published_section(session, clock, world, files, opening_env)
    new_pair = p256.generate()
    opening_keys.register_holder_key(session, world.operator.actor, public_key=new_pair.public, clock=clock)
    new = a_published_section(session, clock, world, files, opening_env)
    uid = world.operator.user.id
    assert opening_keys.recipient_of(session, old.id, 1, uid).public_key == HOLDER_KEYS[uid].public  # type: ignore[union-attr]
    assert opening_keys.recipient_of(session, new.id, 1, uid).public_key == new_pair.public  # type: ignore[union-attr]


def test_a_bid_that_cannot_be_decrypted_is_recorded_with_whose_fault_and_the_others_open(
    session: Session, clock: FixedClock, world: World, files: FileStore, opening_env: opening_keys.KeyEnv, keys: Keys
) -> None:
    section = a_published_section(session, clock, world, files, opening_env)
    good = [a_sealed_bid(session, clock, files, keys, section, b) for b in world.bidders[:2]]
    envelope = an_envelope(section, world.bidders[2], 1, price="100.00", files=[("a.pdf", b"x" * 5000)])
    broken = a_sealed_bid(session, clock, files, keys, section, world.bidders[2], data=envelope[:-40] + b"\x00" * 40)
    fourth = a_sealed_bid(session, clock, files, keys, section, world.bidders[3])
    with open(files.path(fourth.envelope_path), "r+b") as f:  # the platform's copy is damaged after the receipt
        f.seek(3000)
        f.write(b"\xff")
    assert section.bid_deadline is not None
    clock.set(section.bid_deadline + timedelta(seconds=1))
    deadline.reach_deadline(session, section.id, clock.now())
    hand_in(session, clock, world.operator, section, files, opening_env)
    hand_in(session, clock, world.supervisor, section, files, opening_env)
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
    hand_in(session, clock, world.operator, section, files, opening_env)
    hand_in(session, clock, world.supervisor, section, files, opening_env)
    assert old.status == "superseded" and old.opened_at is None and old.price is None
    assert "1.00" not in [str(r.price) for r in opening.opening_rows(session, section)]


def test_two_last_shares_handed_in_at_once_open_the_section_once(
    fresh_db: Database,
    clock: FixedClock,
    ident: Identity,
    files: FileStore,
    opening_env: opening_keys.KeyEnv,
    keys: Keys,
) -> None:
    """Two holders at two nodes hand in at the same moment, after a first one: one of them opens, the other is told
    the section is opened — never two opening records (the section is locked while shares are handed in)."""
    with fresh_db.unit_of_work() as s:
        world = a_world(s, clock, ident, opening_env, bidders=3)
        section = closed_section(s, clock, world, files, opening_env, keys)
        section_id = section.id
    with fresh_db.unit_of_work() as s:
        first = hand_in(s, clock, world.operator, s.get(Section, section_id), files, opening_env)  # type: ignore[arg-type]
        assert not first.opened
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    pg = fresh_db.dialect == "postgresql"  # SQLite writers take the lock at BEGIN: there they meet before it

    def holder(person: Person) -> None:
        try:
            if not pg:
                barrier.wait()
            with fresh_db.unit_of_work() as s:
                target = s.get(Section, section_id)
                assert target is not None
                if pg:
                    barrier.wait()
                outcomes.append("opened" if hand_in(s, clock, person, target, files, opening_env).opened else "not")
        except DomainError as exc:
            outcomes.append(exc.code)

    threads = [threading.Thread(target=holder, args=(p,)) for p in (world.supervisor, world.tenderer)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["not-closed", "opened"], outcomes  # unlocked, the second share stayed stored
    with fresh_db.unit_of_work(write=False) as s:
        opened = s.execute(select(func.count()).select_from(Event).where(Event.type == "bidding.section_opened"))
        assert opened.scalar_one() == 1
        assert len(notices.of_section(s, section_id, "opening")) == 1
        assert s.execute(select(func.count()).select_from(SubmittedShare)).scalar_one() == 0  # none outlives it
