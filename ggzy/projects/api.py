"""项目接口 — /api/v1/projects, /api/v1/sections/{id}/…, /api/v1/appointments: every project page's action as JSON.

Each route calls the same verb as its page (ggzy/projects/pages.py, sections.py) and so the same policy check;
lists page with an opaque cursor (`next_cursor`, passed back as `cursor`). Writes accept `Idempotency-Key`
(ggzy/web/idempotency.py).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response, StreamingResponse
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from ggzy.core import policy
from ggzy.core.clock import SHANGHAI
from ggzy.core.errors import DomainError, Invalid, NotFound
from ggzy.core.files import Stored
from ggzy.entities import queries as entities
from ggzy.entities.states import OrgKind
from ggzy.notices.models import Notice
from ggzy.projects import delegation, publication, queries, service
from ggzy.projects.models import Appointment, Project
from ggzy.projects.schemas import (
    AgencyActPage,
    AgencyActRead,
    AppointmentIn,
    AppointmentPage,
    AppointmentRead,
    ClarifyIn,
    InviteIn,
    InviteRead,
    NoticeRef,
    ProjectAmendIn,
    ProjectIn,
    ProjectPage,
    ProjectRead,
    ReasonIn,
    SectionBrief,
)
from ggzy.projects.states import ProjectStatus, SectionStatus
from ggzy.web import params
from ggzy.web.context import AppContext
from ggzy.web.deps import Ctx, Db, SignedIn, content_disposition

router = APIRouter()
Cursor = Annotated[str | None, Query(max_length=40, description="上一页返回的 next_cursor")]
Limit = Annotated[int, Query(ge=1, le=200, description="每页条数（1–200）")]


# --- reads ---------------------------------------------------------------------------------------------------


def project_read(session: Session, p: Project) -> ProjectRead:
    found = queries.appointment_of(session, p)
    return ProjectRead(
        id=p.id,
        code=p.code,
        name=p.name,
        approval_code=p.approval_code,
        category=p.category,
        sector=p.sector,
        method=p.method,
        estimate=str(p.estimate),
        region=p.region,
        status=p.status,
        status_label=ProjectStatus(p.status).label,
        tenderer_org_id=p.tenderer_org_id,
        agency_org_id=p.agency_org_id,
        appointment=found.agreement_ref if found else None,
        must_trade=p.must_trade,
        must_tender=p.must_tender,
        must_open=p.must_open,
        reasons=list(json.loads(p.decision)),
        note=p.note,
        registered_at=p.registered_at,
        sections=[
            SectionBrief(
                id=s.id,
                seq=s.seq,
                code=s.code,
                name=s.name,
                estimate=str(s.estimate),
                status=s.status,
                status_label=SectionStatus(s.status).label,
                round=s.round,
                bid_deadline=s.bid_deadline,
                documents_until=s.documents_until,
                opened_at=s.opened_at,
            )
            for s in queries.sections_of(session, p.id)
        ],
    )


def notice_ref(n: Notice) -> NoticeRef:
    return NoticeRef(
        number=n.number, kind=n.kind, title=n.title, published_at=n.published_at, url=f"/api/v1/notices/{n.number}"
    )


@router.get("/projects", response_model=ProjectPage, summary="项目列表", tags=["项目办理"])
def list_projects(
    db: Db,
    principal: SignedIn,
    status: Annotated[ProjectStatus | None, Query()] = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> ProjectPage:
    """招标人、代理机构看到本单位的项目；交易中心、监管和监督看到其可见范围内的全部项目。新登记的在前。"""
    actor = principal.actor
    scope = policy.scope_for(actor, policy.PROJECT_READ)
    if scope is None:
        policy.ensure(actor, policy.PROJECT_READ)
    stmt = select(Project).order_by(Project.id.desc()).limit(limit)
    if scope is policy.Scope.OWN:
        stmt = stmt.where((Project.tenderer_org_id == actor.org_id) | (Project.agency_org_id == actor.org_id))
    elif scope is policy.Scope.SECTOR:
        stmt = stmt.where(Project.sector.in_(sorted(actor.sectors)))
    if status is not None:
        stmt = stmt.where(Project.status == status.value)
    if cursor:
        stmt = stmt.where(Project.id < cursor)
    rows = list(db.execute(stmt).scalars())
    return ProjectPage(
        items=[project_read(db, p) for p in rows], next_cursor=rows[-1].id if len(rows) == limit else None
    )


@router.post("/projects", response_model=ProjectRead, status_code=201, summary="登记交易项目", tags=["项目办理"])
def register_project(body: ProjectIn, db: Db, ctx: Ctx, principal: SignedIn) -> ProjectRead:
    """受理登记。交易目录判断是否应当进场、是否必须招标；不符合目录的交易方式被拒绝并说明依据。
    代理机构只能为委托本机构（期间委托，含该交易类别）的招标人登记。"""
    actor = principal.actor
    own_kind = entities.get_org(db, actor.org_id).kind if actor.org_id else ""
    if own_kind in (OrgKind.TENDERER.value, OrgKind.GOVERNMENT.value):
        tenderer, agency = actor.org_id or "", body.agency_org_id
    elif own_kind == OrgKind.AGENCY.value:
        tenderer, agency = body.tenderer_org_id or "", actor.org_id
        if not tenderer:
            raise Invalid("代理机构登记项目须指明招标人（tenderer_org_id）", code="tenderer-required")
    else:
        tenderer, agency = body.tenderer_org_id or "", body.agency_org_id
    p = service.register(
        db,
        actor,
        name=body.name,
        approval_code=body.approval_code,
        category=body.category,
        sector=body.sector,
        method=body.method,
        state_funds_share=service.money(body.state_funds_share, "国有资金占比"),
        state_funds_amount=service.money(body.state_funds_amount, "国有资金金额"),
        tenderer_org_id=tenderer,
        agency_org_id=agency,
        sections=[service.SectionIn(s.name.strip(), service.money(s.estimate, "标段估算价")) for s in body.sections],
        clock=ctx.clock,
        exception_ref=body.exception_ref,
        note=body.note,
    )
    return project_read(db, p)


@router.get("/projects/{project_id}", response_model=ProjectRead, summary="项目详情", tags=["项目办理"])
def get_project(project_id: str, db: Db, principal: SignedIn) -> ProjectRead:
    p = queries.get_project(db, project_id)
    policy.ensure(principal.actor, policy.PROJECT_READ, queries.subject_of(p))
    return project_read(db, p)


@router.put("/projects/{project_id}", response_model=ProjectRead, summary="修改被退回的项目登记", tags=["项目办理"])
def amend_project(project_id: str, body: ProjectAmendIn, db: Db, ctx: Ctx, principal: SignedIn) -> ProjectRead:
    """修改登记：只有被交易中心退回的登记可以修改，检查与登记相同（交易目录按今日版本判断）；修改后须重新提交。"""
    p = service.amend(
        db,
        principal.actor,
        project_id=project_id,
        name=body.name,
        approval_code=body.approval_code,
        category=body.category,
        sector=body.sector,
        method=body.method,
        state_funds_share=service.money(body.state_funds_share, "国有资金占比"),
        state_funds_amount=service.money(body.state_funds_amount, "国有资金金额"),
        sections=[service.SectionIn(s.name.strip(), service.money(s.estimate, "标段估算价")) for s in body.sections],
        clock=ctx.clock,
        exception_ref=body.exception_ref,
        note=body.note,
    )
    return project_read(db, p)


@router.post("/projects/{project_id}/accept", response_model=ProjectRead, summary="受理项目登记", tags=["项目办理"])
def accept_project(project_id: str, db: Db, ctx: Ctx, principal: SignedIn) -> ProjectRead:
    return project_read(db, service.accept(db, principal.actor, project_id=project_id, clock=ctx.clock))


@router.post("/projects/{project_id}/return", response_model=ProjectRead, summary="退回项目登记", tags=["项目办理"])
def return_project(project_id: str, body: ReasonIn, db: Db, ctx: Ctx, principal: SignedIn) -> ProjectRead:
    p = service.return_registration(db, principal.actor, project_id=project_id, reason=body.reason, clock=ctx.clock)
    return project_read(db, p)


@router.post(
    "/projects/{project_id}/resubmit", response_model=ProjectRead, summary="重新提交项目登记", tags=["项目办理"]
)
def resubmit_project(project_id: str, db: Db, ctx: Ctx, principal: SignedIn) -> ProjectRead:
    return project_read(db, service.resubmit(db, principal.actor, project_id=project_id, clock=ctx.clock))


@router.post("/projects/{project_id}/terminate", response_model=ProjectRead, summary="终止项目", tags=["项目办理"])
def terminate_project(project_id: str, body: ReasonIn, db: Db, ctx: Ctx, principal: SignedIn) -> ProjectRead:
    p = service.terminate(db, principal.actor, project_id=project_id, reason=body.reason, clock=ctx.clock)
    return project_read(db, p)


# --- sections: publish, clarify, invite, re-tender, terminate ------------------------------------------------


def api_time(value: str | dt.datetime | None, what: str) -> dt.datetime | None:
    """ISO 8601; without a zone it is Beijing time (as the page's datetime-local fields)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        at = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value.strip()[:40])
        if at.tzinfo is None:
            at = at.replace(tzinfo=SHANGHAI)
        return at.astimezone(dt.UTC)
    except (ValueError, OverflowError) as exc:
        raise Invalid(f"{what}格式不正确（应为 ISO 8601）或超出可接受的范围", code="bad-datetime") from exc


@router.post(
    "/sections/{section_id}/publish",
    response_model=NoticeRef,
    status_code=201,
    summary="发布招标公告（上传招标文件）",
    tags=["项目办理"],
    openapi_extra={
        "requestBody": {
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["title", "body", "deadline", "documents"],
                        "properties": {
                            "title": {"type": "string", "maxLength": 300},
                            "body": {"type": "string", "maxLength": 20000},
                            "deadline": {"type": "string", "description": "投标截止时间，ISO 8601（无时区按北京时间）"},
                            "documents_until": {"type": "string", "description": "招标文件提供截止时间"},
                            "security": {"type": "string", "description": "投标保证金（元）"},
                            "security_bank": {"type": "string"},
                            "documents": {"type": "array", "items": {"type": "string", "format": "binary"}},
                        },
                    }
                }
            }
        }
    },
)
async def publish_section(section_id: str, request: Request, ctx: Ctx, principal: SignedIn) -> NoticeRef:
    """multipart/form-data，字段同发布页面；谁可以发布在读取请求体之前判断。投标开始，招标文件随公告发出。"""

    def may_publish() -> None:
        with ctx.db.unit_of_work(write=False) as db:
            publication.ensure_may_publish(db, principal.actor, section_id=section_id)

    await run_in_threadpool(may_publish)
    async with request.form(max_files=20) as form:
        return await _publish(ctx, principal, section_id, form)


