"""A process killed between the bank instruction and its confirmation: on restart the refund is
confirmed, not lost and not paid twice (the bank here keeps its books in a file, as a real bank
keeps them outside our process)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import asdict
from decimal import Decimal
from pathlib import Path

from ggzy.core.clock import FixedClock
from ggzy.core.db import Database
from ggzy.deposits import ledger, refunds, service
from ggzy.deposits.bank import BankAnswer, Instruction
from ggzy.deposits.models import Refund
from ggzy.deposits.states import AccountKind, RefundReason, RefundStatus
from ggzy.entities.service import Identity
from tests.deposits.builders import a_desk, a_payment

ROOT = Path(__file__).resolve().parents[2]


class FileBank:
    """A bank whose books outlive the platform's process; `die_after_paying` kills the caller mid-call."""

    def __init__(self, path: Path, *, die_after_paying: bool = False) -> None:
        self.path, self.die = path, die_after_paying

    def _books(self) -> dict[str, dict[str, object]]:
        return json.loads(self.path.read_text()) if self.path.exists() else {}

    def instruct(self, instruction: Instruction) -> BankAnswer:
        books = self._books()
        if instruction.instruction_id not in books:
            books[instruction.instruction_id] = asdict(instruction)
            self.path.write_text(json.dumps(books))
            if self.die:
                os._exit(9)  # killed after the bank paid, before the platform heard the answer
        return BankAnswer(instruction.instruction_id, "done", bank_ref="BK1")

    def status(self, instruction_id: str) -> BankAnswer | None:
        return BankAnswer(instruction_id, "done", bank_ref="BK1") if instruction_id in self._books() else None


CHILD = """
import sys
from pathlib import Path
from ggzy.core.clock import FixedClock
from ggzy.core.db import Database
from ggzy.deposits import refunds
from tests.deposits.test_crash import FileBank
from datetime import datetime
db = Database.from_url(sys.argv[1])
clock = FixedClock(datetime.fromisoformat(sys.argv[3]))
with db.unit_of_work() as s:
    refunds.send(s, sys.argv[4], FileBank(Path(sys.argv[2]), die_after_paying=True), clock=clock)
"""


def test_a_refund_survives_a_crash_between_instruction_and_confirmation(
    fresh_db: Database, clock: FixedClock, ident: Identity, tmp_path: Path
) -> None:
    assert fresh_db.url is not None
    with fresh_db.unit_of_work() as s:
        desk = a_desk(s, clock, ident, bidders=1)
        b = desk.bidders[0]
        service.record_payment(s, a_payment(desk, b, at=clock.now()), source="callback", clock=clock)
        r = refunds.prepare(
            s,
            b.actor,
            section_id=desk.section.id,
            org_id=b.user.org_id or "",
            reason=RefundReason.WITHDRAWN,
            start=clock.now(),
            annual_rate=Decimal("0.0035"),
            clock=clock,
        )
        assert r is not None
        rid, sid = r.id, desk.section.id
    books = tmp_path / "bank.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.run(
        [sys.executable, "-c", CHILD, fresh_db.url, str(books), clock.now().isoformat(), rid],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert child.returncode == 9, child.stderr
    assert len(json.loads(books.read_text())) == 1  # the bank paid
    with fresh_db.unit_of_work(write=False) as s:
        assert s.get(Refund, rid).status == RefundStatus.PREPARED.value  # the platform never heard it: rolled back
        assert ledger.balance(s, AccountKind.TRANSIT, sid, b.user.org_id) == -2_000_000  # not lost: in transit
    with fresh_db.unit_of_work() as s:  # the restarted node's tick
        for due in refunds.due(s, clock.now()):
            refunds.send(s, due, FileBank(books), clock=clock)
    with fresh_db.unit_of_work(write=False) as s:
        assert s.get(Refund, rid).status == RefundStatus.CONFIRMED.value
        assert ledger.balance(s, AccountKind.BANK, sid) == 0
        assert ledger.trial_balance(s) == 0
    assert len(json.loads(books.read_text())) == 1  # paid once
