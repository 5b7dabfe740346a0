"""保证金表 — ledger accounts, journal entries and their postings (immutable), payments, refunds.

Amounts are integer fen (分): exact on SQLite and PostgreSQL alike, and no float can creep in.
Balances are never stored: an account's balance is the sum of its postings.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ggzy.core.db import Base
from ggzy.core.types import UtcDateTime


class LedgerAccount(Base):
    """An account of the ledger, named by a stable code (`payable:<section>:<org>`, `bank:<section>`, …)."""

    __tablename__ = "deposit_account"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    section_id: Mapped[str | None] = mapped_column(String(26), index=True)
    org_id: Mapped[str | None] = mapped_column(String(26), index=True)


class JournalEntry(Base):
    """One balanced transfer: its postings sum to zero. The idempotency key makes a retry one entry."""

    __tablename__ = "deposit_entry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    idempotency_key: Mapped[str] = mapped_column(String(120), unique=True)
    digest: Mapped[str] = mapped_column(String(64))  # of (kind, postings): the same key must mean the same transfer
    kind: Mapped[str] = mapped_column(String(30), index=True)
    section_id: Mapped[str | None] = mapped_column(String(26), index=True)
    memo: Mapped[str] = mapped_column(String(300), default="")
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class Posting(Base):
    """A leg of an entry: positive fen debit the account, negative fen credit it."""

    __tablename__ = "deposit_posting"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("deposit_entry.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("deposit_account.id"), index=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)


class Requirement(Base):
    """The security a section's notice asks for (≤ 2 %, checked by rule) and how it may be given."""

    __tablename__ = "deposit_requirement"

    section_id: Mapped[str] = mapped_column(String(26), primary_key=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    regime: Mapped[str] = mapped_column(String(20))
    bank_name: Mapped[str] = mapped_column(String(100))
    bid_validity_days: Mapped[int] = mapped_column(Integer, default=90)  # 投标有效期, from the tender documents
    set_at: Mapped[datetime] = mapped_column(UtcDateTime)


class BasicAccount(Base):
    """基本账户 — the bank account a bidder registered; cash security must come from it (条例 art. 26)."""

    __tablename__ = "deposit_basic_account"

    org_id: Mapped[str] = mapped_column(String(26), primary_key=True)
    account_no: Mapped[str] = mapped_column(String(40), index=True)
    bank_name: Mapped[str] = mapped_column(String(100))
    registered_at: Mapped[datetime] = mapped_column(UtcDateTime)


class SubAccount(Base):
    """A virtual sub-account at the partner bank, one per bidder and section: it names who paid for what."""

    __tablename__ = "deposit_sub_account"
    __table_args__ = (UniqueConstraint("section_id", "org_id"),)

    number: Mapped[str] = mapped_column(String(40), primary_key=True)
    section_id: Mapped[str] = mapped_column(String(26), index=True)
    org_id: Mapped[str] = mapped_column(String(26), index=True)
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Payment(Base):
    """A payment the bank reported (callback or statement), matched to a sub-account; the bank's id is unique."""

    __tablename__ = "deposit_payment"

    bank_txn_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    sub_account: Mapped[str] = mapped_column(String(40), index=True)
    section_id: Mapped[str] = mapped_column(String(26), index=True)
    org_id: Mapped[str] = mapped_column(String(26), index=True)
    payer_account: Mapped[str] = mapped_column(String(40))
    payer_name: Mapped[str] = mapped_column(String(200))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    paid_at: Mapped[datetime] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(20), index=True)  # accepted | held (not from the basic account)
    source: Mapped[str] = mapped_column(String(20))  # callback | statement
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Refund(Base):
    """退还 — one refund of one bidder's security in one section; the unique key makes it happen once.

    `seq` counts refunds of one bidder, section and reason: a bidder who withdraws, pays again and withdraws again,
    or a section that fails, is tendered again and fails again, is owed a second refund (prepared under the
    sub-account's lock, so a retry finds nothing owed and gets the refund already made)."""

    __tablename__ = "deposit_refund"
    __table_args__ = (UniqueConstraint("section_id", "org_id", "reason", "seq"),)

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    instruction_id: Mapped[str] = mapped_column(String(40), unique=True)  # the bank's idempotency key
    section_id: Mapped[str] = mapped_column(String(26), index=True)
    org_id: Mapped[str] = mapped_column(String(26), index=True)
    reason: Mapped[str] = mapped_column(String(20))  # withdrawn | concluded
    seq: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    principal_fen: Mapped[int] = mapped_column(BigInteger)
    interest_fen: Mapped[int] = mapped_column(BigInteger)
    to_account: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    prepared_at: Mapped[datetime] = mapped_column(UtcDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    bank_ref: Mapped[str] = mapped_column(String(64), default="")
    last_error: Mapped[str] = mapped_column(Text, default="")
    # money held from a wrong account goes back to its payer, one refund per payment (reason "held:<digest>")
    payment_txn: Mapped[str | None] = mapped_column(String(64), unique=True)
    rule_id: Mapped[str | None] = mapped_column(String(60))  # the rule its due date came from (ggzy/rules)


class Forfeiture(Base):
    """不予退还 — security kept where the law allows it, decided by an operator with a stated reason."""

    __tablename__ = "deposit_forfeiture"
    __table_args__ = (UniqueConstraint("section_id", "org_id"),)

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    section_id: Mapped[str] = mapped_column(String(26), index=True)
    org_id: Mapped[str] = mapped_column(String(26), index=True)
    ground: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(String(500))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    decided_by: Mapped[str] = mapped_column(String(26))
    decided_at: Mapped[datetime] = mapped_column(UtcDateTime)


class StatementRow(Base):
    """A statement row that could not be read or matched, kept for review with its reason."""

    __tablename__ = "deposit_statement_row"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    file_digest: Mapped[str] = mapped_column(String(64), index=True)
    row: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(String(300))
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class GuaranteeIssuer(Base):
    """保函出具机构 — a bank, guarantor or insurer the supervision office registered, with its signing key."""

    __tablename__ = "deposit_issuer"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    kind: Mapped[str] = mapped_column(String(20))  # bank | guarantor | insurer
    public_key: Mapped[str] = mapped_column(String(64))  # Ed25519, hex
    integrated: Mapped[bool] = mapped_column(Boolean, default=False)  # applications through the platform
    status: Mapped[str] = mapped_column(String(20))  # active | suspended
    registered_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Guarantee(Base):
    """电子保函 — a bidder's guarantee for a section, as verified; one current guarantee per bidder and section."""

    __tablename__ = "deposit_guarantee"
    __table_args__ = (UniqueConstraint("section_id", "org_id"),)

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    section_id: Mapped[str] = mapped_column(String(26), index=True)
    org_id: Mapped[str] = mapped_column(String(26), index=True)
    issuer_id: Mapped[str] = mapped_column(String(26), index=True)
    number: Mapped[str] = mapped_column(String(64))
    mode: Mapped[str] = mapped_column(String(20))  # open | integrated
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    valid_until: Mapped[str] = mapped_column(String(10))  # ISO date, as the guarantee says
    sha256: Mapped[str] = mapped_column(String(64))
    document: Mapped[str] = mapped_column(Text)  # the signed guarantee file, as received
    applicant_id: Mapped[str] = mapped_column(String(26))  # who attached or applied (an agent for several is a sign)
    terms_nonce: Mapped[str] = mapped_column(
        String(64), default=""
    )  # sealed terms: disclosed to the issuer at the opening
    status: Mapped[str] = mapped_column(String(20), index=True)  # valid | surrendered | claimed
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # integrated: when the issuer was told, after the opening, which section and beneficiary it guaranteed
    disclosed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class GuaranteeMessage(Base):
    """退保与索赔 — what the platform tells a guarantee's issuer at the end of the trade (surrender) or on a legal
    ground for keeping the security (claim), and the issuer's answer; one of each kind per guarantee, ever.

    `release` rows record an open guarantee released by the platform itself (no issuer is told: the bidder keeps
    its paper). `message_id` is the issuer's idempotency key: a lost answer or a retry sends the same id."""

    __tablename__ = "deposit_guarantee_message"
    __table_args__ = (UniqueConstraint("guarantee_id", "kind"),)

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    message_id: Mapped[str] = mapped_column(String(40), unique=True)
    guarantee_id: Mapped[str] = mapped_column(String(26), index=True)
    section_id: Mapped[str] = mapped_column(String(26), index=True)
    org_id: Mapped[str] = mapped_column(String(26), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # surrender | release | claim
    status: Mapped[str] = mapped_column(String(20), index=True)  # pending | sent | failed | done | refused | offline
    amount_fen: Mapped[int] = mapped_column(BigInteger, default=0)  # a claim's amount (the guarantee's)
    beneficiary: Mapped[str] = mapped_column(String(18), default="")  # a claim's beneficiary (the tenderer's code)
    ground: Mapped[str] = mapped_column(String(40), default="")
    reason: Mapped[str] = mapped_column(String(500), default="")
    decided_by: Mapped[str] = mapped_column(String(26), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    answer_ref: Mapped[str] = mapped_column(String(64), default="")
    answer_reason: Mapped[str] = mapped_column(String(500), default="")
    last_error: Mapped[str] = mapped_column(String(500), default="")
    told_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # the bidder was told of the outcome
