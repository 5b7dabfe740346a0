"""保证金接口 — the bank's signed callback, bidders' accounts and deposits, the section's desk after the opening."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from ggzy.core import events
from ggzy.core.actor import system
from ggzy.core.errors import DomainError, Invalid
from ggzy.deposits import bank, guarantees, ledger, queries, refunds, service
from ggzy.deposits.models import Guarantee, GuaranteeMessage, Refund
from ggzy.deposits.queries import DepositLine
from ggzy.deposits.schemas import (
    BankCallback,
    BasicAccountSet,
    CallbackResult,
    ClaimIn,
    ClaimRead,
    DepositRead,
    ForfeitIn,
    GuaranteeApply,
    HeldReturnIn,
    RefundRead,
    RequirementSet,
    SubAccountRead,
)
from ggzy.deposits.states import MessageStatus, RefundStatus
from ggzy.rules import deposits as rules
from ggzy.web.context import AppContext
from ggzy.web.deps import Ctx, Db, SignedIn

router = APIRouter(tags=["保证金"])
SIGNATURE_HEADER = "X-Bank-Signature"
TIMESTAMP_HEADER = "X-Bank-Timestamp"


def callback_key(ctx: AppContext) -> bytes:
    """The HMAC key shared with the partner bank, derived from the platform's master key (never stored or logged)."""
    return ctx.keys.derive("deposits:bank-callback")


def refund_read(r: Refund) -> RefundRead:
    return RefundRead(
        id=r.id,
        reason=r.reason,
        principal=ledger.to_yuan(r.principal_fen),
        interest=ledger.to_yuan(r.interest_fen),
        status=r.status,
        status_label=RefundStatus(r.status).label,
        due_at=r.due_at,
        confirmed_at=r.confirmed_at,
    )


def read_of(line: DepositLine) -> DepositRead:
    return DepositRead(
        section_id=line.section_id,
        org_id=line.org_id,
        sub_account=line.sub_account,
        required=line.required,
        paid=line.paid,
        held=line.held,
        owed=line.owed,
        status=line.status,
        refunds=[refund_read(r) for r in line.refunds],
    )


@router.post("/deposits/bank/callback", response_model=CallbackResult, summary="银行到账回调（HMAC 签名）")
async def bank_callback(request: Request, ctx: Ctx) -> CallbackResult:
    """合作银行推送保证金到账；报文须带签名与时间戳，超出时间窗或签名错误的一律拒收并记录。"""
    body = await request.body()
    window = timedelta(minutes=int(rules.CALLBACK_WINDOW.value))
    try:
        bank.verify_callback(
            callback_key(ctx),
            timestamp=request.headers.get(TIMESTAMP_HEADER, ""),
            signature=request.headers.get(SIGNATURE_HEADER, ""),
            body=body,
            now=ctx.clock.now(),
            window=window,
        )
    except bank.BadSignature as e:
        refused(ctx, e.code)
        raise
    try:
        msg = BankCallback.model_validate_json(body)
    except ValidationError as e:
        raise Invalid("银行回调报文格式不正确", errors=e.errors(include_url=False, include_context=False)) from e
    payment = service.BankPayment(
        bank_txn_id=msg.bank_txn_id,
        sub_account=msg.sub_account,
        payer_account=msg.payer_account,
        payer_name=msg.payer_name,
        amount=msg.amount,
        paid_at=msg.paid_at,
    )
    try:
        with ctx.db.unit_of_work() as s:
            row, created = service.record_payment(s, payment, source="callback", clock=ctx.clock)
            return CallbackResult(bank_txn_id=row.bank_txn_id, booked=created)
    except DomainError as e:
        refused(ctx, e.code)
        raise


def refused(ctx: AppContext, why: str) -> None:
    """A refused callback is logged in its own transaction (the payment's, if any, was rolled back)."""
    with ctx.db.unit_of_work() as s:
        events.record(s, system(), service.PAYMENT_REFUSED, clock=ctx.clock, payload={"why": why})


@router.put("/sections/{section_id}/deposit-requirement", summary="设定投标保证金要求")
def set_requirement(section_id: str, body: RequirementSet, db: Db, me: SignedIn, ctx: Ctx) -> dict[str, str]:
    """招标人或代理机构设定本标段投标保证金（不超过估算价或预算的 2%）。"""
    req = service.set_requirement(
        db, me.actor, section_id=section_id, amount=body.amount, bank_name=body.bank_name, clock=ctx.clock
    )
    return {"section_id": req.section_id, "amount": str(ledger.to_yuan(req.amount_fen))}


@router.put("/deposits/basic-account", summary="登记基本账户")
def basic_account(body: BasicAccountSet, db: Db, me: SignedIn, ctx: Ctx) -> dict[str, str]:
    """投标人登记其基本存款账户；现金保证金须从该账户转出。"""
    row = service.register_basic_account(
        db, me.actor, account_no=body.account_no, bank_name=body.bank_name, clock=ctx.clock
    )
    return {"account_no": row.account_no, "bank_name": row.bank_name}


@router.post("/sections/{section_id}/deposit/sub-account", response_model=SubAccountRead, summary="获取保证金子账号")
def sub_account(section_id: str, db: Db, me: SignedIn, ctx: Ctx) -> SubAccountRead:
    """投标人获取本标段专属的保证金虚拟子账号（多次获取为同一账号）。"""
    sub = service.open_sub_account(db, me.actor, section_id=section_id, clock=ctx.clock)
    return SubAccountRead(section_id=sub.section_id, number=sub.number)


