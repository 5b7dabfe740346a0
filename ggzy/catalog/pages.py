"""交易目录页面 — the catalog in force (public) and the supervision office's new version form."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ggzy.catalog import service
from ggzy.core import policy
from ggzy.core.errors import DomainError
from ggzy.web.deps import Ctx, CurrentActor, Db, SignedIn, page

router = APIRouter(include_in_schema=False)
FIELDS = ("must_trade_at", "must_tender_at", "must_open_at")


@router.get("/catalog", response_class=HTMLResponse)
def catalog_page(request: Request, db: Db, actor: CurrentActor) -> Response:
    policy.ensure(actor, policy.PORTAL_VIEW)
    return page(
        request,
        "catalog/catalog.html",
        {
            "c": service.current(db),
            "history": service.history(db),
            "can_edit": policy.can(actor, policy.CATALOG_MANAGE),
            "error": "",
        },
    )


@router.post("/catalog", response_class=HTMLResponse)
async def publish(request: Request, db: Db, ctx: Ctx, principal: SignedIn) -> Response:
    form = await request.form()
    changes: dict[str, dict[str, str]] = {}
    for key, value in form.items():
        if isinstance(value, str) and "." in key:
            entry, field = key.split(".", 1)
            if field in FIELDS:
                changes.setdefault(entry, {})[field] = value.strip()
    try:
        service.publish(db, principal.actor, thresholds=changes, note=str(form.get("note") or ""), clock=ctx.clock)
    except DomainError as exc:
        db.rollback()
        context = {"c": service.current(db), "history": service.history(db), "can_edit": True, "error": exc.message}
        return page(request, "catalog/catalog.html", context, 422)
    return RedirectResponse("/catalog", status_code=303)
