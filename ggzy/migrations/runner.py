"""Run Alembic programmatically: upgrade to head, and compare the models with the migrated schema."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import Connection, Engine

from ggzy import domains
from ggzy.core.db import Base, normalise_url

HERE = Path(__file__).parent


def config(url: str | None = None, connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    cfg.set_main_option("file_template", "%%(year)d_%%(month).2d_%%(day).2d_%%(rev)s_%%(slug)s")
    if url:
        cfg.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


# Objects the migrations create by hand that no model describes: the search index of each database.
UNMODELLED = ("notice_fts", "ix_notice_terms_tsv")


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    return not (name or "").startswith(UNMODELLED)


def upgrade(bind: Engine | Connection, revision: str = "head") -> None:
    if isinstance(bind, Engine):
        with bind.begin() as conn:
            command.upgrade(config(connection=conn), revision)
    else:
        command.upgrade(config(connection=bind), revision)


def differences(bind: Engine | Connection) -> list[Any]:
    """What autogenerate would change: empty when the models match the migrated schema."""
    domains.load_models()

    def compare(conn: Connection) -> list[Any]:
        opts = {"compare_type": True, "compare_server_default": True, "include_name": include_name}
        ctx = MigrationContext.configure(conn, opts=opts)
        return list(compare_metadata(ctx, Base.metadata))

    if isinstance(bind, Engine):
        with bind.connect() as conn:
            return compare(conn)
    return compare(bind)
