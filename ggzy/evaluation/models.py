"""评标表 — the evaluation room of a section, its members and their sheets, the cleared bids with their
results, the quote rounds of negotiated procedures, and written clarifications."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ggzy.core.db import Base
from ggzy.core.types import Money, UtcDateTime


class Evaluation(Base):
    """评标（评审）— one per section and round."""

    __tablename__ = "evaluation"
    __table_args__ = (UniqueConstraint("section_id", "round"),)

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    section_id: Mapped[str] = mapped_column(ForeignKey("section.id"), index=True)
    round: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    method: Mapped[str] = mapped_column(Text)  # methods.Method.to_json()
    status: Mapped[str] = mapped_column(String(20), index=True)
    chair_id: Mapped[str] = mapped_column(ForeignKey("app_user.id"))
    opened_by: Mapped[str] = mapped_column(String(26))
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ceiling: Mapped[Decimal | None] = mapped_column(Money)  # 最高投标限价
    tender_bill: Mapped[str | None] = mapped_column(Text)  # 招标工程量清单 (bills.Bill.to_json())
    signs: Mapped[str] = mapped_column(Text, default="[]")  # clearing's cross-bid signs
    quote_round: Mapped[int] = mapped_column(Integer, default=0)  # the open quote round, 0 = none open
    quote_final: Mapped[bool] = mapped_column(Boolean, default=False)  # the open (or last) round is the final one
    quotes_done: Mapped[bool] = mapped_column(Boolean, default=False)  # final quotes closed
    negotiation_record: Mapped[str] = mapped_column(Text, default="")  # 单一来源协商情况记录
    revealed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    result: Mapped[str | None] = mapped_column(Text)  # base price, outliers (after all submitted)
    report_path: Mapped[str | None] = mapped_column(String(80))
    report_sha256: Mapped[str | None] = mapped_column(String(64))
    report_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Member(Base):
    """评标委员会成员 — and their sheet, unreadable to anyone until every member has submitted."""

    __tablename__ = "evaluation_member"

    evaluation_id: Mapped[str] = mapped_column(ForeignKey("evaluation.id"), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("app_user.id"), primary_key=True)
    seat: Mapped[int] = mapped_column(Integer)  # 1..n: shown instead of names until the end (S4)
    is_chair: Mapped[bool] = mapped_column(Boolean, default=False)
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    sheet: Mapped[str | None] = mapped_column(Text)
    sheet_digest: Mapped[str | None] = mapped_column(String(64))


class EvaluatedBid(Base):
    """A bid as the committee sees it: cleared, then scored and ranked (or rejected with its ground)."""

    __tablename__ = "evaluation_bid"

    evaluation_id: Mapped[str] = mapped_column(ForeignKey("evaluation.id"), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisation.id"), primary_key=True)
    bid_id: Mapped[str | None] = mapped_column(String(26))
    name: Mapped[str] = mapped_column(String(200))
    price: Mapped[Decimal | None] = mapped_column(Money)  # as opened
    evaluated: Mapped[Decimal | None] = mapped_column(Money)  # after arithmetic correction or the final quote
    notes: Mapped[str] = mapped_column(Text, default="[]")  # clearing notes
    excluded: Mapped[bool] = mapped_column(Boolean, default=False)  # rejected by clearing, not reviewed
    ground: Mapped[str] = mapped_column(String(20), default="")
    reasons: Mapped[str] = mapped_column(Text, default="[]")
    subjective: Mapped[Decimal | None] = mapped_column(Money)
    price_score: Mapped[Decimal | None] = mapped_column(Money)
    total: Mapped[Decimal | None] = mapped_column(Money)
    rank: Mapped[int | None] = mapped_column(Integer)


class Quote(Base):
    """一轮报价 — a supplier's quote in a round of a negotiated procedure (the last round is the final quote)."""

    __tablename__ = "evaluation_quote"

    evaluation_id: Mapped[str] = mapped_column(ForeignKey("evaluation.id"), primary_key=True)
    round: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisation.id"), primary_key=True)
    price: Mapped[Decimal] = mapped_column(Money)
    final: Mapped[bool] = mapped_column(Boolean, default=False)
    submitted_by: Mapped[str] = mapped_column(String(26))
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Question(Base):
    """澄清 — a written question of the committee to a bidder, and the bidder's written answer (条例 art. 52)."""

    __tablename__ = "evaluation_question"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    evaluation_id: Mapped[str] = mapped_column(ForeignKey("evaluation.id"), index=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisation.id"), index=True)
    question: Mapped[str] = mapped_column(Text)
    asked_by: Mapped[str] = mapped_column(String(26))
    asked_at: Mapped[datetime] = mapped_column(UtcDateTime)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by: Mapped[str | None] = mapped_column(String(26))
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
