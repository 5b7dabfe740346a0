"""Federation: accredited trading platforms, their signed pushes (releases, trades, refusals), the outbox; records
received in the national exchange format.

Revision ID: 0019
Revises: 0012
Create Date: 2026-12-03 16:50:50.311005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fed_outbox",
        sa.Column("target", sa.String(length=300), nullable=False),
        sa.Column("cursor", sa.String(length=64), nullable=False),
        sa.Column("pushed", sa.Integer(), nullable=False),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint("target", name=op.f("pk_fed_outbox")),
    )
    op.create_table(
        "fed_platform",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("region", sa.String(length=6), nullable=False),
        sa.Column("ocid_prefix", sa.String(length=40), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=26), nullable=True),
        sa.Column("suspended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("suspend_reason", sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fed_platform")),
        sa.UniqueConstraint("code", name=op.f("uq_fed_platform_code")),
        sa.UniqueConstraint("ocid_prefix", name=op.f("uq_fed_platform_ocid_prefix")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_fed_platform_token_hash")),
    )
    with op.batch_alter_table("fed_platform", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fed_platform_status"), ["status"], unique=False)

    op.create_table(
        "fed_refusal",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("platform_id", sa.String(length=26), nullable=True),
        sa.Column("claimed", sa.String(length=40), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("detail", sa.String(length=500), nullable=False),
        sa.Column("ip", sa.String(length=45), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fed_refusal")),
    )
    with op.batch_alter_table("fed_refusal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fed_refusal_platform_id"), ["platform_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_fed_refusal_reason"), ["reason"], unique=False)

    op.create_table(
        "fed_release",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("platform_id", sa.String(length=26), nullable=False),
        sa.Column("ocid", sa.String(length=120), nullable=False),
        sa.Column("release_id", sa.String(length=160), nullable=False),
        sa.Column("tag", sa.String(length=40), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lag_seconds", sa.Integer(), nullable=False),
        sa.Column("skew_seconds", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fed_release")),
        sa.UniqueConstraint("ocid", "release_id", name=op.f("uq_fed_release_ocid_release_id")),
    )
    with op.batch_alter_table("fed_release", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fed_release_ocid"), ["ocid"], unique=False)
        batch_op.create_index(batch_op.f("ix_fed_release_platform_id"), ["platform_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_fed_release_received_at"), ["received_at"], unique=False)

    op.create_table(
        "fed_trade",
        sa.Column("ocid", sa.String(length=120), nullable=False),
        sa.Column("platform_id", sa.String(length=26), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("buyer", sa.String(length=200), nullable=False),
        sa.Column("method", sa.String(length=40), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("last_tag", sa.String(length=40), nullable=False),
        sa.Column("amount", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("awarded", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("supplier", sa.String(length=200), nullable=False),
        sa.Column("releases", sa.Integer(), nullable=False),
        sa.Column("first_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("screened", sa.Boolean(), nullable=False),
        sa.Column("alerts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("ocid", name=op.f("pk_fed_trade")),
    )
    with op.batch_alter_table("fed_trade", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fed_trade_screened"), ["screened"], unique=False)
        batch_op.create_index(batch_op.f("ix_fed_trade_last_at"), ["last_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_fed_trade_platform_id"), ["platform_id"], unique=False)

    op.create_table(
        "nx_record",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("object", sa.String(length=20), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("trade_id", sa.String(length=80), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=60), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nx_record")),
        sa.UniqueConstraint("object", "key", name=op.f("uq_nx_record_object_key")),
    )
    with op.batch_alter_table("nx_record", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_nx_record_trade_id"), ["trade_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("nx_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_nx_record_trade_id"))
    op.drop_table("nx_record")
    with op.batch_alter_table("fed_trade", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fed_trade_screened"))
        batch_op.drop_index(batch_op.f("ix_fed_trade_platform_id"))
        batch_op.drop_index(batch_op.f("ix_fed_trade_last_at"))

    op.drop_table("fed_trade")
    with op.batch_alter_table("fed_release", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fed_release_received_at"))
        batch_op.drop_index(batch_op.f("ix_fed_release_platform_id"))
        batch_op.drop_index(batch_op.f("ix_fed_release_ocid"))

    op.drop_table("fed_release")
    with op.batch_alter_table("fed_refusal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fed_refusal_reason"))
        batch_op.drop_index(batch_op.f("ix_fed_refusal_platform_id"))

    op.drop_table("fed_refusal")
    with op.batch_alter_table("fed_platform", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fed_platform_status"))

    op.drop_table("fed_platform")
    op.drop_table("fed_outbox")
