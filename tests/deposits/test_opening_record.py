"""The opening record shows each bidder's security as it stood at the deadline (issue 11, item 4): cash paid in full
from the basic account, paid from another account, short, or missing; and it keeps showing it after the section
moves on."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from ggzy.bidding import keys as opening_keys
from ggzy.bidding import opening
from ggzy.core.clock import FixedClock
from ggzy.core.files import FileStore
from ggzy.core.keys import Keys
from ggzy.deposits import queries, service
from ggzy.deposits.service import BankPayment
from ggzy.entities.service import Identity
from ggzy.exchange import ocds
from ggzy.notices import queries as notices
from ggzy.projects import timers as deadline
from tests.trade import a_published_section, a_sealed_bid, a_world, hand_in, org_name


def test_the_opening_record_states_every_bidders_security_at_the_deadline(
    session: Session, clock: FixedClock, ident: Identity, files: FileStore, opening_env: opening_keys.KeyEnv, keys: Keys
) -> None:
    world = a_world(session, clock, ident, opening_env, bidders=4)
    section = a_published_section(session, clock, world, files, opening_env)
    service.set_requirement(
        session,
        world.tenderer.actor,
        section_id=section.id,
        amount="20000.00",
        bank_name="中国银行新乡分行",
        clock=clock,
    )
    paid, other, short, none = world.bidders
    for i, (p, payer, amount) in enumerate(
        [(paid, "basic", "20000.00"), (other, "622800001111", "20000.00"), (short, "basic", "15000.00")]
    ):
        account = f"4105000{i}12345678"
        service.register_basic_account(session, p.actor, account_no=account, bank_name="建设银行", clock=clock)
        sub = service.open_sub_account(session, p.actor, section_id=section.id, clock=clock)
        service.record_payment(
            session,
            BankPayment(
                f"OPEN-T{i}", sub.number, account if payer == "basic" else payer, "投标人", amount, clock.now()
            ),
            source="callback",
            clock=clock,
        )
    service.register_basic_account(session, none.actor, account_no="41050009999", bank_name="建设银行", clock=clock)
    late_sub = service.open_sub_account(session, none.actor, section_id=section.id, clock=clock)  # asked, never paid
    for b in world.bidders:
        a_sealed_bid(session, clock, files, keys, section, b, price="4800000.00")
    assert section.bid_deadline is not None
    clock.set(section.bid_deadline)
    deadline.reach_deadline(session, section.id, clock.now())
    hand_in(session, clock, world.supervisor, section, files, opening_env)
    hand_in(session, clock, world.tenderer, section, files, opening_env)

    by_bidder = {r.bidder: r.security for r in opening.opening_rows(session, section)}
    assert by_bidder[org_name(session, paid)] == "现金保证金足额按时到账（基本账户）"
    assert by_bidder[org_name(session, other)] == "保证金非从基本账户转出，待核实"
    assert by_bidder[org_name(session, short)].startswith("保证金不足：应缴 20000.00 元，到账 15000.00 元")
    assert by_bidder[org_name(session, none)] == queries.MISSING
    record = notices.of_section(session, section.id, "opening")[0]
    assert f"{org_name(session, none)}　投标报价：¥4,800,000.00　工期/服务期：" in record.body
    assert "投标保证金：未缴纳投标保证金" in record.body and "投标保证金：现金保证金足额按时到账" in record.body
    # the art. 40 (六) sign reads the account the bank saw, not what the bid declared
    details = ocds.release(session, section, clock=clock)["bids"]["details"]
    accounts = {d["tenderers"][0]["name"]: d["ggzySupervision"]["depositAccount"] for d in details}
    assert accounts[org_name(session, other)] == "622800001111"
    assert accounts[org_name(session, paid)] == "4105000012345678"
    # a payment arriving after the deadline does not change what the record says
    clock.advance(timedelta(hours=1))
    service.record_payment(
        session,
        BankPayment("LATE-1", late_sub.number, "41050009999", "投标人", "20000.00", clock.now()),
        source="callback",
        clock=clock,
    )
    late = {r.bidder: r.security for r in opening.opening_rows(session, section)}
    assert late[org_name(session, none)] == queries.MISSING


def test_a_section_that_asked_for_no_security_shows_none(
    session: Session, clock: FixedClock, ident: Identity, files: FileStore, opening_env: opening_keys.KeyEnv, keys: Keys
) -> None:
    world = a_world(session, clock, ident, opening_env, bidders=3)
    section = a_published_section(session, clock, world, files, opening_env)
    for b in world.bidders:
        a_sealed_bid(session, clock, files, keys, section, b)
    assert section.bid_deadline is not None
    clock.set(section.bid_deadline)
    deadline.reach_deadline(session, section.id, clock.now())
    hand_in(session, clock, world.supervisor, section, files, opening_env)
    hand_in(session, clock, world.tenderer, section, files, opening_env)
    assert {r.security for r in opening.opening_rows(session, section)} == {""}
    assert "投标保证金" not in notices.of_section(session, section.id, "opening")[0].body
