"""公告表 — published notices (immutable once published) and their search terms."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from ggzy.core.db import Base
from ggzy.core.types import UtcDateTime


class Notice(Base):
    __tablename__ = "notice"
    __table_args__ = (Index("ix_notice_published", "published_at"),)

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    buyer: Mapped[str] = mapped_column(String(200))
    region: Mapped[str] = mapped_column(String(6), index=True)
    category: Mapped[str] = mapped_column(String(30), index=True)
    method: Mapped[str] = mapped_column(String(30))
    project_id: Mapped[str | None] = mapped_column(String(26), index=True)
    section_id: Mapped[str | None] = mapped_column(String(26), index=True)
    corrects_id: Mapped[str | None] = mapped_column(ForeignKey("notice.id"))
    published_at: Mapped[datetime] = mapped_column(UtcDateTime)
    published_by: Mapped[str | None] = mapped_column(String(26))


class NoticeTerms(Base):
    """Bigrams of a notice's searchable text, numbered in publication order (full-text on both databases).

    SQLite indexes `terms` in the FTS5 table `notice_fts` (rowid = id, kept by a trigger); PostgreSQL
    in a GIN index on `to_tsvector('simple', terms)`. Both are created by the migration.
    """

    __tablename__ = "notice_terms"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    notice_id: Mapped[str] = mapped_column(ForeignKey("notice.id"), unique=True)
    terms: Mapped[str] = mapped_column(Text)
    # The filters, beside the terms in publication order, so a filtered search walks one index backwards.
    kind: Mapped[str] = mapped_column(String(20), server_default=text("''"))
    region: Mapped[str] = mapped_column(String(6), server_default=text("''"))
    category: Mapped[str] = mapped_column(String(30), server_default=text("''"))
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (
        Index("ix_notice_terms_kind_id", "kind", "id"),
        Index("ix_notice_terms_category_id", "category", "id"),
        Index("ix_notice_terms_region_id", "region", "id"),
    )


class SearchSynonym(Base):
    """近义词 — a word of a portal query and what it also means (道路 → 公路 市政道路 …), edited by officials.

    Queries are expanded when they are run, so a change takes effect at once, without re-indexing."""

    __tablename__ = "search_synonym"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    word: Mapped[str] = mapped_column(String(20), unique=True)
    alternatives: Mapped[str] = mapped_column(String(400))  # words separated by spaces
    note: Mapped[str] = mapped_column(String(200), server_default=text("''"))
    created_by: Mapped[str | None] = mapped_column(String(26))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
