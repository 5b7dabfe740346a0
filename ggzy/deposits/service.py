"""保证金收取 — the notice's requirement, bidders' basic accounts and sub-accounts, payments, forfeiture.

Who has paid is as secret as who has bid: payments are seen by the paying bidder alone until the
section is opened, so nothing here raises an alert or shows a name before then; `check_at_opening`
does both at the opening (the art. 40 sign of one account paying for several bidders included).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ggzy.core import events, policy
from ggzy.core.actor import Actor, system
from ggzy.core.clock import Clock
from ggzy.core.errors import Conflict, Forbidden, Invalid, NotFound, RuleViolation
from ggzy.core.ids import new_id
from ggzy.credit import enforce as credit
from ggzy.credit.states import Step as CreditStep
from ggzy.deposits import ledger
from ggzy.deposits.ledger import Leg
from ggzy.deposits.models import BasicAccount, Forfeiture, Payment, Requirement, SubAccount
from ggzy.deposits.states import AccountKind, PaymentStatus
from ggzy.projects import queries as projects
from ggzy.rules import procurement, tendering
from ggzy.rules.base import Regime
from ggzy.rules.deposits import FORFEIT_GROUNDS
from ggzy.rules.procedures import PROCEDURES, Method

if TYPE_CHECKING:
    from ggzy.projects.models import Section

REQUIREMENT_SET = events.event_type("deposits.requirement_set", "设定投标保证金要求", public=True)
BASIC_ACCOUNT_SET = events.event_type("deposits.basic_account_set", "登记基本账户")
SUB_ACCOUNT_OPENED = events.event_type("deposits.sub_account_opened", "分配保证金子账号")
PAYMENT_RECEIVED = events.event_type("deposits.payment_received", "保证金到账")
PAYMENT_REFUSED = events.event_type("deposits.payment_refused", "拒收银行到账报文")
FORFEITED = events.event_type("deposits.forfeited", "不予退还投标保证金")
# Who paid for which section is as secret as who bid (S4): these wait for the opening.
CONFIDENTIAL_TYPES = frozenset({SUB_ACCOUNT_OPENED, PAYMENT_RECEIVED})

BASIC_ACCOUNT_RULE = "《招标投标法实施条例》第26条：境内投标单位以现金或者支票形式提交的投标保证金应当从其基本账户转出"


def privacy(section: Section) -> dict[str, Any]:
    """Before the opening a deposit event says that a bidder had paid or pledged: sealed like the bid itself."""
    if section.opened_at is None:
        return {"scope": section.id, "secret_until": events.AT_OPENING}
    return {"scope": section.project_id}


def regime_of(session: Session, section_id: str) -> Regime:
    section = projects.get_section(session, section_id)
    project = projects.get_project(session, section.project_id)
    return PROCEDURES[Method(project.method)].regime


def set_requirement(
    session: Session,
    actor: Actor,
    *,
    section_id: str,
    amount: Decimal | str,
    bank_name: str,
    clock: Clock,
    bid_validity_days: int = 90,
) -> Requirement:
    """The notice's bid security: at most 2 % of the section's estimate (budget), checked by rule."""
    section = projects.get_section(session, section_id)
    project = projects.get_project(session, section.project_id)
    policy.ensure(actor, policy.PROJECT_MANAGE, projects.subject_of(project))
    if section.bid_deadline is not None and clock.now() >= section.bid_deadline:
        raise RuleViolation("投标截止后不能再修改投标保证金要求")
    fen = ledger.to_fen(amount)
    if fen < 0:
        raise Invalid("投标保证金不能为负数")
    regime = PROCEDURES[Method(project.method)].regime
    cap_rule = tendering.DEPOSIT_CAP if regime is Regime.TENDERING else procurement.DEPOSIT_CAP
    cap = ledger.to_fen((section.estimate * Decimal(cap_rule.value) / 100).quantize(ledger.FEN))
    if fen > cap:
        raise RuleViolation(
            f"投标保证金 {ledger.to_yuan(fen)} 元超过上限 {ledger.to_yuan(cap)} 元（{cap_rule.describe()}）",
            code="deposit-over-cap",
        )
    req = session.get(Requirement, section_id)
    if req is None:
        req = Requirement(
            section_id=section_id, amount_fen=fen, regime=regime.value, bank_name=bank_name, set_at=clock.now()
        )
        session.add(req)
    else:
        req.amount_fen, req.bank_name, req.set_at = fen, bank_name, clock.now()
    session.flush()
    events.record(
        session,
        actor,
        REQUIREMENT_SET,
        clock=clock,
        subject=("section", section_id),
        scope=section.project_id,
        payload={"amount": str(ledger.to_yuan(fen)), "bank": bank_name},
    )
    return req


def notice_line(req: Requirement) -> str:
    """What the tender notice says of the security: the amount, its cap, and the two ways to give it."""
    regime = Regime(req.regime)
    cap_rule = tendering.DEPOSIT_CAP if regime is Regime.TENDERING else procurement.DEPOSIT_CAP
    basic = "（条例第26条：以现金或者支票形式提交的，应当从其基本账户转出）" if regime is Regime.TENDERING else ""
    return (
        f"投标保证金：人民币 {ledger.to_yuan(req.amount_fen):,.2f} 元（{cap_rule.describe()}）。"
        f"现金保证金须在投标截止前从投标人基本账户转入平台为其开设的本标段保证金子账户{basic}，"
        f"开户银行：{req.bank_name}；子账户在「我的保证金」中申请，每个投标人一个。"
        "也可提交电子保函（在线申请或上传已签发的保函）。谁缴纳了保证金与谁投了标同样保密，开标前不公开。"
    )


def register_basic_account(
    session: Session, actor: Actor, *, account_no: str, bank_name: str, clock: Clock
) -> BasicAccount:
    """A bidder registers its basic account (基本存款账户): cash security must come from it."""
    if actor.org_id is None:
        raise Forbidden("请以投标人身份登录")
    policy.ensure(actor, policy.DEPOSIT_PAY, policy.Subject("deposit", frozenset({actor.org_id})))
    account_no = _account_no(account_no)
    row = session.get(BasicAccount, actor.org_id)
    if row is None:
        row = BasicAccount(
            org_id=actor.org_id, account_no=account_no, bank_name=bank_name.strip(), registered_at=clock.now()
        )
        session.add(row)
    else:
        row.account_no, row.bank_name, row.registered_at = account_no, bank_name.strip(), clock.now()
    session.flush()
    events.record(session, actor, BASIC_ACCOUNT_SET, clock=clock, subject=("organisation", actor.org_id))
    return row


def _account_no(text: str) -> str:
    digits = "".join(text.split())
    if not (8 <= len(digits) <= 32) or not digits.isdigit():
        raise Invalid("银行账号应为 8–32 位数字")
    return digits


def sub_account_number(section_id: str, org_id: str) -> str:
    """A stable virtual sub-account number for (section, bidder): 19 digits, the bank's usual length."""
    h = int.from_bytes(hashlib.sha256(f"{section_id}/{org_id}".encode()).digest()[:8], "big")
    return "6217" + f"{h % 10**15:015d}"


