"""接入平台接口 — /api/v1/federation: the push of accredited platforms, the register, the figures, the trades."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path, Request
from starlette.concurrency import run_in_threadpool

from ggzy.core import policy
from ggzy.core.actor import Actor
from ggzy.core.roles import Role
from ggzy.federation import queries, service
from ggzy.federation.models import Platform
from ggzy.federation.schemas import (
    Accredited,
    FiguresRead,
    PlatformIn,
    PlatformRead,
    PushRead,
    SuspendIn,
    TradeRead,
)
from ggzy.rules import federation as law
from ggzy.web import params
from ggzy.web.deps import Ctx, CurrentActor, Db, SignedIn, ip_of

router = APIRouter(prefix="/federation", tags=["接入交易平台"])
PlatformId = Annotated[str, Path(max_length=26, description="接入平台编号")]
H = Annotated[str, Header(max_length=200)]


def read_of(p: Platform) -> PlatformRead:
    return PlatformRead(
        id=p.id,
        code=p.code,
        name=p.name,
        kind=p.kind,
        region=p.region,
        ocid_prefix=p.ocid_prefix,
        public_key=p.public_key,
        status=p.status,
        created_at=p.created_at,
        suspend_reason=p.suspend_reason,
    )


@router.post(
    "/push",
    response_model=PushRead,
    summary="接入平台推送交易数据（Ed25519 签名的 OCDS 发布包）",
    openapi_extra={"requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}}},
)
async def push(
    request: Request,
    ctx: Ctx,
    x_platform: H = "",
    x_platform_token: Annotated[str, Header(max_length=200)] = "",
    x_timestamp: Annotated[str, Header(max_length=64)] = "",
    x_signature: Annotated[str, Header(max_length=200)] = "",
) -> PushRead:
    """请求体为 OCDS 发布包；签名覆盖 `ggzy-push/1\\n平台代码\\n时间\\n` 加请求体原文。同一发布再次推送视为已接收；
    同一发布编号内容不同返回 409；时钟偏差在容许范围内照收并报告。"""
    body = await request.body()
    p = service.Push(
        platform=x_platform,
        timestamp=x_timestamp,
        signature=x_signature,
        token=x_platform_token,
        body=body,
        ip=ip_of(request),
    )
    policy.ensure(Actor(user_id=None, role=Role.SYSTEM), policy.FEDERATION_PUSH)

    def run() -> service.Received:
        with ctx.db.unit_of_work() as s:
            return service.ingest(s, p, clock=ctx.clock)

    got = await run_in_threadpool(run)
    warning = ""
    if got.skewed:
        warning = (
            f"贵平台时钟与本平台相差 {got.skew_seconds} 秒，超过容许的 {law.CLOCK_SKEW_TOLERANCE.value} 秒，请校准"
        )
    return PushRead(
        platform=got.platform,
        accepted=got.accepted,
        duplicates=got.duplicates,
        skew_seconds=got.skew_seconds,
        skewed=got.skewed,
        warning=warning,
    )


@router.get("/platforms", response_model=list[FiguresRead], summary="接入平台名录与推送数据质量（原始数据）")
def platform_list(db: Db, me: SignedIn) -> list[FiguresRead]:
    policy.ensure(me.actor, policy.FEDERATION_READ)
    out = []
    for p in queries.platforms(db):
        f = queries.figures(db, p)
        out.append(
            FiguresRead(
                platform=read_of(p),
                releases=f.releases,
                trades=f.trades,
                lag_median_seconds=f.lag_median,
                lag_p90_seconds=f.lag_p90,
                lag_max_seconds=f.lag_max,
                late_over_day=f.late_over_day,
                refused=f.refused,
                refused_by_reason=dict(f.by_reason),
                skewed_releases=f.skewed,
                skew_max_seconds=f.skew_max,
            )
        )
    return out


@router.post("/platforms", response_model=Accredited, status_code=201, summary="认可接入交易平台（发放接入凭证）")
def accredit(body: PlatformIn, db: Db, me: SignedIn, ctx: Ctx) -> Accredited:
    p, token = service.accredit(
        db,
        me.actor,
        code=body.code,
        name=body.name,
        kind=body.kind.value,
        region=body.region,
        ocid_prefix=body.ocid_prefix,
        public_key=body.public_key,
        clock=ctx.clock,
        own_prefix=ctx.settings.ocds_prefix,
    )
    return Accredited(**read_of(p).model_dump(), token=token)


@router.post("/platforms/{platform_id}/suspend", response_model=PlatformRead, summary="暂停接入平台")
def suspend(platform_id: PlatformId, body: SuspendIn, db: Db, me: SignedIn, ctx: Ctx) -> PlatformRead:
    return read_of(service.suspend(db, me.actor, platform_id=platform_id, reason=body.reason, clock=ctx.clock))


@router.post("/platforms/{platform_id}/reinstate", response_model=PlatformRead, summary="恢复接入平台")
def reinstate(platform_id: PlatformId, db: Db, me: SignedIn, ctx: Ctx) -> PlatformRead:
    return read_of(service.reinstate(db, me.actor, platform_id=platform_id, clock=ctx.clock))


@router.get("/trades", response_model=list[TradeRead], summary="接入平台推送的交易（公开）")
def trade_list(
    db: Db, actor: CurrentActor, limit: params.PageSize = 100, offset: params.Position = 0
) -> list[TradeRead]:
    policy.ensure(actor, policy.PORTAL_VIEW)
    return [
        TradeRead(
            ocid=t.ocid,
            platform=p.code,
            platform_name=p.name,
            title=t.title,
            buyer=t.buyer,
            status=t.status,
            last_tag=t.last_tag,
            amount=t.amount,
            awarded=t.awarded,
            supplier=t.supplier,
            releases=t.releases,
            last_at=t.last_at,
        )
        for t, p in queries.trades(db, limit=limit, offset=offset)
    ]