@router.get("/deposits/mine", response_model=list[DepositRead], summary="我的保证金")
def mine(db: Db, me: SignedIn) -> list[DepositRead]:
    """投标人本单位各标段的保证金：应缴、到账、退还及其期限。"""
    return [read_of(line) for line in queries.my_deposits(db, me.actor)]


@router.get("/sections/{section_id}/deposits", response_model=list[DepositRead], summary="标段保证金收退（开标后）")
def section_deposits(section_id: str, db: Db, me: SignedIn) -> list[DepositRead]:
    """开标后，交易中心与监管人员查看本标段每家投标人的保证金情况。"""
    return [read_of(line) for line in queries.section_deposits(db, me.actor, section_id)]


@router.post("/sections/{section_id}/deposits/forfeit", summary="不予退还保证金")
def forfeit(section_id: str, body: ForfeitIn, db: Db, me: SignedIn, ctx: Ctx) -> dict[str, str]:
    """仅在法定情形下，由交易中心工作人员写明理由作出，并报监管部门。"""
    row = service.forfeit(
        db, me.actor, section_id=section_id, org_id=body.org_id, ground=body.ground, reason=body.reason, clock=ctx.clock
    )
    return {"id": row.id, "amount": str(ledger.to_yuan(row.amount_fen))}


MAX_GUARANTEE_BYTES = 256 * 1024  # a signed guarantee is a small JSON document (as the page's upload)


@router.put("/sections/{section_id}/deposit/guarantee", summary="提交电子保函（请求体为保函文件）")
async def attach_guarantee(section_id: str, request: Request, me: SignedIn, ctx: Ctx) -> dict[str, object]:
    """投标人以登记的出具机构开具的电子保函代替现金保证金；不符合的逐项说明原因。"""
    data = bytearray()
    async for chunk in request.stream():
        data.extend(chunk)
        if len(data) > MAX_GUARANTEE_BYTES:
            raise Invalid("保函文件过大（不超过 256 KB）", code="too-large")

    def run() -> dict[str, object]:
        with ctx.db.unit_of_work() as s:
            g = guarantees.attach(s, me.actor, section_id=section_id, data=bytes(data), clock=ctx.clock)
            return {
                "id": g.id,
                "section_id": g.section_id,
                "number": g.number,
                "amount_fen": g.amount_fen,
                "valid_until": g.valid_until,
                "sha256": g.sha256,
            }

    return await run_in_threadpool(run)


@router.post(
    "/sections/{section_id}/deposit/guarantee/application", status_code=201, summary="经平台申请一体化电子保函"
)
def apply_guarantee(section_id: str, body: GuaranteeApply, me: SignedIn, ctx: Ctx) -> dict[str, object]:
    """标段与受益人密封发送给出具机构，开标后才向机构披露；机构答复保函编号、期限与签名文件。"""
    from ggzy.deposits import timers as deposit_timers

    with ctx.db.unit_of_work() as s:
        g = guarantees.apply_through(
            s,
            me.actor,
            section_id=section_id,
            issuer_id=body.issuer_id,
            issuers=deposit_timers.issuers_of(ctx),
            key=deposit_timers.platform_key(ctx),
            clock=ctx.clock,
        )
        return {
            "id": g.id,
            "section_id": g.section_id,
            "number": g.number,
            "amount_fen": g.amount_fen,
            "valid_until": g.valid_until,
            "sha256": g.sha256,
        }


def claim_read(db: Db, row: GuaranteeMessage) -> ClaimRead:
    g = db.get(Guarantee, row.guarantee_id)
    return ClaimRead(
        id=row.id,
        guarantee_number=g.number if g is not None else "",
        amount=ledger.to_yuan(row.amount_fen),
        beneficiary=row.beneficiary,
        status=row.status,
        status_label=MessageStatus(row.status).label,
    )


@router.post("/sections/{section_id}/deposits/claims", response_model=ClaimRead, summary="就电子保函向出具机构索赔")
def claim(section_id: str, body: ClaimIn, db: Db, me: SignedIn, ctx: Ctx) -> ClaimRead:
    """仅在法定情形下（投标截止后撤销投标文件；中标人无正当理由不签订合同或不提交履约保证金），由交易中心工作人员写明理由
    作出，报监管部门；一体化保函的索赔报文经平台签名发往出具机构（同一保函只索赔一次）。"""
    row = guarantees.claim(
        db, me.actor, section_id=section_id, org_id=body.org_id, ground=body.ground, reason=body.reason, clock=ctx.clock
    )
    return claim_read(db, row)


@router.post(
    "/sections/{section_id}/deposits/held-returns", response_model=RefundRead, summary="非基本账户来款退回付款账户"
)
def return_held(section_id: str, body: HeldReturnIn, db: Db, me: SignedIn, ctx: Ctx) -> RefundRead:
    """非从投标人基本账户转出的款项不作为投标保证金，由交易中心工作人员写明理由退回原付款账户（经合作银行，不重复退款）。"""
    payment = queries.payment_of(db, body.bank_txn_id)
    if payment is None or payment.section_id != section_id:
        raise Invalid("本标段没有这笔待核实到账", code="unknown-payment")
    r = refunds.return_held(db, me.actor, bank_txn_id=body.bank_txn_id, reason=body.reason, clock=ctx.clock)
    return refund_read(r)
