"""定标查询 — the award of a section, its objections and contract, the dossier, and whom to tell."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ggzy.award.models import Award, Contract, Dossier, Objection
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


def objections(session: Session, award_id: str) -> list[Objection]:
    stmt = select(Objection).where(Objection.award_id == award_id).order_by(Objection.filed_at, Objection.id)
    return list(session.execute(stmt).scalars())


def get_objection(session: Session, objection_id: str) -> Objection:
    o = session.get(Objection, objection_id)
    if o is None:
        raise NotFound("未找到该异议", code="no-objection")
    return o


def count_objections(session: Session, prefix: str) -> int:
    stmt = select(func.count()).select_from(Objection).where(Objection.number.like(f"{prefix}%"))
    return int(session.execute(stmt).scalar_one())


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


def open_objections_due(session: Session, now: Any) -> list[Objection]:
    stmt = select(Objection).where(Objection.answered_at.is_(None), Objection.due_at <= now, Objection.late.is_(False))
    return list(session.execute(stmt).scalars())


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
