"""信用表 — records, sanctions, objections, lookups of outside sources, and enforcement checks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ggzy.core.db import Base
from ggzy.core.types import UtcDateTime


class CreditRecord(Base):
    """A bad credit record of one entity (by unified social credit code) and, where named, its responsible person."""

    __tablename__ = "credit_record"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    org_id: Mapped[str | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    credit_code: Mapped[str] = mapped_column(String(18), index=True)
    org_name: Mapped[str] = mapped_column(String(200))
    person_name: Mapped[str] = mapped_column(String(60), default="")
    source: Mapped[str] = mapped_column(String(20), index=True)
    source_ref: Mapped[str] = mapped_column(String(120))  # decision number, case number, list name, alert id
    title: Mapped[str] = mapped_column(String(300))
    basis: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20), index=True)
    notice_text: Mapped[str] = mapped_column(Text, default="")
    notified_at: Mapped[datetime] = mapped_column(UtcDateTime)
    listed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    display_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    repair_requested_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    repaired_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    repaired_late: Mapped[bool] = mapped_column(Boolean, default=False)
    lookup_id: Mapped[str | None] = mapped_column(String(26))
    recorded_by: Mapped[str | None] = mapped_column(String(26))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Sanction(Base):
    """A limit a record carries: which trade classes, which regions (code prefixes; empty = everywhere), when."""

    __tablename__ = "credit_sanction"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    record_id: Mapped[str] = mapped_column(ForeignKey("credit_record.id"), index=True)
    credit_code: Mapped[str] = mapped_column(String(18), index=True)
    measure: Mapped[str] = mapped_column(String(300))
    citation: Mapped[str] = mapped_column(String(300))
    trade_classes: Mapped[str] = mapped_column(String(100))  # comma-separated TradeClass values
    regions: Mapped[str] = mapped_column(String(200), default="")  # comma-separated region-code prefixes
    starts: Mapped[datetime] = mapped_column(UtcDateTime)
    ends: Mapped[datetime | None] = mapped_column(UtcDateTime)  # None: while the entity stays listed


class CreditObjection(Base):
    __tablename__ = "credit_objection"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    record_id: Mapped[str] = mapped_column(ForeignKey("credit_record.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    filed_by: Mapped[str] = mapped_column(String(26))
    filed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    with_source: Mapped[bool] = mapped_column(Boolean, default=False)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    handled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    upheld: Mapped[bool | None] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(Text, default="")
    late: Mapped[bool] = mapped_column(Boolean, default=False)


class CreditLookup(Base):
    """One question put to an outside source, with what it answered (财库〔2016〕125号: keep a record of each check)."""

    __tablename__ = "credit_lookup"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    source: Mapped[str] = mapped_column(String(40), index=True)
    query: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    hit: Mapped[bool] = mapped_column(Boolean)
    digest: Mapped[str] = mapped_column(String(64))  # SHA-256 of the answer as received
    copy_path: Mapped[str] = mapped_column(String(200))  # the stored copy of the answer
    copy_size: Mapped[int] = mapped_column(BigInteger)
    by_user: Mapped[str | None] = mapped_column(String(26))
    section_id: Mapped[str | None] = mapped_column(String(26), index=True)


class CreditCheck(Base):
    """An enforcement check at a step of a trade, with the sanctions it found (the evidence kept with the step)."""

    __tablename__ = "credit_check"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    step: Mapped[str] = mapped_column(String(20))
    section_id: Mapped[str] = mapped_column(String(26), index=True)
    org_id: Mapped[str] = mapped_column(String(26), index=True)
    outcome: Mapped[str] = mapped_column(String(20), index=True)
    trade_class: Mapped[str | None] = mapped_column(String(20))
    region: Mapped[str] = mapped_column(String(6))
    sanctions: Mapped[str] = mapped_column(Text)  # JSON: [{id, measure, citation, ends}]
    ref: Mapped[str] = mapped_column(String(60), default="")  # e.g. the evaluation's id
    by_user: Mapped[str | None] = mapped_column(String(26))
    reviewed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # a refusal the supervision office has seen
    reviewed_by: Mapped[str | None] = mapped_column(String(26))
