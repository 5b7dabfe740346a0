"""异议投诉办理 — file an objection or a complaint, answer, accept or refuse, ask, pause, suspend, decide, comply.

Every check cites its article and changes nothing when it refuses. A qualifying objection to the tender
documents stops the deadline and the opening (条例 art. 22) through the kernel's holds; the answer lifts the
hold and, when the deadline passed while held, gives the bidders their time back through projects' verb.
Complaints go to the regulator of the project's sector (谁监管、谁负责); decisions are published as notices
and drive the trade through projects' and publication's verbs.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from ggzy.bidding import queries as bids
from ggzy.cases import queries
from ggzy.cases.models import Case, CaseEntry, CasePause
from ggzy.cases.states import CaseKind, CaseStatus, ClockKind, EntryKind, Matter, Outcome, Remedy
from ggzy.core import events, holds, policy
from ggzy.core.actor import Actor
from ggzy.core.calendar import local_date
from ggzy.core.clock import SHANGHAI, Clock
from ggzy.core.errors import Forbidden, Invalid, RuleViolation
from ggzy.core.files import Stored
from ggzy.core.ids import new_id
from ggzy.core.roles import Sector
from ggzy.credit import service as credit
from ggzy.entities import queries as entities
from ggzy.notices import service as notices
from ggzy.notices.states import NoticeKind
from ggzy.projects import publication
from ggzy.projects import queries as projects
from ggzy.projects import service as trade
from ggzy.projects.states import SectionStatus
from ggzy.rules import procurement, tendering
from ggzy.rules.clocks import latest_before, within
from ggzy.rules.procedures import procedure

if TYPE_CHECKING:
    from ggzy.notices.models import Notice
    from ggzy.projects.models import Project, Section

OBJECTION_FILED = events.event_type("cases.objection_filed", "提出异议（质疑）")
OBJECTION_ANSWERED = events.event_type("cases.objection_answered", "答复异议（质疑）")
COMPLAINT_FILED = events.event_type("cases.complaint_filed", "提出投诉")
COMPLAINT_FORWARDED = events.event_type("cases.complaint_forwarded", "投诉转送并告知投诉人")
COMPLAINT_ACCEPTED = events.event_type("cases.complaint_accepted", "受理投诉")
COMPLAINT_REFUSED = events.event_type("cases.complaint_refused", "不予受理投诉")
CASE_ENTRY_ADDED = events.event_type("cases.entry_added", "案件材料（陈述、证据、询问、答复、指导）")
CLOCK_PAUSED = events.event_type("cases.clock_paused", "处理期限中止计算")
CLOCK_RESUMED = events.event_type("cases.clock_resumed", "处理期限恢复计算")
SUSPENSION_ORDERED = events.event_type("cases.suspension_ordered", "责令暂停招标投标（采购）活动", public=True)
SUSPENSION_LIFTED = events.event_type("cases.suspension_lifted", "暂停结束", public=True)
COMPLAINT_DECIDED = events.event_type("cases.complaint_decided", "作出投诉处理决定", public=True)
DECISION_COMPLIED = events.event_type("cases.decision_complied", "按投诉处理决定整改", public=True)

WORKS_DOCUMENT_HOLD = frozenset({holds.Step.DEADLINE, holds.Step.OPENING})
MAX_TEXT = 5000
MAX_POINTS = 20


def _text(value: str, what: str, *, limit: int = MAX_TEXT) -> str:
    value = value.strip()
    if not value:
        raise Invalid(f"请填写{what}", code="text-required")
    if len(value) > limit:
        raise Invalid(f"{what}不得超过{limit}字", code="text-too-long")
    return value


def _points(points: list[str]) -> list[str]:
    out = list(dict.fromkeys(p.strip() for p in points if p.strip()))
    if not out:
        raise Invalid("请逐项列明异议（质疑、投诉）事项", code="points-required")
    if len(out) > MAX_POINTS or any(len(p) > 300 for p in out):
        raise Invalid(f"事项最多{MAX_POINTS}项，每项不超过300字", code="points-too-long")
    return out


def _record(session: Session, actor: Actor, kind: str, case: Case, clock: Clock, **payload: object) -> None:
    """Case events name the case, never its content; before the opening they are sealed with the section's log
    (who objects reveals who takes part), except the public suspension and the decision."""
    section = projects.get_section(session, case.section_id)
    public = events.EVENT_TYPES[kind].public
    events.record(
        session,
        actor,
        kind,
        clock=clock,
        subject=("case", case.id),
        scope=case.section_id,
        payload={"case": case.number, "kind": case.kind, "matter": case.matter, **payload},
        secret_until=events.AT_OPENING if section.opened_at is None and not public else None,
    )


def _entry(
    session: Session,
    actor: Actor,
    case: Case,
    kind: EntryKind,
    text: str,
    clock: Clock,
    *,
    file: tuple[str, Stored] | None = None,
    to_org_id: str | None = None,
) -> CaseEntry:
    entry = CaseEntry(
        id=new_id(),
        case_id=case.id,
        kind=kind.value,
        at=clock.now(),
        by_user_id=actor.user_id,
        by_org_id=actor.org_id,
        by_role=actor.role.value,
        text=text,
        file_name=file[0][:200] if file else None,
        file_path=file[1].path if file else None,
        file_size=file[1].size if file else None,
        file_sha256=file[1].sha256 if file else None,
        to_org_id=to_org_id,
    )
    session.add(entry)
    return entry


def _context(session: Session, section_id: str) -> tuple[Section, Project, str]:
    section = projects.get_section(session, section_id)
    project = projects.get_project(session, section.project_id)
    return section, project, procedure(project.method).regime.value


def _fmt(day: dt.date) -> str:
    return f"{day:%Y年%m月%d日}"


def _ensure_party(session: Session, actor: Actor, section: Section, matter: Matter, regime: str) -> None:
    """Only those concerned may object: who obtained the documents, or who bid for the opening and the result."""
    assert actor.org_id is not None
    if matter in (Matter.DOCUMENTS, Matter.PREQUALIFICATION):
        if not bids.has_downloaded(session, section.id, actor.org_id):
            art = "《政府采购法》第52条" if regime == queries.PROCUREMENT else "《招标投标法实施条例》第22条"
            raise Forbidden(
                f"仅获取了招标（采购）文件的潜在投标人（供应商）可以对其提出异议（质疑）（{art}）", code="not-a-party"
            )
    elif matter in (Matter.OPENING, Matter.RESULT) and not bids.own_bids(session, section.id, actor.org_id):
        raise Forbidden(
            "仅参加本标段投标（响应）的投标人（供应商）可以对开标或评标结果提出异议（质疑）"
            "（《招标投标法实施条例》第44条、第54条；《政府采购法》第52条）",
            code="not-a-party",
        )


def _download_at(session: Session, section_id: str, org_id: str) -> dt.datetime | None:
    times = [a.at for a in bids.accesses(session, section_id) if a.org_id == org_id and a.kind == "download"]
    return min(times) if times else None


def _ensure_objection_in_time(
    session: Session,
    actor: Actor,
    section: Section,
    matter: Matter,
    regime: str,
    known_at: dt.datetime | None,
    now: dt.datetime,
) -> None:
    if regime == queries.PROCUREMENT:
        # 采购条例 art. 53: documents from when they were obtained, the opening from its end, others from knowing
        assert actor.org_id is not None
        start = {
            Matter.DOCUMENTS: _download_at(session, section.id, actor.org_id),
            Matter.PREQUALIFICATION: _download_at(session, section.id, actor.org_id),
            Matter.OPENING: section.opened_at,
        }.get(matter) or known_at
        if start is None:
            raise Invalid("请填写知道或应当知道其权益受到损害之日", code="known-at-required")
        if start > now:
            raise Invalid("知道之日不能晚于今天", code="known-at-future")
        if not within(start, procurement.CHALLENGE_WITHIN, now):
            raise RuleViolation(
                f"已超过质疑期限：{procurement.CHALLENGE_WITHIN.describe()}，自{_fmt(local_date(start))}起算"
                f"（{procurement.CHALLENGE_START.citation}）",
                code="out-of-time",
            )
        return
    if matter in (Matter.DOCUMENTS, Matter.PREQUALIFICATION):
        if section.bid_deadline is None or SectionStatus(section.status) is not SectionStatus.BIDDING:
            raise RuleViolation("标段不在投标期内，不能对招标文件提出异议", code="not-bidding")
        rule = (
            tendering.OBJECTION_TO_DOCUMENTS if matter is Matter.DOCUMENTS else tendering.OBJECTION_TO_PREQUALIFICATION
        )
        last = latest_before(section.bid_deadline, rule)
        if local_date(now) > last:
            raise RuleViolation(
                f"已超过异议期限：{rule.title}{rule.value}日提出，最迟{_fmt(last)}（{rule.citation}）",
                code="out-of-time",
            )
    elif matter is Matter.OPENING:
        if section.opened_at is None or local_date(section.opened_at) != local_date(now):
            raise RuleViolation(
                f"对开标的异议应当在开标现场提出（{tendering.OBJECTION_AT_OPENING.citation}）", code="out-of-time"
            )
    elif matter is Matter.RESULT:
        if section.opened_at is None:
            raise RuleViolation(
                f"对评标结果的异议应当在中标候选人公示期间提出（{tendering.OBJECTION_TO_RESULT_ANSWER.citation}）",
                code="out-of-time",
            )
    else:
        raise RuleViolation(
            "《招标投标法实施条例》第60条规定须先提出异议的事项为资格预审文件、招标文件、开标和评标结果；"
            "其他事项可以直接向行政监督部门投诉",
            code="no-objection-for-matter",
        )


def file_objection(
    session: Session,
    actor: Actor,
    *,
    section_id: str,
    matter: Matter,
    points: list[str],
    claims: str,
    clock: Clock,
    known_at: dt.datetime | None = None,
    evidence: list[tuple[str, Stored]] | None = None,
) -> Case:
    """异议（质疑） — to the tenderer or purchaser; to the documents it stops the deadline and the opening (works)."""
    if actor.org_id is None:
        raise Forbidden("请以投标人（供应商）身份登录")
    policy.ensure(actor, policy.CASE_FILE, policy.Subject("case", frozenset({actor.org_id})))
    section, project, regime = _context(session, section_id)
    pts, text = _points(points), _text(claims, "异议（质疑）的事实、理由和请求")
    now = clock.now()
    _ensure_party(session, actor, section, matter, regime)
    _ensure_objection_in_time(session, actor, section, matter, regime, known_at, now)
    year = local_date(now).year
    prefix = f"{'ZY' if regime == queries.PROCUREMENT else 'YY'}-{year}-"
    case = Case(
        id=new_id(),
        number=queries.next_number(session, prefix),
        kind=CaseKind.OBJECTION.value,
        regime=regime,
        matter=matter.value,
        section_id=section.id,
        project_id=project.id,
        sector=project.sector,
        complainant_org_id=actor.org_id,
        respondent_org_id=project.agency_org_id or project.tenderer_org_id,
        status=CaseStatus.FILED.value,
        points=json.dumps(pts, ensure_ascii=False),
        claims=text,
        known_at=known_at or now,
        filed_at=now,
        filed_by=actor.user_id or "",
    )
    session.add(case)
    session.flush()
    case.next_due_at = queries.clocks(session, case)[ClockKind.ANSWER].due_at()
    _entry(session, actor, case, EntryKind.STATEMENT, text, clock)
    for f in evidence or []:
        _entry(session, actor, case, EntryKind.EVIDENCE, f"证据材料：{f[0]}", clock, file=f)
    steps: frozenset[holds.Step] = frozenset()
    if regime != queries.PROCUREMENT and matter in (Matter.DOCUMENTS, Matter.PREQUALIFICATION):
        steps = WORKS_DOCUMENT_HOLD  # 条例 art. 22: 作出答复前，应当暂停招标投标活动
    elif matter is Matter.RESULT:
        steps = frozenset({holds.Step.AWARD if regime != queries.PROCUREMENT else holds.Step.SIGNING})
    if steps:
        label = CaseKind.OBJECTION.label_for(regime)
        case.hold_id = holds.place(
            session,
            actor,
            section_id=section.id,
            steps=steps,
            case_number=case.number,
            reason=f"{label}待答复",
            clock=clock,
        ).id
    _record(session, actor, OBJECTION_FILED, case, clock, held=bool(steps))
    return case


def _lift_and_restore(session: Session, actor: Actor, case: Case, hold_id: str, clock: Clock, why: str) -> None:
    """Lift the case's hold; if the deadline passed while held, give the bidders the held time back."""
    hold = holds.lift(session, actor, hold_id=hold_id, clock=clock)
    section = projects.get_section(session, case.section_id)
    now = clock.now()
    if (
        hold.stops(holds.Step.DEADLINE)
        and SectionStatus(section.status) is SectionStatus.BIDDING
        and section.bid_deadline is not None
        and section.bid_deadline <= now
        and holds.holding(session, section.id, holds.Step.DEADLINE) is None
    ):
        held = holds.suspended_for(session, section.id, holds.Step.DEADLINE, until=now)
        this = now - hold.placed_at  # the remaining period at the hold's start comes back whole
        trade.extend_deadline(session, actor, section_id=section.id, by=min(this, held), reason=why, clock=clock)


