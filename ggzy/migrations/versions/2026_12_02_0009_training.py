"""Training mode: one row when the database is a training database (its period factor).

Revision ID: 0009
Revises: 0013
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "platform_mode",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("training_factor", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_platform_mode")),
    )


def downgrade() -> None:
    op.drop_table("platform_mode")
