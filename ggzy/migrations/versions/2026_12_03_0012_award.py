"""Award: candidate publicity and objections to the result, the award, the contract, the sealed dossier;
objections raised at the opening (bidding).

Revision ID: 0012
Revises: 0014
Create Date: 2026-12-03 13:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "award",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("section_id", sa.String(length=26), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("regime", sa.String(length=20), nullable=False),
        sa.Column("report_id", sa.String(length=26), nullable=False),
        sa.Column("report_sha256", sa.String(length=64), nullable=False),
        sa.Column("report_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("candidates", sa.Text(), nullable=False),
        sa.Column("publicity_notice_id", sa.String(length=26), nullable=False),
        sa.Column("published_by", sa.String(length=26), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("publish_due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_late", sa.Boolean(), nullable=False),
        sa.Column("publicity_ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("winner_org_id", sa.String(length=26), nullable=True),
        sa.Column("winner_rank", sa.Integer(), nullable=True),
        sa.Column("winner_price", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("awarded_by", sa.String(length=26), nullable=True),
        sa.Column("awarded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("notice_path", sa.String(length=80), nullable=True),
        sa.Column("notice_sha256", sa.String(length=64), nullable=True),
        sa.Column("result_notice_id", sa.String(length=26), nullable=True),
        sa.Column("report_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("supervisor_report", sa.Text(), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("report_overdue", sa.Boolean(), nullable=False),
        sa.Column("contract_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("contract_overdue", sa.Boolean(), nullable=False),
        sa.Column("next_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["section_id"], ["section.id"], name=op.f("fk_award_section_id_section")),
        sa.ForeignKeyConstraint(
            ["winner_org_id"], ["organisation.id"], name=op.f("fk_award_winner_org_id_organisation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_award")),
        sa.UniqueConstraint("section_id", "round", name=op.f("uq_award_section_id_round")),
    )
    with op.batch_alter_table("award", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_award_next_due_at"), ["next_due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_award_section_id"), ["section_id"], unique=False)

    op.create_table(
        "award_dossier",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("section_id", sa.String(length=26), nullable=False),
        sa.Column("project_id", sa.String(length=26), nullable=False),
        sa.Column("sealed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sealed_by", sa.String(length=26), nullable=True),
        sa.Column("manifest_path", sa.String(length=80), nullable=False),
        sa.Column("manifest_sha256", sa.String(length=64), nullable=False),
        sa.Column("files", sa.Integer(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("retention_years", sa.Integer(), nullable=False),
        sa.Column("retain_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retention_basis", sa.String(length=200), nullable=False),
        sa.Column("event_seq", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"], name=op.f("fk_award_dossier_project_id_project")),
        sa.ForeignKeyConstraint(["section_id"], ["section.id"], name=op.f("fk_award_dossier_section_id_section")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_award_dossier")),
        sa.UniqueConstraint("section_id", name=op.f("uq_award_dossier_section_id")),
    )
    with op.batch_alter_table("award_dossier", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_award_dossier_project_id"), ["project_id"], unique=False)

    op.create_table(
        "opening_objection",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("section_id", sa.String(length=26), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.String(length=26), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=26), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organisation.id"], name=op.f("fk_opening_objection_org_id_organisation")),
        sa.ForeignKeyConstraint(["section_id"], ["section.id"], name=op.f("fk_opening_objection_section_id_section")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opening_objection")),
    )
    with op.batch_alter_table("opening_objection", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_opening_objection_section_id"), ["section_id"], unique=False)

    op.create_table(
        "award_contract",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("award_id", sa.String(length=26), nullable=False),
        sa.Column("section_id", sa.String(length=26), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("path", sa.String(length=80), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("amount", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("security", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("duration_days", sa.Integer(), nullable=True),
        sa.Column("terms", sa.Text(), nullable=False),
        sa.Column("differences", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=26), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenderer_signed_by", sa.String(length=26), nullable=True),
        sa.Column("tenderer_signed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("winner_signed_by", sa.String(length=26), nullable=True),
        sa.Column("winner_signed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("signed_late", sa.Boolean(), nullable=False),
        sa.Column("notice_id", sa.String(length=26), nullable=True),
        sa.Column("publish_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["award_id"], ["award.id"], name=op.f("fk_award_contract_award_id_award")),
        sa.ForeignKeyConstraint(["section_id"], ["section.id"], name=op.f("fk_award_contract_section_id_section")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_award_contract")),
        sa.UniqueConstraint("award_id", name=op.f("uq_award_contract_award_id")),
    )
    with op.batch_alter_table("award_contract", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_award_contract_section_id"), ["section_id"], unique=False)

    op.create_table(
        "award_objection",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("award_id", sa.String(length=26), nullable=False),
        sa.Column("section_id", sa.String(length=26), nullable=False),
        sa.Column("org_id", sa.String(length=26), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("filed_by", sa.String(length=26), nullable=False),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hold_id", sa.String(length=26), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_by", sa.String(length=26), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["award_id"], ["award.id"], name=op.f("fk_award_objection_award_id_award")),
        sa.ForeignKeyConstraint(["org_id"], ["organisation.id"], name=op.f("fk_award_objection_org_id_organisation")),
        sa.ForeignKeyConstraint(["section_id"], ["section.id"], name=op.f("fk_award_objection_section_id_section")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_award_objection")),
        sa.UniqueConstraint("number", name=op.f("uq_award_objection_number")),
    )
    with op.batch_alter_table("award_objection", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_award_objection_award_id"), ["award_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_award_objection_due_at"), ["due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_award_objection_org_id"), ["org_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_award_objection_section_id"), ["section_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("award_objection", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_award_objection_section_id"))
        batch_op.drop_index(batch_op.f("ix_award_objection_org_id"))
        batch_op.drop_index(batch_op.f("ix_award_objection_due_at"))
        batch_op.drop_index(batch_op.f("ix_award_objection_award_id"))

    op.drop_table("award_objection")
    with op.batch_alter_table("award_contract", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_award_contract_section_id"))

    op.drop_table("award_contract")
    with op.batch_alter_table("opening_objection", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_opening_objection_section_id"))

    op.drop_table("opening_objection")
    with op.batch_alter_table("award_dossier", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_award_dossier_project_id"))

    op.drop_table("award_dossier")
    with op.batch_alter_table("award", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_award_section_id"))
        batch_op.drop_index(batch_op.f("ix_award_next_due_at"))

    op.drop_table("award")
