"""项目办理页面 — register a project, the centre's acceptance, the project page with its timeline."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from ggzy.catalog import service as catalog
from ggzy.core import policy
from ggzy.core.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from ggzy.core.roles import SECTOR_LABELS, Role, Sector
from ggzy.entities import queries as entities
from ggzy.entities.states import OrgKind
from ggzy.notices import queries as notices
from ggzy.projects import delegation, queries, service, timeline
from ggzy.projects.models import Appointment, Project
from ggzy.projects.states import ProjectStatus, SectionStatus
from ggzy.rules.catalog import CATEGORY_LABELS, TRANSFERS, Category
from ggzy.rules.procedures import PROCEDURES, Method, procedure
from ggzy.web import params
from ggzy.web.deps import Ctx, Db, SignedIn, content_disposition, page

router = APIRouter(include_in_schema=False)
E = TypeVar("E", bound=StrEnum)
Reason = Annotated[str, Form(max_length=300)]


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


@router.get("/projects", response_class=HTMLResponse)
def projects_page(request: Request, db: Db, principal: SignedIn) -> Response:
    actor = principal.actor
    scope = policy.scope_for(actor, policy.PROJECT_READ)
    if scope is None:
        raise Forbidden("当前角色无权查看项目办理情况")
    if scope is policy.Scope.OWN:
        rows = queries.list_projects(db, actor=actor)
    else:
        rows = queries.list_all_projects(db, sectors=actor.sectors if scope is policy.Scope.SECTOR else None)
    can_register = policy.can(actor, policy.PROJECT_REGISTER)
    return page(request, "projects/list.html", {"rows": rows, "can_register": can_register, "labels": _labels()})


def _labels() -> dict[str, object]:
    return {
        "status": {s.value: s.label for s in ProjectStatus},
        "section": {s.value: s.label for s in SectionStatus},
        "category": CATEGORY_LABELS,
        "method": {m.value: p.name for m, p in PROCEDURES.items()},
        "sector": SECTOR_LABELS,
    }


def _form_context(
    db: Db,
    ctx: Ctx,
    principal: SignedIn,
    *,
    error: str = "",
    reasons: list[str] | None = None,
    values: dict[str, str] | None = None,
) -> dict[str, object]:
    appointing = delegation.may_register_for(db, principal.actor, clock=ctx.clock)
    if appointing is None:
        tenderers, _ = entities.list_orgs(db, kind=OrgKind.TENDERER.value, limit=500)
    else:  # 委托代理: an agency registers only for the tenderers whose appointment of it is in force
        tenderers = [entities.get_org(db, t) for t in appointing]
    agencies, _ = entities.list_orgs(db, kind=OrgKind.AGENCY.value, limit=500)
    own = entities.get_org(db, principal.actor.org_id) if principal.actor.org_id else None
    return {
        "categories": [c for c in Category if c not in TRANSFERS],
        "sectors": list(Sector),
        "methods": list(PROCEDURES.values()),
        "tenderers": tenderers,
        "agencies": agencies,
        "own": own,
        "appointing": appointing,
        "error": error,
        "reasons": reasons or [],
        "values": values or {},
        "section_rows": _rows(values or {}),
        "editing": None,
        "catalog": catalog.current(db),
        "labels": _labels(),
    }


def _rows(values: dict[str, str]) -> list[tuple[str, str]]:
    """The section rows to show: what was typed or registered, and blank rows to add more (at least three)."""
    try:
        rows = [(str(n), str(e)) for n, e in json.loads(values.get("section_rows") or "[]")]
    except (ValueError, TypeError):
        rows = []
    return rows + [("", "")] * max(3 - len(rows), 1 if rows else 0)


@router.get("/projects/new", response_class=HTMLResponse)
def register_form(request: Request, db: Db, ctx: Ctx, principal: SignedIn) -> Response:
    policy.ensure(principal.actor, policy.PROJECT_REGISTER)
    return page(request, "projects/new.html", _form_context(db, ctx, principal))


def _fields(form: FormData, values: dict[str, str]) -> dict[str, Any]:
    """The verb's arguments from the registration form; ``values`` (shown again on an error) gain the sections
    first, so a refusal keeps every row that was typed."""
    names, estimates = (
        [str(n) for n in form.getlist("section_name")],
        [str(e) for e in form.getlist("section_estimate")],
    )
    rows = [(n.strip(), e.strip()) for n, e in zip(names, estimates, strict=False) if n.strip() or e.strip()]
    values["section_rows"] = json.dumps(rows, ensure_ascii=False)
    sections = [service.SectionIn(n, service.money(e, "标段估算价")) for n, e in rows if n]
    return {
        "name": values.get("name", ""),
        "approval_code": values.get("approval_code", ""),
        "category": _enum(Category, values.get("category"), "项目类别"),
        "sector": _enum(Sector, values.get("sector"), "行业"),
        "method": _enum(Method, values.get("method"), "交易方式"),
        "state_funds_share": service.money(values.get("state_funds_share", "0"), "国有资金占比"),
        "state_funds_amount": service.money(values.get("state_funds_amount", "0"), "国有资金金额"),
        "sections": sections,
        "exception_ref": values.get("exception_ref", ""),
        "note": values.get("note", ""),
    }


def _refused(exc: DomainError) -> tuple[str, list[str]]:
    reasons = list(exc.details.get("reasons", [])) if isinstance(exc.details.get("reasons"), list) else []
    return (exc.message if not reasons else "所选交易方式不符合交易目录：", reasons)


@router.post("/projects/new", response_class=HTMLResponse)
async def register(request: Request, db: Db, ctx: Ctx, principal: SignedIn) -> Response:
    form = await request.form()
    values = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    actor = principal.actor
    try:
        fields = _fields(form, values)
        own_kind = entities.get_org(db, actor.org_id).kind if actor.org_id else ""
        tenderer = (
            actor.org_id
            if own_kind in (OrgKind.TENDERER.value, OrgKind.GOVERNMENT.value)
            else values.get("tenderer_org_id", "")
        )
        agency = actor.org_id if own_kind == OrgKind.AGENCY.value else (values.get("agency_org_id") or None)
        project = service.register(
            db, actor, tenderer_org_id=tenderer or "", agency_org_id=agency, clock=ctx.clock, **fields
        )
    except DomainError as exc:
        db.rollback()
        error, reasons = _refused(exc)
        context = _form_context(db, ctx, principal, error=error, reasons=reasons, values=values)
        return page(request, "projects/new.html", context, 422)
    return _redirect(f"/projects/{project.id}?registered=1")


def _values_of(db: Db, project: Project) -> dict[str, str]:
    rows = [(s.name, f"{s.estimate:.2f}") for s in queries.sections_of(db, project.id)]
    return {
        "name": project.name,
        "approval_code": project.approval_code,
        "category": project.category,
        "sector": project.sector,
        "method": project.method,
        "state_funds_share": f"{project.state_funds_share}",
        "state_funds_amount": f"{project.state_funds_amount:.2f}",
        "exception_ref": project.exception_ref,
        "note": "",
        "section_rows": json.dumps(rows, ensure_ascii=False),
    }


def _edit_context(db: Db, ctx: Ctx, principal: SignedIn, project: Project, **more: Any) -> dict[str, object]:
    context = _form_context(db, ctx, principal, **more)
    context["editing"] = project
    context["edit_tenderer"] = entities.get_org(db, project.tenderer_org_id)
    context["edit_agency"] = entities.get_org(db, project.agency_org_id) if project.agency_org_id else None
    return context


@router.get("/projects/{project_id}/edit", response_class=HTMLResponse)
def edit_form(request: Request, db: Db, ctx: Ctx, principal: SignedIn, project_id: str) -> Response:
    """修改登记 — the registration form filled with what was registered, for a returned project's managers."""
    project = queries.get_project(db, project_id)
    policy.ensure(principal.actor, policy.PROJECT_MANAGE, queries.subject_of(project))
    if ProjectStatus(project.status) is not ProjectStatus.RETURNED:
        raise Conflict(
            f"只有被退回的项目登记可以修改（当前状态：{ProjectStatus(project.status).label}）", code="not-returned"
        )
    context = _edit_context(db, ctx, principal, project, values=_values_of(db, project))
    return page(request, "projects/new.html", context)


