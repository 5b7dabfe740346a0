"""项目表 — projects, their sections (标段/包), invitations for invited procedures, agency appointments."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Integer, LargeBinary, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ggzy.core.db import Base
from ggzy.core.types import Money, UtcDateTime


class Project(Base):
    __tablename__ = "project"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    approval_code: Mapped[str] = mapped_column(String(60), index=True)
    category: Mapped[str] = mapped_column(String(30))
    sector: Mapped[str] = mapped_column(String(20), index=True)
    method: Mapped[str] = mapped_column(String(30))
    estimate: Mapped[Decimal] = mapped_column(Money)
    state_funds_share: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    state_funds_amount: Mapped[Decimal] = mapped_column(Money)
    tenderer_org_id: Mapped[str] = mapped_column(ForeignKey("organisation.id"), index=True)
    agency_org_id: Mapped[str | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    region: Mapped[str] = mapped_column(String(6))
    status: Mapped[str] = mapped_column(String(20), index=True)
    catalog_version: Mapped[int] = mapped_column(Integer)
    must_trade: Mapped[bool] = mapped_column(Boolean)
    must_tender: Mapped[bool] = mapped_column(Boolean)
    must_open: Mapped[bool] = mapped_column(Boolean)
    decision: Mapped[str] = mapped_column(Text)
    exception_ref: Mapped[str] = mapped_column(String(100), default="")
    note: Mapped[str] = mapped_column(String(300), default="")
    registered_by: Mapped[str] = mapped_column(String(26))
    registered_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Section(Base):
    __tablename__ = "section"
    __table_args__ = (UniqueConstraint("project_id", "seq"),)

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    project_id: Mapped[str] = mapped_column(ForeignKey("project.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    estimate: Mapped[Decimal] = mapped_column(Money)
    status: Mapped[str] = mapped_column(String(20), index=True)
    round: Mapped[int] = mapped_column(Integer, default=1)
    documents_issued_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    documents_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    bid_deadline: Mapped[datetime | None] = mapped_column(UtcDateTime)
    opened_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    next_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    outcome_note: Mapped[str] = mapped_column(String(300), default="")
    opening_public_key: Mapped[bytes | None] = mapped_column(LargeBinary)
    opening_key_id: Mapped[str | None] = mapped_column(String(64))


class Invitation(Base):
    """邀请 — a supplier invited to an invited tender or a negotiation."""

    __tablename__ = "invitation"

    section_id: Mapped[str] = mapped_column(ForeignKey("section.id"), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisation.id"), primary_key=True)
    invited_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Appointment(Base):
    """委托代理 — a tenderer appoints an agency, for one project or for a period and a scope (trade classes).

    The agency agreement's reference and its file are kept; a revoked appointment stays, with who revoked it,
    when and why. An agency acts for a tenderer only while an active appointment covers the project
    (ggzy/projects/delegation.py)."""

    __tablename__ = "agency_appointment"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    tenderer_org_id: Mapped[str] = mapped_column(ForeignKey("organisation.id"), index=True)
    agency_org_id: Mapped[str] = mapped_column(ForeignKey("organisation.id"), index=True)
    project_id: Mapped[str | None] = mapped_column(ForeignKey("project.id"), index=True)  # None: a period and scope
    categories: Mapped[str] = mapped_column(String(300), default="")  # space-separated Category values (period)
    valid_from: Mapped[date | None] = mapped_column(Date)  # Beijing dates, both included (period)
    valid_until: Mapped[date | None] = mapped_column(Date)
    agreement_ref: Mapped[str] = mapped_column(String(100))
    file_name: Mapped[str] = mapped_column(String(200), default="")
    file_path: Mapped[str] = mapped_column(String(200), default="")
    file_sha256: Mapped[str] = mapped_column(String(64), default="")
    file_size: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(20), index=True)  # active | revoked
    source: Mapped[str] = mapped_column(String(20), default="platform")  # platform | migrated
    appointed_by: Mapped[str | None] = mapped_column(String(26))
    appointed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_by: Mapped[str | None] = mapped_column(String(26))
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoke_reason: Mapped[str] = mapped_column(String(300), default="")