def answer_objection(session: Session, actor: Actor, *, case_id: str, answer: str, clock: Clock) -> Case:
    """答复 — by the tenderer or purchaser (or agency), in writing; a late answer is recorded and flagged."""
    case = queries.get_case(session, case_id)
    project = projects.get_project(session, case.project_id)
    policy.ensure(actor, policy.CASE_ANSWER, projects.subject_of(project))
    if case.kind != CaseKind.OBJECTION.value:
        raise RuleViolation("投诉由行政监督部门处理，招标人不作答复", code="not-an-objection")
    if case.answered_at is not None:
        raise RuleViolation(f"异议（质疑）{case.number}已于此前答复", code="already-answered")
    text = _text(answer, "答复内容")
    now = clock.now()
    case.answer, case.answered_at, case.status, case.next_due_at = text, now, CaseStatus.ANSWERED.value, None
    case.answered_late = queries.clocks(session, case)[ClockKind.ANSWER].overdue(now)
    _entry(session, actor, case, EntryKind.ANSWER, text, clock)
    if case.hold_id:
        _lift_and_restore(session, actor, case, case.hold_id, clock, f"异议{case.number}已答复，招标投标活动恢复。")
    _record(session, actor, OBJECTION_ANSWERED, case, clock, late=case.answered_late)
    return case


