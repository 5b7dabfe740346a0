"""Objections (异议): on time they stop the deadline and the opening (条例 art. 22); the answer lifts the hold and
gives the bidders back the time held; out of time, or from someone not concerned, they are refused and leave
nothing behind."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ggzy.cases import queries, service
from ggzy.cases.models import Case
from ggzy.cases.states import CaseStatus, ClockKind, Matter
from ggzy.core import holds
from ggzy.core.clock import FixedClock
from ggzy.core.errors import Forbidden, RuleViolation
from ggzy.notices import queries as notices
from ggzy.projects import queries as projects
from ggzy.projects import timers as deadline
from tests.cases.conftest import CaseWorld


def _object(session: Session, cw: CaseWorld, clock: FixedClock, **kw: object) -> Case:
    args: dict[str, object] = {
        "section_id": cw.section.id,
        "matter": Matter.DOCUMENTS,
        "points": ["资格条件要求三年内同类业绩五项，排斥潜在投标人"],
        "claims": "招标文件第三章资格条件设置不合理，请求修改。",
        "clock": clock,
    }
    args.update(kw)
    return service.file_objection(session, cw.bidder.actor, **args)  # type: ignore[arg-type]


def _cases(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Case)) or 0


def test_an_objection_to_the_documents_stops_the_deadline_and_the_opening(
    session: Session, clock: FixedClock, cw: CaseWorld
) -> None:
    case = _object(session, cw, clock)
    assert case.number.startswith("YY-2026-") and case.status == CaseStatus.FILED.value
    hold = holds.holding(session, cw.section.id, holds.Step.DEADLINE)
    assert hold is not None and hold.case_number == case.number
    with pytest.raises(RuleViolation, match=case.number):
        holds.check(session, cw.section.id, holds.Step.OPENING)
    due = queries.clocks(session, case)[ClockKind.ANSWER].due()
    assert due is not None and (due - clock.now().date()).days == 3  # 条例 art. 22: answered within 3 days


def test_the_deadline_waits_and_the_answer_gives_back_the_time_held(
    session: Session, clock: FixedClock, cw: CaseWorld
) -> None:
    old = cw.section.bid_deadline
    assert old is not None
    clock.advance(timedelta(days=14))  # 11 days before the deadline: still in time
    case = _object(session, cw, clock)
    clock.advance(timedelta(days=12))  # the deadline passes while held (the answer is late)
    assert not deadline.reach_deadline(session, cw.section.id, clock.now())
    assert projects.get_section(session, cw.section.id).status == "bidding"
    service.answer_objection(
        session, cw.tenderer.actor, case_id=case.id, answer="经复核，资格条件已修改。", clock=clock
    )
    assert case.answered_late  # flagged: the answer came after 3 days
    assert holds.holding(session, cw.section.id, holds.Step.DEADLINE) is None
    section = projects.get_section(session, cw.section.id)
    assert section.bid_deadline == old + timedelta(days=12)  # the 12 days held come back whole
    clarifications = notices.of_section(session, cw.section.id, "clarification")
    assert clarifications and "顺延" in clarifications[-1].title


def test_an_objection_less_than_ten_days_before_the_deadline_is_refused(
    session: Session, clock: FixedClock, cw: CaseWorld
) -> None:
    clock.advance(timedelta(days=16))  # 9 days before the deadline
    with pytest.raises(RuleViolation, match="第22条") as e:
        _object(session, cw, clock)
    assert e.value.code == "out-of-time"
    assert _cases(session) == 0 and holds.open_holds(session, cw.section.id) == []


def test_only_those_who_obtained_the_documents_may_object(session: Session, clock: FixedClock, cw: CaseWorld) -> None:
    with pytest.raises(Forbidden, match="获取了招标"):
        service.file_objection(
            session,
            cw.outsider.actor,
            section_id=cw.section.id,
            matter=Matter.DOCUMENTS,
            points=["x"],
            claims="不合理",
            clock=clock,
        )
    assert _cases(session) == 0


def test_an_objection_to_other_matters_goes_straight_to_the_regulator(
    session: Session, clock: FixedClock, cw: CaseWorld
) -> None:
    with pytest.raises(RuleViolation, match="第60条"):
        _object(session, cw, clock, matter=Matter.OTHER)


def test_a_second_answer_is_refused_and_others_cannot_read_the_case(
    session: Session, clock: FixedClock, cw: CaseWorld
) -> None:
    case = _object(session, cw, clock)
    service.answer_objection(session, cw.tenderer.actor, case_id=case.id, answer="已复核。", clock=clock)
    with pytest.raises(RuleViolation, match="已于此前答复"):
        service.answer_objection(session, cw.tenderer.actor, case_id=case.id, answer="再答复", clock=clock)
    queries.ensure_may_read(session, cw.bidder.actor, case)
    queries.ensure_may_read(session, cw.tenderer.actor, case)
    with pytest.raises(Forbidden):
        queries.ensure_may_read(session, cw.world.bidders[1].actor, case)
    with pytest.raises(Forbidden):
        queries.ensure_may_read(session, cw.transport.actor, case)
    assert queries.cases_of(session, cw.world.bidders[1].actor) == []
    assert [c.id for c in queries.cases_of(session, cw.bidder.actor)] == [case.id]


def test_the_objectors_event_is_sealed_until_the_opening(session: Session, clock: FixedClock, cw: CaseWorld) -> None:
    from ggzy.core.events import Event

    _object(session, cw, clock)
    public = session.scalars(select(Event.type).where(Event.type.like("cases.%"))).all()
    assert public == []  # who objected would reveal who takes part
    assert session.scalars(select(Event.type).where(Event.type == holds.HOLD_PLACED)).all()
