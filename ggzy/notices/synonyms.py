"""检索近义词 — the officials' synonym table of the portal search: list, add, remove.

A row is one word of a query and what it also means: 道路 → 公路 市政道路 路面 …. The direction matters — 学校
also finds 中学 and 小学, but 中学 does not find 小学. Queries read the table each time they run
(`search.synonym_table`), so a change takes effect at once and nothing is re-indexed. The supervision office and the
administrator keep it (`policy.SEARCH_SYNONYMS`); each change is an event in the log.
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from ggzy.core import events, policy
from ggzy.core.actor import Actor
from ggzy.core.clock import Clock
from ggzy.core.errors import Invalid, NotFound
from ggzy.core.ids import new_id
from ggzy.notices.models import SearchSynonym

SYNONYM_ADDED = events.event_type("notices.synonym_added", "添加检索近义词")
SYNONYM_REMOVED = events.event_type("notices.synonym_removed", "删除检索近义词")

_WORD = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaffA-Za-z0-9]{2,20}")
_SPLIT = re.compile(r"[\s,，、;；/]+")
MAX_ALTERNATIVES = 12


def all_entries(session: Session) -> list[SearchSynonym]:
    return list(session.execute(select(SearchSynonym).order_by(SearchSynonym.word)).scalars())


def add(session: Session, actor: Actor, *, word: str, alternatives: str, note: str = "", clock: Clock) -> SearchSynonym:
    """Add a word and what it also means (words separated by spaces or 、), or replace the entry for that word."""
    policy.ensure(actor, policy.SEARCH_SYNONYMS)
    word = word.strip()
    if not _WORD.fullmatch(word):
        raise Invalid("词语应为2至20个汉字、字母或数字", code="bad-word")
    alts = list(dict.fromkeys(a for a in _SPLIT.split(alternatives.strip()) if a and a != word))
    if not alts:
        raise Invalid("请至少填写一个近义词（以空格或顿号分隔）", code="no-alternatives")
    bad = [a for a in alts if not _WORD.fullmatch(a)]
    if bad:
        raise Invalid(f"近义词「{bad[0]}」应为2至20个汉字、字母或数字", code="bad-alternative")
    if len(alts) > MAX_ALTERNATIVES:
        raise Invalid(f"一个词语最多{MAX_ALTERNATIVES}个近义词", code="too-many-alternatives")
    if len(note.strip()) > 200:
        raise Invalid("说明不超过200个字符", code="bad-note")
    row = session.execute(select(SearchSynonym).where(SearchSynonym.word == word)).scalar()
    if row is None:
        row = SearchSynonym(id=new_id(), word=word, created_at=clock.now())
        session.add(row)
    row.alternatives, row.note, row.created_by, row.created_at = (
        " ".join(alts),
        note.strip(),
        actor.user_id,
        clock.now(),
    )
    session.flush()
    events.record(
        session,
        actor,
        SYNONYM_ADDED,
        clock=clock,
        subject=("search_synonym", row.id),
        payload={"word": word, "alternatives": alts},
    )
    return row


def remove(session: Session, actor: Actor, *, synonym_id: str, clock: Clock) -> None:
    policy.ensure(actor, policy.SEARCH_SYNONYMS)
    row = session.get(SearchSynonym, synonym_id)
    if row is None:
        raise NotFound("近义词表中没有这一条", code="unknown-synonym")
    events.record(
        session,
        actor,
        SYNONYM_REMOVED,
        clock=clock,
        subject=("search_synonym", row.id),
        payload={"word": row.word, "alternatives": row.alternatives.split()},
    )
    session.delete(row)
    session.flush()
