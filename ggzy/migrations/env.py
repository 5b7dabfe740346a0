"""Alembic environment: the metadata comes from every domain in ggzy/domains.py."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from ggzy import domains
from ggzy.core.db import Base, make_engine
from ggzy.migrations.runner import include_name

domains.load_models()
config = context.config
target_metadata = Base.metadata


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        compare_server_default=True,
        render_as_batch=connection.dialect.name == "sqlite",
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


given = config.attributes.get("connection")
if given is not None:
    run(given)
else:
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.begin() as conn:
        run(conn)
    engine.dispose()
