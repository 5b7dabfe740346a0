"""投诉办理 — a complaint to the regulator of the project's sector (谁监管、谁负责): filed after its objection
(条例 art. 60; 采购法 art. 55) and within what was challenged (采购条例 art. 55), forwarded when sent to the wrong
regulator, joined to the first when sent to two (条例 art. 61); accepted or refused, its decision clock paused for
testing or expert review and resumed, the trade suspended by order (条例 art. 62; 采购法 art. 57).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from ggzy.cases import queries
from ggzy.cases.models import Case, CasePause
from ggzy.cases.service import (
    add_to_thread,
    clean_points,
    clean_text,
    ensure_party,
    fmt_day,
    lift_and_restore,
    record_case_event,
    record_late,
    section_context,
)
from ggzy.cases.states import CaseKind, CaseStatus, ClockKind, EntryKind, Matter
from ggzy.core import events, holds, policy
from ggzy.core.actor import Actor
from ggzy.core.calendar import local_date
from ggzy.core.clock import Clock
from ggzy.core.errors import Forbidden, Invalid, RuleViolation
from ggzy.core.files import Stored
from ggzy.core.ids import new_id
from ggzy.core.roles import Sector
from ggzy.rules import procurement, tendering
from ggzy.rules.clocks import within

if TYPE_CHECKING:
    from ggzy.projects.models import Section

COMPLAINT_FILED = events.event_type("cases.complaint_filed", "提出投诉")
COMPLAINT_FORWARDED = events.event_type("cases.complaint_forwarded", "投诉转送并告知投诉人")
COMPLAINT_ACCEPTED = events.event_type("cases.complaint_accepted", "受理投诉")
COMPLAINT_REFUSED = events.event_type("cases.complaint_refused", "不予受理投诉")
CLOCK_PAUSED = events.event_type("cases.clock_paused", "处理期限中止计算")
CLOCK_RESUMED = events.event_type("cases.clock_resumed", "处理期限恢复计算")
SUSPENSION_ORDERED = events.event_type("cases.suspension_ordered", "责令暂停招标投标（采购）活动", public=True)
SUSPENSION_LIFTED = events.event_type("cases.suspension_lifted", "暂停结束", public=True)


def _objection_for_complaint(
    session: Session, actor: Actor, section: Section, matter: Matter, regime: str, objection_id: str | None
) -> Case | None:
    needs = regime == queries.PROCUREMENT or matter.needs_objection_first
    if objection_id is None:
        if needs:
            art = "《政府采购法》第55条" if regime == queries.PROCUREMENT else "《招标投标法实施条例》第60条"
            raise RuleViolation(
                f"对{matter.label}的投诉，应当先向招标人（采购人）提出异议（质疑）（{art}）", code="no-prior-objection"
            )
        return None
    objection = queries.get_case(session, objection_id)
    if (
        objection.kind != CaseKind.OBJECTION.value
        or objection.complainant_org_id != actor.org_id
        or objection.section_id != section.id
        or objection.matter != matter.value
    ):
        raise RuleViolation(
            "所附异议（质疑）须是本单位就同一标段、同一事项提出的（《招标投标法实施条例》第60条）",
            code="objection-mismatch",
        )
    return objection


def _ensure_complaint_in_time(
    session: Session, regime: str, objection: Case | None, known_at: dt.datetime | None, now: dt.datetime
) -> None:
    if objection is not None:
        answer_clock = queries.clocks(session, objection)[ClockKind.ANSWER]
        due = answer_clock.due_at()
        assert due is not None
        if objection.answered_at is None and now <= due:
            raise RuleViolation(
                f"异议（质疑）{objection.number}尚在答复期内（至{fmt_day(local_date(due))}），答复或期满后方可投诉"
                f"（{answer_clock.rule.citation}）",
                code="objection-pending",
            )
    if regime == queries.PROCUREMENT:
        assert objection is not None
        start = queries.clocks(session, objection)[ClockKind.ANSWER].due_at()
        assert start is not None
        if not within(start, procurement.COMPLAINT_WITHIN, now):
            raise RuleViolation(
                f"已超过投诉期限：{procurement.COMPLAINT_WITHIN.describe()}，自质疑答复期满"
                f"（{fmt_day(local_date(start))}）起算",
                code="out-of-time",
            )
        return
    # works: 10 days of knowing; the objection's time is not counted (条例 art. 60)
    start = (
        (objection.answered_at or queries.clocks(session, objection)[ClockKind.ANSWER].due_at())
        if objection
        else known_at
    )
    if start is None:
        raise Invalid("请填写知道或应当知道之日", code="known-at-required")
    if start > now:
        raise Invalid("知道之日不能晚于今天", code="known-at-future")
    if not within(start, tendering.COMPLAINT_WITHIN, now):
        raise RuleViolation(
            f"已超过投诉期限：{tendering.COMPLAINT_WITHIN.describe()}，自{fmt_day(local_date(start))}起算"
            "（异议答复期间不计算在内）",
            code="out-of-time",
        )


def file_complaint(
    session: Session,
    actor: Actor,
    *,
    section_id: str,
    matter: Matter,
    points: list[str],
    claims: str,
    to_sector: Sector,
    clock: Clock,
    objection_id: str | None = None,
    known_at: dt.datetime | None = None,
    evidence: list[tuple[str, Stored]] | None = None,
) -> tuple[Case, str]:
    """投诉 — to the regulator of the project's sector. Returns the case and what the complainant is told
    (forwarded to the right regulator, or already in the hands of the first that received it)."""
    if actor.org_id is None:
        raise Forbidden("请以投标人（供应商）身份登录")
    policy.ensure(actor, policy.CASE_FILE, policy.Subject("case", frozenset({actor.org_id})))
    section, project, regime = section_context(session, section_id)
    pts, text = clean_points(points), clean_text(claims, "投诉的事实、理由和请求")
    now = clock.now()
    objection = _objection_for_complaint(session, actor, section, matter, regime, objection_id)
    if objection is None:
        ensure_party(session, actor, section, matter, regime)
    if regime == queries.PROCUREMENT and objection is not None:
        beyond = [p for p in pts if p not in queries.points_of(objection)]
        if beyond:
            raise RuleViolation(
                f"投诉事项超出了已质疑事项的范围：{'；'.join(beyond)}（{procurement.COMPLAINT_SCOPE.citation}）",
                code="beyond-challenge",
                beyond=beyond,
            )
    _ensure_complaint_in_time(session, regime, objection, known_at, now)
    regulator = queries.regulator_of(project.sector, regime)
    first = _open_complaint(session, actor.org_id, section.id, matter)
    if first is not None:  # 条例 art. 61: two regulators — the first to receive it handles it
        told = (
            f"您就同一事项的投诉已由{Sector(str(first.regulator_sector)).label}部门于{fmt_day(local_date(first.filed_at))}"
            f"收到并处理（案件编号 {first.number}），本次提交已转该部门并入处理（《招标投标法实施条例》第61条）"
        )
        add_to_thread(session, actor, first, EntryKind.FORWARDED, told, clock)
        record_case_event(session, actor, COMPLAINT_FORWARDED, first, clock, to=first.regulator_sector, duplicate=True)
        return first, told
    prefix = f"TS-{local_date(now).year}-"
    case = Case(
        id=new_id(),
        number=queries.next_number(session, prefix),
        kind=CaseKind.COMPLAINT.value,
        regime=regime,
        matter=matter.value,
        section_id=section.id,
        project_id=project.id,
        sector=project.sector,
        complainant_org_id=actor.org_id,
        respondent_org_id=project.agency_org_id or project.tenderer_org_id,
        regulator_sector=regulator.value,
        filed_with_sector=to_sector.value,
        objection_id=objection.id if objection else None,
        status=CaseStatus.FILED.value,
        points=json.dumps(pts, ensure_ascii=False),
        claims=text,
        known_at=known_at or now,
        filed_at=now,
        filed_by=actor.user_id or "",
    )
    session.add(case)
    session.flush()
    case.next_due_at = queries.clocks(session, case)[ClockKind.ACCEPT].due_at()
    add_to_thread(session, actor, case, EntryKind.STATEMENT, text, clock)
    for f in evidence or []:
        add_to_thread(session, actor, case, EntryKind.EVIDENCE, f"证据材料：{f[0]}", clock, file=f)
    told = f"投诉已提交{regulator.label}部门（案件编号 {case.number}）"
    if to_sector is not regulator:
        told = (
            f"本项目属{regulator.label}部门监管，您提交给{to_sector.label}部门的投诉已转送{regulator.label}部门处理"
            f"（谁监管、谁负责；《招标投标法实施条例》第4条、第61条），案件编号 {case.number}"
        )
        add_to_thread(session, actor, case, EntryKind.FORWARDED, told, clock)
        record_case_event(session, actor, COMPLAINT_FORWARDED, case, clock, to=regulator.value, duplicate=False)
    record_case_event(session, actor, COMPLAINT_FILED, case, clock, regulator=regulator.value)
    return case, told


def _open_complaint(session: Session, org_id: str, section_id: str, matter: Matter) -> Case | None:
    q = select(Case).where(
        Case.kind == CaseKind.COMPLAINT.value,
        Case.complainant_org_id == org_id,
        Case.section_id == section_id,
        Case.matter == matter.value,
        Case.status.in_([CaseStatus.FILED.value, CaseStatus.ACCEPTED.value]),
    )
    return session.scalar(q.order_by(Case.filed_at).limit(1))


def regulated(session: Session, actor: Actor, case_id: str) -> Case:
    case = queries.get_case(session, case_id)
    if case.kind != CaseKind.COMPLAINT.value:
        raise RuleViolation("异议（质疑）由招标人（采购人）答复，行政监督部门处理的是投诉", code="not-a-complaint")
    policy.ensure(actor, policy.CASE_DECIDE, policy.Subject("case", sector=case.regulator_sector))
    return case


def _accept_act(session: Session, case: Case, clock: Clock) -> None:
    """Accepting or refusing is the acceptance act: after its 3 (5) working days it is recorded late and flagged."""
    now = clock.now()
    case.accepted_late = queries.clocks(session, case)[ClockKind.ACCEPT].overdue(now)
    if case.accepted_late:
        record_late(session, case, ClockKind.ACCEPT, clock, done_at=now)


def accept_complaint(session: Session, actor: Actor, *, case_id: str, clock: Clock) -> Case:
    case = regulated(session, actor, case_id)
    if case.status != CaseStatus.FILED.value:
        raise RuleViolation(f"投诉当前状态为「{CaseStatus(case.status).label}」，不能受理", code="bad-state")
    _accept_act(session, case, clock)
    case.status, case.accepted_at = CaseStatus.ACCEPTED.value, clock.now()
    decide_clock = queries.clocks(session, case)[ClockKind.DECIDE]
    case.next_due_at = decide_clock.due_at()
    due = decide_clock.due()
    add_to_thread(
        session,
        actor,
        case,
        EntryKind.NOTICE,
        f"投诉已受理。{decide_clock.describe()}，应于{fmt_day(due) if due else '—'}前作出处理决定。",
        clock,
    )
    record_case_event(session, actor, COMPLAINT_ACCEPTED, case, clock)
    return case


def refuse_complaint(session: Session, actor: Actor, *, case_id: str, reason: str, clock: Clock) -> Case:
    case = regulated(session, actor, case_id)
    if case.status != CaseStatus.FILED.value:
        raise RuleViolation(
            f"投诉当前状态为「{CaseStatus(case.status).label}」，不能作出不予受理决定", code="bad-state"
        )
    case.refusal_reason = clean_text(reason, "不予受理的理由", limit=500)
    _accept_act(session, case, clock)
    case.status, case.next_due_at = CaseStatus.REFUSED.value, None
    add_to_thread(session, actor, case, EntryKind.NOTICE, f"不予受理：{case.refusal_reason}", clock)
    record_case_event(session, actor, COMPLAINT_REFUSED, case, clock)
    return case


def pause_clock(session: Session, actor: Actor, *, case_id: str, reason: str, clock: Clock) -> CasePause:
    """中止计时 — testing, expert review or a correction request are not counted (条例 art. 61; 采购条例 art. 58)."""
    case = regulated(session, actor, case_id)
    if case.status != CaseStatus.ACCEPTED.value:
        raise RuleViolation("只有处理中的投诉可以中止计算处理期限", code="bad-state")
    if any(p.ended_at is None for p in queries.pauses(session, case.id, ClockKind.DECIDE)):
        raise RuleViolation("处理期限已在中止中", code="already-paused")
    pause = CasePause(
        id=new_id(),
        case_id=case.id,
        clock=ClockKind.DECIDE.value,
        reason=clean_text(reason, "中止计时的原因（检验、检测、鉴定、专家评审或补正材料）", limit=300),
        started_at=clock.now(),
    )
    session.add(pause)
    case.next_due_at = None
    add_to_thread(session, actor, case, EntryKind.NOTICE, f"处理期限中止计算：{pause.reason}", clock)
    record_case_event(session, actor, CLOCK_PAUSED, case, clock)
    return pause


def resume_clock(session: Session, actor: Actor, *, case_id: str, clock: Clock) -> Case:
    case = regulated(session, actor, case_id)
    open_ = [p for p in queries.pauses(session, case.id, ClockKind.DECIDE) if p.ended_at is None]
    if not open_:
        raise RuleViolation("处理期限未中止", code="not-paused")
    open_[0].ended_at = clock.now()
    session.flush()
    decide_clock = queries.clocks(session, case)[ClockKind.DECIDE]
    case.next_due_at = decide_clock.due_at()
    due = decide_clock.due()
    add_to_thread(
        session,
        actor,
        case,
        EntryKind.NOTICE,
        f"处理期限恢复计算，应于{fmt_day(due) if due else '—'}前作出决定。",
        clock,
    )
    record_case_event(session, actor, CLOCK_RESUMED, case, clock)
    return case


def order_suspension(
    session: Session, actor: Actor, *, case_id: str, steps: set[holds.Step], reason: str, clock: Clock
) -> Case:
    """责令暂停 — the regulator stops the chosen steps while it handles the complaint (条例 art. 62; 采购法 art. 57)."""
    case = regulated(session, actor, case_id)
    if case.status not in (CaseStatus.FILED.value, CaseStatus.ACCEPTED.value):
        raise RuleViolation("投诉已办结，不能再责令暂停", code="bad-state")
    if case.suspension_hold_id is not None:
        raise RuleViolation(f"已就投诉{case.number}责令暂停", code="already-suspended")
    if not steps:
        raise Invalid("请选择暂停的环节", code="steps-required")
    why = clean_text(reason, "暂停的理由", limit=200)
    rule = procurement.SUSPENSION_MAX if case.regime == queries.PROCUREMENT else tendering.COMPLAINT_SUSPENSION
    case.suspension_hold_id = holds.place(
        session,
        actor,
        section_id=case.section_id,
        steps=steps,
        case_number=case.number,
        reason="投诉处理中",
        clock=clock,
    ).id
    labels = "、".join(s.label for s in sorted(steps))
    add_to_thread(session, actor, case, EntryKind.NOTICE, f"责令暂停{labels}：{why}（{rule.describe()}）", clock)
    record_case_event(session, actor, SUSPENSION_ORDERED, case, clock, steps=sorted(s.value for s in steps))
    return case


def lift_suspension(session: Session, actor: Actor, *, case_id: str, clock: Clock) -> Case:
    case = regulated(session, actor, case_id)
    if case.suspension_hold_id is None:
        raise RuleViolation("本投诉未责令暂停", code="not-suspended")
    lift_suspension_of(session, actor, case, clock)
    return case


def end_suspension_by_law(session: Session, actor: Actor, *, case: Case, clock: Clock) -> None:
    """The timer's move: a procurement suspension may last at most 30 days (采购法 art. 57)."""
    add_to_thread(
        session,
        actor,
        case,
        EntryKind.NOTICE,
        f"暂停已满法定最长期限，交易恢复（{procurement.SUSPENSION_MAX.describe()}）",
        clock,
    )
    lift_suspension_of(session, actor, case, clock)


def lift_suspension_of(session: Session, actor: Actor, case: Case, clock: Clock) -> None:
    if case.suspension_hold_id is None:
        return
    hold = session.get(holds.Hold, case.suspension_hold_id)
    if hold is not None and hold.lifted_at is None:
        lift_and_restore(session, actor, case, hold.id, clock, f"投诉{case.number}暂停结束，交易恢复。")
        record_case_event(session, actor, SUSPENSION_LIFTED, case, clock)
