"""A randomized simulation of the deposit desk: thousands of interleaved payments, replays, holds, refunds,
returns of held money to its payer, the end of the trade, bank failures and retries; after every step the ledger
balances, every cent is accounted for, and money from a wrong account is never security and goes back once."""

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
from ggzy.core.errors import Conflict, RuleViolation
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
    desk.section.opened_at = clock.now()  # after the opening: the operator's desk may act on held money
    session.flush()

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

        def held(self) -> list[str]:
            rows = session.execute(select(Payment.bank_txn_id).where(Payment.status == PaymentStatus.HELD.value))
            return sorted(rows.scalars())

        @rule(data=st.data())
        def an_operator_may_not_count_held_money_as_security(self, data: st.DataObject) -> None:
            if txns := self.held():
                txn = data.draw(st.sampled_from(txns))
                try:
                    with session.begin_nested():
                        service.accept_held(
                            session, desk.operator.actor, bank_txn_id=txn, reason="已核实", clock=self.clock()
                        )
                    raise AssertionError("money from a wrong account was counted as security")
                except RuleViolation:
                    return

        @rule(data=st.data(), twice=st.booleans())
        def an_operator_returns_held_money_to_its_payer(self, data: st.DataObject, twice: bool) -> None:
            if txns := self.held():
                txn = data.draw(st.sampled_from(txns))
                r = refunds.return_held(
                    session, desk.operator.actor, bank_txn_id=txn, reason="非基本账户来款", clock=self.clock()
                )
                if twice:
                    again = refunds.return_held(
                        session, desk.operator.actor, bank_txn_id=txn, reason="再次", clock=self.clock()
                    )
                    assert again.id == r.id

        @rule()
        def the_trade_ends(self) -> None:
            refunds.prepare_section(
                session, desk.operator.actor, section_id=sid, start=self.now, annual_rate=RATE, clock=self.clock()
            )
            assert self.held() == []  # nothing is left held at the end of the trade

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
        def held_money_is_never_security_and_goes_back_to_its_payer_once(self) -> None:
            payments = list(session.execute(select(Payment).where(Payment.section_id == sid)).scalars())
            returns = {
                r.payment_txn: r
                for r in session.execute(select(Refund).where(Refund.payment_txn.is_not(None))).scalars()
            }
            for o in orgs:
                mine = [p for p in payments if p.org_id == o]
                held = sum(p.amount_fen for p in mine if p.status == PaymentStatus.HELD.value)
                assert ledger.balance(session, AccountKind.SUSPENSE, sid, o) == -held
                accepted = sum(p.amount_fen for p in mine if p.status == PaymentStatus.ACCEPTED.value)
                refunded = session.execute(
                    select(func.coalesce(func.sum(Refund.principal_fen), 0)).where(
                        Refund.section_id == sid, Refund.org_id == o, Refund.payment_txn.is_(None)
                    )
                ).scalar_one()
                assert -ledger.balance(session, AccountKind.PAYABLE, sid, o) == accepted - refunded
            for p in payments:
                r = returns.get(p.bank_txn_id)
                assert (r is not None) == (p.status == PaymentStatus.RETURNED.value)
                if r is not None:
                    assert r.to_account == p.payer_account and r.principal_fen == p.amount_fen
            for t in self.bank.transfers:
                r = session.execute(select(Refund).where(Refund.instruction_id == t.instruction_id)).scalar_one()
                assert t.to_account == r.to_account

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
