"""One case workflow: the award's publicity objections become cases (copied into case_file and case_entry, then
award_objection is dropped); a case records which late acts were recorded and whether its acceptance was late;
contract-performance records (award_performance).

Revision ID: 0017
Revises: 0012
Create Date: 2026-12-03
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0019"
branch_labels = None
depends_on = None


def _copy_award_objections() -> None:
    """Each award_objection row becomes a case (same id and number, matter `result`) with its statement and, when
    answered, its answer in the thread. Its hold stays the case's hold (the case number is the objection's)."""
    conn = op.get_bind()
    rows = conn.execute(
        sa.text(
            "SELECT o.id, o.number, o.section_id, o.org_id, o.text, o.filed_by, o.filed_at, o.due_at, o.hold_id, o.answer,"
            " o.answered_by, o.answered_at, o.late, a.regime, s.project_id, p.sector, p.tenderer_org_id,"
            " p.agency_org_id"
            " FROM award_objection o JOIN award a ON a.id = o.award_id JOIN section s ON s.id = o.section_id"
            " JOIN project p ON p.id = s.project_id ORDER BY o.filed_at, o.id"
        )
    ).fetchall()
    case = sa.table(
        "case_file",
        *(
            sa.column(c)
            for c in [
                "id",
                "number",
                "kind",
                "regime",
                "matter",
                "section_id",
                "project_id",
                "sector",
                "complainant_org_id",
                "respondent_org_id",
                "status",
                "points",
                "claims",
                "known_at",
                "filed_at",
                "filed_by",
                "hold_id",
                "answer",
                "answered_at",
                "answered_late",
                "refusal_reason",
                "decision",
                "malicious",
                "decided_late",
                "accepted_late",
                "late_recorded",
                "next_due_at",
            ]
        ),
    )
    entry = sa.table(
        "case_entry",
        *(sa.column(c) for c in ["id", "case_id", "kind", "at", "by_user_id", "by_org_id", "by_role", "text"]),
    )
    for r in rows:
        first = next((line.strip() for line in r.text.splitlines() if line.strip()), r.text.strip())
        respondent = r.agency_org_id or r.tenderer_org_id
        conn.execute(
            case.insert().values(
                id=r.id,
                number=r.number,
                kind="objection",
                regime=r.regime,
                matter="result",
                section_id=r.section_id,
                project_id=r.project_id,
                sector=r.sector,
                complainant_org_id=r.org_id,
                respondent_org_id=respondent,
                status="answered" if r.answered_at is not None else "filed",
                points=json.dumps([first[:300]], ensure_ascii=False),
                claims=r.text,
                known_at=r.filed_at,
                filed_at=r.filed_at,
                filed_by=r.filed_by,
                hold_id=r.hold_id,
                answer=r.answer or "",
                answered_at=r.answered_at,
                answered_late=bool(r.late) and r.answered_at is not None,
                refusal_reason="",
                decision="",
                malicious=False,
                decided_late=False,
                accepted_late=False,
                late_recorded="answer" if r.late else "",  # the award's D02 was already raised for it
                next_due_at=r.due_at if r.answered_at is None else None,
            )
        )
        conn.execute(
            entry.insert().values(
                id=f"{r.id[:24]}S0",
                case_id=r.id,
                kind="statement",
                at=r.filed_at,
                by_user_id=r.filed_by or None,
                by_org_id=r.org_id,
                by_role="bidder",
                text=r.text,
            )
        )
        if r.answered_at is not None:
            conn.execute(
                entry.insert().values(
                    id=f"{r.id[:24]}A0",
                    case_id=r.id,
                    kind="answer",
                    at=r.answered_at,
                    by_user_id=r.answered_by,
                    by_org_id=respondent,
                    by_role="agency" if r.agency_org_id else "tenderer",
                    text=r.answer or "",
                )
            )


def upgrade() -> None:
    with op.batch_alter_table("case_file", schema=None) as batch_op:
        batch_op.add_column(sa.Column("accepted_late", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("late_recorded", sa.String(length=40), nullable=True))
    op.execute("UPDATE case_file SET accepted_late = false, late_recorded = ''")
    with op.batch_alter_table("case_file", schema=None) as batch_op:
        batch_op.alter_column("accepted_late", existing_type=sa.Boolean(), nullable=False)
        batch_op.alter_column("late_recorded", existing_type=sa.String(length=40), nullable=False)

    _copy_award_objections()
    with op.batch_alter_table("award_objection", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_award_objection_section_id"))
        batch_op.drop_index(batch_op.f("ix_award_objection_org_id"))
        batch_op.drop_index(batch_op.f("ix_award_objection_due_at"))
        batch_op.drop_index(batch_op.f("ix_award_objection_award_id"))
    op.drop_table("award_objection")

    op.create_table(
        "award_performance",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("contract_id", sa.String(length=26), nullable=False),
        sa.Column("section_id", sa.String(length=26), nullable=False),
        sa.Column("supplier_org_id", sa.String(length=26), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=True),
        sa.Column("file_path", sa.String(length=200), nullable=True),
        sa.Column("file_size", sa.BigInteger(), nullable=True),
        sa.Column("file_sha256", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("recorded_by", sa.String(length=26), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("objection", sa.Text(), nullable=False),
        sa.Column("objected_by", sa.String(length=26), nullable=True),
        sa.Column("objected_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("objection_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("handled_by", sa.String(length=26), nullable=True),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("upheld", sa.Boolean(), nullable=True),
        sa.Column("handling_note", sa.Text(), nullable=False),
        sa.Column("handled_late", sa.Boolean(), nullable=False),
        sa.Column("confirmed_by", sa.String(length=26), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("credit_record_id", sa.String(length=26), nullable=True),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["award_contract.id"], name=op.f("fk_award_performance_contract_id_award_contract")
        ),
        sa.ForeignKeyConstraint(["section_id"], ["section.id"], name=op.f("fk_award_performance_section_id_section")),
        sa.ForeignKeyConstraint(
            ["supplier_org_id"], ["organisation.id"], name=op.f("fk_award_performance_supplier_org_id_organisation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_award_performance")),
    )
    with op.batch_alter_table("award_performance", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_award_performance_contract_id"), ["contract_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_award_performance_section_id"), ["section_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_award_performance_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_award_performance_supplier_org_id"), ["supplier_org_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("award_performance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_award_performance_supplier_org_id"))
        batch_op.drop_index(batch_op.f("ix_award_performance_status"))
        batch_op.drop_index(batch_op.f("ix_award_performance_section_id"))
        batch_op.drop_index(batch_op.f("ix_award_performance_contract_id"))
    op.drop_table("award_performance")
    # the award objections stay cases: downgrading does not bring award_objection back
    with op.batch_alter_table("case_file", schema=None) as batch_op:
        batch_op.drop_column("late_recorded")
        batch_op.drop_column("accepted_late")
