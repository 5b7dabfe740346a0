"""标段办理页面 — publish the tender notice, clarify, invite suppliers, re-tender, terminate."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from ggzy.core import policy, training
from ggzy.core.clock import SHANGHAI
from ggzy.core.errors import DomainError, Invalid
from ggzy.core.files import Stored
from ggzy.entities import queries as entities
from ggzy.entities.states import OrgKind
from ggzy.projects import publication, queries, service
from ggzy.projects.states import SectionStatus
from ggzy.rules import procurement, tendering
from ggzy.rules.base import Regime
from ggzy.rules.procedures import Period, procedure
from ggzy.web.deps import Ctx, Db, SignedIn, page

router = APIRouter(include_in_schema=False)


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def parse_local(value: str, what: str) -> dt.datetime:
    """A `datetime-local` field is Beijing time."""
    try:
        at = dt.datetime.fromisoformat(value.strip()[:40]).replace(tzinfo=SHANGHAI)
        at.astimezone(dt.UTC)  # year 1 or 9999 on Beijing time has no UTC instant
    except (ValueError, OverflowError) as exc:
        raise Invalid(f"{what}格式不正确或超出可接受的范围", code="bad-datetime") from exc
    return at


def _context(db: Db, ctx: Ctx, section_id: str, **extra: object) -> dict[str, object]:
    section = queries.get_section(db, section_id)
    project = queries.get_project(db, section.project_id)
    proc = procedure(project.method)
    now = ctx.clock.now()
    factor = training.factor(db)

    def earliest(period: Period | None) -> str | None:
        return publication.earliest_text(period.earliest_at(now, factor=factor), factor) if period else None

    return {
        "s": section,
        "p": project,
        "proc": proc,
        "error": "",
        "values": {},
        "earliest_deadline": earliest(proc.bid_period),
        "earliest_docs": earliest(proc.documents_available),
        "earliest_clarified": earliest(proc.clarification_lead),
        "deposit_cap": (
            tendering.DEPOSIT_CAP if proc.regime is Regime.TENDERING else procurement.DEPOSIT_CAP
        ).describe(),
        **extra,
    }


@router.get("/sections/{section_id}/publish", response_class=HTMLResponse)
def publish_form(request: Request, db: Db, ctx: Ctx, principal: SignedIn, section_id: str) -> Response:
    section = queries.get_section(db, section_id)
    service.ensure_manager(db, principal.actor, queries.get_project(db, section.project_id))
    return page(request, "projects/publish.html", _context(db, ctx, section_id))


@router.post("/sections/{section_id}/publish", response_class=HTMLResponse)
async def publish(request: Request, ctx: Ctx, principal: SignedIn, section_id: str) -> Response:
    """Who may publish is decided from the path and the session before a byte of the body is read."""

    def may_publish() -> None:
        with ctx.db.unit_of_work(write=False) as db:
            publication.ensure_may_publish(db, principal.actor, section_id=section_id)

    await run_in_threadpool(may_publish)
    async with request.form(max_files=20) as form:
        return await _publish_form(request, ctx, principal, section_id, form)


async def _publish_form(request: Request, ctx: Ctx, principal: SignedIn, section_id: str, form: FormData) -> Response:
    values = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    uploads = [f for f in form.getlist("documents") if isinstance(f, UploadFile) and f.filename]
    stored: list[tuple[str, Stored]] = []
    try:
        for up in uploads:
            stored.append(
                (
                    up.filename or "招标文件",
                    await ctx.files.save_async(
                        f"documents/{section_id}", _chunks(up), max_bytes=ctx.settings.max_document_bytes
                    ),
                )
            )
        notice = await run_in_threadpool(_publish, ctx, principal, section_id, values, stored)
    except DomainError as exc:
        for _, s in stored:
            ctx.files.delete(s.path)
        message = exc.message

        def context() -> dict[str, object]:
            with ctx.db.unit_of_work(write=False) as db:
                return _context(db, ctx, section_id, error=message, values=values)

        return page(request, "projects/publish.html", await run_in_threadpool(context), 422)
    return _redirect(f"/notices/{notice}")


async def _chunks(up: UploadFile) -> AsyncIterator[bytes]:
    while chunk := await up.read(1 << 20):
        yield chunk


def _publish(
    ctx: Ctx, principal: SignedIn, section_id: str, values: dict[str, str], stored: list[tuple[str, Stored]]
) -> str:
    with ctx.db.unit_of_work() as db:
        deadline = parse_local(values.get("deadline", ""), "投标截止时间")
        docs_until = (
            parse_local(values["documents_until"], "招标文件提供截止时间") if values.get("documents_until") else None
        )
        notice = publication.publish_tender(
            db,
            principal.actor,
            section_id=section_id,
            title=values.get("title", ""),
            body=values.get("body", ""),
            deadline=deadline,
            documents_until=docs_until,
            documents=stored,
            clock=ctx.clock,
            keys_env=ctx.opening,
            security=values.get("security") or None,
            security_bank=values.get("security_bank", ""),
        )
        return notice.number


@router.get("/sections/{section_id}/clarify", response_class=HTMLResponse)
def clarify_form(request: Request, db: Db, ctx: Ctx, principal: SignedIn, section_id: str) -> Response:
    section = queries.get_section(db, section_id)
    service.ensure_manager(db, principal.actor, queries.get_project(db, section.project_id))
    return page(request, "projects/clarify.html", _context(db, ctx, section_id))


@router.post("/sections/{section_id}/clarify", response_class=HTMLResponse)
def clarify(
    request: Request,
    db: Db,
    ctx: Ctx,
    principal: SignedIn,
    section_id: str,
    title: Annotated[str, Form(max_length=300)],
    body: Annotated[str, Form(max_length=20000)],
    new_deadline: Annotated[str, Form()] = "",
) -> Response:
    try:
        deadline = parse_local(new_deadline, "新的投标截止时间") if new_deadline.strip() else None
        notice = publication.clarify(
            db, principal.actor, section_id=section_id, title=title, body=body, clock=ctx.clock, new_deadline=deadline
        )
    except DomainError as exc:
        db.rollback()
        values = {"title": title, "body": body, "new_deadline": new_deadline}
        return page(
            request, "projects/clarify.html", _context(db, ctx, section_id, error=exc.message, values=values), 422
        )
    return _redirect(f"/notices/{notice.number}")


@router.get("/sections/{section_id}/invite", response_class=HTMLResponse)
def invite_form(request: Request, db: Db, ctx: Ctx, principal: SignedIn, section_id: str) -> Response:
    section = queries.get_section(db, section_id)
    service.ensure_manager(db, principal.actor, queries.get_project(db, section.project_id))
    bidders, _ = entities.list_orgs(db, kind=OrgKind.BIDDER.value, limit=500)
    invited = set(queries.invited_orgs(db, section_id))
    return page(request, "projects/invite.html", _context(db, ctx, section_id, bidders=bidders, invited=invited))


@router.post("/sections/{section_id}/invite")
async def invite(request: Request, ctx: Ctx, principal: SignedIn, section_id: str) -> Response:
    form = await request.form()
    orgs = [str(v) for v in form.getlist("org_id")]

    def run() -> None:
        with ctx.db.unit_of_work() as db:
            publication.invite(db, principal.actor, section_id=section_id, org_ids=orgs, clock=ctx.clock)

    await run_in_threadpool(run)
    return _redirect(f"/sections/{section_id}/invite")


@router.post("/sections/{section_id}/retender")
def retender(db: Db, ctx: Ctx, principal: SignedIn, section_id: str) -> Response:
    section = publication.retender(db, principal.actor, section_id=section_id, clock=ctx.clock)
    return _redirect(f"/projects/{section.project_id}")


@router.post("/sections/{section_id}/terminate")
def terminate(
    db: Db, ctx: Ctx, principal: SignedIn, section_id: str, reason: Annotated[str, Form(max_length=300)]
) -> Response:
    section = queries.get_section(db, section_id)
    project = queries.get_project(db, section.project_id)
    policy.ensure(principal.actor, policy.PROJECT_MANAGE, queries.subject_of(project))
    if not reason.strip():
        raise Invalid("终止须说明理由", code="reason-required")
    service.terminate_section(db, principal.actor, section=section, reason=reason, clock=ctx.clock)
    return _redirect(f"/projects/{project.id}")


__all__ = ["SectionStatus", "router"]
