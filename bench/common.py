"""Shared pieces for benchmarks: throwaway databases on SQLite or the local PostgreSQL, percentiles."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text

from ggzy.core.db import Database, make_engine
from ggzy.migrations import runner

PG = os.environ.get("GGZY_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


@contextmanager
def database(backend: str, tmp: Path) -> Iterator[Database]:
    """A migrated, empty database that is dropped afterwards."""
    name = ""
    if backend == "sqlite":
        url = f"sqlite:///{tmp / 'bench.db'}"
    else:
        name = f"ggzy_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(PG.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
        url = PG.rsplit("/", 1)[0] + "/" + name
    engine = make_engine(url)
    runner.upgrade(engine)
    db = Database(engine, url)
    try:
        yield db
    finally:
        db.dispose()
        if name:
            with admin.connect() as c:
                c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


def pct(xs: list[float], q: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, int(q * len(s)))]
