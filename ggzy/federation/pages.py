"""接入平台页面 — the public list of pushed trades (labelled with their source platform), one pushed trade, and
the supervision office's accreditation register with each platform's raw figures."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ggzy.core import policy
from ggzy.core.errors import DomainError
from ggzy.federation import queries, service
from ggzy.federation.states import PlatformKind, PlatformStatus, Reason
from ggzy.rules import federation as law
from ggzy.web import params
from ggzy.web.deps import Ctx, CurrentActor, Db, SignedIn, page

router = APIRouter(include_in_schema=False)


@router.get("/federation", response_class=HTMLResponse)
def trades(request: Request, db: Db, actor: CurrentActor, offset: params.Position = 0) -> Response:
    policy.ensure(actor, policy.PORTAL_VIEW)
    return page(
        request,
        "federation/trades.html",
        {"trades": queries.trades(db, limit=100, offset=offset), "kinds": PlatformKind, "offset": offset},
    )


@router.get("/federation/trades/{ocid}", response_class=HTMLResponse)
def trade(request: Request, db: Db, actor: CurrentActor, ocid: str) -> Response:
    policy.ensure(actor, policy.PORTAL_VIEW)
    t, p, rels = queries.trade(db, ocid[:120])
    return page(request, "federation/trade.html", {"t": t, "p": p, "rels": rels, "kinds": PlatformKind})


def _register(
    request: Request, db: Db, principal: SignedIn, *, error: str = "", token: str = "", status: int = 200
) -> Response:
    policy.ensure(principal.actor, policy.FEDERATION_READ)
    return page(
        request,
        "federation/platforms.html",
        {
            "figures": [queries.figures(db, p) for p in queries.platforms(db)],
            "unknown": queries.unknown_refusals(db),
            "kinds": PlatformKind,
            "statuses": PlatformStatus,
            "reasons": Reason,
            "may_manage": policy.can(principal.actor, policy.FEDERATION_MANAGE),
            "error": error,
            "token": token,
            "rules": [law.TIMESTAMP_WINDOW, law.CLOCK_SKEW_TOLERANCE, law.MAX_PUSH_BYTES, law.MAX_RELEASES_PER_PUSH],
        },
        status=status,
    )


@router.get("/supervision/platforms", response_class=HTMLResponse)
def register(request: Request, db: Db, principal: SignedIn) -> Response:
    return _register(request, db, principal)


@router.post("/supervision/platforms", response_class=HTMLResponse)
def accredit(
    request: Request,
    ctx: Ctx,
    principal: SignedIn,
    code: Annotated[str, Form(max_length=40)],
    name: Annotated[str, Form(max_length=200)],
    kind: Annotated[str, Form(max_length=20)],
    region: Annotated[str, Form(max_length=6)],
    ocid_prefix: Annotated[str, Form(max_length=40)],
    public_key: Annotated[str, Form(max_length=100)],
) -> Response:
    try:
        with ctx.db.unit_of_work() as s:
            _, token = service.accredit(
                s,
                principal.actor,
                code=code,
                name=name,
                kind=kind,
                region=region,
                ocid_prefix=ocid_prefix,
                public_key=public_key,
                clock=ctx.clock,
                own_prefix=ctx.settings.ocds_prefix,
            )
    except DomainError as e:
        with ctx.db.unit_of_work(write=False) as s:
            return _register(request, s, principal, error=e.message, status=e.status)
    with ctx.db.unit_of_work(write=False) as s:  # the token is shown on this answer once, never again
        return _register(request, s, principal, token=token)


@router.post("/supervision/platforms/{platform_id}/suspend", response_class=HTMLResponse)
def suspend(
    request: Request, ctx: Ctx, principal: SignedIn, platform_id: str, reason: Annotated[str, Form(max_length=300)] = ""
) -> Response:
    try:
        with ctx.db.unit_of_work() as s:
            service.suspend(s, principal.actor, platform_id=platform_id[:26], reason=reason, clock=ctx.clock)
    except DomainError as e:
        with ctx.db.unit_of_work(write=False) as s:
            return _register(request, s, principal, error=e.message, status=e.status)
    return RedirectResponse("/supervision/platforms", status_code=303)


@router.post("/supervision/platforms/{platform_id}/reinstate", response_class=HTMLResponse)
def reinstate(request: Request, ctx: Ctx, principal: SignedIn, platform_id: str) -> Response:
    try:
        with ctx.db.unit_of_work() as s:
            service.reinstate(s, principal.actor, platform_id=platform_id[:26], clock=ctx.clock)
    except DomainError as e:
        with ctx.db.unit_of_work(write=False) as s:
            return _register(request, s, principal, error=e.message, status=e.status)
    return RedirectResponse("/supervision/platforms", status_code=303)


@router.get("/supervision/platforms/{platform_id}", response_class=HTMLResponse)
def figures(request: Request, db: Db, principal: SignedIn, platform_id: str) -> Response:
    policy.ensure(principal.actor, policy.FEDERATION_READ)
    p = service.get_platform(db, platform_id[:26])
    return page(
        request,
        "federation/figures.html",
        {"f": queries.figures(db, p), "kinds": PlatformKind, "statuses": PlatformStatus, "reasons": Reason},
    )
