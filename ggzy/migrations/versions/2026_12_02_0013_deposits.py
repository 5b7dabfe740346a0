"""Deposits: the double-entry ledger (accounts, entries, postings: append-only), payments, refunds, forfeitures.

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-02 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0011"
branch_labels = None
depends_on = None

APPEND_ONLY = ("deposit_entry", "deposit_posting")
MESSAGE = "ggzy: the deposit ledger is append-only"


def _ts(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "deposit_account",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("code", sa.String(120), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("section_id", sa.String(26), nullable=True),
        sa.Column("org_id", sa.String(26), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deposit_account")),
        sa.UniqueConstraint("code", name=op.f("uq_deposit_account_code")),
    )
    op.create_index(op.f("ix_deposit_account_kind"), "deposit_account", ["kind"])
    op.create_index(op.f("ix_deposit_account_section_id"), "deposit_account", ["section_id"])
    op.create_index(op.f("ix_deposit_account_org_id"), "deposit_account", ["org_id"])
    op.create_table(
        "deposit_entry",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("idempotency_key", sa.String(120), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("section_id", sa.String(26), nullable=True),
        sa.Column("memo", sa.String(300), nullable=False),
        _ts("at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deposit_entry")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_deposit_entry_idempotency_key")),
    )
    op.create_index(op.f("ix_deposit_entry_kind"), "deposit_entry", ["kind"])
    op.create_index(op.f("ix_deposit_entry_section_id"), "deposit_entry", ["section_id"])
    op.create_table(
        "deposit_posting",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["deposit_entry.id"], name=op.f("fk_deposit_posting_entry_id_deposit_entry")
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["deposit_account.id"], name=op.f("fk_deposit_posting_account_id_deposit_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deposit_posting")),
    )
    op.create_index(op.f("ix_deposit_posting_entry_id"), "deposit_posting", ["entry_id"])
    op.create_index(op.f("ix_deposit_posting_account_id"), "deposit_posting", ["account_id"])
    op.create_table(
        "deposit_requirement",
        sa.Column("section_id", sa.String(26), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("regime", sa.String(20), nullable=False),
        sa.Column("bank_name", sa.String(100), nullable=False),
        sa.Column("bid_validity_days", sa.Integer(), nullable=False),
        _ts("set_at"),
        sa.PrimaryKeyConstraint("section_id", name=op.f("pk_deposit_requirement")),
    )
    op.create_table(
        "deposit_basic_account",
        sa.Column("org_id", sa.String(26), nullable=False),
        sa.Column("account_no", sa.String(40), nullable=False),
        sa.Column("bank_name", sa.String(100), nullable=False),
        _ts("registered_at"),
        sa.PrimaryKeyConstraint("org_id", name=op.f("pk_deposit_basic_account")),
    )
    op.create_index(op.f("ix_deposit_basic_account_account_no"), "deposit_basic_account", ["account_no"])
    op.create_table(
        "deposit_sub_account",
        sa.Column("number", sa.String(40), nullable=False),
        sa.Column("section_id", sa.String(26), nullable=False),
        sa.Column("org_id", sa.String(26), nullable=False),
        _ts("opened_at"),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_deposit_sub_account")),
        sa.UniqueConstraint("section_id", "org_id", name=op.f("uq_deposit_sub_account_section_id_org_id")),
    )
    op.create_index(op.f("ix_deposit_sub_account_section_id"), "deposit_sub_account", ["section_id"])
    op.create_index(op.f("ix_deposit_sub_account_org_id"), "deposit_sub_account", ["org_id"])
    op.create_table(
        "deposit_payment",
        sa.Column("bank_txn_id", sa.String(64), nullable=False),
        sa.Column("sub_account", sa.String(40), nullable=False),
        sa.Column("section_id", sa.String(26), nullable=False),
        sa.Column("org_id", sa.String(26), nullable=False),
        sa.Column("payer_account", sa.String(40), nullable=False),
        sa.Column("payer_name", sa.String(200), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        _ts("paid_at"),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        _ts("received_at"),
        sa.PrimaryKeyConstraint("bank_txn_id", name=op.f("pk_deposit_payment")),
    )
    for col in ("sub_account", "section_id", "org_id", "status"):
        op.create_index(op.f(f"ix_deposit_payment_{col}"), "deposit_payment", [col])
    op.create_table(
        "deposit_refund",
        sa.Column("id", sa.String(26), nullable=False),
        sa.Column("instruction_id", sa.String(40), nullable=False),
        sa.Column("section_id", sa.String(26), nullable=False),
        sa.Column("org_id", sa.String(26), nullable=False),
        sa.Column("reason", sa.String(20), nullable=False),
        sa.Column("principal_fen", sa.BigInteger(), nullable=False),
        sa.Column("interest_fen", sa.BigInteger(), nullable=False),
        sa.Column("to_account", sa.String(40), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _ts("due_at"),
        _ts("prepared_at"),
        _ts("sent_at", True),
        _ts("confirmed_at", True),
        sa.Column("bank_ref", sa.String(64), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deposit_refund")),
        sa.UniqueConstraint("instruction_id", name=op.f("uq_deposit_refund_instruction_id")),
        sa.UniqueConstraint("section_id", "org_id", "reason", name=op.f("uq_deposit_refund_section_id_org_id_reason")),
    )
    for col in ("section_id", "org_id", "status", "due_at"):
        op.create_index(op.f(f"ix_deposit_refund_{col}"), "deposit_refund", [col])
    op.create_table(
        "deposit_forfeiture",
        sa.Column("id", sa.String(26), nullable=False),
        sa.Column("section_id", sa.String(26), nullable=False),
        sa.Column("org_id", sa.String(26), nullable=False),
        sa.Column("ground", sa.String(40), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("decided_by", sa.String(26), nullable=False),
        _ts("decided_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deposit_forfeiture")),
        sa.UniqueConstraint("section_id", "org_id", name=op.f("uq_deposit_forfeiture_section_id_org_id")),
    )
    op.create_index(op.f("ix_deposit_forfeiture_section_id"), "deposit_forfeiture", ["section_id"])
    op.create_index(op.f("ix_deposit_forfeiture_org_id"), "deposit_forfeiture", ["org_id"])

    op.create_table(
        "deposit_statement_row",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("file_digest", sa.String(64), nullable=False),
        sa.Column("row", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("reason", sa.String(300), nullable=False),
        _ts("at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deposit_statement_row")),
    )
    op.create_index(op.f("ix_deposit_statement_row_file_digest"), "deposit_statement_row", ["file_digest"])

    op.create_table(
        "deposit_issuer",
        sa.Column("id", sa.String(26), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("credit_code", sa.String(18), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("public_key", sa.String(64), nullable=False),
        sa.Column("integrated", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        _ts("registered_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deposit_issuer")),
        sa.UniqueConstraint("credit_code", name=op.f("uq_deposit_issuer_credit_code")),
    )
    op.create_table(
        "deposit_guarantee",
        sa.Column("id", sa.String(26), nullable=False),
        sa.Column("section_id", sa.String(26), nullable=False),
        sa.Column("org_id", sa.String(26), nullable=False),
        sa.Column("issuer_id", sa.String(26), nullable=False),
        sa.Column("number", sa.String(64), nullable=False),
        sa.Column("mode", sa.String(20), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("valid_until", sa.String(10), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("applicant_id", sa.String(26), nullable=False),
        sa.Column("terms_nonce", sa.String(64), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        _ts("received_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deposit_guarantee")),
        sa.UniqueConstraint("section_id", "org_id", name=op.f("uq_deposit_guarantee_section_id_org_id")),
    )
    for col in ("section_id", "org_id", "issuer_id", "status"):
        op.create_index(op.f(f"ix_deposit_guarantee_{col}"), "deposit_guarantee", [col])

    if op.get_bind().dialect.name == "postgresql":
        for t in APPEND_ONLY:  # ggzy_append_only() comes with the event log (0001)
            op.execute(
                f"CREATE TRIGGER {t}_append_only BEFORE UPDATE OR DELETE ON {t} "
                "FOR EACH ROW EXECUTE FUNCTION ggzy_append_only()"
            )
            op.execute(
                f"CREATE TRIGGER {t}_no_truncate BEFORE TRUNCATE ON {t} "
                "FOR EACH STATEMENT EXECUTE FUNCTION ggzy_append_only()"
            )
    else:
        for t in APPEND_ONLY:
            for verb in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {t}_no_{verb.lower()} BEFORE {verb} ON {t} BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
                )


def downgrade() -> None:
    raise RuntimeError("the deposit ledger is never dropped by a migration")
