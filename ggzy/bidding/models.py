"""投标表 — tender documents, who downloaded or registered (secret until opening), bids, opening keys."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ggzy.core.db import Base
from ggzy.core.types import Money, UtcDateTime


class SectionDocument(Base):
    """招标文件 — a file issued with the tender notice."""

    __tablename__ = "section_document"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    section_id: Mapped[str] = mapped_column(ForeignKey("section.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    path: Mapped[str] = mapped_column(String(80))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UtcDateTime)


class DocumentAccess(Base):
    """下载与报名记录 — secret from every role until the opening (电子办法 art. 21); auditors after it."""

    __tablename__ = "document_access"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    section_id: Mapped[str] = mapped_column(ForeignKey("section.id"), index=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisation.id"))
    user_id: Mapped[str] = mapped_column(String(26))
    kind: Mapped[str] = mapped_column(String(10))  # download | register
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    ip: Mapped[str | None] = mapped_column(String(64))


class Bid(Base):
    """投标 — one sealed version of one bidder's bid; only the latest unwithdrawn version is opened."""

    __tablename__ = "bid"
    __table_args__ = (UniqueConstraint("section_id", "bidder_org_id", "round", "version"),)

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    section_id: Mapped[str] = mapped_column(ForeignKey("section.id"), index=True)
    bidder_org_id: Mapped[str] = mapped_column(ForeignKey("organisation.id"), index=True)
    submitted_by: Mapped[str] = mapped_column(String(26))
    round: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), index=True)
    envelope_path: Mapped[str] = mapped_column(String(80))
    envelope_size: Mapped[int] = mapped_column(Integer)
    envelope_digest: Mapped[str] = mapped_column(String(64))
    header: Mapped[str] = mapped_column(Text)
    receipt: Mapped[str] = mapped_column(Text)
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ip: Mapped[str | None] = mapped_column(String(64))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Known only after the opening:
    opened_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    failure: Mapped[str] = mapped_column(String(300), default="")
    price: Mapped[Decimal | None] = mapped_column(Money)
    duration_days: Mapped[int | None] = mapped_column(Integer)
    manifest: Mapped[str | None] = mapped_column(Text)
    archive_path: Mapped[str | None] = mapped_column(String(80))


class HolderKey(Base):
    """A key holder's public key, registered by the holder's own client (browser or `ggzy keyholder`).

    The private half is made and kept on the holder's side and never reaches the platform.
    """

    __tablename__ = "holder_key"

    user_id: Mapped[str] = mapped_column(ForeignKey("app_user.id"), primary_key=True)
    record: Mapped[str] = mapped_column(Text)  # {"v": 2, "public": base64 of the 65-byte P-256 point}
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class OpeningRecipient(Base):
    """One holder key a section's bids must share their content key to, fixed at publication (the key set)."""

    __tablename__ = "opening_recipient"

    section_id: Mapped[str] = mapped_column(ForeignKey("section.id"), primary_key=True)
    round: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("app_user.id"), primary_key=True)
    share_index: Mapped[int] = mapped_column(Integer)
    holder: Mapped[str] = mapped_column(String(20))  # centre | supervision | tenderer
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    key_id: Mapped[str] = mapped_column(String(64))


class SubmittedShare(Base):
    """One holder body's shares of every bid, unwrapped on the holder's side and handed in after the deadline
    (JSON {bid id: base64 share or null}, sealed with the platform's column key at rest); deleted once opened."""

    __tablename__ = "submitted_share"

    section_id: Mapped[str] = mapped_column(ForeignKey("section.id"), primary_key=True)
    round: Mapped[int] = mapped_column(Integer, primary_key=True)
    share_index: Mapped[int] = mapped_column(Integer, primary_key=True)
    submitted_by: Mapped[str] = mapped_column(String(26))
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime)
    sealed: Mapped[str] = mapped_column(Text)


class OpeningObjection(Base):
    """开标异议 — raised by a bidder at the opening and answered on the spot, both recorded (条例 art. 44)."""

    __tablename__ = "opening_objection"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    section_id: Mapped[str] = mapped_column(ForeignKey("section.id"), index=True)
    round: Mapped[int] = mapped_column(Integer)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisation.id"))
    text: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(26))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
