"""在线监管 — the same red flags, run on the platform's own trades as they happen (S2, S5).

When a section's notice is published the compliance checks run on its release; as soon as it is
opened, the 条例 art. 40 signs compare its bids (same machine, address, author, application, file,
deposit account, contacts; identical or patterned prices) and, when a model is configured, the price
screens score it (`price_screen`). Findings become alerts for the section's regulator before any award.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from ggzy.core.clock import Clock, FixedClock
from ggzy.entities.models import Organisation
from ggzy.exchange import ocds
from ggzy.projects import queries as projects
from ggzy.projects.models import Project, Section
from ggzy.projects.states import OPENED_OR_LATER_VALUES, SectionStatus
from ggzy.supervision import price_screen
from ggzy.supervision.models import ScanMark
from ggzy.supervision.service import Finding, raise_alert
from ggzy.supervision.states import Severity

PUBLISHED, OPENED = "published", "opened"
PUBLISHED_FLAGS = ("C01", "C02", "C06", "C07")
OPENED_FLAGS = ("X01", "X02", "X03", "X04", "X05", "X06", "X07", "X08", "X09", "X10", "X11", "X12", "X13", "X14")
SEVERITY = {
    "collusion_signs": Severity.HIGH,
    "compliance": Severity.MEDIUM,
    "avoidance": Severity.HIGH,
    "behaviour": Severity.MEDIUM,
    "cardinal": Severity.LOW,
    "screens": Severity.MEDIUM,
}


def settings_for(ids: tuple[str, ...]) -> Any:
    from ggzy.supervision.flags.cardinal.settings import load_settings

    return load_settings("".join(f"[{i}]\n" for i in ids))


def run(releases: list[dict[str, Any]], ids: tuple[str, ...], *, approvals: pl.DataFrame | None = None) -> pl.DataFrame:
    """Flag hits (group, key, value, evidence, indicator) of these releases for these indicators."""
    from ggzy.supervision.analyze.pipeline import run_flags
    from ggzy.supervision.ocds.tables import build_tables

    _, hits, _ = run_flags(build_tables(releases), settings_for(ids), approvals=approvals)
    return hits


def specs() -> dict[str, Any]:
    from ggzy.supervision.flags import specs as all_specs

    return {s.id: s for s in all_specs()}


def findings(
    hits: pl.DataFrame,
    *,
    by_code: dict[str, Organisation],
    context: dict[str, Any],
    source: str,
    attach_tenderers: bool = True,
    names: dict[str, str] | None = None,
) -> list[Finding]:
    """One finding per flag and subject. A process's finding names the tenderers the same flag named
    (when the hits are of one process); a tenderer's or buyer's finding is about that organisation."""
    rows = hits.to_dicts()
    named: dict[str, list[str]] = defaultdict(list)
    for r in rows:
        if r["group"] == "Tenderer" and r["key"] in by_code:
            named[r["indicator"]].append(by_code[r["key"]].id)
    known = specs()
    out = []
    for r in rows:
        spec = known.get(r["indicator"])
        name = spec.name_zh if spec else r["indicator"]
        org = by_code.get(r["key"])
        if r["group"] in ("OCID", "Project"):
            subject = context.get("subject") or r["key"]
            orgs = tuple(sorted(set(named.get(r["indicator"], [])))) if attach_tenderers else ()
        elif r["group"] in ("Tenderer", "Buyer") and not (attach_tenderers and r["group"] == "Tenderer"):
            subject = org.name if org else (names or {}).get(r["key"]) or r["key"]
            orgs = (org.id,) if org else ()
        else:
            continue
        family = spec.family if spec else ""
        out.append(
            Finding(
                flag_id=r["indicator"],
                title=f"{name}：{subject}",
                severity=SEVERITY.get(family, Severity.MEDIUM),
                legal_basis=(spec.source if spec else "")[:300],
                subject=str(subject),
                source=source,
                evidence={
                    "value": r["value"],
                    "detail": _json(r.get("evidence")),
                    "key": r["key"],
                    "group": r["group"],
                },
                project_id=context.get("project_id"),
                section_id=context.get("section_id"),
                org_ids=orgs,
                sector=context.get("sector", ""),
                region=context.get("region", ""),
                dedup=f"{r['group']}:{r['key']}",
            )
        )
    return out


def _json(text: str | None) -> Any:
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def scan_section(
    session: Session, section: Section, stage: str, *, clock: Clock, collusion_model: Path | None = None
) -> int:
    """Run the stage's flags on one section and raise its alerts; returns how many were new. At the opening
    the collusion model, when one is configured, also scores the prices against the platform's history."""
    project: Project = projects.get_project(session, section.project_id)
    release = ocds.release(session, section, clock=clock)
    hits = run([release], PUBLISHED_FLAGS if stage == PUBLISHED else OPENED_FLAGS)
    codes = {o.credit_code: o for o in session.execute(select(Organisation)).scalars()}
    context = {
        "subject": f"{project.name}（{section.name}）",
        "project_id": project.id,
        "section_id": section.id,
        "sector": project.sector,
        "region": project.region,
    }
    found = findings(hits, by_code=codes, context=context, source="platform")
    if stage == OPENED and collusion_model is not None:
        found += price_screen.findings(session, section, project, collusion_model)
    new = 0
    for f in found:
        _, created = raise_alert(session, f, clock=clock)
        new += int(created)
    return new


def due(session: Session, now: datetime) -> list[tuple[str, str]]:
    """Sections whose notice is out or whose bids are open, not compared yet at that stage."""
    marks = {(m.section_id, m.stage) for m in session.execute(select(ScanMark)).scalars()}
    rows = session.execute(
        select(Section.id, Section.status).where(
            Section.status.in_([SectionStatus.BIDDING.value, *OPENED_OR_LATER_VALUES])
        )
    ).all()
    out = []
    for sid, status in rows:
        stage = OPENED if SectionStatus(status).opened else PUBLISHED
        if (sid, stage) not in marks:
            out.append((sid, stage))
    return out


def apply(session: Session, key: tuple[str, str], now: datetime, *, collusion_model: Path | None = None) -> bool:
    section_id, stage = key
    if session.get(ScanMark, (section_id, stage)) is not None:
        return False
    section = projects.get_section(session, section_id)
    session.add(ScanMark(section_id=section_id, stage=stage, scanned_at=now, alerts=0))
    session.flush()  # claims the scan: a second node hits the primary key and rolls back
    mark = session.get(ScanMark, (section_id, stage))
    assert mark is not None
    mark.alerts = scan_section(session, section, stage, clock=FixedClock(now), collusion_model=collusion_model)
    return True