# --- complaints ----------------------------------------------------------------------------------


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
                f"异议（质疑）{objection.number}尚在答复期内（至{_fmt(local_date(due))}），答复或期满后方可投诉"
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
                f"（{_fmt(local_date(start))}）起算",
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
            f"已超过投诉期限：{tendering.COMPLAINT_WITHIN.describe()}，自{_fmt(local_date(start))}起算"
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
    section, project, regime = _context(session, section_id)
    pts, text = _points(points), _text(claims, "投诉的事实、理由和请求")
    now = clock.now()
    objection = _objection_for_complaint(session, actor, section, matter, regime, objection_id)
    if objection is None:
        _ensure_party(session, actor, section, matter, regime)
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
            f"您就同一事项的投诉已由{Sector(str(first.regulator_sector)).label}部门于{_fmt(local_date(first.filed_at))}"
            f"收到并处理（案件编号 {first.number}），本次提交已转该部门并入处理（《招标投标法实施条例》第61条）"
        )
        _entry(session, actor, first, EntryKind.FORWARDED, told, clock)
        _record(session, actor, COMPLAINT_FORWARDED, first, clock, to=first.regulator_sector, duplicate=True)
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
    _entry(session, actor, case, EntryKind.STATEMENT, text, clock)
    for f in evidence or []:
        _entry(session, actor, case, EntryKind.EVIDENCE, f"证据材料：{f[0]}", clock, file=f)
    told = f"投诉已提交{regulator.label}部门（案件编号 {case.number}）"
    if to_sector is not regulator:
        told = (
            f"本项目属{regulator.label}部门监管，您提交给{to_sector.label}部门的投诉已转送{regulator.label}部门处理"
            f"（谁监管、谁负责；《招标投标法实施条例》第4条、第61条），案件编号 {case.number}"
        )
        _entry(session, actor, case, EntryKind.FORWARDED, told, clock)
        _record(session, actor, COMPLAINT_FORWARDED, case, clock, to=regulator.value, duplicate=False)
    _record(session, actor, COMPLAINT_FILED, case, clock, regulator=regulator.value)
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