@router.post("/projects/{project_id}/edit", response_class=HTMLResponse)
async def edit(request: Request, db: Db, ctx: Ctx, principal: SignedIn, project_id: str) -> Response:
    form = await request.form()
    values = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    try:
        fields = _fields(form, values)
        service.amend(db, principal.actor, project_id=project_id, clock=ctx.clock, **fields)
    except DomainError as exc:
        db.rollback()
        project = queries.get_project(db, project_id)
        error, reasons = _refused(exc)
        context = _edit_context(db, ctx, principal, project, error=error, reasons=reasons, values=values)
        return page(request, "projects/new.html", context, 422)
    return _redirect(f"/projects/{project_id}?amended=1")


def _enum(kind: type[E], value: str | None, what: str) -> E:
    if value is None or value not in kind._value2member_map_:
        raise Invalid(f"请选择{what}", code="choice-required")
    return kind(value)


@router.get("/projects/{project_id}", response_class=HTMLResponse)
def project_page(
    request: Request,
    db: Db,
    principal: SignedIn,
    project_id: str,
    registered: params.Flag = 0,
    amended: params.Flag = 0,
) -> Response:
    project = queries.get_project(db, project_id)
    policy.ensure(principal.actor, policy.PROJECT_READ, queries.subject_of(project))
    sections = queries.sections_of(db, project.id)
    return page(
        request,
        "projects/project.html",
        {
            "p": project,
            "sections": sections,
            "proc": procedure(project.method),
            "labels": _labels(),
            "reasons": json.loads(project.decision),
            "tenderer": entities.get_org(db, project.tenderer_org_id),
            "agency": entities.get_org(db, project.agency_org_id) if project.agency_org_id else None,
            "appointment": queries.appointment_of(db, project),
            "notices": notices.of_project(db, project.id),
            "timeline": timeline.of_project(db, principal.actor, project),
            "registered": registered,
            "amended": amended,
            "is_manager": policy.can(principal.actor, policy.PROJECT_MANAGE, queries.subject_of(project)),
            "is_centre": policy.can(principal.actor, policy.PROJECT_ACCEPT),
            "Decimal": Decimal,
        },
    )


