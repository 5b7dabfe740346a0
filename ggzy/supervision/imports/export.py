"""再导出 — imported data published again through the exchange's package builders (a round trip: what came in as
releases goes out as the same releases, and records carry the compiled release merged here)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ggzy.exchange.queries import Publisher, release_package
from ggzy.supervision.imports import store
from ggzy.supervision.models import ImportedRecord


def ocids(session: Session) -> list[str]:
    return list(session.execute(select(ImportedRecord.ocid).order_by(ImportedRecord.ocid)).scalars())


def releases_package(session: Session, pub: Publisher) -> dict[str, Any]:
    """Every imported release (by ocid, then date), in one release package."""
    return release_package([r for ocid in ocids(session) for r in store.all_releases(session, ocid)], pub)


def records_package(session: Session, pub: Publisher) -> dict[str, Any]:
    """Every imported record: its releases and the compiled release."""
    package = release_package([], pub)
    del package["releases"]
    package["records"] = [
        {"ocid": ocid, "releases": store.all_releases(session, ocid), "compiledRelease": store.record(session, ocid)}
        for ocid in ocids(session)
    ]
    return package