def _regulated(session: Session, actor: Actor, case_id: str) -> Case:
    case = queries.get_case(session, case_id)
    if case.kind != CaseKind.COMPLAINT.value:
        raise RuleViolation("异议（质疑）由招标人（采购人）答复，行政监督部门处理的是投诉", code="not-a-complaint")
    policy.ensure(actor, policy.CASE_DECIDE, policy.Subject("case", sector=case.regulator_sector))
    return case


def accept_complaint(session: Session, actor: Actor, *, case_id: str, clock: Clock) -> Case:
    case = _regulated(session, actor, case_id)
    if case.status != CaseStatus.FILED.value:
        raise RuleViolation(f"投诉当前状态为「{CaseStatus(case.status).label}」，不能受理", code="bad-state")
    case.status, case.accepted_at = CaseStatus.ACCEPTED.value, clock.now()
    decide_clock = queries.clocks(session, case)[ClockKind.DECIDE]
    case.next_due_at = decide_clock.due_at()
    due = decide_clock.due()
    _entry(
        session,
        actor,
        case,
        EntryKind.NOTICE,
        f"投诉已受理。{decide_clock.describe()}，应于{_fmt(due) if due else '—'}前作出处理决定。",
        clock,
    )
    _record(session, actor, COMPLAINT_ACCEPTED, case, clock)
    return case


