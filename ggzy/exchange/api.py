"""开放数据接口 — OCDS release and record packages, one release, and the change feed, at /api/ocds/… (P3, P1).

Public (the portal's view right), read-only, for machines: each client address gets a token bucket
(Settings.ocds_rate_per_minute, ocds_rate_burst); an empty bucket is answered 429 with Retry-After and an
RFC 9457 body. The buckets are per server process (several nodes each count their own).
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response

from ggzy.core import policy
from ggzy.core.errors import Locked
from ggzy.exchange import ocds, queries
from ggzy.web import params
from ggzy.web.deps import Ctx, CurrentActor, Db, ip_of

router = APIRouter()  # nothing under /api/v1
MAX_ADDRESSES = 10_000  # buckets kept; full ones are dropped first when there are more


@dataclass
class _Bucket:
    tokens: float
    at: datetime


class RateLimiter:
    """A token bucket per client address: `rate` tokens a minute, at most `burst` at once (time from the clock)."""

    def __init__(self, per_minute: int, burst: int) -> None:
        self.per_second = per_minute / 60.0
        self.burst = burst
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def take(self, address: str, now: datetime) -> float:
        """Take one token; returns 0 when allowed, else the seconds until one is there."""
        with self._lock:
            b = self._buckets.get(address)
            if b is None:
                if len(self._buckets) >= MAX_ADDRESSES:
                    self._prune(now)
                b = self._buckets[address] = _Bucket(float(self.burst), now)
            elapsed = max(0.0, (now - b.at).total_seconds())
            b.tokens, b.at = min(float(self.burst), b.tokens + elapsed * self.per_second), now
            if b.tokens >= 1.0:
                b.tokens -= 1.0
                return 0.0
            return (1.0 - b.tokens) / self.per_second

    def _prune(self, now: datetime) -> None:
        full = [
            a
            for a, b in self._buckets.items()
            if b.tokens + (now - b.at).total_seconds() * self.per_second >= self.burst
        ]
        for a in full or list(self._buckets)[: len(self._buckets) // 2]:
            del self._buckets[a]


def limit_rate(request: Request, ctx: Ctx) -> None:
    limiter: RateLimiter | None = getattr(request.app.state, "ocds_limiter", None)
    if limiter is None:
        limiter = request.app.state.ocds_limiter = RateLimiter(
            ctx.settings.ocds_rate_per_minute, ctx.settings.ocds_rate_burst
        )
    wait = limiter.take(ip_of(request) or "unknown", ctx.clock.now())
    if wait > 0:
        seconds = max(1, math.ceil(wait))
        raise Locked(f"请求过于频繁，请在 {seconds} 秒后重试", code="rate-limited", retry_after=seconds)


root_router = APIRouter(prefix="/api/ocds", tags=["开放数据（OCDS）"], dependencies=[Depends(limit_rate)])
Cursor = Annotated[str | None, Query(max_length=64, description="上一页返回的游标（不透明）")]
JSON = "application/json"


def _publisher(ctx: Ctx, request: Request) -> queries.Publisher:
    s = ctx.settings
    return queries.Publisher(
        name=s.ocds_publisher or f"{s.city_name}{s.platform_name}",
        prefix=s.ocds_prefix,
        uri=str(request.url),
        published=ctx.clock.now(),
    )


def _next(request: Request, cursor: queries.Cursor) -> str:
    return str(request.url.include_query_params(cursor=cursor.encode()))


@root_router.get("/releases", response_class=Response, responses={200: {"content": {JSON: {}}}})
def release_page(
    request: Request, db: Db, ctx: Ctx, actor: CurrentActor, cursor: Cursor = None, limit: params.PageSize = 100
) -> Response:
    """发布包（release package），按透明日志顺序分页；`links.next` 给出下一页（新发布出现在其后）。"""
    policy.ensure(actor, policy.PORTAL_VIEW)
    after = queries.Cursor.decode(cursor)
    found = list(queries.steps(db, after, limit=limit))
    pub = _publisher(ctx, request)
    body = queries.release_package(queries.releases(db, found, prefix=pub.prefix), pub)
    body["links"] = {"next": _next(request, queries.next_cursor(found, after))}
    return Response(ocds.dumps(body), media_type=JSON)


@root_router.get("/releases/{release_id}", response_class=Response, responses={200: {"content": {JSON: {}}}})
def one_release(
    request: Request, db: Db, ctx: Ctx, actor: CurrentActor, release_id: Annotated[str, Path(max_length=120)]
) -> Response:
    """单个发布，包在发布包中。"""
    policy.ensure(actor, policy.PORTAL_VIEW)
    pub = _publisher(ctx, request)
    rel = queries.find_release(db, release_id, prefix=pub.prefix)
    return Response(ocds.dumps(queries.release_package([rel], pub)), media_type=JSON)


@root_router.get("/records/{ocid}", response_class=Response, responses={200: {"content": {JSON: {}}}})
def record(
    request: Request, db: Db, ctx: Ctx, actor: CurrentActor, ocid: Annotated[str, Path(max_length=100)]
) -> Response:
    """记录包（record package）：该标段的全部发布与合成发布（compiledRelease）。"""
    policy.ensure(actor, policy.PORTAL_VIEW)
    pub = _publisher(ctx, request)
    return Response(ocds.dumps(queries.record_package(db, ocid, pub)), media_type=JSON)


@root_router.get("/changes", response_class=Response, responses={200: {"content": {JSON: {}}}})
def change_feed(
    request: Request, db: Db, ctx: Ctx, actor: CurrentActor, cursor: Cursor = None, limit: params.PageSize = 100
) -> Response:
    """变更流：每项 (id, modified, release)；保存 `next_cursor` 并从它继续，即可逐条镜像本平台的发布。"""
    policy.ensure(actor, policy.PORTAL_VIEW)
    after = queries.Cursor.decode(cursor)
    items, nxt = queries.changes(db, after, limit=limit, prefix=ctx.settings.ocds_prefix)
    body = {"data": items, "next_cursor": nxt.encode(), "next_page": {"uri": _next(request, nxt)}}
    return Response(ocds.dumps(body), media_type=JSON)
