"""The event log: events, stored Merkle subtrees, the head row, signed tree heads; append-only triggers.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

LOG_TABLES = ("event", "merkle_node", "signed_tree_head")
MESSAGE = "ggzy: the event log is append-only"

PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION ggzy_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '{MESSAGE} (% on %)', TG_OP, TG_TABLE_NAME;
END $$;
CREATE OR REPLACE FUNCTION ggzy_head_grows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' OR NEW.size < OLD.size THEN
    RAISE EXCEPTION '{MESSAGE} (the head may only grow)';
  END IF;
  RETURN NEW;
END $$;
"""


def upgrade() -> None:
    op.create_table(
        "event",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("type", sa.String(length=80), nullable=False),
        sa.Column("actor_id", sa.String(length=26), nullable=True),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("org_id", sa.String(length=26), nullable=True),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.Column("subject_type", sa.String(length=40), nullable=True),
        sa.Column("subject_id", sa.String(length=64), nullable=True),
        sa.Column("scope_id", sa.String(length=64), nullable=True),
        sa.Column("refs", sa.Text(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_event")),
        sa.UniqueConstraint("id", name=op.f("uq_event_id")),
    )
    op.create_index(op.f("ix_event_actor_id"), "event", ["actor_id"])
    op.create_index(op.f("ix_event_scope_id"), "event", ["scope_id"])
    op.create_index("ix_event_subject", "event", ["subject_type", "subject_id"])
    op.create_index(op.f("ix_event_type"), "event", ["type"])
    head = op.create_table(
        "log_head",
        sa.Column("id", sa.SmallInteger(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("frontier", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_log_head")),
    )
    op.create_table(
        "merkle_node",
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.Column("idx", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.LargeBinary(length=32), nullable=False),
        sa.PrimaryKeyConstraint("level", "idx", name=op.f("pk_merkle_node")),
    )
    op.create_table(
        "signed_tree_head",
        sa.Column("size", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("root", sa.LargeBinary(length=32), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("size", name=op.f("pk_signed_tree_head")),
    )
    assert head is not None
    op.bulk_insert(head, [{"id": 1, "size": 0, "frontier": b""}])

    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        for t in LOG_TABLES:
            op.execute(
                f"CREATE TRIGGER {t}_append_only BEFORE UPDATE OR DELETE ON {t} "
                "FOR EACH ROW EXECUTE FUNCTION ggzy_append_only()"
            )
            op.execute(
                f"CREATE TRIGGER {t}_no_truncate BEFORE TRUNCATE ON {t} "
                "FOR EACH STATEMENT EXECUTE FUNCTION ggzy_append_only()"
            )
        op.execute(
            "CREATE TRIGGER log_head_grows BEFORE UPDATE OR DELETE ON log_head "
            "FOR EACH ROW EXECUTE FUNCTION ggzy_head_grows()"
        )
        op.execute(
            "CREATE TRIGGER log_head_no_truncate BEFORE TRUNCATE ON log_head "
            "FOR EACH STATEMENT EXECUTE FUNCTION ggzy_append_only()"
        )
    else:
        for t in LOG_TABLES:
            for verb in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {t}_no_{verb.lower()} BEFORE {verb} ON {t} "
                    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
                )
        op.execute(
            "CREATE TRIGGER log_head_grows BEFORE UPDATE ON log_head WHEN NEW.size < OLD.size "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
        )
        op.execute(
            f"CREATE TRIGGER log_head_no_delete BEFORE DELETE ON log_head BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
        )


def downgrade() -> None:
    raise RuntimeError("the event log is never dropped by a migration")