def refuse_complaint(session: Session, actor: Actor, *, case_id: str, reason: str, clock: Clock) -> Case:
    case = _regulated(session, actor, case_id)
    if case.status != CaseStatus.FILED.value:
        raise RuleViolation(
            f"投诉当前状态为「{CaseStatus(case.status).label}」，不能作出不予受理决定", code="bad-state"
        )
    case.refusal_reason = _text(reason, "不予受理的理由", limit=500)
    case.status, case.next_due_at = CaseStatus.REFUSED.value, None
    _entry(session, actor, case, EntryKind.NOTICE, f"不予受理：{case.refusal_reason}", clock)
    _record(session, actor, COMPLAINT_REFUSED, case, clock)
    return case


def pause_clock(session: Session, actor: Actor, *, case_id: str, reason: str, clock: Clock) -> CasePause:
    """中止计时 — testing, expert review or a correction request are not counted (条例 art. 61; 采购条例 art. 58)."""
    case = _regulated(session, actor, case_id)
    if case.status != CaseStatus.ACCEPTED.value:
        raise RuleViolation("只有处理中的投诉可以中止计算处理期限", code="bad-state")
    if any(p.ended_at is None for p in queries.pauses(session, case.id, ClockKind.DECIDE)):
        raise RuleViolation("处理期限已在中止中", code="already-paused")
    pause = CasePause(
        id=new_id(),
        case_id=case.id,
        clock=ClockKind.DECIDE.value,
        reason=_text(reason, "中止计时的原因（检验、检测、鉴定、专家评审或补正材料）", limit=300),
        started_at=clock.now(),
    )
    session.add(pause)
    case.next_due_at = None
    _entry(session, actor, case, EntryKind.NOTICE, f"处理期限中止计算：{pause.reason}", clock)
    _record(session, actor, CLOCK_PAUSED, case, clock)
    return pause


