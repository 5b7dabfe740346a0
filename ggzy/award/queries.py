"""定标查询 — the award of a section, its objections and contract, the dossier, and whom to tell."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ggzy.award.models import Award, Contract, Dossier
from ggzy.cases.models import Case
from ggzy.cases.states import CaseKind, Matter
from ggzy.core.errors import NotFound
from ggzy.entities.models import User
from ggzy.projects import queries as projects

if TYPE_CHECKING:
    from ggzy.projects.models import Project, Section


def award_of(session: Session, section_id: str, round: int | None = None) -> Award | None:
    """The section's latest award (or the one of that round)."""
    stmt = select(Award).where(Award.section_id == section_id)
    if round is not None:
        stmt = stmt.where(Award.round == round)
    return session.execute(stmt.order_by(Award.round.desc()).limit(1)).scalar()


def get_award(session: Session, section_id: str) -> Award:
    a = award_of(session, section_id)
    if a is None:
        raise NotFound("该标段尚未公示中标候选人", code="no-award")
    return a


def candidates(award: Award) -> list[dict[str, Any]]:
    """The published candidates: rank, org_id, name, score and price (Decimals back from their strings)."""
    out = []
    for c in json.loads(award.candidates):
        out.append(
            {
                **c,
                "score": Decimal(c["score"]) if c.get("score") is not None else None,
                "price": Decimal(c["price"]) if c.get("price") is not None else None,
            }
        )
    return out


def objections(session: Session, award: Award) -> list[Case]:
    """The objections to this round's result (cases of matter `result` filed since its publicity)."""
    stmt = select(Case).where(
        Case.section_id == award.section_id,
        Case.kind == CaseKind.OBJECTION.value,
        Case.matter == Matter.RESULT.value,
        Case.filed_at >= award.published_at,
    )
    return list(session.execute(stmt.order_by(Case.filed_at, Case.id)).scalars())


def contract_of(session: Session, award_id: str) -> Contract | None:
    return session.execute(select(Contract).where(Contract.award_id == award_id)).scalar()


def dossier_of(session: Session, section_id: str) -> Dossier | None:
    return session.execute(select(Dossier).where(Dossier.section_id == section_id)).scalar()


def dossiers(session: Session, *, project_ids: list[str] | None = None, limit: int = 200) -> list[Dossier]:
    stmt = select(Dossier)
    if project_ids is not None:
        stmt = stmt.where(Dossier.project_id.in_(project_ids))
    return list(session.execute(stmt.order_by(Dossier.sealed_at.desc()).limit(limit)).scalars())


def users_of(session: Session, org_id: str) -> list[str]:
    stmt = select(User.id).where(User.org_id == org_id).order_by(User.id)
    return list(session.execute(stmt).scalars())


def due_awards(session: Session, now: Any) -> list[str]:
    stmt = select(Award.id).where(Award.next_due_at.is_not(None), Award.next_due_at <= now)
    return list(session.execute(stmt.order_by(Award.next_due_at)).scalars())


def awards_for_tenderer(session: Session, section_ids: list[str]) -> list[Award]:
    if not section_ids:
        return []
    return list(session.execute(select(Award).where(Award.section_id.in_(section_ids))).scalars())


def awards_won_by(session: Session, org_id: str) -> list[Award]:
    return list(session.execute(select(Award).where(Award.winner_org_id == org_id)).scalars())


def awards_to_watch(session: Session, limit: int = 100) -> list[tuple[Award, Section, Project]]:
    """Awards with a written report received or a clock overdue, with their section and project (one query)."""
    stmt = (
        select(Award)
        .where(Award.awarded_at.is_not(None))
        .where((Award.reported_at.is_not(None)) | Award.report_overdue | Award.contract_overdue)
        .order_by(Award.awarded_at.desc())
        .limit(limit)
    )
    rows = list(session.execute(stmt).scalars())
    pairs = projects.sections_with_projects(session, [a.section_id for a in rows])
    return [(a, *pairs[a.section_id]) for a in rows if a.section_id in pairs]
