"""接入平台表 — accredited platforms, their pushed releases and trades, refused pushes, the outbox cursor."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ggzy.core.db import Base
from ggzy.core.types import UtcDateTime


class Platform(Base):
    __tablename__ = "fed_platform"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)  # what it sends as X-Platform
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    region: Mapped[str] = mapped_column(String(6))
    ocid_prefix: Mapped[str] = mapped_column(String(40), unique=True)  # its registered OCDS prefix
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256 of its API token (never the token)
    public_key: Mapped[str] = mapped_column(String(64))  # its Ed25519 public key, hex
    status: Mapped[str] = mapped_column(String(20), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str | None] = mapped_column(String(26))
    suspended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    suspend_reason: Mapped[str] = mapped_column(String(300), default="")


class PushedRelease(Base):
    """One OCDS release an accredited platform pushed, exactly as it was signed."""

    __tablename__ = "fed_release"
    __table_args__ = (UniqueConstraint("ocid", "release_id"),)

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    platform_id: Mapped[str] = mapped_column(String(26), index=True)
    ocid: Mapped[str] = mapped_column(String(120), index=True)
    release_id: Mapped[str] = mapped_column(String(160))
    tag: Mapped[str] = mapped_column(String(40))
    released_at: Mapped[datetime] = mapped_column(UtcDateTime)  # release.date: when the event happened there
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    lag_seconds: Mapped[int] = mapped_column(Integer)  # received_at - released_at
    skew_seconds: Mapped[int] = mapped_column(Integer)  # the push's X-Timestamp - our clock
    sha256: Mapped[str] = mapped_column(String(64))  # of the release's canonical JSON
    body: Mapped[str] = mapped_column(Text)


class PushedTrade(Base):
    """A pushed trade (one ocid) as its latest release shows it: what the portal lists."""

    __tablename__ = "fed_trade"

    ocid: Mapped[str] = mapped_column(String(120), primary_key=True)
    platform_id: Mapped[str] = mapped_column(String(26), index=True)
    title: Mapped[str] = mapped_column(String(300))
    buyer: Mapped[str] = mapped_column(String(200))
    method: Mapped[str] = mapped_column(String(40))
    category: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    last_tag: Mapped[str] = mapped_column(String(40))
    amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))  # tender value, 元
    awarded: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))  # award value, 元
    supplier: Mapped[str] = mapped_column(String(200), default="")
    releases: Mapped[int] = mapped_column(Integer, default=0)
    first_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    screened: Mapped[bool] = mapped_column(Boolean, default=False, index=True)  # the indicators ran on all of it
    alerts: Mapped[int] = mapped_column(Integer, default=0)


class Refusal(Base):
    """A refused push: which platform it claimed to be, why, and what (never its token or key)."""

    __tablename__ = "fed_refusal"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    platform_id: Mapped[str | None] = mapped_column(String(26), index=True)
    claimed: Mapped[str] = mapped_column(String(40))  # the X-Platform header as sent (cut)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    reason: Mapped[str] = mapped_column(String(40), index=True)
    detail: Mapped[str] = mapped_column(String(500), default="")
    ip: Mapped[str | None] = mapped_column(String(45))


class Outbox(Base):
    """The pushing side: how far this platform's own releases have been pushed to the platform it is accredited by."""

    __tablename__ = "fed_outbox"

    target: Mapped[str] = mapped_column(String(300), primary_key=True)
    cursor: Mapped[str] = mapped_column(String(64), default="")
    pushed: Mapped[int] = mapped_column(Integer, default=0)
    last_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str] = mapped_column(String(300), default="")


class NationalRecord(Base):
    """A record received in the national exchange format (ggzy/federation/national.py), in the platform's keys."""

    __tablename__ = "nx_record"
    __table_args__ = (UniqueConstraint("object", "key"),)

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    object: Mapped[str] = mapped_column(String(20))
    key: Mapped[str] = mapped_column(String(200))
    trade_id: Mapped[str] = mapped_column(String(80), index=True, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)  # its row in what was received
    body: Mapped[str] = mapped_column(Text)  # canonical JSON of the record in our keys
    source: Mapped[str] = mapped_column(String(60))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
