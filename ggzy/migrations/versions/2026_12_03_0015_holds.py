"""Holds: a trade's next move stopped by an open case (ggzy/core/holds.py).

Revision ID: 0015
Revises: 0007
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "trade_hold",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("section_id", sa.String(length=26), nullable=False),
        sa.Column("steps", sa.String(length=100), nullable=False),
        sa.Column("case_number", sa.String(length=60), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lifted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["section_id"], ["section.id"], name=op.f("fk_trade_hold_section_id_section")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trade_hold")),
    )
    op.create_index(op.f("ix_trade_hold_section_id"), "trade_hold", ["section_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_trade_hold_section_id"), table_name="trade_hold")
    op.drop_table("trade_hold")
