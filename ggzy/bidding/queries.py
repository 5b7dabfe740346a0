"""投标查询 — reads that respect confidentiality: counts and lists only where the law allows."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ggzy.bidding.models import Bid, DocumentAccess, SectionDocument
from ggzy.bidding.states import BidStatus


def documents_of(session: Session, section_id: str) -> list[SectionDocument]:
    stmt = select(SectionDocument).where(SectionDocument.section_id == section_id).order_by(SectionDocument.name)
    return list(session.execute(stmt).scalars())


def count_sealed(session: Session, section_id: str, round: int) -> int:
    """How many bidders have a sealed bid. Only the platform itself asks this, at the deadline."""
    stmt = select(func.count(func.distinct(Bid.bidder_org_id))).where(
        Bid.section_id == section_id, Bid.round == round, Bid.status == BidStatus.SEALED.value
    )
    return int(session.execute(stmt).scalar_one())


def sealed_bids(session: Session, section_id: str, round: int) -> list[Bid]:
    stmt = (
        select(Bid)
        .where(Bid.section_id == section_id, Bid.round == round, Bid.status == BidStatus.SEALED.value)
        .order_by(Bid.submitted_at)
    )
    return list(session.execute(stmt).scalars())


def own_bids(session: Session, section_id: str, org_id: str) -> list[Bid]:
    """A bidder's own versions (the only bids anyone may see before the opening)."""
    stmt = select(Bid).where(Bid.section_id == section_id, Bid.bidder_org_id == org_id).order_by(Bid.submitted_at)
    return list(session.execute(stmt).scalars())


def own_bids_in(session: Session, section_ids: list[str], org_id: str) -> dict[str, list[Bid]]:
    """`own_bids` for many sections in one query: section id -> the bidder's own versions, oldest first."""
    out: dict[str, list[Bid]] = {sid: [] for sid in section_ids}
    if not section_ids:
        return out
    stmt = select(Bid).where(Bid.section_id.in_(section_ids), Bid.bidder_org_id == org_id).order_by(Bid.submitted_at)
    for b in session.execute(stmt).scalars():
        out[b.section_id].append(b)
    return out


def bids_of_org(session: Session, org_id: str, limit: int = 100) -> list[Bid]:
    stmt = select(Bid).where(Bid.bidder_org_id == org_id).order_by(Bid.submitted_at.desc()).limit(limit)
    return list(session.execute(stmt).scalars())


def opened_bids(session: Session, section_id: str, round: int) -> list[Bid]:
    stmt = (
        select(Bid)
        .where(Bid.section_id == section_id, Bid.round == round, Bid.opened_at.is_not(None))
        .order_by(Bid.submitted_at)
    )
    return list(session.execute(stmt).scalars())


def accesses(session: Session, section_id: str) -> list[DocumentAccess]:
    stmt = select(DocumentAccess).where(DocumentAccess.section_id == section_id).order_by(DocumentAccess.at)
    return list(session.execute(stmt).scalars())


def has_downloaded(session: Session, section_id: str, org_id: str) -> bool:
    stmt = select(DocumentAccess.id).where(
        DocumentAccess.section_id == section_id, DocumentAccess.org_id == org_id, DocumentAccess.kind == "download"
    )
    return session.execute(stmt.limit(1)).first() is not None


def participants(session: Session, section_ids: list[str]) -> list[tuple[str, str]]:
    """(section id, org id) of every organisation that registered for or bid in these sections (secret before the
    opening: callers that show them must wait for it)."""
    if not section_ids:
        return []
    registered = select(DocumentAccess.section_id, DocumentAccess.org_id).where(
        DocumentAccess.section_id.in_(section_ids), DocumentAccess.kind == "register"
    )
    bidding = select(Bid.section_id, Bid.bidder_org_id).where(Bid.section_id.in_(section_ids))
    pairs = {(str(a), str(b)) for a, b in session.execute(registered)} | {
        (str(a), str(b)) for a, b in session.execute(bidding)
    }
    return sorted(pairs)
