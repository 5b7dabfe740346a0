"""待办 — the expert's invitations to answer; the tenderer's opened sections still without a committee."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ggzy.core import policy
from ggzy.core.actor import Actor
from ggzy.core.i18n import N_
from ggzy.core.roles import Role
from ggzy.core.workbench import DueItem
from ggzy.experts import queries
from ggzy.experts.models import Draw, Invitation
from ggzy.experts.states import DrawStatus, InvitationStatus
from ggzy.projects.models import Project, Section
from ggzy.projects.states import SectionStatus
from ggzy.rules import experts as rules

ACTIVE = [s.value for s in DrawStatus if s.active]


def due_items(session: Session, actor: Actor, now: datetime) -> list[DueItem]:
    if actor.role is Role.EXPERT and actor.user_id and policy.can(actor, policy.WORKBENCH[Role.EXPERT]):
        stmt = select(Invitation).where(
            Invitation.expert_id == actor.user_id, Invitation.status == InvitationStatus.INVITED.value
        )
        return [
            DueItem(
                N_("评标邀请") + f"：请接受或拒绝（席位{i.seat}）",
                "/my/expert-invitations",
                i.answer_by,
                str(rules.RANDOM_DRAW),
            )
            for i in session.execute(stmt.order_by(Invitation.answer_by)).scalars()
        ]
    if actor.role in (Role.TENDERER, Role.AGENCY) and actor.org_id:
        drawn = (
            select(Draw.id)
            .where(Draw.section_id == Section.id, Draw.round == Section.round, Draw.status.in_(ACTIVE))
            .exists()
        )
        stmt2 = (
            select(Section, Project)
            .join(Project, Project.id == Section.project_id)
            .where(
                Section.status == SectionStatus.OPENED.value,
                or_(Project.tenderer_org_id == actor.org_id, Project.agency_org_id == actor.org_id),
                ~drawn,
            )
            .order_by(Section.opened_at)
        )
        items = [
            DueItem(
                N_("申请抽取评标专家") + f"：{p.name}（{s.name}）",
                f"/sections/{s.id}/experts",
                None,
                str(rules.RANDOM_DRAW),
                since=s.opened_at,
            )
            for s, p in session.execute(stmt2).all()
        ]
        return items + _incomplete(session, actor.org_id)
    return []


def _incomplete(session: Session, org_id: str) -> list[DueItem]:
    """The manager's draws still calling experts (or waiting for the seed): how many seats wait."""
    stmt = (
        select(Draw, Section, Project)
        .join(Section, (Section.id == Draw.section_id) & (Section.round == Draw.round))
        .join(Project, Project.id == Section.project_id)
        .where(
            Section.status == SectionStatus.OPENED.value,
            or_(Project.tenderer_org_id == org_id, Project.agency_org_id == org_id),
            Draw.status.in_([DrawStatus.COMMITTED.value, DrawStatus.CALLING.value]),  # short: asked again above
        )
        .order_by(Draw.requested_at)
        .limit(100)
    )
    items = []
    for d, s, p in session.execute(stmt).all():
        if DrawStatus(d.status) is DrawStatus.SHORT:
            if queries.active_draw(session, s.id, s.round) is not None:
                continue  # already asked again
            what = N_("专家不足，请重新申请抽取")
        else:
            accepted = sum(1 for i in queries.invitations(session, d.id) if i.status == InvitationStatus.ACCEPTED.value)
            what = N_("抽取未完成") + f"：{len(queries.seats_of(d)) - accepted}个席位待专家答复"
        items.append(
            DueItem(
                f"{what}（{p.name}，{s.name}）",
                f"/sections/{s.id}/experts",
                None,
                str(rules.RANDOM_DRAW),
                since=d.requested_at,
            )
        )
    return items
