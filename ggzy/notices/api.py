"""公告接口 — /api/v1/notices: search and read published notices (publishing and clarifying are the section's
routes, /api/v1/sections/{id}/publish and /clarify, which check who may)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from ggzy.core import policy
from ggzy.core.clock import SHANGHAI
from ggzy.notices import queries, search, synonyms
from ggzy.notices.models import Notice, SearchSynonym
from ggzy.notices.states import NoticeKind
from ggzy.rules.catalog import Category
from ggzy.web import params
from ggzy.web.deps import Ctx, CurrentActor, Db, SignedIn

router = APIRouter(prefix="/notices", tags=["交易公告"])


class NoticeBrief(BaseModel):
    number: str
    kind: str
    kind_label: str
    title: str
    buyer: str
    region: str
    category: str
    method: str
    project_id: str | None
    section_id: str | None
    published_at: dt.datetime


class NoticeRead(NoticeBrief):
    body: str
    corrects: str | None = Field(description="被本公告澄清或更正的公告编号")
    corrections: list[str] = Field(description="澄清或更正本公告的公告编号")


class NoticePage(BaseModel):
    items: list[NoticeBrief]
    next_cursor: str | None = Field(description="下一页的游标；为空表示没有更多")


def brief(n: Notice) -> NoticeBrief:
    return NoticeBrief(
        number=n.number,
        kind=n.kind,
        kind_label=NoticeKind(n.kind).label if n.kind in NoticeKind._value2member_map_ else n.kind,
        title=n.title,
        buyer=n.buyer,
        region=n.region,
        category=n.category,
        method=n.method,
        project_id=n.project_id,
        section_id=n.section_id,
        published_at=n.published_at,
    )


def read(session: Session, n: Notice) -> NoticeRead:
    corrects = session.get(Notice, n.corrects_id) if n.corrects_id else None
    return NoticeRead(
        **brief(n).model_dump(),
        body=n.body,
        corrects=corrects.number if corrects else None,
        corrections=[c.number for c in queries.corrections_of(session, n.id)],
    )


@router.get("", response_model=NoticePage, summary="检索公告")
def list_notices(
    db: Db,
    actor: CurrentActor,
    q: Annotated[str, Query(max_length=100, description="全文检索（中文按词组匹配）")] = "",
    kind: NoticeKind | None = None,
    region: Annotated[str, Query(max_length=6, description="6位行政区划代码")] = "",
    category: Category | None = None,
    since: Annotated[dt.date | None, Query(description="发布日期不早于（YYYY-MM-DD，北京时间）")] = None,
    until: Annotated[dt.date | None, Query(description="发布日期不晚于（YYYY-MM-DD，北京时间）")] = None,
    cursor: params.OptionalCount = None,
    limit: Annotated[int, Query(ge=1, le=100, description="每页条数（1–100）")] = 20,
) -> NoticePage:
    """新发布的在前；任何人可查（公告公开）。"""
    policy.ensure(actor, policy.PORTAL_VIEW)
    filters = search.Filters(
        kind=kind.value if kind else None,
        region=region or None,
        category=category.value if category else None,
        since=dt.datetime.combine(since, dt.time(), SHANGHAI) if since else None,
        until=dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), SHANGHAI) if until else None,
    )
    rows = search.search(db, q, filters, limit=limit, before=cursor)
    nxt = search.position(db, rows[-1].id) if len(rows) == limit else None
    return NoticePage(items=[brief(n) for n in rows], next_cursor=str(nxt) if nxt is not None else None)


class SynonymIn(BaseModel):
    word: str = Field(max_length=20, description="查询中的词语，如“道路”")
    alternatives: list[Annotated[str, Field(max_length=20)]] = Field(
        min_length=1, max_length=12, description='同时查找的近义词，如 ["公路", "路面"]'
    )
    note: str = Field("", max_length=200, description="说明")


class SynonymRead(BaseModel):
    id: str
    word: str
    alternatives: list[str]
    note: str
    updated_at: dt.datetime


def _synonym(r: SearchSynonym) -> SynonymRead:
    return SynonymRead(id=r.id, word=r.word, alternatives=r.alternatives.split(), note=r.note, updated_at=r.created_at)


@router.get("/synonyms", response_model=list[SynonymRead], summary="检索近义词表")
def list_synonyms(db: Db, actor: CurrentActor) -> list[SynonymRead]:
    """门户检索时查询词同时查找的近义词（综合监管部门、平台管理员维护）。"""
    policy.ensure(actor, policy.SEARCH_SYNONYMS)
    return [_synonym(r) for r in synonyms.all_entries(db)]


@router.post("/synonyms", response_model=SynonymRead, status_code=201, summary="添加或修改检索近义词")
def add_synonym(body: SynonymIn, db: Db, ctx: Ctx, principal: SignedIn) -> SynonymRead:
    """同一词语再次提交即替换其近义词；即时生效，无需重建索引。"""
    return _synonym(
        synonyms.add(
            db,
            principal.actor,
            word=body.word,
            alternatives=" ".join(body.alternatives),
            note=body.note,
            clock=ctx.clock,
        )
    )


@router.delete("/synonyms/{synonym_id}", status_code=204, summary="删除检索近义词")
def remove_synonym(synonym_id: Annotated[str, Path(max_length=26)], db: Db, ctx: Ctx, principal: SignedIn) -> Response:
    synonyms.remove(db, principal.actor, synonym_id=synonym_id, clock=ctx.clock)
    return Response(status_code=204)


@router.get("/{number}", response_model=NoticeRead, summary="公告全文")
def get_notice(number: Annotated[str, Path(max_length=30)], db: Db, actor: CurrentActor) -> NoticeRead:
    policy.ensure(actor, policy.PORTAL_VIEW)
    return read(db, queries.get_by_number(db, number))
