"""待办 — what is due next for each role, from projects, sections and the user's own bids (T15)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from ggzy.bidding import queries as bids
from ggzy.bidding.models import DocumentAccess
from ggzy.core import policy
from ggzy.core.actor import Actor
from ggzy.core.i18n import N_
from ggzy.core.roles import Role
from ggzy.core.workbench import DueItem
from ggzy.projects import queries
from ggzy.projects.models import Project, Section
from ggzy.projects.states import ProjectStatus, SectionStatus
from ggzy.rules.procedures import procedure

OPENING_BASIS = N_("《电子招标投标办法》第29条：在投标截止时间的同一时间在线开标")


def _pairs(session: Session, *conditions: ColumnElement[bool]) -> list[tuple[Section, Project]]:
    stmt = select(Section, Project).join(Project, Project.id == Section.project_id).where(*conditions)
    return [(s, p) for s, p in session.execute(stmt.order_by(Section.bid_deadline).limit(100))]


def _managers(actor: Actor) -> ColumnElement[bool]:
    return or_(Project.tenderer_org_id == actor.org_id, Project.agency_org_id == actor.org_id)


def due_items(session: Session, actor: Actor, now: datetime) -> list[DueItem]:
    if actor.role in (Role.TENDERER, Role.AGENCY):
        return _for_manager(session, actor)
    if actor.role is Role.OPERATOR:
        registered = session.execute(select(Project).where(Project.status == ProjectStatus.REGISTERED.value)).scalars()
        items = [
            DueItem(N_("受理登记") + f"：{p.name}", f"/projects/{p.id}", None, N_("受理登记"), since=p.registered_at)
            for p in registered
        ]
        return items + _openings(session, None)
    if actor.role is Role.SUPERVISOR:
        return _openings(session, None)
    if actor.role is Role.BIDDER and actor.org_id:
        return _for_bidder(session, actor)
    return []


def _openings(session: Session, org_filter: ColumnElement[bool] | None) -> list[DueItem]:
    conds: list[ColumnElement[bool]] = [Section.status == SectionStatus.CLOSED.value]
    if org_filter is not None:
        conds.append(org_filter)
    return [
        DueItem(
            N_("开标：提交密钥分片") + f"（{p.name}，{s.name}）",
            f"/sections/{s.id}/opening",
            s.bid_deadline,
            OPENING_BASIS,
        )
        for s, p in _pairs(session, *conds)
    ]


def _may_act(actor: Actor, p: Project) -> bool:
    """An agency's item only while an appointment lets it act (委托代理); the tenderer's always."""
    return actor.role is not Role.AGENCY or policy.can(actor, policy.PROJECT_MANAGE, queries.subject_of(p))


def _for_manager(session: Session, actor: Actor) -> list[DueItem]:
    items = []
    mine = _managers(actor)
    for p in session.execute(select(Project).where(mine, Project.status == ProjectStatus.RETURNED.value)).scalars():
        if not _may_act(actor, p):
            continue
        items.append(
            DueItem(N_("修改后重新提交登记") + f"：{p.name}", f"/projects/{p.id}", None, p.note, since=p.registered_at)
        )
    for s, p in _pairs(
        session,
        mine,
        Project.status == ProjectStatus.ACCEPTED.value,
        Section.status.in_([SectionStatus.PREPARING.value, SectionStatus.FAILED.value]),
    ):
        if not _may_act(actor, p):
            continue
        what = N_("发布招标公告") if s.status == SectionStatus.PREPARING.value else N_("重新招标")
        items.append(DueItem(f"{what}：{p.name}（{s.name}）", f"/projects/{p.id}", None, procedure(p.method).name))
    for s, p in _pairs(session, mine, Section.status == SectionStatus.BIDDING.value):
        items.append(
            DueItem(
                N_("投标截止") + f"：{p.name}（{s.name}）",
                f"/sections/{s.id}",
                s.bid_deadline,
                procedure(p.method).bid_period.describe(),
            )
        )
    if actor.role is Role.TENDERER:
        items += _openings(session, Project.tenderer_org_id == actor.org_id)
    return items


def _for_bidder(session: Session, actor: Actor) -> list[DueItem]:
    """Only the bidder's own doings: sections it downloaded from or bid on that are still open."""
    assert actor.org_id is not None
    touched = select(DocumentAccess.section_id).where(DocumentAccess.org_id == actor.org_id)
    items = []
    pairs = _pairs(session, Section.status == SectionStatus.BIDDING.value, Section.id.in_(touched))
    own = bids.own_bids_in(session, [s.id for s, _ in pairs], actor.org_id)
    for s, p in pairs:
        mine = [b for b in own[s.id] if b.status == "sealed"]
        title = f"已递交第{mine[-1].version}版，截止前可替换或撤回" if mine else N_("尚未递交投标文件")
        items.append(
            DueItem(
                f"{p.name}（{s.name}）：{title}",
                f"/sections/{s.id}/bid",
                s.bid_deadline,
                procedure(p.method).bid_period.describe(),
            )
        )
    return items
