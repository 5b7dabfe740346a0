"""Issue 11's "done when": in the demo city, the trades that reached their contract show every security refunded
with interest — the cash ones confirmed by the bank, the ring's money (paid from one account that is no member's
basic account) sent back to that account, and one security by guarantee, released."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ggzy import demo
from ggzy.bidding.keys import KeyEnv
from ggzy.core.clock import FixedClock
from ggzy.core.files import FileStore
from ggzy.core.keys import Keys
from ggzy.deposits import ledger
from ggzy.deposits.models import Guarantee, Payment, Refund
from ggzy.deposits.states import AccountKind, GuaranteeStatus, PaymentStatus, RefundStatus
from ggzy.entities.service import Identity
from ggzy.projects.models import Section


def test_the_demo_citys_concluded_trades_refund_every_security_with_interest(
    session: Session,
    clock: FixedClock,
    ident: Identity,
    files: FileStore,
    opening_env: KeyEnv,
    keys: Keys,
    tmp_path: Path,
) -> None:
    from ggzy.core import transparency

    def checkpoint(s: Session, c: object) -> object:  # the experts' draws need a signed checkpoint
        return transparency.sign_checkpoint(s, keys=keys, origin="demo.test/log", clock=c)  # type: ignore[arg-type]

    kit = demo.TradeKit(files=files, env=opening_env, signer=keys.log_private, var=tmp_path, checkpoint=checkpoint)
    report = demo.build(session, clock=clock, ident=ident, trades=kit)
    concluded = [code for code, stage in report.awards if stage in ("contracted", "archived")]
    assert concluded, report.awards
    sections = session.execute(select(Section).where(Section.code.in_(concluded))).scalars().all()
    guaranteed = returned = 0
    for section in sections:
        payments = list(session.execute(select(Payment).where(Payment.section_id == section.id)).scalars())
        refunds = {
            r.payment_txn or r.org_id: r
            for r in session.execute(select(Refund).where(Refund.section_id == section.id)).scalars()
        }
        returned += sum(1 for p in payments if p.status == PaymentStatus.RETURNED.value)
        for p in payments:
            r = refunds[p.bank_txn_id] if p.status == PaymentStatus.RETURNED.value else refunds[p.org_id]
            assert r.status == RefundStatus.CONFIRMED.value, (section.code, p.org_id, r.status)
            assert r.interest_fen > 0 and r.principal_fen == p.amount_fen
            assert r.to_account == p.payer_account
        for g in session.execute(select(Guarantee).where(Guarantee.section_id == section.id)).scalars():
            assert g.status == GuaranteeStatus.RELEASED.value
            guaranteed += 1
        assert ledger.balance(session, AccountKind.PAYABLE, section.id) == 0
        owed = ledger.balances(session, section_id=section.id)
        assert all(
            v == 0 for code, v in owed.items() if code.split(":")[0] in ("payable", "suspense", "transit", "interest")
        )
    assert guaranteed >= 1
    assert returned == 3  # the G107 ring: three members' money from one account, back to it
    assert ledger.trial_balance(session) == 0
