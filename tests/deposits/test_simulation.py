"""A randomized simulation of the deposit desk: thousands of interleaved payments, replays, holds, refunds,
bank failures and retries; after every step the ledger balances and every cent is accounted for."""

from __future__ import annotations

import itertools
from datetime import timedelta
from decimal import Decimal

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ggzy.core.clock import FixedClock
from ggzy.core.errors import Conflict
from ggzy.deposits import ledger, refunds, service
from ggzy.deposits.bank import FakeBank
from ggzy.deposits.models import Payment, Refund
from ggzy.deposits.service import BankPayment
from ggzy.deposits.states import AccountKind, PaymentStatus, RefundReason, RefundStatus
from ggzy.entities.service import Identity
from tests.deposits.builders import a_desk

RATE = Decimal("0.0035")
_txn = itertools.count(1)


def test_the_desk_never_loses_or_doubles_a_cent(session: Session, clock: FixedClock, ident: Identity) -> None:
    desk = a_desk(session, clock, ident, bidders=4)
    orgs = [b.user.org_id or "" for b in desk.bidders]
    sid = desk.section.id
    actors = {b.user.org_id: b.actor for b in desk.bidders}

    class Desk(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.savepoint = session.begin_nested()
            self.bank = FakeBank()
            self.now = clock.now()
            self.sent: list[BankPayment] = []

        def clock(self) -> FixedClock:
            return FixedClock(self.now)

        @rule(who=st.sampled_from(orgs), fen=st.integers(1, 5_000_000), own=st.booleans())
        def a_payment_arrives(self, who: str, fen: int, own: bool) -> None:
            p = BankPayment(
                bank_txn_id=f"SIM{next(_txn)}",
                sub_account=desk.subs[who].number,
                payer_account=desk.basic[who] if own else "6222020000009999",
                payer_name="投标人",
                amount=ledger.to_yuan(fen),
                paid_at=self.now,
            )
            service.record_payment(session, p, source="callback", clock=self.clock())
            self.sent.append(p)

        @rule(data=st.data(), change=st.booleans())
        def a_callback_is_replayed(self, data: st.DataObject, change: bool) -> None:
            if not self.sent:
                return
            p = data.draw(st.sampled_from(self.sent))
            if change:
                p = BankPayment(**{**p.__dict__, "amount": ledger.to_yuan(ledger.to_fen(p.amount) + 1)})
                try:
                    with session.begin_nested():
                        service.record_payment(session, p, source="callback", clock=self.clock())
                    raise AssertionError("a changed replay was booked")
                except Conflict:
                    return
            _, created = service.record_payment(session, p, source="statement", clock=self.clock())
            assert not created

        @rule(data=st.data())
        def an_operator_accepts_a_held_payment(self, data: st.DataObject) -> None:
            held = session.execute(
                select(Payment.bank_txn_id).where(Payment.status == PaymentStatus.HELD.value)
            ).scalars()
            txns = sorted(held)
            if txns:
                txn = data.draw(st.sampled_from(txns))
                service.accept_held(session, desk.operator.actor, bank_txn_id=txn, reason="已核实", clock=self.clock())

        @rule(who=st.sampled_from(orgs), withdrawn=st.booleans())
        def a_refund_is_prepared(self, who: str, withdrawn: bool) -> None:
            reason = RefundReason.WITHDRAWN if withdrawn else RefundReason.CONCLUDED
            refunds.prepare(
                session,
                actors[who],
                section_id=sid,
                org_id=who,
                reason=reason,
                start=self.now,
                annual_rate=RATE,
                clock=self.clock(),
            )

        @rule(data=st.data(), refuse=st.integers(0, 1), timeout=st.integers(0, 1), lose=st.integers(0, 1))
        def the_bank_is_called(self, data: st.DataObject, refuse: int, timeout: int, lose: int) -> None:
            ids = refunds.due(session, self.now)
            if ids:
                self.bank.refuse, self.bank.timeout, self.bank.lose_answer = refuse, timeout, lose
                refunds.send(session, data.draw(st.sampled_from(ids)), self.bank, clock=self.clock())

        @rule(days=st.integers(0, 10))
        def time_passes(self, days: int) -> None:
            self.now += timedelta(days=days)

        @invariant()
        def the_ledger_balances(self) -> None:
            assert ledger.trial_balance(session) == 0
            assert ledger.unbalanced_entries(session) == []

        @invariant()
        def every_cent_is_accounted_for(self) -> None:
            received = session.execute(
                select(func.coalesce(func.sum(Payment.amount_fen), 0)).where(Payment.section_id == sid)
            ).scalar_one()
            rows = list(session.execute(select(Refund).where(Refund.section_id == sid)).scalars())
            confirmed = sum(r.principal_fen + r.interest_fen for r in rows if r.status == RefundStatus.CONFIRMED.value)
            assert ledger.balance(session, AccountKind.BANK, sid) == received - confirmed
            # What the bank paid and the platform has not yet heard of is exactly the unanswered refunds it paid.
            unanswered = sum(
                r.principal_fen + r.interest_fen
                for r in rows
                if r.status != RefundStatus.CONFIRMED.value and r.instruction_id in self.bank.paid
            )
            assert sum(t.amount_fen for t in self.bank.transfers) == confirmed + unanswered
            # Everything not yet confirmed is still in transit in the ledger.
            in_transit = sum(-ledger.balance(session, AccountKind.TRANSIT, sid, o) for o in orgs)
            assert in_transit == sum(r.principal_fen + r.interest_fen for r in rows) - confirmed

        @invariant()
        def no_refund_larger_than_paid_nor_paid_twice(self) -> None:
            ids = [t.instruction_id for t in self.bank.transfers]
            assert len(ids) == len(set(ids))
            for o in orgs:
                accepted = session.execute(
                    select(func.coalesce(func.sum(Payment.amount_fen), 0)).where(
                        Payment.section_id == sid, Payment.org_id == o
                    )
                ).scalar_one()
                principal = session.execute(
                    select(func.coalesce(func.sum(Refund.principal_fen), 0)).where(
                        Refund.section_id == sid, Refund.org_id == o
                    )
                ).scalar_one()
                assert principal <= accepted
                assert ledger.balance(session, AccountKind.PAYABLE, sid, o) <= 0

        def teardown(self) -> None:
            self.savepoint.rollback()

    run_state_machine_as_test(Desk, settings=settings(max_examples=25, stateful_step_count=50, deadline=None))
