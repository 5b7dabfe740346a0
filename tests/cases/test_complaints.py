"""Complaints (投诉): after the objection (条例 art. 60), to the regulator of the project's sector (谁监管、谁负责),
accepted in 3 working days and decided in 30 (art. 61) with pauses, suspensions (art. 62), published decisions
that drive the trade, and a credit record for a malicious one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ggzy.cases import complaints, decisions, queries, service
from ggzy.cases.models import Case
from ggzy.cases.states import CaseStatus, ClockKind, EntryKind, Matter, Outcome, Remedy
from ggzy.core import holds
from ggzy.core.clock import FixedClock
from ggzy.core.errors import Forbidden, Invalid, RuleViolation
from ggzy.core.roles import Sector
from ggzy.credit import queries as credit
from ggzy.credit.states import RecordStatus
from ggzy.notices import queries as notices
from ggzy.projects import queries as projects
from tests.cases.conftest import CaseWorld

POINT = "资格条件要求三年内同类业绩五项，排斥潜在投标人"


def answered_objection(session: Session, cw: CaseWorld, clock: FixedClock) -> Case:
    case = service.file_objection(
        session,
        cw.bidder.actor,
        section_id=cw.section.id,
        matter=Matter.DOCUMENTS,
        points=[POINT],
        claims="资格条件设置不合理。",
        clock=clock,
    )
    clock.advance(timedelta(days=1))
    service.answer_objection(
        session, cw.tenderer.actor, case_id=case.id, answer="资格条件合理，不予修改。", clock=clock
    )
    return case


def complain(session: Session, cw: CaseWorld, clock: FixedClock, **kw: object) -> tuple[Case, str]:
    args: dict[str, object] = {
        "section_id": cw.section.id,
        "matter": Matter.DOCUMENTS,
        "points": [POINT],
        "claims": "招标人答复不成立，请求责令修改招标文件。",
        "to_sector": Sector.HOUSING,
        "clock": clock,
    }
    args.update(kw)
    return complaints.file_complaint(session, cw.bidder.actor, **args)  # type: ignore[arg-type]


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Case)) or 0


def test_a_complaint_on_the_documents_needs_an_objection_first(
    session: Session, clock: FixedClock, cw: CaseWorld
) -> None:
    with pytest.raises(RuleViolation, match="第60条") as e:
        complain(session, cw, clock)
    assert e.value.code == "no-prior-objection" and count(session) == 0


def test_no_complaint_while_the_objection_waits_for_its_answer(
    session: Session, clock: FixedClock, cw: CaseWorld
) -> None:
    objection = service.file_objection(
        session,
        cw.bidder.actor,
        section_id=cw.section.id,
        matter=Matter.DOCUMENTS,
        points=[POINT],
        claims="x",
        clock=clock,
    )
    with pytest.raises(RuleViolation, match="答复期内"):
        complain(session, cw, clock, objection_id=objection.id)
    assert count(session) == 1


def test_a_complaint_after_ten_days_of_the_answer_is_out_of_time(
    session: Session, clock: FixedClock, cw: CaseWorld
) -> None:
    objection = answered_objection(session, cw, clock)
    clock.advance(timedelta(days=11))
    with pytest.raises(RuleViolation, match="第60条"):
        complain(session, cw, clock, objection_id=objection.id)
    assert count(session) == 1


def test_sent_to_the_wrong_regulator_it_is_forwarded_and_the_complainant_told(
    session: Session, clock: FixedClock, cw: CaseWorld
) -> None:
    objection = answered_objection(session, cw, clock)
    case, told = complain(session, cw, clock, objection_id=objection.id, to_sector=Sector.TRANSPORT)
    assert case.regulator_sector == Sector.HOUSING.value and case.filed_with_sector == Sector.TRANSPORT.value
    assert "已转送" in told and "住房和城乡建设" in told
    assert [e.kind for e in queries.thread(session, case.id)] == ["statement", "forwarded"]
    with pytest.raises(Forbidden):
        complaints.accept_complaint(session, cw.transport.actor, case_id=case.id, clock=clock)


def test_filed_twice_the_first_regulator_that_received_it_handles_it(
    session: Session, clock: FixedClock, cw: CaseWorld
) -> None:
    objection = answered_objection(session, cw, clock)
    first, _ = complain(session, cw, clock, objection_id=objection.id)
    clock.advance(timedelta(hours=2))
    again, told = complain(session, cw, clock, objection_id=objection.id, to_sector=Sector.WATER)
    assert again.id == first.id and "第61条" in told and count(session) == 2


def test_the_centre_guides_but_does_not_decide(session: Session, clock: FixedClock, cw: CaseWorld) -> None:
    objection = answered_objection(session, cw, clock)
    case, _ = complain(session, cw, clock, objection_id=objection.id)
    service.add_entry(
        session,
        cw.world.operator.actor,
        case_id=case.id,
        kind=EntryKind.GUIDANCE,
        text="请补充业绩要求与项目规模不相称的证据。",
        clock=clock,
    )
    with pytest.raises(Forbidden):
        complaints.accept_complaint(session, cw.world.operator.actor, case_id=case.id, clock=clock)
    with pytest.raises(Forbidden):
        decisions.decide(
            session,
            cw.world.operator.actor,
            case_id=case.id,
            outcome=Outcome.DISMISSED,
            remedy=Remedy.NONE,
            decision="驳回",
            clock=clock,
        )


def test_acceptance_pause_and_decision_clock(session: Session, clock: FixedClock, cw: CaseWorld) -> None:
    objection = answered_objection(session, cw, clock)
    case, _ = complain(session, cw, clock, objection_id=objection.id)
    assert queries.next_actor(session, case).startswith("行政监督部门审查")
    accept_due = queries.clocks(session, case)[ClockKind.ACCEPT].due()
    assert accept_due is not None
    complaints.accept_complaint(session, cw.housing.actor, case_id=case.id, clock=clock)
    before = queries.clocks(session, case)[ClockKind.DECIDE].due()
    complaints.pause_clock(session, cw.housing.actor, case_id=case.id, reason="组织专家评审", clock=clock)
    assert queries.clocks(session, case)[ClockKind.DECIDE].due() is None
    with pytest.raises(RuleViolation, match="恢复计时"):
        decisions.decide(
            session,
            cw.housing.actor,
            case_id=case.id,
            outcome=Outcome.DISMISSED,
            remedy=Remedy.NONE,
            decision="驳回",
            clock=clock,
        )
    clock.advance(timedelta(days=7))
    complaints.resume_clock(session, cw.housing.actor, case_id=case.id, clock=clock)
    after = queries.clocks(session, case)[ClockKind.DECIDE].due()
    assert before is not None and after is not None and after > before


def test_a_decision_ordering_a_correction_holds_the_trade_until_the_clarification(
    session: Session, clock: FixedClock, cw: CaseWorld
) -> None:
    objection = answered_objection(session, cw, clock)
    case, _ = complain(session, cw, clock, objection_id=objection.id)
    complaints.accept_complaint(session, cw.housing.actor, case_id=case.id, clock=clock)
    complaints.order_suspension(
        session,
        cw.housing.actor,
        case_id=case.id,
        steps={holds.Step.DEADLINE, holds.Step.OPENING},
        reason="防止损失扩大",
        clock=clock,
    )
    with pytest.raises(RuleViolation, match=case.number):
        holds.check(session, cw.section.id, holds.Step.OPENING)
    with pytest.raises(Invalid):
        decisions.decide(
            session,
            cw.housing.actor,
            case_id=case.id,
            outcome=Outcome.UPHELD,
            remedy=Remedy.NONE,
            decision="成立",
            clock=clock,
        )
    clock.advance(timedelta(days=10))
    decisions.decide(
        session,
        cw.housing.actor,
        case_id=case.id,
        outcome=Outcome.UPHELD,
        remedy=Remedy.CORRECT_DOCUMENTS,
        decision="业绩要求与项目规模不相称，责令修改。",
        clock=clock,
    )
    decision = notices.of_section(session, cw.section.id, "decision")
    assert decision and case.number in decision[0].body and "投诉成立" in decision[0].body
    assert holds.holding(session, cw.section.id, holds.Step.DEADLINE) is not None  # waits for the correction
    assert queries.next_actor(session, case).startswith("招标人/采购人按处理决定整改")
    clock.advance(timedelta(days=1))
    before = projects.get_section(session, cw.section.id).bid_deadline
    assert before is not None and (before - clock.now()).days == 13
    decisions.comply(session, cw.tenderer.actor, case_id=case.id, title="", body="业绩要求改为两项。", clock=clock)
    section = projects.get_section(session, cw.section.id)
    assert holds.open_holds(session, cw.section.id) == []
    assert section.bid_deadline is not None
    # 条例 art. 21: 13 days were left, a clarification needs 15, so the deadline moved to 15 days out
    assert section.bid_deadline > before and (section.bid_deadline - clock.now()).days >= 14
    assert "第21条" in notices.of_section(session, cw.section.id, "clarification")[-1].body
    assert case.status == CaseStatus.COMPLIED.value


def test_a_malicious_complaint_becomes_a_credit_record_with_notice(
    session: Session, clock: FixedClock, cw: CaseWorld
) -> None:
    objection = answered_objection(session, cw, clock)
    case, _ = complain(session, cw, clock, objection_id=objection.id)
    complaints.accept_complaint(session, cw.housing.actor, case_id=case.id, clock=clock)
    decisions.decide(
        session,
        cw.housing.actor,
        case_id=case.id,
        outcome=Outcome.DISMISSED,
        remedy=Remedy.NONE,
        decision="投诉所附业绩证明系伪造。",
        malicious=True,
        clock=clock,
    )
    from ggzy.entities import queries as entities

    code = entities.get_org(session, cw.bidder.user.org_id).credit_code
    records = credit.records_of(session, code)
    assert (
        len(records) == 1 and records[0].status == RecordStatus.NOTIFIED.value and case.number in records[0].source_ref
    )
    assert credit.public_page(session, code, clock.now()) == []  # written notice first, not shown yet


def test_a_question_waits_for_its_addressee(session: Session, clock: FixedClock, cw: CaseWorld) -> None:
    objection = answered_objection(session, cw, clock)
    case, _ = complain(session, cw, clock, objection_id=objection.id)
    complaints.accept_complaint(session, cw.housing.actor, case_id=case.id, clock=clock)
    service.add_entry(
        session,
        cw.housing.actor,
        case_id=case.id,
        kind=EntryKind.QUESTION,
        text="请说明业绩要求的依据。",
        to_org_id=cw.tenderer.user.org_id,
        clock=clock,
    )
    assert queries.next_actor(session, case).startswith("被询问的当事人")
    service.add_entry(
        session, cw.tenderer.actor, case_id=case.id, kind=EntryKind.ANSWER, text="依据同类项目经验。", clock=clock
    )
    assert queries.next_actor(session, case).startswith("行政监督部门调查")
    with pytest.raises(Invalid):
        service.add_entry(
            session,
            cw.housing.actor,
            case_id=case.id,
            kind=EntryKind.QUESTION,
            text="?",
            to_org_id=cw.outsider.user.org_id,
            clock=clock,
        )


def test_a_refused_complaint_and_a_lifted_suspension(session: Session, clock: FixedClock, cw: CaseWorld) -> None:
    objection = answered_objection(session, cw, clock)
    case, _ = complain(session, cw, clock, objection_id=objection.id)
    complaints.order_suspension(
        session, cw.housing.actor, case_id=case.id, steps={holds.Step.OPENING}, reason="核查期间", clock=clock
    )
    with pytest.raises(RuleViolation, match="已就投诉"):
        complaints.order_suspension(
            session, cw.housing.actor, case_id=case.id, steps={holds.Step.OPENING}, reason="再次", clock=clock
        )
    complaints.lift_suspension(session, cw.housing.actor, case_id=case.id, clock=clock)
    assert holds.open_holds(session, cw.section.id) == []
    with pytest.raises(Invalid):
        complaints.refuse_complaint(session, cw.housing.actor, case_id=case.id, reason=" ", clock=clock)
    complaints.refuse_complaint(
        session, cw.housing.actor, case_id=case.id, reason="投诉事项已超出异议范围", clock=clock
    )
    assert case.status == CaseStatus.REFUSED.value and queries.open_clock(case) is None
    with pytest.raises(RuleViolation, match="已办结"):
        service.add_entry(session, cw.bidder.actor, case_id=case.id, kind=EntryKind.STATEMENT, text="补充", clock=clock)
