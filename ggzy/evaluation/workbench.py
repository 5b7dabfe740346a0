"""待办 — the evaluation's next steps (T15): the operator opens the room once the committee is drawn, each member
scores, the chair signs the report."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ggzy.core import policy
from ggzy.core.actor import Actor
from ggzy.core.roles import Role
from ggzy.core.workbench import DueItem
from ggzy.evaluation import queries
from ggzy.evaluation.methods import Kind
from ggzy.evaluation.models import Quote
from ggzy.evaluation.states import EvaluationStatus
from ggzy.experts import queries as experts
from ggzy.projects import queries as projects
from ggzy.projects.models import Project, Section
from ggzy.projects.states import SectionStatus
from ggzy.rules import evaluation as rules

ROOM_BASIS = "《招标投标法》第37条：评标由依法组建的评标委员会负责"
SCORE_BASIS = "《招标投标法》第38条：评标委员会成员独立评审"


def due_items(session: Session, actor: Actor, now: datetime) -> list[DueItem]:
    if actor.role is Role.OPERATOR and policy.scope_for(actor, policy.EVALUATION_RUN):
        return _rooms_to_open(session)
    if actor.role is Role.EXPERT and actor.user_id:
        return _for_member(session, actor.user_id)
    if actor.role is Role.BIDDER and actor.org_id:
        return _quotes_due(session, actor.org_id)
    return []


def _rooms_to_open(session: Session) -> list[DueItem]:
    stmt = (
        select(Section, Project)
        .join(Project, Project.id == Section.project_id)
        .where(Section.status == SectionStatus.OPENED.value)
        .order_by(Section.opened_at)
        .limit(100)
    )
    items = []
    for s, p in session.execute(stmt).all():
        if queries.of_section(session, s.id) is not None or not experts.committee_of(session, s.id)[0]:
            continue
        items.append(
            DueItem(f"开启评标室：{p.name}（{s.name}）", f"/sections/{s.id}/evaluation", s.opened_at, ROOM_BASIS)
        )
    return items


def _for_member(session: Session, user_id: str) -> list[DueItem]:
    items = []
    for e in queries.evaluations_of_expert(session, user_id):
        me = queries.member(session, e.id, user_id)
        if me is None:
            continue
        s = projects.get_section(session, e.section_id)
        where = f"{projects.get_project(session, s.project_id).name}（{s.name}）"
        status = EvaluationStatus(e.status)
        if status is EvaluationStatus.SCORING and me.submitted_at is None:
            items.append(DueItem(f"独立评审打分：{where}", f"/evaluations/{e.id}", e.opened_at, SCORE_BASIS))
        elif status is EvaluationStatus.SCORED and me.is_chair:
            items.append(
                DueItem(f"汇总并签署评标报告：{where}", f"/evaluations/{e.id}", None, str(rules.REPORT_SIGNED))
            )
    return items


def _quotes_due(session: Session, org_id: str) -> list[DueItem]:
    """A round of quotes (谈判、磋商、单一来源) open for a supplier that has not quoted in it yet."""
    items = []
    for e in queries.evaluations_of_bidder(session, org_id):
        if not e.quote_round or session.get(Quote, (e.id, e.quote_round, org_id)) is not None:
            continue
        s = projects.get_section(session, e.section_id)
        where = f"{projects.get_project(session, s.project_id).name}（{s.name}）"
        what = f"第{e.quote_round}轮{'最后' if e.quote_final else ''}报价"
        items.append(DueItem(f"{what}：{where}", f"/evaluations/{e.id}/respond", None, str(Kind(e.kind).citation)))
    return items
