"""应用工厂 — create_app(ctx): mount every domain's API and pages, middleware, error handlers, the tick."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, Depends, FastAPI, Request, routing
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

import ggzy
from ggzy import domains
from ggzy.bidding.keys import KeyEnv
from ggzy.core import timers, training
from ggzy.core.clock import Clock, SystemClock
from ggzy.core.config import Settings
from ggzy.core.crypto import FieldCipher
from ggzy.core.db import Database
from ggzy.core.files import FileStore
from ggzy.core.keys import Keys, load_keys
from ggzy.core.pubsub import make_bus
from ggzy.entities.passwords import Hasher
from ggzy.entities.service import Identity
from ggzy.rules import federation as federation_rules
from ggzy.sealing import p256
from ggzy.web import errors, examples, i18n, pages, portal_api, security
from ggzy.web.context import AppContext
from ggzy.web.deps import csrf_protect, page
from ggzy.web.idempotency import Idempotency
from ggzy.web.templating import make_env

log = logging.getLogger("ggzy.web")
STATIC = Path(__file__).parent / "static"
DOCS_STATIC = Path(fastapi_offline.__file__).parent / "static"


def build_context(
    settings: Settings, *, db: Database | None = None, clock: Clock | None = None, hasher: Hasher | None = None
) -> AppContext:
    keys = load_keys(settings.var_dir)
    return AppContext(
        settings=settings,
        db=db or Database.from_url(settings.resolved_database_url()),
        clock=clock or SystemClock(),
        keys=keys,
        ident=Identity.from_settings(settings, keys, hasher=hasher),
        bus=make_bus(settings.redis_url),
        files=FileStore(settings.var_dir / "files"),
        opening=opening_env(settings, keys),
    )


def check_mode(ctx: AppContext) -> int:
    """培训模式: refuse to run when the setting and the database's recorded mode differ; returns the factor."""
    from sqlalchemy import select

    from ggzy.projects.models import Project

    wanted = ctx.settings.training_factor
    with ctx.db.unit_of_work(write=wanted > training.REAL) as s:
        has_trades = s.scalar(select(Project.id).limit(1)) is not None
        return training.ensure_mode(s, wanted=wanted, has_trades=has_trades, clock=ctx.clock)


def opening_env(settings: Settings, keys: Keys) -> KeyEnv:
    """The opening's platform keys: a cipher for handed-in shares at rest, the archive key pair (none opens a bid)."""
    return KeyEnv(
        cipher=FieldCipher(keys.derive("column:shares")),
        archive=p256.derive(keys.derive("archive:v1")),
    )


FORM_OVERHEAD = 65536  # multipart boundaries, part headers and the form's text fields around the files


def body_limits(settings: Settings) -> dict[str, int]:
    """Each route's largest request, sized by what it carries; every other route gets max_request_bytes."""
    return {
        # one sealed bid (the ciphertext is the body)
        r"/api/v1/sections/[^/]+/bid": settings.max_bid_bytes + FORM_OVERHEAD,
        # one tender notice with all its documents together
        r"/sections/[^/]+/publish": settings.max_document_bytes + FORM_OVERHEAD,
        r"/api/v1/sections/[^/]+/publish": settings.max_document_bytes + FORM_OVERHEAD,
        # one contract PDF uploaded by the tenderer (ggzy/award/service.py MAX_PDF)
        r"/sections/[^/]+/award/contract|/api/v1/sections/[^/]+/award/contract": (20 << 20) + FORM_OVERHEAD,
        # one agency agreement (ggzy/projects/delegation.py MAX_AGREEMENT_BYTES); over the API as base64 in JSON
        r"/delegations/new": (20 << 20) + FORM_OVERHEAD,
        r"/api/v1/appointments": (28 << 20) + FORM_OVERHEAD,
        # a user name, a password and a code: nothing legitimate is larger
        r"/login|/login/otp|/api/v1/auth/tokens": settings.max_sign_in_bytes,
        # an accredited platform's signed release package: above the rule, so that a push just over it is refused
        # by the service (and counted against that platform) rather than cut off unnamed here
        r"/api/v1/federation/push": int(federation_rules.MAX_PUSH_BYTES.value) + (1 << 20),
    }


