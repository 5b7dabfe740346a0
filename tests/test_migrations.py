"""Migrations: upgrade an empty database to head, and the models match what the migrations built."""

from __future__ import annotations

from sqlalchemy import inspect

from ggzy.core.db import Database
from ggzy.migrations import runner


def test_the_migrated_schema_matches_the_models(fresh_db: Database) -> None:
    assert isinstance(fresh_db.bind, object)
    diffs = runner.differences(fresh_db.bind)  # type: ignore[arg-type]
    assert diffs == []


def test_upgrade_from_empty_builds_every_table(dbserver: object, tmp_path: object) -> None:
    from tests.dbserver import DbServer

    assert isinstance(dbserver, DbServer)
    url = dbserver.clone()
    db = Database.from_url(url)
    try:
        tables = set(inspect(db.bind).get_table_names())
        assert {"event", "merkle_node", "log_head", "signed_tree_head", "organisation", "app_user"} <= tables
        runner.upgrade(db.bind)  # type: ignore[arg-type]  # idempotent at head
    finally:
        db.dispose()
        dbserver.drop(url)
