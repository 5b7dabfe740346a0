"""预警表 — alerts raised by the red flags, routed to the responsible regulator; scan marks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ggzy.core.db import Base
from ggzy.core.types import UtcDateTime


class Alert(Base):
    __tablename__ = "alert"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    dedup_key: Mapped[str] = mapped_column(String(64), unique=True)
    flag_id: Mapped[str] = mapped_column(String(40), index=True)
    title: Mapped[str] = mapped_column(String(300))
    severity: Mapped[str] = mapped_column(String(10))
    legal_basis: Mapped[str] = mapped_column(String(300))
    evidence: Mapped[str] = mapped_column(Text)  # JSON: what was found, and the entities involved
    source: Mapped[str] = mapped_column(String(40))  # platform | imported:<file>
    project_id: Mapped[str | None] = mapped_column(String(26), index=True)
    section_id: Mapped[str | None] = mapped_column(String(26))
    subject: Mapped[str] = mapped_column(String(200))  # whom it is about (process, buyer, bidder)
    org_ids: Mapped[str] = mapped_column(Text, default="")  # space-separated organisation ids involved
    sector: Mapped[str] = mapped_column(String(20), index=True)
    region: Mapped[str] = mapped_column(String(6))
    regulator_org_id: Mapped[str | None] = mapped_column(String(26), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    assignee_id: Mapped[str | None] = mapped_column(String(26))
    assigned_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # since when the assignee holds it
    assigned_by: Mapped[str | None] = mapped_column(String(26))
    sanction_ref: Mapped[str] = mapped_column(String(100), default="")
    dismissal_reason: Mapped[str] = mapped_column(String(300), default="")
    occurrences: Mapped[int] = mapped_column(Integer, default=1)
    first_seen_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ScanMark(Base):
    """A section whose opened bids have been compared (live supervision), so it is compared once."""

    __tablename__ = "supervision_scan"

    section_id: Mapped[str] = mapped_column(String(26), primary_key=True)
    stage: Mapped[str] = mapped_column(String(20), primary_key=True)  # published | opened
    scanned_at: Mapped[datetime] = mapped_column(UtcDateTime)
    alerts: Mapped[int] = mapped_column(Integer, default=0)


class ImportRun(Base):
    """One `ggzy import` of OCDS data or of a trading centre's tables: what was read, kept, refused, and why
    (`report`: JSON of the problems by JSON path or by row, docs/ocds.md "Import")."""

    __tablename__ = "ocds_import"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # ocds | china:<mapping>
    source: Mapped[str] = mapped_column(String(500))  # the file names
    status: Mapped[str] = mapped_column(String(20))  # complete | truncated
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    read: Mapped[int] = mapped_column(Integer, default=0)  # releases and compiled releases read
    stored: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    records: Mapped[int] = mapped_column(Integer, default=0)  # records (ocids) written or recompiled
    report: Mapped[str] = mapped_column(Text, default="{}")


class ImportedRelease(Base):
    """An OCDS release as its publisher wrote it (canonical JSON text), one per (ocid, release id)."""

    __tablename__ = "ocds_release"
    __table_args__ = (UniqueConstraint("ocid", "release_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ocid: Mapped[str] = mapped_column(String(255))
    release_id: Mapped[str] = mapped_column(String(255))
    date: Mapped[str] = mapped_column(String(40))  # as written (RFC 3339); merging orders by it
    import_id: Mapped[str] = mapped_column(String(26), index=True)
    digest: Mapped[str] = mapped_column(String(64))  # SHA-256 of `data`: a re-import of the same release is a duplicate
    data: Mapped[str] = mapped_column(Text)


class ImportedRecord(Base):
    """The compiled release of one contracting process from another platform (merged from its releases as OCDS
    specifies, or imported compiled): what `ggzy analyze --imported` and history screening read."""

    __tablename__ = "ocds_record"

    ocid: Mapped[str] = mapped_column(String(255), primary_key=True)
    date: Mapped[str] = mapped_column(String(40))
    releases: Mapped[int] = mapped_column(Integer, default=0)  # releases merged (0: imported compiled)
    origin: Mapped[str] = mapped_column(String(20))  # releases | compiled | china:<mapping>
    import_id: Mapped[str] = mapped_column(String(26), index=True)
    digest: Mapped[str] = mapped_column(String(64))
    compiled: Mapped[str] = mapped_column(Text)
