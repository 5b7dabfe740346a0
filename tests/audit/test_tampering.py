"""Tampering with the stored log, as a database superuser would, is found and named by `ggzy audit verify`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner
from sqlalchemy import Connection, text

from ggzy.cli import main
from ggzy.core import events, merkle, transparency
from ggzy.core.actor import Actor
from ggzy.core.clock import FixedClock
from ggzy.core.db import Database
from ggzy.core.keys import Keys
from ggzy.core.roles import Role
from ggzy.core.types import UtcDateTime

THING = events.event_type("test.thing_happened", "测试事件")
ORIGIN = "ggzy.localhost/log/v1"
N = 20


@pytest.fixture
def log(fresh_db: Database, clock: FixedClock, keys: Keys) -> Database:
    """Twenty committed events and two signed checkpoints (after 12 and after 20)."""
    actor = Actor("01USER", Role.BIDDER, org_id="01ORG", ip="192.0.2.1")
    for i in range(N):
        with fresh_db.unit_of_work() as s:
            events.record(s, actor, THING, clock=clock, subject=("thing", f"t{i}"), payload={"i": i})
            if i in (11, N - 1):
                transparency.sign_checkpoint(s, keys=keys, origin=ORIGIN, clock=clock)
    return fresh_db


def superuser(db: Database, sql: Callable[[Connection], None]) -> None:
    """Change the tables behind the application's back: triggers off, as an owner of the database could."""
    engine = db.bind
    with engine.begin() as c:  # type: ignore[union-attr]
        if c.dialect.name == "postgresql":
            for t in ("event", "merkle_node", "log_head", "signed_tree_head", "sealed_event", "sealed_log"):
                c.execute(text(f"ALTER TABLE {t} DISABLE TRIGGER USER"))
        else:
            names = c.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars().all()
            for name in names:
                c.execute(text(f"DROP TRIGGER {name}"))
        sql(c)


def verify(db: Database, keys: Keys) -> transparency.VerifyReport:
    with db.unit_of_work(write=False) as s:
        return transparency.verify_log(s, verifier=transparency.verifier_key(keys, ORIGIN))


COLUMNS = "id, at, type, actor_id, role, org_id, ip, subject_type, subject_id, scope_id, refs, payload, digest"


def swap(c: Connection, a: int, b: int) -> None:
    """Exchange the positions of two events, as a reordering would."""
    c.execute(text("UPDATE event SET seq = -1 WHERE seq = :a"), {"a": a})
    c.execute(text("UPDATE event SET seq = :a WHERE seq = :b"), {"a": a, "b": b})
    c.execute(text("UPDATE event SET seq = :b WHERE seq = -1"), {"b": b})


def rewrite_leaf_too(c: Connection, seq: int) -> None:
    """Edit an event and store its new leaf hash, so only the tree above it can tell."""
    c.execute(text("UPDATE event SET ip = '203.0.113.9' WHERE seq = :s"), {"s": seq})
    row = dict(c.execute(text(f"SELECT seq, {COLUMNS} FROM event WHERE seq = :s"), {"s": seq}).one()._mapping)
    if isinstance(row["at"], str):  # SQLite hands back text; the application's column type would parse it
        row["at"] = UtcDateTime().process_result_value(datetime.fromisoformat(row["at"]), c.dialect)
    leaf = merkle.leaf_hash(events.entry_of(SimpleNamespace(**row)))
    c.execute(text("UPDATE merkle_node SET hash = :h WHERE level = 0 AND idx = :s"), {"h": leaf, "s": seq})


def insert_at(c: Connection, at: int) -> None:
    for seq in range(N - 1, at - 1, -1):
        c.execute(text("UPDATE event SET seq = seq + 1 WHERE seq = :s"), {"s": seq})
    forged_columns = COLUMNS.replace("id, ", "'F' || substr(id, 2), ", 1)
    c.execute(
        text(f"INSERT INTO event (seq, {COLUMNS}) SELECT :at, {forged_columns} FROM event WHERE seq = :src"),
        {"at": at, "src": at + 1},
    )


TAMPERING = {
    "payload edited": (lambda c: c.execute(text("UPDATE event SET payload = :p WHERE seq = 7"), {"p": '{"i":700}'}), 7),
    "address edited": (lambda c: c.execute(text("UPDATE event SET ip = '203.0.113.9' WHERE seq = 7")), 7),
    "middle deleted": (lambda c: c.execute(text("DELETE FROM event WHERE seq = 5")), 5),
    "last deleted": (lambda c: c.execute(text(f"DELETE FROM event WHERE seq = {N - 1}")), N - 1),
    "reordered": (lambda c: swap(c, 3, 4), 3),
    "inserted": (lambda c: insert_at(c, 6), 6),
    "leaf hash rewritten too": (lambda c: rewrite_leaf_too(c, 9), 8),
}


def test_an_untouched_log_verifies(log: Database, keys: Keys) -> None:
    report = verify(log, keys)
    assert report.ok, report.problems
    assert (report.entries, report.checkpoints) == (N, 2)
    assert report.nodes > N - 5


@pytest.mark.parametrize("kind", list(TAMPERING))
def test_tampering_is_found_and_the_first_bad_entry_named(log: Database, keys: Keys, kind: str) -> None:
    change, first_bad = TAMPERING[kind]
    superuser(log, change)
    report = verify(log, keys)
    assert not report.ok
    assert report.first is not None
    assert report.first.seq == first_bad, report.problems
    assert f"#{first_bad}" in report.first.message


