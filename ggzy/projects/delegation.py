"""委托代理 — a tenderer (purchaser) appoints an agency, for one project or for a period and a scope of trade
classes, with the agency agreement's reference and file, and may revoke it.

Every act of an agency for a tenderer asks `projects.queries.subject_of`, which carries the active appointment
(or none) to the policy: an agency without one is refused, citing 招标投标法 art. 15 and 政府采购法 art. 20
(ggzy/rules/delegation.py). What the agency did in the tenderer's name is read from the one event log.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ggzy.core import events, policy
from ggzy.core.actor import Actor
from ggzy.core.calendar import local_date
from ggzy.core.clock import Clock
from ggzy.core.errors import Conflict, Invalid, NotFound, RuleViolation
from ggzy.core.events import EVENT_TYPES, Event
from ggzy.core.files import Stored
from ggzy.core.ids import new_id
from ggzy.core.policy import Subject
from ggzy.core.roles import Role
from ggzy.entities import queries as entities
from ggzy.entities.states import OrgKind
from ggzy.projects import queries
from ggzy.projects.models import Appointment, Project, Section
from ggzy.projects.states import ProjectStatus
from ggzy.rules import delegation as rules
from ggzy.rules.catalog import TRANSFERS, Category

AGENCY_APPOINTED = events.event_type("projects.agency_appointed", "委托招标代理机构")
AGENCY_REVOKED = events.event_type("projects.agency_revoked", "撤销对招标代理机构的委托")

ACTIVE, REVOKED = "active", "revoked"
STATUS_LABELS = {ACTIVE: "有效", REVOKED: "已撤销"}
MAX_AGREEMENT_BYTES = 20 << 20  # one agreement, scanned (the upload's own cap; the request's is in web/app.py)


@dataclass(frozen=True)
class AgreementFile:
    name: str
    stored: Stored


def subject_of(a: Appointment) -> Subject:
    """The tenderer owns its appointments; the agency named reads them."""
    return Subject("appointment", frozenset({a.tenderer_org_id}), agent_org_id=a.agency_org_id, appointment=a.id)


def get(session: Session, actor: Actor, appointment_id: str) -> Appointment:
    a = session.get(Appointment, appointment_id)
    if a is None or not policy.can(actor, policy.DELEGATION_READ, subject_of(a)):
        raise NotFound("未找到该委托代理")
    return a


def _categories(values: list[str]) -> list[str]:
    allowed = {c.value for c in Category if c not in TRANSFERS}
    chosen = list(dict.fromkeys(v for v in values if v))
    if not chosen:
        raise Invalid("期间委托须选择至少一类交易（委托范围）", code="scope-required")
    bad = [v for v in chosen if v not in allowed]
    if bad:
        raise Invalid(f"没有「{bad[0]}」这一可委托的交易类别", code="bad-scope")
    return chosen


def _years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def appoint(
    session: Session,
    actor: Actor,
    *,
    agency_org_id: str,
    agreement_ref: str,
    agreement: AgreementFile | None,
    clock: Clock,
    project_id: str | None = None,
    categories: list[str] | None = None,
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
) -> Appointment:
    """委托 — for a project (the project's agency becomes this one), or for a period and a scope of trade classes."""
    tenderer_org_id = actor.org_id or ""
    policy.ensure(actor, policy.DELEGATION_MANAGE, Subject("appointment", frozenset({tenderer_org_id})))
    ref = agreement_ref.strip()
    if not 2 <= len(ref) <= 100:
        raise Invalid("请填写委托代理协议编号（2至100个字符）", code="agreement-ref-required")
    if agreement is None or agreement.stored.size == 0:
        raise Invalid("请上传委托代理协议文件", code="agreement-file-required")
    agency = entities.get_org(session, agency_org_id)
    if agency.kind != OrgKind.AGENCY.value:
        raise Invalid(f"「{agency.name}」不是登记的招标代理机构", code="not-an-agency")
    today = local_date(clock.now())
    project: Project | None = None
    scope: list[str] = []
    if project_id:
        project = queries.get_project(session, project_id)
        if project.tenderer_org_id != tenderer_org_id:
            raise NotFound("未找到该项目")
        if ProjectStatus(project.status) is ProjectStatus.TERMINATED:
            raise RuleViolation("项目已终止，不能再委托代理", code="project-terminated")
        current = queries.appointment_of(session, project)
        if current is not None and project.agency_org_id != agency_org_id:
            name = entities.get_org(session, current.agency_org_id).name
            raise Conflict(
                f"本项目已委托「{name}」（协议 {current.agreement_ref}），须先撤销该委托", code="agency-appointed"
            )
        if current is not None and current.project_id == project.id:
            raise Conflict(
                f"本项目已有对「{agency.name}」的有效委托（协议 {current.agreement_ref}）", code="already-appointed"
            )
        valid_from = valid_until = None
    else:
        scope = _categories(categories or [])
        if valid_from is None or valid_until is None:
            raise Invalid("期间委托须填写起止日期", code="period-required")
        if valid_until < valid_from:
            raise Invalid("委托截止日期不能早于开始日期", code="bad-period")
        if valid_until < today:
            raise Invalid("委托截止日期不能早于今天", code="period-past")
        years = int(rules.MAX_PERIOD.value)
        if valid_from.year + years > dt.MAXYEAR or valid_until >= _years_after(valid_from, years):
            raise RuleViolation(f"委托期限过长：{rules.MAX_PERIOD.describe()}", code="period-too-long")
    a = Appointment(
        id=new_id(),
        tenderer_org_id=tenderer_org_id,
        agency_org_id=agency.id,
        project_id=project.id if project else None,
        categories=" ".join(scope),
        valid_from=valid_from,
        valid_until=valid_until,
        agreement_ref=ref,
        file_name=agreement.name.strip()[:200] or "委托代理协议",
        file_path=agreement.stored.path,
        file_sha256=agreement.stored.sha256,
        file_size=agreement.stored.size,
        status=ACTIVE,
        source="platform",
        appointed_by=actor.user_id,
        appointed_at=clock.now(),
    )
    session.add(a)
    if project is not None:
        project.agency_org_id = agency.id
    session.flush()
    events.record(
        session,
        actor,
        AGENCY_APPOINTED,
        clock=clock,
        subject=("appointment", a.id),
        scope=project.id if project else None,
        payload={
            "agency": agency.id,
            "project": a.project_id,
            "categories": scope,
            "from": valid_from.isoformat() if valid_from else None,
            "until": valid_until.isoformat() if valid_until else None,
            "agreement_ref": ref,
            "agreement_sha256": a.file_sha256,
        },
    )
    return a


def revoke(session: Session, actor: Actor, *, appointment_id: str, reason: str, clock: Clock) -> Appointment:
    """撤销委托 — the agency may no longer act under it; what it did stays in the log."""
    a = get(session, actor, appointment_id)
    policy.ensure(actor, policy.DELEGATION_MANAGE, Subject("appointment", frozenset({a.tenderer_org_id})))
    if a.status != ACTIVE:
        raise Conflict("该委托已撤销", code="already-revoked")
    if not reason.strip():
        raise Invalid("撤销委托须说明理由", code="reason-required")
    a.status = REVOKED
    a.revoked_by = actor.user_id
    a.revoked_at = clock.now()
    a.revoke_reason = reason.strip()[:300]
    events.record(
        session,
        actor,
        AGENCY_REVOKED,
        clock=clock,
        subject=("appointment", a.id),
        scope=a.project_id,
        payload={"agency": a.agency_org_id, "reason": a.revoke_reason},
    )
    return a


def list_for(
    session: Session, actor: Actor, *, org_id: str | None = None, before: str | None = None, limit: int = 50
) -> list[Appointment]:
    """Appointments the actor may see, newest first: its own (tenderer or agency), or any for oversight roles."""
    scope = policy.scope_for(actor, policy.DELEGATION_READ)
    if scope is None:
        policy.ensure(actor, policy.DELEGATION_READ)
    stmt = select(Appointment).order_by(Appointment.id.desc()).limit(limit)
    if scope is policy.Scope.OWN:
        mine = actor.org_id or ""
        stmt = stmt.where((Appointment.tenderer_org_id == mine) | (Appointment.agency_org_id == mine))
    elif org_id:
        stmt = stmt.where((Appointment.tenderer_org_id == org_id) | (Appointment.agency_org_id == org_id))
    if before:
        stmt = stmt.where(Appointment.id < before)
    return list(session.execute(stmt).scalars())


@dataclass(frozen=True)
class AgencyAct:
    seq: int
    at: dt.datetime
    label: str
    type: str
    agency_org_id: str
    project_id: str
    project_code: str
    project_name: str
    detail: str


SEALED_UNTIL_OPENING = frozenset({"bidding.documents_downloaded", "bidding.registered", "bidding.bid_sealed"})


def acts_in_name_of(
    session: Session, actor: Actor, *, tenderer_org_id: str | None = None, before: int | None = None, limit: int = 50
) -> list[AgencyAct]:
    """代理机构以本单位名义办理的事项 — events on the tenderer's projects recorded by an agency (its own
    organisation differs from the tenderer's), newest first. An agency's acts are never sealed ones."""
    owner = tenderer_org_id or actor.org_id or ""
    policy.ensure(actor, policy.DELEGATION_READ, Subject("appointment", frozenset({owner})))
    projects = {p.id: p for p in session.execute(select(Project).where(Project.tenderer_org_id == owner)).scalars()}
    if not projects:
        return []
    sections = {
        s.id: s.project_id
        for s in session.execute(select(Section).where(Section.project_id.in_(list(projects)))).scalars()
    }
    scopes = [*projects, *sections]
    stmt = (
        select(Event)
        .where(Event.scope_id.in_(scopes), Event.role == Role.AGENCY.value, Event.org_id != owner)
        .order_by(Event.seq.desc())
        .limit(limit)
    )
    if before is not None:
        stmt = stmt.where(Event.seq < before)
    out = []
    for e in session.execute(stmt).scalars():
        if e.type in SEALED_UNTIL_OPENING or e.scope_id is None:
            continue
        pid = e.scope_id if e.scope_id in projects else sections[e.scope_id]
        p = projects[pid]
        t = EVENT_TYPES.get(e.type)
        payload = json.loads(e.payload)
        detail = str(
            payload.get("reason") or payload.get("number") or payload.get("title") or payload.get("code") or ""
        )
        out.append(
            AgencyAct(e.seq, e.at, t.label if t else e.type, e.type, e.org_id or "", p.id, p.code, p.name, detail)
        )
    return out


@dataclass(frozen=True)
class AgencySpread:
    agency_org_id: str
    agency_name: str
    sector: str
    tenderers: list[str]  # names


def agency_spread(session: Session, actor: Actor, *, threshold: int | None = None) -> list[AgencySpread]:
    """代理机构集中度 — agencies acting (under an active appointment) for at least the rule's number of different
    tenderers in one sector, most first; a sector supervisor sees its own sectors."""
    policy.ensure(actor, policy.DELEGATION_OVERVIEW)
    least = int(rules.AGENCY_SPREAD.value) if threshold is None else threshold
    rows = session.execute(select(Project).where(Project.agency_org_id.is_not(None))).scalars()
    seen: dict[tuple[str, str], set[str]] = {}
    for p in rows:
        if not policy.can(actor, policy.DELEGATION_OVERVIEW, Subject("project", sector=p.sector)):
            continue
        if queries.appointment_of(session, p) is None:
            continue
        assert p.agency_org_id is not None
        seen.setdefault((p.agency_org_id, p.sector), set()).add(p.tenderer_org_id)
    out = []
    for (agency, sector), tenderers in seen.items():
        if len(tenderers) >= least:
            out.append(
                AgencySpread(
                    agency,
                    entities.get_org(session, agency).name,
                    sector,
                    sorted(entities.get_org(session, t).name for t in tenderers),
                )
            )
    return sorted(out, key=lambda s: (-len(s.tenderers), s.agency_name, s.sector))


def may_register_for(session: Session, actor: Actor, *, clock: Clock) -> list[str] | None:
    """The tenderers an agency may register a project for today (None: the actor is not an agency)."""
    if actor.role is not Role.AGENCY or actor.org_id is None:
        return None
    return queries.appointing_tenderers(session, actor.org_id, local_date(clock.now()))
