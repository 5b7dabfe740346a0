"""信用查询 — the sanctions that bind an entity for a trade, and what its public credit page may show."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from ggzy.core.errors import NotFound
from ggzy.credit.models import CreditCheck, CreditLookup, CreditObjection, CreditRecord, Sanction
from ggzy.credit.states import Outcome, RecordStatus, TradeClass
from ggzy.entities import queries as entities
from ggzy.projects import queries as projects
from ggzy.rules.catalog import Category

BINDING = (RecordStatus.LISTED.value, RecordStatus.REPAIRED.value)  # repair ends display, not a legal ban


def trade_class_of(category: str, state_funds_share: Decimal) -> TradeClass | None:
    """What a trade is for the limits (河南省社会信用条例 art. 34): procurement, state-funded works, land."""
    cat = Category(category)
    if cat in (Category.GP_GOODS, Category.GP_SERVICES, Category.GP_WORKS):
        return TradeClass.PROCUREMENT
    if cat in (Category.LAND, Category.MINING):
        return TradeClass.LAND
    if cat in (Category.CONSTRUCTION, Category.WORKS_GOODS, Category.WORKS_SERVICES) and state_funds_share > 0:
        return TradeClass.STATE_WORKS
    return None


def applies(s: Sanction, trade_class: TradeClass | None, region: str, at: dt.datetime) -> bool:
    if trade_class is None or trade_class.value not in s.trade_classes.split(","):
        return False
    prefixes = [p for p in s.regions.split(",") if p]
    if prefixes and not any(region.startswith(p) for p in prefixes):
        return False
    return s.starts <= at and (s.ends is None or at < s.ends)


def sanctions_for(
    session: Session, org_id: str, trade_class: TradeClass | None, region: str, at: dt.datetime
) -> list[Sanction]:
    """The sanctions binding this organisation for a trade of this class in this region at this time.

    Matched by unified social credit code (河南省社会信用条例 art. 16), so an imported list binds an entity
    that registered on the platform later."""
    org = entities.get_org(session, org_id)
    q = (
        select(Sanction)
        .join(CreditRecord, CreditRecord.id == Sanction.record_id)
        .where(Sanction.credit_code == org.credit_code, CreditRecord.status.in_(BINDING))
        .order_by(Sanction.starts, Sanction.id)
    )
    return [s for s in session.scalars(q) if applies(s, trade_class, region, at)]


def sanctions_for_code(
    session: Session, credit_code: str, trade_class: TradeClass | None, region: str, at: dt.datetime
) -> list[Sanction]:
    """The same, for an entity known only by its code (a party of a trade pushed by another platform)."""
    q = (
        select(Sanction)
        .join(CreditRecord, CreditRecord.id == Sanction.record_id)
        .where(Sanction.credit_code == credit_code, CreditRecord.status.in_(BINDING))
        .order_by(Sanction.starts, Sanction.id)
    )
    return [s for s in session.scalars(q) if applies(s, trade_class, region, at)]


def get_record(session: Session, record_id: str) -> CreditRecord:
    r = session.get(CreditRecord, record_id)
    if r is None:
        raise NotFound("信用记录不存在", code="no-such-record")
    return r


def get_objection(session: Session, objection_id: str) -> CreditObjection:
    o = session.get(CreditObjection, objection_id)
    if o is None:
        raise NotFound("信用异议不存在", code="no-such-objection")
    return o


def records_of(session: Session, credit_code: str) -> list[CreditRecord]:
    q = select(CreditRecord).where(CreditRecord.credit_code == credit_code)
    return list(session.scalars(q.order_by(CreditRecord.recorded_at.desc(), CreditRecord.id)))


def sanctions_of(session: Session, record_id: str) -> list[Sanction]:
    return list(session.scalars(select(Sanction).where(Sanction.record_id == record_id).order_by(Sanction.starts)))


def objections_of(session: Session, record_id: str) -> list[CreditObjection]:
    q = select(CreditObjection).where(CreditObjection.record_id == record_id)
    return list(session.scalars(q.order_by(CreditObjection.filed_at)))


def open_objection(session: Session, record_id: str) -> CreditObjection | None:
    return next((o for o in objections_of(session, record_id) if o.handled_at is None), None)


@dataclass(frozen=True)
class PublicEntry:
    record: CreditRecord
    sanctions: list[Sanction]


def shown(record: CreditRecord, sanctions: list[Sanction], at: dt.datetime) -> bool:
    """河南省社会信用条例 art. 19: listed records are shown up to 5 years, longer while a sanction still binds;
    never before listing (art. 28), after repair (art. 43) or after an objection revoked it."""
    if record.status != RecordStatus.LISTED.value:
        return False
    in_force = any(s.starts <= at and (s.ends is None or at < s.ends) for s in sanctions)
    return in_force or (record.display_until is not None and at < record.display_until)


def public_page(session: Session, credit_code: str, at: dt.datetime) -> list[PublicEntry]:
    out = []
    for r in records_of(session, credit_code):
        ss = sanctions_of(session, r.id)
        if shown(r, ss, at):
            out.append(PublicEntry(r, ss))
    return out


def listed_codes(session: Session, at: dt.datetime, *, limit: int = 200) -> list[tuple[str, str]]:
    """(credit code, name) of entities with something shown, for the public list."""
    seen: dict[str, str] = {}
    q = (
        select(CreditRecord)
        .where(CreditRecord.status == RecordStatus.LISTED.value)
        .order_by(CreditRecord.recorded_at.desc())
    )
    for r in session.scalars(q.limit(limit * 4)):
        if r.credit_code not in seen and shown(r, sanctions_of(session, r.id), at):
            seen[r.credit_code] = r.org_name
    return list(seen.items())[:limit]


def lookups(session: Session, *, limit: int = 100) -> list[CreditLookup]:
    """The kept lookups, newest first; one made for a section not yet opened is shown after its opening (the
    scheduled lookups ask about who takes part)."""
    rows = list(
        session.scalars(select(CreditLookup).order_by(CreditLookup.at.desc(), CreditLookup.id).limit(limit * 2))
    )
    ids = sorted({r.section_id for r in rows if r.section_id})
    opened = {sid for sid, (s, _) in projects.sections_with_projects(session, ids).items() if s.opened_at is not None}
    return [r for r in rows if r.section_id is None or r.section_id in opened][:limit]


def last_lookup(session: Session, source: str, credit_code: str) -> CreditLookup | None:
    q = select(CreditLookup).where(CreditLookup.source == source, CreditLookup.query == credit_code)
    return session.scalar(q.order_by(CreditLookup.at.desc()).limit(1))


def refusals(session: Session, *, limit: int = 50, unreviewed: bool = False) -> list[CreditCheck]:
    """Attempts refused because of a sanction (the supervision office's workbench lists those not yet reviewed)."""
    q = select(CreditCheck).where(CreditCheck.outcome == Outcome.REFUSED.value)
    if unreviewed:
        q = q.where(CreditCheck.reviewed_at.is_(None))
    return list(session.scalars(q.order_by(CreditCheck.at.desc(), CreditCheck.id).limit(limit)))


def checks_of(session: Session, section_id: str, *, ref: str | None = None) -> list[CreditCheck]:
    q = select(CreditCheck).where(CreditCheck.section_id == section_id)
    if ref is not None:
        q = q.where(CreditCheck.ref == ref)
    return list(session.scalars(q.order_by(CreditCheck.at, CreditCheck.id)))


def all_records(session: Session, *, limit: int = 500) -> list[CreditRecord]:
    return list(session.scalars(select(CreditRecord).order_by(CreditRecord.recorded_at.desc()).limit(limit)))
