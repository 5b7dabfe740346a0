"""存储 — the declarative base, engines for SQLite and PostgreSQL, and the unit of work.

A service verb never commits: the request, CLI command or timer tick opens a unit of work,
and the change and its event stand or fall together.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, MetaData, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


WRITE_OPTION = "ggzy_write"


def normalise_url(url: str) -> str:
    """Accept plain `postgresql://` and route it through psycopg 3."""
    u = make_url(url)
    if u.drivername in ("postgresql", "postgres"):
        u = u.set(drivername="postgresql+psycopg")
    return u.render_as_string(hide_password=False)


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, decide when a transaction starts (savepoints need it).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # A writer takes the write lock up front: no upgrade deadlock, no stale WAL snapshot.
        if conn.get_execution_options().get(WRITE_OPTION):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


def make_engine(url: str, **kwargs: Any) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)
        _sqlite_setup(engine)
        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    return create_engine(url, pool_pre_ping=True, **kwargs)


class Database:
    """The engine plus two session makers: readers, and writers that lock early on SQLite."""

    def __init__(self, bind: Engine | Connection, url: str | None = None) -> None:
        self.bind = bind
        self.url = url
        if isinstance(bind, Connection):
            # Tests: every unit of work becomes a savepoint inside the test's transaction.
            self._reader = sessionmaker(bind=bind, join_transaction_mode="create_savepoint", expire_on_commit=False)
            self._writer = self._reader
        else:
            self._reader = sessionmaker(bind=bind, expire_on_commit=False)
            self._writer = sessionmaker(bind=bind.execution_options(**{WRITE_OPTION: True}), expire_on_commit=False)
        from ggzy.core import events  # here, not at the top: events imports this module for Base

        events.attach(bind, self._reader, self._writer)  # the event log's write buffer (see its docstring)

    @classmethod
    def from_url(cls, url: str) -> Database:
        return cls(make_engine(url), url)

    @property
    def dialect(self) -> str:
        return self.bind.dialect.name

    def session(self, *, write: bool = True) -> Session:
        return (self._writer if write else self._reader)()

    @contextmanager
    def unit_of_work(self, *, write: bool = True) -> Iterator[Session]:
        """Commit on success, roll back on any error; the one place transactions end."""
        session = self.session(write=write)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        if isinstance(self.bind, Engine):
            self.bind.dispose()
