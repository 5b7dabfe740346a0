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


def test_0020_gives_each_project_that_names_an_agency_a_migrated_appointment(dbserver: DbServer) -> None:
    """委托代理: the upgrade keeps what agencies were doing — a project appointment per project naming one."""
    from datetime import UTC, datetime

    url = dbserver.empty()
    engine = make_engine(url)
    try:
        runner.upgrade(engine, "0012")
        at = datetime(2026, 11, 1, 1, 0, tzinfo=UTC)
        when = at if engine.dialect.name == "postgresql" else at.replace(tzinfo=None)
        meta = MetaData()
        with engine.begin() as conn:
            meta.reflect(conn, only=["organisation", "project"])
            org = meta.tables["organisation"]
            for oid, kind in (("T1", "tenderer"), ("A1", "agency")):
                conn.execute(
                    org.insert().values(
                        id=oid, credit_code=f"91410700{oid}00000000"[:18], name=f"主体{oid}", kind=kind, sector=None,
                        region="410700", address="", legal_representative="", contact_name="", contact_phone="",
                        contact_email="", created_at=when,
                    )
                )  # fmt: skip
            for pid, agency in (("P1", "A1"), ("P2", None)):
                conn.execute(
                    meta.tables["project"].insert().values(
                        id=pid, code=f"XXZB-2026-{pid}", name="迁移前的项目", approval_code="2026-000000-00",
                        category="construction", sector="housing", method="open_tender", estimate=100,
                        state_funds_share=100, state_funds_amount=100, tenderer_org_id="T1", agency_org_id=agency,
                        region="410700", status="accepted", catalog_version=1, must_trade=True, must_tender=True,
                        must_open=True, decision="[]", exception_ref="", note="", registered_by="U1",
                        registered_at=when,
                    )
                )  # fmt: skip
        runner.upgrade(engine)
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT project_id, tenderer_org_id, agency_org_id, status, source FROM agency_appointment")
            ).all()
        assert [tuple(r) for r in rows] == [("P1", "T1", "A1", "active", "migrated")]
    finally:
        engine.dispose()
        dbserver.drop(url)
