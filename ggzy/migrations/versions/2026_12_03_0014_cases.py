"""Cases and credit: objections and complaints with their thread and clock pauses; credit records, sanctions,
objections, lookups of outside lists and enforcement checks (ggzy/cases, ggzy/credit).

Revision ID: 0014
Revises: 0010
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "credit_check",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("step", sa.String(length=20), nullable=False),
        sa.Column("section_id", sa.String(length=26), nullable=False),
        sa.Column("org_id", sa.String(length=26), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("trade_class", sa.String(length=20), nullable=True),
        sa.Column("region", sa.String(length=6), nullable=False),
        sa.Column("sanctions", sa.Text(), nullable=False),
        sa.Column("ref", sa.String(length=60), nullable=False),
        sa.Column("by_user", sa.String(length=26), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reviewed_by", sa.String(length=26), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_check")),
    )
    with op.batch_alter_table("credit_check", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_credit_check_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_credit_check_org_id"), ["org_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_credit_check_outcome"), ["outcome"], unique=False)
        batch_op.create_index(batch_op.f("ix_credit_check_section_id"), ["section_id"], unique=False)

    op.create_table(
        "credit_lookup",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("query", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hit", sa.Boolean(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("copy_path", sa.String(length=200), nullable=False),
        sa.Column("copy_size", sa.BigInteger(), nullable=False),
        sa.Column("by_user", sa.String(length=26), nullable=True),
        sa.Column("section_id", sa.String(length=26), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_lookup")),
    )
    with op.batch_alter_table("credit_lookup", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_credit_lookup_section_id"), ["section_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_credit_lookup_source"), ["source"], unique=False)

    op.create_table(
        "credit_record",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("org_id", sa.String(length=26), nullable=True),
        sa.Column("credit_code", sa.String(length=18), nullable=False),
        sa.Column("org_name", sa.String(length=200), nullable=False),
        sa.Column("person_name", sa.String(length=60), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("source_ref", sa.String(length=120), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("basis", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("notice_text", sa.Text(), nullable=False),
        sa.Column("notified_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("listed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("display_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("repair_requested_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("repaired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("repaired_late", sa.Boolean(), nullable=False),
        sa.Column("lookup_id", sa.String(length=26), nullable=True),
        sa.Column("recorded_by", sa.String(length=26), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organisation.id"], name=op.f("fk_credit_record_org_id_organisation")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_record")),
    )
    with op.batch_alter_table("credit_record", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_credit_record_credit_code"), ["credit_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_credit_record_org_id"), ["org_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_credit_record_source"), ["source"], unique=False)
        batch_op.create_index(batch_op.f("ix_credit_record_status"), ["status"], unique=False)

    op.create_table(
        "credit_objection",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("record_id", sa.String(length=26), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("filed_by", sa.String(length=26), nullable=False),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("with_source", sa.Boolean(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("upheld", sa.Boolean(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["record_id"], ["credit_record.id"], name=op.f("fk_credit_objection_record_id_credit_record")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_objection")),
    )
    with op.batch_alter_table("credit_objection", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_credit_objection_record_id"), ["record_id"], unique=False)

    op.create_table(
        "credit_sanction",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("record_id", sa.String(length=26), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=False),
        sa.Column("measure", sa.String(length=300), nullable=False),
        sa.Column("citation", sa.String(length=300), nullable=False),
        sa.Column("trade_classes", sa.String(length=100), nullable=False),
        sa.Column("regions", sa.String(length=200), nullable=False),
        sa.Column("starts", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["record_id"], ["credit_record.id"], name=op.f("fk_credit_sanction_record_id_credit_record")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_sanction")),
    )
    with op.batch_alter_table("credit_sanction", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_credit_sanction_credit_code"), ["credit_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_credit_sanction_record_id"), ["record_id"], unique=False)

    op.create_table(
        "case_file",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("regime", sa.String(length=20), nullable=False),
        sa.Column("matter", sa.String(length=20), nullable=False),
        sa.Column("section_id", sa.String(length=26), nullable=False),
        sa.Column("project_id", sa.String(length=26), nullable=False),
        sa.Column("sector", sa.String(length=20), nullable=False),
        sa.Column("complainant_org_id", sa.String(length=26), nullable=False),
        sa.Column("respondent_org_id", sa.String(length=26), nullable=False),
        sa.Column("regulator_sector", sa.String(length=20), nullable=True),
        sa.Column("filed_with_sector", sa.String(length=20), nullable=True),
        sa.Column("objection_id", sa.String(length=26), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("points", sa.Text(), nullable=False),
        sa.Column("claims", sa.Text(), nullable=False),
        sa.Column("known_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("filed_by", sa.String(length=26), nullable=False),
        sa.Column("hold_id", sa.String(length=26), nullable=True),
        sa.Column("suspension_hold_id", sa.String(length=26), nullable=True),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_late", sa.Boolean(), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("refusal_reason", sa.String(length=500), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("remedy", sa.String(length=30), nullable=True),
        sa.Column("decision", sa.Text(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_late", sa.Boolean(), nullable=False),
        sa.Column("decision_notice_id", sa.String(length=26), nullable=True),
        sa.Column("malicious", sa.Boolean(), nullable=False),
        sa.Column("complied_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["complainant_org_id"], ["organisation.id"], name=op.f("fk_case_file_complainant_org_id_organisation")
        ),
        sa.ForeignKeyConstraint(["objection_id"], ["case_file.id"], name=op.f("fk_case_file_objection_id_case_file")),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"], name=op.f("fk_case_file_project_id_project")),
        sa.ForeignKeyConstraint(
            ["respondent_org_id"], ["organisation.id"], name=op.f("fk_case_file_respondent_org_id_organisation")
        ),
        sa.ForeignKeyConstraint(["section_id"], ["section.id"], name=op.f("fk_case_file_section_id_section")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_file")),
        sa.UniqueConstraint("number", name=op.f("uq_case_file_number")),
    )
    with op.batch_alter_table("case_file", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_file_complainant_org_id"), ["complainant_org_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_file_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_file_next_due_at"), ["next_due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_file_objection_id"), ["objection_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_file_project_id"), ["project_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_file_regulator_sector"), ["regulator_sector"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_file_respondent_org_id"), ["respondent_org_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_file_section_id"), ["section_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_file_sector"), ["sector"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_file_status"), ["status"], unique=False)

    op.create_table(
        "case_entry",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("case_id", sa.String(length=26), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("by_user_id", sa.String(length=26), nullable=True),
        sa.Column("by_org_id", sa.String(length=26), nullable=True),
        sa.Column("by_role", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=True),
        sa.Column("file_path", sa.String(length=200), nullable=True),
        sa.Column("file_size", sa.BigInteger(), nullable=True),
        sa.Column("file_sha256", sa.String(length=64), nullable=True),
        sa.Column("to_org_id", sa.String(length=26), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case_file.id"], name=op.f("fk_case_entry_case_id_case_file")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_entry")),
    )
    with op.batch_alter_table("case_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_entry_case_id"), ["case_id"], unique=False)

    op.create_table(
        "case_pause",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("case_id", sa.String(length=26), nullable=False),
        sa.Column("clock", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case_file.id"], name=op.f("fk_case_pause_case_id_case_file")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_pause")),
    )
    with op.batch_alter_table("case_pause", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_pause_case_id"), ["case_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("case_pause", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_pause_case_id"))

    op.drop_table("case_pause")
    with op.batch_alter_table("case_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_entry_case_id"))

    op.drop_table("case_entry")
    with op.batch_alter_table("case_file", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_file_status"))
        batch_op.drop_index(batch_op.f("ix_case_file_sector"))
        batch_op.drop_index(batch_op.f("ix_case_file_section_id"))
        batch_op.drop_index(batch_op.f("ix_case_file_respondent_org_id"))
        batch_op.drop_index(batch_op.f("ix_case_file_regulator_sector"))
        batch_op.drop_index(batch_op.f("ix_case_file_project_id"))
        batch_op.drop_index(batch_op.f("ix_case_file_objection_id"))
        batch_op.drop_index(batch_op.f("ix_case_file_next_due_at"))
        batch_op.drop_index(batch_op.f("ix_case_file_kind"))
        batch_op.drop_index(batch_op.f("ix_case_file_complainant_org_id"))

    op.drop_table("case_file")
    with op.batch_alter_table("credit_sanction", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credit_sanction_record_id"))
        batch_op.drop_index(batch_op.f("ix_credit_sanction_credit_code"))

    op.drop_table("credit_sanction")
    with op.batch_alter_table("credit_objection", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credit_objection_record_id"))

    op.drop_table("credit_objection")
    with op.batch_alter_table("credit_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credit_record_status"))
        batch_op.drop_index(batch_op.f("ix_credit_record_source"))
        batch_op.drop_index(batch_op.f("ix_credit_record_org_id"))
        batch_op.drop_index(batch_op.f("ix_credit_record_credit_code"))

    op.drop_table("credit_record")
    with op.batch_alter_table("credit_lookup", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credit_lookup_source"))
        batch_op.drop_index(batch_op.f("ix_credit_lookup_section_id"))

    op.drop_table("credit_lookup")
    with op.batch_alter_table("credit_check", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credit_check_section_id"))
        batch_op.drop_index(batch_op.f("ix_credit_check_outcome"))
        batch_op.drop_index(batch_op.f("ix_credit_check_org_id"))
        batch_op.drop_index(batch_op.f("ix_credit_check_at"))

    op.drop_table("credit_check")