@router.post("/projects/{project_id}/accept")
def accept(db: Db, ctx: Ctx, principal: SignedIn, project_id: str) -> Response:
    service.accept(db, principal.actor, project_id=project_id, clock=ctx.clock)
    return _redirect(f"/projects/{project_id}")


@router.post("/projects/{project_id}/return")
def return_registration(db: Db, ctx: Ctx, principal: SignedIn, project_id: str, reason: Reason) -> Response:
    service.return_registration(db, principal.actor, project_id=project_id, reason=reason, clock=ctx.clock)
    return _redirect(f"/projects/{project_id}")


@router.post("/projects/{project_id}/resubmit")
def resubmit(db: Db, ctx: Ctx, principal: SignedIn, project_id: str) -> Response:
    service.resubmit(db, principal.actor, project_id=project_id, clock=ctx.clock)
    return _redirect(f"/projects/{project_id}")


@router.post("/projects/{project_id}/terminate")
def terminate(db: Db, ctx: Ctx, principal: SignedIn, project_id: str, reason: Reason) -> Response:
    service.terminate(db, principal.actor, project_id=project_id, reason=reason, clock=ctx.clock)
    return _redirect(f"/projects/{project_id}")


@router.get("/centre/registrations", response_class=HTMLResponse)
def registrations(request: Request, db: Db, principal: SignedIn) -> Response:
    policy.ensure(principal.actor, policy.PROJECT_ACCEPT)
    rows = queries.list_all_projects(db, status=ProjectStatus.REGISTERED.value)
    return page(request, "projects/registrations.html", {"rows": rows, "labels": _labels()})


# --- 委托代理 (delegation) ------------------------------------------------------------------------------------


def _delegation_labels(db: Db, rows: list[Appointment]) -> dict[str, str]:
    ids = {o for a in rows for o in (a.tenderer_org_id, a.agency_org_id)}
    return {i: entities.get_org(db, i).name for i in ids}


@router.get("/delegations", response_class=HTMLResponse)
def delegations_page(request: Request, db: Db, principal: SignedIn, revoked: params.Flag = 0) -> Response:
    rows = delegation.list_for(db, principal.actor, limit=200)
    projects = {a.project_id: queries.get_project(db, a.project_id) for a in rows if a.project_id}
    return page(
        request,
        "projects/delegations.html",
        {
            "rows": rows,
            "names": _delegation_labels(db, rows),
            "projects": projects,
            "statuses": delegation.STATUS_LABELS,
            "categories": CATEGORY_LABELS,
            "may_appoint": policy.can(principal.actor, policy.DELEGATION_MANAGE),
            "revoked": revoked,
        },
    )


