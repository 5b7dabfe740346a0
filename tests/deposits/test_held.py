"""Money held from a wrong account (not the bidder's basic account): never security, sent back to its payer by the
operator or, at the latest, at the end of the trade on the legal clock — overdue like any refund if late."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ggzy.core.clock import FixedClock
from ggzy.core.errors import Conflict, Forbidden, Invalid, RuleViolation
from ggzy.deposits import ledger, queries, refunds, service
from ggzy.deposits.bank import FakeBank
from ggzy.deposits.models import Payment, Refund
from ggzy.deposits.states import AccountKind, PaymentStatus, RefundReason, RefundStatus
from ggzy.entities.service import Identity
from ggzy.projects import service as registration
from ggzy.rules import deposits as deposit_rules
from ggzy.rules import tendering
from ggzy.supervision import deposit_watch
from ggzy.supervision.models import Alert
from tests.deposits.builders import Desk, a_desk, a_payment

STRANGER = "6222020000000077"


def _held(session: Session, clock: FixedClock, desk: Desk, i: int = 0) -> Payment:
    row, _ = service.record_payment(
        session, a_payment(desk, desk.bidders[i], payer=STRANGER, at=clock.now()), source="callback", clock=clock
    )
    assert row.status == PaymentStatus.HELD.value
    return row


def test_the_operator_returns_held_money_to_the_account_it_came_from_once(
    session: Session, clock: FixedClock, ident: Identity
) -> None:
    desk = a_desk(session, clock, ident, bidders=1)
    row = _held(session, clock, desk)
    sid, org = desk.section.id, desk.bidders[0].user.org_id or ""
    with pytest.raises(RuleViolation, match="开标前"):
        refunds.return_held(session, desk.operator.actor, bank_txn_id=row.bank_txn_id, reason="退回", clock=clock)
    desk.section.opened_at = clock.now()
    with pytest.raises(Invalid, match="理由"):
        refunds.return_held(session, desk.operator.actor, bank_txn_id=row.bank_txn_id, reason=" ", clock=clock)
    with pytest.raises(Forbidden):
        refunds.return_held(session, desk.bidders[0].actor, bank_txn_id=row.bank_txn_id, reason="x", clock=clock)
    r = refunds.return_held(
        session, desk.operator.actor, bank_txn_id=row.bank_txn_id, reason="非基本账户转入，退回", clock=clock
    )
    assert (r.to_account, r.principal_fen, r.interest_fen, r.payment_txn) == (STRANGER, 2_000_000, 0, row.bank_txn_id)
    assert RefundReason.of(r.reason) is RefundReason.HELD and r.rule_id == deposit_rules.WITHDRAWAL_REFUND.id
    assert (r.due_at.date() - clock.now().date()).days == 5
    assert row.status == PaymentStatus.RETURNED.value
    assert refunds.return_held(session, desk.operator.actor, bank_txn_id=row.bank_txn_id, reason="再", clock=clock) is r
    with pytest.raises(Conflict):
        service.accept_held(session, desk.operator.actor, bank_txn_id=row.bank_txn_id, reason="x", clock=clock)
    bank = FakeBank(timeout=1, lose_answer=1)
    refunds.send(session, r.id, bank, clock=clock)  # no answer
    refunds.send(session, r.id, bank, clock=clock)  # paid, answer lost
    refunds.send(session, r.id, bank, clock=clock)  # asked: done
    assert r.status == RefundStatus.CONFIRMED.value
    (paid,) = bank.transfers
    assert paid.to_account == STRANGER and paid.amount_fen == 2_000_000 and "非基本账户" in paid.memo
    assert ledger.balance(session, AccountKind.SUSPENSE, sid, org) == 0
    assert ledger.balance(session, AccountKind.BANK, sid) == 0
    assert ledger.balance(session, AccountKind.PAYABLE, sid, org) == 0  # never counted as security
    assert ledger.trial_balance(session) == 0
    (line,) = queries.opening_lines(session, sid, at_opening=True)
    assert "非从基本账户转出" in line.status  # the opening record still says what it was at the deadline


def test_at_the_contract_money_still_held_goes_back_with_interest_and_is_overdue_if_late(
    session: Session, clock: FixedClock, ident: Identity
) -> None:
    desk = a_desk(session, clock, ident, bidders=2)
    held = _held(session, clock, desk, 0)
    service.record_payment(session, a_payment(desk, desk.bidders[1], at=clock.now()), source="callback", clock=clock)
    clock.advance(timedelta(days=36))
    desk.section.opened_at = clock.now()
    made = refunds.on_contract(session, section_id=desk.section.id, winner_org_id="", clock=clock)
    (back,) = [r for r in made if r.payment_txn == held.bank_txn_id]
    assert back.to_account == STRANGER and back.principal_fen == 2_000_000 and back.interest_fen == 700
    assert back.rule_id == tendering.DEPOSIT_REFUND.id and (back.due_at.date() - clock.now().date()).days == 5
    assert held.status == PaymentStatus.RETURNED.value
    assert (
        len(made) == 2 and refunds.on_contract(session, section_id=desk.section.id, winner_org_id="", clock=clock) == []
    )
    assert session.query(Refund).count() == 2  # the end of the trade again prepares nothing new
    clock.advance(timedelta(days=6))
    assert back in refunds.overdue(session, clock.now())
    assert back.id in deposit_watch.due(session, clock.now())
    assert deposit_watch.apply(session, back.id, clock.now()) is True
    (alert,) = session.execute(select(Alert)).scalars().all()
    assert alert.flag_id == "C09" and "第57条" in alert.legal_basis and back.org_id in alert.org_ids
    assert ledger.trial_balance(session) == 0


def test_a_failed_or_terminated_trade_sends_everything_back_on_its_own_rule(
    session: Session, clock: FixedClock, ident: Identity
) -> None:
    desk = a_desk(session, clock, ident, bidders=2)
    held = _held(session, clock, desk, 0)
    service.record_payment(session, a_payment(desk, desk.bidders[1], at=clock.now()), source="callback", clock=clock)
    clock.advance(timedelta(days=3))
    registration.terminate_section(session, desk.tenderer.actor, section=desk.section, reason="项目取消", clock=clock)
    made = list(session.execute(select(Refund).order_by(Refund.org_id)).scalars())
    assert len(made) == 2 and {r.rule_id for r in made} == {deposit_rules.ENDED_REFUND.id}
    assert all(r.interest_fen == refunds.interest_fen(2_000_000, refunds.annual_rate(), 3) for r in made)
    cash = next(r for r in made if r.payment_txn is None)
    assert RefundReason.of(cash.reason) is RefundReason.ENDED
    assert next(r for r in made if r.payment_txn == held.bank_txn_id).to_account == STRANGER
    assert "第31条" in refunds.rule_of(session, cash).describe()
    assert ledger.trial_balance(session) == 0


def test_a_procurement_loser_gets_its_held_money_back_at_the_award(
    session: Session, clock: FixedClock, ident: Identity
) -> None:
    from ggzy.rules.procedures import Method

    desk = a_desk(session, clock, ident, bidders=2, amount="100.00", method=Method.GP_OPEN_TENDER)
    loser, winner = (b.user.org_id or "" for b in desk.bidders)
    for i in (0, 1):
        service.record_payment(
            session,
            a_payment(desk, desk.bidders[i], amount="100.00", payer=STRANGER, at=clock.now()),
            source="callback",
            clock=clock,
        )
    made = refunds.on_award(session, section_id=desk.section.id, winner_org_id=winner, clock=clock)
    assert [r.org_id for r in made] == [loser] and made[0].rule_id == "procurement.deposit_refund_losers"
    later = refunds.on_contract(session, section_id=desk.section.id, winner_org_id=winner, clock=clock)
    assert [r.org_id for r in later] == [winner] and later[0].rule_id == deposit_rules.WINNER_REFUND.id


def test_a_tender_that_fails_at_its_deadline_sends_every_security_back(
    session: Session, clock: FixedClock, ident: Identity
) -> None:
    from ggzy.projects import timers as deadlines
    from ggzy.projects.states import SectionStatus

    desk = a_desk(session, clock, ident, bidders=2)
    held = _held(session, clock, desk, 0)
    service.record_payment(session, a_payment(desk, desk.bidders[1], at=clock.now()), source="callback", clock=clock)
    assert desk.section.bid_deadline is not None
    desk.section.next_due_at = desk.section.bid_deadline
    later = desk.section.bid_deadline + timedelta(seconds=1)
    assert deadlines.reach_deadline(session, desk.section.id, later) is True  # no sealed bid: 流标
    assert desk.section.status == SectionStatus.FAILED.value
    made = list(session.execute(select(Refund)).scalars())
    assert len(made) == 2 and {r.rule_id for r in made} == {deposit_rules.ENDED_REFUND.id}
    assert next(r for r in made if r.payment_txn == held.bank_txn_id).to_account == STRANGER
    assert ledger.trial_balance(session) == 0
