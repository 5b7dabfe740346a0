"""监管页面 — the risk dashboard, the monitoring board (live), the alert list and its workflow, a project's risk
card."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from ggzy.core import events, policy
from ggzy.core.clock import local
from ggzy.core.errors import DomainError
from ggzy.core.roles import SECTOR_LABELS, Sector
from ggzy.entities.models import User
from ggzy.projects import delegation, timeline
from ggzy.projects import queries as projects
from ggzy.rules import delegation as delegation_rules
from ggzy.rules import procedures, regions
from ggzy.supervision import board, charts, queries, service
from ggzy.supervision.states import AlertStatus, Severity
from ggzy.web.context import AppContext
from ggzy.web.deps import Ctx, Db, SignedIn, page
from ggzy.web.templating import render

router = APIRouter(include_in_schema=False)


def flag_names() -> dict[str, str]:
    from ggzy.supervision.flags import titles  # the registry loads polars: only when a supervision page is asked for

    return titles()


def _sector(s: str) -> str:
    return SECTOR_LABELS.get(Sector(s), s) if s in Sector._value2member_map_ else s


@router.get("/supervision", response_class=HTMLResponse)
def dashboard(request: Request, db: Db, principal: SignedIn) -> Response:
    d = queries.dashboard(db, principal.actor)
    names = flag_names()
    return page(
        request,
        "supervision/dashboard.html",
        {
            "d": d,
            "by_flag": charts.bars([(names.get(k, k), v) for k, v in d.by_flag[:10]]),
            "by_sector": charts.bars([(_sector(k), v) for k, v in d.by_sector]),
            "by_region": charts.bars([(regions.name_of(k), v) for k, v in d.by_region]),
            "by_month": charts.bars(d.by_month),
            "buyers": charts.bars(d.buyers),
            "agencies": charts.bars(d.agencies),
            "bidders": charts.bars(d.bidders),
            "names": names,
            "statuses": AlertStatus,
            "severity": Severity,
        },
    )


def _board_parts(b: board.Board) -> dict[str, Any]:
    """What the board's live part is drawn from (the page and every snapshot of its stream)."""
    return {
        "b": b,
        "left": board.time_left,
        "by_stage": charts.bars(b.by_stage),
        "by_board_sector": charts.bars(b.by_sector),
        "by_board_region": charts.bars(b.by_region),
        "sector_name": _sector,
        "procedure_name": lambda m: procedures.procedure(m).name,
        "severity": Severity,
    }


@router.get("/supervision/board", response_class=HTMLResponse)
def board_page(
    request: Request, db: Db, ctx: Ctx, principal: SignedIn, sector: str = "", region: str = "", procedure: str = ""
) -> Response:
    """实时监测 — the trades in progress of the reader's sectors, updated from the event stream without a reload."""
    filters = board.Filters.parse(sector, region, procedure)
    b = board.build(db, principal.actor, now=ctx.clock.now(), filters=filters)
    query = filters.query()
    return page(
        request,
        "supervision/board.html",
        {
            **_board_parts(b),
            "events_url": "/supervision/board/stream" + (f"?{query}" if query else ""),
            "sectors": board.sector_choices(principal.actor),
            "procedures": board.procedure_choices(),
            "regions": board.region_choices(),
        },
    )


@router.get("/supervision/board/stream")
async def board_stream(
    request: Request, ctx: Ctx, principal: SignedIn, sector: str = "", region: str = "", procedure: str = ""
) -> Response:
    """Server-sent events: the board's counts and live part now, and again within a second of every commit that
    changes what the reader may see (the same scope and filters as the page)."""
    filters = board.Filters.parse(sector, region, procedure)
    board.sectors_for(principal.actor, filters)  # refused here, before the stream starts, as the page is
    _hook(ctx)
    templates = request.app.state.templates

    def snapshot() -> dict[str, Any]:
        with ctx.db.unit_of_work(write=False) as db:
            b = board.build(db, principal.actor, now=ctx.clock.now(), filters=filters)
            return {
                "type": "snapshot",
                "counts": b.counts(),
                "html": render(templates, "supervision/_board_live.html", _board_parts(b)),
                "now": int(b.now.timestamp() * 1000),
                "updated": local(b.now).strftime("%H:%M:%S"),
            }

    async def stream() -> AsyncIterator[bytes]:
        with ctx.bus.subscribe(board.CHANNEL) as sub:  # first subscribe: no change falls between the two
            last = await run_in_threadpool(snapshot)
            yield _sse(last)
            idle = 0.0
            while not await request.is_disconnected():
                message = await run_in_threadpool(sub.get, 1.0)
                idle = 0.0 if message else idle + 1.0
                if message is None and idle < BOARD_REFRESH_SECONDS:
                    yield b": keep-alive\n\n"
                    continue
                idle = 0.0
                loop = asyncio.get_running_loop()
                until = loop.time() + BOARD_COALESCE_SECONDS
                while message is not None and loop.time() < until:  # a burst of commits is read once
                    message = await run_in_threadpool(sub.get, 0.05)
                fresh = await run_in_threadpool(snapshot)
                if (fresh["html"], fresh["counts"]) != (last["html"], last["counts"]):
                    last = fresh
                    yield _sse(fresh)
                else:
                    yield b": keep-alive\n\n"
                await asyncio.sleep(0)

    headers = {"cache-control": "no-store", "x-accel-buffering": "no"}
    return StreamingResponse(stream(), media_type="text/event-stream", headers=headers)


