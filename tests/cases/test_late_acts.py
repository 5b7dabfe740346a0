"""Late acts: when an answer, acceptance or decision clock runs out without its act, the tick records one event and
one supervision alert for it (K01–K03), never again on later ticks; the act done later is marked late."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ggzy.cases import complaints, decisions, service, timers
from ggzy.cases.models import Case
from ggzy.cases.states import Matter, Outcome, Remedy
from ggzy.core.clock import FixedClock
from ggzy.core.events import Event, SealedEvent
from ggzy.core.roles import Sector
from ggzy.supervision.flags import titles
from ggzy.supervision.models import Alert
from ggzy.web.context import AppContext
from tests.builders import csrf_from, signed_in
from tests.cases.conftest import CaseWorld
from tests.cases.test_complaints import POINT, answered_objection, complain


def tick(session: Session, ctx: AppContext, now: object) -> int:
    source = next(s for s in timers.sources(ctx) if s.name == "cases.late_acts")
    return sum(source.apply(session, key, now) for key in list(source.due(session, now)))  # type: ignore[arg-type]


def alerts(session: Session, flag: str) -> list[Alert]:
    return list(session.scalars(select(Alert).where(Alert.flag_id == flag)))


def late_events(session: Session) -> int:
    """Public, or sealed with the section's log before the opening (who objects reveals who takes part)."""
    return sum(
        session.scalar(select(func.count()).select_from(t).where(t.type == service.ACT_LATE)) or 0
        for t in (Event, SealedEvent)
    )


def test_an_unanswered_objection_is_recorded_once_then_the_late_answer_is_marked(
    session: Session, clock: FixedClock, cw: CaseWorld, app_ctx: AppContext
) -> None:
    case = service.file_objection(
        session,
        cw.bidder.actor,
        section_id=cw.section.id,
        matter=Matter.DOCUMENTS,
        points=[POINT],
        claims="资格条件设置不合理。",
        clock=clock,
    )
    assert case.next_due_at is not None
    assert tick(session, app_ctx, case.next_due_at - timedelta(minutes=1)) == 0  # not yet
    clock.set(case.next_due_at + timedelta(seconds=1))
    assert tick(session, app_ctx, clock.now()) == 1
    assert tick(session, app_ctx, clock.now() + timedelta(days=2)) == 0  # once, not on every tick
    [alert] = alerts(session, "K01")
    assert alert.sector == Sector.HOUSING.value and alert.section_id == cw.section.id
    assert case.number in alert.title and cw.bidder.user.org_id not in alert.org_ids  # the complainant is not named
    assert alert.org_ids == case.respondent_org_id
    assert late_events(session) == 1 and case.late_recorded == "answer" and not case.answered_late
    assert case.next_due_at is None  # recorded: later ticks do not even look at it
    # the answer comes later: marked late, and no second alert or event
    clock.advance(timedelta(days=1))
    service.answer_objection(session, cw.tenderer.actor, case_id=case.id, answer="不予修改。", clock=clock)
    assert case.answered_late and len(alerts(session, "K01")) == 1 and late_events(session) == 1
    assert alert.occurrences == 1


def test_a_late_acceptance_and_a_late_decision_are_each_recorded_once(
    session: Session, clock: FixedClock, cw: CaseWorld, app_ctx: AppContext
) -> None:
    answered_objection(session, cw, clock)
    case, _ = complain(session, cw, clock, objection_id=answered_objection_id(session, cw))
    assert case.next_due_at is not None
    clock.set(case.next_due_at + timedelta(hours=1))
    assert tick(session, app_ctx, clock.now()) == 1
    assert tick(session, app_ctx, clock.now()) == 0
    [k02] = alerts(session, "K02")
    assert k02.sector == Sector.HOUSING.value and k02.org_ids == ""
    complaints.accept_complaint(session, cw.housing.actor, case_id=case.id, clock=clock)
    assert case.accepted_late and case.late_recorded == "accept"
    # a paused decision clock has no due time: nothing is due while paused
    complaints.pause_clock(session, cw.housing.actor, case_id=case.id, reason="专家评审", clock=clock)
    assert tick(session, app_ctx, clock.now() + timedelta(days=90)) == 0
    complaints.resume_clock(session, cw.housing.actor, case_id=case.id, clock=clock)
    assert case.next_due_at is not None
    clock.set(case.next_due_at + timedelta(hours=1))
    assert tick(session, app_ctx, clock.now()) == 1 and tick(session, app_ctx, clock.now()) == 0
    assert len(alerts(session, "K03")) == 1 and case.late_recorded == "accept,decide"
    decisions.decide(
        session,
        cw.housing.actor,
        case_id=case.id,
        outcome=Outcome.DISMISSED,
        remedy=Remedy.NONE,
        decision="投诉缺乏事实依据，驳回。",
        clock=clock,
    )
    assert case.decided_late and len(alerts(session, "K03")) == 1 and late_events(session) == 2


