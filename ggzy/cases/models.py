"""案件表 — cases, their thread (statements, evidence, questions, answers) and the pauses of their clocks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ggzy.core.db import Base
from ggzy.core.types import UtcDateTime


class Case(Base):
    __tablename__ = "case_file"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    regime: Mapped[str] = mapped_column(String(20))
    matter: Mapped[str] = mapped_column(String(20))
    section_id: Mapped[str] = mapped_column(ForeignKey("section.id"), index=True)
    project_id: Mapped[str] = mapped_column(ForeignKey("project.id"), index=True)
    sector: Mapped[str] = mapped_column(String(20), index=True)  # the project's: who regulates it
    complainant_org_id: Mapped[str] = mapped_column(ForeignKey("organisation.id"), index=True)
    respondent_org_id: Mapped[str] = mapped_column(ForeignKey("organisation.id"), index=True)
    regulator_sector: Mapped[str | None] = mapped_column(String(20), index=True)  # complaints: who handles it
    filed_with_sector: Mapped[str | None] = mapped_column(String(20))  # where the complainant sent it
    objection_id: Mapped[str | None] = mapped_column(ForeignKey("case_file.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    points: Mapped[str] = mapped_column(Text)  # JSON list of the points challenged
    claims: Mapped[str] = mapped_column(Text)
    known_at: Mapped[datetime] = mapped_column(UtcDateTime)
    filed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    filed_by: Mapped[str] = mapped_column(String(26))
    hold_id: Mapped[str | None] = mapped_column(String(26))
    suspension_hold_id: Mapped[str | None] = mapped_column(String(26))
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    answered_late: Mapped[bool] = mapped_column(Boolean, default=False)
    accepted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    accepted_late: Mapped[bool] = mapped_column(Boolean, default=False)
    late_recorded: Mapped[str] = mapped_column(String(40), default="")  # clocks whose lateness was recorded
    refusal_reason: Mapped[str] = mapped_column(String(500), default="")
    outcome: Mapped[str | None] = mapped_column(String(20))
    remedy: Mapped[str | None] = mapped_column(String(30))
    decision: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    decided_late: Mapped[bool] = mapped_column(Boolean, default=False)
    decision_notice_id: Mapped[str | None] = mapped_column(String(26))
    malicious: Mapped[bool] = mapped_column(Boolean, default=False)
    complied_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    next_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)


class CaseEntry(Base):
    """One item of a case's thread; evidence files are stored by core.files under server names."""

    __tablename__ = "case_entry"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("case_file.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    by_user_id: Mapped[str | None] = mapped_column(String(26))
    by_org_id: Mapped[str | None] = mapped_column(String(26))
    by_role: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    file_name: Mapped[str | None] = mapped_column(String(200))
    file_path: Mapped[str | None] = mapped_column(String(200))
    file_size: Mapped[int | None] = mapped_column(BigInteger)
    file_sha256: Mapped[str | None] = mapped_column(String(64))
    to_org_id: Mapped[str | None] = mapped_column(String(26))  # a question's addressee, who must answer next


class CasePause(Base):
    """A statutory clock of a case stopped for testing, expert review or a correction request."""

    __tablename__ = "case_pause"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("case_file.id"), index=True)
    clock: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(String(300))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
