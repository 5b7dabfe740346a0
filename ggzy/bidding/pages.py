"""投标与开标页面 — the section page, documents, sealing and submitting a bid, the opening, the live view."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from ggzy.bidding import documents, keys, opening, queries, service
from ggzy.bidding.keys import HOLDER_ROLES, HOLDERS
from ggzy.bidding.states import BidStatus
from ggzy.core import events, policy
from ggzy.core.errors import DomainError, Forbidden, RecordedRefusal
from ggzy.core.events import LoggedEvent
from ggzy.core.pubsub import Bus
from ggzy.core.roles import Role
from ggzy.entities import queries as entities
from ggzy.notices import queries as notices
from ggzy.projects import queries as projects
from ggzy.projects.states import SectionStatus
from ggzy.rules.platform import PRICE_CHECK_HIGH, PRICE_CHECK_LOW
from ggzy.rules.procedures import procedure
from ggzy.sealing import p256
from ggzy.web import params
from ggzy.web.context import AppContext
from ggzy.web.deps import Ctx, CurrentPrincipal, Db, SignedIn, content_disposition, page
from ggzy.web.errors import keep_refusal

router = APIRouter(include_in_schema=False)


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _section_context(db: Db, section_id: str) -> dict[str, object]:
    s = projects.get_section(db, section_id)
    p = projects.get_project(db, s.project_id)
    return {
        "s": s,
        "p": p,
        "proc": procedure(p.method),
        "status": SectionStatus(s.status),
        "tenderer": entities.get_org(db, p.tenderer_org_id),
        "documents": queries.documents_of(db, s.id),
        "notices": notices.of_section(db, s.id),
        "rows": opening.opening_rows(db, s),
    }


@router.get("/sections/{section_id}", response_class=HTMLResponse)
def section_page(request: Request, db: Db, ctx: Ctx, principal: CurrentPrincipal, section_id: str) -> Response:
    context = _section_context(db, section_id)
    actor = principal.actor
    s = projects.get_section(db, section_id)
    context["documents_closed"] = s.documents_until is not None and s.documents_until < ctx.clock.now()
    context["can_bid"] = policy.can(actor, policy.DOCUMENTS_DOWNLOAD)
    context["invited"] = projects.is_invited(db, section_id, actor.org_id)
    subject = projects.subject_of(context["p"])  # type: ignore[arg-type]
    context["next_steps"] = {  # after the opening: each step of the evaluation reachable by clicking
        "draw": policy.can(actor, policy.EXPERT_DRAW_REQUEST, subject)
        or policy.can(actor, policy.EVALUATION_RUN, subject),
        "room": policy.can(actor, policy.EVALUATION_RUN, subject),
        "member": policy.can(actor, policy.EVALUATION_SCORE) and actor.role is Role.EXPERT,
        "watch": policy.can(actor, policy.EVALUATION_WATCH, subject),
    }
    return page(request, "bidding/section.html", context)


@router.post("/documents/{document_id}/download")
def download(ctx: Ctx, principal: SignedIn, document_id: str) -> Response:
    with ctx.db.unit_of_work() as db:
        doc = documents.download(db, principal.actor, document_id=document_id, clock=ctx.clock)
        name, path = doc.name, doc.path
    return StreamingResponse(
        ctx.files.read(path),
        media_type="application/octet-stream",
        headers={"content-disposition": content_disposition(name)},
    )


@router.post("/sections/{section_id}/register")
def register(db: Db, ctx: Ctx, principal: SignedIn, section_id: str) -> Response:
    documents.register(db, principal.actor, section_id=section_id, clock=ctx.clock)
    return _redirect(f"/sections/{section_id}/bid?registered=1")


@router.get("/sections/{section_id}/bid", response_class=HTMLResponse)
def bid_page(
    request: Request,
    db: Db,
    ctx: Ctx,
    principal: SignedIn,
    section_id: str,
    registered: params.Flag = 0,
    withdrawn: params.Position = 0,
) -> Response:
    actor = principal.actor
    if actor.org_id is None or not policy.can(actor, policy.BID_SUBMIT):
        raise Forbidden("只有投标人可以投标")
    context = _section_context(db, section_id)
    s = projects.get_section(db, section_id)
    error = ""
    try:
        service.ensure_may_bid(db, actor, section_id, ctx.clock.now())
    except DomainError as exc:
        error = exc.message
        if isinstance(exc, RecordedRefusal):
            keep_refusal(request, exc)
    own = queries.own_bids(db, section_id, actor.org_id)
    context.update(
        error=error,
        own=own,
        registered=registered,
        withdrawn=withdrawn,
        price_check={"high": PRICE_CHECK_HIGH.value, "low": PRICE_CHECK_LOW.value},
        bid_status=BidStatus,
        version=service.next_version(db, s, actor.org_id),
        bidder_id=actor.org_id,
        key_set=json.dumps(
            {
                "threshold": keys.THRESHOLD,
                "deadline": int(s.bid_deadline.timestamp()) if s.bid_deadline else 0,
                "recipients": [
                    {"index": r.share_index, "public_key": p256.b64encode(r.public_key)}
                    for r in keys.recipients(db, s.id, s.round)
                ],
            },
            separators=(",", ":"),
        ),
        receipts=[_readable(json.loads(b.receipt)) for b in own],
    )
    return page(request, "bidding/bid.html", context)


def _readable(receipt: dict[str, Any]) -> dict[str, Any]:
    """The signed receipt as stored, plus its time as a datetime for the page (shown in Asia/Shanghai)."""
    return {**receipt, "received": datetime.fromisoformat(receipt["receipt"]["received_at"])}


@router.post("/bids/{bid_id}/withdraw")
def withdraw(db: Db, ctx: Ctx, principal: SignedIn, bid_id: str) -> Response:
    bid = service.withdraw(db, principal.actor, bid_id=bid_id, clock=ctx.clock)
    return _redirect(f"/sections/{bid.section_id}/bid?withdrawn={bid.version}")


@router.get("/my/bids", response_class=HTMLResponse)
def my_bids(request: Request, db: Db, principal: SignedIn) -> Response:
    if principal.actor.org_id is None or principal.actor.role is not Role.BIDDER:
        raise Forbidden("只有投标人有投标记录")
    rows = [(b, projects.get_section(db, b.section_id)) for b in queries.bids_of_org(db, principal.actor.org_id)]
    return page(request, "bidding/my_bids.html", {"rows": rows, "bid_status": BidStatus})


@router.get("/sections/{section_id}/opening", response_class=HTMLResponse)
def opening_page(request: Request, db: Db, principal: CurrentPrincipal, section_id: str, error: str = "") -> Response:
    context = _section_context(db, section_id)
    s = projects.get_section(db, section_id)
    user_id = principal.actor.user_id
    mine = keys.recipient_of(db, s.id, s.round, user_id) if user_id else None
    context.update(
        state=opening.state(db, s),
        holder=mine,
        holders=HOLDERS,
        error=error,
        deadline_unix=int(s.bid_deadline.timestamp()) if s.bid_deadline else 0,
        can_share=mine is not None and policy.can(principal.actor, policy.OPENING_SHARE),
        objections=[(o, entities.get_org(db, o.org_id)) for o in opening.opening_objections(db, s)],
        can_record=SectionStatus(s.status).opened and policy.can(principal.actor, policy.OPENING_RUN),
        bidders=[entities.get_org(db, b.bidder_org_id) for b in queries.opened_bids(db, s.id, s.round)],
    )
    return page(request, "bidding/opening.html", context)


@router.post("/sections/{section_id}/opening/objections")
def record_objection(
    db: Db,
    ctx: Ctx,
    principal: SignedIn,
    section_id: str,
    org_id: Annotated[str, Form(max_length=26)],
    text: Annotated[str, Form(max_length=5000)] = "",
    answer: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    """开标异议 — the trading centre records an objection raised at the opening and the answer on the spot."""
    try:
        opening.record_objection(
            db, principal.actor, section_id=section_id, org_id=org_id, text=text, answer=answer, clock=ctx.clock
        )
    except DomainError as exc:
        db.rollback()
        return _redirect(f"/sections/{section_id}/opening?error={quote(exc.message)}")
    return _redirect(f"/sections/{section_id}/opening")


@router.get("/keyholder", response_class=HTMLResponse)
def keyholder_page(request: Request, db: Db, principal: SignedIn) -> Response:
    """开标密钥 — the holder makes a key pair in this browser (or `ggzy keyholder init`), registers the public half."""
    if principal.actor.role not in HOLDER_ROLES:
        raise Forbidden("只有交易中心、监督管理办公室和招标人的人员持有开标密钥")
    assert principal.actor.user_id is not None
    public = keys.holder_public(db, principal.actor.user_id)
    return page(
        request,
        "bidding/keyholder.html",
        {
            "registered": p256.key_id(public).hex() if public else "",
            "user_id": principal.actor.user_id,
        },
    )


@router.get("/sections/{section_id}/live", response_class=HTMLResponse)
def live_page(request: Request, db: Db, section_id: str) -> Response:
    context = _section_context(db, section_id)
    context["state"] = opening.state(db, projects.get_section(db, section_id))
    return page(request, "bidding/live.html", context)


@router.get("/sections/{section_id}/live/events")
async def live_events(request: Request, ctx: Ctx, section_id: str) -> Response:
    """Server-sent events: share hand-ins, decryption progress, then the published record."""

    def snapshot() -> dict[str, object]:
        with ctx.db.unit_of_work(write=False) as db:
            s = projects.get_section(db, section_id)
            st = opening.state(db, s)
            rows = [
                {
                    "bidder": r.bidder,
                    "price": f"{r.price:,.2f}" if r.price is not None else "—",
                    "duration_days": r.duration_days,
                    "status": r.status,
                    "note": r.note,
                    "security": r.security,
                }
                for r in opening.opening_rows(db, s)
            ]
            return {
                "type": "snapshot",
                "status": SectionStatus(s.status).label,
                "code": s.status,
                "note": s.outcome_note,
                "holders": st.submitted,
                "threshold": st.threshold,
                "opened": st.opened,
                "rows": rows,
            }

    _hook(ctx)

    async def stream() -> AsyncIterator[bytes]:
        with ctx.bus.subscribe(f"opening:{section_id}") as sub:  # first subscribe: no change falls between the two
            yield _sse(await run_in_threadpool(snapshot))
            while not await request.is_disconnected():
                message = await run_in_threadpool(sub.get, 1.0)
                if message is None:
                    yield b": keep-alive\n\n"
                    continue
                if message.get("type") != "changed":
                    yield _sse(message)
                if message.get("type") in ("state", "changed"):
                    yield _sse(await run_in_threadpool(snapshot))
                await asyncio.sleep(0)

    headers = {"cache-control": "no-store", "x-accel-buffering": "no"}
    return StreamingResponse(stream(), media_type="text/event-stream", headers=headers)


def forwarder(bus: Bus) -> Callable[[list[LoggedEvent]], None]:
    """An `events.on_commit` listener: every committed public event of a section (the deadline, a failure, a share,
    the opening, a termination, a hold) wakes that section's live pages, on whichever node they are served.

    Only public events reach it (sealed ones are not appended to the public log until the opening), so a live page
    learns nothing a reader of the public log could not: a bid, a download or a payment wakes nobody."""

    def listener(new: list[LoggedEvent]) -> None:
        for scope in {ev.scope_id for ev in new if ev.scope_id}:
            bus.publish(f"opening:{scope}", {"type": "changed"})

    return listener


def _hook(ctx: AppContext) -> None:
    if "opening.forwarder" not in ctx.extras:
        ctx.extras["opening.forwarder"] = events.on_commit(forwarder(ctx.bus))


def on_start(ctx: AppContext) -> Callable[[], None]:
    """Called by the app at start-up (every node, before any page is asked for): hook the live pages to committed
    events; returns the unhook."""
    _hook(ctx)

    def unhook() -> None:
        remove = ctx.extras.pop("opening.forwarder", None)
        if callable(remove):
            remove()

    return unhook


def _sse(message: dict[str, object]) -> bytes:
    return f"data: {json.dumps(message, ensure_ascii=False, default=str)}\n\n".encode()


@router.get("/sections/{section_id}/registrations", response_class=HTMLResponse)
def registrations(request: Request, db: Db, principal: SignedIn, section_id: str) -> Response:
    """Who downloaded and registered: auditors only, and only after the opening (电子办法 art. 21)."""
    policy.ensure(principal.actor, policy.REGISTRATIONS_READ)
    s = projects.get_section(db, section_id)
    if not SectionStatus(s.status).opened:
        raise Forbidden("开标前任何人不得查看报名与下载情况（《电子招标投标办法》第21条）")
    rows = [(a, entities.get_org(db, a.org_id)) for a in queries.accesses(db, section_id)]
    return page(request, "bidding/registrations.html", {**_section_context(db, section_id), "accesses": rows})
