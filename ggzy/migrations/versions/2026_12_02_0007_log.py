"""Sealed logs: secret events kept out of the public log until their disclosure; append-only like the log.

Revision ID: 0007
Revises: 0008
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0008"
branch_labels = None
depends_on = None

MESSAGE = "ggzy: the event log is append-only"

PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION ggzy_sealed_log_grows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' OR NEW.size < OLD.size OR NEW.nonce <> OLD.nonce OR NEW.name <> OLD.name
     OR (OLD.disclosed_seq IS NOT NULL AND NEW.disclosed_seq IS DISTINCT FROM OLD.disclosed_seq)
     OR (OLD.committed_size IS NOT NULL AND NEW.committed_size < OLD.committed_size) THEN
    RAISE EXCEPTION '{MESSAGE} (a sealed log may only grow)';
  END IF;
  RETURN NEW;
END $$;
"""


def upgrade() -> None:
    op.add_column("event", sa.Column("sealed_log", sa.String(length=80), nullable=True))
    op.add_column("event", sa.Column("sealed_idx", sa.BigInteger(), nullable=True))
    op.create_index(op.f("ix_event_sealed_log"), "event", ["sealed_log"])
    op.create_table(
        "sealed_log",
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("scope", sa.String(length=64), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("frontier", sa.LargeBinary(), nullable=False),
        sa.Column("nonce", sa.LargeBinary(length=32), nullable=False),
        sa.Column("committed_size", sa.BigInteger(), nullable=True),
        sa.Column("committed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("disclosed_seq", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_sealed_log")),
        sa.UniqueConstraint("scope", "generation", name=op.f("uq_sealed_log_scope_generation")),
    )
    op.create_table(
        "sealed_event",
        sa.Column("log", sa.String(length=80), nullable=False),
        sa.Column("idx", sa.BigInteger(), autoincrement=False, nullable=False),
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
        sa.Column("leaf", sa.LargeBinary(length=32), nullable=False),
        sa.PrimaryKeyConstraint("log", "idx", name=op.f("pk_sealed_event")),
        sa.UniqueConstraint("id", name=op.f("uq_sealed_event_id")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        op.execute(
            "CREATE TRIGGER sealed_event_append_only BEFORE UPDATE OR DELETE ON sealed_event "
            "FOR EACH ROW EXECUTE FUNCTION ggzy_append_only()"
        )
        op.execute(
            "CREATE TRIGGER sealed_log_grows BEFORE UPDATE OR DELETE ON sealed_log "
            "FOR EACH ROW EXECUTE FUNCTION ggzy_sealed_log_grows()"
        )
        for t in ("sealed_event", "sealed_log"):
            op.execute(
                f"CREATE TRIGGER {t}_no_truncate BEFORE TRUNCATE ON {t} "
                "FOR EACH STATEMENT EXECUTE FUNCTION ggzy_append_only()"
            )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER sealed_event_no_{verb.lower()} BEFORE {verb} ON sealed_event "
                f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
            )
        op.execute(
            "CREATE TRIGGER sealed_log_grows BEFORE UPDATE ON sealed_log WHEN NEW.size < OLD.size "
            "OR NEW.nonce <> OLD.nonce OR NEW.name <> OLD.name "
            "OR (OLD.disclosed_seq IS NOT NULL AND NEW.disclosed_seq IS NOT OLD.disclosed_seq) "
            "OR (OLD.committed_size IS NOT NULL AND NEW.committed_size < OLD.committed_size) "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
        )
        op.execute(
            f"CREATE TRIGGER sealed_log_no_delete BEFORE DELETE ON sealed_log BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
        )


def downgrade() -> None:
    raise RuntimeError("the event log is never dropped by a migration")