def test_an_act_done_late_before_any_tick_is_recorded_at_the_act(
    session: Session, clock: FixedClock, cw: CaseWorld, app_ctx: AppContext
) -> None:
    answered_objection(session, cw, clock)
    case, _ = complain(session, cw, clock, objection_id=answered_objection_id(session, cw))
    assert case.next_due_at is not None
    clock.set(case.next_due_at + timedelta(days=1))
    complaints.refuse_complaint(session, cw.housing.actor, case_id=case.id, reason="不属于受理范围", clock=clock)
    assert case.accepted_late and len(alerts(session, "K02")) == 1 and late_events(session) == 1
    assert tick(session, app_ctx, clock.now()) == 0


def test_the_platform_flags_have_titles_for_the_dashboard() -> None:
    names = titles()
    for code in ("C09", "D01", "D02", "D03", "D04", "D05", "D06", "K01", "K02", "K03", "S01"):
        assert names.get(code), code
    assert names["K01"] == "异议（质疑）逾期未答复" and names["R024"]  # the analytic registry's too


def answered_objection_id(session: Session, cw: CaseWorld) -> str:
    return str(
        session.scalar(
            select(Case.id).where(Case.kind == "objection", Case.section_id == cw.section.id).order_by(Case.filed_at)
        )
    )


def test_the_case_page_shows_the_late_act(
    session: Session, clock: FixedClock, cw: CaseWorld, app_ctx: AppContext, client: TestClient
) -> None:
    case = service.file_objection(
        session,
        cw.bidder.actor,
        section_id=cw.section.id,
        matter=Matter.DOCUMENTS,
        points=[POINT],
        claims="资格条件设置不合理。",
        clock=clock,
    )
    assert case.next_due_at is not None
    clock.set(case.next_due_at + timedelta(hours=2))
    assert tick(session, app_ctx, clock.now()) == 1
    session.commit()
    me = signed_in(client, cw.tenderer, clock)
    page = me.get(f"/cases/{case.id}")
    assert (
        page.status_code == 200 and 'data-testid="late-open"' in page.text and "答复期限已届满，尚未答复" in page.text
    )
    r = me.post(f"/cases/{case.id}/answer", data={"csrf_token": csrf_from(page.text), "answer": "不予修改。"})
    assert r.status_code == 303
    page = me.get(f"/cases/{case.id}")
    assert "超过法定期限答复（已记录并报送监督）" in page.text and 'data-testid="late-open"' not in page.text
    api = me.get(f"/api/v1/cases/{case.id}")
    assert api.status_code == 200 and api.json()["answered_late"] and api.json()["late_recorded"] == ["answer"]


def test_the_dashboard_names_the_late_answer_flag(
    session: Session, clock: FixedClock, cw: CaseWorld, app_ctx: AppContext, client: TestClient, ident: object
) -> None:
    from ggzy.core.roles import Role
    from tests.builders import a_user

    case = service.file_objection(
        session,
        cw.bidder.actor,
        section_id=cw.section.id,
        matter=Matter.DOCUMENTS,
        points=[POINT],
        claims="资格条件设置不合理。",
        clock=clock,
    )
    assert case.next_due_at is not None
    clock.set(case.next_due_at + timedelta(hours=2))
    assert tick(session, app_ctx, clock.now()) == 1
    office = a_user(session, clock, ident, role=Role.SUPERVISOR)  # type: ignore[arg-type]
    session.commit()
    page = signed_in(client, office, clock).get("/supervision")
    assert page.status_code == 200
    chart = page.text.split('data-testid="chart-flag"', 1)[1].split("</section>", 1)[0]
    assert "异议（质疑）逾期未答复" in chart and ">K01<" not in chart  # the catalogue's title, not the bare code
