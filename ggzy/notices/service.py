"""信息发布 — publish a notice: numbered, immutable, indexed for search, one public event.

Callers (projects, bidding, timers) check who may publish; this verb only publishes. A correction
never overwrites: it is a new notice linked to the one it corrects.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ggzy.core import events
from ggzy.core.actor import Actor
from ggzy.core.calendar import local_date
from ggzy.core.clock import Clock
from ggzy.core.errors import Invalid, NotFound
from ggzy.core.ids import new_id
from ggzy.notices.models import Notice, NoticeTerms
from ggzy.notices.search import codes_in, terms_of
from ggzy.notices.states import NoticeKind

NOTICE_PUBLISHED = events.event_type("notices.published", "发布公告", public=True)


NUMBER_TRIES = 5


def _number(session: Session, kind: NoticeKind, year: int) -> str:
    """The next number of the kind and year: one more than the highest (two nodes may take it at once: see publish)."""
    prefix = f"{kind.prefix}{year}"
    top = session.execute(select(func.max(Notice.number)).where(Notice.number.like(f"{prefix}%"))).scalar_one()
    n = int(top[len(prefix) :]) if top else 0
    return f"{prefix}{n + 1:06d}"


def publish(
    session: Session,
    actor: Actor,
    *,
    kind: NoticeKind,
    title: str,
    body: str,
    buyer: str,
    region: str,
    category: str,
    method: str,
    clock: Clock,
    project_id: str | None = None,
    section_id: str | None = None,
    corrects_id: str | None = None,
    scope: str | None = None,
    codes: Sequence[str] = (),
) -> Notice:
    """`codes`: the project's and section's codes (and any other number) the notice is found by, whole."""
    title, body = title.strip(), body.strip()
    if not 4 <= len(title) <= 300:
        raise Invalid("公告标题应为4至300个字符", code="bad-title")
    if not body:
        raise Invalid("公告正文不能为空", code="empty-body")
    if corrects_id is not None and session.get(Notice, corrects_id) is None:
        raise NotFound("被更正的公告不存在")
    now = clock.now()
    notice = Notice(
        id=new_id(),
        number=_number(session, kind, local_date(now).year),
        kind=kind.value,
        title=title,
        body=body,
        buyer=buyer,
        region=region,
        category=category,
        method=method,
        project_id=project_id,
        section_id=section_id,
        corrects_id=corrects_id,
        published_at=now,
        published_by=actor.user_id,
    )
    for attempt in range(NUMBER_TRIES):  # another node took this number in the meantime: take the next one
        try:
            with session.begin_nested():
                session.add(notice)
                session.flush()
            break
        except IntegrityError:
            if attempt == NUMBER_TRIES - 1:
                raise
            notice.number = _number(session, kind, local_date(now).year)
    session.add(
        NoticeTerms(
            notice_id=notice.id,
            terms=terms_of(title, buyer, notice.number, codes=[*codes, *codes_in(body)]),
            kind=notice.kind,
            region=region,
            category=category,
            published_at=now,
        )
    )
    session.flush()
    events.record(
        session,
        actor,
        NOTICE_PUBLISHED,
        clock=clock,
        subject=("notice", notice.id),
        scope=scope or project_id,
        payload={"number": notice.number, "kind": kind.value, "title": title, "corrects": corrects_id},
    )
    return notice
