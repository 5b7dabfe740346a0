"""门户与工作台 — the public home, the rules page, each role's workbench, health."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy import text

from ggzy import domains
from ggzy.core import policy
from ggzy.core.roles import Role
from ggzy.rules import RULES, Regime
from ggzy.web import portal_api
from ggzy.web.deps import Ctx, CurrentActor, Db, SignedIn, page

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, db: Db, actor: CurrentActor) -> Response:
    policy.ensure(actor, policy.PORTAL_VIEW)
    notices: list[Any] = []
    for m in domains.domain_modules("portal"):
        notices.extend(m.latest_notices(db, limit=10))
    return page(request, "portal/home.html", {"notices": notices})


@router.get("/rules", response_class=HTMLResponse)
def rules_page(request: Request, actor: CurrentActor) -> Response:
    policy.ensure(actor, policy.PORTAL_VIEW)
    by_regime: dict[str, list[Any]] = defaultdict(list)
    for r in sorted(RULES.values(), key=lambda r: list(Regime).index(r.regime)):
        by_regime[r.regime.label].append(r)
    return page(request, "portal/rules.html", {"by_regime": dict(by_regime)})


@router.get("/workbench")
def workbench_home(principal: SignedIn) -> Response:
    return RedirectResponse(f"/workbench/{principal.actor.role.value}", status_code=303)


@router.get("/workbench/{role}", response_class=HTMLResponse)
def workbench(request: Request, role: Role, db: Db, principal: SignedIn, ctx: Ctx) -> Response:
    if role not in policy.WORKBENCH:
        return page(
            request,
            "errors/error.html",
            {"status": 404, "title": "页面不存在", "detail": "没有这个工作台", "ref": None},
            404,
        )
    policy.ensure(principal.actor, policy.WORKBENCH[role])
    rows = portal_api.due(db, principal.actor, ctx.clock.now())
    items = [i for i, _, _ in rows]
    return page(request, "portal/workbench.html", {"role": role, "items": items, "rows": rows})


@router.get("/healthz")
def healthz(db: Db) -> Response:
    db.execute(text("SELECT 1"))
    return JSONResponse({"status": "ok"})
