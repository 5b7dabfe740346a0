"""公告查询 — the portal's lists, a notice by number, a project's notices."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ggzy.core.errors import NotFound
from ggzy.notices.models import Notice


def get_by_number(session: Session, number: str) -> Notice:
    n = session.execute(select(Notice).where(Notice.number == number)).scalar()
    if n is None:
        raise NotFound("未找到该公告")
    return n


def latest(
    session: Session,
    *,
    limit: int = 10,
    category: str | None = None,
    region: str | None = None,
    buyer: str | None = None,
) -> list[Notice]:
    """The newest notices, optionally of one catalog category, one region (its code) or one buyer (its name)."""
    stmt = select(Notice)
    if category:
        stmt = stmt.where(Notice.category == category)
    if region:
        stmt = stmt.where(Notice.region == region)
    if buyer:
        stmt = stmt.where(Notice.buyer == buyer)
    return list(session.execute(stmt.order_by(Notice.published_at.desc(), Notice.id.desc()).limit(limit)).scalars())


def of_project(session: Session, project_id: str) -> list[Notice]:
    stmt = select(Notice).where(Notice.project_id == project_id).order_by(Notice.published_at)
    return list(session.execute(stmt).scalars())


def of_section(session: Session, section_id: str, kind: str | None = None) -> list[Notice]:
    stmt = select(Notice).where(Notice.section_id == section_id).order_by(Notice.published_at)
    if kind:
        stmt = stmt.where(Notice.kind == kind)
    return list(session.execute(stmt).scalars())


def corrections_of(session: Session, notice_id: str) -> list[Notice]:
    stmt = select(Notice).where(Notice.corrects_id == notice_id).order_by(Notice.published_at)
    return list(session.execute(stmt).scalars())
