"""公告检索 — full-text search that works for Chinese: bigram terms, phrase queries, newest first.

Text is cut into overlapping two-character terms (新乡市 → 新乡 乡市), so any query of two or more
characters is a phrase of terms: an exact substring match served by an index — FTS5 on SQLite, a GIN
index on PostgreSQL — never a `LIKE` scan. Results come newest first by walking the index in
publication order and stopping at the page size.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, column, func, select, table, text
from sqlalchemy.orm import Session

from ggzy.core.errors import Invalid
from ggzy.notices.models import Notice, NoticeTerms

_FTS = table("notice_fts", column("rowid"))
_RUNS = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[A-Za-z0-9]+")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def tokens(s: str) -> list[str]:
    out: list[str] = []
    for run in _RUNS.findall(s):
        if _CJK.match(run):
            out.extend([run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)])
        else:
            out.append(run.lower())
    return out


def terms_of(*fields: str) -> str:
    return " ".join(t for f in fields for t in tokens(f))


def phrases(query: str) -> list[list[str]]:
    """Each whitespace-separated word of the query is a phrase of terms that must all appear."""
    out = []
    for word in query.split()[:8]:
        toks = tokens(word)
        if toks:
            out.append(toks)
    if any(len(p) == 1 and len(p[0]) == 1 and _CJK.match(p[0]) for p in out):
        raise Invalid("请至少输入两个汉字，或一个完整的词语", code="query-too-short")
    return out


@dataclass(frozen=True)
class Filters:
    kind: str | None = None
    region: str | None = None
    category: str | None = None
    since: datetime | None = None
    until: datetime | None = None


# Search the newest notices first and widen only when a page is not full: common words stop early,
# rare words cost one index lookup over everything.
WINDOWS: tuple[int | None, ...] = (20_000, 200_000, None)


def _filtered(stmt: Select[Any], f: Filters) -> Select[Any]:
    t = NoticeTerms
    if f.kind:
        stmt = stmt.where(t.kind == f.kind)
    if f.region:
        stmt = stmt.where(t.region >= f.region, t.region < f.region[:-1] + chr(ord(f.region[-1]) + 1))
    if f.category:
        stmt = stmt.where(t.category == f.category)
    if f.since:
        stmt = stmt.where(t.published_at >= f.since)
    if f.until:
        stmt = stmt.where(t.published_at < f.until)
    return stmt


def _ids(session: Session, words: list[list[str]], f: Filters, limit: int, top: int, low: int | None) -> list[str]:
    t = NoticeTerms
    order: Any = t.id
    if not words:
        stmt = select(t.notice_id)
    elif session.get_bind().dialect.name == "postgresql":
        # The GIN index answers "all these terms" exactly; the phrase is then a substring of the stored terms.
        tsq = " & ".join(term for p in words for term in p)
        stmt = select(t.notice_id).where(
            text("to_tsvector('simple', notice_terms.terms) @@ to_tsquery('simple', :tsq)").bindparams(tsq=tsq),
            *(t.terms.contains(" ".join(p), autoescape=True) for p in words if len(p) > 1),
        )
    else:  # drive from FTS5 in rowid order, so LIMIT stops the walk early
        match = " AND ".join('"' + " ".join(p) + '"' for p in words)
        stmt = (
            select(t.notice_id)
            .select_from(_FTS)
            .join(t, t.id == _FTS.c.rowid)
            .where(text("notice_fts MATCH :m").bindparams(m=match))
        )
        order = _FTS.c.rowid
    stmt = stmt.where(order < top)
    if low is not None:
        stmt = stmt.where(order >= low)
    return list(session.execute(_filtered(stmt, f).order_by(order.desc()).limit(limit)).scalars())


def search(
    session: Session, query: str, filters: Filters, *, limit: int = 20, before: int | None = None
) -> list[Notice]:
    """Notices matching every word of the query and the filters, newest first; `before` pages on."""
    words = phrases(query)
    top = before if before is not None else (session.execute(select(func.max(NoticeTerms.id))).scalar() or 0) + 1
    ids: list[str] = []
    for window in WINDOWS:
        ids = _ids(session, words, filters, limit, top, None if window is None else top - window)
        if len(ids) >= limit:
            break
    found = {n.id: n for n in session.execute(select(Notice).where(Notice.id.in_(ids))).scalars()} if ids else {}
    return [found[i] for i in ids if i in found]


def position(session: Session, notice_id: str) -> int | None:
    """The publication-order number of a notice (for paging with `before`)."""
    return session.execute(select(NoticeTerms.id).where(NoticeTerms.notice_id == notice_id)).scalar()
