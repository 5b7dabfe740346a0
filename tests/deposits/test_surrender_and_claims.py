"""Guarantees at the end of the trade and on a legal ground: surrender (退保) to an integrated issuer, release of an
open one, claims (索赔) — each message signed, asked about before it is sent again, answered once, the bidder told."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ggzy.core.clock import FixedClock
from ggzy.core.errors import Conflict, Invalid, NotFound, RuleViolation
from ggzy.core.events import Event, SealedEvent
from ggzy.core.keys import Keys
from ggzy.core.notify import MemoryNotifier
from ggzy.deposits import guarantees, refunds, timers
from ggzy.deposits.guarantees import FakeIssuer, IssuerAnswer
from ggzy.deposits.models import Guarantee, GuaranteeMessage
from ggzy.deposits.states import GuaranteeStatus, MessageStatus
from ggzy.entities import queries as entities
from ggzy.entities.service import Identity
from ggzy.projects import queries as projects
from ggzy.projects import service as registration
from tests.deposits.builders import Desk, a_desk
from tests.deposits.test_guarantees import PLATFORM, a_document, an_issuer


def _two_guarantees(
    session: Session, clock: FixedClock, ident: Identity, platform: Ed25519PrivateKey = PLATFORM
) -> tuple[Desk, FakeIssuer, Guarantee, Guarantee]:
    """Bidder 0 attached an open guarantee, bidder 1 applied for an integrated one; then the bids were opened."""
    desk = a_desk(session, clock, ident, bidders=2)
    fake, issuer_id = an_issuer(session, clock, ident)
    fake.platform_public = platform.public_key()
    opened = guarantees.attach(
        session, desk.bidders[0].actor, section_id=desk.section.id, data=a_document(session, desk, fake), clock=clock
    )
    integrated = guarantees.apply(
        session,
        desk.bidders[1].actor,
        section_id=desk.section.id,
        issuer_id=issuer_id,
        issuer=fake,
        key=platform,
        clock=clock,
    )
    clock.advance(timedelta(days=21))
    desk.section.opened_at = clock.now()
    session.flush()
    return desk, fake, opened, integrated


def _message(session: Session, g: Guarantee, kind: str) -> GuaranteeMessage:
    return session.execute(
        select(GuaranteeMessage).where(GuaranteeMessage.guarantee_id == g.id, GuaranteeMessage.kind == kind)
    ).scalar_one()


def _events(session: Session, type_: str) -> int:
    return int(session.execute(select(func.count()).select_from(Event).where(Event.type == type_)).scalar_one())


def test_at_the_contract_an_integrated_guarantee_is_surrendered_to_its_issuer_once_whatever_it_does(
    session: Session, clock: FixedClock, ident: Identity
) -> None:
    desk, fake, opened, integrated = _two_guarantees(session, clock, ident)
    refunds.on_contract(
        session, section_id=desk.section.id, winner_org_id=desk.bidders[0].user.org_id or "", clock=clock
    )
    assert opened.status == GuaranteeStatus.RELEASED.value  # open: the platform releases it, no issuer to tell
    assert _message(session, opened, "release").status == MessageStatus.DONE.value
    assert integrated.status == GuaranteeStatus.SURRENDERING.value
    row = _message(session, integrated, "surrender")
    assert row.status == MessageStatus.PENDING.value and row.id in guarantees.due_messages(session, clock.now())

    fake.timeout = 1  # no answer at all: nothing was done
    assert guarantees.send_message(session, row.id, fake, key=PLATFORM, clock=clock) is False
    assert row.status == MessageStatus.SENT.value and fake.received == [] and "未及时答复" in row.last_error
    fake.lose_answer = 1  # the issuer surrenders it, and its answer is lost
    assert guarantees.send_message(session, row.id, fake, key=PLATFORM, clock=clock) is False
    assert len(fake.received) == 1 and integrated.number in fake.surrendered
    assert guarantees.send_message(session, row.id, fake, key=PLATFORM, clock=clock) is True  # asked first: done
    assert row.status == MessageStatus.DONE.value and integrated.status == GuaranteeStatus.SURRENDERED.value
    assert len(fake.received) == 1 and row.attempts == 3 and row.answer_ref.startswith("SU")
    (sent,) = fake.received
    assert sent.kind == "surrender" and sent.number == integrated.number and sent.issuer_credit_code == fake.credit_code
    assert guarantees.send_message(session, row.id, fake, key=PLATFORM, clock=clock) is False  # nothing more to do
    assert len(fake.received) == 1 and _events(session, guarantees.ISSUER_ANSWERED) == 1


def test_a_surrender_the_issuer_refuses_is_sent_again_under_the_same_id_and_a_second_answer_changes_nothing(
    session: Session, clock: FixedClock, ident: Identity
) -> None:
    desk, fake, _, integrated = _two_guarantees(session, clock, ident)
    refunds.on_contract(session, section_id=desk.section.id, winner_org_id="", clock=clock)
    row = _message(session, integrated, "surrender")
    fake.refuse_messages, fake.twice = 1, True
    assert guarantees.send_message(session, row.id, fake, key=PLATFORM, clock=clock) is True
    assert row.status == MessageStatus.FAILED.value and "暂不受理" in row.last_error
    assert integrated.status == GuaranteeStatus.SURRENDERING.value and fake.received == []
    assert row.id in guarantees.due_messages(session, clock.now())  # retried on the next tick
    assert guarantees.send_message(session, row.id, fake, key=PLATFORM, clock=clock) is True
    assert row.status == MessageStatus.DONE.value and len(fake.received) == 1
    assert fake.received[0].message_id == row.message_id
    (echo,) = fake.echoes  # the issuer answers twice: the second answer is recorded once
    assert guarantees.record_answer(session, row, echo, clock=clock) is False
    assert _events(session, guarantees.ISSUER_ANSWERED) == 2  # the refusal, then the surrender; not the echo


def test_an_answer_not_signed_by_the_registered_issuer_is_not_believed(
    session: Session, clock: FixedClock, ident: Identity
) -> None:
    desk, fake, _, integrated = _two_guarantees(session, clock, ident)
    refunds.on_contract(session, section_id=desk.section.id, winner_org_id="", clock=clock)
    row = _message(session, integrated, "surrender")
    forged = guarantees.sign_answer(Ed25519PrivateKey.generate(), IssuerAnswer(row.message_id, "done", "X1"))
    row.status = MessageStatus.SENT.value
    assert guarantees.record_answer(session, row, forged, clock=clock) is False
    assert row.status == MessageStatus.SENT.value and "签名无效" in row.last_error
    with pytest.raises(Conflict, match="报文编号"):
        guarantees.record_answer(session, row, IssuerAnswer("OTHER", "done"), clock=clock)
    # A message the platform did not sign is refused by the issuer.
    assert guarantees.send_message(session, row.id, fake, key=Ed25519PrivateKey.generate(), clock=clock) is True
    assert row.status == MessageStatus.FAILED.value and "签名无效" in row.last_error and fake.received == []


def test_the_tick_sends_the_surrender_and_tells_each_bidder_once(
    session: Session, clock: FixedClock, ident: Identity, keys: Keys
) -> None:
    ctx = SimpleNamespace(extras={}, keys=keys, notifier=MemoryNotifier())
    desk, fake, opened, integrated = _two_guarantees(session, clock, ident, platform=timers.platform_key(ctx))
    timers.issuers_of(ctx)[fake.credit_code] = fake
    refunds.on_contract(session, section_id=desk.section.id, winner_org_id="", clock=clock)
    source = {s.name: s for s in timers.sources(ctx)}["deposits.guarantee_messages"]
    due = list(source.due(session, clock.now()))
    assert len(due) == 2
    for row_id in due:
        assert source.apply(session, row_id, clock.now()) is True
    assert integrated.status == GuaranteeStatus.SURRENDERED.value and len(fake.received) == 1
    assert list(source.due(session, clock.now())) == []
    for b, g in zip(desk.bidders, (opened, integrated), strict=True):
        (told,) = ctx.notifier.to(b.user.id)
        assert told.subject == "电子保函退保" and g.number in told.body
    assert "已退保" in ctx.notifier.to(desk.bidders[1].user.id)[0].body
    assert "已解除" in ctx.notifier.to(desk.bidders[0].user.id)[0].body


def test_a_failed_or_terminated_trade_releases_every_guarantee(
    session: Session, clock: FixedClock, ident: Identity
) -> None:
    desk = a_desk(session, clock, ident, bidders=2)
    fake, issuer_id = an_issuer(session, clock, ident)
    opened = guarantees.attach(
        session, desk.bidders[0].actor, section_id=desk.section.id, data=a_document(session, desk, fake), clock=clock
    )
    integrated = guarantees.apply(
        session,
        desk.bidders[1].actor,
        section_id=desk.section.id,
        issuer_id=issuer_id,
        issuer=fake,
        key=PLATFORM,
        clock=clock,
    )
    registration.terminate_section(session, desk.tenderer.actor, section=desk.section, reason="项目取消", clock=clock)
    assert opened.status == GuaranteeStatus.RELEASED.value
    assert integrated.status == GuaranteeStatus.SURRENDERING.value
    row = _message(session, integrated, "surrender")
    assert row.reason == "流标或终止招标"
    assert guarantees.send_message(session, row.id, fake, key=PLATFORM, clock=clock) is True
    assert integrated.status == GuaranteeStatus.SURRENDERED.value
    # Nothing of it is visible before an opening that will never come: the release is sealed with the section.
    sealed = session.execute(select(SealedEvent.type).where(SealedEvent.type == refunds.GUARANTEE_RELEASED)).all()
    assert len(sealed) == 2 and _events(session, refunds.GUARANTEE_RELEASED) == 0


# --- claims ------------------------------------------------------------------------------------------------


def test_a_claim_goes_to_the_issuer_once_for_the_guarantee_amount_to_the_beneficiary(
    session: Session, clock: FixedClock, ident: Identity
) -> None:
    desk, fake, _, integrated = _two_guarantees(session, clock, ident)
    operator, org = desk.operator.actor, desk.bidders[1].user.org_id or ""
    row = guarantees.claim(
        session,
        operator,
        section_id=desk.section.id,
        org_id=org,
        ground="refused_contract",
        reason="中标人收到中标通知书后无正当理由拒不签订合同",
        clock=clock,
    )
    assert integrated.status == GuaranteeStatus.CLAIMING.value and row.status == MessageStatus.PENDING.value
    project = projects.get_project(session, desk.section.project_id)
    tenderer = entities.get_org(session, project.tenderer_org_id)
    assert row.amount_fen == integrated.amount_fen == 2_000_000 and row.beneficiary == tenderer.credit_code
    decided = session.execute(select(Event).where(Event.type == guarantees.GUARANTEE_CLAIMED)).scalar_one()
    assert decided.scope_id == project.id  # in the project's public log for supervision, like a cash forfeiture
    with pytest.raises(Conflict, match="不会重复"):
        guarantees.claim(
            session,
            operator,
            section_id=desk.section.id,
            org_id=org,
            ground="refused_contract",
            reason="再",
            clock=clock,
        )
    fake.lose_answer = 1
    assert guarantees.send_message(session, row.id, fake, key=PLATFORM, clock=clock) is False
    assert guarantees.send_message(session, row.id, fake, key=PLATFORM, clock=clock) is True
    (sent,) = fake.received  # never sent twice
    assert (sent.kind, sent.amount, sent.beneficiary) == ("claim", "20000.00", tenderer.credit_code)
    assert "第74条" in sent.ground and "拒不签订合同" in sent.reason
    assert fake.claims == {integrated.number: "20000.00"}
    assert integrated.status == GuaranteeStatus.CLAIMED.value and row.answer_ref.startswith("CL")
    # The claimed guarantee is not released at the contract.
    refunds.on_contract(session, section_id=desk.section.id, winner_org_id="", clock=clock)
    assert integrated.status == GuaranteeStatus.CLAIMED.value


def test_a_claim_the_issuer_refuses_is_recorded_and_never_sent_again(
    session: Session, clock: FixedClock, ident: Identity
) -> None:
    desk, fake, _, integrated = _two_guarantees(session, clock, ident)
    row = guarantees.claim(
        session,
        desk.operator.actor,
        section_id=desk.section.id,
        org_id=desk.bidders[1].user.org_id or "",
        ground="withdrawn_after_deadline",
        reason="投标截止后撤销投标文件",
        clock=clock,
    )
    fake.refuse_messages = 1
    assert guarantees.send_message(session, row.id, fake, key=PLATFORM, clock=clock) is True
    assert row.status == MessageStatus.REFUSED.value and integrated.status == GuaranteeStatus.CLAIM_REFUSED.value
    assert "暂不受理" in row.answer_reason
    assert guarantees.send_message(session, row.id, fake, key=PLATFORM, clock=clock) is False
    assert fake.calls == 1 and fake.received == []
    notifier = MemoryNotifier()
    assert guarantees.tell(session, row.id, notifier, clock=clock) is True
    assert guarantees.tell(session, row.id, notifier, clock=clock) is False
    assert "拒绝索赔" in notifier.last(desk.bidders[1].user.id).body
    assert row.id not in guarantees.due_messages(session, clock.now())


def test_claims_only_on_a_legal_ground_with_a_reason_after_the_deadline(
    session: Session, clock: FixedClock, ident: Identity
) -> None:
    desk = a_desk(session, clock, ident, bidders=2)
    fake, _ = an_issuer(session, clock, ident, integrated=False)
    opened = guarantees.attach(
        session, desk.bidders[0].actor, section_id=desk.section.id, data=a_document(session, desk, fake), clock=clock
    )
    org = desk.bidders[0].user.org_id or ""
    args = {"section_id": desk.section.id, "org_id": org}
    with pytest.raises(RuleViolation, match="投标截止前"):
        guarantees.claim(session, desk.operator.actor, **args, ground="refused_contract", reason="x", clock=clock)
    clock.advance(timedelta(days=21))
    with pytest.raises(Invalid, match="法定情形"):
        guarantees.claim(session, desk.operator.actor, **args, ground="late_delivery", reason="x", clock=clock)
    with pytest.raises(Invalid, match="理由"):
        guarantees.claim(session, desk.operator.actor, **args, ground="refused_contract", reason=" ", clock=clock)
    with pytest.raises(NotFound, match="没有电子保函"):
        guarantees.claim(
            session,
            desk.operator.actor,
            section_id=desk.section.id,
            org_id=desk.bidders[1].user.org_id or "",
            ground="refused_contract",
            reason="x",
            clock=clock,
        )
    from ggzy.core.errors import Forbidden

    with pytest.raises(Forbidden):
        guarantees.claim(session, desk.bidders[1].actor, **args, ground="refused_contract", reason="x", clock=clock)
    assert opened.status == GuaranteeStatus.VALID.value and session.query(GuaranteeMessage).count() == 0
    # An open guarantee: the decision is recorded; the beneficiary claims with the paper (no issuer is connected).
    row = guarantees.claim(
        session,
        desk.operator.actor,
        **args,
        ground="refused_performance_security",
        reason="中标人未按招标文件要求提交履约保证金",
        clock=clock,
    )
    assert row.status == MessageStatus.OFFLINE.value and opened.status == GuaranteeStatus.CLAIMING.value
    assert guarantees.send_message(session, row.id, fake, key=PLATFORM, clock=clock) is False and fake.calls == 0
