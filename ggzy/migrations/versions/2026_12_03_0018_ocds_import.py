"""Imported OCDS data: import runs with their reports, releases as published, compiled records (issue 14 item 2).

Revision ID: 0018
Revises: 0012
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ocds_import",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("read", sa.Integer(), nullable=False),
        sa.Column("stored", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("duplicates", sa.Integer(), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("report", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ocds_import")),
    )
    op.create_table(
        "ocds_release",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("ocid", sa.String(length=255), nullable=False),
        sa.Column("release_id", sa.String(length=255), nullable=False),
        sa.Column("date", sa.String(length=40), nullable=False),
        sa.Column("import_id", sa.String(length=26), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ocds_release")),
        sa.UniqueConstraint("ocid", "release_id", name=op.f("uq_ocds_release_ocid_release_id")),
    )
    with op.batch_alter_table("ocds_release", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ocds_release_import_id"), ["import_id"], unique=False)
    op.create_table(
        "ocds_record",
        sa.Column("ocid", sa.String(length=255), nullable=False),
        sa.Column("date", sa.String(length=40), nullable=False),
        sa.Column("releases", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=20), nullable=False),
        sa.Column("import_id", sa.String(length=26), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("compiled", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("ocid", name=op.f("pk_ocds_record")),
    )
    with op.batch_alter_table("ocds_record", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ocds_record_import_id"), ["import_id"], unique=False)


def downgrade() -> None:
    op.drop_table("ocds_record")
    op.drop_table("ocds_release")
    op.drop_table("ocds_import")
