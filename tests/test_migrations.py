"""Migrations: a truly empty database upgraded to head has exactly the schema the models describe."""

from __future__ import annotations

from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, Integer, MetaData, Table, inspect, text

from ggzy import domains
from ggzy.core.db import Base, Database, make_engine
from ggzy.migrations import runner
from tests.dbserver import DbServer


def _revision(engine: object) -> str | None:
    with engine.connect() as conn:  # type: ignore[attr-defined]
        return MigrationContext.configure(conn).get_current_revision()


def test_upgrade_from_an_empty_database_builds_the_models_schema(dbserver: DbServer) -> None:
    url = dbserver.empty()
    engine = make_engine(url)
    try:
        assert inspect(engine).get_table_names() == []  # nothing there: not the migrated template
        assert _revision(engine) is None
        runner.upgrade(engine)
        domains.load_models()
        tables = set(inspect(engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        assert tables - set(Base.metadata.tables) <= {"alembic_version", *_search_tables(tables)}
        assert runner.differences(engine) == []
        head = ScriptDirectory.from_config(runner.config()).get_current_head()
        assert _revision(engine) == head
        runner.upgrade(engine)  # idempotent at head
        assert _revision(engine) == head and runner.differences(engine) == []
    finally:
        engine.dispose()
        dbserver.drop(url)


def _search_tables(tables: set[str]) -> set[str]:
    """SQLite's FTS5 index and its shadow tables, which no model describes (runner.UNMODELLED)."""
    return {t for t in tables if t.startswith(runner.UNMODELLED)}


def test_the_comparison_sees_a_schema_that_drifted_from_the_models(fresh_db: Database) -> None:
    """The check above can fail: an extra table and a dropped index are each reported."""
    assert runner.differences(fresh_db.bind) == []
    with fresh_db.bind.begin() as conn:  # type: ignore[union-attr]
        Table("stray_table", MetaData(), Column("id", Integer, primary_key=True)).create(conn)
    kinds = {d[0] for d in runner.differences(fresh_db.bind) if isinstance(d, tuple)}
    assert "remove_table" in kinds
    with fresh_db.bind.begin() as conn:  # type: ignore[union-attr]
        conn.execute(text("DROP TABLE stray_table"))
        index = next(i for t in Base.metadata.sorted_tables for i in sorted(t.indexes, key=lambda i: str(i.name)))
        conn.execute(text(f"DROP INDEX {index.name}"))
    kinds = {d[0] for d in runner.differences(fresh_db.bind) if isinstance(d, tuple)}
    assert kinds == {"add_index"}
