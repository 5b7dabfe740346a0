"""项目办理 — register (受理登记), accept or return, terminate; the catalog decides what may be chosen."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from ggzy.catalog import service as catalog
from ggzy.core import events, holds, policy
from ggzy.core.actor import Actor
from ggzy.core.calendar import local_date
from ggzy.core.clock import SHANGHAI, Clock
from ggzy.core.errors import Conflict, Forbidden, Invalid, RuleViolation
from ggzy.core.ids import new_id
from ggzy.core.roles import Role, Sector
from ggzy.core.types import MONEY_MAX, fits_money, parse_money
from ggzy.deposits import refunds as deposit_refunds
from ggzy.entities import queries as entities
from ggzy.entities.states import OrgKind
from ggzy.notices import service as notices
from ggzy.notices.states import NoticeKind
from ggzy.projects import queries
from ggzy.projects.models import Project, Section
from ggzy.projects.states import PROJECT_LIFECYCLE, SECTION_LIFECYCLE, ProjectStatus, SectionStatus
from ggzy.rules import delegation as delegation_rules
from ggzy.rules.base import Regime
from ggzy.rules.catalog import Catalog, Category, Decision, Facts, decide, violations
from ggzy.rules.procedures import Method, procedure

PROJECT_REGISTERED = events.event_type("projects.registered", "登记交易项目")
PROJECT_ACCEPTED = events.event_type("projects.accepted", "受理项目登记")
PROJECT_RETURNED = events.event_type("projects.returned", "退回项目登记")
PROJECT_RESUBMITTED = events.event_type("projects.resubmitted", "重新提交项目登记")
PROJECT_AMENDED = events.event_type("projects.amended", "修改退回的项目登记")
PROJECT_TERMINATED = events.event_type("projects.terminated", "终止项目")
SECTION_TERMINATED = events.event_type("projects.section_terminated", "终止标段招标")
DEADLINE_EXTENDED = events.event_type("projects.deadline_extended", "暂停结束，投标截止时间顺延", public=True)

CENT = Decimal("0.01")


@dataclass(frozen=True)
class SectionIn:
    name: str
    estimate: Decimal


def money(value: object, what: str) -> Decimal:
    """Parse an amount of yuan exactly (core.types.parse_money: never rounded, never beyond the column)."""
    return parse_money(value, what)


def _check_org(session: Session, org_id: str, kind: OrgKind, what: str) -> None:
    org = entities.get_org(session, org_id)
    if org.kind != kind.value and not (kind is OrgKind.TENDERER and org.kind == OrgKind.GOVERNMENT.value):
        raise Invalid(f"{what}须为已登记的「{kind.label}」", code="bad-party")


def _prefix(regime: Regime, year: int) -> str:
    return f"XX{'ZB' if regime is Regime.TENDERING else 'CG'}-{year}-"


def _new_section(project: Project, seq: int, s: SectionIn) -> Section:
    """A project's section number ``seq`` as registered (or added by an amendment): its code follows the project's."""
    return Section(
        id=new_id(),
        project_id=project.id,
        seq=seq,
        code=f"{project.code}-{seq:02d}",
        name=s.name.strip()[:200],
        estimate=s.estimate.quantize(CENT),
        status=SectionStatus.PREPARING.value,
        round=1,
    )


def _checked(
    session: Session,
    *,
    name: str,
    approval_code: str,
    category: Category,
    method: Method,
    state_funds_share: Decimal,
    state_funds_amount: Decimal,
    sections: list[SectionIn],
    exception_ref: str,
) -> tuple[Decimal, Catalog, Decision]:
    """What a registration and its amendment both must satisfy: the fields, and the catalog for the procedure."""
    if not 4 <= len(name) <= 200:
        raise Invalid("项目名称应为4至200个字符", code="bad-name")
    if not re.fullmatch(r"[0-9A-Za-z\-]{6,60}", approval_code):
        raise Invalid("项目审批（核准、备案）代码应为6至60位字母、数字或“-”", code="bad-approval-code")
    if not sections or len(sections) > 50:
        raise Invalid("至少划分一个标段（包），最多50个", code="bad-sections")
    if not Decimal(0) <= state_funds_share <= Decimal(100):
        raise Invalid("国有资金占比应在0至100之间", code="bad-share")
    for s in sections:
        if not s.name.strip() or s.estimate <= 0:
            raise Invalid("每个标段须有名称和大于零的估算价", code="bad-section")
    estimate = sum((s.estimate for s in sections), Decimal(0))
    if not fits_money(estimate) or not fits_money(state_funds_amount):
        raise Invalid(f"估算价合计或国有资金金额超出可登记的上限（{MONEY_MAX:,.2f} 元）", code="amount-too-large")
    facts = Facts(category, estimate, state_funds_share, state_funds_amount)
    cat = catalog.current(session)
    problems = violations(facts, procedure(method), cat, exception_ref=exception_ref.strip())
    if problems:
        raise RuleViolation("；".join(problems), code="catalog", reasons=problems)
    return estimate.quantize(CENT), cat, decide(facts, cat)


def register(
    session: Session,
    actor: Actor,
    *,
    name: str,
    approval_code: str,
    category: Category,
    sector: Sector,
    method: Method,
    state_funds_share: Decimal,
    state_funds_amount: Decimal,
    tenderer_org_id: str,
    sections: list[SectionIn],
    clock: Clock,
    agency_org_id: str | None = None,
    exception_ref: str = "",
    note: str = "",
) -> Project:
    """受理登记 — a tenderer or its agency registers a project; the catalog refuses a wrong procedure.

    An agency registers only for a tenderer whose period appointment of it (委托代理) covers the project's
    category today; the refusal cites the appointment."""
    found = (
        queries.covering(
            session,
            tenderer_org_id=tenderer_org_id,
            agency_org_id=agency_org_id,
            project_id=None,
            category=category.value,
            on=local_date(clock.now()),
        )
        if agency_org_id
        else None
    )
    subject = policy.Subject(
        "project",
        frozenset({tenderer_org_id}),
        sector=sector.value,
        agent_org_id=agency_org_id,
        appointment=found.agreement_ref if found is not None else None,
        agent_rule=delegation_rules.BASIS,
    )
    policy.ensure(actor, policy.PROJECT_REGISTER, subject)
    name, approval_code = name.strip(), approval_code.strip()
    _check_org(session, tenderer_org_id, OrgKind.TENDERER, "招标人")
    if agency_org_id:
        _check_org(session, agency_org_id, OrgKind.AGENCY, "招标代理机构")
    estimate, cat, decision = _checked(
        session,
        name=name,
        approval_code=approval_code,
        category=category,
        method=method,
        state_funds_share=state_funds_share,
        state_funds_amount=state_funds_amount,
        sections=sections,
        exception_ref=exception_ref,
    )
    now = clock.now()
    project = Project(
        id=new_id(),
        code=queries.next_code(session, _prefix(procedure(method).regime, local_date(now).year)),
        name=name,
        approval_code=approval_code,
        category=category.value,
        sector=sector.value,
        method=method.value,
        estimate=estimate,
        state_funds_share=state_funds_share,
        state_funds_amount=state_funds_amount,
        tenderer_org_id=tenderer_org_id,
        agency_org_id=agency_org_id,
        region=entities.get_org(session, tenderer_org_id).region,
        status=ProjectStatus.REGISTERED.value,
        catalog_version=cat.version,
        must_trade=decision.must_trade,
        must_tender=decision.must_tender,
        must_open=decision.must_open,
        decision=json.dumps(decision.reasons, ensure_ascii=False),
        exception_ref=exception_ref.strip()[:100],
        note=note.strip()[:300],
        registered_by=actor.user_id or "",
        registered_at=now,
    )
    session.add(project)
    session.flush()
    for i, s in enumerate(sections, start=1):
        session.add(_new_section(project, i, s))
    session.flush()
    events.record(
        session,
        actor,
        PROJECT_REGISTERED,
        clock=clock,
        subject=("project", project.id),
        scope=project.id,
        payload={
            "code": project.code,
            "name": name,
            "method": method.value,
            "estimate": estimate,
            "category": category.value,
            "catalog_version": cat.version,
            "must_trade": decision.must_trade,
            "must_tender": decision.must_tender,
            "must_open": decision.must_open,
            "sections": len(sections),
        },
    )
    return project


def _move_project(session: Session, actor: Actor, project: Project, move: str) -> None:
    project.status = PROJECT_LIFECYCLE.move(ProjectStatus(project.status), move, actor).value


def accept(session: Session, actor: Actor, *, project_id: str, clock: Clock) -> Project:
    """受理 — the trading centre accepts a registration; the project may now publish notices."""
    project = queries.get_project(session, project_id)
    policy.ensure(actor, policy.PROJECT_ACCEPT, queries.subject_of(project))
    _move_project(session, actor, project, "accept")
    events.record(session, actor, PROJECT_ACCEPTED, clock=clock, subject=("project", project.id), scope=project.id)
    return project


def return_registration(session: Session, actor: Actor, *, project_id: str, reason: str, clock: Clock) -> Project:
    project = queries.get_project(session, project_id)
    policy.ensure(actor, policy.PROJECT_ACCEPT, queries.subject_of(project))
    if not reason.strip():
        raise Invalid("退回须说明理由", code="reason-required")
    _move_project(session, actor, project, "return")
    project.note = reason.strip()[:300]
    events.record(
        session,
        actor,
        PROJECT_RETURNED,
        clock=clock,
        subject=("project", project.id),
        scope=project.id,
        payload={"reason": project.note},
    )
    return project


def amend(
    session: Session,
    actor: Actor,
    *,
    project_id: str,
    name: str,
    approval_code: str,
    category: Category,
    sector: Sector,
    method: Method,
    state_funds_share: Decimal,
    state_funds_amount: Decimal,
    sections: list[SectionIn],
    clock: Clock,
    exception_ref: str = "",
    note: str = "",
) -> Project:
    """修改登记 — a returned registration is corrected before it is resubmitted: the same checks as registering
    (fields and the catalog in force today), the same tenderer and agency. Only while returned: once accepted,
    what was registered is what the notices rest on. The record lists what changed; the sections keep their ids
    and codes by order, added ones are appended and surplus ones removed (nothing rests on them before acceptance)."""
    project = queries.get_project(session, project_id)
    policy.ensure(actor, policy.PROJECT_MANAGE, queries.subject_of(project))
    if ProjectStatus(project.status) is not ProjectStatus.RETURNED:
        raise Conflict(
            f"只有被退回的项目登记可以修改（当前状态：{ProjectStatus(project.status).label}）", code="not-returned"
        )
    if procedure(method).regime is not procedure(project.method).regime:
        raise Invalid(
            "修改不能在招标投标与政府采购之间改变交易方式（项目编号随之不同），请终止后重新登记", code="regime"
        )
    name, approval_code = name.strip(), approval_code.strip()
    estimate, cat, decision = _checked(
        session,
        name=name,
        approval_code=approval_code,
        category=category,
        method=method,
        state_funds_share=state_funds_share,
        state_funds_amount=state_funds_amount,
        sections=sections,
        exception_ref=exception_ref,
    )
    before = {
        "name": project.name,
        "approval_code": project.approval_code,
        "category": project.category,
        "sector": project.sector,
        "method": project.method,
        "state_funds_share": project.state_funds_share,
        "state_funds_amount": project.state_funds_amount,
        "exception_ref": project.exception_ref,
    }
    project.name, project.approval_code = name, approval_code
    project.category, project.sector, project.method = category.value, sector.value, method.value
    project.state_funds_share, project.state_funds_amount = state_funds_share, state_funds_amount
    project.exception_ref = exception_ref.strip()[:100]
    after = {k: getattr(project, k) for k in before}
    changed = [k for k in before if before[k] != after[k]]
    old = queries.sections_of(session, project.id)
    shape = [(x.name, x.estimate) for x in old]
    for i, s in enumerate(sections, start=1):
        if i <= len(old):
            old[i - 1].name, old[i - 1].estimate = s.name.strip()[:200], s.estimate.quantize(CENT)
        else:
            session.add(_new_section(project, i, s))
    for extra in old[len(sections) :]:
        session.delete(extra)
    if shape != [(s.name.strip()[:200], s.estimate.quantize(CENT)) for s in sections]:
        changed.append("sections")
    project.estimate = estimate
    project.catalog_version = cat.version
    project.must_trade, project.must_tender, project.must_open = (
        decision.must_trade,
        decision.must_tender,
        decision.must_open,
    )
    project.decision = json.dumps(decision.reasons, ensure_ascii=False)
    if note.strip():
        project.note = note.strip()[:300]
    session.flush()
    events.record(
        session,
        actor,
        PROJECT_AMENDED,
        clock=clock,
        subject=("project", project.id),
        scope=project.id,
        payload={
            "changed": changed,
            "name": name,
            "method": method.value,
            "estimate": estimate,
            "sections": len(sections),
            "catalog_version": cat.version,
        },
    )
    return project


def resubmit(session: Session, actor: Actor, *, project_id: str, clock: Clock) -> Project:
    project = queries.get_project(session, project_id)
    policy.ensure(actor, policy.PROJECT_MANAGE, queries.subject_of(project))
    _move_project(session, actor, project, "resubmit")
    events.record(session, actor, PROJECT_RESUBMITTED, clock=clock, subject=("project", project.id), scope=project.id)
    return project


def terminate(session: Session, actor: Actor, *, project_id: str, reason: str, clock: Clock) -> Project:
    """终止 — with a reason; every section still in progress ends with it."""
    project = queries.get_project(session, project_id)
    policy.ensure(actor, policy.PROJECT_MANAGE, queries.subject_of(project))
    if not reason.strip():
        raise Invalid("终止须说明理由", code="reason-required")
    _move_project(session, actor, project, "terminate")
    for section in queries.sections_of(session, project.id):
        if not SectionStatus(section.status).opened and SectionStatus(section.status) is not SectionStatus.TERMINATED:
            terminate_section(session, actor, section=section, reason=reason, clock=clock)
    events.record(
        session,
        actor,
        PROJECT_TERMINATED,
        clock=clock,
        subject=("project", project.id),
        scope=project.id,
        payload={"reason": reason.strip()[:300]},
    )
    return project


def terminate_section(session: Session, actor: Actor, *, section: Section, reason: str, clock: Clock) -> Section:
    section.status = SECTION_LIFECYCLE.move(SectionStatus(section.status), "terminate", actor).value
    section.next_due_at = None
    section.outcome_note = reason.strip()[:300]
    deposit_refunds.on_end(session, section_id=section.id, clock=clock)  # every security back, guarantees released
    events.record(
        session,
        actor,
        SECTION_TERMINATED,
        clock=clock,
        subject=("section", section.id),
        scope=section.id,
        payload={"reason": section.outcome_note},
    )
    return section


def ensure_manager(session: Session, actor: Actor, project: Project) -> None:
    policy.ensure(actor, policy.PROJECT_MANAGE, queries.subject_of(project))
    if ProjectStatus(project.status) is not ProjectStatus.ACCEPTED:
        raise RuleViolation(
            f"项目当前状态为「{ProjectStatus(project.status).label}」，须经交易中心受理后才能发布公告",
            code="not-accepted",
        )


def ensure_not_role(actor: Actor, role: Role) -> None:
    if actor.role is role:
        raise Forbidden("该操作不能由此角色执行")


def mark_opened(session: Session, actor: Actor, *, section_id: str, clock: Clock) -> Section:
    """开标 — the section moves from closed to opened (bidding's opening calls this; its `bidding.section_opened`
    event, with the published record, is the one event of the change)."""
    section = queries.get_section(session, section_id)
    holds.check(session, section.id, holds.Step.OPENING)
    section.status = SECTION_LIFECYCLE.move(SectionStatus(section.status), "open", actor).value
    section.opened_at = clock.now()
    section.next_due_at = None
    return section


def extend_deadline(
    session: Session, actor: Actor, *, section_id: str, by: dt.timedelta, reason: str, clock: Clock
) -> Section:
    """顺延 — give back to the bidders the time a hold took from their period (条例 art. 22: the activity was
    suspended, not shortened): the deadline moves by at most the time the deadline step was held, and a
    clarification notice tells everyone the new time. Only held time can be given back, so no manager's
    right is needed: the case that lifted the hold calls this in the same transaction."""
    section = queries.get_section(session, section_id)
    if SectionStatus(section.status) is not SectionStatus.BIDDING or section.bid_deadline is None:
        raise RuleViolation(
            f"标段当前状态为「{SectionStatus(section.status).label}」，不能顺延投标截止时间", code="not-bidding"
        )
    if holds.holding(session, section.id, holds.Step.DEADLINE) is not None:
        raise RuleViolation("标段仍在暂停中，恢复后才能顺延投标截止时间", code="still-held")
    held = holds.suspended_for(session, section.id, holds.Step.DEADLINE, until=clock.now())
    if by <= dt.timedelta(0) or by > held:
        raise RuleViolation("只能按暂停的时间顺延投标截止时间", code="extension-beyond-hold", held=str(held))
    project = queries.get_project(session, section.project_id)
    old = section.bid_deadline
    section.bid_deadline = section.next_due_at = old + by
    if section.documents_until and section.documents_until >= old:
        section.documents_until = section.bid_deadline
    events.record(
        session,
        actor,
        DEADLINE_EXTENDED,
        clock=clock,
        subject=("section", section.id),
        scope=section.id,
        payload={"from": old, "to": section.bid_deadline, "held_seconds": int(by.total_seconds())},
    )
    text = f"{section.bid_deadline.astimezone(SHANGHAI):%Y年%m月%d日 %H:%M}"
    notices.publish(
        session,
        actor,
        kind=NoticeKind.CLARIFICATION,
        title=f"{project.name}（{section.name}）投标截止时间顺延公告",
        body=f"{reason.strip()}\n\n招标投标活动暂停期间不计入投标期限，投标截止时间（开标时间）顺延至{text}"
        "（《招标投标法实施条例》第22条）。",
        buyer=entities.get_org(session, project.tenderer_org_id).name,
        region=project.region,
        category=project.category,
        method=project.method,
        clock=clock,
        project_id=project.id,
        section_id=section.id,
        codes=(project.code, section.code, project.approval_code),
        scope=section.id,
    )
    return section


def _advance(session: Session, actor: Actor, section_id: str, move: str) -> Section:
    section = queries.get_section(session, section_id)
    section.status = SECTION_LIFECYCLE.move(SectionStatus(section.status), move, actor).value
    return section


# The award domain's moves of a section after the opening. Each is one step of the section's lifecycle; the
# award domain records the event of the change with its own object (the publicity, the award, the contract,
# the dossier), so these verbs record none of their own, as `mark_opened`.


def mark_publicity(session: Session, actor: Actor, *, section_id: str) -> Section:
    """中标候选人公示 — opened → publicity."""
    return _advance(session, actor, section_id, "publicize")


def mark_awarded(session: Session, actor: Actor, *, section_id: str) -> Section:
    """定标 — publicity → awarded; refused while a hold stops the award."""
    holds.check(session, section_id, holds.Step.AWARD)
    return _advance(session, actor, section_id, "award")


def mark_contracted(session: Session, actor: Actor, *, section_id: str) -> Section:
    """签约 — awarded → contracted; refused while a hold stops the signing."""
    holds.check(session, section_id, holds.Step.SIGNING)
    return _advance(session, actor, section_id, "contract")


def mark_archived(session: Session, actor: Actor, *, section_id: str) -> Section:
    """归档 — contracted → archived (the platform seals the dossier)."""
    return _advance(session, actor, section_id, "archive")