def _appoint_context(
    db: Db, principal: SignedIn, *, error: str = "", values: dict[str, str] | None = None
) -> dict[str, object]:
    agencies, _ = entities.list_orgs(db, kind=OrgKind.AGENCY.value, limit=500)
    own = queries.list_projects(db, actor=principal.actor, limit=200)
    return {
        "agencies": agencies,
        "projects": [p for p in own if p.tenderer_org_id == principal.actor.org_id and p.status != "terminated"],
        "categories": [c for c in Category if c not in TRANSFERS],
        "error": error,
        "values": values or {},
    }


@router.get("/delegations/new", response_class=HTMLResponse)
def appoint_form(request: Request, db: Db, principal: SignedIn) -> Response:
    policy.ensure(principal.actor, policy.DELEGATION_MANAGE)
    return page(request, "projects/appoint.html", _appoint_context(db, principal))


def _date(value: str, what: str) -> dt.date | None:
    if not value.strip():
        return None
    try:
        return dt.date.fromisoformat(value.strip()[:10])
    except ValueError as exc:
        raise Invalid(f"{what}格式不正确", code="bad-date") from exc


@router.post("/delegations/new", response_class=HTMLResponse)
async def appoint(request: Request, ctx: Ctx, principal: SignedIn) -> Response:
    """Who may appoint is decided before a byte of the agreement file is read."""
    policy.ensure(principal.actor, policy.DELEGATION_MANAGE)
    async with request.form(max_files=1) as form:
        values = {k: str(v) for k, v in form.items() if isinstance(v, str)}
        categories = [str(v) for v in form.getlist("categories") if isinstance(v, str)]
        up = form.get("agreement")
        stored = None
        try:
            if isinstance(up, UploadFile) and up.filename:
                stored = await ctx.files.save_async(
                    "appointments", _chunks(up), max_bytes=delegation.MAX_AGREEMENT_BYTES
                )
                file = delegation.AgreementFile(up.filename, stored)
            else:
                file = None

            def run() -> None:
                with ctx.db.unit_of_work() as db:
                    delegation.appoint(
                        db,
                        principal.actor,
                        agency_org_id=values.get("agency_org_id", ""),
                        agreement_ref=values.get("agreement_ref", ""),
                        agreement=file,
                        clock=ctx.clock,
                        project_id=values.get("project_id") or None,
                        categories=categories,
                        valid_from=_date(values.get("valid_from", ""), "委托开始日期"),
                        valid_until=_date(values.get("valid_until", ""), "委托截止日期"),
                    )

            await run_in_threadpool(run)
        except DomainError as exc:
            if stored is not None:
                ctx.files.delete(stored.path)
            message = exc.message

            def context() -> dict[str, object]:
                with ctx.db.unit_of_work(write=False) as db:
                    return _appoint_context(db, principal, error=message, values=values)

            return page(request, "projects/appoint.html", await run_in_threadpool(context), 422)
    return _redirect("/delegations")


async def _chunks(up: UploadFile) -> AsyncIterator[bytes]:
    while chunk := await up.read(1 << 20):
        yield chunk


@router.get("/delegations/acts", response_class=HTMLResponse)
def agency_acts(request: Request, db: Db, principal: SignedIn, before: params.OptionalCount = None) -> Response:
    acts = delegation.acts_in_name_of(db, principal.actor, before=before, limit=100)
    names = {a.agency_org_id: entities.get_org(db, a.agency_org_id).name for a in acts}
    return page(
        request,
        "projects/agency_acts.html",
        {"acts": acts, "names": names, "next_before": acts[-1].seq if len(acts) == 100 else None},
    )


@router.post("/delegations/{appointment_id}/revoke")
def revoke_appointment(db: Db, ctx: Ctx, principal: SignedIn, appointment_id: str, reason: Reason) -> Response:
    delegation.revoke(db, principal.actor, appointment_id=appointment_id, reason=reason, clock=ctx.clock)
    return _redirect("/delegations?revoked=1")


@router.get("/delegations/{appointment_id}/agreement")
def agreement_file(db: Db, ctx: Ctx, principal: SignedIn, appointment_id: str) -> Response:
    a = delegation.get(db, principal.actor, appointment_id)
    if not a.file_path:
        raise NotFound("该委托未上传协议文件（迁移补录）")
    return StreamingResponse(
        ctx.files.read(a.file_path),
        media_type="application/octet-stream",
        headers={"content-disposition": content_disposition(a.file_name)},
    )


__all__ = ["Role", "router"]


from ggzy.projects import sections as _sections  # noqa: E402 - the section pages share this router

router.include_router(_sections.router)