async def _chunks(up: UploadFile) -> AsyncIterator[bytes]:
    while chunk := await up.read(1 << 20):
        yield chunk


async def _publish(ctx: AppContext, principal: SignedIn, section_id: str, form: FormData) -> NoticeRef:
    values = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    uploads = [f for f in form.getlist("documents") if isinstance(f, UploadFile) and f.filename]
    stored: list[tuple[str, Stored]] = []

    def run() -> NoticeRef:
        with ctx.db.unit_of_work() as db:
            deadline = api_time(values.get("deadline", ""), "投标截止时间")
            if deadline is None:
                raise Invalid("请填写投标截止时间", code="deadline-required")
            notice = publication.publish_tender(
                db,
                principal.actor,
                section_id=section_id,
                title=values.get("title", ""),
                body=values.get("body", ""),
                deadline=deadline,
                documents_until=api_time(values.get("documents_until"), "招标文件提供截止时间"),
                documents=stored,
                clock=ctx.clock,
                keys_env=ctx.opening,
                security=values.get("security") or None,
                security_bank=values.get("security_bank", ""),
            )
            return notice_ref(notice)

    try:
        for up in uploads:
            saved = await ctx.files.save_async(
                f"documents/{section_id}", _chunks(up), max_bytes=ctx.settings.max_document_bytes
            )
            stored.append((up.filename or "招标文件", saved))
        return await run_in_threadpool(run)
    except BaseException:
        for _, s in stored:
            ctx.files.delete(s.path)
        raise


