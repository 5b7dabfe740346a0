"""定时查询 — every organisation taking part in a trade still open (registered or bid, before the award notice) is
looked up in each configured outside list on a schedule (`rules.credit.SCHEDULED_LOOKUP_EVERY`, daily) and, while
its section is in the candidates' publicity, always within the day before the award notice
(`LOOKUP_BEFORE_AWARD`) — 财库〔2016〕125号 asks for the check and a kept record of it.

Each lookup is kept exactly like a manual one (`imports.look_up`: source, query, time, SHA-256 of the answer, a
stored copy; no hit recorded as no hit). One lookup per entity, source and day, whatever the number of its trades.
A new hit (a list entry not on record before) on a bidder of an open trade whose bids are opened raises a
supervision alert (S01) to the project's regulator. Before the opening the lookup is sealed with the section's log
and raises no alert — an alert would tell who takes part; the record binds anyway, so the bid or the deposit is
refused citing it and the refused attempt shows on the supervision office's workbench.

The sources come from the running app (`AppContext.extras["credit.sources"]`, a list of `CreditSource`): none are
configured by default (信用中国 has no public API), so the tick does nothing until one is plugged in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from ggzy.bidding import queries as bids
from ggzy.core.actor import system
from ggzy.core.calendar import local_date
from ggzy.core.clock import FixedClock
from ggzy.core.files import FileStore
from ggzy.core.timers import DueSource
from ggzy.credit import imports, queries
from ggzy.credit.sources import CreditSource
from ggzy.entities import queries as entities
from ggzy.projects import queries as projects
from ggzy.projects.states import SectionStatus
from ggzy.rules import credit as law
from ggzy.supervision.service import Finding, raise_alert
from ggzy.supervision.states import Severity

FLAG = "S01"
TITLE = "在办交易的投标人新列入外部失信名单"
OPEN = (SectionStatus.BIDDING, SectionStatus.CLOSED, SectionStatus.OPENED, SectionStatus.PUBLICITY)
EXTRA = "credit.sources"


def configured(ctx: Any) -> list[CreditSource]:
    extras = getattr(ctx, "extras", {}) or {}
    return list(extras.get(EXTRA, []))


def taking_part(session: Session) -> dict[str, list[str]]:
    """org id -> the open sections (before the award notice) it registered for or bid in."""
    ids: list[str] = []
    for status in OPEN:
        ids += projects.section_ids_in(session, status, limit=5000)
    out: dict[str, list[str]] = {}
    for section_id, org_id in bids.participants(session, ids):
        out.setdefault(org_id, []).append(section_id)
    return out


def _is_due(session: Session, source: str, code: str, sections: Sequence[str], now: dt.datetime) -> bool:
    last = queries.last_lookup(session, source, code)
    if last is None:
        return True
    if local_date(last.at) == local_date(now):
        return False  # one a day per entity and source
    if now - last.at >= dt.timedelta(days=int(law.SCHEDULED_LOOKUP_EVERY.value)):
        return True
    publicity = any(SectionStatus(projects.get_section(session, s).status) is SectionStatus.PUBLICITY for s in sections)
    return publicity and now - last.at >= dt.timedelta(days=int(law.LOOKUP_BEFORE_AWARD.value))


def due(session: Session, now: dt.datetime, sources: Sequence[CreditSource]) -> list[str]:
    if not sources:
        return []
    out = []
    for org_id, sections in sorted(taking_part(session).items()):
        code = entities.get_org(session, org_id).credit_code
        out += [f"{org_id}|{s.name}" for s in sources if _is_due(session, s.name, code, sections, now)]
    return out


def look_up(session: Session, key: str, now: dt.datetime, sources: Sequence[CreditSource], files: FileStore) -> bool:
    org_id, name = key.split("|", 1)
    source = next((s for s in sources if s.name == name), None)
    sections = taking_part(session).get(org_id, [])
    if source is None or not sections:
        return False
    org = entities.get_org(session, org_id)
    if not _is_due(session, name, org.credit_code, sections, now):
        return False  # another node did it
    rows = projects.sections_with_projects(session, sections)
    opened = [sid for sid in sections if sid in rows and rows[sid][0].opened_at is not None]
    where = opened[0] if opened else sections[0]
    clock = FixedClock(now)
    row = imports.look_up(
        session,
        system(),
        source=source,
        credit_code=org.credit_code,
        files=files,
        clock=clock,
        section_id=where,
        sealed=not opened,
    )
    for record in imports.new_records(session, row):
        for sid in opened:
            section, project = rows[sid]
            raise_alert(
                session,
                Finding(
                    flag_id=FLAG,
                    title=f"{TITLE}：{org.name}（{project.name} {section.name}）",
                    severity=Severity.HIGH,
                    legal_basis=f"{law.PROCUREMENT_CHECK.citation}；{law.LIMITS.citation}",
                    subject=org.name,
                    source="credit",
                    evidence={
                        "list": name,
                        "record": record.id,
                        "title": record.title,
                        "lookup": row.id,
                        "digest": row.digest,
                        "at": row.at.isoformat(),
                    },
                    project_id=project.id,
                    section_id=section.id,
                    org_ids=(org.id,),
                    sector=project.sector,
                    region=project.region,
                    dedup=f"{FLAG}:{record.id}:{section.id}",
                ),
                clock=clock,
            )
    return True


def sources(ctx: Any) -> list[DueSource]:
    def due_now(session: Session, now: dt.datetime) -> list[str]:
        return due(session, now, configured(ctx))

    def apply(session: Session, key: str, now: dt.datetime) -> bool:
        return look_up(session, key, now, configured(ctx), ctx.files)

    return [DueSource("credit.scheduled_lookups", due_now, apply)]
