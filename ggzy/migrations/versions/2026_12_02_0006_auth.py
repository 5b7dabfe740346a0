"""Sign-in throttles per (account, address) and per address, one-time reset codes, 双人复核 requests.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sign_in_throttle",
        sa.Column("key", sa.String(length=160), nullable=False),
        sa.Column("scope", sa.String(length=8), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("lockouts", sa.Integer(), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("blocked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_sign_in_throttle")),
    )
    op.create_index(op.f("ix_sign_in_throttle_username"), "sign_in_throttle", ["username"])
    with op.batch_alter_table("app_user") as batch:
        batch.add_column(sa.Column("reset_code_hash", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("reset_code_expires_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "account_request",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.String(length=26), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=True),
        sa.Column("sector", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("requested_by", sa.String(length=26), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=26), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_account_request_user_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_request")),
    )
    op.create_index(op.f("ix_account_request_user_id"), "account_request", ["user_id"])
    op.create_index(op.f("ix_account_request_status"), "account_request", ["status"])


def downgrade() -> None:
    op.drop_index(op.f("ix_account_request_status"), table_name="account_request")
    op.drop_index(op.f("ix_account_request_user_id"), table_name="account_request")
    op.drop_table("account_request")
    with op.batch_alter_table("app_user") as batch:
        batch.drop_column("reset_code_expires_at")
        batch.drop_column("reset_code_hash")
    op.drop_index(op.f("ix_sign_in_throttle_username"), table_name="sign_in_throttle")
    op.drop_table("sign_in_throttle")