def open_sub_account(session: Session, actor: Actor, *, section_id: str, clock: Clock) -> SubAccount:
    """The bidder's own sub-account for a section (asked for once, the same number every time)."""
    if actor.org_id is None:
        raise Forbidden("请以投标人身份登录")
    policy.ensure(actor, policy.DEPOSIT_PAY, policy.Subject("deposit", frozenset({actor.org_id})))
    section = projects.get_section(session, section_id)
    if session.get(Requirement, section_id) is None:
        raise RuleViolation("本标段未要求提交投标保证金")
    if section.bid_deadline is not None and clock.now() >= section.bid_deadline:
        raise RuleViolation("投标截止时间已过，不再受理投标保证金")
    credit.ensure_may_take_part(
        session, actor, org_id=actor.org_id, section_id=section_id, step=CreditStep.DEPOSIT, at=clock.now()
    )
    existing = session.execute(
        select(SubAccount).where(SubAccount.section_id == section_id, SubAccount.org_id == actor.org_id)
    ).scalar_one_or_none()
    if existing is not None:
        return existing
    sub = SubAccount(
        number=sub_account_number(section_id, actor.org_id),
        section_id=section_id,
        org_id=actor.org_id,
        opened_at=clock.now(),
    )
    session.add(sub)
    session.flush()
    events.record(
        session,
        actor,
        SUB_ACCOUNT_OPENED,
        clock=clock,
        subject=("section", section_id),
        scope=section.id,
        secret_until=events.AT_OPENING,
    )
    return sub


@dataclass(frozen=True)
class BankPayment:
    """A payment as the bank reports it (callback body or statement row)."""

    bank_txn_id: str
    sub_account: str
    payer_account: str
    payer_name: str
    amount: Decimal | str
    paid_at: datetime


