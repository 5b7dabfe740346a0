"""历史筛查 — the behaviour and avoidance flags over everything: the platform's own trades (exported as
OCDS) and, optionally, other platforms' OCDS files and the approval platform's list (应进未进)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from ggzy.core.clock import Clock
from ggzy.entities.models import Organisation
from ggzy.exchange import ocds
from ggzy.projects.models import Project, Section
from ggzy.supervision import live
from ggzy.supervision.service import raise_alert

HISTORY_FLAGS = ("B01", "B02", "B03", "B05", "B06", "B07", "A01", "A02", "A03", "C04", "C05", "C06", "C07")


@dataclass
class Screening:
    releases: int = 0
    findings: int = 0
    new_alerts: int = 0


def platform_releases(session: Session, clock: Clock) -> list[dict[str, Any]]:
    return [ocds.release(session, s, clock=clock) for s in session.execute(select(Section)).scalars()]


def external_releases(paths: Iterable[Path]) -> list[dict[str, Any]]:
    from ggzy.supervision.ocds.reader import ReadStats, iter_releases

    out: list[dict[str, Any]] = []
    for path in paths:
        out.extend(r for _, r in iter_releases(path, ReadStats(), lambda _pos: None))
    return out


def _sector_of(release: dict[str, Any]) -> str:
    """Another platform's release goes to the regulator of its kind: works to housing, purchases to finance."""
    main = (release.get("tender") or {}).get("mainProcurementCategory")
    return {"works": "housing", "goods": "finance", "services": "finance"}.get(str(main), "")


def screen(
    session: Session,
    *,
    clock: Clock,
    external: list[dict[str, Any]] | None = None,
    approvals: pl.DataFrame | None = None,
    source: str = "history",
    sector: str = "",
    imported: bool = True,
) -> Screening:
    """Run the history flags and raise alerts; the platform's own projects go to their sector's regulator. With
    `imported`, the compiled releases of the store of imported data (`ggzy import`) are screened with the files."""
    external = list(external or [])
    if imported:
        from ggzy.supervision.imports.store import iter_compiled

        external += iter_compiled(session)
    releases = platform_releases(session, clock) + external
    report = Screening(releases=len(releases))
    if not releases:
        return report
    hits = live.run(releases, HISTORY_FLAGS, approvals=approvals)
    codes = {o.credit_code: o for o in session.execute(select(Organisation)).scalars()}
    ours = {
        f"{ocds.PREFIX}-{s.code}": (s, p)
        for s, p in session.execute(select(Section, Project).join(Project, Project.id == Section.project_id)).all()
    }
    kinds: dict[str, str] = {}
    titles: dict[str, str] = {}
    names: dict[str, str] = {}  # organisations not registered here are named as the other platform names them
    for r in external:
        titles[str(r.get("ocid"))] = str((r.get("tender") or {}).get("title") or "")
        for party in r.get("parties") or []:
            if party.get("id") and party.get("name"):
                names.setdefault(
                    str(party["id"]), str(party["name"])
                )  # the sector of a process, of its buyer, of its tenderers: their first process's
        sector_of = _sector_of(r)
        kinds.setdefault(str(r.get("ocid")), sector_of)
        kinds.setdefault(str((r.get("buyer") or {}).get("id")), sector_of)
        for bid in (r.get("bids") or {}).get("details") or []:
            for t in bid.get("tenderers") or []:
                kinds.setdefault(str(t.get("id")), sector_of)
    for key, group in hits.group_by("key", maintain_order=True):
        ocid = str(key[0])
        found = ours.get(ocid)
        context: dict[str, Any] = {
            "sector": sector or kinds.get(ocid, "") or ("housing" if group["group"][0] == "Project" else ""),
            "subject": f"{titles[ocid]}（{ocid}）" if titles.get(ocid) else ocid,
        }
        if found is not None:
            s, p = found
            context = {
                "subject": f"{p.name}（{s.name}）",
                "project_id": p.id,
                "section_id": s.id,
                "sector": p.sector,
                "region": p.region,
            }
        found_here = live.findings(
            group, by_code=codes, context=context, source=source, attach_tenderers=False, names=names
        )
        for f in found_here:
            report.findings += 1
            _, created = raise_alert(session, f, clock=clock)
            report.new_alerts += int(created)
    return report
