"""公告页面 — the portal's notice search, a notice, and the Atom feed."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ggzy.core import policy
from ggzy.core.clock import SHANGHAI
from ggzy.core.errors import DomainError, Invalid, NotFound
from ggzy.entities import queries as entities
from ggzy.notices import feed, queries, search, synonyms
from ggzy.notices.states import NoticeKind
from ggzy.rules.catalog import CATEGORY_LABELS, Category
from ggzy.web import params
from ggzy.web.deps import Ctx, CurrentActor, Db, SignedIn, page

router = APIRouter(include_in_schema=False)


def _day(value: str, *, end: bool = False) -> datetime | None:
    if not value:
        return None
    try:
        d = datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=SHANGHAI)
    except ValueError:
        return None
    return d + timedelta(days=1) if end else d


@router.get("/notices", response_class=HTMLResponse)
def notices_page(
    request: Request,
    db: Db,
    actor: CurrentActor,
    q: Annotated[str, Query(max_length=100)] = "",
    kind: str = "",
    region: Annotated[str, Query(max_length=6)] = "",
    category: str = "",
    since: str = "",
    until: str = "",
    before: params.OptionalCount = None,
) -> Response:
    policy.ensure(actor, policy.PORTAL_VIEW)
    filters = search.Filters(
        kind=kind if kind in NoticeKind._value2member_map_ else None,
        region=region or None,
        category=category if category in CATEGORY_LABELS else None,
        since=_day(since),
        until=_day(until, end=True),
    )
    error = ""
    try:
        rows = search.search(db, q, filters, limit=20, before=before)
    except DomainError as exc:
        rows, error = [], exc.message
    next_before = search.position(db, rows[-1].id) if len(rows) == 20 else None
    return page(
        request,
        "notices/search.html",
        {
            "rows": rows,
            "q": q,
            "kind": kind,
            "region": region,
            "category": category,
            "since": since,
            "until": until,
            "kinds": list(NoticeKind),
            "categories": CATEGORY_LABELS,
            "error": error,
            "next_before": next_before,
            "feed_query": urlencode(
                [
                    (k, v)
                    for k, v in (
                        ("q", q.strip()),
                        ("kind", filters.kind or ""),
                        ("category", filters.category or ""),
                        ("region", region),
                        ("since", since if filters.since else ""),
                        ("until", until if filters.until else ""),
                    )
                    if v
                ]
            ),
        },
    )


@router.get("/notices/synonyms", response_class=HTMLResponse)
def synonyms_page(request: Request, db: Db, actor: CurrentActor) -> Response:
    """检索近义词 — the supervision office's and administrator's table of what a query word also means."""
    policy.ensure(actor, policy.SEARCH_SYNONYMS)
    return page(request, "notices/synonyms.html", {"rows": synonyms.all_entries(db), "error": "", "form": {}})


@router.post("/notices/synonyms", response_class=HTMLResponse)
async def synonyms_add(request: Request, db: Db, ctx: Ctx, principal: SignedIn) -> Response:
    form = await request.form()
    values = {k: str(form.get(k) or "") for k in ("word", "alternatives", "note")}
    try:
        synonyms.add(db, principal.actor, clock=ctx.clock, **values)
    except DomainError as exc:
        db.rollback()
        context = {"rows": synonyms.all_entries(db), "error": exc.message, "form": values}
        return page(request, "notices/synonyms.html", context, 422)
    return RedirectResponse("/notices/synonyms", status_code=303)


@router.post("/notices/synonyms/{synonym_id}/remove")
def synonyms_remove(db: Db, ctx: Ctx, principal: SignedIn, synonym_id: str) -> Response:
    synonyms.remove(db, principal.actor, synonym_id=synonym_id, clock=ctx.clock)
    return RedirectResponse("/notices/synonyms", status_code=303)


@router.get("/notices/feed.atom")
def atom_feed(
    request: Request,
    db: Db,
    ctx: Ctx,
    actor: CurrentActor,
    q: Annotated[str, Query(max_length=100)] = "",
    kind: Annotated[str, Query(max_length=20)] = "",
    category: Annotated[str, Query(max_length=30)] = "",
    region: Annotated[str, Query(max_length=6)] = "",
    since: Annotated[str, Query(max_length=10)] = "",
    until: Annotated[str, Query(max_length=10)] = "",
    buyer: Annotated[str, Query(max_length=18, description="招标人/采购人的统一社会信用代码")] = "",
) -> Response:
    """The latest 50 notices of the list page's search: every filter of /notices (q, kind, category, region,
    since, until) and a buyer (unified social credit code)."""
    policy.ensure(actor, policy.PORTAL_VIEW)
    if category and category not in CATEGORY_LABELS:
        raise Invalid(f"没有「{category}」这一交易类别，可选：{'、'.join(CATEGORY_LABELS)}", code="bad-category")
    if kind and kind not in NoticeKind._value2member_map_:
        raise Invalid(f"没有「{kind}」这一公告类型，可选：{'、'.join(k.value for k in NoticeKind)}", code="bad-kind")
    if region and not region.isdigit():
        raise Invalid("地区应为6位行政区划代码", code="bad-region")
    for name, value in (("since", since), ("until", until)):
        if value and _day(value) is None:
            raise Invalid(f"{name} 应为日期（YYYY-MM-DD）", code="bad-date")
    buyer_name, label = None, ""
    if buyer:
        org = entities.find_org_by_code(db, buyer)
        if org is None:
            raise NotFound(f"没有统一社会信用代码为 {buyer} 的主体", code="unknown-buyer")
        buyer_name, label = org.name, f"·{org.name}"
    if q.strip():
        label += f"·{q.strip()}"
    if kind:
        label += f"·{NoticeKind(kind).label}"
    if category:
        label += f"·{CATEGORY_LABELS[Category(category)]}"
    if region:
        label += f"·{region}"
    filters = search.Filters(
        kind=kind or None,
        region=region or None,
        category=category or None,
        since=_day(since),
        until=_day(until, end=True),
        buyer=buyer_name,
    )
    rows = search.search(db, q, filters, limit=50)
    chosen = [
        (k, v)
        for k, v in (
            ("q", q.strip()),
            ("kind", kind),
            ("category", category),
            ("region", region),
            ("since", since),
            ("until", until),
            ("buyer", buyer),
        )
        if v
    ]
    base = str(request.base_url).rstrip("/")
    body = feed.atom(
        rows,
        base_url=base,
        title=f"{ctx.settings.city_name}{ctx.settings.platform_name}公告{label}",
        updated=ctx.clock.now(),
        query=("?" + urlencode(chosen)) if chosen else "",
        page_query=("?" + urlencode(on_page)) if (on_page := [(k, v) for k, v in chosen if k != "buyer"]) else "",
    )
    return Response(body, media_type="application/atom+xml; charset=utf-8", headers={"cache-control": "max-age=60"})


@router.get("/notices/{number}", response_class=HTMLResponse)
def notice_page(request: Request, db: Db, actor: CurrentActor, number: str) -> Response:
    policy.ensure(actor, policy.PORTAL_VIEW)
    notice = queries.get_by_number(db, number)
    corrects = db.get(type(notice), notice.corrects_id) if notice.corrects_id else None
    return page(
        request,
        "notices/notice.html",
        {
            "n": notice,
            "kind": NoticeKind(notice.kind),
            "corrects": corrects,
            "corrections": queries.corrections_of(db, notice.id),
            "category_label": CATEGORY_LABELS.get(Category(notice.category))
            if notice.category in Category._value2member_map_
            else None,
        },
    )