def record_payment(session: Session, payment: BankPayment, *, source: str, clock: Clock) -> tuple[Payment, bool]:
    """Match a bank payment to its bidder and section and book it; the bank's id makes a replay a no-op.

    The same transaction id with another amount, account or sub-account is refused: a replayed
    callback can never change what was booked (the edge logs the refusal in its own transaction,
    since this one is rolled back).
    """
    me = system()
    fen = ledger.to_fen(payment.amount)
    if fen <= 0:
        raise Invalid("到账金额必须大于零")
    txn = payment.bank_txn_id.strip()
    if not txn or len(txn) > 64:
        raise Invalid("银行交易流水号缺失或过长")
    payer = _account_no(payment.payer_account)
    existing = session.get(Payment, txn)
    if existing is not None:
        if (existing.amount_fen, existing.sub_account, existing.payer_account) != (fen, payment.sub_account, payer):
            raise Conflict(f"银行流水 {txn} 已入账，重发报文的金额或账户与原报文不一致，已拒收", code="replay-changed")
        return existing, False
    sub = session.get(SubAccount, payment.sub_account)
    if sub is None:
        raise NotFound(
            f"未知的保证金子账号 {payment.sub_account}：款项未入账，请银行退回或人工核实", code="unknown-sub-account"
        )
    section = projects.get_section(session, sub.section_id)
    basic = session.get(BasicAccount, sub.org_id)
    status = PaymentStatus.ACCEPTED if basic is not None and basic.account_no == payer else PaymentStatus.HELD
    row = Payment(
        bank_txn_id=txn,
        sub_account=sub.number,
        section_id=sub.section_id,
        org_id=sub.org_id,
        payer_account=payer,
        payer_name=payment.payer_name.strip()[:200],
        amount_fen=fen,
        paid_at=payment.paid_at,
        status=status.value,
        source=source,
        received_at=clock.now(),
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        # The same callback arriving twice at once: the other booked it; check it is the same.
        session.expire_all()
        return record_payment(session, payment, source=source, clock=clock)
    credit = AccountKind.PAYABLE if status is PaymentStatus.ACCEPTED else AccountKind.SUSPENSE
    ledger.post(
        session,
        key=f"pay:{txn}",
        kind="payment",
        section_id=sub.section_id,
        legs=[
            Leg(AccountKind.BANK, sub.section_id, None, fen),
            Leg(credit, sub.section_id, sub.org_id, -fen),
        ],
        clock=clock,
    )
    events.record(
        session,
        me,
        PAYMENT_RECEIVED,
        clock=clock,
        subject=("section", sub.section_id),
        scope=section.id,
        secret_until=events.AT_OPENING,
        payload={"txn_digest": hashlib.sha256(txn.encode()).hexdigest(), "status": status.value},
    )
    return row, True


def accept_held(session: Session, actor: Actor, *, bank_txn_id: str, reason: str, clock: Clock) -> Payment:
    """After review, a held payment counts as the bidder's security — only if it did come from the bidder's basic
    account as registered now (a basic account registered or corrected after paying). Money from any other account
    is never security (条例 art. 26): it goes back to its payer (`refunds.return_held`, and at the end of the trade)."""
    policy.ensure(actor, policy.DEPOSIT_MANAGE)
    row = session.get(Payment, bank_txn_id)
    if row is None:
        raise NotFound("没有这笔到账")
    if row.status != PaymentStatus.HELD.value:
        raise Conflict("这笔到账不在待核实状态")
    if not reason.strip():
        raise Invalid("请写明核实结论")
    basic = session.get(BasicAccount, row.org_id)
    if basic is None or basic.account_no != row.payer_account:
        raise RuleViolation(
            f"付款账户不是该投标人登记的基本账户，不能作为投标保证金（{BASIC_ACCOUNT_RULE}）；只能退回付款账户",
            code="not-basic-account",
        )
    ledger.post(
        session,
        key=f"accept:{bank_txn_id}",
        kind="accept_held",
        section_id=row.section_id,
        legs=[
            Leg(AccountKind.SUSPENSE, row.section_id, row.org_id, row.amount_fen),
            Leg(AccountKind.PAYABLE, row.section_id, row.org_id, -row.amount_fen),
        ],
        clock=clock,
        memo=reason.strip()[:300],
    )
    row.status = PaymentStatus.ACCEPTED.value
    return row


def forfeit(
    session: Session, actor: Actor, *, section_id: str, org_id: str, ground: str, reason: str, clock: Clock
) -> Forfeiture:
    """不予退还 — only on a ground the law gives, by an operator, with a reason; reported to supervision."""
    policy.ensure(actor, policy.DEPOSIT_MANAGE)
    if ground not in FORFEIT_GROUNDS:
        raise Invalid("不予退还保证金只能依据法定情形：" + "；".join(FORFEIT_GROUNDS.values()))
    if not reason.strip():
        raise Invalid("请写明不予退还的事实与理由")
    held = -ledger.balance(session, AccountKind.PAYABLE, section_id, org_id)
    if held <= 0:
        raise Conflict("该投标人在本标段没有可处置的保证金（可能已退还）")
    row = Forfeiture(
        id=new_id(),
        section_id=section_id,
        org_id=org_id,
        ground=ground,
        reason=reason.strip()[:500],
        amount_fen=held,
        decided_by=actor.user_id or "",
        decided_at=clock.now(),
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError as e:
        raise Conflict("该投标人的保证金已作出不予退还决定") from e
    ledger.post(
        session,
        key=f"forfeit:{section_id}:{org_id}",
        kind="forfeit",
        section_id=section_id,
        legs=[
            Leg(AccountKind.PAYABLE, section_id, org_id, held),
            Leg(AccountKind.FORFEITED, section_id, None, -held),
        ],
        clock=clock,
        memo=FORFEIT_GROUNDS[ground],
    )
    section = projects.get_section(session, section_id)
    events.record(
        session,
        actor,
        FORFEITED,
        clock=clock,
        subject=("section", section_id),
        scope=section.project_id,
        refs={"org": org_id},
        payload={"ground": ground, "amount": str(ledger.to_yuan(held)), "reason": row.reason},
    )
    return row
