"""Notice search filters beside the terms (kind, region, category, time), each indexed with the order.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (not a batch copy): on SQLite a copy would drop the FTS trigger on this table.
    op.add_column("notice_terms", sa.Column("kind", sa.String(length=20), server_default="", nullable=False))
    op.add_column("notice_terms", sa.Column("region", sa.String(length=6), server_default="", nullable=False))
    op.add_column("notice_terms", sa.Column("category", sa.String(length=30), server_default="", nullable=False))
    op.add_column("notice_terms", sa.Column("published_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE notice_terms SET kind = (SELECT kind FROM notice WHERE notice.id = notice_terms.notice_id), "
        "region = (SELECT region FROM notice WHERE notice.id = notice_terms.notice_id), "
        "category = (SELECT category FROM notice WHERE notice.id = notice_terms.notice_id), "
        "published_at = (SELECT published_at FROM notice WHERE notice.id = notice_terms.notice_id)"
    )
    op.create_index("ix_notice_terms_kind_id", "notice_terms", ["kind", "id"])
    op.create_index("ix_notice_terms_category_id", "notice_terms", ["category", "id"])
    op.create_index("ix_notice_terms_region_id", "notice_terms", ["region", "id"])


def downgrade() -> None:
    for name in ("ix_notice_terms_kind_id", "ix_notice_terms_category_id", "ix_notice_terms_region_id"):
        op.drop_index(name, table_name="notice_terms")
    for column in ("kind", "region", "category", "published_at"):
        op.drop_column("notice_terms", column)
