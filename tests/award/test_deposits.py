"""The security comes back at the end of the trade (issue 11, item 5): works — every bidder's cash with interest
once the contract is signed (条例 art. 57) and guarantees released; procurement — the losers at the award notice,
the winner at the contract (采购条例 art. 33)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ggzy.award import contracts, service
from ggzy.award import queries as award_queries
from ggzy.bidding import keys as opening_keys
from ggzy.core.clock import FixedClock
from ggzy.core.files import FileStore
from ggzy.core.keys import Keys
from ggzy.core.notify import MemoryNotifier
from ggzy.deposits import refunds
from ggzy.deposits import service as deposits
from ggzy.deposits.models import Guarantee, Refund, Requirement, SubAccount
from ggzy.deposits.service import BankPayment
from ggzy.entities.service import Identity
from ggzy.rules import deposits as deposit_rules
from ggzy.rules.procedures import Method
from tests.award.builders import Trade, a_reported_section, after_publicity, published


def _paid(session: Session, clock: FixedClock, trade: Trade) -> datetime:
    """Each bidder paid 20,000 元 from its basic account 30 days before (set up directly: the deadline is past)."""
    section = trade.room.section
    session.add(
        Requirement(section_id=section.id, amount_fen=2_000_000, regime="x", bank_name="中国银行", set_at=clock.now())
    )
    paid_at = clock.now() - timedelta(days=30)
    for i, b in enumerate(trade.room.world.bidders):
        org = b.user.org_id or ""
        deposits.register_basic_account(
            session, b.actor, account_no=f"410500{i:08d}", bank_name="建设银行", clock=clock
        )
        number = deposits.sub_account_number(section.id, org)
        session.add(SubAccount(number=number, section_id=section.id, org_id=org, opened_at=paid_at))
        session.flush()
        deposits.record_payment(
            session,
            BankPayment(f"END-{i}", number, f"410500{i:08d}", "投标人", "20000.00", paid_at),
            source="callback",
            clock=clock,
        )
    return paid_at


def _award(session: Session, clock: FixedClock, trade: Trade, files: FileStore) -> None:
    after_publicity(clock, published(session, clock, trade))
    service.award(
        session,
        trade.tenderer.actor,
        section_id=trade.section_id,
        winner_org_id=trade.candidate(1).user.org_id or "",
        clock=clock,
        files=files,
        notifier=MemoryNotifier(),
    )


@pytest.mark.parametrize("procedure", [Method.OPEN_TENDER, Method.GP_OPEN_TENDER])
def test_every_security_comes_back_with_interest_at_the_end_of_the_trade(
    session: Session,
    clock: FixedClock,
    ident: Identity,
    files: FileStore,
    opening_env: opening_keys.KeyEnv,
    keys: Keys,
    procedure: Method,
) -> None:
    trade = a_reported_section(session, clock, ident, files, opening_env, keys, procedure=procedure)
    paid_at = _paid(session, clock, trade)
    winner = trade.candidate(1).user.org_id
    _award(session, clock, trade, files)
    at_award = {r.org_id for r in session.execute(select(Refund)).scalars()}
    if procedure is Method.OPEN_TENDER:
        assert at_award == set()  # works: nothing before the contract (条例 art. 57)
    else:
        assert winner not in at_award and len(at_award) == len(trade.room.world.bidders) - 1
    aw = award_queries.award_of(session, trade.section_id, 1)
    assert aw is not None and aw.winner_price is not None
    contracts.create_contract(
        session,
        trade.tenderer.actor,
        section_id=trade.section_id,
        amount=str(aw.winner_price),
        security=str(aw.winner_price / 10),
        clock=clock,
        files=files,
    )
    contracts.sign_contract(session, trade.candidate(1).actor, section_id=trade.section_id, clock=clock)
    contracts.sign_contract(session, trade.tenderer.actor, section_id=trade.section_id, clock=clock)
    made = list(session.execute(select(Refund)).scalars())
    assert {r.org_id for r in made} == {b.user.org_id for b in trade.room.world.bidders}
    for r in made:
        assert r.reason == "concluded" and r.principal_fen == 2_000_000
        days = (r.prepared_at.date() - paid_at.date()).days
        assert days >= 30
        assert r.interest_fen == refunds.interest_fen(2_000_000, refunds.annual_rate(), days) > 0
    assert refunds.annual_rate() == Decimal(deposit_rules.DEMAND_RATE.value) / 100


def test_guarantees_are_released_when_the_contract_is_signed(
    session: Session, clock: FixedClock, ident: Identity, files: FileStore, opening_env: opening_keys.KeyEnv, keys: Keys
) -> None:
    trade = a_reported_section(session, clock, ident, files, opening_env, keys)
    org = trade.room.world.bidders[0].user.org_id or ""
    g = Guarantee(
        id="01GUARANTEE000000000000000",
        section_id=trade.section_id,
        org_id=org,
        issuer_id="x",
        number="BH-1",
        mode="open",
        amount_fen=2_000_000,
        valid_until="2027-12-31",
        sha256="0" * 64,
        document="{}",
        applicant_id=trade.room.world.bidders[0].user.id,
        terms_nonce="",
        status="valid",
        received_at=clock.now(),
    )
    session.add(g)
    session.flush()
    released = refunds.on_contract(session, section_id=trade.section_id, winner_org_id=org, clock=clock)
    assert released == [] and g.status == "released"  # an open guarantee: released by the platform
