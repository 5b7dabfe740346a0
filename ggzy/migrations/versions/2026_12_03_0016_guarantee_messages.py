"""Deposits: surrender and claim messages to guarantee issuers; a refund of held money names its payment and rule.

Revision ID: 0016
Revises: 0018
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0018"
branch_labels = None
depends_on = None


def _ts(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "deposit_guarantee_message",
        sa.Column("id", sa.String(26), nullable=False),
        sa.Column("message_id", sa.String(40), nullable=False),
        sa.Column("guarantee_id", sa.String(26), nullable=False),
        sa.Column("section_id", sa.String(26), nullable=False),
        sa.Column("org_id", sa.String(26), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("beneficiary", sa.String(18), nullable=False),
        sa.Column("ground", sa.String(40), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("decided_by", sa.String(26), nullable=False),
        _ts("created_at"),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _ts("sent_at", True),
        _ts("answered_at", True),
        sa.Column("answer_ref", sa.String(64), nullable=False),
        sa.Column("answer_reason", sa.String(500), nullable=False),
        sa.Column("last_error", sa.String(500), nullable=False),
        _ts("told_at", True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deposit_guarantee_message")),
        sa.UniqueConstraint("message_id", name=op.f("uq_deposit_guarantee_message_message_id")),
        sa.UniqueConstraint("guarantee_id", "kind", name=op.f("uq_deposit_guarantee_message_guarantee_id_kind")),
    )
    for col in ("guarantee_id", "section_id", "org_id", "status"):
        op.create_index(op.f(f"ix_deposit_guarantee_message_{col}"), "deposit_guarantee_message", [col])
    with op.batch_alter_table("deposit_guarantee") as batch:
        batch.add_column(_ts("disclosed_at", True))
    with op.batch_alter_table("deposit_refund") as batch:
        batch.add_column(sa.Column("payment_txn", sa.String(64), nullable=True))
        batch.add_column(sa.Column("rule_id", sa.String(60), nullable=True))
        batch.create_unique_constraint(op.f("uq_deposit_refund_payment_txn"), ["payment_txn"])
        # a second refund of one bidder, section and reason (a re-tender that fails again, a second withdrawal)
        batch.add_column(sa.Column("seq", sa.Integer(), nullable=False, server_default="1"))
        batch.drop_constraint(op.f("uq_deposit_refund_section_id_org_id_reason"), type_="unique")
        batch.create_unique_constraint(
            op.f("uq_deposit_refund_section_id_org_id_reason_seq"), ["section_id", "org_id", "reason", "seq"]
        )


def downgrade() -> None:
    with op.batch_alter_table("deposit_refund") as batch:
        batch.drop_constraint(op.f("uq_deposit_refund_section_id_org_id_reason_seq"), type_="unique")
        batch.create_unique_constraint(
            op.f("uq_deposit_refund_section_id_org_id_reason"), ["section_id", "org_id", "reason"]
        )
        batch.drop_column("seq")
        batch.drop_constraint(op.f("uq_deposit_refund_payment_txn"), type_="unique")
        batch.drop_column("rule_id")
        batch.drop_column("payment_txn")
    op.drop_table("deposit_guarantee_message")
    with op.batch_alter_table("deposit_guarantee") as batch:
        batch.drop_column("disclosed_at")
