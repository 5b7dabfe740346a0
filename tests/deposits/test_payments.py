"""Collection: the notice's requirement (≤ 2 %), payments matched by sub-account, basic accounts, signed callbacks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ggzy.core.clock import FixedClock
from ggzy.core.errors import Conflict, Invalid, NotFound, RuleViolation
from ggzy.deposits import bank, ledger, service
from ggzy.deposits.models import Payment
from ggzy.deposits.states import AccountKind, PaymentStatus
from ggzy.entities.service import Identity
from tests.deposits.builders import a_desk, a_payment

KEY = b"bank-shared-key-for-tests"


def test_a_requirement_over_two_percent_of_the_estimate_is_refused_citing_art_26(
    session: Session, clock: FixedClock, ident: Identity
) -> None:
    desk = a_desk(session, clock, ident, bidders=0, estimate="1000000.00", amount="20000.00")
    with pytest.raises(RuleViolation, match="第26条") as e:
        service.set_requirement(
            session,
            desk.tenderer.actor,
            section_id=desk.section.id,
            amount="20000.01",
            bank_name="中国银行",
            clock=clock,
        )
    assert "20000.00" in e.value.message


def test_procurement_caps_by_its_own_article(session: Session, clock: FixedClock, ident: Identity) -> None:
    from ggzy.rules.procedures import Method

    desk = a_desk(
        session, clock, ident, bidders=0, estimate="1000000.00", amount="100.00", method=Method.GP_OPEN_TENDER
    )
    with pytest.raises(RuleViolation, match="政府采购法实施条例》第33条"):
        service.set_requirement(
            session, desk.tenderer.actor, section_id=desk.section.id, amount="20001", bank_name="中国银行", clock=clock
        )


def test_a_payment_from_the_basic_account_is_the_bidders_security(
    session: Session, clock: FixedClock, ident: Identity
) -> None:
    desk = a_desk(session, clock, ident)
    b = desk.bidders[0]
    row, created = service.record_payment(session, a_payment(desk, b, at=clock.now()), source="callback", clock=clock)
    assert created and row.status == PaymentStatus.ACCEPTED.value and row.org_id == b.user.org_id
    assert ledger.balance(session, AccountKind.PAYABLE, desk.section.id, b.user.org_id) == -2_000_000
    assert ledger.balance(session, AccountKind.BANK, desk.section.id) == 2_000_000
    assert ledger.trial_balance(session) == 0


def test_a_payment_from_another_account_is_held_not_counted(
    session: Session, clock: FixedClock, ident: Identity
) -> None:
    desk = a_desk(session, clock, ident)
    b = desk.bidders[0]
    row, _ = service.record_payment(
        session, a_payment(desk, b, payer="6222020000000001", at=clock.now()), source="callback", clock=clock
    )
    assert row.status == PaymentStatus.HELD.value
    assert ledger.balance(session, AccountKind.PAYABLE, desk.section.id, b.user.org_id) == 0
    assert ledger.balance(session, AccountKind.SUSPENSE, desk.section.id, b.user.org_id) == -2_000_000
    # Money from an account that is not the basic account is never security (条例 art. 26) …
    with pytest.raises(RuleViolation, match="第26条"):
        service.accept_held(session, desk.operator.actor, bank_txn_id=row.bank_txn_id, reason="已核实", clock=clock)
    assert ledger.balance(session, AccountKind.PAYABLE, desk.section.id, b.user.org_id) == 0
    # … unless it is the bidder's basic account after all (registered anew after paying).
    service.register_basic_account(session, b.actor, account_no="6222020000000001", bank_name="工商银行", clock=clock)
    service.accept_held(
        session, desk.operator.actor, bank_txn_id=row.bank_txn_id, reason="核实为投标人基本账户变更", clock=clock
    )
    assert ledger.balance(session, AccountKind.PAYABLE, desk.section.id, b.user.org_id) == -2_000_000
    assert ledger.balance(session, AccountKind.SUSPENSE, desk.section.id, b.user.org_id) == 0


def test_a_replayed_callback_books_once_and_a_changed_one_is_refused_and_logged(
    session: Session, clock: FixedClock, ident: Identity
) -> None:
    desk = a_desk(session, clock, ident)
    b = desk.bidders[0]
    p = a_payment(desk, b, txn="TXN-REPLAY", at=clock.now())
    service.record_payment(session, p, source="callback", clock=clock)
    _, created = service.record_payment(session, p, source="callback", clock=clock)
    assert not created
    changed = a_payment(desk, b, txn="TXN-REPLAY", amount="2000000.00", at=clock.now())
    with pytest.raises(Conflict, match="不一致"):
        service.record_payment(session, changed, source="callback", clock=clock)
    assert session.execute(select(func.count()).select_from(Payment)).scalar() == 1
    assert ledger.balance(session, AccountKind.BANK, desk.section.id) == 2_000_000


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [("sub_account", "6217000000000000000", NotFound), ("amount", "-5.00", Invalid), ("amount", "5.001", Invalid)],
)
def test_bad_payments_are_refused_and_book_nothing(
    session: Session, clock: FixedClock, ident: Identity, field: str, value: str, error: type[Exception]
) -> None:
    desk = a_desk(session, clock, ident, bidders=1)
    p = a_payment(desk, desk.bidders[0], at=clock.now())
    bad = type(p)(**{**p.__dict__, field: value})
    with pytest.raises(error):
        service.record_payment(session, bad, source="callback", clock=clock)
    assert ledger.balances(session, section_id=desk.section.id) == {}


def test_no_sub_account_after_the_deadline(session: Session, clock: FixedClock, ident: Identity) -> None:
    desk = a_desk(session, clock, ident, bidders=0)
    late = FixedClock(desk.section.bid_deadline + timedelta(seconds=1))  # type: ignore[operator]
    from tests.builders import a_user

    other = a_user(session, clock, ident)
    with pytest.raises(RuleViolation, match="截止"):
        service.open_sub_account(session, other.actor, section_id=desk.section.id, clock=late)


def test_callbacks_are_signed_and_fresh(clock: FixedClock) -> None:
    body = b'{"txn":"1"}'
    ts = str(int(clock.now().timestamp()))
    good = bank.sign_callback(KEY, ts, body)
    window = timedelta(minutes=5)
    bank.verify_callback(KEY, timestamp=ts, signature=good, body=body, now=clock.now(), window=window)
    with pytest.raises(bank.BadSignature, match="签名"):
        bank.verify_callback(KEY, timestamp=ts, signature=good, body=body + b" ", now=clock.now(), window=window)
    with pytest.raises(bank.BadSignature, match="重放"):
        bank.verify_callback(
            KEY, timestamp=ts, signature=good, body=body, now=clock.now() + timedelta(minutes=6), window=window
        )
    with pytest.raises(bank.BadSignature):
        bank.verify_callback(
            KEY, timestamp="x", signature=bank.sign_callback(KEY, "x", body), body=body, now=clock.now(), window=window
        )
