"""Publicity, objections, award and contract: the rules of 条例 arts. 54–58 and 招标投标法 arts. 45–47."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ggzy.award import contracts, queries, service
from ggzy.award.models import Award, Contract
from ggzy.bidding import keys as opening_keys
from ggzy.cases.models import Case
from ggzy.core import holds
from ggzy.core.clock import FixedClock
from ggzy.core.errors import Conflict, Forbidden, Invalid, NotFound, RuleViolation
from ggzy.core.events import Event
from ggzy.core.files import FileStore
from ggzy.core.keys import Keys
from ggzy.core.notify import MemoryNotifier
from ggzy.entities.service import Identity
from ggzy.notices.models import Notice
from ggzy.notices.states import NoticeKind
from ggzy.projects import queries as projects
from ggzy.projects.states import SectionStatus
from ggzy.supervision.models import Alert
from tests.award.builders import Trade, a_reported_section, after_publicity, published


@pytest.fixture
def trade(
    session: Session, clock: FixedClock, ident: Identity, files: FileStore, opening_env: opening_keys.KeyEnv, keys: Keys
) -> Trade:
    return a_reported_section(session, clock, ident, files, opening_env, keys)


def status(session: Session, trade: Trade) -> SectionStatus:
    return SectionStatus(projects.get_section(session, trade.section_id).status)


def awarded(session: Session, clock: FixedClock, trade: Trade, files: FileStore, notifier: MemoryNotifier) -> Award:
    a = published(session, clock, trade)
    after_publicity(clock, a)
    return service.award(
        session,
        trade.tenderer.actor,
        section_id=trade.section_id,
        winner_org_id=trade.candidate(1).user.org_id,
        clock=clock,
        files=files,
        notifier=notifier,
    )


def test_the_tenderer_publishes_three_ranked_candidates_with_prices_for_at_least_three_days(
    session: Session, clock: FixedClock, trade: Trade
) -> None:
    a = published(session, clock, trade)
    assert status(session, trade) is SectionStatus.PUBLICITY
    listed = queries.candidates(a)
    assert [c["rank"] for c in listed] == [1, 2, 3]
    assert all(c["price"] is not None for c in listed)
    notice = session.get(Notice, a.publicity_notice_id)
    assert notice is not None and notice.kind == NoticeKind.CANDIDATES.value
    assert listed[0]["name"] in notice.body and "公示期" in notice.body
    assert a.publicity_ends_at - a.published_at >= timedelta(days=2)  # 3 days, the start day not counted
    assert not a.published_late
    with pytest.raises(Conflict):
        published(session, clock, trade)


def test_publication_before_the_report_is_signed_is_refused(
    session: Session, clock: FixedClock, ident: Identity, files: FileStore, opening_env: opening_keys.KeyEnv, keys: Keys
) -> None:
    from tests.evaluation.builders import a_bill, an_opened_section

    room = an_opened_section(session, clock, ident, files, opening_env, keys, [a_bill() for _ in range(3)])
    with pytest.raises(RuleViolation, match="评标报告签署后"):
        service.publish_candidates(session, room.world.tenderer.actor, section_id=room.section.id, clock=clock)
    assert session.execute(select(func.count()).select_from(Award)).scalar_one() == 0


def test_a_late_publication_is_published_and_flagged_to_supervision(
    session: Session, clock: FixedClock, trade: Trade
) -> None:
    clock.advance(timedelta(days=5))
    a = published(session, clock, trade)
    assert a.published_late
    assert session.execute(select(Event).where(Event.type == service.PUBLICITY_LATE)).scalar_one()
    alert = session.execute(select(Alert).where(Alert.flag_id == "D01")).scalar_one()
    assert alert.section_id == trade.section_id and "第54条" in alert.legal_basis


def test_an_objection_holds_the_award_until_the_tenderer_answers(
    session: Session, clock: FixedClock, trade: Trade, files: FileStore
) -> None:
    a = published(session, clock, trade)
    second = trade.candidate(2)
    o = service.file_objection(session, second.actor, section_id=trade.section_id, text="第一名业绩不真实", clock=clock)
    assert o.next_due_at is not None and o.next_due_at > o.filed_at and o.number.startswith("YY")
    assert o.kind == "objection" and o.matter == "result"  # one case of the case workflow
    hold = holds.holding(session, trade.section_id, holds.Step.AWARD)
    assert hold is not None and hold.case_number == o.number
    after_publicity(clock, a)
    with pytest.raises(RuleViolation, match=o.number):
        service.award(
            session,
            trade.tenderer.actor,
            section_id=trade.section_id,
            winner_org_id=trade.candidate(1).user.org_id,
            clock=clock,
            files=files,
            notifier=MemoryNotifier(),
        )
    assert status(session, trade) is SectionStatus.PUBLICITY
    with pytest.raises(Forbidden):
        service.answer_objection(session, second.actor, objection_id=o.id, answer="x", clock=clock)
    service.answer_objection(session, trade.tenderer.actor, objection_id=o.id, answer="经核实业绩真实", clock=clock)
    assert holds.holding(session, trade.section_id, holds.Step.AWARD) is None
    assert not o.answered_late
    with pytest.raises(RuleViolation, match="已于此前答复"):
        service.answer_objection(session, trade.tenderer.actor, objection_id=o.id, answer="again", clock=clock)


def test_an_answer_after_three_days_is_recorded_late_and_flagged(
    session: Session, clock: FixedClock, trade: Trade
) -> None:
    published(session, clock, trade)
    o = service.file_objection(session, trade.candidate(3).actor, section_id=trade.section_id, text="异议", clock=clock)
    assert o.next_due_at is not None
    clock.set(o.next_due_at + timedelta(hours=1))
    service.answer_objection(session, trade.tenderer.actor, objection_id=o.id, answer="答复", clock=clock)
    assert o.answered_late and o.late_recorded == "answer"
    assert session.execute(select(Alert).where(Alert.flag_id == "K01")).scalar_one().section_id == trade.section_id


def test_objections_outside_publicity_or_by_a_non_bidder_are_refused_and_change_nothing(
    session: Session, clock: FixedClock, ident: Identity, trade: Trade
) -> None:
    from ggzy.core.roles import Role
    from tests.builders import a_user

    bidder = trade.candidate(2)
    with pytest.raises(RuleViolation, match="发出中标通知书后"):
        contracts.sign_contract(session, trade.tenderer.actor, section_id=trade.section_id, clock=clock)
    with pytest.raises(RuleViolation, match="须先公示"):
        service.award(
            session,
            trade.tenderer.actor,
            section_id=trade.section_id,
            winner_org_id=trade.candidate(1).user.org_id,
            clock=clock,
            files=FileStore(Path("/nonexistent")),
            notifier=MemoryNotifier(),
        )
    with pytest.raises(RuleViolation, match="公示期间"):
        service.file_objection(session, bidder.actor, section_id=trade.section_id, text="太早", clock=clock)
    a = published(session, clock, trade)
    stranger = a_user(session, clock, ident, role=Role.BIDDER)
    with pytest.raises(Forbidden, match="投标人"):
        service.file_objection(session, stranger.actor, section_id=trade.section_id, text="外人", clock=clock)
    with pytest.raises(Forbidden):
        service.file_objection(session, trade.tenderer.actor, section_id=trade.section_id, text="自己", clock=clock)
    with pytest.raises(Invalid):
        service.file_objection(session, bidder.actor, section_id=trade.section_id, text="  ", clock=clock)
    after_publicity(clock, a)
    with pytest.raises(RuleViolation, match="公示期已于"):
        service.file_objection(session, bidder.actor, section_id=trade.section_id, text="太晚", clock=clock)
    assert session.execute(select(func.count()).select_from(Case)).scalar_one() == 0
    assert holds.open_holds(session, trade.section_id) == []


def test_the_award_goes_to_the_first_candidate_with_notices_to_winner_and_others(
    session: Session, clock: FixedClock, trade: Trade, files: FileStore
) -> None:
    notifier = MemoryNotifier()
    a = awarded(session, clock, trade, files, notifier)
    assert status(session, trade) is SectionStatus.AWARDED
    assert a.winner_rank == 1 and a.notice_sha256 and files.path(a.notice_path or "").read_bytes().startswith(b"%PDF")
    winner = trade.candidate(1)
    assert notifier.last(winner.user.id).subject == "中标通知书"
    assert notifier.last(trade.loser.user.id).subject == "中标结果通知书"
    assert notifier.last(trade.candidate(2).user.id).subject == "中标结果通知书"
    result = session.get(Notice, a.result_notice_id)
    assert result is not None and result.kind == NoticeKind.RESULT.value and winner.user.org_id
    assert a.contract_due_at is not None and a.report_due_at is not None
    assert a.contract_due_at - a.awarded_at >= timedelta(days=30)  # type: ignore[operator]
    with pytest.raises(Conflict, match="已确定中标人"):
        service.award(
            session,
            trade.tenderer.actor,
            section_id=trade.section_id,
            winner_org_id=trade.candidate(2).user.org_id,
            clock=clock,
            files=files,
            notifier=notifier,
        )


def test_award_during_publicity_to_a_non_candidate_or_below_first_without_reason_is_refused(
    session: Session, clock: FixedClock, trade: Trade, files: FileStore
) -> None:
    a = published(session, clock, trade)

    def award_to(org_id: str, reason: str = "") -> Award:
        return service.award(
            session,
            trade.tenderer.actor,
            section_id=trade.section_id,
            winner_org_id=org_id,
            clock=clock,
            files=files,
            notifier=MemoryNotifier(),
            reason=reason,
        )

    with pytest.raises(RuleViolation, match="公示期满后"):
        award_to(trade.candidate(1).user.org_id)
    after_publicity(clock, a)
    with pytest.raises(RuleViolation, match="中标候选人中"):
        award_to(trade.loser.user.org_id)
    with pytest.raises(RuleViolation, match="第55条"):
        award_to(trade.candidate(2).user.org_id)
    with pytest.raises(Forbidden):
        service.award(
            session,
            trade.candidate(1).actor,
            section_id=trade.section_id,
            winner_org_id=trade.candidate(1).user.org_id,
            clock=clock,
            files=files,
            notifier=MemoryNotifier(),
        )
    assert a.winner_org_id is None and status(session, trade) is SectionStatus.PUBLICITY
    got = award_to(trade.candidate(2).user.org_id, "排名第一的中标候选人书面放弃中标")
    assert got.winner_rank == 2 and "放弃" in got.reason


def test_contract_signed_by_both_sides_is_published_and_archived_later(
    session: Session, clock: FixedClock, trade: Trade, files: FileStore
) -> None:
    a = awarded(session, clock, trade, files, MemoryNotifier())
    winner = trade.candidate(1)
    with pytest.raises(NotFound):
        contracts.sign_contract(session, winner.actor, section_id=trade.section_id, clock=clock)
    with pytest.raises(Forbidden):
        contracts.create_contract(
            session, winner.actor, section_id=trade.section_id, amount="1", security="0", clock=clock, files=files
        )
    c = contracts.create_contract(
        session,
        trade.tenderer.actor,
        section_id=trade.section_id,
        amount=str(a.winner_price),
        security=str((a.winner_price or Decimal(0)) / 10),
        clock=clock,
        files=files,
    )
    assert c.source == "draft" and files.path(c.path).read_bytes().startswith(b"%PDF")
    with pytest.raises(Forbidden, match="招标人和中标人"):
        contracts.sign_contract(session, trade.candidate(2).actor, section_id=trade.section_id, clock=clock)
    contracts.sign_contract(session, winner.actor, section_id=trade.section_id, clock=clock)
    with pytest.raises(Conflict):
        contracts.sign_contract(session, winner.actor, section_id=trade.section_id, clock=clock)
    assert status(session, trade) is SectionStatus.AWARDED
    contracts.sign_contract(session, trade.tenderer.actor, section_id=trade.section_id, clock=clock)
    assert status(session, trade) is SectionStatus.CONTRACTED
    assert c.signed_at is not None and c.differences == "[]"
    notice = session.get(Notice, c.notice_id)
    assert notice is not None and notice.kind == NoticeKind.CONTRACT.value and c.sha256 in notice.body


def test_performance_security_above_ten_percent_is_refused(
    session: Session, clock: FixedClock, trade: Trade, files: FileStore
) -> None:
    a = awarded(session, clock, trade, files, MemoryNotifier())
    amount = a.winner_price or Decimal(0)
    with pytest.raises(RuleViolation, match="第58条"):
        contracts.create_contract(
            session,
            trade.tenderer.actor,
            section_id=trade.section_id,
            amount=str(amount),
            security=str((amount / 10 + Decimal("0.01")).quantize(Decimal("0.01"))),
            clock=clock,
            files=files,
        )
    with pytest.raises(Invalid):
        contracts.create_contract(
            session,
            trade.tenderer.actor,
            section_id=trade.section_id,
            amount=str(amount),
            security="0",
            pdf=b"not a pdf",
            clock=clock,
            files=files,
        )
    assert session.execute(select(func.count()).select_from(Contract)).scalar_one() == 0


def test_a_contract_departing_from_the_award_is_flagged_with_both_values(
    session: Session, clock: FixedClock, trade: Trade, files: FileStore
) -> None:
    a = awarded(session, clock, trade, files, MemoryNotifier())
    amount = (a.winner_price or Decimal(0)) + Decimal("5000.00")
    c = contracts.create_contract(
        session,
        trade.tenderer.actor,
        section_id=trade.section_id,
        amount=str(amount),
        security="0",
        pdf=b"%PDF-1.4 uploaded contract",
        clock=clock,
        files=files,
    )
    assert c.source == "upload"
    alert = session.execute(select(Alert).where(Alert.flag_id == "D05")).scalar_one()
    assert str(amount) in alert.evidence and str(a.winner_price) in alert.evidence


def test_signing_after_thirty_days_or_while_held_is_refused(
    session: Session, clock: FixedClock, trade: Trade, files: FileStore
) -> None:
    a = awarded(session, clock, trade, files, MemoryNotifier())
    contracts.create_contract(
        session,
        trade.tenderer.actor,
        section_id=trade.section_id,
        amount=str(a.winner_price),
        security="0",
        clock=clock,
        files=files,
    )
    h = holds.place(
        session,
        trade.tenderer.actor,
        section_id=trade.section_id,
        steps={holds.Step.SIGNING},
        case_number="TS2026000001",
        reason="投诉处理",
        clock=clock,
    )
    with pytest.raises(RuleViolation, match="TS2026000001"):
        contracts.sign_contract(session, trade.tenderer.actor, section_id=trade.section_id, clock=clock)
    holds.lift(session, trade.tenderer.actor, hold_id=h.id, clock=clock)
    assert a.contract_due_at is not None
    clock.set(a.contract_due_at + timedelta(minutes=1))
    with pytest.raises(RuleViolation, match="第46条"):
        contracts.sign_contract(session, trade.tenderer.actor, section_id=trade.section_id, clock=clock)
    c = queries.contract_of(session, a.id)
    assert c is not None and c.tenderer_signed_at is None
