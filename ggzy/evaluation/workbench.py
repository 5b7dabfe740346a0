"""待办 — the evaluation stretch of each role's workbench (T15): members score and the chair signs, the operator
runs the room once the draw is complete, the supervisor of the project's sector watches the opening, the draw
and the evaluation on their live pages (which never show bid contents before the opening, nor scores before
every member has submitted)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ggzy.core import policy
from ggzy.core.actor import Actor
from ggzy.core.i18n import N_
from ggzy.core.roles import Role
from ggzy.core.workbench import DueItem
from ggzy.evaluation import queries
from ggzy.evaluation.methods import Kind
from ggzy.evaluation.models import Evaluation, Member, Quote
from ggzy.evaluation.states import EvaluationStatus
from ggzy.experts.models import Draw
from ggzy.experts.states import DrawStatus
from ggzy.projects import queries as projects
from ggzy.projects.models import Project, Section
from ggzy.projects.states import SectionStatus
from ggzy.rules import evaluation as rules

LIMIT = 100
RUNNING = [EvaluationStatus.SCORING.value, EvaluationStatus.SCORED.value]
SCORE_BASIS = N_("《招标投标法》第44条：评标委员会成员客观、公正地履行职务（独立评审，全部成员提交前互不可见）")
SIGN_BASIS = N_("《招标投标法实施条例》第53条：评标完成后，评标委员会向招标人提交书面评标报告")
ROOM_BASIS = N_("交易中心组织评标；评标委员会由依法抽取的专家组成（《招标投标法》第37条）")
WATCH_BASIS = N_("行政监督：项目所属行业的监督部门在线监督开标、抽取与评标")


def due_items(session: Session, actor: Actor, now: datetime) -> list[DueItem]:
    items: list[DueItem] = []
    if actor.user_id and actor.role in (Role.EXPERT, Role.TENDERER, Role.AGENCY):
        items += _as_member(session, actor.user_id)
    if actor.role is Role.OPERATOR and policy.scope_for(actor, policy.EVALUATION_RUN) is not None:
        items += _as_operator(session)
    if actor.role in (Role.SUPERVISOR, Role.SECTOR_SUPERVISOR):
        items += _as_watcher(session, actor)
    if actor.role is Role.BIDDER and actor.org_id:
        items += _quotes_due(session, actor.org_id)
    return items


def _quotes_due(session: Session, org_id: str) -> list[DueItem]:
    """A round of quotes (谈判、磋商、单一来源) open for a supplier that has not quoted in it yet."""
    items = []
    for e in queries.evaluations_of_bidder(session, org_id):
        if not e.quote_round or session.get(Quote, (e.id, e.quote_round, org_id)) is not None:
            continue
        s, p = _where(session, e.section_id)
        what = f"第{e.quote_round}轮{'最后' if e.quote_final else ''}报价"
        items.append(
            DueItem(f"{what}：{p.name}（{s.name}）", f"/evaluations/{e.id}/respond", None, str(Kind(e.kind).citation))
        )
    return items


def _where(session: Session, section_id: str) -> tuple[Section, Project]:
    s = projects.get_section(session, section_id)
    return s, projects.get_project(session, s.project_id)


def _as_member(session: Session, user_id: str) -> list[DueItem]:
    """A member (expert or the tenderer's representative): score what is open, and, as chair, sign."""
    stmt = (
        select(Evaluation, Member)
        .join(Member, Member.evaluation_id == Evaluation.id)
        .where(Member.user_id == user_id, Evaluation.status.in_(RUNNING))
        .order_by(Evaluation.opened_at)
        .limit(LIMIT)
    )
    items = []
    for e, m in session.execute(stmt).all():
        s, p = _where(session, e.section_id)
        if e.status == EvaluationStatus.SCORING.value and m.submitted_at is None:
            if e.quotes_done:
                items.append(
                    DueItem(
                        N_("评审打分") + f"：{p.name}（{s.name}）",
                        f"/evaluations/{e.id}/sheet",
                        None,
                        SCORE_BASIS,
                        since=e.opened_at,
                    )
                )
            else:
                items.append(
                    DueItem(
                        N_("评标室") + f"：谈判报价进行中，{p.name}（{s.name}）",
                        f"/evaluations/{e.id}",
                        None,
                        SCORE_BASIS,
                        since=e.opened_at,
                    )
                )
        elif e.status == EvaluationStatus.SCORED.value and m.is_chair:
            items.append(
                DueItem(
                    N_("组长汇总并签署评标报告") + f"：{p.name}（{s.name}）",
                    f"/evaluations/{e.id}",
                    None,
                    SIGN_BASIS,
                    since=e.revealed_at,
                )
            )
    return items


def _complete_draws(session: Session) -> list[tuple[Section, Project, Draw]]:
    stmt = (
        select(Section, Project, Draw)
        .join(Project, Project.id == Section.project_id)
        .join(Draw, (Draw.section_id == Section.id) & (Draw.round == Section.round))
        .where(Section.status == SectionStatus.OPENED.value, Draw.status == DrawStatus.COMPLETE.value)
        .order_by(Draw.completed_at)
        .limit(LIMIT)
    )
    return [(s, p, d) for s, p, d in session.execute(stmt).all()]


def _running(session: Session) -> list[Evaluation]:
    stmt = select(Evaluation).where(Evaluation.status.in_(RUNNING)).order_by(Evaluation.opened_at).limit(LIMIT)
    return list(session.execute(stmt).scalars())


def _has_room(session: Session, section: Section) -> bool:
    stmt = select(Evaluation.id).where(Evaluation.section_id == section.id, Evaluation.round == section.round)
    return session.execute(stmt.limit(1)).first() is not None


def _as_operator(session: Session) -> list[DueItem]:
    items = [
        DueItem(
            N_("组织评标") + f"：抽取已完成，开启评标室（{p.name}，{s.name}）",
            f"/sections/{s.id}/evaluation",
            None,
            ROOM_BASIS,
            since=d.completed_at,
        )
        for s, p, d in _complete_draws(session)
        if not _has_room(session, s)
    ]
    for e in _running(session):
        s, p = _where(session, e.section_id)
        members = session.execute(select(Member).where(Member.evaluation_id == e.id)).scalars().all()
        done = sum(1 for m in members if m.submitted_at is not None)
        state = f"已提交{done}/{len(members)}" if e.status == EvaluationStatus.SCORING.value else N_("待组长签署报告")
        items.append(
            DueItem(
                f"评标进行中（{state}）：{p.name}（{s.name}）",
                f"/evaluations/{e.id}",
                None,
                ROOM_BASIS,
                since=e.opened_at,
            )
        )
    return items


def _as_watcher(session: Session, actor: Actor) -> list[DueItem]:
    def mine(p: Project) -> bool:
        return policy.can(actor, policy.EVALUATION_WATCH, projects.subject_of(p))

    items = []
    stmt = (
        select(Section, Project)
        .join(Project, Project.id == Section.project_id)
        .where(Section.status == SectionStatus.CLOSED.value)
        .order_by(Section.bid_deadline)
        .limit(LIMIT)
    )
    for s, p in session.execute(stmt).all():
        if mine(p):
            items.append(
                DueItem(
                    N_("监督开标") + f"：{p.name}（{s.name}）", f"/sections/{s.id}/live", s.bid_deadline, WATCH_BASIS
                )
            )
    calling = (
        select(Section, Project, Draw)
        .join(Project, Project.id == Section.project_id)
        .join(Draw, (Draw.section_id == Section.id) & (Draw.round == Section.round))
        .where(
            Section.status == SectionStatus.OPENED.value,
            Draw.status.in_([DrawStatus.COMMITTED.value, DrawStatus.CALLING.value]),
        )
        .order_by(Draw.requested_at)
        .limit(LIMIT)
    )
    for s, p, d in session.execute(calling).all():
        if mine(p):
            items.append(
                DueItem(
                    N_("监督专家抽取") + f"：{p.name}（{s.name}）",
                    f"/expert-draws/{d.id}",
                    None,
                    str(rules.DRAW_REQUIRED),
                    since=d.requested_at,
                )
            )
    for s, p, _d in _complete_draws(session):
        if mine(p) and not _has_room(session, s):
            items.append(
                DueItem(
                    N_("监督评标（待开启）") + f"：{p.name}（{s.name}）",
                    f"/sections/{s.id}/evaluation/live",
                    None,
                    WATCH_BASIS,
                )
            )
    for e in _running(session):
        s, p = _where(session, e.section_id)
        if mine(p):
            items.append(
                DueItem(
                    N_("监督评标") + f"：{p.name}（{s.name}）",
                    f"/sections/{s.id}/evaluation/live",
                    None,
                    WATCH_BASIS,
                    since=e.opened_at,
                )
            )
    return items
