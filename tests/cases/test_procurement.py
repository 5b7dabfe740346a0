"""质疑 and 投诉 in government procurement: 7 working days of knowing (采购法 art. 52, 采购条例 art. 53), answered
in 7 working days (art. 53), a complaint within 15 working days after the answer period (art. 55) only on what
was challenged (采购条例 art. 55), to the finance department."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from ggzy.bidding import keys as opening_keys
from ggzy.cases import complaints, queries, service
from ggzy.cases.states import ClockKind, Matter
from ggzy.core import holds
from ggzy.core.calendar import add_working_days, local_date
from ggzy.core.clock import FixedClock
from ggzy.core.errors import RuleViolation
from ggzy.core.files import FileStore
from ggzy.core.roles import Sector
from ggzy.entities.service import Identity
from ggzy.rules.catalog import Category
from ggzy.rules.procedures import Method
from tests.cases.conftest import download_documents, regulator
from tests.trade import a_project, a_published_section, a_world

POINTS = ["技术参数指向特定品牌", "评分标准中业绩分值过高"]


@pytest.fixture
def gp(session: Session, clock: FixedClock, ident: Identity, files: FileStore, opening_env: opening_keys.KeyEnv):  # type: ignore[no-untyped-def]
    world = a_world(session, clock, ident, opening_env, bidders=3)
    project = a_project(
        session, clock, world, method=Method.GP_OPEN_TENDER, category=Category.GP_GOODS, estimate="6000000.00"
    )
    section = a_published_section(session, clock, world, files, opening_env, days=30, project=project)
    download_documents(session, world.bidders[0], section, clock)
    return world, section, regulator(session, clock, ident, Sector.FINANCE)


def test_a_challenge_is_answered_in_seven_working_days_and_does_not_stop_the_deadline(
    session: Session, clock: FixedClock, gp
) -> None:  # type: ignore[no-untyped-def]
    world, section, _ = gp
    case = service.file_objection(
        session,
        world.bidders[0].actor,
        section_id=section.id,
        matter=Matter.DOCUMENTS,
        points=POINTS,
        claims="采购文件存在倾向性。",
        clock=clock,
    )
    assert case.number.startswith("ZY-") and case.regime == "procurement"
    assert queries.clocks(session, case)[ClockKind.ANSWER].due() == add_working_days(local_date(clock.now()), 7)
    assert holds.open_holds(session, section.id) == []


def test_a_challenge_after_seven_working_days_from_obtaining_the_documents_is_refused(
    session: Session, clock: FixedClock, gp
) -> None:  # type: ignore[no-untyped-def]
    world, section, _ = gp
    clock.advance(timedelta(days=12))  # from Thu 26 Nov 2026: more than 7 working days
    with pytest.raises(RuleViolation, match="第53条"):
        service.file_objection(
            session,
            world.bidders[0].actor,
            section_id=section.id,
            matter=Matter.DOCUMENTS,
            points=POINTS,
            claims="x",
            clock=clock,
        )


def test_the_complaint_goes_to_finance_and_may_not_go_beyond_the_challenge(
    session: Session, clock: FixedClock, gp
) -> None:  # type: ignore[no-untyped-def]
    world, section, finance = gp
    bidder = world.bidders[0]
    case = service.file_objection(
        session,
        bidder.actor,
        section_id=section.id,
        matter=Matter.DOCUMENTS,
        points=POINTS[:1],
        claims="倾向性。",
        clock=clock,
    )
    clock.advance(timedelta(days=2))
    service.answer_objection(session, world.tenderer.actor, case_id=case.id, answer="参数通用。", clock=clock)
    with pytest.raises(RuleViolation, match="超出了已质疑事项") as e:
        complaints.file_complaint(
            session,
            bidder.actor,
            section_id=section.id,
            matter=Matter.DOCUMENTS,
            points=POINTS,
            claims="不服答复。",
            to_sector=Sector.FINANCE,
            objection_id=case.id,
            clock=clock,
        )
    assert e.value.details["beyond"] == POINTS[1:]
    complaint, told = complaints.file_complaint(
        session,
        bidder.actor,
        section_id=section.id,
        matter=Matter.DOCUMENTS,
        points=POINTS[:1],
        claims="不服答复。",
        to_sector=Sector.HOUSING,
        objection_id=case.id,
        clock=clock,
    )
    assert complaint.regulator_sector == Sector.FINANCE.value and "财政" in told
    complaints.accept_complaint(session, finance.actor, case_id=complaint.id, clock=clock)


def test_a_complaint_later_than_fifteen_working_days_after_the_answer_period_is_refused(
    session: Session, clock: FixedClock, gp
) -> None:  # type: ignore[no-untyped-def]
    world, section, _ = gp
    bidder = world.bidders[0]
    case = service.file_objection(
        session,
        bidder.actor,
        section_id=section.id,
        matter=Matter.DOCUMENTS,
        points=POINTS[:1],
        claims="倾向性。",
        clock=clock,
    )
    service.answer_objection(session, world.tenderer.actor, case_id=case.id, answer="参数通用。", clock=clock)
    clock.advance(timedelta(days=40))  # 7 + 15 working days are about 31 calendar days here
    with pytest.raises(RuleViolation, match="第55条"):
        complaints.file_complaint(
            session,
            bidder.actor,
            section_id=section.id,
            matter=Matter.DOCUMENTS,
            points=POINTS[:1],
            claims="不服。",
            to_sector=Sector.FINANCE,
            objection_id=case.id,
            clock=clock,
        )


def test_a_procurement_suspension_ends_by_law_after_thirty_days(session: Session, clock: FixedClock, gp) -> None:  # type: ignore[no-untyped-def]
    from ggzy.cases import timers

    world, section, finance = gp
    bidder = world.bidders[0]
    case = service.file_objection(
        session,
        bidder.actor,
        section_id=section.id,
        matter=Matter.DOCUMENTS,
        points=POINTS[:1],
        claims="倾向性。",
        clock=clock,
    )
    service.answer_objection(session, world.tenderer.actor, case_id=case.id, answer="参数通用。", clock=clock)
    complaint, _ = complaints.file_complaint(
        session,
        bidder.actor,
        section_id=section.id,
        matter=Matter.DOCUMENTS,
        points=POINTS[:1],
        claims="不服。",
        to_sector=Sector.FINANCE,
        objection_id=case.id,
        clock=clock,
    )
    complaints.order_suspension(
        session, finance.actor, case_id=complaint.id, steps={holds.Step.DEADLINE}, reason="可能影响结果", clock=clock
    )
    clock.advance(timedelta(days=29))
    assert timers.due_suspensions(session, clock.now()) == []
    clock.advance(timedelta(days=2))
    assert timers.due_suspensions(session, clock.now()) == [complaint.id]
    assert timers.end_suspension(session, complaint.id, clock.now())
    assert holds.open_holds(session, section.id) == []
    assert not timers.end_suspension(session, complaint.id, clock.now())  # once
    # the deadline (30 days out) passed while held: the 31 days held come back, so it lies ahead again
    from ggzy.projects import queries as projects

    s = projects.get_section(session, section.id)
    assert s.bid_deadline is not None and s.bid_deadline > clock.now()