def resume_clock(session: Session, actor: Actor, *, case_id: str, clock: Clock) -> Case:
    case = _regulated(session, actor, case_id)
    open_ = [p for p in queries.pauses(session, case.id, ClockKind.DECIDE) if p.ended_at is None]
    if not open_:
        raise RuleViolation("处理期限未中止", code="not-paused")
    open_[0].ended_at = clock.now()
    session.flush()
    decide_clock = queries.clocks(session, case)[ClockKind.DECIDE]
    case.next_due_at = decide_clock.due_at()
    due = decide_clock.due()
    _entry(
        session, actor, case, EntryKind.NOTICE, f"处理期限恢复计算，应于{_fmt(due) if due else '—'}前作出决定。", clock
    )
    _record(session, actor, CLOCK_RESUMED, case, clock)
    return case


def order_suspension(
    session: Session, actor: Actor, *, case_id: str, steps: set[holds.Step], reason: str, clock: Clock
) -> Case:
    """责令暂停 — the regulator stops the chosen steps while it handles the complaint (条例 art. 62; 采购法 art. 57)."""
    case = _regulated(session, actor, case_id)
    if case.status not in (CaseStatus.FILED.value, CaseStatus.ACCEPTED.value):
        raise RuleViolation("投诉已办结，不能再责令暂停", code="bad-state")
    if case.suspension_hold_id is not None:
        raise RuleViolation(f"已就投诉{case.number}责令暂停", code="already-suspended")
    if not steps:
        raise Invalid("请选择暂停的环节", code="steps-required")
    why = _text(reason, "暂停的理由", limit=200)
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
    _entry(session, actor, case, EntryKind.NOTICE, f"责令暂停{labels}：{why}（{rule.describe()}）", clock)
    _record(session, actor, SUSPENSION_ORDERED, case, clock, steps=sorted(s.value for s in steps))
    return case


def lift_suspension(session: Session, actor: Actor, *, case_id: str, clock: Clock) -> Case:
    case = _regulated(session, actor, case_id)
    if case.suspension_hold_id is None:
        raise RuleViolation("本投诉未责令暂停", code="not-suspended")
    _lift_suspension(session, actor, case, clock)
    return case


def end_suspension_by_law(session: Session, actor: Actor, *, case: Case, clock: Clock) -> None:
    """The timer's move: a procurement suspension may last at most 30 days (采购法 art. 57)."""
    _entry(
        session,
        actor,
        case,
        EntryKind.NOTICE,
        f"暂停已满法定最长期限，交易恢复（{procurement.SUSPENSION_MAX.describe()}）",
        clock,
    )
    _lift_suspension(session, actor, case, clock)


def _lift_suspension(session: Session, actor: Actor, case: Case, clock: Clock) -> None:
    if case.suspension_hold_id is None:
        return
    hold = session.get(holds.Hold, case.suspension_hold_id)
    if hold is not None and hold.lifted_at is None:
        _lift_and_restore(session, actor, case, hold.id, clock, f"投诉{case.number}暂停结束，交易恢复。")
        _record(session, actor, SUSPENSION_LIFTED, case, clock)


def add_entry(
    session: Session,
    actor: Actor,
    *,
    case_id: str,
    kind: EntryKind,
    text: str,
    clock: Clock,
    file: tuple[str, Stored] | None = None,
    to_org_id: str | None = None,
) -> CaseEntry:
    """The thread: parties state, give evidence and answer; the regulator asks; the centre guides (never decides)."""
    case = queries.get_case(session, case_id)
    subject = queries.subject_of(session, case)
    if kind in (EntryKind.STATEMENT, EntryKind.EVIDENCE, EntryKind.ANSWER):
        policy.ensure(actor, policy.CASE_STATE, subject)
    elif kind is EntryKind.QUESTION:
        policy.ensure(actor, policy.CASE_DECIDE, policy.Subject("case", sector=case.regulator_sector))
        if to_org_id not in subject.org_ids:
            raise Invalid("询问对象须为本案当事人", code="not-a-party")
    elif kind is EntryKind.GUIDANCE:
        policy.ensure(actor, policy.CASE_GUIDE, subject)
    else:
        raise Invalid("不支持的材料类别", code="bad-entry-kind")
    if (
        case.status in (CaseStatus.REFUSED.value, CaseStatus.DECIDED.value, CaseStatus.COMPLIED.value)
        and kind is not EntryKind.GUIDANCE
    ):
        raise RuleViolation("案件已办结，不再接收材料", code="case-closed")
    body = _text(text, kind.label)
    if kind is EntryKind.EVIDENCE and file is None:
        raise Invalid("请上传证据文件", code="file-required")
    entry = _entry(session, actor, case, kind, body, clock, file=file, to_org_id=to_org_id)
    _record(session, actor, CASE_ENTRY_ADDED, case, clock, entry=kind.value)
    return entry


