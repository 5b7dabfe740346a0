"""A bidder that withdraws its last sealed bid before the deadline gets its security back within the legal days,
without interest (条例 art. 35), and nobody but the bidder learns of it before the opening (issue 11, item 5)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ggzy.bidding import keys as opening_keys
from ggzy.bidding import service as bidding
from ggzy.core.clock import SHANGHAI, FixedClock
from ggzy.core.events import Event, SealedEvent
from ggzy.core.files import FileStore
from ggzy.core.keys import Keys
from ggzy.deposits import ledger, refunds, service
from ggzy.deposits.bank import FakeBank
from ggzy.deposits.models import Refund
from ggzy.deposits.service import BankPayment
from ggzy.deposits.states import AccountKind, RefundReason
from ggzy.entities.service import Identity
from ggzy.rules import deposits as deposit_rules
from tests.trade import a_published_section, a_sealed_bid, a_world


def test_withdrawing_the_last_bid_prepares_a_sealed_refund_due_in_five_days_and_the_bank_pays_it_once(
    session: Session, clock: FixedClock, ident: Identity, files: FileStore, opening_env: opening_keys.KeyEnv, keys: Keys
) -> None:
    world = a_world(session, clock, ident, opening_env, bidders=1)
    section = a_published_section(session, clock, world, files, opening_env)
    service.set_requirement(
        session, world.tenderer.actor, section_id=section.id, amount="20000.00", bank_name="中国银行", clock=clock
    )
    (bidder,) = world.bidders
    assert bidder.user.org_id is not None
    service.register_basic_account(
        session, bidder.actor, account_no="41050001234567", bank_name="建设银行", clock=clock
    )
    sub = service.open_sub_account(session, bidder.actor, section_id=section.id, clock=clock)
    service.record_payment(
        session,
        BankPayment("W-1", sub.number, "41050001234567", "投标人", "20000.00", clock.now()),
        source="callback",
        clock=clock,
    )
    first = a_sealed_bid(session, clock, files, keys, section, bidder)
    second = a_sealed_bid(session, clock, files, keys, section, bidder, price="4700000.00")  # replaces the first
    assert first.status == "superseded"
    public_before = session.execute(select(func.count()).select_from(Event)).scalar_one()

    clock.advance(timedelta(days=1))
    bidding.withdraw(session, bidder.actor, bid_id=second.id, clock=clock)
    (refund,) = session.execute(select(Refund)).scalars().all()
    assert refund.reason == RefundReason.WITHDRAWN.value and refund.interest_fen == 0
    assert refund.principal_fen == 2_000_000 and refund.to_account == "41050001234567"
    # the fifth day after the withdrawal, to its end (Asia/Shanghai), by the cited rule
    assert refund.due_at == refunds.due_after(clock.now(), deposit_rules.WITHDRAWAL_REFUND)
    assert refund.due_at.astimezone(SHANGHAI).date() == (clock.now().astimezone(SHANGHAI) + timedelta(days=5)).date()
    # sealed like the bid: the public log did not move, the section's sealed log holds the refund
    assert session.execute(select(func.count()).select_from(Event)).scalar_one() == public_before
    sealed = session.execute(select(SealedEvent.type)).scalars().all()
    assert "deposits.refund_prepared" in sealed

    bank = FakeBank()
    assert refunds.send(session, refund.id, bank, clock=clock)
    assert refunds.send(session, refund.id, bank, clock=clock) is False  # confirmed: never sent twice
    assert len(bank.transfers) == 1 and bank.transfers[0].amount_fen == 2_000_000
    assert ledger.balance(session, AccountKind.PAYABLE, section.id, bidder.user.org_id) == 0
    assert session.execute(select(func.count()).select_from(Event)).scalar_one() == public_before


def test_withdrawing_without_a_deposit_prepares_nothing(
    session: Session, clock: FixedClock, ident: Identity, files: FileStore, opening_env: opening_keys.KeyEnv, keys: Keys
) -> None:
    world = a_world(session, clock, ident, opening_env, bidders=1)
    section = a_published_section(session, clock, world, files, opening_env)
    bid = a_sealed_bid(session, clock, files, keys, section, world.bidders[0])
    bidding.withdraw(session, world.bidders[0].actor, bid_id=bid.id, clock=clock)
    assert session.execute(select(func.count()).select_from(Refund)).scalar_one() == 0
