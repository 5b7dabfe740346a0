"""保证金页面 — the bidder's deposits (basic account, sub-account, guarantee) and a section's desk after the opening."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ggzy.core import policy
from ggzy.core.errors import DomainError, Forbidden, Invalid, RecordedRefusal
from ggzy.core.roles import Role
from ggzy.deposits import guarantees, queries, refunds, service
from ggzy.deposits import timers as deposit_timers
from ggzy.deposits.models import BasicAccount, Guarantee, SubAccount
from ggzy.deposits.states import GuaranteeStatus, MessageStatus, RefundStatus
from ggzy.entities import queries as entities
from ggzy.projects import queries as projects
from ggzy.rules.deposits import FORFEIT_GROUNDS
from ggzy.web.deps import Ctx, Db, SignedIn, page
from ggzy.web.errors import keep_refusal

router = APIRouter(include_in_schema=False)
MAX_GUARANTEE_BYTES = 256 * 1024  # a signed guarantee is a small JSON document


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _bidder(principal: SignedIn) -> str:
    if principal.actor.org_id is None or principal.actor.role is not Role.BIDDER:
        raise Forbidden("只有投标人缴纳投标保证金")
    return principal.actor.org_id


@router.get("/my/deposits", response_class=HTMLResponse)
def my_deposits(request: Request, db: Db, principal: SignedIn, error: str = "", done: str = "") -> Response:
    org = _bidder(principal)
    lines = queries.my_deposits(db, principal.actor)
    sections = {line.section_id: projects.get_section(db, line.section_id) for line in lines}
    return page(
        request,
        "deposits/mine.html",
        {
            "lines": lines,
            "sections": sections,
            "basic": db.get(BasicAccount, org),
            "refund_status": RefundStatus,
            "error": error,
            "done": done,
        },
    )


@router.post("/my/deposits/basic-account", response_class=HTMLResponse)
def set_basic(
    request: Request,
    ctx: Ctx,
    principal: SignedIn,
    account_no: Annotated[str, Form(max_length=40)],
    bank_name: Annotated[str, Form(max_length=100)],
) -> Response:
    try:
        with ctx.db.unit_of_work() as s:
            service.register_basic_account(
                s, principal.actor, account_no=account_no, bank_name=bank_name, clock=ctx.clock
            )
    except DomainError as e:
        return my_deposits_error(request, ctx, principal, e.message)
    return _redirect("/my/deposits?done=基本账户已登记")


def my_deposits_error(request: Request, ctx: Ctx, principal: SignedIn, message: str) -> Response:
    with ctx.db.unit_of_work(write=False) as s:
        return my_deposits(request, s, principal, error=message)


@router.get("/sections/{section_id}/deposit", response_class=HTMLResponse)
def section_deposit(request: Request, db: Db, principal: SignedIn, section_id: str, error: str = "") -> Response:
    """The bidder's desk for one section: what is asked, its own sub-account, its guarantee."""
    org = _bidder(principal)
    section = projects.get_section(db, section_id)
    project = projects.get_project(db, section.project_id)
    sub = db.query(SubAccount).filter_by(section_id=section_id, org_id=org).one_or_none()
    guarantee = db.query(Guarantee).filter_by(section_id=section_id, org_id=org).one_or_none()
    return page(
        request,
        "deposits/section.html",
        {
            "s": section,
            "p": project,
            "req": queries.requirement_of(db, section_id),
            "sub": sub,
            "guarantee": guarantee,
            "guarantee_status": GuaranteeStatus,
            "integrated_issuers": guarantees.integrated_issuers(db),
            "basic": db.get(BasicAccount, org),
            "error": error,
        },
    )


@router.post("/sections/{section_id}/deposit/sub-account", response_class=HTMLResponse)
def open_sub(request: Request, ctx: Ctx, principal: SignedIn, section_id: str) -> Response:
    try:
        with ctx.db.unit_of_work() as s:
            service.open_sub_account(s, principal.actor, section_id=section_id, clock=ctx.clock)
    except DomainError as e:
        if isinstance(e, RecordedRefusal):
            keep_refusal(request, e)  # a sanctioned bidder's attempt is kept although this request changed nothing
        with ctx.db.unit_of_work(write=False) as s:
            return section_deposit(request, s, principal, section_id, error=e.message)
    return _redirect(f"/sections/{section_id}/deposit")