def decide(
    session: Session,
    actor: Actor,
    *,
    case_id: str,
    outcome: Outcome,
    remedy: Remedy,
    decision: str,
    clock: Clock,
    malicious: bool = False,
) -> Case:
    """处理决定 — published as a notice (P6); the remedy drives the trade; a malicious complaint is a credit record."""
    case = _regulated(session, actor, case_id)
    if case.status != CaseStatus.ACCEPTED.value:
        raise RuleViolation(
            f"投诉当前状态为「{CaseStatus(case.status).label}」，须受理后才能作出处理决定", code="bad-state"
        )
    if any(p.ended_at is None for p in queries.pauses(session, case.id, ClockKind.DECIDE)):
        raise RuleViolation("处理期限中止中，请先恢复计时", code="paused")
    if outcome is Outcome.DISMISSED and remedy is not Remedy.NONE:
        raise Invalid("驳回投诉的决定不附整改措施", code="remedy-on-dismissal")
    if outcome is Outcome.UPHELD and remedy is Remedy.NONE:
        raise Invalid("投诉成立的，请选择处理措施", code="remedy-required")
    if malicious and outcome is not Outcome.DISMISSED:
        cited = (
            procurement.FALSE_COMPLAINT_DISMISSED if case.regime == queries.PROCUREMENT else tendering.FALSE_COMPLAINT
        )
        raise Invalid(f"认定为虚假、恶意投诉的，应当驳回投诉（{cited.citation}）", code="malicious-upheld")
    section = projects.get_section(session, case.section_id)
    if remedy is Remedy.CORRECT_DOCUMENTS and SectionStatus(section.status) is not SectionStatus.BIDDING:
        raise RuleViolation("标段已不在投标期内，不能责令修改招标文件后继续", code="not-bidding")
    text = _text(decision, "处理决定书正文")
    now = clock.now()
    case.decided_late = queries.clocks(session, case)[ClockKind.DECIDE].overdue(now)
    case.status, case.outcome, case.remedy, case.decision, case.decided_at = (
        CaseStatus.DECIDED.value,
        outcome.value,
        remedy.value,
        text,
        now,
    )
    case.malicious, case.next_due_at = malicious, None
    if remedy is Remedy.CORRECT_DOCUMENTS:
        # the documents must be corrected before the trade may reach its deadline: a hold until the clarification
        case.hold_id = holds.place(
            session,
            actor,
            section_id=section.id,
            steps=WORKS_DOCUMENT_HOLD,
            case_number=case.number,
            reason="须按投诉处理决定修改招标文件",
            clock=clock,
        ).id
    elif remedy in (Remedy.REEVALUATE, Remedy.VOID_AWARD):
        case.hold_id = holds.place(
            session,
            actor,
            section_id=section.id,
            steps=frozenset({holds.Step.AWARD, holds.Step.SIGNING}),
            case_number=case.number,
            reason=f"投诉处理决定：{remedy.label}",
            clock=clock,
        ).id
    _lift_suspension(session, actor, case, clock)
    notice = _publish_decision(session, actor, case, clock)
    case.decision_notice_id = notice.id
    _entry(
        session,
        actor,
        case,
        EntryKind.NOTICE,
        f"处理决定已作出并公告（{notice.number}）：{outcome.label}；{remedy.label}",
        clock,
    )
    if malicious:
        credit.record_from_case(
            session,
            actor,
            org_id=case.complainant_org_id,
            case_number=case.number,
            regime=case.regime,
            decision_notice=notice.number,
            clock=clock,
        )
    _record(
        session,
        actor,
        COMPLAINT_DECIDED,
        case,
        clock,
        outcome=outcome.value,
        remedy=remedy.value,
        late=case.decided_late,
    )
    return case