BOARD_REFRESH_SECONDS = 30  # read again anyway: time passes (a deadline runs out without any event)
BOARD_COALESCE_SECONDS = 0.25  # commits this close together are one refresh (a busy platform never starves it)


def _sse(message: dict[str, Any]) -> bytes:
    return f"data: {json.dumps(message, ensure_ascii=False, default=str)}\n\n".encode()


def _hook(ctx: AppContext) -> None:
    if "board.forwarder" not in ctx.extras:
        ctx.extras["board.forwarder"] = events.on_commit(board.forwarder(ctx.bus))


def on_start(ctx: AppContext) -> Callable[[], None]:
    """Called by the app at start-up (every node, before any page is asked for): committed events wake the open
    monitoring boards, so a node that never served one still tells the others' readers through the bus."""
    _hook(ctx)

    def unhook() -> None:
        remove = ctx.extras.pop("board.forwarder", None)
        if callable(remove):
            remove()

    return unhook


@router.get("/supervision/alerts", response_class=HTMLResponse)
def alerts(request: Request, db: Db, principal: SignedIn, status: str = "", flag: str = "") -> Response:
    rows = queries.list_alerts(db, principal.actor, status=status or None, flag=flag or None)
    return page(
        request,
        "supervision/alerts.html",
        {
            "rows": rows,
            "status": status,
            "flag": flag,
            "statuses": AlertStatus,
            "severity": Severity,
            "names": flag_names(),
        },
    )


@router.get("/supervision/alerts/{alert_id}", response_class=HTMLResponse)
def alert_page(request: Request, db: Db, principal: SignedIn, alert_id: str, error: str = "") -> Response:
    alert = service.get(db, principal.actor, alert_id)
    holder = db.get(User, alert.assignee_id) if alert.assignee_id else None
    return page(
        request,
        "supervision/alert.html",
        {
            "a": alert,
            "evidence": json.loads(alert.evidence or "{}"),
            "statuses": AlertStatus,
            "severity": Severity,
            "can_handle": policy.can(principal.actor, policy.ALERT_HANDLE, service.subject_of(alert)),
            "handlers": service.handlers_for(db, principal.actor, alert),
            "holder": holder,
            "error": error,
            "names": flag_names(),
            "sector": _sector(alert.sector),
        },
    )


@router.post("/supervision/alerts/{alert_id}/{move}")
def alert_move(
    db: Db,
    ctx: Ctx,
    principal: SignedIn,
    alert_id: str,
    move: str,
    assignee_id: Annotated[str, Form()] = "",
    sanction_ref: Annotated[str, Form(max_length=100)] = "",
    reason: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    try:
        if move == "assign":
            service.assign(db, principal.actor, alert_id=alert_id, assignee_id=assignee_id, clock=ctx.clock)
        elif move == "investigate":
            service.investigate(db, principal.actor, alert_id=alert_id, clock=ctx.clock)
        elif move == "confirm":
            service.confirm(db, principal.actor, alert_id=alert_id, sanction_ref=sanction_ref, clock=ctx.clock)
        elif move == "dismiss":
            service.dismiss(db, principal.actor, alert_id=alert_id, reason=reason, clock=ctx.clock)
    except DomainError as exc:
        db.rollback()
        return RedirectResponse(f"/supervision/alerts/{alert_id}?error={quote(exc.message)}", status_code=303)
    return RedirectResponse(f"/supervision/alerts/{alert_id}", status_code=303)


@router.get("/supervision/agencies", response_class=HTMLResponse)
def agency_spread(request: Request, db: Db, principal: SignedIn) -> Response:
    """代理机构集中度 — agencies acting for many tenderers of one sector (a risk sign, not a finding)."""
    rows = delegation.agency_spread(db, principal.actor)
    return page(
        request,
        "supervision/agencies.html",
        {"rows": rows, "rule": delegation_rules.AGENCY_SPREAD, "sector": _sector},
    )


@router.get("/supervision/projects/{project_id}", response_class=HTMLResponse)
def risk_card(request: Request, db: Db, principal: SignedIn, project_id: str) -> Response:
    project = projects.get_project(db, project_id)
    policy.ensure(principal.actor, policy.ALERT_READ, projects.subject_of(project))
    net = queries.co_bidding(db, project.id)
    alerts = queries.list_alerts(db, principal.actor, project_id=project.id)
    flagged = frozenset(o for a in alerts for o in a.org_ids.split())
    return page(
        request,
        "supervision/project.html",
        {
            "p": project,
            "alerts": alerts,
            "timeline": timeline.of_project(db, principal.actor, project)
            if policy.can(principal.actor, policy.PROJECT_READ, projects.subject_of(project))
            else [],
            "network": charts.network(net["nodes"], net["edges"], flagged=flagged),
            "statuses": AlertStatus,
            "severity": Severity,
            "names": flag_names(),
            "sections": projects.sections_of(db, project.id),
        },
    )
