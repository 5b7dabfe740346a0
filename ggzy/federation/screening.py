"""接入交易的监管 — pushed trades go through the same indicators and the same credit check as our own (P5, S5).

In the tick, each pushed trade changed since it was last screened is compiled from its releases and
- run through the live flags (the notice's compliance checks; once it has bids, the 条例 art. 40 signs);
- its tenderers and suppliers are looked up by unified social credit code in the credit register: a sanction that
  binds the trade's class and region raises an alert citing it (一处失信，处处受限 — the trade is another platform's,
  so it is flagged to supervision, not stopped here).
Alerts name the source platform (`federation:<code>`) and go to the regulator of the trade's kind.
`history` runs the history screening (`supervision.history`) over every pushed trade beside our own.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ggzy.core.clock import Clock, FixedClock
from ggzy.credit import enforce
from ggzy.credit.queries import trade_class_of
from ggzy.credit.states import TradeClass
from ggzy.entities.models import Organisation
from ggzy.federation.models import Platform, PushedRelease, PushedTrade
from ggzy.federation.service import credit_codes
from ggzy.rules import credit as credit_law
from ggzy.rules.catalog import Category
from ggzy.supervision import history, live
from ggzy.supervision.ocds.merge import MergeFailed, compile_releases
from ggzy.supervision.service import Finding, raise_alert
from ggzy.supervision.states import Severity

log = logging.getLogger(__name__)
CREDIT_FLAG = "F01"
SECTOR = {"works": "housing", "goods": "finance", "services": "finance"}
BATCH = 50


def compiled(session: Session, ocid: str) -> dict[str, Any]:
    """The releases of one pushed trade merged into its compiled release as OCDS 1.1 specifies (the reference
    ``ocdsmerge`` with the bids and lots rules, `supervision/ocds/merge.py`): objects merged field by field, arrays
    of objects merged by ``id`` — an award in one release and another award in a later one are both in the
    record. Releases that cannot be merged (a field an object in one and an array in another: the push validation
    refuses most of these) fall back to the last release's top-level fields over the earlier ones', so a trade is
    still screened; the fallback is logged."""
    rows = session.execute(
        select(PushedRelease.body).where(PushedRelease.ocid == ocid).order_by(PushedRelease.released_at)
    ).scalars()
    releases = [json.loads(body, parse_float=Decimal) for body in rows]
    try:
        out, _ = compile_releases(releases)
    except MergeFailed as error:
        log.warning("pushed trade %s: releases not mergeable (%s); last release's fields used", ocid, error)
        out = {}
        for r in releases:
            tender = {**(out.get("tender") or {}), **(r.get("tender") or {})}
            out.update(r)
            if tender:
                out["tender"] = tender
    out["tag"] = ["compiled"]
    return out


def _floats(obj: Any) -> Any:
    """The analytic engine reads JSON as parsed by a plain reader: amounts as numbers."""
    if isinstance(obj, Decimal):
        return float(obj)
    if isinstance(obj, dict):
        return {k: _floats(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_floats(v) for v in obj]
    return obj


def trade_class(release: dict[str, Any]) -> TradeClass | None:
    """The class of a pushed trade for the sanctions: its catalog category when it gives ours; otherwise by its kind.
    A works trade that does not state its state funding is checked as state-funded (the stricter reading)."""
    tender = release.get("tender") or {}
    for item in tender.get("items") or []:
        c = (item.get("classification") or {}) if isinstance(item, dict) else {}
        if c.get("scheme") == "CN-GGZY-CATALOG" and c.get("id") in Category._value2member_map_:
            return trade_class_of(str(c["id"]), Decimal(1))
    return {"works": TradeClass.STATE_WORKS, "goods": TradeClass.PROCUREMENT, "services": TradeClass.PROCUREMENT}.get(
        str(tender.get("mainProcurementCategory"))
    )


def credit_findings(session: Session, platform: Platform, release: dict[str, Any], at: datetime) -> list[Finding]:
    tc = trade_class(release)
    title = str((release.get("tender") or {}).get("title") or release["ocid"])
    out = []
    for code, name in credit_codes(release).items():
        found = enforce.find_for_code(session, credit_code=code, trade_class=tc, region=platform.region, at=at)
        if not found.sanctions:
            continue
        out.append(
            Finding(
                flag_id=CREDIT_FLAG,
                title=f"失信主体参与接入平台交易：{name}（{title}，来源：{platform.name}）"[:300],
                severity=Severity.HIGH,
                legal_basis=f"{credit_law.LIMITS.citation}；一处失信，处处受限",
                subject=name,
                source=f"federation:{platform.code}",
                evidence={
                    "ocid": release["ocid"],
                    "platform": platform.code,
                    "credit_code": code,
                    "sanctions": [{"id": s.id, "measure": s.measure, "citation": s.citation} for s in found.sanctions],
                    "cited": found.cite(),
                },
                sector=SECTOR.get(str((release.get("tender") or {}).get("mainProcurementCategory")), "other"),
                region=platform.region,
                dedup=f"{release['ocid']}:{code}",
            )
        )
    return out


def screen_trade(session: Session, trade: PushedTrade, *, clock: Clock) -> int:
    """Run the indicators and the credit check on one pushed trade; returns the new alerts."""
    platform = session.get(Platform, trade.platform_id)
    assert platform is not None
    release = compiled(session, trade.ocid)
    bids = (release.get("bids") or {}).get("details")
    flags = live.OPENED_FLAGS if bids else live.PUBLISHED_FLAGS
    hits = live.run([_floats(release)], flags)
    codes = {o.credit_code: o for o in session.execute(select(Organisation)).scalars()}
    context = {
        "subject": f"{trade.title}（{platform.name}）",
        "sector": SECTOR.get(trade.category, "other"),
        "region": platform.region,
    }
    found = live.findings(hits, by_code=codes, context=context, source=f"federation:{platform.code}")
    found += credit_findings(session, platform, release, clock.now())
    new = 0
    for f in found:
        _, created = raise_alert(session, f, clock=clock)
        new += int(created)
    trade.screened = True
    trade.alerts = (trade.alerts or 0) + new
    return new


def due(session: Session, now: datetime) -> list[str]:
    q = select(PushedTrade.ocid).where(PushedTrade.screened.is_(False)).order_by(PushedTrade.last_at).limit(BATCH)
    return list(session.execute(q).scalars())


def apply(session: Session, ocid: str, now: datetime) -> bool:
    trade = session.get(PushedTrade, ocid, with_for_update=True)
    if trade is None or trade.screened:
        return False
    screen_trade(session, trade, clock=FixedClock(now))
    return True


def history_screening(session: Session, *, clock: Clock) -> history.Screening:
    """The history flags over our trades and every pushed one (the same run as `ggzy supervise history`)."""
    pushed = [_floats(compiled(session, o)) for o in session.execute(select(PushedTrade.ocid)).scalars()]
    return history.screen(session, clock=clock, external=pushed, source="federation")
