"""透明日志页面 — the public checkpoint page and the auditors' event reader."""

from __future__ import annotations

import base64

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ggzy.core import merkle, policy, transparency
from ggzy.core.events import EVENT_TYPES
from ggzy.web import params
from ggzy.web.deps import Ctx, CurrentActor, Db, SignedIn, page

from .queries import get_event, list_events

router = APIRouter(include_in_schema=False)


@router.get("/transparency", response_class=HTMLResponse)
def transparency_page(
    request: Request, db: Db, ctx: Ctx, actor: CurrentActor, index: params.OptionalPosition = None
) -> Response:
    policy.ensure(actor, policy.LOG_PROOF)
    sth = transparency.latest_checkpoint(db)
    head = transparency.tree_head(db)
    lookup = None
    error = ""
    if index is not None and sth is not None:
        if index >= sth.size:
            error = f"序号须小于最新签名树头的大小 {sth.size}"
        else:
            leaf = transparency.leaf_at(db, index)
            proof = transparency.inclusion_proof(db, index, sth.size)
            ok = merkle.verify_inclusion(index, sth.size, leaf, proof, bytes(sth.root))
            lookup = {"index": index, "leaf": leaf.hex(), "proof": [p.hex() for p in proof], "ok": ok}
    return page(
        request,
        "audit/transparency.html",
        {
            "sth": sth,
            "head_size": head.size,
            "root_b64": base64.b64encode(bytes(sth.root)).decode() if sth else "",
            "verifier_key": transparency.verifier_key(ctx.keys, ctx.settings.log_origin),
            "lookup": lookup,
            "error": error,
        },
    )


@router.get("/audit/events", response_class=HTMLResponse)
def events_page(
    request: Request, db: Db, principal: SignedIn, type: str = "", before: params.OptionalPosition = None
) -> Response:
    rows = list_events(db, principal.actor, type=type or None, before=before, limit=50)
    return page(request, "audit/events.html", {"rows": rows, "type": type, "types": EVENT_TYPES})


@router.get("/audit/events/{seq}", response_class=HTMLResponse)
def event_page(request: Request, db: Db, principal: SignedIn, seq: params.Seq) -> Response:
    ev = get_event(db, principal.actor, seq)
    return page(request, "audit/event.html", {"ev": ev})
