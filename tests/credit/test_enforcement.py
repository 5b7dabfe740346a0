"""一处失信，处处受限: a debarred bidder is refused at the bid and the security, citing the sanction; the
attempt is kept in its own transaction for the supervision office; registration only warns."""

from __future__ import annotations

import json

import pytest
from sqlalchemy.orm import Session

from ggzy.bidding import documents
from ggzy.bidding import keys as opening_keys
from ggzy.bidding import service as bidding
from ggzy.core.clock import FixedClock
from ggzy.core.errors import Forbidden, RecordedRefusal
from ggzy.core.files import FileStore
from ggzy.core.keys import Keys
from ggzy.core.roles import Role
from ggzy.credit import enforce, queries
from ggzy.credit.models import CreditCheck
from ggzy.credit.states import TradeClass
from ggzy.deposits import service as deposits
from ggzy.entities.service import Identity
from tests.builders import a_user
from tests.credit.conftest import a_sanction
from tests.deposits.builders import a_desk
from tests.trade import a_published_section, a_sealed_bid, a_world


def test_a_debarred_bidder_is_refused_at_the_bid_with_the_sanction_cited(
    session: Session, clock: FixedClock, ident: Identity, files: FileStore, opening_env: opening_keys.KeyEnv, keys: Keys
) -> None:
    world = a_world(session, clock, ident, opening_env, bidders=2)
    section = a_published_section(session, clock, world, files, opening_env)
    barred, fine = world.bidders
    a_sanction(session, clock, world.supervisor, barred.user.org_id)
    with pytest.raises(RecordedRefusal, match="依据：《招标投标法》第53条") as e:
        a_sealed_bid(session, clock, files, keys, section, barred)
    assert e.value.code == "credit-sanctioned" and "取消依法必须进行招标的项目投标资格" in e.value.message
    assert session.query(CreditCheck).count() == 0  # nothing stored by the refused request
    e.value.record(session)  # what the web edge does, in a transaction of its own
    e.value.record(session)  # once per day and step
    refused = queries.refusals(session)
    assert len(refused) == 1 and refused[0].org_id == barred.user.org_id and refused[0].step == "bid"
    assert json.loads(refused[0].sanctions)[0]["citation"] == "《招标投标法》第53条"
    a_sealed_bid(session, clock, files, keys, section, fine)  # others bid as before
    with pytest.raises(Forbidden):
        enforce.review_refusal(session, barred.actor, check_id=refused[0].id, clock=clock)
    enforce.review_refusal(session, world.supervisor.actor, check_id=refused[0].id, clock=clock)
    assert queries.refusals(session, unreviewed=True) == [] and len(queries.refusals(session)) == 1


def test_registration_warns_and_keeps_the_check(
    session: Session, clock: FixedClock, ident: Identity, files: FileStore, opening_env: opening_keys.KeyEnv
) -> None:
    world = a_world(session, clock, ident, opening_env, bidders=1)
    section = a_published_section(session, clock, world, files, opening_env)
    barred = world.bidders[0]
    a_sanction(session, clock, world.supervisor, barred.user.org_id)
    assert "投标时将被拒绝" in enforce.warnings(
        session, org_id=barred.user.org_id, section_id=section.id, at=clock.now()
    )
    documents.register(session, barred.actor, section_id=section.id, clock=clock)
    checks = queries.checks_of(session, section.id)
    assert [c.outcome for c in checks] == ["warned"]


def test_a_procurement_ban_does_not_bind_a_works_tender(
    session: Session, clock: FixedClock, ident: Identity, files: FileStore, opening_env: opening_keys.KeyEnv, keys: Keys
) -> None:
    world = a_world(session, clock, ident, opening_env, bidders=1)
    section = a_published_section(session, clock, world, files, opening_env)
    a_sanction(session, clock, world.supervisor, world.bidders[0].user.org_id, classes=[TradeClass.PROCUREMENT])
    bidding.ensure_may_bid(session, world.bidders[0].actor, section.id, clock.now())
    a_sealed_bid(session, clock, files, keys, section, world.bidders[0])


def test_the_security_is_refused_too(session: Session, clock: FixedClock, ident: Identity) -> None:
    desk = a_desk(session, clock, ident, bidders=1)
    supervisor = a_user(session, clock, ident, role=Role.SUPERVISOR)
    newcomer = a_user(session, clock, ident, role=Role.BIDDER)
    a_sanction(session, clock, supervisor, newcomer.user.org_id)
    with pytest.raises(RecordedRefusal, match="缴纳投标保证金"):
        deposits.open_sub_account(session, newcomer.actor, section_id=desk.section.id, clock=clock)


def test_sanctions_for_is_what_the_award_calls(session: Session, clock: FixedClock, ident: Identity) -> None:
    supervisor = a_user(session, clock, ident, role=Role.SUPERVISOR)
    bidder = a_user(session, clock, ident, role=Role.BIDDER)
    a_sanction(session, clock, supervisor, bidder.user.org_id, classes=[TradeClass.PROCUREMENT, TradeClass.LAND])
    found = queries.sanctions_for(session, bidder.user.org_id, TradeClass.LAND, "410700", clock.now())
    assert [s.trade_classes for s in found] == ["land,procurement"]
