"""专家库表 — the speciality tree, experts' profiles, relations, availability, status history; draws and calls.

A draw keeps what it publishes (the pseudonymous eligible list, the seed's sources and key string) beside
what it keeps secret until the evaluation ends (the key that turns expert ids into pseudonyms).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ggzy.core.db import Base
from ggzy.core.types import UtcDateTime


class Speciality(Base):
    """A node of the classification the supervision office maintains: "A08.01" sits under "A08"."""

    __tablename__ = "expert_speciality"

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    parent: Mapped[str | None] = mapped_column(String(20), index=True)


class Expert(Base):
    """A user with the EXPERT role, as the pool knows them."""

    __tablename__ = "expert"

    user_id: Mapped[str] = mapped_column(ForeignKey("app_user.id"), primary_key=True)
    region: Mapped[str] = mapped_column(String(6), index=True)
    employer_org_id: Mapped[str | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    employer_credit_code: Mapped[str] = mapped_column(String(18), index=True)
    employer_name: Mapped[str] = mapped_column(String(200), default="")
    title: Mapped[str] = mapped_column(String(60), default="")
    status: Mapped[str] = mapped_column(String(12), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ExpertSpeciality(Base):
    __tablename__ = "expert_speciality_link"

    user_id: Mapped[str] = mapped_column(ForeignKey("expert.user_id"), primary_key=True)
    code: Mapped[str] = mapped_column(ForeignKey("expert_speciality.code"), primary_key=True)


class Relation(Base):
    """A declared relation: an organisation (by credit code) the expert worked for, or a relative works for."""

    __tablename__ = "expert_relation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("expert.user_id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    credit_code: Mapped[str] = mapped_column(String(18), index=True)
    since: Mapped[date | None] = mapped_column(Date)
    until: Mapped[date | None] = mapped_column(Date)


class Unavailable(Base):
    """Dates (Beijing, inclusive) on which the expert cannot sit."""

    __tablename__ = "expert_unavailable"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("expert.user_id"), index=True)
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date] = mapped_column(Date)


class StatusChange(Base):
    """The history of an expert's standing: who changed it, when and why (each is also an event)."""

    __tablename__ = "expert_status_change"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("expert.user_id"), index=True)
    old: Mapped[str | None] = mapped_column(String(12))
    new: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str] = mapped_column(String(300))
    by: Mapped[str | None] = mapped_column(String(26))
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class Draw(Base):
    """One request for a committee of a section, from its commitment to its last accepted seat."""

    __tablename__ = "expert_draw"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    section_id: Mapped[str] = mapped_column(ForeignKey("section.id"), index=True)
    round: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12), index=True)
    requested_by: Mapped[str] = mapped_column(String(26))
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime)
    evaluation_on: Mapped[date] = mapped_column(Date)
    answer_minutes: Mapped[int] = mapped_column(Integer)
    seats: Mapped[str] = mapped_column(Text)  # JSON: the speciality code of each seat, in order ("*" = any)
    representatives: Mapped[str] = mapped_column(Text)  # JSON: the tenderer's representatives (user ids)
    region_rules: Mapped[str] = mapped_column(Text)  # JSON: {"exclude": [...], "require": [...]}
    eligible: Mapped[str] = mapped_column(Text)  # the published list: canonical JSON of pseudonyms per group
    eligible_sha256: Mapped[str] = mapped_column(String(64))
    ids_sha256: Mapped[str] = mapped_column(String(64))  # of the sorted expert ids (for the platform's own audit)
    salt: Mapped[bytes] = mapped_column(LargeBinary(32))  # secret until the evaluation ends
    commit_seq: Mapped[int] = mapped_column(BigInteger)
    opening_seq: Mapped[int] = mapped_column(BigInteger)
    opening_digest: Mapped[str] = mapped_column(String(64))
    checkpoint_size: Mapped[int | None] = mapped_column(BigInteger)
    checkpoint_root: Mapped[str | None] = mapped_column(String(64))
    seed_key: Mapped[str | None] = mapped_column(Text)
    next_index: Mapped[int] = mapped_column(Integer, default=0)
    shortfall: Mapped[str] = mapped_column(Text, default="")  # JSON {speciality: missing} when SHORT
    drawn_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Invitation(Base):
    """One call of one expert for one seat: the sequence index that drew them, and their answer."""

    __tablename__ = "expert_invitation"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    draw_id: Mapped[str] = mapped_column(ForeignKey("expert_draw.id"), index=True)
    seat: Mapped[int] = mapped_column(Integer)
    idx: Mapped[int] = mapped_column(Integer)
    pseudonym: Mapped[str] = mapped_column(String(64))
    expert_id: Mapped[str] = mapped_column(ForeignKey("expert.user_id"), index=True)
    status: Mapped[str] = mapped_column(String(12), index=True)
    invited_at: Mapped[datetime] = mapped_column(UtcDateTime)
    answer_by: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (UniqueConstraint("draw_id", "idx"),)
