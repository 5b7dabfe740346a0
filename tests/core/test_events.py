"""The event log in the database: one event per change in the same transaction, no gaps, proofs, no edits."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Connection, event, func, select, text
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session

from ggzy.core import events, merkle, note, transparency
from ggzy.core.actor import Actor, system
from ggzy.core.clock import FixedClock
from ggzy.core.db import Database
from ggzy.core.events import Event, MerkleNode, SealedEvent, SignedTreeHead
from ggzy.core.keys import Keys
from ggzy.core.roles import Role
from tests.core.test_merkle import mth

THING = events.event_type("test.thing_happened", "测试事件")
ACTOR = Actor("01USER", Role.OPERATOR, org_id="01ORG", ip="10.0.0.7")


def append(session: Session, clock: FixedClock, n: int, **payload: object) -> list[Event]:
    return [
        events.record(session, ACTOR, THING, clock=clock, subject=("thing", str(i)), payload={"i": i, **payload})
        for i in range(n)
    ]


def entries(session: Session) -> list[bytes]:
    rows = session.execute(select(Event).order_by(Event.seq)).scalars()
    return [events.entry_of(e) for e in rows]


def test_an_event_carries_who_when_where_what(session: Session, clock: FixedClock) -> None:
    ev = events.record(
        session,
        ACTOR,
        THING,
        clock=clock,
        subject=("thing", "t1"),
        scope="p1",
        refs={"lot": "l1"},
        payload={"price": Decimal("12.30"), "name": "a\nb\x1b[31m"},
    )
    stored = session.get(Event, ev.seq)
    assert stored is not None
    assert (stored.actor_id, stored.role, stored.org_id, stored.ip) == ("01USER", "operator", "01ORG", "10.0.0.7")
    assert stored.at == clock.now()
    assert (stored.type, stored.subject_type, stored.subject_id, stored.scope_id) == (THING, "thing", "t1", "p1")
    assert stored.payload == '{"name":"a\\nb\\u001b[31m","price":"12.30"}'  # control characters stay escaped
    assert stored.digest == events.payload_digest(stored.payload)


def test_unknown_event_types_and_floats_are_refused(session: Session, clock: FixedClock) -> None:
    with pytest.raises(ValueError, match="unknown event type"):
        events.record(session, ACTOR, "test.undeclared", clock=clock)
    with pytest.raises(TypeError, match="floats"):
        events.record(session, ACTOR, THING, clock=clock, payload={"price": 1.5})


def test_the_tree_in_the_database_is_the_rfc_tree(session: Session, clock: FixedClock) -> None:
    append(session, clock, 37)
    data = entries(session)
    head = transparency.tree_head(session)
    assert head.size == 37 and head.root() == mth(data)
    for size in (1, 2, 5, 16, 17, 37):
        assert transparency.root_at(session, size) == mth(data[:size])
        for index in {0, size // 2, size - 1}:
            proof = transparency.inclusion_proof(session, index, size)
            assert merkle.verify_inclusion(index, size, merkle.leaf_hash(data[index]), proof, mth(data[:size]))
        for first in {1, size // 3 or 1, size}:
            proof = transparency.consistency_proof(session, first, size)
            assert merkle.verify_consistency(first, size, mth(data[:first]), mth(data[:size]), proof)


def test_proofs_are_refused_outside_the_tree(session: Session, clock: FixedClock) -> None:
    append(session, clock, 4)
    for index, size in ((4, 4), (0, 5), (0, 0)):
        with pytest.raises(ValueError, match="outside"):
            transparency.inclusion_proof(session, index, size)
    with pytest.raises(ValueError, match="first"):
        transparency.consistency_proof(session, 0, 4)


def test_the_event_rolls_back_with_the_change(db: Database, clock: FixedClock) -> None:
    with db.unit_of_work() as s:
        before = transparency.tree_head(s).size
    with pytest.raises(RuntimeError), db.unit_of_work() as s:
        append(s, clock, 1)
        raise RuntimeError("the business step failed after the event was written")
    with db.unit_of_work() as s:
        assert transparency.tree_head(s).size == before
        assert s.execute(select(func.count()).select_from(Event)).scalar_one() == before


def test_checkpoints_are_signed_only_when_the_log_grew_and_stay_consistent(
    session: Session, clock: FixedClock, keys: Keys
) -> None:
    vkey = transparency.verifier_key(keys, "ggzy.test/log")
    assert transparency.sign_checkpoint(session, keys=keys, origin="ggzy.test/log", clock=clock) is None
    append(session, clock, 3)
    first = transparency.sign_checkpoint(session, keys=keys, origin="ggzy.test/log", clock=clock)
    assert first is not None and first.size == 3
    assert transparency.sign_checkpoint(session, keys=keys, origin="ggzy.test/log", clock=clock) is None
    append(session, clock, 6)
    second = transparency.sign_checkpoint(session, keys=keys, origin="ggzy.test/log", clock=clock)
    assert second is not None and second.size == 9
    for sth in (first, second):
        cp = note.Checkpoint.parse(note.open_note(sth.note, [vkey]))
        assert (cp.origin, cp.size, cp.root) == ("ggzy.test/log", sth.size, bytes(sth.root))
    proof = transparency.consistency_proof(session, 3, 9)
    assert merkle.verify_consistency(3, 9, bytes(first.root), bytes(second.root), proof)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE event SET payload = '{}'",
        "DELETE FROM event",
        "UPDATE merkle_node SET hash = hash",
        "DELETE FROM merkle_node",
        "DELETE FROM signed_tree_head",
        "UPDATE log_head SET size = 0",
        "DELETE FROM log_head",
        "UPDATE sealed_event SET payload = '{}'",
        "DELETE FROM sealed_event",
        "UPDATE sealed_log SET size = 0",
        "UPDATE sealed_log SET nonce = frontier",
        "DELETE FROM sealed_log",
    ],
)
def test_the_database_refuses_to_change_the_log(
    session: Session, clock: FixedClock, keys: Keys, statement: str
) -> None:
    append(session, clock, 2)
    seal(session, clock, "s1", 2)
    transparency.sign_checkpoint(session, keys=keys, origin="o", clock=clock)
    session.flush()
    with pytest.raises(DatabaseError, match="append-only"), session.begin_nested():
        session.execute(text(statement))


@pytest.mark.parametrize(
    "table", ["event", "merkle_node", "signed_tree_head", "log_head", "sealed_event", "sealed_log"]
)
def test_the_database_refuses_to_empty_a_log_table_at_once(
    session: Session, clock: FixedClock, keys: Keys, table: str
) -> None:
    """PostgreSQL: TRUNCATE (which row triggers do not see). SQLite has no TRUNCATE; its equivalent is a DELETE
    without WHERE, which SQLite runs as a truncate unless a trigger forbids it. Either way the rows stay."""
    append(session, clock, 2)
    seal(session, clock, "s1", 2)
    transparency.sign_checkpoint(session, keys=keys, origin="o", clock=clock)
    session.flush()
    dialect = session.get_bind().dialect.name
    statement = f"TRUNCATE {table}" if dialect == "postgresql" else f"DELETE FROM {table}"
    count = text(f"SELECT count(*) FROM {table}")
    before = session.execute(count).scalar_one()
    assert before > 0
    with pytest.raises(DatabaseError, match="append-only"), session.begin_nested():
        session.execute(text(statement))
    assert session.execute(count).scalar_one() == before


def test_concurrent_writers_leave_no_gaps(fresh_db: Database, clock: FixedClock) -> None:
    """16 writers × 25 events at once: sequence numbers 0..399 exactly once, root equals the oracle."""
    errors: list[BaseException] = []

    def writer(w: int) -> None:
        try:
            for i in range(25):
                with fresh_db.unit_of_work() as s:
                    events.record(s, system(), THING, clock=clock, payload={"w": w, "i": i})
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    with fresh_db.unit_of_work(write=False) as s:
        seqs = list(s.execute(select(Event.seq).order_by(Event.seq)).scalars())
        assert seqs == list(range(400))
        assert transparency.tree_head(s).root() == mth(entries(s))
        assert s.execute(select(func.count()).select_from(MerkleNode).where(MerkleNode.level == 0)).scalar() == 400
        assert s.execute(select(func.count()).select_from(SignedTreeHead)).scalar() == 0


# --- secret events: the sealed log of their scope, disclosed as one --------------------------------------------


def seal(session: Session, clock: FixedClock, scope: str, n: int) -> list[events.LoggedEvent]:
    return [
        events.record(session, ACTOR, THING, clock=clock, scope=scope, payload={"i": i}, secret_until=events.AT_OPENING)
        for i in range(n)
    ]


def test_a_secret_event_moves_nothing_of_the_public_log(session: Session, clock: FixedClock) -> None:
    append(session, clock, 3)
    session.commit()
    heard: list[events.LoggedEvent] = []
    stop = events.on_commit(heard.extend)
    try:
        with session.begin_nested():
            sealed = seal(session, clock, "s1", 4) + seal(session, clock, "s2", 2)
        session.commit()
    finally:
        stop()
    assert heard == []
    assert transparency.tree_head(session).size == 3
    assert session.execute(select(func.count()).select_from(Event)).scalar_one() == 3
    assert [(e.seq, e.sealed_log, e.sealed_idx) for e in sealed] == [
        *((None, "s1/0", i) for i in range(4)),
        *((None, "s2/0", i) for i in range(2)),
    ]
    with pytest.raises(ValueError, match="scope"):
        events.record(session, ACTOR, THING, clock=clock, secret_until=events.AT_OPENING)


def test_a_time_already_past_records_publicly(session: Session, clock: FixedClock) -> None:
    ev = events.record(session, ACTOR, THING, clock=clock, scope="s1", secret_until=clock.now())
    assert ev.seq == 0 and ev.sealed_log is None
    later = events.record(session, ACTOR, THING, clock=clock, scope="s1", secret_until=clock.now() + timedelta(1))
    assert later.seq is None and later.sealed_log == "s1/0"


def test_a_sealed_event_rolls_back_with_the_change(session: Session, clock: FixedClock) -> None:
    seal(session, clock, "s1", 1)
    with pytest.raises(RuntimeError), session.begin_nested():
        seal(session, clock, "s1", 2)
        raise RuntimeError("the bid could not be stored")
    assert session.execute(select(func.count()).select_from(SealedEvent)).scalar_one() == 1
    assert [e.sealed_idx for e in seal(session, clock, "s1", 1)] == [1]


def test_commitment_then_disclosure_opens_the_sealed_log_into_the_public_one(
    session: Session, clock: FixedClock
) -> None:
    append(session, clock, 2)
    sealed = seal(session, clock, "s1", 5)
    committed = events.commit_sealed(session, "s1", clock=clock)
    assert committed is not None and committed.seq == 2
    assert events.commit_sealed(session, "s1", clock=clock) is None  # idempotent
    seal(session, clock, "s1", 1)  # after the deadline commitment: still sealed, outside the committed prefix
    disclosure = events.disclose(session, "s1", clock=clock)
    assert disclosure is not None and disclosure.seq == 3
    assert events.disclose(session, "s1", clock=clock) is None  # idempotent
    copies = session.execute(select(Event).where(Event.sealed_log == "s1/0").order_by(Event.seq)).scalars().all()
    assert [(c.seq, c.sealed_idx, c.id) for c in copies[:5]] == [(4 + i, i, e.id) for i, e in enumerate(sealed)]
    assert transparency.tree_head(session).size == 4 + 6
    body = json.loads(disclosure.payload)
    assert body["size"] == 6 and body["committed_size"] == 5
    p = transparency.sealed_proof(session, sealed[2].id)
    assert (p.index, p.size, p.copy_seq, p.disclosure_seq, p.commitment_seq) == (2, 6, 6, 3, 2)
    assert merkle.verify_inclusion(2, 6, p.leaf, p.proof, p.root) and p.root.hex() == body["root"]
    assert p.committed_root is not None
    assert (
        events.commitment(bytes.fromhex(body["nonce"]), 5, p.committed_root)
        == json.loads(committed.payload)["commitment"]
    )
    assert merkle.verify_consistency(5, 6, p.committed_root, p.root, p.consistency)
    # A scope never sealed into is disclosed all the same (an empty log), so a disclosure says nothing by itself.
    empty = events.disclose(session, "s2", clock=clock)
    assert empty is not None and json.loads(empty.payload)["size"] == 0
    # A new secret event in a disclosed scope starts the scope's next sealed log.
    assert seal(session, clock, "s1", 1)[0].sealed_log == "s1/1"
    with pytest.raises(LookupError):
        transparency.sealed_proof(session, "01NOSUCHEVENT0000000000000")


def test_commitments_hide_whether_anything_was_sealed(session: Session, clock: FixedClock) -> None:
    seal(session, clock, "busy", 3)
    a = events.commit_sealed(session, "busy", clock=clock)
    b = events.commit_sealed(session, "idle", clock=clock)
    assert a is not None and b is not None
    assert {len(json.loads(e.payload)["commitment"]) for e in (a, b)} == {64}
    assert json.loads(b.payload)["commitment"] != events.commitment(b"\0" * 32, 0, merkle.EMPTY_ROOT)


def test_checkpoints_follow_a_fixed_schedule_and_only_the_public_log(
    session: Session, clock: FixedClock, keys: Keys
) -> None:
    def due(minutes_later: float) -> bool:
        return transparency.checkpoint_due(session, clock.now() + timedelta(minutes=minutes_later), minutes=10)

    assert not due(0)  # nothing to sign
    append(session, clock, 1)
    assert due(0)
    transparency.sign_checkpoint(session, keys=keys, origin="o", clock=clock)
    append(session, clock, 1)
    period_left = 10 - (clock.now().timestamp() / 60) % 10
    assert not due(period_left - 0.01) and due(period_left)  # the next period, not the next event
    seal(session, clock, "s1", 3)
    transparency.sign_checkpoint(session, keys=keys, origin="o", clock=clock)
    assert not due(period_left + 30)  # secret events never make a checkpoint due


def test_the_log_hooks_belong_to_the_platforms_sessions_only(db: Database, clock: FixedClock) -> None:
    """A session made outside `Database` (another tool on the same engine) carries no buffer and no listener."""
    from sqlalchemy.orm import Session as PlainSession

    for name, fn in events._SESSION_HOOKS:
        assert not event.contains(PlainSession, name, fn)
        assert event.contains(db._writer, name, fn)
    with db.unit_of_work() as s:
        append(s, clock, 1)
        assert s.info.get(events._CONN_KEY) is not None
    assert isinstance(db.bind, Connection)
    for name, fn in events._CONNECTION_HOOKS:
        assert event.contains(db.bind, name, fn)
