"""Key holders keep their own keys: the server stores holders' public keys only, and each section's key set.

The password-wrapped holder key pairs made by the server and the opening-key shares sealed to them are
deleted: a holder registers a key made on their own side (browser or `ggzy keyholder init`).

Revision ID: 0008
Revises: 0009
Create Date: 2026-12-02 16:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "opening_recipient",
        sa.Column("section_id", sa.String(length=26), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=26), nullable=False),
        sa.Column("share_index", sa.Integer(), nullable=False),
        sa.Column("holder", sa.String(length=20), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("key_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["section_id"], ["section.id"], name=op.f("fk_opening_recipient_section_id_section")),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_opening_recipient_user_id_app_user")),
        sa.PrimaryKeyConstraint("section_id", "round", "user_id", name=op.f("pk_opening_recipient")),
    )
    op.drop_table("sealed_share")
    op.execute("DELETE FROM submitted_share")
    op.execute("DELETE FROM holder_key")


def downgrade() -> None:
    op.create_table(
        "sealed_share",
        sa.Column("section_id", sa.String(length=26), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=26), nullable=False),
        sa.Column("share_index", sa.Integer(), nullable=False),
        sa.Column("holder", sa.String(length=20), nullable=False),
        sa.Column("commitment", sa.String(length=64), nullable=False),
        sa.Column("blob", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["section_id"], ["section.id"], name=op.f("fk_sealed_share_section_id_section")),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_sealed_share_user_id_app_user")),
        sa.PrimaryKeyConstraint("section_id", "round", "user_id", name=op.f("pk_sealed_share")),
    )
    op.drop_table("opening_recipient")
    op.execute("DELETE FROM holder_key")
