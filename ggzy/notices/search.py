"""公告检索 — full-text search that works for Chinese: bigram terms, words, synonyms, codes; newest first.

Index: text is cut into overlapping two-character terms (新乡市 → 新乡 乡市), Latin letters and digits into
their runs, and every code or number written with separators (XXZB-2026-0004, 2026-410702-47-01-000123) is
also one whole term without them (xxzb20260004), so a code matches exactly and never a longer code.

Query: each whitespace-separated word is cut into words (`segment.words`, jieba-rs with the platform's
dictionary); each word is a phrase of terms — an exact substring served by the index — or one of its synonyms
(`search_synonym`, read when the query runs); all the words must match. A word in double quotes is one exact
phrase, not cut and not expanded. The index is FTS5 on SQLite and a GIN index on PostgreSQL, never a `LIKE`
scan. Results come newest first by walking the index in publication order and stopping at the page size.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, column, func, literal, or_, select, table, text
from sqlalchemy.orm import Session

from ggzy.core.errors import Invalid
from ggzy.notices import segment
from ggzy.notices.models import Notice, NoticeTerms, SearchSynonym

_FTS = table("notice_fts", column("rowid"))
_RUNS = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[A-Za-z0-9]+")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# a code: runs of Latin letters and digits joined by - / _ . (project, section, approval codes; dates too)
_CODE = re.compile(r"[A-Za-z0-9]+(?:[-/_.][A-Za-z0-9]+)+")
_SEP = re.compile(r"[-/_.]")
MAX_WORDS = 8
MAX_ALTERNATIVES = 12


def tokens(s: str) -> list[str]:
    out: list[str] = []
    for run in _RUNS.findall(s):
        if _CJK.match(run):
            out.extend(_bigrams(run))
        else:
            out.append(run.lower())
    return out


def _bigrams(run: str) -> list[str]:
    return [run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)]


def code_term(code: str) -> str:
    """A code as one index term: lower case, without its separators."""
    return _SEP.sub("", code).lower()


def codes_in(s: str) -> list[str]:
    return [code_term(m) for m in _CODE.findall(s) if any(ch.isdigit() for ch in m)]


def terms_of(*fields: str, codes: Iterable[str] = ()) -> str:
    """The index terms of a notice: the terms of each field, then each code in them or given as one term."""
    out = [t for f in fields for t in tokens(f)]
    whole = dict.fromkeys([c for f in fields for c in codes_in(f)] + [code_term(c) for c in codes if c])
    return " ".join(out + [c for c in whole if c not in out])


# A query: every group must match; a group matches when one of its alternatives (a phrase of terms) does.
Group = list[list[str]]


def phrases(query: str, synonyms: Mapping[str, Sequence[str]] | None = None) -> list[Group]:
    """The groups of a query: each word cut into words, each word with its synonyms; codes whole."""
    synonyms = synonyms or {}
    out: list[Group] = []
    for word in _split(query)[:MAX_WORDS]:
        if word.startswith('"'):
            toks = tokens(word.strip('"'))
            if toks:
                out.append([toks])
            continue
        if _CODE.fullmatch(word) and any(ch.isdigit() for ch in word):
            out.append([[code_term(word)]])
            continue
        runs = _RUNS.findall(word)
        if any(len(r) == 1 and _CJK.match(r) for r in runs):
            if len(runs) == 1:
                raise Invalid("请至少输入两个汉字，或一个完整的词语", code="query-too-short")
            runs = [r for r in runs if not (len(r) == 1 and _CJK.match(r))]  # 线 of S229线: not a term alone
        for run in runs:
            if not _CJK.match(run):
                out.append([[run.lower()]])
                continue
            for w in [run] if run in synonyms else segment.words(run):
                alts = [w, *(a for a in synonyms.get(w, ()) if a != w)][:MAX_ALTERNATIVES]
                out.append([tokens(a) for a in alts if tokens(a)])
    return [g for g in out if g]


def _split(query: str) -> list[str]:
    """Whitespace-separated words; a "quoted phrase" stays one word (with its quotes)."""
    return [m.group(0) for m in re.finditer(r'"[^"]*"|\S+', query.replace("“", '"').replace("”", '"'))]


def synonym_table(session: Session) -> dict[str, list[str]]:
    rows = session.execute(select(SearchSynonym.word, SearchSynonym.alternatives)).all()
    table_ = {w: a.split() for w, a in rows}
    segment.learn(list(table_))
    return table_


@dataclass(frozen=True)
class Filters:
    kind: str | None = None
    region: str | None = None
    category: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    buyer: str | None = None  # the buyer's name (the feed per buyer)


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
    if f.buyer:
        stmt = stmt.join(Notice, Notice.id == t.notice_id).where(Notice.buyer == f.buyer)
    return stmt


def fts_match(groups: list[Group]) -> str:
    """The FTS5 query: phrases in quotes, alternatives with OR, groups with AND."""

    def alt(g: Group) -> str:
        q = " OR ".join('"' + " ".join(p) + '"' for p in g)
        return f"({q})" if len(g) > 1 else q

    return " AND ".join(alt(g) for g in groups)


def tsquery(groups: list[Group]) -> str:
    """The PostgreSQL query: every term of a phrase (its order is checked on the stored terms), OR, AND."""

    def alt(g: Group) -> str:
        q = " | ".join("(" + " & ".join(p) + ")" if len(p) > 1 else p[0] for p in g)
        return f"({q})" if len(g) > 1 else q

    return " & ".join(alt(g) for g in groups)


# PostgreSQL: a query the planner expects in fewer rows than this is answered from the GIN index and sorted (a code,
# a rare word); walking the newest rows backwards, recomputing each one's tsvector, would look at every row first.
RARE_ROWS = 10_000


def _pg_rare(session: Session, groups: list[Group], total: int) -> bool:
    """At most RARE_ROWS rows can match, by the lexeme frequencies ANALYZE keeps for the GIN index: a phrase is no
    more frequent than its rarest term, a group no more than its alternatives together, the query than its rarest
    group; a term not among the most common is no more frequent than the least common of them."""
    row = session.execute(
        text(
            "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
            "WHERE tablename = 'ix_notice_terms_tsv'"
        )
    ).first()
    if row is None or not row[0]:
        return False  # not analysed yet: walk the newest rows, as before
    freqs = dict(zip(row[0], row[1], strict=False))
    floor = min(freqs.values())
    bound = min(min(1.0, sum(min(freqs.get(t, floor) for t in p) for p in g)) for g in groups)
    return bool(bound * total < RARE_ROWS)


def _ids(
    session: Session, groups: list[Group], f: Filters, limit: int, top: int, low: int | None, *, rare: bool = False
) -> list[str]:
    t = NoticeTerms
    order: Any = t.id
    if not groups:
        stmt = select(t.notice_id)
    elif session.get_bind().dialect.name == "postgresql":
        if rare:
            order = t.id + 0  # not the primary key's order: the GIN index finds the few rows, then they are sorted
        # The GIN index answers the terms exactly; a phrase is then a run of whole terms in the stored terms.
        padded = literal(" ") + t.terms + literal(" ")
        stmt = select(t.notice_id).where(
            text("to_tsvector('simple', notice_terms.terms) @@ to_tsquery('simple', :tsq)").bindparams(
                tsq=tsquery(groups)
            ),
            *(
                or_(*(padded.contains(" " + " ".join(p) + " ", autoescape=True) for p in g))
                for g in groups
                if any(len(p) > 1 for p in g)
            ),
        )
    else:  # drive from FTS5 in rowid order, so LIMIT stops the walk early
        stmt = (
            select(t.notice_id)
            .select_from(_FTS)
            .join(t, t.id == _FTS.c.rowid)
            .where(text("notice_fts MATCH :m").bindparams(m=fts_match(groups)))
        )
        order = _FTS.c.rowid
    stmt = stmt.where(t.id < top if rare else order < top)
    if low is not None:
        stmt = stmt.where(t.id >= low if rare else order >= low)
    return list(session.execute(_filtered(stmt, f).order_by(order.desc()).limit(limit)).scalars())


def search(
    session: Session,
    query: str,
    filters: Filters,
    *,
    limit: int = 20,
    before: int | None = None,
    synonyms: Mapping[str, Sequence[str]] | None = None,
) -> list[Notice]:
    """Notices matching every word of the query (or a synonym) and the filters, newest first; `before` pages on.

    `synonyms` defaults to the officials' table (`search_synonym`); pass `{}` for none."""
    groups = phrases(query, synonym_table(session) if synonyms is None and query.strip() else synonyms)
    top = before if before is not None else (session.execute(select(func.max(NoticeTerms.id))).scalar() or 0) + 1
    ids: list[str] = []
    rare = bool(groups) and session.get_bind().dialect.name == "postgresql" and _pg_rare(session, groups, top)
    for window in (None,) if rare else WINDOWS:
        ids = _ids(session, groups, filters, limit, top, None if window is None else top - window, rare=rare)
        if len(ids) >= limit:
            break
    found = {n.id: n for n in session.execute(select(Notice).where(Notice.id.in_(ids))).scalars()} if ids else {}
    return [found[i] for i in ids if i in found]


def position(session: Session, notice_id: str) -> int | None:
    """The publication-order number of a notice (for paging with `before`)."""
    return session.execute(select(NoticeTerms.id).where(NoticeTerms.notice_id == notice_id)).scalar()