@router.post(
    "/sections/{section_id}/clarify",
    response_model=NoticeRef,
    status_code=201,
    summary="澄清或修改（发布澄清公告）",
    tags=["项目办理"],
)
def clarify_section(section_id: str, body: ClarifyIn, db: Db, ctx: Ctx, principal: SignedIn) -> NoticeRef:
    """距投标截止不足法定期限的，投标截止时间按规则顺延（《招标投标法实施条例》第21条、《政府采购法实施条例》第31条）。"""
    notice = publication.clarify(
        db,
        principal.actor,
        section_id=section_id,
        title=body.title,
        body=body.body,
        clock=ctx.clock,
        new_deadline=api_time(body.new_deadline, "新的投标截止时间"),
    )
    return notice_ref(notice)


@router.post("/sections/{section_id}/invite", response_model=InviteRead, summary="邀请供应商", tags=["项目办理"])
def invite_suppliers(section_id: str, body: InviteIn, db: Db, ctx: Ctx, principal: SignedIn) -> InviteRead:
    added = publication.invite(db, principal.actor, section_id=section_id, org_ids=body.org_ids, clock=ctx.clock)
    return InviteRead(section_id=section_id, added=added, invited=queries.invited_orgs(db, section_id))


@router.post("/sections/{section_id}/retender", response_model=ProjectRead, summary="重新招标", tags=["项目办理"])
def retender_section(section_id: str, db: Db, ctx: Ctx, principal: SignedIn) -> ProjectRead:
    section = publication.retender(db, principal.actor, section_id=section_id, clock=ctx.clock)
    return project_read(db, queries.get_project(db, section.project_id))


