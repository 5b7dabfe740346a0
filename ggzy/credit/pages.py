"""信用页面 — the public credit pages, the supervision office's credit desk, a record, a refused attempt."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ggzy.core import policy
from ggzy.core.clock import SHANGHAI
from ggzy.core.errors import DomainError, Forbidden, Invalid
from ggzy.credit import enforce, imports, queries, service
from ggzy.credit.models import CreditCheck
from ggzy.credit.states import LISTS, RecordSource, RecordStatus, Step, TradeClass
from ggzy.entities import credit_code as codes
from ggzy.entities import queries as entities
from ggzy.projects import queries as projects
from ggzy.web.deps import Ctx, CurrentPrincipal, Db, SignedIn, page

router = APIRouter(include_in_schema=False)
MAX_IMPORT = 8 << 20


def _day(text: str, what: str) -> datetime:
    try:
        return datetime.fromisoformat(text.strip()).replace(tzinfo=SHANGHAI)
    except ValueError:
        raise Invalid(f"{what}格式应为 年-月-日", code="bad-date") from None


@router.get("/credit", response_class=HTMLResponse)
def public_index(request: Request, db: Db, principal: CurrentPrincipal, ctx: Ctx, q: str = "") -> Response:
    policy.ensure(principal.actor, policy.PORTAL_VIEW)
    if q.strip():
        try:
            return RedirectResponse(f"/credit/entities/{codes.validate(q[:40])}", status_code=303)
        except DomainError as e:
            error = e.message
    else:
        error = ""
    return page(request, "credit/index.html", {"listed": queries.listed_codes(db, ctx.clock.now()), "error": error})


@router.get("/credit/entities/{credit_code}", response_class=HTMLResponse)
def public_entity(request: Request, db: Db, principal: CurrentPrincipal, ctx: Ctx, credit_code: str) -> Response:
    """What the law allows to be shown: listed, within 5 years or still sanctioned, not repaired (art. 19, 43)."""
    policy.ensure(principal.actor, policy.PORTAL_VIEW)
    code = codes.validate(credit_code[:40])
    org = entities.find_org_by_code(db, code)
    return page(
        request,
        "credit/entity.html",
        {
            "code": code,
            "org": org,
            "entries": queries.public_page(db, code, ctx.clock.now()),
            "source": RecordSource,
            "classes": TradeClass,
        },
    )


def _desk(
    request: Request, db: Db, principal: SignedIn, error: str = "", report: imports.ImportReport | None = None
) -> Response:
    policy.ensure(principal.actor, policy.CREDIT_RECORD)
    bidders, _total = entities.list_orgs(db, kind="bidder", limit=200)
    return page(
        request,
        "credit/manage.html",
        {
            "records": queries.all_records(db, limit=100),
            "refusals": [
                (c, entities.get_org(db, c.org_id), projects.get_section(db, c.section_id))
                for c in queries.refusals(db, limit=50)
            ],
            "lookups": queries.lookups(db, limit=20),
            "bidders": bidders,
            "classes": list(TradeClass),
            "lists": LISTS,
            "status": RecordStatus,
            "step": Step,
            "error": error,
            "report": report,
        },
        status=422 if error else 200,
    )


@router.get("/credit/manage", response_class=HTMLResponse)
def manage(request: Request, db: Db, principal: SignedIn) -> Response:
    return _desk(request, db, principal)


@router.post("/credit/manage/sanctions", response_class=HTMLResponse)
def post_sanction(
    request: Request,
    ctx: Ctx,
    principal: SignedIn,
    org_id: Annotated[str, Form(max_length=26)],
    title: Annotated[str, Form(max_length=300)],
    basis: Annotated[str, Form(max_length=300)],
    source_ref: Annotated[str, Form(max_length=120)],
    measure: Annotated[str, Form(max_length=300)],
    starts: Annotated[str, Form(max_length=20)],
    ends: Annotated[str, Form(max_length=20)],
    classes: Annotated[list[TradeClass], Form()],
    regions: Annotated[str, Form(max_length=200)] = "",
    list_now: Annotated[str, Form(max_length=2)] = "",
) -> Response:
    try:
        with ctx.db.unit_of_work() as s:
            r = service.record_sanction(
                s,
                principal.actor,
                org_id=org_id,
                title=title,
                basis=basis,
                source_ref=source_ref,
                measure=measure,
                classes=classes,
                regions=[x.strip() for x in regions.replace("，", ",").split(",") if x.strip()],
                starts=_day(starts, "开始日期"),
                ends=_day(ends, "截止日期"),
                clock=ctx.clock,
            )
            if list_now:
                service.list_record(s, principal.actor, record_id=r.id, clock=ctx.clock)
            record_id = r.id
    except DomainError as e:
        with ctx.db.unit_of_work(write=False) as s:
            return _desk(request, s, principal, e.message)
    return RedirectResponse(f"/credit/records/{record_id}", status_code=303)


@router.post("/credit/manage/imports", response_class=HTMLResponse)
async def post_import(
    request: Request,
    ctx: Ctx,
    principal: SignedIn,
    list_name: Annotated[str, Form(max_length=40)],
    file: Annotated[UploadFile, File()],
) -> Response:
    data = await file.read(MAX_IMPORT + 1)
    try:
        if len(data) > MAX_IMPORT:
            raise Invalid("文件超过 8 MB", code="too-large")

        def run() -> imports.ImportReport:
            with ctx.db.unit_of_work() as s:
                return imports.import_list(
                    s, principal.actor, list_name=list_name, filename=file.filename or "", data=data, clock=ctx.clock
                )

        report = await run_in_threadpool(run)
    except DomainError as e:
        with ctx.db.unit_of_work(write=False) as s:
            return _desk(request, s, principal, e.message)
    with ctx.db.unit_of_work(write=False) as s:
        return _desk(request, s, principal, report=report)


@router.get("/credit/records/{record_id}", response_class=HTMLResponse)
def record_page(request: Request, db: Db, principal: SignedIn, record_id: str, error: str = "") -> Response:
    r = queries.get_record(db, record_id)
    if not (
        policy.can(principal.actor, policy.CREDIT_RECORD)
        or policy.can(principal.actor, policy.CREDIT_OBJECT, policy.Subject("credit", frozenset({r.org_id or ""})))
    ):
        raise Forbidden("只有信用主体本单位和监管部门可以查看此记录")
    return page(
        request,
        "credit/record.html",
        {
            "r": r,
            "sanctions": queries.sanctions_of(db, r.id),
            "objections": queries.objections_of(db, r.id),
            "status": RecordStatus,
            "staff": policy.can(principal.actor, policy.CREDIT_RECORD),
            "error": error[:300],
        },
    )


def _act(ctx: Ctx, record_id: str, fn) -> Response:  # type: ignore[no-untyped-def]
    try:
        with ctx.db.unit_of_work() as s:
            fn(s)
    except DomainError as e:
        return RedirectResponse(f"/credit/records/{record_id}?error={e.message}", status_code=303)
    return RedirectResponse(f"/credit/records/{record_id}", status_code=303)


@router.post("/credit/records/{record_id}/list")
def post_list(ctx: Ctx, principal: SignedIn, record_id: str) -> Response:
    return _act(ctx, record_id, lambda s: service.list_record(s, principal.actor, record_id=record_id, clock=ctx.clock))


@router.post("/credit/records/{record_id}/objections")
def post_objection(
    ctx: Ctx,
    principal: SignedIn,
    record_id: str,
    text: Annotated[str, Form(max_length=3000)],
    with_source: Annotated[str, Form(max_length=2)] = "",
) -> Response:
    return _act(
        ctx,
        record_id,
        lambda s: service.object_to_record(
            s, principal.actor, record_id=record_id, text=text, with_source=bool(with_source), clock=ctx.clock
        ),
    )


@router.post("/credit/objections/{objection_id}/handle")
def post_handle(
    ctx: Ctx,
    principal: SignedIn,
    objection_id: str,
    note: Annotated[str, Form(max_length=3000)],
    upheld: Annotated[str, Form(max_length=2)] = "",
) -> Response:
    with ctx.db.unit_of_work(write=False) as s:
        record_id = queries.get_objection(s, objection_id).record_id
    return _act(
        ctx,
        record_id,
        lambda s: service.handle_objection(
            s, principal.actor, objection_id=objection_id, upheld=bool(upheld), note=note, clock=ctx.clock
        ),
    )


@router.post("/credit/records/{record_id}/repair-request")
def post_repair_request(ctx: Ctx, principal: SignedIn, record_id: str) -> Response:
    return _act(
        ctx, record_id, lambda s: service.request_repair(s, principal.actor, record_id=record_id, clock=ctx.clock)
    )


@router.post("/credit/records/{record_id}/repair")
def post_repair(ctx: Ctx, principal: SignedIn, record_id: str) -> Response:
    return _act(ctx, record_id, lambda s: service.repair(s, principal.actor, record_id=record_id, clock=ctx.clock))


@router.post("/credit/checks/{check_id}/review")
def review(ctx: Ctx, principal: SignedIn, check_id: str) -> Response:
    with ctx.db.unit_of_work() as s:
        enforce.review_refusal(s, principal.actor, check_id=check_id, clock=ctx.clock)
    return RedirectResponse(f"/credit/checks/{check_id}", status_code=303)


@router.get("/credit/checks/{check_id}", response_class=HTMLResponse)
def check_page(request: Request, db: Db, principal: SignedIn, check_id: str) -> Response:
    policy.ensure(principal.actor, policy.ALERT_READ)
    c = db.get(CreditCheck, check_id)
    if c is None:
        raise Invalid("核查记录不存在", code="no-such-check")
    return page(
        request,
        "credit/check.html",
        {
            "c": c,
            "org": entities.get_org(db, c.org_id),
            "s": projects.get_section(db, c.section_id),
            "sanctions": json.loads(c.sanctions),
            "step": Step(c.step),
        },
    )
