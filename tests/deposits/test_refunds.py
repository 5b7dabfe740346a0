"""Refunds: on the legal clock, with interest, instructed by id, confirmed once whatever the bank does."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from ggzy.core.clock import FixedClock
from ggzy.core.errors import Conflict, Invalid
from ggzy.deposits import ledger, refunds, service
from ggzy.deposits.bank import FakeBank
from ggzy.deposits.models import Refund
from ggzy.deposits.states import AccountKind, RefundReason, RefundStatus
from ggzy.entities.service import Identity
from tests.deposits.builders import Desk, a_desk, a_payment

RATE = Decimal("0.0035")


def paid(session: Session, clock: FixedClock, desk: Desk) -> None:
    for b in desk.bidders:
        service.record_payment(session, a_payment(desk, b, at=clock.now()), source="callback", clock=clock)


def test_interest_is_principal_times_rate_times_days_over_360() -> None:
    assert refunds.interest_fen(2_000_000, RATE, 36) == 700  # 20,000 元 × 0.35 % × 36/360 = 7.00 元
    assert refunds.interest_fen(2_000_000, RATE, 0) == 0
    assert refunds.interest_fen(1, RATE, 1) == 0


def test_a_withdrawal_is_refunded_within_five_days_without_interest(
    session: Session, clock: FixedClock, ident: Identity
) -> None:
    desk = a_desk(session, clock, ident)
    paid(session, clock, desk)
    b = desk.bidders[0]
    r = refunds.prepare(
        session,
        b.actor,
        section_id=desk.section.id,
        org_id=b.user.org_id or "",
        reason=RefundReason.WITHDRAWN,
        start=clock.now(),
        annual_rate=RATE,
        clock=clock,
    )
    assert r is not None and r.interest_fen == 0 and r.principal_fen == 2_000_000
    assert (r.due_at.date() - clock.now().date()).days == 5
    bank = FakeBank()
    assert refunds.send(session, r.id, bank, clock=clock)
    assert r.status == RefundStatus.CONFIRMED.value and len(bank.transfers) == 1
    assert bank.transfers[0].to_account == desk.basic[b.user.org_id or ""]
    assert ledger.balance(session, AccountKind.PAYABLE, desk.section.id, b.user.org_id) == 0
    assert ledger.balance(session, AccountKind.TRANSIT, desk.section.id, b.user.org_id) == 0
    assert ledger.trial_balance(session) == 0


def test_money_paid_again_after_a_refund_is_refunded_again_once_and_with_interest_on_itself_only(
    session: Session, clock: FixedClock, ident: Identity
) -> None:
    """A bidder withdraws, pays again and withdraws again; a section fails, is tendered again and fails again: each
    time the bidder is owed its money back. One refund per (bidder, section, reason) left the second sum in the
    sub-account for good; a retry still prepares nothing twice."""
    desk = a_desk(session, clock, ident)
    b = desk.bidders[0]
    org = b.user.org_id or ""

    def prepare(reason: RefundReason) -> Refund | None:
        return refunds.prepare(
            session,
            b.actor,
            section_id=desk.section.id,
            org_id=org,
            reason=reason,
            start=clock.now(),
            annual_rate=RATE,
            clock=clock,
        )

    bank = FakeBank()
    service.record_payment(session, a_payment(desk, b, at=clock.now()), source="callback", clock=clock)
    first = prepare(RefundReason.WITHDRAWN)
    assert first is not None and refunds.send(session, first.id, bank, clock=clock)
    assert prepare(RefundReason.WITHDRAWN) is first  # a retry: nothing owed, the refund already made
    clock.advance(timedelta(days=2))
    service.record_payment(
        session, a_payment(desk, b, amount="30000.00", at=clock.now()), source="callback", clock=clock
    )
    second = prepare(RefundReason.WITHDRAWN)
    assert second is not None and second.id != first.id
    assert (second.seq, second.principal_fen, second.interest_fen) == (2, 3_000_000, 0)
    assert prepare(RefundReason.WITHDRAWN) is second
    assert refunds.send(session, second.id, bank, clock=clock)
    assert [t.amount_fen for t in bank.transfers] == [2_000_000, 3_000_000]
    # with interest (a trade that ends twice): only on what was paid after the first refund
    clock.advance(timedelta(days=1))
    service.record_payment(session, a_payment(desk, b, at=clock.now()), source="callback", clock=clock)
    clock.advance(timedelta(days=36))
    third = prepare(RefundReason.CONCLUDED)
    assert third is not None and third.interest_fen == 700  # 20,000 元 × 0.35 % × 36/360
    assert refunds.send(session, third.id, bank, clock=clock)
    clock.advance(timedelta(days=1))
    service.record_payment(session, a_payment(desk, b, at=clock.now()), source="callback", clock=clock)
    clock.advance(timedelta(days=36))
    fourth = prepare(RefundReason.CONCLUDED)
    assert fourth is not None and (fourth.seq, fourth.interest_fen) == (2, 700)
    assert ledger.balance(session, AccountKind.PAYABLE, desk.section.id, org) == 0
    assert ledger.trial_balance(session) == 0


def test_after_the_contract_every_bidder_gets_principal_and_interest(
    session: Session, clock: FixedClock, ident: Identity
) -> None:
    desk = a_desk(session, clock, ident)
    paid(session, clock, desk)
    later = FixedClock(clock.now() + timedelta(days=36))
    out = refunds.prepare_section(
        session,
        desk.operator.actor,
        section_id=desk.section.id,
        start=later.now(),
        annual_rate=RATE,
        clock=later,
        winner_org_id=desk.bidders[0].user.org_id,
    )
    assert len(out) == 3 and all(r.interest_fen == 700 for r in out)
    bank = FakeBank()
    for r in out:
        refunds.send(session, r.id, bank, clock=later)
    assert sum(t.amount_fen for t in bank.transfers) == 3 * 2_000_700
    assert ledger.balance(session, AccountKind.BANK, desk.section.id) == 3 * 2_000_000 - 3 * 2_000_700
    assert ledger.balance(session, AccountKind.INTEREST_INCOME, desk.section.id) == 3 * 700  # owed by the bank's 结息
    assert ledger.trial_balance(session) == 0
    # Preparing again prepares nothing new.
    again = refunds.prepare_section(
        session, desk.operator.actor, section_id=desk.section.id, start=later.now(), annual_rate=RATE, clock=later
    )
    assert {r.id for r in again} <= {r.id for r in out}
    assert session.query(Refund).count() == 3


def test_procurement_losers_are_due_five_working_days_after_the_award_notice(
    session: Session, clock: FixedClock, ident: Identity
) -> None:
    from ggzy.rules.procedures import Method

    desk = a_desk(session, clock, ident, bidders=1, amount="100.00", method=Method.GP_OPEN_TENDER)
    paid(session, clock, desk)
    friday = FixedClock(clock.now().replace(year=2026, month=12, day=4, hour=10))  # a Friday
    (r,) = refunds.prepare_section(
        session, desk.operator.actor, section_id=desk.section.id, start=friday.now(), annual_rate=RATE, clock=friday
    )
    assert r.due_at.date().isoformat() == "2026-12-11"  # five working days: Mon 7 … Fri 11


def test_a_refused_instruction_is_retried_never_duplicated(
    session: Session, clock: FixedClock, ident: Identity
) -> None:
    desk = a_desk(session, clock, ident, bidders=1)
    paid(session, clock, desk)
    b = desk.bidders[0]
    r = refunds.prepare(
        session,
        b.actor,
        section_id=desk.section.id,
        org_id=b.user.org_id or "",
        reason=RefundReason.WITHDRAWN,
        start=clock.now(),
        annual_rate=RATE,
        clock=clock,
    )
    assert r is not None
    bank = FakeBank(refuse=1, timeout=1, lose_answer=1)
    refunds.send(session, r.id, bank, clock=clock)  # times out before acting
    assert r.status == RefundStatus.SENT.value and bank.transfers == []
    refunds.send(session, r.id, bank, clock=clock)  # refused
    assert r.status == RefundStatus.FAILED.value and "异常" in r.last_error
    refunds.send(session, r.id, bank, clock=clock)  # paid, answer lost
    assert r.status == RefundStatus.SENT.value and len(bank.transfers) == 1
    refunds.send(session, r.id, bank, clock=clock)  # asked: done
    refunds.send(session, r.id, bank, clock=clock)  # nothing more to do
    assert r.status == RefundStatus.CONFIRMED.value and len(bank.transfers) == 1
    assert ledger.balance(session, AccountKind.BANK, desk.section.id) == 0
    assert ledger.trial_balance(session) == 0


def test_unconfirmed_refunds_past_their_date_are_overdue(session: Session, clock: FixedClock, ident: Identity) -> None:
    desk = a_desk(session, clock, ident, bidders=1)
    paid(session, clock, desk)
    b = desk.bidders[0]
    r = refunds.prepare(
        session,
        b.actor,
        section_id=desk.section.id,
        org_id=b.user.org_id or "",
        reason=RefundReason.WITHDRAWN,
        start=clock.now(),
        annual_rate=RATE,
        clock=clock,
    )
    assert r is not None
    assert refunds.overdue(session, clock.now() + timedelta(days=5)) == []
    assert [x.id for x in refunds.overdue(session, clock.now() + timedelta(days=6))] == [r.id]


def test_forfeiture_only_on_a_legal_ground_with_a_reason(session: Session, clock: FixedClock, ident: Identity) -> None:
    desk = a_desk(session, clock, ident, bidders=1)
    paid(session, clock, desk)
    org = desk.bidders[0].user.org_id or ""
    with pytest.raises(Invalid, match="法定情形"):
        service.forfeit(
            session, desk.operator.actor, section_id=desk.section.id, org_id=org, ground="late", reason="x", clock=clock
        )
    with pytest.raises(Invalid, match="理由"):
        service.forfeit(
            session,
            desk.operator.actor,
            section_id=desk.section.id,
            org_id=org,
            ground="refused_contract",
            reason=" ",
            clock=clock,
        )
    f = service.forfeit(
        session,
        desk.operator.actor,
        section_id=desk.section.id,
        org_id=org,
        ground="refused_contract",
        reason="中标人无正当理由拒签合同",
        clock=clock,
    )
    assert f.amount_fen == 2_000_000
    assert ledger.balance(session, AccountKind.FORFEITED, desk.section.id) == -2_000_000
    with pytest.raises(Conflict):
        service.forfeit(
            session,
            desk.operator.actor,
            section_id=desk.section.id,
            org_id=org,
            ground="refused_contract",
            reason="再次",
            clock=clock,
        )
    assert (
        refunds.prepare_section(
            session, desk.operator.actor, section_id=desk.section.id, start=clock.now(), annual_rate=RATE, clock=clock
        )
        == []
    )