@router.post("/sections/{section_id}/terminate", response_model=ProjectRead, summary="终止标段", tags=["项目办理"])
def terminate_section(section_id: str, body: ReasonIn, db: Db, ctx: Ctx, principal: SignedIn) -> ProjectRead:
    section = queries.get_section(db, section_id)
    project = queries.get_project(db, section.project_id)
    policy.ensure(principal.actor, policy.PROJECT_MANAGE, queries.subject_of(project))
    if not body.reason.strip():
        raise Invalid("终止须说明理由", code="reason-required")
    service.terminate_section(db, principal.actor, section=section, reason=body.reason, clock=ctx.clock)
    return project_read(db, project)


# --- 委托代理 ----------------------------------------------------------------------------------------------------


def appointment_read(a: Appointment) -> AppointmentRead:
    return AppointmentRead(
        id=a.id,
        tenderer_org_id=a.tenderer_org_id,
        agency_org_id=a.agency_org_id,
        project_id=a.project_id,
        categories=a.categories.split(),
        valid_from=a.valid_from,
        valid_until=a.valid_until,
        agreement_ref=a.agreement_ref,
        agreement_file_name=a.file_name,
        agreement_sha256=a.file_sha256,
        status=a.status,
        status_label=delegation.STATUS_LABELS.get(a.status, a.status),
        source=a.source,
        appointed_at=a.appointed_at,
        revoked_at=a.revoked_at,
        revoke_reason=a.revoke_reason,
    )


