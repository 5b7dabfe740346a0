"""预警查询 — alerts an actor may see, and the dashboard's counts (by type, sector, region, month, entity)."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from ggzy.bidding.models import Bid
from ggzy.core import policy
from ggzy.core.actor import Actor
from ggzy.core.clock import local
from ggzy.entities.models import Organisation
from ggzy.projects.models import Project, Section
from ggzy.projects.states import OPENED_OR_LATER_VALUES
from ggzy.supervision.models import Alert
from ggzy.supervision.states import Severity


def visible(actor: Actor) -> Select[Alert]:
    policy.ensure(actor, policy.ALERT_READ)
    stmt = select(Alert)
    if policy.scope_for(actor, policy.ALERT_READ) is policy.Scope.SECTOR:
        stmt = stmt.where(Alert.sector.in_(sorted(actor.sectors)))
    return stmt


def list_alerts(
    session: Session,
    actor: Actor,
    *,
    status: str | None = None,
    flag: str | None = None,
    project_id: str | None = None,
    limit: int = 200,
) -> list[Alert]:
    stmt = visible(actor).order_by(Alert.last_seen_at.desc()).limit(limit)
    if status:
        stmt = stmt.where(Alert.status == status)
    if flag:
        stmt = stmt.where(Alert.flag_id == flag)
    if project_id:
        stmt = stmt.where(Alert.project_id == project_id)
    return list(session.execute(stmt).scalars())


@dataclass
class Dashboard:
    total: int
    open: int
    by_flag: list[tuple[str, int]]
    by_sector: list[tuple[str, int]]
    by_region: list[tuple[str, int]]
    by_month: list[tuple[str, int]]
    buyers: list[tuple[str, int]]
    agencies: list[tuple[str, int]]
    bidders: list[tuple[str, int]]
    recent: list[Alert]


def dashboard(session: Session, actor: Actor) -> Dashboard:
    alerts = list(session.execute(visible(actor)).scalars())
    names = dict(session.execute(select(Organisation.id, Organisation.name)).all())
    projects = {p.id: p for p in session.execute(select(Project)).scalars()}
    buyers: Counter[str] = Counter()
    agencies: Counter[str] = Counter()
    bidders: Counter[str] = Counter()
    for a in alerts:
        w = Severity(a.severity).weight
        p = projects.get(a.project_id or "")
        if p is not None:
            buyers[names.get(p.tenderer_org_id, p.tenderer_org_id)] += w
            if p.agency_org_id:
                agencies[names.get(p.agency_org_id, p.agency_org_id)] += w
        for org in a.org_ids.split():
            bidders[names.get(org, org)] += w
        evidence = json.loads(a.evidence or "{}")
        if p is None and evidence.get("buyer"):
            buyers[str(evidence["buyer"])] += w
    return Dashboard(
        total=len(alerts),
        open=sum(1 for a in alerts if a.status in ("new", "assigned", "investigating")),
        by_flag=Counter(a.flag_id for a in alerts).most_common(),
        by_sector=Counter(a.sector for a in alerts).most_common(),
        by_region=Counter(a.region or "—" for a in alerts).most_common(10),
        by_month=sorted(Counter(local(a.first_seen_at).strftime("%Y-%m") for a in alerts).items()),
        buyers=buyers.most_common(8),
        agencies=agencies.most_common(8),
        bidders=bidders.most_common(8),
        recent=sorted(alerts, key=lambda a: a.last_seen_at, reverse=True)[:10],
    )


def co_bidding(session: Session, project_id: str, *, depth_sections: int = 200) -> dict[str, Any]:
    """The project's bidders and everyone they bid beside in opened sections (who bid is public after opening)."""
    opened = select(Section.id).where(Section.status.in_(OPENED_OR_LATER_VALUES))
    mine = (
        select(Bid.bidder_org_id)
        .join(Section, Section.id == Bid.section_id)
        .where(Section.project_id == project_id, Bid.section_id.in_(opened), Bid.opened_at.is_not(None))
    )
    core = set(session.execute(mine).scalars())
    rows = session.execute(
        select(Bid.section_id, Bid.bidder_org_id)
        .where(Bid.section_id.in_(opened), Bid.opened_at.is_not(None), Bid.bidder_org_id.in_(core))
        .limit(5000)
    ).all()
    by_section: dict[str, set[str]] = defaultdict(set)
    for section_id, org in rows:
        by_section[section_id].add(org)
    for section_id in list(by_section)[:depth_sections]:
        by_section[section_id] |= set(
            session.execute(
                select(Bid.bidder_org_id).where(Bid.section_id == section_id, Bid.opened_at.is_not(None))
            ).scalars()
        )
    edges: Counter[tuple[str, str]] = Counter()
    for orgs in by_section.values():
        ordered = sorted(orgs)
        for i, a in enumerate(ordered):
            for b in ordered[i + 1 :]:
                edges[(a, b)] += 1
    nodes = sorted({o for e in edges for o in e} | core)
    names = dict(session.execute(select(Organisation.id, Organisation.name).where(Organisation.id.in_(nodes))).all())
    return {
        "nodes": [(n, names.get(n, n), n in core) for n in nodes],
        "edges": [(a, b, w) for (a, b), w in edges.items()],
    }
