"""评标页面 — open the room, the room itself, an expert's sheet, clarifications and quotes, the report,
and the live page of supervision (fed by the event log through the bus)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from ggzy.core import events, policy
from ggzy.core.errors import DomainError, Forbidden, Invalid
from ggzy.core.roles import Role
from ggzy.entities import queries as entities
from ggzy.entities.models import User
from ggzy.evaluation import api, bills, live, methods, queries, service
from ggzy.evaluation.methods import Kind
from ggzy.evaluation.schemas import EvaluationOpen
from ggzy.evaluation.scoring import Sheet
from ggzy.evaluation.states import EvaluationStatus
from ggzy.experts import queries as expert_queries
from ggzy.experts import service as expert_service
from ggzy.experts.states import DrawStatus
from ggzy.projects import queries as projects
from ggzy.projects.states import SectionStatus
from ggzy.rules import evaluation as rules
from ggzy.rules.procedures import Method as Procedure
from ggzy.rules.procedures import procedure as procedure_of
from ggzy.web.context import AppContext
from ggzy.web.deps import Ctx, Db, SignedIn, content_disposition, page

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form(max_length=20000)]


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _back(evaluation_id: str, exc: DomainError | None = None, where: str = "") -> RedirectResponse:
    url = f"/evaluations/{evaluation_id}{where}"
    return _redirect(url + (f"?error={quote(exc.message)}" if exc else ""))


def _head(db: Db, section_id: str) -> dict[str, Any]:
    s = projects.get_section(db, section_id)
    p = projects.get_project(db, s.project_id)
    return {"s": s, "p": p, "status": SectionStatus(s.status), "tenderer": entities.get_org(db, p.tenderer_org_id)}


@router.get("/sections/{section_id}/evaluation", response_class=HTMLResponse)
def start_page(request: Request, db: Db, principal: SignedIn, section_id: str, error: str = "") -> Response:
    e = queries.of_section(db, section_id)
    if e is not None:
        return _redirect(f"/evaluations/{e.id}")
    context = _head(db, section_id)
    policy.ensure(principal.actor, policy.EVALUATION_RUN, projects.subject_of(context["p"]))
    s, p = context["s"], context["p"]
    d = expert_queries.active_draw(db, s.id, s.round)
    seats: list[dict[str, Any]] = []
    missing = ""
    if d is not None and DrawStatus(d.status) is DrawStatus.COMPLETE:
        shown = expert_service.names_visible(db, principal.actor, d)
        groups = expert_queries.seats_of(d)
        reps = expert_queries.representatives_of(d)
        for n, uid in enumerate(service.seated(db, s), start=1):
            u = db.get(User, uid)
            rep = uid in reps
            seats.append(
                {
                    "seat": n,
                    "what": "招标人代表" if rep else f"评标专家（{groups[n - 1] if n <= len(groups) else '*'}）",
                    "name": (u.display_name if u else uid) if shown else "",
                    "expert": not rep,
                }
            )
    else:
        try:
            service.committee(db, s, p, members=None, direct="")
        except DomainError as exc:
            missing = exc.message
    regime = procedure_of(p.method).regime
    grounds = [
        g
        for g in rules.DIRECT_GROUNDS.values()
        if g.regime is regime and (not g.single_source_only or Procedure(p.method) is Procedure.SINGLE_SOURCE)
    ]
    context.update(
        error=error,
        kinds=[k for k in Kind if k in service.METHODS_FOR.get(Procedure(p.method), frozenset())],
        minimum=rules.committee_minimum,
        draw=d,
        draw_status=DrawStatus(d.status) if d else None,
        seats=seats,
        missing=missing,
        grounds=grounds,
        chair_basis=str(rules.CHAIR_CHOSEN),
    )
    return page(request, "evaluation/start.html", context)


def _user_id(db: Db, username: str) -> str:
    u = entities.find_user(db, username.strip())
    if u is None:
        raise Invalid(f"未找到用户「{username.strip()}」", code="unknown-user")
    return u.id


@router.post("/sections/{section_id}/evaluation")
def start(
    db: Db,
    ctx: Ctx,
    principal: SignedIn,
    section_id: str,
    kind: Annotated[str, Form(max_length=30)],
    members: Text = "",
    chair: Annotated[str, Form(max_length=100)] = "",
    chair_seat: Annotated[str, Form(max_length=3)] = "",
    direct: Annotated[str, Form(max_length=30)] = "",
    ceiling: Annotated[str, Form(max_length=30)] = "",
    tender_bill: Text = "",
) -> Response:
    try:
        names = [n for n in members.replace("，", ",").replace(",", "\n").split() if n]
        limit = None
        if ceiling.strip():
            try:
                limit = Decimal(ceiling.replace(",", "").strip())
            except InvalidOperation:
                raise Invalid("最高投标限价须为金额数字", code="ceiling") from None
        bill = None
        if tender_bill.strip():
            try:
                bill = bills.parse(tender_bill.strip(), priced=False)
            except bills.BillUnreadable as exc:
                raise Invalid(f"招标工程量清单无法识别：{exc}", code="tender-bill") from None
        seat = None
        if chair_seat.strip():
            if not chair_seat.strip().isdigit() or not 1 <= int(chair_seat) <= 99:
                raise Invalid("请选择评标委员会推举的组长", code="committee-chair")
            seat = int(chair_seat)
        elif not chair.strip():
            raise Invalid("请选择评标委员会推举的组长", code="committee-chair")
        body = EvaluationOpen(
            members=[_user_id(db, n) for n in names] if direct else None,
            chair=_user_id(db, chair) if chair.strip() else "",
            chair_seat=seat,
            direct=direct,
            kind=kind,
            ceiling=limit,
            tender_bill=bill.to_json() if bill else None,
        )
        e = api.open_now(db, ctx, principal.actor, section_id, body)
    except DomainError as exc:
        db.rollback()
        return _redirect(f"/sections/{section_id}/evaluation?error={quote(exc.message)}")
    return _redirect(f"/evaluations/{e.id}")


@router.get("/evaluations", response_class=HTMLResponse)
def list_page(request: Request, db: Db, principal: SignedIn) -> Response:
    actor = principal.actor
    items = [(e, _head(db, e.section_id), EvaluationStatus(e.status)) for e in queries.visible(db, actor)]
    return page(request, "evaluation/list.html", {"items": items, "role": actor.role.value})


def _room_context(db: Db, principal: SignedIn, evaluation_id: str) -> dict[str, Any]:
    actor = principal.actor
    if actor.role is Role.BIDDER:
        raise Forbidden("投标人请在「评标事项」中答复澄清或报价")
    e, runs = service.room(db, actor, evaluation_id=evaluation_id)
    method = queries.method_of(e)
    members = queries.members(db, e.id)
    me = queries.member(db, e.id, actor.user_id)
    names: dict[str, str] = {}
    if runs:  # only the operator running the room knows who sits on it (S4)
        for m in members:
            u = db.get(User, m.user_id)
            names[m.user_id] = u.display_name if u else m.user_id
    section = projects.get_section(db, e.section_id)
    d = expert_queries.active_draw(db, section.id, e.round)
    reps = set(expert_queries.representatives_of(d)) if d is not None else set()
    bids = queries.bids(db, e.id)
    result = json.loads(e.result or "{}")
    org_names = {b.org_id: b.name for b in bids}
    return {
        **_head(db, e.section_id),
        "e": e,
        "estatus": EvaluationStatus(e.status),
        "method": method,
        "members": members,
        "names": names,
        "representatives": reps,
        "me": me,
        "runs": runs,
        "bids": bids,
        "notes": {b.org_id: json.loads(b.notes) for b in bids},
        "reasons": {b.org_id: json.loads(b.reasons) for b in bids},
        "revealed": queries.is_revealed(e),
        "outliers": [{**o, "name": org_names.get(o["org_id"], "")} for o in result.get("outliers", [])],
        "base": result.get("base"),
        "signs": json.loads(e.signs),
        "questions": queries.questions(db, e.id),
        "quotes": queries.quotes(db, e.id),
        "org_names": org_names,
        "kind": Kind(e.kind),
    }


@router.get("/evaluations/{evaluation_id}", response_class=HTMLResponse)
def room_page(request: Request, db: Db, principal: SignedIn, evaluation_id: str, error: str = "") -> Response:
    context = _room_context(db, principal, evaluation_id)
    context["error"] = error
    return page(request, "evaluation/room.html", context)


@router.get("/evaluations/{evaluation_id}/sheet", response_class=HTMLResponse)
def sheet_page(request: Request, db: Db, principal: SignedIn, evaluation_id: str, error: str = "") -> Response:
    context = _room_context(db, principal, evaluation_id)
    if context["me"] is None:
        raise Forbidden("您不是本次评标委员会成员")
    uid = principal.actor.user_id or ""
    e = context["e"]
    context.update(
        error=error,
        review=queries.in_review(db, e.id),
        mine=queries.sheet_for(db, e, reader_id=uid, member_id=uid),
    )
    return page(request, "evaluation/sheet.html", context)


def sheet_from_form(form: dict[str, Any]) -> Sheet:
    """Fields s:<org>:<criterion> (score), q:<org>:<criterion> (pass|fail) and r:<org>:<criterion> (reason)."""
    data: dict[str, Any] = {"scores": {}, "qualification": {}}
    for key, value in form.items():
        parts = key.split(":")
        if len(parts) != 3:
            continue
        kind, org, cid = parts
        if kind == "s":
            if not str(value).strip():
                continue
            data["scores"].setdefault(org, {})[cid] = str(value)
        elif kind == "q":
            entry = data["qualification"].setdefault(org, {}).setdefault(cid, {})
            entry["pass"] = value == "pass"
            entry["reason"] = str(form.get(f"r:{org}:{cid}", ""))
    return Sheet.from_json(data)


@router.post("/evaluations/{evaluation_id}/sheet")
async def submit_sheet(request: Request, ctx: Ctx, principal: SignedIn, evaluation_id: str) -> Response:
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}

    def run() -> None:
        with ctx.db.unit_of_work() as db:
            service.submit_sheet(
                db, principal.actor, evaluation_id=evaluation_id, sheet=sheet_from_form(form), clock=ctx.clock
            )

    try:
        await run_in_threadpool(run)
    except DomainError as exc:
        return _back(evaluation_id, exc, "/sheet")
    return _back(evaluation_id)


@router.post("/evaluations/{evaluation_id}/questions")
def ask(
    db: Db,
    ctx: Ctx,
    principal: SignedIn,
    evaluation_id: str,
    org_id: Annotated[str, Form(max_length=26)],
    question: Text,
) -> Response:
    try:
        service.ask_question(
            db, principal.actor, evaluation_id=evaluation_id, org_id=org_id, question=question, clock=ctx.clock
        )
    except DomainError as exc:
        db.rollback()
        return _back(evaluation_id, exc)
    return _back(evaluation_id)


@router.post("/evaluations/{evaluation_id}/rounds")
def open_round(
    db: Db, ctx: Ctx, principal: SignedIn, evaluation_id: str, final: Annotated[str, Form()] = ""
) -> Response:
    try:
        service.open_round(db, principal.actor, evaluation_id=evaluation_id, final=final == "1", clock=ctx.clock)
    except DomainError as exc:
        db.rollback()
        return _back(evaluation_id, exc)
    return _back(evaluation_id)


@router.post("/evaluations/{evaluation_id}/rounds/close")
def close_round(db: Db, ctx: Ctx, principal: SignedIn, evaluation_id: str) -> Response:
    try:
        service.close_round(db, principal.actor, evaluation_id=evaluation_id, clock=ctx.clock)
    except DomainError as exc:
        db.rollback()
        return _back(evaluation_id, exc)
    return _back(evaluation_id)


@router.post("/evaluations/{evaluation_id}/negotiation-record")
def negotiation_record(db: Db, ctx: Ctx, principal: SignedIn, evaluation_id: str, record: Text) -> Response:
    try:
        service.record_negotiation(db, principal.actor, evaluation_id=evaluation_id, record=record, clock=ctx.clock)
    except DomainError as exc:
        db.rollback()
        return _back(evaluation_id, exc)
    return _back(evaluation_id)


@router.post("/evaluations/{evaluation_id}/report")
def sign_report(db: Db, ctx: Ctx, principal: SignedIn, evaluation_id: str) -> Response:
    try:
        service.sign_report(db, principal.actor, evaluation_id=evaluation_id, clock=ctx.clock, files=ctx.files)
    except DomainError as exc:
        db.rollback()
        return _back(evaluation_id, exc)
    return _back(evaluation_id)


@router.get("/evaluations/{evaluation_id}/report.pdf")
def report_pdf(db: Db, ctx: Ctx, principal: SignedIn, evaluation_id: str) -> Response:
    e = service.report_file(db, principal.actor, evaluation_id=evaluation_id)
    assert e.report_path is not None
    return StreamingResponse(
        ctx.files.read(e.report_path),
        media_type="application/pdf",
        headers={"content-disposition": content_disposition("评标报告.pdf")},
    )


# --- the bidder's side: clarifications to answer, quotes to give ------------------------------------


@router.get("/evaluations/{evaluation_id}/respond", response_class=HTMLResponse)
def respond_page(request: Request, db: Db, principal: SignedIn, evaluation_id: str, error: str = "") -> Response:
    actor = principal.actor
    policy.ensure(actor, policy.EVALUATION_RESPOND)
    e = queries.get_evaluation(db, evaluation_id)
    mine = next((b for b in queries.bids(db, e.id) if b.org_id == actor.org_id), None)
    if mine is None:
        raise Forbidden("贵单位不是本标段的投标人")
    context = {
        **_head(db, e.section_id),
        "e": e,
        "estatus": EvaluationStatus(e.status),
        "kind": Kind(e.kind),
        "questions": queries.questions(db, e.id, actor.org_id),
        "quotes": [q for q in queries.quotes(db, e.id) if q.org_id == actor.org_id],
        "error": error,
    }
    return page(request, "evaluation/respond.html", context)


def _back_respond(evaluation_id: str, exc: DomainError | None = None) -> RedirectResponse:
    return _redirect(f"/evaluations/{evaluation_id}/respond" + (f"?error={quote(exc.message)}" if exc else ""))


@router.post("/evaluation-questions/{question_id}/answer")
def answer(db: Db, ctx: Ctx, principal: SignedIn, question_id: str, answer: Text) -> Response:
    from ggzy.evaluation.models import Question

    q = db.get(Question, question_id)
    evaluation_id = q.evaluation_id if q else ""
    try:
        service.answer_question(db, principal.actor, question_id=question_id, answer=answer, clock=ctx.clock)
    except DomainError as exc:
        db.rollback()
        return _back_respond(evaluation_id, exc)
    return _back_respond(evaluation_id)


@router.post("/evaluations/{evaluation_id}/quotes")
def submit_quote(
    db: Db, ctx: Ctx, principal: SignedIn, evaluation_id: str, price: Annotated[str, Form(max_length=30)]
) -> Response:
    try:
        service.submit_quote(db, principal.actor, evaluation_id=evaluation_id, price=price, clock=ctx.clock)
    except DomainError as exc:
        db.rollback()
        return _back_respond(evaluation_id, exc)
    return _back_respond(evaluation_id)


# --- live supervision (T13) ----------------------------------------------------------------------------


@router.get("/sections/{section_id}/evaluation/live", response_class=HTMLResponse)
def live_page(request: Request, db: Db, principal: SignedIn, section_id: str) -> Response:
    e = service.ensure_watch(db, principal.actor, section_id=section_id)
    context = {**_head(db, section_id), "e": e, "snap": live.snapshot(db, e) if e else None}
    return page(request, "evaluation/live.html", context)


@router.get("/sections/{section_id}/evaluation/live/events")
async def live_events(request: Request, ctx: Ctx, principal: SignedIn, section_id: str) -> Response:
    """Server-sent events: a snapshot now and after every committed evaluation event of the section."""

    def check() -> None:
        with ctx.db.unit_of_work(write=False) as db:
            service.ensure_watch(db, principal.actor, section_id=section_id)

    await run_in_threadpool(check)
    _hook(ctx)

    def snapshot() -> dict[str, object]:
        with ctx.db.unit_of_work(write=False) as db:
            e = queries.of_section(db, section_id)
            return live.snapshot(db, e) if e else {"type": "snapshot", "status": "尚未开始评标", "timeline": []}

    async def stream() -> AsyncIterator[bytes]:
        yield _sse(await run_in_threadpool(snapshot))
        idle = 0
        with ctx.bus.subscribe(live.channel(section_id)) as sub:
            while not await request.is_disconnected():
                message = await run_in_threadpool(sub.get, 1.0)
                idle = 0 if message else idle + 1
                if message is not None or idle >= 5:  # every 5 s anyway: other app nodes' events
                    idle = 0
                    yield _sse(await run_in_threadpool(snapshot))
                else:
                    yield b": keep-alive\n\n"
                await asyncio.sleep(0)

    headers = {"cache-control": "no-store", "x-accel-buffering": "no"}
    return StreamingResponse(stream(), media_type="text/event-stream", headers=headers)


def _sse(message: dict[str, object]) -> bytes:
    return f"data: {json.dumps(message, ensure_ascii=False, default=str)}\n\n".encode()


__all__ = ["methods", "router"]


def _hook(ctx: AppContext) -> None:
    if "evaluation.forwarder" not in ctx.extras:
        ctx.extras["evaluation.forwarder"] = events.on_commit(live.forwarder(ctx.bus))


def on_start(ctx: AppContext) -> Callable[[], None]:
    """Called by the app at start-up (every node, before any page is asked for): committed evaluation events wake the
    live pages, so a node that never served one still tells the others' readers through the bus."""
    _hook(ctx)

    def unhook() -> None:
        remove = ctx.extras.pop("evaluation.forwarder", None)
        if callable(remove):
            remove()

    return unhook
