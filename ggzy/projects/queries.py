"""项目查询 — read-only lookups of projects and sections for pages, the API and other domains."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, object_session

from ggzy.core.actor import Actor
from ggzy.core.calendar import local_date
from ggzy.core.errors import NotFound
from ggzy.core.policy import Subject
from ggzy.projects.models import Appointment, Invitation, Project, Section
from ggzy.projects.states import SectionStatus
from ggzy.rules import delegation as delegation_rules


def get_project(session: Session, project_id: str) -> Project:
    p = session.get(Project, project_id)
    if p is None:
        raise NotFound("未找到该项目")
    return p


def get_section(session: Session, section_id: str) -> Section:
    s = session.get(Section, section_id)
    if s is None:
        raise NotFound("未找到该标段")
    return s


def lock_section(session: Session, section_id: str) -> Section:
    """The section re-read under a row lock (PostgreSQL): two nodes making its next move wait for each other."""
    stmt = select(Section).where(Section.id == section_id).with_for_update().execution_options(populate_existing=True)
    s = session.execute(stmt).scalar_one_or_none()
    if s is None:
        raise NotFound("未找到该标段")
    return s


def sections_of(session: Session, project_id: str) -> list[Section]:
    return list(
        session.execute(select(Section).where(Section.project_id == project_id).order_by(Section.seq)).scalars()
    )


def subject_of(project: Project) -> Subject:
    """The tenderer owns the project; its agency acts for it only under an active appointment (委托代理)."""
    appointment = None
    if project.agency_org_id:
        session = object_session(project)
        found = appointment_of(session, project) if session is not None else None
        appointment = found.agreement_ref if found is not None else None
    return Subject(
        "project",
        org_ids=frozenset({project.tenderer_org_id}),
        sector=project.sector,
        agent_org_id=project.agency_org_id,
        appointment=appointment,
        agent_rule=delegation_rules.BASIS,
    )


def covers(a: Appointment, *, project_id: str | None, category: str, on: date) -> bool:
    """Does this active appointment cover the project (by id), or a project of this category registered on `on`?"""
    if a.status != "active":
        return False
    if a.project_id is not None:
        return a.project_id == project_id
    if a.valid_from is None or a.valid_until is None:
        return False
    return category in a.categories.split() and a.valid_from <= on <= a.valid_until


def appointment_of(session: Session, project: Project) -> Appointment | None:
    """The active appointment under which the project's agency acts: one for the project, or a period appointment
    whose scope holds the project's category and whose period holds the day it was registered."""
    if not project.agency_org_id:
        return None
    return covering(
        session,
        tenderer_org_id=project.tenderer_org_id,
        agency_org_id=project.agency_org_id,
        project_id=project.id,
        category=project.category,
        on=local_date(project.registered_at),
    )


def covering(
    session: Session, *, tenderer_org_id: str, agency_org_id: str, project_id: str | None, category: str, on: date
) -> Appointment | None:
    stmt = select(Appointment).where(
        Appointment.tenderer_org_id == tenderer_org_id,
        Appointment.agency_org_id == agency_org_id,
        Appointment.status == "active",
    )
    rows = sorted(session.execute(stmt).scalars(), key=lambda a: (a.project_id is None, a.appointed_at))
    return next((a for a in rows if covers(a, project_id=project_id, category=category, on=on)), None)


def appointing_tenderers(session: Session, agency_org_id: str, on: date) -> list[str]:
    """The tenderers whose period appointment of this agency is in force on that day (whom it may register for)."""
    stmt = select(Appointment).where(
        Appointment.agency_org_id == agency_org_id,
        Appointment.status == "active",
        Appointment.project_id.is_(None),
    )
    out = [
        a.tenderer_org_id
        for a in session.execute(stmt).scalars()
        if a.valid_from is not None and a.valid_until is not None and a.valid_from <= on <= a.valid_until
    ]
    return list(dict.fromkeys(out))