def _publish_decision(session: Session, actor: Actor, case: Case, clock: Clock) -> Notice:
    project = projects.get_project(session, case.project_id)
    section = projects.get_section(session, case.section_id)
    complainant = entities.get_org(session, case.complainant_org_id).name
    outcome, remedy = Outcome(str(case.outcome)), Remedy(str(case.remedy))
    rule = queries.decide_rule(case.regime)
    decided = case.decided_at.astimezone(SHANGHAI) if case.decided_at else None
    body = "\n".join(
        [
            f"案件编号：{case.number}",
            f"项目：{project.name}（{project.code}），标段：{section.name}（{section.code}）",
            f"投诉人：{complainant}",
            f"被投诉人：{entities.get_org(session, case.respondent_org_id).name}",
            f"投诉事项：{Matter(case.matter).label}：{'；'.join(queries.points_of(case))}",
            f"处理结果：{outcome.label}" + (f"；处理措施：{remedy.label}" if remedy is not Remedy.NONE else ""),
            "",
            case.decision,
            "",
            f"处理机关：{Sector(str(case.regulator_sector)).label}行政监督部门；决定日期：{decided:%Y年%m月%d日}"
            if decided
            else "",
            f"依据：{rule.citation}。当事人对处理决定不服的，可以依法申请行政复议或者提起行政诉讼。",
        ]
    )
    return notices.publish(
        session,
        actor,
        kind=NoticeKind.DECISION,
        title=f"关于{project.name}（{section.name}）投诉的处理决定",
        body=body,
        buyer=entities.get_org(session, project.tenderer_org_id).name,
        region=project.region,
        category=project.category,
        method=project.method,
        clock=clock,
        project_id=project.id,
        section_id=section.id,
        scope=section.id,
    )


def comply(session: Session, actor: Actor, *, case_id: str, title: str, body: str, clock: Clock) -> Case:
    """整改 — the tenderer carries out the decision: a correction is published as a clarification, and the deadline
    moves by the clarification rule (条例 art. 21); a re-tender ends this section's procedure."""
    case = queries.get_case(session, case_id)
    project = projects.get_project(session, case.project_id)
    policy.ensure(actor, policy.CASE_ANSWER, projects.subject_of(project))
    if not queries.needs_compliance(case):
        raise RuleViolation("本案没有待整改的处理决定", code="nothing-to-comply")
    remedy = Remedy(str(case.remedy))
    what = _text(body, "整改说明")
    if case.hold_id:
        _lift_and_restore(session, actor, case, case.hold_id, clock, f"已按投诉处理决定（{case.number}）整改。")
    if remedy is Remedy.CORRECT_DOCUMENTS:
        publication.clarify(
            session,
            actor,
            section_id=case.section_id,
            title=title.strip() or f"{project.name}招标文件澄清与修改公告",
            body=f"根据投诉处理决定（案件编号 {case.number}），对招标文件修改如下：\n{what}",
            clock=clock,
        )
    elif remedy is Remedy.RETENDER:
        section = projects.get_section(session, case.section_id)
        trade.terminate_section(
            session, actor, section=section, reason=f"根据投诉处理决定（{case.number}）重新招标", clock=clock
        )
    case.status, case.complied_at = CaseStatus.COMPLIED.value, clock.now()
    _entry(session, actor, case, EntryKind.STATEMENT, f"整改情况：{what}", clock)
    _record(session, actor, DECISION_COMPLIED, case, clock, remedy=remedy.value)
    return case