@router.get("/appointments", response_model=AppointmentPage, summary="委托代理列表", tags=["委托代理"])
def list_appointments(
    db: Db,
    principal: SignedIn,
    org_id: Annotated[str | None, Query(max_length=26, description="监管、监督：按招标人或代理机构筛选")] = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> AppointmentPage:
    """招标人看到本单位的委托，代理机构看到对本机构的委托；新委托的在前。"""
    rows = delegation.list_for(db, principal.actor, org_id=org_id, before=cursor, limit=limit)
    return AppointmentPage(
        items=[appointment_read(a) for a in rows], next_cursor=rows[-1].id if len(rows) == limit else None
    )


@router.post(
    "/appointments", response_model=AppointmentRead, status_code=201, summary="委托代理机构", tags=["委托代理"]
)
def appoint_agency(body: AppointmentIn, ctx: Ctx, principal: SignedIn) -> AppointmentRead:
    """委托一个项目，或按期间和交易类别委托（代理框架协议），附委托代理协议编号和文件。"""
    policy.ensure(principal.actor, policy.DELEGATION_MANAGE)
    try:
        content = base64.b64decode(body.agreement_file_base64, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise Invalid("委托代理协议文件应为 base64 编码", code="bad-file") from exc
    stored = ctx.files.save("appointments", [content], max_bytes=delegation.MAX_AGREEMENT_BYTES) if content else None
    try:
        with ctx.db.unit_of_work() as db:
            a = delegation.appoint(
                db,
                principal.actor,
                agency_org_id=body.agency_org_id,
                agreement_ref=body.agreement_ref,
                agreement=delegation.AgreementFile(body.agreement_file_name, stored) if stored else None,
                clock=ctx.clock,
                project_id=body.project_id,
                categories=[c.value for c in body.categories],
                valid_from=body.valid_from,
                valid_until=body.valid_until,
            )
            return appointment_read(a)
    except DomainError:
        if stored is not None:
            ctx.files.delete(stored.path)
        raise


@router.get("/agency-acts", response_model=AgencyActPage, summary="代理机构以本单位名义办理的事项", tags=["委托代理"])
def agency_acts(
    db: Db,
    principal: SignedIn,
    tenderer_org_id: Annotated[str | None, Query(max_length=26, description="监管、监督：指定招标人")] = None,
    cursor: params.OptionalCount = None,
    limit: Limit = 50,
) -> AgencyActPage:
    """本单位项目中由代理机构记录的事件（取自事件日志），新的在前；游标为事件序号。"""
    acts = delegation.acts_in_name_of(db, principal.actor, tenderer_org_id=tenderer_org_id, before=cursor, limit=limit)
    return AgencyActPage(
        items=[AgencyActRead(**a.__dict__) for a in acts],
        next_cursor=str(acts[-1].seq) if len(acts) == limit else None,
    )


@router.get("/appointments/{appointment_id}", response_model=AppointmentRead, summary="委托代理详情", tags=["委托代理"])
def get_appointment(appointment_id: str, db: Db, principal: SignedIn) -> AppointmentRead:
    return appointment_read(delegation.get(db, principal.actor, appointment_id))


@router.post(
    "/appointments/{appointment_id}/revoke", response_model=AppointmentRead, summary="撤销委托", tags=["委托代理"]
)
def revoke_appointment(appointment_id: str, body: ReasonIn, db: Db, ctx: Ctx, principal: SignedIn) -> AppointmentRead:
    a = delegation.revoke(db, principal.actor, appointment_id=appointment_id, reason=body.reason, clock=ctx.clock)
    return appointment_read(a)


@router.get(
    "/appointments/{appointment_id}/agreement",
    summary="下载委托代理协议文件",
    tags=["委托代理"],
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}, "description": "协议文件原件"}},
)
def appointment_agreement(appointment_id: str, db: Db, ctx: Ctx, principal: SignedIn) -> Response:
    a = delegation.get(db, principal.actor, appointment_id)
    if not a.file_path:
        raise NotFound("该委托未上传协议文件（迁移补录）", code="no-file")
    return StreamingResponse(
        ctx.files.read(a.file_path),
        media_type="application/octet-stream",
        headers={"content-disposition": content_disposition(a.file_name)},
    )
