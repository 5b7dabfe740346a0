"""Test databases: a migrated template per worker, cloned for the savepoint database and for fresh ones.

SQLite by default; PostgreSQL when GGZY_TEST_DATABASE_URL points at a server (a database of our
own is created per worker and dropped at the end).
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from ggzy.core.db import make_engine, normalise_url
from ggzy.migrations import runner

PG_BASE = os.environ.get("GGZY_TEST_DATABASE_URL", "")


class DbServer:
    def __init__(self, tmp: Path, worker: str) -> None:
        self.tmp = tmp
        self.prefix = f"ggzy_t_{uuid.uuid4().hex[:8]}_{worker}"
        self.created: list[str] = []
        self._admin: Engine | None = None
        self._n = 0
        self.template = self._make_template()

    @property
    def is_pg(self) -> bool:
        return bool(PG_BASE)

    @property
    def dialect(self) -> str:
        return "postgresql" if self.is_pg else "sqlite"

    def _admin_engine(self) -> Engine:
        if self._admin is None:
            self._admin = create_engine(normalise_url(PG_BASE), isolation_level="AUTOCOMMIT")
        return self._admin

    def _url(self, name: str) -> str:
        if self.is_pg:
            return make_url(normalise_url(PG_BASE)).set(database=name).render_as_string(hide_password=False)
        return f"sqlite:///{self.tmp / (name + '.db')}"

    def _make_template(self) -> str:
        name = f"{self.prefix}_tpl"
        if self.is_pg:
            with self._admin_engine().connect() as c:
                c.execute(text(f'CREATE DATABASE "{name}"'))
            self.created.append(name)
        engine = make_engine(self._url(name))
        runner.upgrade(engine)
        if not self.is_pg:
            with engine.connect() as c:
                c.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()
        return name

    def clone(self) -> str:
        """A new database with the migrated schema and nothing else; returns its URL."""
        self._n += 1
        name = f"{self.prefix}_{self._n}"
        if self.is_pg:
            with self._admin_engine().connect() as c:
                c.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"'))
        else:
            shutil.copy(self.tmp / f"{self.template}.db", self.tmp / f"{name}.db")
        self.created.append(name)
        return self._url(name)

    def empty(self) -> str:
        """A new database with nothing in it at all (no migrations run); returns its URL."""
        self._n += 1
        name = f"{self.prefix}_{self._n}_empty"
        if self.is_pg:
            with self._admin_engine().connect() as c:
                c.execute(text(f'CREATE DATABASE "{name}" TEMPLATE template0'))
        self.created.append(name)
        return self._url(name)

    def drop(self, url: str) -> None:
        name = make_url(url).database or ""
        if self.is_pg:
            with self._admin_engine().connect() as c:
                c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        else:
            for suffix in ("", "-wal", "-shm"):
                Path(name + suffix).unlink(missing_ok=True)
        if name in self.created:
            self.created.remove(name)
        elif self.is_pg:
            base = Path(name).name
            if base in self.created:
                self.created.remove(base)

    def close(self) -> None:
        if self.is_pg:
            with self._admin_engine().connect() as c:
                for name in self.created:
                    c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            self._admin_engine().dispose()
        self.created.clear()