@router.post("/sections/{section_id}/deposit/guarantee", response_class=HTMLResponse)
async def attach_guarantee(
    request: Request, ctx: Ctx, principal: SignedIn, section_id: str, file: Annotated[UploadFile, File()]
) -> Response:
    data = await file.read(MAX_GUARANTEE_BYTES + 1)
    try:
        if len(data) > MAX_GUARANTEE_BYTES:
            raise Invalid("保函文件过大（不超过 256 KB）")
        with ctx.db.unit_of_work() as s:
            guarantees.attach(s, principal.actor, section_id=section_id, data=data, clock=ctx.clock)
    except DomainError as e:
        if isinstance(e, RecordedRefusal):
            keep_refusal(request, e)  # a sanctioned bidder's attempt is kept although this request changed nothing
        with ctx.db.unit_of_work(write=False) as s:
            return section_deposit(request, s, principal, section_id, error=e.message)
    return _redirect(f"/sections/{section_id}/deposit")


@router.post("/sections/{section_id}/deposit/guarantee/apply", response_class=HTMLResponse)
def apply_guarantee(
    request: Request, ctx: Ctx, principal: SignedIn, section_id: str, issuer_id: Annotated[str, Form(max_length=26)]
) -> Response:
    """一体化电子保函：经平台向登记的出具机构申请（标段与受益人密封，开标后才向机构披露）。"""
    try:
        with ctx.db.unit_of_work() as s:
            guarantees.apply_through(
                s,
                principal.actor,
                section_id=section_id,
                issuer_id=issuer_id,
                issuers=deposit_timers.issuers_of(ctx),
                key=deposit_timers.platform_key(ctx),
                clock=ctx.clock,
            )
    except DomainError as e:
        if isinstance(e, RecordedRefusal):
            keep_refusal(request, e)
        with ctx.db.unit_of_work(write=False) as s:
            return section_deposit(request, s, principal, section_id, error=e.message)
    return _redirect(f"/sections/{section_id}/deposit")


@router.get("/sections/{section_id}/deposits", response_class=HTMLResponse)
def section_desk(
    request: Request, db: Db, principal: SignedIn, section_id: str, error: str = "", done: str = ""
) -> Response:
    """After the opening: every bidder's security, for the centre and supervisors; the centre's operator may send
    money held from a wrong account back to its payer and, on a legal ground, claim on a guarantee."""
    lines = queries.section_deposits(db, principal.actor, section_id)
    section = projects.get_section(db, section_id)
    names = {line.org_id: entities.get_org(db, line.org_id).name for line in lines}
    return page(
        request,
        "deposits/desk.html",
        {
            "s": section,
            "lines": lines,
            "names": names,
            "refund_status": RefundStatus,
            "guarantee_status": GuaranteeStatus,
            "message_status": MessageStatus,
            "claims": queries.claims_of(db, section_id),
            "grounds": FORFEIT_GROUNDS,
            "may_manage": policy.can(principal.actor, policy.DEPOSIT_MANAGE),
            "shared": queries.shared_payer_accounts(db, section_id),
            "error": error,
            "done": done,
        },
    )


def _desk_error(request: Request, ctx: Ctx, principal: SignedIn, section_id: str, message: str) -> Response:
    with ctx.db.unit_of_work(write=False) as s:
        return section_desk(request, s, principal, section_id, error=message)


@router.post("/sections/{section_id}/deposits/claims", response_class=HTMLResponse)
def claim(
    request: Request,
    ctx: Ctx,
    principal: SignedIn,
    section_id: str,
    org_id: Annotated[str, Form(max_length=26)],
    ground: Annotated[str, Form(max_length=40)],
    reason: Annotated[str, Form(max_length=500)],
) -> Response:
    try:
        with ctx.db.unit_of_work() as s:
            guarantees.claim(
                s, principal.actor, section_id=section_id, org_id=org_id, ground=ground, reason=reason, clock=ctx.clock
            )
    except DomainError as e:
        return _desk_error(request, ctx, principal, section_id, e.message)
    return _redirect(f"/sections/{section_id}/deposits?done=已作出索赔决定并报监管部门，索赔报文将发往出具机构")


@router.post("/sections/{section_id}/deposits/held-returns", response_class=HTMLResponse)
def return_held(
    request: Request,
    ctx: Ctx,
    principal: SignedIn,
    section_id: str,
    bank_txn_id: Annotated[str, Form(max_length=64)],
    reason: Annotated[str, Form(max_length=300)],
) -> Response:
    try:
        with ctx.db.unit_of_work() as s:
            payment = queries.payment_of(s, bank_txn_id)
            if payment is None or payment.section_id != section_id:
                raise Invalid("本标段没有这笔待核实到账")
            refunds.return_held(s, principal.actor, bank_txn_id=bank_txn_id, reason=reason, clock=ctx.clock)
    except DomainError as e:
        return _desk_error(request, ctx, principal, section_id, e.message)
    return _redirect(f"/sections/{section_id}/deposits?done=已决定退回付款账户，退款指令将发送银行")