def due_sources(ctx: AppContext) -> list[timers.DueSource]:
    out: list[timers.DueSource] = []
    for m in domains.domain_modules("timers"):
        out.extend(m.sources(ctx))
    return out


def _tick_loop(ctx: AppContext, stop: threading.Event) -> None:
    sources = due_sources(ctx)
    while not stop.wait(ctx.settings.tick_seconds):
        try:
            timers.tick(ctx.db, sources, ctx.clock.now())
        except Exception:
            log.exception("tick failed")


def _first_clause(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    for stop in ("。", "；", "："):
        line = line.split(stop, 1)[0]
    return line.strip()[:60]


def chinese_summaries(router: APIRouter) -> APIRouter:
    """An operation without a summary is named by the first clause of its Chinese docstring (not the function's
    English name, which FastAPI would use). Done before the router is included: inclusion copies the summary."""
    for route in router.routes:
        if isinstance(route, routing.APIRoute) and not route.summary and route.description:
            clause = _first_clause(route.description)
            if any("\u4e00" <= ch <= "\u9fff" for ch in clause):
                route.summary = clause
    return router


def create_app(ctx: AppContext, *, run_ticks: bool = False) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        check_mode(ctx)
        swept = ctx.files.sweep_partials(older_than=ctx.settings.stale_upload_seconds)
        if swept:
            log.warning("removed %d unfinished upload(s) left by an earlier server", swept)
        unhooks = [start(ctx) for m in domains.edge_modules("pages") if (start := getattr(m, "on_start", None))]
        stop = threading.Event()
        thread = None
        if run_ticks and ctx.settings.tick_seconds > 0:
            thread = threading.Thread(target=_tick_loop, args=(ctx, stop), name="ggzy-tick", daemon=True)
            thread.start()
        yield
        stop.set()
        if thread is not None:
            thread.join(timeout=5)
        for unhook in unhooks:
            unhook()

    app = FastAPI(
        title=f"{ctx.settings.platform_name} API",
        version=ggzy.__version__,
        description="公共资源交易平台开放接口。错误以 RFC 9457 problem+json 返回。",
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=lifespan,
    )
    app.state.ctx = ctx
    app.state.templates = make_env()
    errors.install(app)

    app.mount("/static/ggzy", StaticFiles(directory=STATIC), name="static")
    app.mount("/static/apidocs", StaticFiles(directory=DOCS_STATIC), name="apidocs")

    guards = [Depends(security.refuse_nul), Depends(csrf_protect)]  # in this order: NUL first, then CSRF
    api = APIRouter(prefix="/api/v1", dependencies=guards, responses=errors.PROBLEM_RESPONSES)
    for m in domains.edge_modules("api"):
        api.include_router(chinese_summaries(m.router))
    api.include_router(portal_api.api)
    app.include_router(api)
    for m in domains.edge_modules("api"):  # routes outside /api/v1 (the open data at /api/ocds)
        extra = getattr(m, "root_router", None)
        if extra is not None:
            app.include_router(chinese_summaries(extra), dependencies=guards, responses=errors.PROBLEM_RESPONSES)
    app.include_router(pages.router, dependencies=guards)
    app.include_router(i18n.router, dependencies=guards)
    examples.install(app)  # /docs shows each operation's request and answer as a test run recorded them
    for m in domains.edge_modules("pages"):
        app.include_router(m.router, dependencies=guards)

    @app.get("/docs", include_in_schema=False, response_class=HTMLResponse)
    def docs(request: Request) -> Response:
        return page(request, "portal/apidocs.html", {"openapi_url": app.openapi_url})

    app.add_middleware(Idempotency)  # innermost: sees the body after the size and NUL checks
    app.add_middleware(security.RefuseNul)
    app.add_middleware(security.BodyLimit, default=ctx.settings.max_request_bytes, overrides=body_limits(ctx.settings))
    app.add_middleware(security.SecurityHeaders, hsts=ctx.settings.cookie_secure)
    return app
