"""Shared fixtures: a database per worker (SQLite or PostgreSQL), each test in a savepoint, a fixed clock."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from ggzy.bidding.keys import KeyEnv
from ggzy.core.clock import SHANGHAI, FixedClock
from ggzy.core.config import Settings
from ggzy.core.crypto import FieldCipher
from ggzy.core.db import Database, make_engine
from ggzy.core.files import FileStore
from ggzy.core.keys import Keys, load_keys
from ggzy.core.pubsub import InProcessBus
from ggzy.entities.passwords import Hasher
from ggzy.entities.service import Identity
from ggzy.sealing import p256
from ggzy.web.app import create_app
from ggzy.web.context import AppContext
from tests import apiexamples
from tests.dbserver import DbServer

settings.register_profile("ci", derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci" if os.environ.get("CI") else "dev")

# The published test sets beside the repository (only for tests marked `conformance`, which .ci/run runs).
SHARED = Path(os.environ.get("GGZY_SHARED", Path(__file__).resolve().parents[2] / "shared"))
START = datetime(2026, 11, 26, 9, 0, tzinfo=SHANGHAI)
FAST_HASHER = Hasher(memory_kib=256, time_cost=1, parallelism=1)


BROWSER_DIR = Path(__file__).resolve().parent / "browser"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test under tests/browser drives Chromium: mark it `browser` (a conftest's pytestmark marks nothing)."""
    for item in items:
        if BROWSER_DIR in item.path.parents:
            item.add_marker(pytest.mark.browser)


def pytest_runtest_setup(item: pytest.Item) -> None:
    """A `postgresql` test needs several processes on one server: say so instead of passing on SQLite."""
    if item.get_closest_marker("postgresql") and not os.environ.get("GGZY_TEST_DATABASE_URL"):
        pytest.fail("needs PostgreSQL: set GGZY_TEST_DATABASE_URL (make test-pg runs it)", pytrace=False)


@pytest.fixture(scope="session")
def dbserver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DbServer]:
    server = DbServer(tmp_path_factory.mktemp("db"), os.environ.get("PYTEST_XDIST_WORKER", "main"))
    yield server
    server.close()


@pytest.fixture(scope="session")
def main_engine(dbserver: DbServer) -> Iterator[Engine]:
    engine = make_engine(dbserver.clone())
    yield engine
    engine.dispose()


@pytest.fixture
def db(main_engine: Engine) -> Iterator[Database]:
    """The worker's database, inside a transaction that is rolled back after the test."""
    conn = main_engine.connect()
    trans = conn.begin()
    try:
        yield Database(conn)
    finally:
        trans.rollback()
        conn.close()


@pytest.fixture
def fresh_db(dbserver: DbServer) -> Iterator[Database]:
    """A database of its own with real commits (concurrency, tampering, CLI, live servers)."""
    url = dbserver.clone()
    database = Database.from_url(url)
    try:
        yield database
    finally:
        database.dispose()
        dbserver.drop(url)


class Statements:
    """The SQL statements the test engine runs inside `with statements.counting() as seen:` (SAVEPOINTs included)."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self._on = False

    def hook(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if self._on:
            self.seen.append(statement)

    @contextmanager
    def counting(self) -> Iterator[list[str]]:
        self.seen = []
        self._on = True
        try:
            yield self.seen
        finally:
            self._on = False


@pytest.fixture
def statements(main_engine: Engine) -> Iterator[Statements]:
    """Counts statements on the engine behind `db`, `session` and `client` (a listener on that engine only)."""
    counter = Statements()
    event.listen(main_engine, "before_cursor_execute", counter.hook)
    try:
        yield counter
    finally:
        event.remove(main_engine, "before_cursor_execute", counter.hook)


@pytest.fixture
def session(db: Database) -> Iterator[Session]:
    s = db.session()
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture(scope="session")
def var_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("var")


@pytest.fixture(scope="session")
def keys(var_dir: Path) -> Keys:
    return load_keys(var_dir)


@pytest.fixture
def ident(keys: Keys) -> Identity:
    return Identity(hasher=FAST_HASHER, cipher=FieldCipher(keys.derive("column:totp")))


@pytest.fixture
def app_settings(tmp_path: Path) -> Settings:
    return Settings(var_dir=tmp_path / "var", tick_seconds=0)


@pytest.fixture(scope="session")
def opening_env(keys: Keys) -> KeyEnv:
    return KeyEnv(
        cipher=FieldCipher(keys.derive("column:shares")),
        archive=p256.derive(keys.derive("archive")),
    )


@pytest.fixture
def files(tmp_path: Path) -> FileStore:
    return FileStore(tmp_path / "files")


@pytest.fixture
def app_ctx(
    app_settings: Settings,
    db: Database,
    clock: FixedClock,
    keys: Keys,
    ident: Identity,
    files: FileStore,
    opening_env: KeyEnv,
) -> AppContext:
    return AppContext(
        settings=app_settings,
        db=db,
        clock=clock,
        keys=keys,
        ident=ident,
        bus=InProcessBus(),
        files=files,
        opening=opening_env,
    )


@pytest.fixture(autouse=True)
def api_examples(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A test listed in tests/apiexamples.py SCENARIOS records the examples shown on /docs and checks them."""
    yield from apiexamples.recording(request, monkeypatch, start_ms=int(START.timestamp() * 1000))


@pytest.fixture
def client(app_ctx: AppContext) -> Iterator[TestClient]:
    with TestClient(create_app(app_ctx), base_url="https://testserver", follow_redirects=False) as c:
        yield c


@pytest.fixture
def anon_client(app_ctx: AppContext) -> Iterator[TestClient]:
    """A second browser: no cookies of the first."""
    with TestClient(create_app(app_ctx), base_url="https://testserver", follow_redirects=False) as c:
        yield c
