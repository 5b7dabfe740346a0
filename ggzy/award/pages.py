"""定标页面 — one page per section from the candidates to the contract (each party sees its own actions), the
award notice and contract PDFs, and the archive: the dossier list and a dossier's page."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from sqlalchemy.orm import Session

from ggzy.award import archive, contracts, performance, queries, service
from ggzy.bidding import queries as bids
from ggzy.cases import queries as case_queries
from ggzy.cases.states import ClockKind
from ggzy.core import holds, policy
from ggzy.core.actor import Actor, system
from ggzy.core.errors import DomainError, Forbidden, Invalid
from ggzy.core.files import Stored
from ggzy.core.policy import Subject
from ggzy.core.roles import Role
from ggzy.entities import queries as entities
from ggzy.evaluation import queries as evaluation
from ggzy.projects import queries as projects
from ggzy.projects.states import SectionStatus
from ggzy.rules import award as rules
from ggzy.rules.procedures import procedure
from ggzy.web.context import AppContext
from ggzy.web.deps import Ctx, Db, SignedIn, content_disposition, page

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form(max_length=5000)]
Short = Annotated[str, Form(max_length=60)]


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _back(section_id: str, exc: DomainError | None = None) -> RedirectResponse:
    return _redirect(f"/sections/{section_id}/award" + (f"?error={quote(exc.message)}" if exc else ""))


def subject(db: Session, section_id: str) -> Subject:
    """The award of a section concerns its tenderer, its agency and every bidder whose bid was opened."""
    s = projects.get_section(db, section_id)
    p = projects.get_project(db, s.project_id)
    orgs = {p.tenderer_org_id, *([p.agency_org_id] if p.agency_org_id else [])}
    orgs |= {b.bidder_org_id for b in bids.opened_bids(db, s.id, s.round)}
    return Subject("award", frozenset(orgs), sector=p.sector)


def context(db: Session, actor: Actor, section_id: str) -> dict[str, Any]:
    policy.ensure(actor, policy.AWARD_READ, subject(db, section_id))
    s = projects.get_section(db, section_id)
    p = projects.get_project(db, s.project_id)
    proc = procedure(p.method)
    a = queries.award_of(db, s.id, s.round)
    contract = queries.contract_of(db, a.id) if a else None
    manager = policy.can(actor, policy.AWARD_MANAGE, projects.subject_of(p))
    is_winner = a is not None and actor.org_id is not None and actor.org_id == a.winner_org_id
    bidders = {b.bidder_org_id for b in bids.opened_bids(db, s.id, s.round)}
    return {
        "s": s,
        "p": p,
        "proc": proc,
        "status": SectionStatus(s.status),
        "tenderer": entities.get_org(db, p.tenderer_org_id),
        "terms": rules.terms(proc.regime),
        "ranking": evaluation.final_ranking(db, s.id) if a is None else [],
        "a": a,
        "candidates": queries.candidates(a) if a else [],
        # an objection is between its bidder and the tenderer: other bidders do not read it
        "objections": [
            (o, entities.get_org(db, o.complainant_org_id), case_queries.clocks(db, o)[ClockKind.ANSWER].due_at())
            for o in (queries.objections(db, a) if a else [])
            if actor.role is not Role.BIDDER or o.complainant_org_id == actor.org_id
        ],
        "winner": entities.get_org(db, a.winner_org_id) if a and a.winner_org_id else None,
        "contract": contract,
        "hold": holds.holding(db, s.id, holds.Step.AWARD),
        "dossier": queries.dossier_of(db, s.id),
        "manager": manager,
        "is_winner": is_winner,
        "can_object": policy.can(actor, policy.CASE_FILE) and actor.org_id in bidders,
        "can_sign": contract is not None
        and (
            (manager and actor.org_id == p.tenderer_org_id and contract.tenderer_signed_at is None)
            or (is_winner and contract.winner_signed_at is None)
        ),
        "can_read_files": manager or is_winner or policy.can(actor, policy.ARCHIVE_READ, projects.subject_of(p)),
    }


@router.get("/sections/{section_id}/award", response_class=HTMLResponse)
def award_page(request: Request, db: Db, principal: SignedIn, section_id: str, error: str = "") -> Response:
    ctx = context(db, principal.actor, section_id)
    return page(request, "award/section.html", {**ctx, "error": error})


def _act(db: Session, section_id: str, run: Any) -> Response:
    try:
        run()
    except DomainError as exc:
        db.rollback()
        return _back(section_id, exc)
    return _back(section_id)


@router.post("/sections/{section_id}/award/publish")
def publish(db: Db, ctx: Ctx, principal: SignedIn, section_id: str) -> Response:
    return _act(
        db, section_id, lambda: service.publish_candidates(db, principal.actor, section_id=section_id, clock=ctx.clock)
    )


@router.post("/sections/{section_id}/award/objections")
def object_(db: Db, ctx: Ctx, principal: SignedIn, section_id: str, text: Text = "") -> Response:
    return _act(
        db,
        section_id,
        lambda: service.file_objection(db, principal.actor, section_id=section_id, text=text, clock=ctx.clock),
    )


@router.post("/award-objections/{objection_id}/answer")
def answer(db: Db, ctx: Ctx, principal: SignedIn, objection_id: str, answer: Text = "") -> Response:
    o = case_queries.get_case(db, objection_id)
    return _act(
        db,
        o.section_id,
        lambda: service.answer_objection(
            db, principal.actor, objection_id=objection_id, answer=answer, clock=ctx.clock
        ),
    )


@router.post("/sections/{section_id}/award/winner")
def choose(
    db: Db,
    ctx: Ctx,
    principal: SignedIn,
    section_id: str,
    winner: Annotated[str, Form(max_length=26)],
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    return _act(
        db,
        section_id,
        lambda: service.award(
            db,
            principal.actor,
            section_id=section_id,
            winner_org_id=winner,
            reason=reason,
            clock=ctx.clock,
            files=ctx.files,
            notifier=ctx.notifier,
        ),
    )


@router.post("/sections/{section_id}/award/report")
def report(db: Db, ctx: Ctx, principal: SignedIn, section_id: str, text: Text = "") -> Response:
    return _act(
        db,
        section_id,
        lambda: service.report_to_supervisor(db, principal.actor, section_id=section_id, text=text, clock=ctx.clock),
    )


def _days(value: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    if not value.isdigit() or len(value) > 5:
        raise Invalid("工期/服务期应为整数日", code="bad-duration")
    return int(value)


@router.post("/sections/{section_id}/award/contract")
async def contract(
    ctx: Ctx,
    principal: SignedIn,
    section_id: str,
    amount: Short = "",
    security: Short = "",
    duration_days: Short = "",
    terms: Text = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    data = await file.read(service.MAX_PDF + 1) if file is not None and file.filename else None
    try:
        with ctx.db.unit_of_work() as s:
            contracts.create_contract(
                s,
                principal.actor,
                section_id=section_id,
                amount=amount,
                security=security,
                duration_days=_days(duration_days),
                terms_text=terms,
                pdf=data,
                clock=ctx.clock,
                files=ctx.files,
            )
    except DomainError as exc:
        return _back(section_id, exc)
    return _back(section_id)


def sign_and_seal(db: Session, ctx: AppContext, actor: Actor, section_id: str) -> None:
    """The second signature makes the contract; the platform then seals the dossier at once (the tick would)."""
    c = contracts.sign_contract(db, actor, section_id=section_id, clock=ctx.clock)
    if c.signed_at is not None:
        archive.seal(db, system(), section_id=section_id, clock=ctx.clock, files=ctx.files, env=ctx.opening)


@router.post("/sections/{section_id}/award/sign")
def sign(db: Db, ctx: Ctx, principal: SignedIn, section_id: str) -> Response:
    return _act(db, section_id, lambda: sign_and_seal(db, ctx, principal.actor, section_id))


def _pdf(ctx: AppContext, path: str, name: str) -> Response:
    return StreamingResponse(
        ctx.files.read(path), media_type="application/pdf", headers={"content-disposition": content_disposition(name)}
    )


@router.get("/sections/{section_id}/award/notice.pdf")
def notice_pdf(db: Db, ctx: Ctx, principal: SignedIn, section_id: str) -> Response:
    c = context(db, principal.actor, section_id)
    if not c["can_read_files"] or c["a"] is None or c["a"].notice_path is None:
        raise Forbidden("只有招标人、中标人和监督部门可以查看中标通知书")
    return _pdf(ctx, c["a"].notice_path, "中标通知书.pdf")


@router.get("/sections/{section_id}/award/contract.pdf")
def contract_pdf(db: Db, ctx: Ctx, principal: SignedIn, section_id: str) -> Response:
    c = context(db, principal.actor, section_id)
    if not c["can_read_files"] or c["contract"] is None:
        raise Forbidden("只有合同双方和监督部门可以查看合同文本")
    return _pdf(ctx, c["contract"].path, "合同.pdf")


# --- the archive -----------------------------------------------------------------------------------------------


@router.get("/archive", response_class=HTMLResponse)
def archive_list(request: Request, db: Db, principal: SignedIn) -> Response:
    actor = principal.actor
    policy.ensure(actor, policy.ARCHIVE_READ)
    rows = []
    for d in queries.dossiers(db):
        p = projects.get_project(db, d.project_id)
        if policy.can(actor, policy.ARCHIVE_READ, projects.subject_of(p)):
            rows.append((d, p, projects.get_section(db, d.section_id)))
    return page(request, "award/archive.html", {"rows": rows})


@router.get("/archive/{section_id}", response_class=HTMLResponse)
def dossier_page(request: Request, db: Db, ctx: Ctx, principal: SignedIn, section_id: str) -> Response:
    d = archive.get_dossier(db, principal.actor, section_id)
    s = projects.get_section(db, section_id)
    p = projects.get_project(db, s.project_id)
    return page(
        request,
        "award/dossier.html",
        {
            "d": d,
            "s": s,
            "p": p,
            "manifest": archive.manifest_of(ctx.files, d),
            "status": SectionStatus(s.status),
            "kinds": archive.KIND_LABELS,
        },
    )


# --- 履约评价 -------------------------------------------------------------------------------------------------


def performance_context(db: Session, actor: Actor, section_id: str) -> dict[str, Any]:
    performance.ensure_may_read(db, actor, section_id)
    s = projects.get_section(db, section_id)
    p = projects.get_project(db, s.project_id)
    a = queries.award_of(db, s.id, s.round)
    contract = queries.contract_of(db, a.id) if a else None
    supplier = entities.get_org(db, a.winner_org_id) if a and a.winner_org_id else None
    return {
        "s": s,
        "p": p,
        "proc": procedure(p.method),
        "tenderer": entities.get_org(db, p.tenderer_org_id),
        "status": SectionStatus(s.status),
        "a": a,
        "contract": contract,
        "supplier": supplier,
        "rows": performance.of_section(db, s.id),
        "outcomes": list(performance.Outcome),
        "outcome": performance.Outcome,
        "pstatus": performance.Status,
        "can_record": contract is not None
        and contract.signed_at is not None
        and policy.can(actor, policy.PERFORMANCE_RECORD, projects.subject_of(p)),
        "is_supplier": supplier is not None
        and actor.org_id == supplier.id
        and policy.can(actor, policy.PERFORMANCE_OBJECT, Subject("award", frozenset({supplier.id}))),
        "supervisor": policy.can(actor, policy.CREDIT_RECORD),
    }


@router.get("/sections/{section_id}/award/performance", response_class=HTMLResponse)
def performance_page(request: Request, db: Db, principal: SignedIn, section_id: str, error: str = "") -> Response:
    ctx = performance_context(db, principal.actor, section_id)
    return page(request, "award/performance.html", {**ctx, "error": error})


def _perf_back(section_id: str, exc: DomainError | None = None) -> RedirectResponse:
    return _redirect(f"/sections/{section_id}/award/performance" + (f"?error={quote(exc.message)}" if exc else ""))


async def save_evidence(ctx: AppContext, upload: UploadFile | None) -> tuple[str, Stored] | None:
    if upload is None or not upload.filename:
        return None

    async def chunks() -> AsyncIterator[bytes]:
        while block := await upload.read(1 << 16):
            yield block

    stored = await ctx.files.save_async("award/performance", chunks(), max_bytes=service.MAX_PDF)
    return upload.filename[:200], stored


@router.post("/sections/{section_id}/award/performance")
async def record_performance(
    ctx: Ctx,
    principal: SignedIn,
    section_id: str,
    outcome: Annotated[performance.Outcome, Form()],
    text: Text = "",
    evidence: Annotated[UploadFile | None, File()] = None,
) -> Response:
    saved = await save_evidence(ctx, evidence)
    try:
        with ctx.db.unit_of_work() as s:
            performance.record(
                s, principal.actor, section_id=section_id, outcome=outcome, text=text, evidence=saved, clock=ctx.clock
            )
    except DomainError as exc:
        if saved:
            ctx.files.delete(saved[1].path)
        return _perf_back(section_id, exc)
    return _perf_back(section_id)


def _perf_act(db: Session, performance_id: str, run: Any) -> Response:
    section_id = performance.get(db, performance_id).section_id
    try:
        run()
    except DomainError as exc:
        db.rollback()
        return _perf_back(section_id, exc)
    return _perf_back(section_id)


@router.post("/performance/{performance_id}/objection")
def object_to_performance(db: Db, ctx: Ctx, principal: SignedIn, performance_id: str, text: Text = "") -> Response:
    return _perf_act(
        db,
        performance_id,
        lambda: performance.object_to(db, principal.actor, performance_id=performance_id, text=text, clock=ctx.clock),
    )


@router.post("/performance/{performance_id}/handling")
def handle_performance_objection(
    db: Db, ctx: Ctx, principal: SignedIn, performance_id: str, upheld: Short = "", note: Text = ""
) -> Response:
    return _perf_act(
        db,
        performance_id,
        lambda: performance.handle_objection(
            db, principal.actor, performance_id=performance_id, upheld=upheld == "1", note=note, clock=ctx.clock
        ),
    )


@router.post("/performance/{performance_id}/confirmation")
def confirm_performance(db: Db, ctx: Ctx, principal: SignedIn, performance_id: str) -> Response:
    return _perf_act(
        db,
        performance_id,
        lambda: performance.confirm(db, principal.actor, performance_id=performance_id, clock=ctx.clock),
    )


@router.get("/performance/{performance_id}/file")
def performance_file(db: Db, ctx: Ctx, principal: SignedIn, performance_id: str) -> Response:
    p = performance.get(db, performance_id)
    performance.ensure_may_read(db, principal.actor, p.section_id)
    if not p.file_path:
        raise Invalid("该履约评价没有证明材料", code="no-file")
    return StreamingResponse(
        ctx.files.read(p.file_path),
        media_type="application/octet-stream",
        headers={"content-disposition": content_disposition(p.file_name or "evidence")},
    )
