"""Sixteen workers refunding one section at once: each refund is prepared once and paid once."""

from __future__ import annotations

import threading
from decimal import Decimal

from sqlalchemy import func, select

from ggzy.core.clock import FixedClock
from ggzy.core.db import Database
from ggzy.deposits import ledger, refunds, service
from ggzy.deposits.bank import FakeBank
from ggzy.deposits.models import Refund
from ggzy.deposits.states import AccountKind
from ggzy.entities.service import Identity
from tests.deposits.builders import a_desk, a_payment

WORKERS = 16


def test_sixteen_workers_refund_each_deposit_exactly_once(
    fresh_db: Database, clock: FixedClock, ident: Identity
) -> None:
    with fresh_db.unit_of_work() as s:
        desk = a_desk(s, clock, ident, bidders=5)
        for b in desk.bidders:
            service.record_payment(s, a_payment(desk, b, at=clock.now()), source="callback", clock=clock)
        sid, operator = desk.section.id, desk.operator.actor
    bank = FakeBank()
    lock = threading.Lock()
    errors: list[BaseException] = []
    barrier = threading.Barrier(WORKERS)

    def work() -> None:
        try:
            barrier.wait()
            for _ in range(3):  # retries, as a worker that saw a serialization error would
                try:
                    with fresh_db.unit_of_work() as s:
                        refunds.prepare_section(
                            s, operator, section_id=sid, start=clock.now(), annual_rate=Decimal("0.0035"), clock=clock
                        )
                    break
                except Exception as e:  # a lost race on SQLite's single writer or a PG deadlock: try again
                    if "locked" not in str(e) and "deadlock" not in str(e) and "could not serialize" not in str(e):
                        raise
            with fresh_db.unit_of_work() as s:
                ids = refunds.due(s, clock.now())
            for rid in ids:
                for _ in range(3):
                    try:
                        with fresh_db.unit_of_work() as s, lock if fresh_db.dialect == "sqlite" else _Null():
                            refunds.send(s, rid, bank, clock=clock)
                        break
                    except Exception as e:
                        if "locked" not in str(e):
                            raise
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with fresh_db.unit_of_work(write=False) as s:
        assert s.execute(select(func.count()).select_from(Refund)).scalar() == 5
        assert ledger.trial_balance(s) == 0
        assert ledger.balance(s, AccountKind.BANK, sid) == 0  # every deposit refunded, none twice
    assert len(bank.transfers) == 5
    assert len({t.instruction_id for t in bank.transfers}) == 5


class _Null:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *_: object) -> None:
        return None
