"""定标表 — one award per section and round (its publicity, the winner, the notice, the clocks), the contract, its
performance records, and the sealed dossier. Objections to the result during publicity are cases (ggzy/cases)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ggzy.core.db import Base
from ggzy.core.types import Money, UtcDateTime


class Award(Base):
    """中标候选人公示与定标 — from the signed report to the award notice, for one section and round."""

    __tablename__ = "award"
    __table_args__ = (UniqueConstraint("section_id", "round"),)

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    section_id: Mapped[str] = mapped_column(ForeignKey("section.id"), index=True)
    round: Mapped[int] = mapped_column(Integer)
    regime: Mapped[str] = mapped_column(String(20))
    report_id: Mapped[str] = mapped_column(String(26))  # the evaluation whose signed report this follows
    report_sha256: Mapped[str] = mapped_column(String(64))
    report_at: Mapped[datetime] = mapped_column(UtcDateTime)
    candidates: Mapped[str] = mapped_column(Text)  # canonical JSON: rank, org, name, score, price
    publicity_notice_id: Mapped[str] = mapped_column(String(26))
    published_by: Mapped[str] = mapped_column(String(26))
    published_at: Mapped[datetime] = mapped_column(UtcDateTime)
    publish_due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    published_late: Mapped[bool] = mapped_column(Boolean, default=False)
    publicity_ends_at: Mapped[datetime] = mapped_column(UtcDateTime)
    winner_org_id: Mapped[str | None] = mapped_column(ForeignKey("organisation.id"))
    winner_rank: Mapped[int | None] = mapped_column(Integer)
    winner_price: Mapped[Decimal | None] = mapped_column(Money)
    reason: Mapped[str] = mapped_column(String(500), default="")  # why not the first candidate (条例 art. 55)
    awarded_by: Mapped[str | None] = mapped_column(String(26))
    awarded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    notice_path: Mapped[str | None] = mapped_column(String(80))  # 中标通知书 (PDF)
    notice_sha256: Mapped[str | None] = mapped_column(String(64))
    result_notice_id: Mapped[str | None] = mapped_column(String(26))
    report_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # written report to the supervisor
    supervisor_report: Mapped[str] = mapped_column(Text, default="")
    reported_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    report_overdue: Mapped[bool] = mapped_column(Boolean, default=False)
    contract_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    contract_overdue: Mapped[bool] = mapped_column(Boolean, default=False)
    next_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)


class Contract(Base):
    """合同 — drafted from the award or uploaded by the tenderer, signed by the tenderer and the winner."""

    __tablename__ = "award_contract"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    award_id: Mapped[str] = mapped_column(ForeignKey("award.id"), unique=True)
    section_id: Mapped[str] = mapped_column(ForeignKey("section.id"), index=True)
    source: Mapped[str] = mapped_column(String(10))  # draft | upload
    path: Mapped[str] = mapped_column(String(80))
    sha256: Mapped[str] = mapped_column(String(64))
    amount: Mapped[Decimal] = mapped_column(Money)
    security: Mapped[Decimal] = mapped_column(Money)  # 履约保证金
    duration_days: Mapped[int | None] = mapped_column(Integer)
    terms: Mapped[str] = mapped_column(Text, default="")  # essential terms as stated
    differences: Mapped[str] = mapped_column(Text, default="[]")  # departures from the award (条例 art. 57)
    created_by: Mapped[str] = mapped_column(String(26))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    tenderer_signed_by: Mapped[str | None] = mapped_column(String(26))
    tenderer_signed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    winner_signed_by: Mapped[str | None] = mapped_column(String(26))
    winner_signed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    signed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    signed_late: Mapped[bool] = mapped_column(Boolean, default=False)
    notice_id: Mapped[str | None] = mapped_column(String(26))
    publish_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Dossier(Base):
    """交易档案 — the sealed dossier of a section: one manifest whose SHA-256 is in the log."""

    __tablename__ = "award_dossier"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    section_id: Mapped[str] = mapped_column(ForeignKey("section.id"), unique=True)
    project_id: Mapped[str] = mapped_column(ForeignKey("project.id"), index=True)
    sealed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    sealed_by: Mapped[str | None] = mapped_column(String(26))
    manifest_path: Mapped[str] = mapped_column(String(80))
    manifest_sha256: Mapped[str] = mapped_column(String(64))
    files: Mapped[int] = mapped_column(Integer)
    size: Mapped[int] = mapped_column(BigInteger)
    retention_years: Mapped[int] = mapped_column(Integer)
    retain_until: Mapped[datetime] = mapped_column(UtcDateTime)
    retention_basis: Mapped[str] = mapped_column(String(200))
    event_seq: Mapped[int | None] = mapped_column(BigInteger)


class Performance(Base):
    """履约评价 — the tenderer's (purchaser's) record of how a signed contract was performed; the supplier sees it
    and may object once; an adverse one confirmed by the supervisor becomes a credit record."""

    __tablename__ = "award_performance"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    contract_id: Mapped[str] = mapped_column(ForeignKey("award_contract.id"), index=True)
    section_id: Mapped[str] = mapped_column(ForeignKey("section.id"), index=True)
    supplier_org_id: Mapped[str] = mapped_column(ForeignKey("organisation.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    file_name: Mapped[str | None] = mapped_column(String(200))
    file_path: Mapped[str | None] = mapped_column(String(200))
    file_size: Mapped[int | None] = mapped_column(BigInteger)
    file_sha256: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20), index=True)
    recorded_by: Mapped[str] = mapped_column(String(26))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    objection: Mapped[str] = mapped_column(Text, default="")
    objected_by: Mapped[str | None] = mapped_column(String(26))
    objected_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    objection_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    handled_by: Mapped[str | None] = mapped_column(String(26))
    handled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    upheld: Mapped[bool | None] = mapped_column(Boolean)
    handling_note: Mapped[str] = mapped_column(Text, default="")
    handled_late: Mapped[bool] = mapped_column(Boolean, default=False)
    confirmed_by: Mapped[str | None] = mapped_column(String(26))
    confirmed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    credit_record_id: Mapped[str | None] = mapped_column(String(26))
