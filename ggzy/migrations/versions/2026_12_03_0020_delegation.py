"""Delegation (委托代理): agency appointments; Idempotency-Key answers; who holds an assigned alert since when.

Existing projects that name an agency get a project appointment marked `migrated` (the agency was named at
registration, before the platform kept agreements), appointed at the project's registration, so nothing an
agency was doing stops at the upgrade; the tenderer can revoke it like any other.

Revision ID: 0020
Revises: 0012
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ggzy.core.ids import new_id

revision = "0020"
down_revision = "0017"
branch_labels = None
depends_on = None

MIGRATED_REF = "迁移补录（登记时已指定代理机构）"


def upgrade() -> None:
    op.create_table(
        "agency_appointment",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("tenderer_org_id", sa.String(length=26), nullable=False),
        sa.Column("agency_org_id", sa.String(length=26), nullable=False),
        sa.Column("project_id", sa.String(length=26), nullable=True),
        sa.Column("categories", sa.String(length=300), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("agreement_ref", sa.String(length=100), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("file_path", sa.String(length=200), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("file_size", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("appointed_by", sa.String(length=26), nullable=True),
        sa.Column("appointed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_by", sa.String(length=26), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoke_reason", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_org_id"], ["organisation.id"], name=op.f("fk_agency_appointment_agency_org_id_organisation")
        ),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"], name=op.f("fk_agency_appointment_project_id_project")),
        sa.ForeignKeyConstraint(
            ["tenderer_org_id"], ["organisation.id"], name=op.f("fk_agency_appointment_tenderer_org_id_organisation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agency_appointment")),
    )
    for column in ("agency_org_id", "project_id", "status", "tenderer_org_id"):
        op.create_index(op.f(f"ix_agency_appointment_{column}"), "agency_appointment", [column])
    op.create_table(
        "idempotency_key",
        sa.Column("principal", sa.String(length=80), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("path", sa.String(length=300), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("principal", "key", name=op.f("pk_idempotency_key")),
    )
    op.create_index(op.f("ix_idempotency_key_created_at"), "idempotency_key", ["created_at"])
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.add_column(sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("assigned_by", sa.String(length=26), nullable=True))

    conn = op.get_bind()
    project = sa.table(
        "project",
        sa.column("id", sa.String),
        sa.column("tenderer_org_id", sa.String),
        sa.column("agency_org_id", sa.String),
        sa.column("registered_at", sa.DateTime(timezone=True)),
    )
    appointment = sa.table(
        "agency_appointment",
        *(
            sa.column(c)
            for c in (
                "id",
                "tenderer_org_id",
                "agency_org_id",
                "project_id",
                "categories",
                "agreement_ref",
                "file_name",
                "file_path",
                "file_sha256",
                "file_size",
                "status",
                "source",
                "appointed_at",
                "revoke_reason",
            )
        ),
    )
    rows = conn.execute(
        sa.select(project.c.id, project.c.tenderer_org_id, project.c.agency_org_id, project.c.registered_at).where(
            project.c.agency_org_id.is_not(None)
        )
    ).all()
    for pid, tenderer, agency, at in rows:
        conn.execute(
            appointment.insert().values(
                id=new_id(),
                tenderer_org_id=tenderer,
                agency_org_id=agency,
                project_id=pid,
                categories="",
                agreement_ref=MIGRATED_REF,
                file_name="",
                file_path="",
                file_sha256="",
                file_size=0,
                status="active",
                source="migrated",
                appointed_at=at,
                revoke_reason="",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.drop_column("assigned_by")
        batch_op.drop_column("assigned_at")
    op.drop_index(op.f("ix_idempotency_key_created_at"), table_name="idempotency_key")
    op.drop_table("idempotency_key")
    for column in ("agency_org_id", "project_id", "status", "tenderer_org_id"):
        op.drop_index(op.f(f"ix_agency_appointment_{column}"), table_name="agency_appointment")
    op.drop_table("agency_appointment")
