"""导入数据的存储 — the tables of imported OCDS data (supervision.models: ocds_import, ocds_release, ocds_record):
batched writes, upserts on both databases, and the reads of `ggzy analyze --imported` and history screening."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ggzy.supervision.models import ImportedRecord, ImportedRelease

CHUNK = 500  # ocids per IN (…) list


def chunks(values: Iterable[str], size: int = CHUNK) -> Iterator[list[str]]:
    batch: list[str] = []
    for value in values:
        batch.append(value)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def stored_releases(session: Session, ocids: Iterable[str]) -> dict[tuple[str, str], tuple[str, str]]:
    """(ocid, release id) → (digest, date) of the stored releases of these ocids."""
    out: dict[tuple[str, str], tuple[str, str]] = {}
    for part in chunks(set(ocids)):
        rows = session.execute(
            select(
                ImportedRelease.ocid, ImportedRelease.release_id, ImportedRelease.digest, ImportedRelease.date
            ).where(ImportedRelease.ocid.in_(part))
        )
        out.update(((o, r), (d, t)) for o, r, d, t in rows)
    return out


def stored_records(session: Session, ocids: Iterable[str]) -> dict[str, tuple[str, str]]:
    """ocid → (digest, date) of the stored compiled releases."""
    out: dict[str, tuple[str, str]] = {}
    for part in chunks(set(ocids)):
        rows = session.execute(
            select(ImportedRecord.ocid, ImportedRecord.digest, ImportedRecord.date).where(ImportedRecord.ocid.in_(part))
        )
        out.update((o, (d, t)) for o, d, t in rows)
    return out


RELEASE_INSERT = "INSERT INTO ocds_release (ocid, release_id, date, import_id, digest, data) VALUES ({})"
RECORD_UPSERT = (
    "INSERT INTO ocds_record (ocid, date, releases, origin, import_id, digest, compiled) VALUES ({}) "
    "ON CONFLICT (ocid) DO UPDATE SET date = excluded.date, releases = excluded.releases, origin = excluded.origin, "
    "import_id = excluded.import_id, digest = excluded.digest, compiled = excluded.compiled"
)


def _marks(session: Session, n: int) -> str:
    """The DBAPI's placeholders: sqlite3 takes `?`, psycopg `%s`."""
    return ", ".join(["%s" if session.get_bind().dialect.name == "postgresql" else "?"] * n)


def insert_releases(session: Session, rows: list[tuple[str, str, str, str, str, str]]) -> None:
    """(ocid, release id, date, import id, digest, data) rows, straight to the driver's executemany (the ORM's
    per-row work cost more than SQLite's own; the statement is a constant)."""
    if rows:
        session.connection().exec_driver_sql(RELEASE_INSERT.format(_marks(session, 6)), rows)


def upsert_records(session: Session, rows: list[tuple[str, str, int, str, str, str, str]]) -> None:
    """Insert or replace compiled releases by ocid: (ocid, date, releases, origin, import id, digest, compiled);
    SQLite and PostgreSQL share the ON CONFLICT … DO UPDATE syntax."""
    if rows:
        session.connection().exec_driver_sql(RECORD_UPSERT.format(_marks(session, 7)), rows)


def releases_of(session: Session, ocids: list[str]) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    """ocid → [(import id, release)] in stored order."""
    out: dict[str, list[tuple[str, dict[str, Any]]]] = {o: [] for o in ocids}
    rows = session.execute(
        select(ImportedRelease.ocid, ImportedRelease.import_id, ImportedRelease.data)
        .where(ImportedRelease.ocid.in_(ocids))
        .order_by(ImportedRelease.ocid, ImportedRelease.id)
    )
    for ocid, import_id, data in rows:
        out[ocid].append((import_id, orjson.loads(data)))
    return out


def drop_releases(session: Session, ocid: str, import_id: str) -> int:
    """Remove what one import stored for one ocid (its releases could not be merged: nothing half-stored)."""
    result = session.execute(
        delete(ImportedRelease).where(ImportedRelease.ocid == ocid, ImportedRelease.import_id == import_id)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def iter_compiled(session: Session, *, batch: int = 5000) -> Iterator[dict[str, Any]]:
    """Every stored compiled release, by ocid, read in batches (keyset pagination)."""
    after = ""
    while True:
        rows = session.execute(
            select(ImportedRecord.ocid, ImportedRecord.compiled)
            .where(ImportedRecord.ocid > after)
            .order_by(ImportedRecord.ocid)
            .limit(batch)
        ).all()
        if not rows:
            return
        for _ocid, text in rows:
            yield orjson.loads(text)
        after = rows[-1][0]


def dump_compiled(session: Session, out: Path) -> int:
    """Write every stored compiled release to a JSON Lines file (the input of `ggzy analyze`); returns the count."""
    count = 0
    after = ""
    with out.open("wb") as f:
        while True:
            rows = session.execute(
                select(ImportedRecord.ocid, ImportedRecord.compiled)
                .where(ImportedRecord.ocid > after)
                .order_by(ImportedRecord.ocid)
                .limit(5000)
            ).all()
            if not rows:
                return count
            for _ocid, text in rows:
                f.write(text.encode() + b"\n")
            count += len(rows)
            after = rows[-1][0]


def all_releases(session: Session, ocid: str) -> list[dict[str, Any]]:
    rows = session.execute(
        select(ImportedRelease.data)
        .where(ImportedRelease.ocid == ocid)
        .order_by(ImportedRelease.date, ImportedRelease.id)
    ).scalars()
    return [orjson.loads(text) for text in rows]


def record(session: Session, ocid: str) -> dict[str, Any] | None:
    text = session.scalar(select(ImportedRecord.compiled).where(ImportedRecord.ocid == ocid))
    return None if text is None else orjson.loads(text)
