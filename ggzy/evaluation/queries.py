"""评标查询 — reads that keep every sheet secret until all members have submitted, and the final ranking."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from ggzy.core import policy
from ggzy.core.actor import Actor
from ggzy.core.errors import Forbidden, NotFound
from ggzy.core.roles import Role
from ggzy.evaluation import methods
from ggzy.evaluation.models import EvaluatedBid, Evaluation, Member, Question, Quote
from ggzy.evaluation.scoring import Sheet
from ggzy.evaluation.states import EvaluationStatus
from ggzy.projects import queries as projects


def get_evaluation(session: Session, evaluation_id: str) -> Evaluation:
    e = session.get(Evaluation, evaluation_id)
    if e is None:
        raise NotFound("未找到该评标")
    return e


def of_section(session: Session, section_id: str) -> Evaluation | None:
    """The section's latest evaluation (one per round)."""
    stmt = select(Evaluation).where(Evaluation.section_id == section_id).order_by(Evaluation.round.desc()).limit(1)
    return session.execute(stmt).scalar()


def method_of(e: Evaluation) -> methods.Method:
    return methods.from_json(json.loads(e.method))


def members(session: Session, evaluation_id: str) -> list[Member]:
    stmt = select(Member).where(Member.evaluation_id == evaluation_id).order_by(Member.seat)
    return list(session.execute(stmt).scalars())


def member(session: Session, evaluation_id: str, user_id: str | None) -> Member | None:
    return session.get(Member, (evaluation_id, user_id)) if user_id else None


def bids(session: Session, evaluation_id: str) -> list[EvaluatedBid]:
    stmt = select(EvaluatedBid).where(EvaluatedBid.evaluation_id == evaluation_id)
    rows = list(session.execute(stmt).scalars())
    return sorted(rows, key=lambda b: (b.rank is None, b.rank or 0, b.ground != "", b.name, b.org_id))


def in_review(session: Session, evaluation_id: str) -> list[EvaluatedBid]:
    """The bids the experts review: those clearing did not already reject."""
    return sorted((b for b in bids(session, evaluation_id) if not b.excluded), key=lambda b: (b.name, b.org_id))


def is_revealed(e: Evaluation) -> bool:
    return EvaluationStatus(e.status) is not EvaluationStatus.SCORING


def sheet_for(session: Session, e: Evaluation, *, reader_id: str | None, member_id: str) -> Sheet | None:
    """A member's sheet: to that member once submitted; to anyone else only after every member has submitted."""
    m = member(session, e.id, member_id)
    if m is None or m.sheet is None:
        return None
    if not is_revealed(e) and reader_id != member_id:
        return None
    return Sheet.from_json(json.loads(m.sheet))


def revealed_sheets(session: Session, e: Evaluation) -> dict[str, Sheet]:
    if not is_revealed(e):
        return {}
    return {m.user_id: Sheet.from_json(json.loads(m.sheet)) for m in members(session, e.id) if m.sheet}


def questions(session: Session, evaluation_id: str, org_id: str | None = None) -> list[Question]:
    stmt = select(Question).where(Question.evaluation_id == evaluation_id)
    if org_id is not None:
        stmt = stmt.where(Question.org_id == org_id)
    return list(session.execute(stmt.order_by(Question.asked_at, Question.id)).scalars())


def quotes(session: Session, evaluation_id: str) -> list[Quote]:
    stmt = select(Quote).where(Quote.evaluation_id == evaluation_id).order_by(Quote.round, Quote.submitted_at)
    return list(session.execute(stmt).scalars())


def evaluations_of_expert(session: Session, user_id: str) -> list[Evaluation]:
    stmt = (
        select(Evaluation)
        .join(Member, Member.evaluation_id == Evaluation.id)
        .where(Member.user_id == user_id)
        .order_by(Evaluation.opened_at.desc())
    )
    return list(session.execute(stmt).scalars())


def evaluations_of_bidder(session: Session, org_id: str) -> list[Evaluation]:
    stmt = (
        select(Evaluation)
        .join(EvaluatedBid, EvaluatedBid.evaluation_id == Evaluation.id)
        .where(EvaluatedBid.org_id == org_id)
        .order_by(Evaluation.opened_at.desc())
    )
    return list(session.execute(stmt).scalars())


def all_evaluations(session: Session, limit: int = 100) -> list[Evaluation]:
    return list(session.execute(select(Evaluation).order_by(Evaluation.opened_at.desc()).limit(limit)).scalars())


@dataclass(frozen=True)
class Candidate:
    """One ranked bidder of a signed report, as the award domain reads it."""

    org_id: str
    name: str
    rank: int
    score: Decimal | None  # comprehensive methods
    price: Decimal | None  # evaluated or final price
    report_id: str
    report_sha256: str


def final_ranking(session: Session, section_id: str) -> list[Candidate]:
    """The signed report's ranked candidates (at most the method's number), or [] before the report is signed."""
    e = of_section(session, section_id)
    if e is None or EvaluationStatus(e.status) is not EvaluationStatus.REPORTED or e.report_sha256 is None:
        return []
    limit = method_of(e).candidates
    ranked = [b for b in bids(session, e.id) if b.rank is not None][:limit]
    return [Candidate(b.org_id, b.name, b.rank or 0, b.total, b.evaluated, e.id, e.report_sha256) for b in ranked]


def visible(session: Session, actor: Actor) -> list[Evaluation]:
    """The evaluations a person has to do with — the list page's and the API's: an expert's (or a seated
    representative's) rooms, a bidder's, every room for the centre and the supervision office, a sector
    regulator's own sector."""
    if actor.role in (Role.EXPERT, Role.TENDERER, Role.AGENCY) and actor.user_id:
        rows = evaluations_of_expert(session, actor.user_id)  # a representative sits like an expert
    elif actor.role is Role.BIDDER and actor.org_id:
        rows = evaluations_of_bidder(session, actor.org_id)
    elif policy.scope_for(actor, policy.EVALUATION_RUN) or policy.scope_for(actor, policy.EVALUATION_WATCH):
        rows = all_evaluations(session)
    else:
        raise Forbidden("当前角色没有评标事项")
    if actor.role is not Role.SECTOR_SUPERVISOR:
        return list(rows)
    out = []
    for e in rows:
        s = projects.get_section(session, e.section_id)
        if policy.can(actor, policy.EVALUATION_WATCH, projects.subject_of(projects.get_project(session, s.project_id))):
            out.append(e)
    return out
