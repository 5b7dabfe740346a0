"""目录表 — each published version of the catalog, as data."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ggzy.core.db import Base
from ggzy.core.types import UtcDateTime


class CatalogVersion(Base):
    __tablename__ = "catalog_version"

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    published_at: Mapped[datetime] = mapped_column(UtcDateTime)
    published_by: Mapped[str | None] = mapped_column(String(26))
    note: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)  # canonical JSON of the thresholds
