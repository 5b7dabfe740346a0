"""案件页面 — file an objection or a complaint, each party's view of a case with its clocks, the overview."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse

from ggzy.cases import complaints, decisions, queries, register, service
from ggzy.cases.states import CaseKind, CaseStatus, ClockKind, EntryKind, Matter, Outcome, Remedy
from ggzy.core import holds, policy
from ggzy.core.clock import SHANGHAI
from ggzy.core.errors import DomainError, Forbidden, Invalid
from ggzy.core.files import Stored
from ggzy.core.roles import Role, Sector
from ggzy.entities import queries as entities
from ggzy.notices.models import Notice
from ggzy.projects import queries as projects
from ggzy.web.deps import Ctx, Db, SignedIn, content_disposition, page

router = APIRouter(include_in_schema=False)
MAX_EVIDENCE = 20 << 20
Text = Annotated[str, Form(max_length=5000)]


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _known(text: str) -> datetime | None:
    if not text.strip():
        return None
    try:
        return datetime.fromisoformat(text.strip()).replace(tzinfo=SHANGHAI)
    except ValueError:
        raise Invalid("知道之日格式应为 年-月-日", code="bad-date") from None


async def _evidence(ctx: Ctx, upload: UploadFile | None) -> list[tuple[str, Stored]]:
    if upload is None or not upload.filename:
        return []

    async def chunks() -> AsyncIterator[bytes]:
        while block := await upload.read(1 << 16):
            yield block

    stored = await ctx.files.save_async("cases/evidence", chunks(), max_bytes=MAX_EVIDENCE)
    return [(upload.filename[:200], stored)]


@router.get("/cases", response_class=HTMLResponse)
def my_cases(request: Request, db: Db, principal: SignedIn, ctx: Ctx) -> Response:
    policy.ensure(principal.actor, policy.CASE_READ)
    rows = queries.cases_of(db, principal.actor)
    return page(
        request,
        "cases/list.html",
        {
            "rows": [(c, queries.next_actor(db, c), projects.get_section(db, c.section_id)) for c in rows],
            "kind": CaseKind,
            "status": CaseStatus,
            "matter": Matter,
        },
    )


def _form(request: Request, db: Db, principal: SignedIn, section_id: str, kind: str, error: str = "") -> Response:
    if principal.actor.role is not Role.BIDDER:
        raise Forbidden("异议（质疑）和投诉由投标人（供应商）提出")
    section = projects.get_section(db, section_id)
    project = projects.get_project(db, section.project_id)
    mine = [c for c in queries.of_section(db, section_id) if c.complainant_org_id == principal.actor.org_id]
    return page(
        request,
        "cases/new.html",
        {
            "s": section,
            "p": project,
            "kind": "complaint" if kind == "complaint" else "objection",
            "matters": list(Matter),
            "sectors": list(Sector),
            "objections": [c for c in mine if c.kind == CaseKind.OBJECTION.value],
            "error": error,
        },
        status=422 if error else 200,
    )


@router.get("/sections/{section_id}/cases/new", response_class=HTMLResponse)
def new_case(request: Request, db: Db, principal: SignedIn, section_id: str, kind: str = "objection") -> Response:
    return _form(request, db, principal, section_id, kind)


@router.post("/sections/{section_id}/objections", response_class=HTMLResponse)
async def post_objection(
    request: Request,
    ctx: Ctx,
    principal: SignedIn,
    section_id: str,
    matter: Annotated[Matter, Form()],
    points: Text,
    claims: Text,
    known_at: Annotated[str, Form(max_length=30)] = "",
    evidence: Annotated[UploadFile | None, File()] = None,
) -> Response:
    files = await _evidence(ctx, evidence)
    try:
        with ctx.db.unit_of_work() as s:
            case = service.file_objection(
                s,
                principal.actor,
                section_id=section_id,
                matter=matter,
                points=_lines(points),
                claims=claims,
                known_at=_known(known_at),
                evidence=files,
                clock=ctx.clock,
            )
            case_id = case.id
    except DomainError as e:
        for _, f in files:
            ctx.files.delete(f.path)
        with ctx.db.unit_of_work(write=False) as s:
            return _form(request, s, principal, section_id, "objection", e.message)
    return _redirect(f"/cases/{case_id}")


@router.post("/sections/{section_id}/complaints", response_class=HTMLResponse)
async def post_complaint(
    request: Request,
    ctx: Ctx,
    principal: SignedIn,
    section_id: str,
    matter: Annotated[Matter, Form()],
    points: Text,
    claims: Text,
    to_sector: Annotated[Sector, Form()],
    objection_id: Annotated[str, Form(max_length=26)] = "",
    known_at: Annotated[str, Form(max_length=30)] = "",
    evidence: Annotated[UploadFile | None, File()] = None,
) -> Response:
    files = await _evidence(ctx, evidence)
    try:
        with ctx.db.unit_of_work() as s:
            case, told = complaints.file_complaint(
                s,
                principal.actor,
                section_id=section_id,
                matter=matter,
                points=_lines(points),
                claims=claims,
                to_sector=to_sector,
                objection_id=objection_id or None,
                known_at=_known(known_at),
                evidence=files,
                clock=ctx.clock,
            )
            case_id = case.id
    except DomainError as e:
        for _, f in files:
            ctx.files.delete(f.path)
        with ctx.db.unit_of_work(write=False) as s:
            return _form(request, s, principal, section_id, "complaint", e.message)
    return _redirect(f"/cases/{case_id}?told={told}")


def _detail(
    request: Request, db: Db, principal: SignedIn, ctx: Ctx, case_id: str, error: str = "", told: str = ""
) -> Response:
    case = queries.get_case(db, case_id)
    queries.ensure_may_read(db, principal.actor, case)
    actor = principal.actor
    subject = queries.subject_of(db, case)
    project = projects.get_project(db, case.project_id)
    section = projects.get_section(db, case.section_id)
    regulator = case.kind == CaseKind.COMPLAINT.value and policy.can(
        actor, policy.CASE_DECIDE, policy.Subject("case", sector=case.regulator_sector)
    )
    manager = policy.can(actor, policy.CASE_ANSWER, projects.subject_of(project))
    notice = db.get(Notice, case.decision_notice_id) if case.decision_notice_id else None
    orgs = {o: entities.get_org(db, o).name for o in subject.org_ids}
    return page(
        request,
        "cases/detail.html",
        {
            "c": case,
            "p": project,
            "s": section,
            "label": CaseKind(case.kind).label_for(case.regime),
            "matter": Matter(case.matter),
            "status": CaseStatus(case.status),
            "points": queries.points_of(case),
            "clocks": queries.clock_views(db, case, ctx.clock.now()),
            "late_open": [
                k for k in ClockKind if k.value in service.late_recorded(case) and k is queries.open_clock(case)
            ],
            "thread": queries.thread(db, case.id),
            "next_actor": queries.next_actor(db, case),
            "holds": [h for h in holds.open_holds(db, section.id) if h.case_number == case.number],
            "complainant": orgs.get(case.complainant_org_id, ""),
            "orgs": orgs,
            "regulator": regulator,
            "manager": manager,
            "party": policy.can(actor, policy.CASE_STATE, subject),
            "guide": policy.can(actor, policy.CASE_GUIDE, subject),
            "may_complain": actor.org_id == case.complainant_org_id
            and case.kind == CaseKind.OBJECTION.value
            and case.answered_at is not None,
            "needs_compliance": queries.needs_compliance(case),
            "notice": notice,
            "outcomes": list(Outcome),
            "remedies": list(Remedy),
            "steps": list(holds.Step),
            "entry_kinds": EntryKind,
            "sector_label": Sector(case.regulator_sector).label if case.regulator_sector else "",
            "error": error,
            "told": told,
        },
        status=422 if error else 200,
    )


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(request: Request, db: Db, principal: SignedIn, ctx: Ctx, case_id: str, told: str = "") -> Response:
    return _detail(request, db, principal, ctx, case_id, told=told[:500])


def _act(request: Request, ctx: Ctx, principal: SignedIn, case_id: str, fn) -> Response:  # type: ignore[no-untyped-def]
    """Run one verb in its own transaction; a refusal shows the case again with the message and changes nothing."""
    try:
        with ctx.db.unit_of_work() as s:
            fn(s)
    except DomainError as e:
        with ctx.db.unit_of_work(write=False) as s:
            return _detail(request, s, principal, ctx, case_id, error=e.message)
    return _redirect(f"/cases/{case_id}")


@router.post("/cases/{case_id}/answer", response_class=HTMLResponse)
def answer(request: Request, ctx: Ctx, principal: SignedIn, case_id: str, answer: Text) -> Response:
    return _act(
        request,
        ctx,
        principal,
        case_id,
        lambda s: service.answer_objection(s, principal.actor, case_id=case_id, answer=answer, clock=ctx.clock),
    )


@router.post("/cases/{case_id}/accept", response_class=HTMLResponse)
def accept(request: Request, ctx: Ctx, principal: SignedIn, case_id: str) -> Response:
    return _act(
        request,
        ctx,
        principal,
        case_id,
        lambda s: complaints.accept_complaint(s, principal.actor, case_id=case_id, clock=ctx.clock),
    )


@router.post("/cases/{case_id}/refuse", response_class=HTMLResponse)
def refuse(request: Request, ctx: Ctx, principal: SignedIn, case_id: str, reason: Text) -> Response:
    return _act(
        request,
        ctx,
        principal,
        case_id,
        lambda s: complaints.refuse_complaint(s, principal.actor, case_id=case_id, reason=reason, clock=ctx.clock),
    )


@router.post("/cases/{case_id}/pause", response_class=HTMLResponse)
def pause(request: Request, ctx: Ctx, principal: SignedIn, case_id: str, reason: Text) -> Response:
    return _act(
        request,
        ctx,
        principal,
        case_id,
        lambda s: complaints.pause_clock(s, principal.actor, case_id=case_id, reason=reason, clock=ctx.clock),
    )


@router.post("/cases/{case_id}/resume", response_class=HTMLResponse)
def resume(request: Request, ctx: Ctx, principal: SignedIn, case_id: str) -> Response:
    return _act(
        request,
        ctx,
        principal,
        case_id,
        lambda s: complaints.resume_clock(s, principal.actor, case_id=case_id, clock=ctx.clock),
    )


@router.post("/cases/{case_id}/suspension", response_class=HTMLResponse)
def suspend(
    request: Request,
    ctx: Ctx,
    principal: SignedIn,
    case_id: str,
    reason: Text,
    steps: Annotated[list[holds.Step], Form()],
) -> Response:
    return _act(
        request,
        ctx,
        principal,
        case_id,
        lambda s: complaints.order_suspension(
            s, principal.actor, case_id=case_id, steps=set(steps), reason=reason, clock=ctx.clock
        ),
    )


@router.post("/cases/{case_id}/decision", response_class=HTMLResponse)
def decide(
    request: Request,
    ctx: Ctx,
    principal: SignedIn,
    case_id: str,
    decision: Text,
    outcome: Annotated[Outcome, Form()],
    remedy: Annotated[Remedy, Form()] = Remedy.NONE,
    malicious: Annotated[str, Form(max_length=2)] = "",
) -> Response:
    return _act(
        request,
        ctx,
        principal,
        case_id,
        lambda s: decisions.decide(
            s,
            principal.actor,
            case_id=case_id,
            outcome=outcome,
            remedy=remedy,
            decision=decision,
            malicious=bool(malicious),
            clock=ctx.clock,
        ),
    )


@router.post("/cases/{case_id}/entries", response_class=HTMLResponse)
async def add_entry(
    request: Request,
    ctx: Ctx,
    principal: SignedIn,
    case_id: str,
    text: Text,
    kind: Annotated[EntryKind, Form()],
    to_org_id: Annotated[str, Form(max_length=26)] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    files = await _evidence(ctx, file)

    def run(s):  # type: ignore[no-untyped-def]
        service.add_entry(
            s,
            principal.actor,
            case_id=case_id,
            kind=kind,
            text=text,
            to_org_id=to_org_id or None,
            file=files[0] if files else None,
            clock=ctx.clock,
        )

    return _act(request, ctx, principal, case_id, run)


@router.post("/cases/{case_id}/compliance", response_class=HTMLResponse)
def comply(
    request: Request,
    ctx: Ctx,
    principal: SignedIn,
    case_id: str,
    body: Text,
    title: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    return _act(
        request,
        ctx,
        principal,
        case_id,
        lambda s: decisions.comply(s, principal.actor, case_id=case_id, title=title, body=body, clock=ctx.clock),
    )


@router.get("/cases/{case_id}/entries/{entry_id}/file")
def evidence_file(db: Db, ctx: Ctx, principal: SignedIn, case_id: str, entry_id: str) -> Response:
    case = queries.get_case(db, case_id)
    queries.ensure_may_read(db, principal.actor, case)
    entry = queries.entry_of(db, entry_id)
    if entry.case_id != case.id or not entry.file_path:
        raise Invalid("该材料没有文件", code="no-file")
    return StreamingResponse(
        ctx.files.read(entry.file_path),
        media_type="application/octet-stream",
        headers={"content-disposition": content_disposition(entry.file_name or "evidence")},
    )


@router.get("/supervision/cases", response_class=HTMLResponse)
def overview(request: Request, db: Db, principal: SignedIn, ctx: Ctx) -> Response:
    o = queries.overview(db, principal.actor, ctx.clock.now())
    return page(
        request,
        "cases/overview.html",
        {
            "o": o,
            "sector": Sector,
            "status": CaseStatus,
            "outcome": Outcome,
            "rows": queries.cases_of(db, principal.actor, limit=200),
            "kind": CaseKind,
        },
    )


@router.get("/supervision/cases.xlsx")
def register_xlsx(db: Db, principal: SignedIn, ctx: Ctx) -> Response:
    data = register.workbook(db, principal.actor, ctx.clock.now())
    return Response(
        data,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"content-disposition": content_disposition("异议投诉登记册.xlsx")},
    )