def list_projects(session: Session, *, actor: Actor, status: str | None = None, limit: int = 100) -> list[Project]:
    """Projects an organisation manages (tenderer or agency), newest first."""
    stmt = select(Project).order_by(Project.registered_at.desc()).limit(limit)
    if actor.org_id is not None:
        stmt = stmt.where(or_(Project.tenderer_org_id == actor.org_id, Project.agency_org_id == actor.org_id))
    if status:
        stmt = stmt.where(Project.status == status)
    return list(session.execute(stmt).scalars())


def list_all_projects(
    session: Session, *, status: str | None = None, sectors: frozenset[str] | None = None, limit: int = 200
) -> list[Project]:
    stmt = select(Project).order_by(Project.registered_at.desc()).limit(limit)
    if status:
        stmt = stmt.where(Project.status == status)
    if sectors is not None:
        stmt = stmt.where(Project.sector.in_(sectors))
    return list(session.execute(stmt).scalars())


def open_sections(session: Session, *, limit: int = 100) -> list[tuple[Section, Project]]:
    """Sections taking bids now, soonest deadline first (what a bidder looks for)."""
    stmt = (
        select(Section, Project)
        .join(Project, Project.id == Section.project_id)
        .where(Section.status == SectionStatus.BIDDING.value)
        .order_by(Section.bid_deadline)
        .limit(limit)
    )
    return [(s, p) for s, p in session.execute(stmt)]


def due_sections(session: Session, now: datetime) -> list[str]:
    stmt = select(Section.id).where(Section.next_due_at.is_not(None), Section.next_due_at <= now)
    return list(session.execute(stmt.order_by(Section.next_due_at).limit(500)).scalars())


def is_invited(session: Session, section_id: str, org_id: str | None) -> bool:
    if org_id is None:
        return False
    return session.get(Invitation, (section_id, org_id)) is not None


def invited_orgs(session: Session, section_id: str) -> list[str]:
    return list(session.execute(select(Invitation.org_id).where(Invitation.section_id == section_id)).scalars())


def next_code(session: Session, prefix: str) -> str:
    n = session.execute(select(func.count()).select_from(Project).where(Project.code.like(f"{prefix}%"))).scalar_one()
    return f"{prefix}{n + 1:04d}"


def scope_ids_in_sectors(session: Session, sectors: frozenset[str]) -> list[str]:
    """Scope ids (projects and their sections) in these sectors, for sector supervisors' log reading."""
    if not sectors:
        return []
    pids = list(session.execute(select(Project.id).where(Project.sector.in_(sectors))).scalars())
    sids = list(session.execute(select(Section.id).where(Section.project_id.in_(pids))).scalars()) if pids else []
    return pids + sids


def managed_project_ids(org_id: str | None) -> Select[str]:
    """The ids of the projects an organisation manages (as tenderer or agency), as a subquery for other domains."""
    return select(Project.id).where((Project.tenderer_org_id == org_id) | (Project.agency_org_id == org_id))


def managed_sections(
    session: Session, *, org_id: str | None, statuses: Iterable[str], limit: int = 200
) -> list[tuple[Section, Project]]:
    """The sections in these statuses of the projects an organisation manages (tenderer or agency), in one query."""
    stmt = (
        select(Section, Project)
        .join(Project, Project.id == Section.project_id)
        .where(
            or_(Project.tenderer_org_id == org_id, Project.agency_org_id == org_id), Section.status.in_(list(statuses))
        )
        .order_by(Section.code)
        .limit(limit)
    )
    return [(s, p) for s, p in session.execute(stmt)]


def section_ids_in(session: Session, status: SectionStatus, *, limit: int = 500) -> list[str]:
    stmt = select(Section.id).where(Section.status == status.value).order_by(Section.code).limit(limit)
    return list(session.execute(stmt).scalars())


def sections_with_projects(session: Session, section_ids: list[str]) -> dict[str, tuple[Section, Project]]:
    """These sections with their projects, in one query."""
    if not section_ids:
        return {}
    stmt = select(Section, Project).join(Project, Project.id == Section.project_id).where(Section.id.in_(section_ids))
    return {s.id: (s, p) for s, p in session.execute(stmt)}


def find_project(session: Session, code: str) -> Project | None:
    return session.execute(select(Project).where(Project.code == code)).scalar()
