"""交易目录 — read the catalog in force, and publish a new version (the supervision office only)."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ggzy.catalog.models import CatalogVersion
from ggzy.core import canonical, events, policy
from ggzy.core.actor import Actor
from ggzy.core.clock import Clock
from ggzy.core.errors import Invalid
from ggzy.rules.base import Citation
from ggzy.rules.catalog import DEFAULT, Catalog, Category, Entry

CATALOG_PUBLISHED = events.event_type("catalog.published", "发布交易目录新版本", public=True)


def to_json(c: Catalog) -> dict[str, Any]:
    return {
        "state_funds_amount": c.state_funds_amount,
        "state_funds_share": c.state_funds_share,
        "state_control_share": c.state_control_share,
        "entries": [
            {
                "key": e.key,
                "label": e.label,
                "categories": sorted(e.categories),
                "must_trade_at": e.must_trade_at,
                "must_tender_at": e.must_tender_at,
                "must_open_at": e.must_open_at,
                "state_funded_only": e.state_funded_only,
                "citation": {"law": e.citation.law, "article": e.citation.article, "verify": e.citation.verify},
            }
            for e in c.entries
        ],
    }


def _dec(v: Any) -> Decimal | None:
    if v is None or v == "":
        return None
    try:
        d = Decimal(str(v))
    except InvalidOperation as exc:
        raise Invalid(f"金额格式不正确：{v}", code="bad-amount") from exc
    if d < 0:
        raise Invalid("金额不能为负", code="bad-amount")
    return d


def from_json(version: int, body: dict[str, Any]) -> Catalog:
    entries = tuple(
        Entry(
            key=e["key"],
            label=e["label"],
            categories=frozenset(Category(c) for c in e["categories"]),
            must_trade_at=_dec(e.get("must_trade_at")),
            must_tender_at=_dec(e.get("must_tender_at")),
            must_open_at=_dec(e.get("must_open_at")),
            state_funded_only=bool(e["state_funded_only"]),
            citation=Citation(**e["citation"]),
        )
        for e in body["entries"]
    )
    return Catalog(
        version=version,
        entries=entries,
        state_funds_amount=_dec(body["state_funds_amount"]) or Decimal(0),
        state_funds_share=_dec(body["state_funds_share"]) or Decimal(0),
        state_control_share=_dec(body["state_control_share"]) or Decimal(0),
    )


def current(session: Session) -> Catalog:
    """The catalog in force: the latest published version, or the built-in first version."""
    row = session.execute(select(CatalogVersion).order_by(CatalogVersion.version.desc()).limit(1)).scalar()
    return DEFAULT if row is None else from_json(row.version, json.loads(row.body))


def history(session: Session) -> list[CatalogVersion]:
    return list(session.execute(select(CatalogVersion).order_by(CatalogVersion.version.desc())).scalars())


def publish(
    session: Session, actor: Actor, *, thresholds: dict[str, dict[str, Any]], note: str, clock: Clock
) -> Catalog:
    """发布新版目录 — change thresholds (by entry key) and publish them as the next version."""
    policy.ensure(actor, policy.CATALOG_MANAGE)
    if not note.strip():
        raise Invalid("请说明本次调整的依据", code="note-required")
    base = current(session)
    body = to_json(base)
    known = {e["key"]: e for e in body["entries"]}
    for key, changes in thresholds.items():
        if key not in known:
            raise Invalid(f"目录中没有「{key}」", code="unknown-entry")
        for field in ("must_trade_at", "must_tender_at", "must_open_at"):
            if field in changes:
                known[key][field] = _dec(changes[field])
    version = base.version + 1
    catalog = from_json(version, json.loads(canonical.dumps(body)))
    session.add(
        CatalogVersion(
            version=version,
            published_at=clock.now(),
            published_by=actor.user_id,
            note=note.strip()[:300],
            body=canonical.dumps(body),
        )
    )
    session.flush()
    events.record(
        session,
        actor,
        CATALOG_PUBLISHED,
        clock=clock,
        subject=("catalog", str(version)),
        payload={"version": version, "note": note.strip()[:300], "changes": thresholds},
    )
    return catalog