def test_a_forged_checkpoint_is_refused(log: Database, keys: Keys) -> None:
    superuser(
        log, lambda c: c.execute(text("UPDATE signed_tree_head SET root = :r WHERE size = 12"), {"r": b"\x01" * 32})
    )
    report = verify(log, keys)
    assert any("检查点 12" in p.message for p in report.problems)


def test_the_command_exits_non_zero_and_names_the_edited_row(log: Database, keys: Keys, var_dir: Path) -> None:
    env = {"GGZY_DATABASE_URL": log.url or "", "GGZY_VAR_DIR": str(var_dir)}
    ok = CliRunner().invoke(main, ["audit", "verify"], env=env)
    assert ok.exit_code == 0, ok.output
    assert f"{N} 条事件" in ok.output
    superuser(log, lambda c: c.execute(text("UPDATE event SET actor_id = '01EVIL' WHERE seq = 13")))
    bad = CliRunner().invoke(main, ["audit", "verify"], env=env)
    assert bad.exit_code == 1
    assert "事件 #13" in bad.output and "entry 13" in bad.output


@pytest.fixture
def sealed(log: Database, clock: FixedClock) -> Database:
    """Two sections' sealed logs: s1 committed at its deadline and disclosed, s2 committed and still sealed."""
    actor = Actor("01USER", Role.BIDDER, org_id="01ORG", ip="192.0.2.1")
    with log.unit_of_work() as s:
        for scope in ("s1", "s2"):
            for i in range(5):
                events.record(
                    s, actor, THING, clock=clock, scope=scope, payload={"i": i}, secret_until=events.AT_OPENING
                )
            events.commit_sealed(s, scope, clock=clock)
        events.disclose(s, "s1", clock=clock)
    return log


SEALED_TAMPERING = {
    "sealed payload edited": (
        lambda c: c.execute(
            text("UPDATE sealed_event SET payload = :p WHERE log = 's2/0' AND idx = 3"), {"p": '{"i":9}'}
        ),
        "封存日志 s2/0 事件 #3",
    ),
    "sealed event deleted": (
        lambda c: c.execute(text("DELETE FROM sealed_event WHERE log = 's2/0' AND idx = 2")),
        "封存日志 s2/0 事件 #2",
    ),
    "sealed event rewritten with its leaf": (
        lambda c: c.execute(
            text("UPDATE sealed_event SET ip = '203.0.113.9', leaf = :h WHERE log = 's2/0' AND idx = 1"),
            {"h": b"\x07" * 32},
        ),
        "封存日志 s2/0 事件 #1",
    ),
    "sealed head rewound": (
        lambda c: c.execute(text("UPDATE sealed_log SET size = 4 WHERE name = 's2/0'")),
        "封存日志 s2/0 与其日志头不符",
    ),
    "disclosed sealed row edited": (
        lambda c: c.execute(text("UPDATE sealed_event SET org_id = '01EVIL' WHERE log = 's1/0' AND idx = 0")),
        "封存日志 s1/0 事件 #0",
    ),
}


def test_untouched_sealed_logs_verify(sealed: Database, keys: Keys) -> None:
    report = verify(sealed, keys)
    assert report.ok, report.problems
    assert (report.sealed_logs, report.sealed_entries) == (2, 10)
    assert report.entries == N + 2 + 1 + 5  # two commitments, one disclosure, five copies


@pytest.mark.parametrize("kind", list(SEALED_TAMPERING))
def test_tampering_with_a_sealed_log_is_found_and_named(sealed: Database, keys: Keys, kind: str) -> None:
    change, named = SEALED_TAMPERING[kind]
    superuser(sealed, change)
    report = verify(sealed, keys)
    assert not report.ok
    assert any(named in p.message for p in report.problems), report.problems


def test_a_rewritten_sealed_log_no_longer_opens_its_deadline_commitment(sealed: Database, keys: Keys) -> None:
    """Even rewriting a sealed event, its leaf and the head consistently is caught: the commitment published in
    the public log at the deadline no longer opens."""

    def rewrite(c: Connection) -> None:
        row = dict(
            c.execute(text(f"SELECT log, idx, {COLUMNS} FROM sealed_event WHERE log = 's2/0' AND idx = 4"))
            .one()
            ._mapping
        )
        if isinstance(row["at"], str):
            row["at"] = UtcDateTime().process_result_value(datetime.fromisoformat(row["at"]), c.dialect)
        row["org_id"] = "01EVIL"
        leaf = merkle.leaf_hash(events.entry_of(SimpleNamespace(**row), public=False))
        leaves = [
            bytes(h) for h in c.execute(text("SELECT leaf FROM sealed_event WHERE log = 's2/0' ORDER BY idx")).scalars()
        ]
        leaves[4] = leaf
        frontier = merkle.Frontier()
        for h in leaves:
            frontier.append(h)
        c.execute(
            text("UPDATE sealed_event SET org_id = '01EVIL', leaf = :h WHERE log = 's2/0' AND idx = 4"), {"h": leaf}
        )
        c.execute(text("UPDATE sealed_log SET frontier = :f WHERE name = 's2/0'"), {"f": b"".join(frontier.nodes)})

    superuser(sealed, rewrite)
    report = verify(sealed, keys)
    assert [p.message for p in report.problems] == [
        "封存日志 s2/0 与截止时的承诺不符 (sealed s2/0: commitment mismatch)"
    ]
