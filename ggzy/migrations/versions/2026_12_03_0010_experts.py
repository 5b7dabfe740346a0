"""Experts: the speciality tree, the expert pool (profiles, relations, availability, status history), draws and calls.

Revision ID: 0010
Revises: 0015
Create Date: 2026-12-03 13:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "expert_speciality",
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("parent", sa.String(length=20), nullable=True),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_expert_speciality")),
    )
    op.create_index(op.f("ix_expert_speciality_parent"), "expert_speciality", ["parent"])
    op.create_table(
        "expert",
        sa.Column("user_id", sa.String(length=26), nullable=False),
        sa.Column("region", sa.String(length=6), nullable=False),
        sa.Column("employer_org_id", sa.String(length=26), nullable=True),
        sa.Column("employer_credit_code", sa.String(length=18), nullable=False),
        sa.Column("employer_name", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=60), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["employer_org_id"], ["organisation.id"], name=op.f("fk_expert_employer_org_id_organisation")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_expert_user_id_app_user")),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_expert")),
    )
    op.create_index(op.f("ix_expert_employer_credit_code"), "expert", ["employer_credit_code"])
    op.create_index(op.f("ix_expert_employer_org_id"), "expert", ["employer_org_id"])
    op.create_index(op.f("ix_expert_region"), "expert", ["region"])
    op.create_index(op.f("ix_expert_status"), "expert", ["status"])
    op.create_table(
        "expert_draw",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("section_id", sa.String(length=26), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("requested_by", sa.String(length=26), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("evaluation_on", sa.Date(), nullable=False),
        sa.Column("answer_minutes", sa.Integer(), nullable=False),
        sa.Column("seats", sa.Text(), nullable=False),
        sa.Column("representatives", sa.Text(), nullable=False),
        sa.Column("region_rules", sa.Text(), nullable=False),
        sa.Column("eligible", sa.Text(), nullable=False),
        sa.Column("eligible_sha256", sa.String(length=64), nullable=False),
        sa.Column("ids_sha256", sa.String(length=64), nullable=False),
        sa.Column("salt", sa.LargeBinary(length=32), nullable=False),
        sa.Column("commit_seq", sa.BigInteger(), nullable=False),
        sa.Column("opening_seq", sa.BigInteger(), nullable=False),
        sa.Column("opening_digest", sa.String(length=64), nullable=False),
        sa.Column("checkpoint_size", sa.BigInteger(), nullable=True),
        sa.Column("checkpoint_root", sa.String(length=64), nullable=True),
        sa.Column("seed_key", sa.Text(), nullable=True),
        sa.Column("next_index", sa.Integer(), nullable=False),
        sa.Column("shortfall", sa.Text(), nullable=False),
        sa.Column("drawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["section_id"], ["section.id"], name=op.f("fk_expert_draw_section_id_section")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expert_draw")),
    )
    op.create_index(op.f("ix_expert_draw_section_id"), "expert_draw", ["section_id"])
    op.create_index(op.f("ix_expert_draw_status"), "expert_draw", ["status"])
    op.create_table(
        "expert_relation",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.String(length=26), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=False),
        sa.Column("since", sa.Date(), nullable=True),
        sa.Column("until", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["expert.user_id"], name=op.f("fk_expert_relation_user_id_expert")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expert_relation")),
    )
    op.create_index(op.f("ix_expert_relation_credit_code"), "expert_relation", ["credit_code"])
    op.create_index(op.f("ix_expert_relation_user_id"), "expert_relation", ["user_id"])
    op.create_table(
        "expert_speciality_link",
        sa.Column("user_id", sa.String(length=26), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["code"], ["expert_speciality.code"], name=op.f("fk_expert_speciality_link_code_expert_speciality")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["expert.user_id"], name=op.f("fk_expert_speciality_link_user_id_expert")),
        sa.PrimaryKeyConstraint("user_id", "code", name=op.f("pk_expert_speciality_link")),
    )
    op.create_table(
        "expert_status_change",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.String(length=26), nullable=False),
        sa.Column("old", sa.String(length=12), nullable=True),
        sa.Column("new", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("by", sa.String(length=26), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["expert.user_id"], name=op.f("fk_expert_status_change_user_id_expert")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expert_status_change")),
    )
    op.create_index(op.f("ix_expert_status_change_user_id"), "expert_status_change", ["user_id"])
    op.create_table(
        "expert_unavailable",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.String(length=26), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["expert.user_id"], name=op.f("fk_expert_unavailable_user_id_expert")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expert_unavailable")),
    )
    op.create_index(op.f("ix_expert_unavailable_user_id"), "expert_unavailable", ["user_id"])
    op.create_table(
        "expert_invitation",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("draw_id", sa.String(length=26), nullable=False),
        sa.Column("seat", sa.Integer(), nullable=False),
        sa.Column("idx", sa.Integer(), nullable=False),
        sa.Column("pseudonym", sa.String(length=64), nullable=False),
        sa.Column("expert_id", sa.String(length=26), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("invited_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answer_by", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["draw_id"], ["expert_draw.id"], name=op.f("fk_expert_invitation_draw_id_expert_draw")),
        sa.ForeignKeyConstraint(["expert_id"], ["expert.user_id"], name=op.f("fk_expert_invitation_expert_id_expert")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expert_invitation")),
        sa.UniqueConstraint("draw_id", "idx", name=op.f("uq_expert_invitation_draw_id_idx")),
    )
    op.create_index(op.f("ix_expert_invitation_answer_by"), "expert_invitation", ["answer_by"])
    op.create_index(op.f("ix_expert_invitation_draw_id"), "expert_invitation", ["draw_id"])
    op.create_index(op.f("ix_expert_invitation_expert_id"), "expert_invitation", ["expert_id"])
    op.create_index(op.f("ix_expert_invitation_status"), "expert_invitation", ["status"])


def downgrade() -> None:
    op.drop_table("expert_invitation")
    op.drop_table("expert_unavailable")
    op.drop_table("expert_status_change")
    op.drop_table("expert_speciality_link")
    op.drop_table("expert_relation")
    op.drop_table("expert_draw")
    op.drop_table("expert")
    op.drop_table("expert_speciality")
