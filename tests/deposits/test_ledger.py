"""The journal: balanced entries only, one entry per idempotency key, derived balances, append-only rows."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session

from ggzy.core.clock import FixedClock
from ggzy.core.db import Database
from ggzy.core.errors import Conflict, Invalid
from ggzy.deposits import ledger
from ggzy.deposits.ledger import Leg
from ggzy.deposits.states import AccountKind

BANK, PAY = AccountKind.BANK, AccountKind.PAYABLE


def legs(fen: int, org: str = "O1") -> list[Leg]:
    return [Leg(BANK, "S1", None, fen), Leg(PAY, "S1", org, -fen)]


def test_an_entry_that_does_not_balance_is_refused(session: Session, clock: FixedClock) -> None:
    with pytest.raises(Invalid, match="借贷不平衡"):
        ledger.post(
            session, key="k", kind="payment", legs=[Leg(BANK, "S1", None, 100), Leg(PAY, "S1", "O1", -99)], clock=clock
        )
    assert ledger.trial_balance(session) == 0
    assert ledger.balances(session) == {}


def test_the_same_key_twice_is_one_transfer(session: Session, clock: FixedClock) -> None:
    first, created = ledger.post(session, key="pay:1", kind="payment", legs=legs(2_000_000), clock=clock)
    again, created_again = ledger.post(session, key="pay:1", kind="payment", legs=legs(2_000_000), clock=clock)
    assert created and not created_again and again.id == first.id
    assert ledger.balance(session, BANK, "S1") == 2_000_000
    assert ledger.balance(session, PAY, "S1", "O1") == -2_000_000


@pytest.mark.parametrize("other", [legs(2_000_001), legs(2_000_000, org="O2")])
def test_the_same_key_with_another_amount_or_account_is_refused(
    session: Session, clock: FixedClock, other: list[Leg]
) -> None:
    ledger.post(session, key="pay:1", kind="payment", legs=legs(2_000_000), clock=clock)
    with pytest.raises(Conflict, match="幂等键"):
        ledger.post(session, key="pay:1", kind="payment", legs=other, clock=clock)
    assert ledger.balance(session, BANK, "S1") == 2_000_000
    assert ledger.trial_balance(session) == 0


@pytest.mark.parametrize("bad", ["1.001", "-", "abc", "NaN", "Infinity", 1.5])
def test_amounts_are_yuan_with_at_most_two_places(bad: object) -> None:
    with pytest.raises(Invalid):
        ledger.to_fen(bad)  # type: ignore[arg-type]


def test_yuan_and_fen_round_trip_exactly() -> None:
    assert ledger.to_fen("1,234.56") == 123456
    assert ledger.to_fen(Decimal("0.01")) == 1
    assert ledger.to_yuan(123456) == Decimal("1234.56")
    assert ledger.to_fen("99999999999999.99") == 9999999999999999


def test_postings_cannot_be_edited_or_deleted(session: Session, clock: FixedClock) -> None:
    ledger.post(session, key="pay:1", kind="payment", legs=legs(100), clock=clock)
    for stmt in ("UPDATE deposit_posting SET amount_fen = amount_fen + 1", "DELETE FROM deposit_entry"):
        with pytest.raises(DatabaseError, match="append-only"), session.begin_nested():
            session.execute(text(stmt))
    assert ledger.unbalanced_entries(session) == []
    assert ledger.trial_balance(session) == 0


def _pay(key: str, org: str, fen: int) -> ledger.Transfer:
    return ledger.Transfer(
        key, "payment", [Leg(AccountKind.BANK, "S1", None, fen), Leg(AccountKind.PAYABLE, "S1", org, -fen)], "S1"
    )


def test_a_batch_writes_each_entry_once_with_the_rules_of_one(session: Session, clock: FixedClock) -> None:
    batch = [_pay(f"b:{i}", f"O{i % 7}", 100 + i) for i in range(300)] + [_pay("b:3", "O3", 103)]  # a repeat in-batch
    out = ledger.post_many(session, batch, clock=clock)
    assert [c for _, c in out].count(True) == 300 and out[-1] == (out[3][0], False)
    assert ledger.trial_balance(session) == 0 and ledger.unbalanced_entries(session) == []
    assert ledger.balance(session, AccountKind.BANK, "S1") == sum(100 + i for i in range(300))
    assert ledger.balance(session, AccountKind.PAYABLE, "S1", "O0") == -sum(100 + i for i in range(0, 300, 7))
    again = ledger.post_many(session, batch[:10], clock=clock)  # a replayed batch moves nothing
    assert again == [(i, False) for i, _ in out[:10]]
    single, created = ledger.post(session, key="b:5", kind="payment", legs=batch[5].legs, clock=clock)
    assert single.id == out[5][0] and not created  # post and post_many share one journal


@pytest.mark.parametrize(
    "bad",
    [
        [_pay("m:1", "O1", 100), ledger.Transfer("m:2", "payment", [Leg(AccountKind.BANK, "S1", None, 5)])],
        [_pay("m:1", "O1", 100), _pay("m:1", "O1", 101)],  # one key, two amounts in one batch
        [_pay("m:1", "O1", 100), _pay("old", "O2", 999)],  # a key already used for another amount
    ],
)
def test_a_batch_with_one_bad_entry_writes_nothing(
    session: Session, clock: FixedClock, bad: list[ledger.Transfer]
) -> None:
    ledger.post_many(session, [_pay("old", "O2", 1)], clock=clock)
    with pytest.raises((Invalid, Conflict)):
        ledger.post_many(session, bad, clock=clock)
    assert ledger.balance(session, AccountKind.BANK, "S1") == 1 and ledger.trial_balance(session) == 0


def test_a_batch_mixing_replays_and_new_keys_writes_only_the_new(session: Session, clock: FixedClock) -> None:
    first = ledger.post_many(session, [_pay(f"x:{i}", "O1", 10 + i) for i in range(5)], clock=clock)
    mixed = [_pay(f"x:{i}", "O1", 10 + i) for i in range(3, 8)]  # x:3, x:4 again; x:5..x:7 new
    out = ledger.post_many(session, mixed, clock=clock)
    assert out[:2] == [(first[3][0], False), (first[4][0], False)] and [c for _, c in out[2:]] == [True] * 3
    assert ledger.balance(session, AccountKind.BANK, "S1") == sum(10 + i for i in range(8))
    assert len(ledger.entries_of(session, [f"x:{i}" for i in range(8)])) == 8
    changed = [_pay("x:9", "O1", 1), _pay("x:2", "O2", 12)]  # the same amount to another account: refused
    with pytest.raises(Conflict, match="x:2"):
        ledger.post_many(session, changed, clock=clock)
    assert ledger.entries_of(session, ["x:9"]) == [] and ledger.trial_balance(session) == 0


def test_concurrent_batches_of_the_same_keys_write_each_transfer_once(fresh_db: Database, clock: FixedClock) -> None:
    import threading

    batch = [_pay(f"c:{i}", f"O{i % 5}", 100 + i) for i in range(400)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)
    lock = threading.Lock()  # SQLite has one writer: its workers take turns; PostgreSQL's race

    def work(offset: int) -> None:
        try:
            barrier.wait()
            mine = batch[offset:] + batch[:offset]
            with lock if fresh_db.dialect == "sqlite" else _Null(), fresh_db.unit_of_work() as s:
                ledger.post_many(s, mine, clock=clock)
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=work, args=(k * 100,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with fresh_db.unit_of_work(write=False) as s:
        assert len(ledger.entries_of(s, [t.key for t in batch])) == 400
        assert ledger.balance(s, AccountKind.BANK, "S1") == sum(100 + i for i in range(400))
        assert ledger.trial_balance(s) == 0 and ledger.unbalanced_entries(s) == []


class _Null:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *_: object) -> None:
        return None
