"""异议办理 — file an objection and answer it; the thread of every case; the helpers complaints and decisions share.

Every check cites its article and changes nothing when it refuses. A qualifying objection to the tender
documents stops the deadline and the opening (条例 art. 22) through the kernel's holds; the answer lifts the
hold and, when the deadline passed while held, gives the bidders their time back through projects' verb.
Complaints (complaints.py) and decisions (decisions.py) build on the helpers here.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from ggzy.bidding import queries as bids
from ggzy.cases import queries
from ggzy.cases.models import Case, CaseEntry
from ggzy.cases.states import CaseKind, CaseStatus, ClockKind, EntryKind, Matter
from ggzy.core import events, holds, policy
from ggzy.core.actor import Actor, system
from ggzy.core.calendar import local_date
from ggzy.core.clock import SHANGHAI, Clock
from ggzy.core.errors import Forbidden, Invalid, RuleViolation
from ggzy.core.files import Stored
from ggzy.core.ids import new_id
from ggzy.projects import queries as projects
from ggzy.projects import service as trade
from ggzy.projects.states import SectionStatus
from ggzy.rules import procurement, tendering
from ggzy.rules.clocks import latest_before, within
from ggzy.rules.procedures import procedure
from ggzy.supervision.service import Finding, raise_alert
from ggzy.supervision.states import Severity

if TYPE_CHECKING:
    from ggzy.projects.models import Project, Section

OBJECTION_FILED = events.event_type("cases.objection_filed", "提出异议（质疑）")
OBJECTION_ANSWERED = events.event_type("cases.objection_answered", "答复异议（质疑）")
CASE_ENTRY_ADDED = events.event_type("cases.entry_added", "案件材料（陈述、证据、询问、答复、指导）")
ACT_LATE = events.event_type("cases.act_late", "异议答复、投诉受理审查或处理决定逾期")

# one flag per late act (ggzy/supervision/flags/platform.py lists their titles)
LATE_FLAGS: dict[ClockKind, tuple[str, str]] = {
    ClockKind.ANSWER: ("K01", "异议（质疑）逾期未答复"),
    ClockKind.ACCEPT: ("K02", "投诉逾期未作出受理决定"),
    ClockKind.DECIDE: ("K03", "投诉逾期未作出处理决定"),
}

WORKS_DOCUMENT_HOLD = frozenset({holds.Step.DEADLINE, holds.Step.OPENING})
MAX_TEXT = 5000
MAX_POINTS = 20


def clean_text(value: str, what: str, *, limit: int = MAX_TEXT) -> str:
    value = value.strip()
    if not value:
        raise Invalid(f"请填写{what}", code="text-required")
    if len(value) > limit:
        raise Invalid(f"{what}不得超过{limit}字", code="text-too-long")
    return value


def clean_points(points: list[str]) -> list[str]:
    out = list(dict.fromkeys(p.strip() for p in points if p.strip()))
    if not out:
        raise Invalid("请逐项列明异议（质疑、投诉）事项", code="points-required")
    if len(out) > MAX_POINTS or any(len(p) > 300 for p in out):
        raise Invalid(f"事项最多{MAX_POINTS}项，每项不超过300字", code="points-too-long")
    return out


def record_case_event(session: Session, actor: Actor, kind: str, case: Case, clock: Clock, **payload: object) -> None:
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


def add_to_thread(
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


def section_context(session: Session, section_id: str) -> tuple[Section, Project, str]:
    section = projects.get_section(session, section_id)
    project = projects.get_project(session, section.project_id)
    return section, project, procedure(project.method).regime.value


def fmt_day(day: dt.date) -> str:
    return f"{day:%Y年%m月%d日}"


def ensure_party(session: Session, actor: Actor, section: Section, matter: Matter, regime: str) -> None:
    """Only those concerned may object: who obtained the documents, or who bid for the opening and the result."""
    assert actor.org_id is not None
    if matter in (Matter.DOCUMENTS, Matter.PREQUALIFICATION):
        if not bids.has_downloaded(session, section.id, actor.org_id):
            art = "《政府采购法》第52条" if regime == queries.PROCUREMENT else "《招标投标法实施条例》第22条"
            raise Forbidden(
                f"仅获取了招标（采购）文件的潜在投标人（供应商）可以对其提出异议（质疑）（{art}）", code="not-a-party"
            )
    elif matter is Matter.RESULT and actor.org_id not in {
        b.bidder_org_id for b in bids.opened_bids(session, section.id, section.round)
    }:
        raise Forbidden(
            "只有本标段投标文件已开启的投标人（供应商）可以对评标结果提出异议（质疑）"
            "（《招标投标法实施条例》第54条；《政府采购法》第52条）",
            code="not-a-bidder",
        )
    elif matter is Matter.OPENING and not bids.own_bids(session, section.id, actor.org_id):
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
        if matter is Matter.RESULT and section.opened_at is None:
            raise RuleViolation("开标、评审结束后方可对采购结果提出质疑（《政府采购法》第52条）", code="out-of-time")
        if start is None:
            raise Invalid("请填写知道或应当知道其权益受到损害之日", code="known-at-required")
        if start > now:
            raise Invalid("知道之日不能晚于今天", code="known-at-future")
        if not within(start, procurement.CHALLENGE_WITHIN, now):
            raise RuleViolation(
                f"已超过质疑期限：{procurement.CHALLENGE_WITHIN.describe()}，自{fmt_day(local_date(start))}起算"
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
                f"已超过异议期限：{rule.title}{rule.value}日提出，最迟{fmt_day(last)}（{rule.citation}）",
                code="out-of-time",
            )
    elif matter is Matter.OPENING:
        if section.opened_at is None or local_date(section.opened_at) != local_date(now):
            raise RuleViolation(
                f"对开标的异议应当在开标现场提出（{tendering.OBJECTION_AT_OPENING.citation}）", code="out-of-time"
            )
    elif matter is Matter.RESULT:
        _ensure_in_publicity(session, section, now)
    else:
        raise RuleViolation(
            "《招标投标法实施条例》第60条规定须先提出异议的事项为资格预审文件、招标文件、开标和评标结果；"
            "其他事项可以直接向行政监督部门投诉",
            code="no-objection-for-matter",
        )


def _ensure_in_publicity(session: Session, section: Section, now: dt.datetime) -> None:
    """条例 art. 54: an objection to the result is made during the candidates' publicity (the award domain's)."""
    from ggzy.award import queries as award  # reads only: the publicity the objection is made against

    cited = tendering.OBJECTION_TO_RESULT_ANSWER.citation
    a = award.award_of(session, section.id, section.round)
    if a is None or SectionStatus(section.status) is not SectionStatus.PUBLICITY:
        raise RuleViolation(f"只能在中标候选人公示期间对评标结果提出异议（{cited}）", code="not-in-publicity")
    if now >= a.publicity_ends_at:
        raise RuleViolation(
            f"公示期已于{a.publicity_ends_at.astimezone(SHANGHAI):%Y年%m月%d日 %H:%M}结束，不能再提出异议（{cited}）",
            code="publicity-ended",
        )


def result_hold(session: Session, section: Section, regime: str) -> frozenset[holds.Step]:
    """What an objection to the result stops: works, the award (条例 art. 54); procurement, the signing
    (采购条例 art. 54) — and, filed before the award notice, the award too."""
    if regime != queries.PROCUREMENT:
        return frozenset({holds.Step.AWARD})
    if SectionStatus(section.status) is SectionStatus.PUBLICITY:
        return frozenset({holds.Step.AWARD, holds.Step.SIGNING})
    return frozenset({holds.Step.SIGNING})


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
    section, project, regime = section_context(session, section_id)
    pts, text = clean_points(points), clean_text(claims, "异议（质疑）的事实、理由和请求")
    now = clock.now()
    ensure_party(session, actor, section, matter, regime)
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
    add_to_thread(session, actor, case, EntryKind.STATEMENT, text, clock)
    for f in evidence or []:
        add_to_thread(session, actor, case, EntryKind.EVIDENCE, f"证据材料：{f[0]}", clock, file=f)
    steps: frozenset[holds.Step] = frozenset()
    if regime != queries.PROCUREMENT and matter in (Matter.DOCUMENTS, Matter.PREQUALIFICATION):
        steps = WORKS_DOCUMENT_HOLD  # 条例 art. 22: 作出答复前，应当暂停招标投标活动
    elif matter is Matter.RESULT:
        steps = result_hold(session, section, regime)
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
    record_case_event(session, actor, OBJECTION_FILED, case, clock, held=bool(steps))
    return case


def late_recorded(case: Case) -> set[str]:
    return {k for k in (case.late_recorded or "").split(",") if k}


def record_late(
    session: Session, case: Case, kind: ClockKind, clock: Clock, *, done_at: dt.datetime | None = None
) -> bool:
    """A statutory clock ran out without its act (the tick), or the act came after it (done_at): one event and one
    supervision alert per late act, to the regulator of the project's sector; never twice for the same clock."""
    if kind.value in late_recorded(case):
        return False
    statutory = queries.clocks(session, case).get(kind)
    due = statutory.due_at() if statutory else None
    if statutory is None or due is None:
        return False
    case.late_recorded = ",".join(sorted(late_recorded(case) | {kind.value}))
    if done_at is None:
        case.next_due_at = None  # recorded: the tick need not look at it again until the next clock starts
    flag_id, title = LATE_FLAGS[kind]
    section, project, _ = section_context(session, case.section_id)
    payload: dict[str, object] = {"late_clock": kind.value, "due": due.isoformat()}
    if done_at is not None:
        payload["done"] = done_at.isoformat()
    record_case_event(session, system(), ACT_LATE, case, clock, **payload)
    # the late party: the tenderer or its agency for an answer, the handling regulator for a complaint's acts;
    # the complainant is not named (before the opening who objects reveals who takes part)
    late_org = (case.respondent_org_id,) if kind is ClockKind.ANSWER else ()
    sector = case.regulator_sector or queries.regulator_of(project.sector, case.regime).value
    raise_alert(
        session,
        Finding(
            flag_id=flag_id,
            title=f"{title}：{case.number}（{project.name} {section.name}）",
            severity=Severity.MEDIUM,
            legal_basis=f"{statutory.describe()}（{statutory.rule.citation}）",
            subject=f"{project.name}（{section.name}）",
            source="cases",
            evidence={"case": case.number, "clock_label": kind.label, **payload},
            project_id=project.id,
            section_id=section.id,
            org_ids=late_org,
            sector=sector,
            region=project.region,
            dedup=f"{flag_id}:{case.id}",
        ),
        clock=clock,
    )
    return True


def lift_and_restore(session: Session, actor: Actor, case: Case, hold_id: str, clock: Clock, why: str) -> None:
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
    text = clean_text(answer, "答复内容")
    now = clock.now()
    case.answer, case.answered_at, case.status, case.next_due_at = text, now, CaseStatus.ANSWERED.value, None
    case.answered_late = queries.clocks(session, case)[ClockKind.ANSWER].overdue(now)
    add_to_thread(session, actor, case, EntryKind.ANSWER, text, clock)
    if case.answered_late:
        record_late(session, case, ClockKind.ANSWER, clock, done_at=now)
    if case.hold_id:
        lift_and_restore(session, actor, case, case.hold_id, clock, f"异议{case.number}已答复，招标投标活动恢复。")
    record_case_event(session, actor, OBJECTION_ANSWERED, case, clock, late=case.answered_late)
    return case


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
    body = clean_text(text, kind.label)
    if kind is EntryKind.EVIDENCE and file is None:
        raise Invalid("请上传证据文件", code="file-required")
    entry = add_to_thread(session, actor, case, kind, body, clock, file=file, to_org_id=to_org_id)
    record_case_event(session, actor, CASE_ENTRY_ADDED, case, clock, entry=kind.value)
    return entry
