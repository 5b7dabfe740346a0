"""导入数据的存储 — the tables of imported OCDS data (supervision.models: ocds_import, ocds_release, ocds_record):
batched writes, upserts on both databases, and the reads of `ggzy analyze --imported` and history screening."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import delete, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ggzy.supervision.models import ImportedRecord, ImportedRelease

CHUNK = 500  # ocids per IN (…) list
RECORD_COLUMNS = ("date", "releases", "origin", "import_id", "digest", "compiled")


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


def insert_releases(session: Session, rows: list[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(ImportedRelease), rows)


def upsert_records(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert or replace compiled releases by ocid (one statement for the batch)."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        pg = postgresql.insert(ImportedRecord)
        pg_set = {c: pg.excluded[c] for c in RECORD_COLUMNS}
        session.execute(pg.on_conflict_do_update(index_elements=["ocid"], set_=pg_set), rows)
    else:
        lite = sqlite.insert(ImportedRecord)
        lite_set = {c: lite.excluded[c] for c in RECORD_COLUMNS}
        session.execute(lite.on_conflict_do_update(index_elements=["ocid"], set_=lite_set), rows)


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
