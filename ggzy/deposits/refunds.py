"""保证金退还 — refunds prepared once, instructed to the bank by id, confirmed by its answer.

A refund moves through the ledger in two entries: when it is prepared, what the platform owes the
bidder (principal and interest) goes into transit; when the bank confirms, transit leaves the bank
account. Between the two, the refund's instruction id is the bank's idempotency key: a lost
answer, a retry, a second node or a crash and restart all send the same id, so the bank pays once,
and a refund in transit is never forgotten (`process` picks up every refund not yet confirmed).
Refunds are unique per (section, bidder, reason) and prepared under a row lock on the bidder's
sub-account, so concurrent callers prepare each one exactly once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ggzy.core import calendar, events, policy
from ggzy.core.actor import Actor, system
from ggzy.core.clock import Clock
from ggzy.core.errors import Conflict, Invalid, NotFound, RuleViolation
from ggzy.core.ids import new_id
from ggzy.deposits import ledger
from ggzy.deposits.bank import Bank, BankAnswer, BankTimeout, Instruction
from ggzy.deposits.ledger import Leg
from ggzy.deposits.models import BasicAccount, Guarantee, GuaranteeMessage, Payment, Refund, SubAccount
from ggzy.deposits.service import privacy, regime_of
from ggzy.deposits.states import (
    AccountKind,
    GuaranteeStatus,
    MessageStatus,
    PaymentStatus,
    RefundReason,
    RefundStatus,
)
from ggzy.projects import queries as projects
from ggzy.rules import deposits as deposit_rules
from ggzy.rules import procurement, tendering
from ggzy.rules.base import RULES, Regime, Rule, Unit

REFUND_PREPARED = events.event_type("deposits.refund_prepared", "保证金退还待发送银行")
REFUND_CONFIRMED = events.event_type("deposits.refund_confirmed", "保证金已退还")
GUARANTEE_RELEASED = events.event_type("deposits.guarantee_released", "交易结束，电子保函退保")
REFUND_FAILED = events.event_type("deposits.refund_failed", "银行退回保证金退款指令")
HELD_RETURN_DECIDED = events.event_type("deposits.held_return_decided", "决定将非基本账户来款退回付款账户")
DAYS_IN_YEAR = 360  # 人民银行计息规则：按实际天数计息，年利率换算日利率按 360 天


_privacy = privacy  # a refund before the opening (after a withdrawal) says a bidder had paid: sealed like the bid


def interest_fen(principal_fen: int, annual_rate: Decimal, days: int) -> int:
    """银行同期存款利息 — principal × annual rate × days / 360, rounded half up to the fen."""
    if days <= 0 or principal_fen <= 0:
        return 0
    raw = Decimal(principal_fen) * annual_rate * days / DAYS_IN_YEAR
    return int(raw.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def due_after(start: datetime, rule: Rule) -> datetime:
    """The end of the period a rule gives, counted in Beijing days as the law counts."""
    day = calendar.local_date(start)
    n = int(rule.value)
    end = calendar.add_working_days(day, n) if rule.unit is Unit.WORKING_DAYS else day + timedelta(days=n)
    return calendar.end_of_local_day(end)


def withdrawal_rule(regime: Regime) -> Rule:
    return (
        deposit_rules.WITHDRAWAL_REFUND if regime is Regime.TENDERING else deposit_rules.PROCUREMENT_WITHDRAWAL_REFUND
    )


def concluded_rule(regime: Regime, *, winner: bool) -> Rule:
    if regime is Regime.TENDERING:
        return tendering.DEPOSIT_REFUND
    return deposit_rules.WINNER_REFUND if winner else procurement.DEPOSIT_REFUND_LOSERS


def ended_rule(regime: Regime) -> Rule:
    """流标或终止 — works: 条例 art. 31 (及时, kept at 5 days); procurement: 5 working days (87号令 art. 29)."""
    return deposit_rules.ENDED_REFUND if regime is Regime.TENDERING else deposit_rules.PROCUREMENT_ENDED_REFUND


def rule_for(regime: Regime, reason: RefundReason, *, winner: bool = False) -> Rule:
    if reason is RefundReason.WITHDRAWN:
        return withdrawal_rule(regime)
    if reason is RefundReason.ENDED:
        return ended_rule(regime)
    return concluded_rule(regime, winner=winner)


def rule_of(session: Session, refund: Refund) -> Rule:
    """The rule a refund's due date came from (refunds prepared before rule ids were kept: by their reason)."""
    if refund.rule_id and refund.rule_id in RULES:
        return RULES[refund.rule_id]
    reason = RefundReason.of(refund.reason)
    regime = regime_of(session, refund.section_id)
    return rule_for(regime, RefundReason.CONCLUDED if reason is RefundReason.HELD else reason)


def owed(session: Session, section_id: str, org_id: str) -> int:
    """What the platform owes a bidder for a section now, in fen (its payable account, as a positive number)."""
    return -ledger.balance(session, AccountKind.PAYABLE, section_id, org_id)


def prepare(
    session: Session,
    actor: Actor,
    *,
    section_id: str,
    org_id: str,
    reason: RefundReason,
    start: datetime,
    annual_rate: Decimal,
    clock: Clock,
    winner: bool = False,
) -> Refund | None:
    """Prepare the refund of what a bidder is owed; the existing refund if it was prepared already."""
    sub = session.execute(
        select(SubAccount).where(SubAccount.section_id == section_id, SubAccount.org_id == org_id).with_for_update()
    ).scalar_one_or_none()
    if sub is None:
        return None
    existing = _existing(session, section_id, org_id, reason)
    principal = owed(session, section_id, org_id)
    if principal <= 0:
        return existing  # prepared already (a retry), or nothing is owed
    since = _last_refunded(session, section_id, org_id)  # interest only on money paid after an earlier refund
    basic = session.get(BasicAccount, org_id)
    if basic is None:
        raise RuleViolation("投标人未登记基本账户，无法退还保证金")
    regime = regime_of(session, section_id)
    rule = rule_for(regime, reason, winner=winner)
    interest = 0
    if reason is not RefundReason.WITHDRAWN:
        interest = sum(
            interest_fen(p.amount_fen, annual_rate, (clock.now().date() - p.paid_at.date()).days)
            for p in _payments(session, section_id, org_id)
            if since is None or p.received_at > since
        )
    refund_id = new_id()
    refund = Refund(
        id=refund_id,
        instruction_id=f"GGZY{refund_id}",
        section_id=section_id,
        org_id=org_id,
        reason=reason.value,
        seq=existing.seq + 1 if existing is not None else 1,
        principal_fen=principal,
        interest_fen=interest,
        to_account=basic.account_no,
        status=RefundStatus.PREPARED.value,
        attempts=0,
        due_at=due_after(start, rule),
        prepared_at=clock.now(),
        rule_id=rule.id,
    )
    try:
        with session.begin_nested():
            session.add(refund)
            session.flush()
    except IntegrityError:
        found = _existing(session, section_id, org_id, reason)
        if found is None:
            raise
        return found
    if interest:
        ledger.post(
            session,
            key=f"interest:{refund.id}",
            kind="interest",
            section_id=section_id,
            legs=[
                Leg(AccountKind.INTEREST_INCOME, section_id, None, interest),
                Leg(AccountKind.INTEREST, section_id, org_id, -interest),
            ],
            clock=clock,
        )
    legs = [Leg(AccountKind.PAYABLE, section_id, org_id, principal)]
    if interest:
        legs.append(Leg(AccountKind.INTEREST, section_id, org_id, interest))
    legs.append(Leg(AccountKind.TRANSIT, section_id, org_id, -(principal + interest)))
    ledger.post(
        session, key=f"prepare:{refund.id}", kind="refund_prepared", section_id=section_id, legs=legs, clock=clock
    )
    section = projects.get_section(session, section_id)
    events.record(
        session,
        actor,
        REFUND_PREPARED,
        clock=clock,
        subject=("deposit_refund", refund.id),
        **_privacy(section),
        payload={"reason": reason.value, "due": refund.due_at.isoformat()},
    )
    return refund


def _last_refunded(session: Session, section_id: str, org_id: str) -> datetime | None:
    """When this bidder's security in this section was last prepared for refund (a held return is not its security)."""
    return session.execute(
        select(func.max(Refund.prepared_at)).where(
            Refund.section_id == section_id, Refund.org_id == org_id, Refund.payment_txn.is_(None)
        )
    ).scalar()


def _existing(session: Session, section_id: str, org_id: str, reason: RefundReason) -> Refund | None:
    """The latest refund of this bidder, section and reason."""
    return session.execute(
        select(Refund)
        .where(Refund.section_id == section_id, Refund.org_id == org_id, Refund.reason == reason.value)
        .order_by(Refund.seq.desc())
        .limit(1)
    ).scalar_one_or_none()


def _payments(session: Session, section_id: str, org_id: str) -> list[Payment]:
    return list(
        session.execute(
            select(Payment).where(
                Payment.section_id == section_id,
                Payment.org_id == org_id,
                Payment.status == PaymentStatus.ACCEPTED.value,
            )
        ).scalars()
    )


def after_withdrawal(session: Session, *, section_id: str, org_id: str, clock: Clock) -> Refund | None:
    """撤回投标 — the bidder withdrew its last sealed bid before the deadline: its security is due back within 5 days
    (or 5 working days) of the withdrawal, without interest (条例 art. 35; 87号令 art. 38). Sealed until the opening."""
    return prepare(
        session,
        system(),
        section_id=section_id,
        org_id=org_id,
        reason=RefundReason.WITHDRAWN,
        start=clock.now(),
        annual_rate=Decimal(0),
        clock=clock,
    )


def annual_rate() -> Decimal:
    """The configured interest rate as a fraction (0.35 % → 0.0035)."""
    return Decimal(deposit_rules.DEMAND_RATE.value) / 100


def on_award(session: Session, *, section_id: str, winner_org_id: str, clock: Clock) -> list[Refund]:
    """中标通知书发出 — procurement: the losers' security is due back within 5 working days of the award notice,
    with interest (采购条例 art. 33), and money they paid from a wrong account goes back to its payer; works wait
    for the contract (条例 art. 57)."""
    if regime_of(session, section_id) is not Regime.PROCUREMENT:
        return []
    losers = [o for o in _orgs_with_money(session, section_id) if o != winner_org_id]
    return _concluded(session, section_id, losers, winner_org_id, clock)


def on_contract(session: Session, *, section_id: str, winner_org_id: str, clock: Clock) -> list[Refund]:
    """合同签订 — works: every bidder's security with interest within 5 days (条例 art. 57); procurement: the
    winner's within 5 working days (采购条例 art. 33); money held from wrong accounts back to its payers.
    Guarantees are released (退保) at the same moment."""
    out = _concluded(session, section_id, _orgs_with_money(session, section_id), winner_org_id, clock)
    release_guarantees(session, section_id=section_id, clock=clock)
    return out


def on_end(session: Session, *, section_id: str, clock: Clock) -> list[Refund]:
    """流标或终止招标 — the trade ends without a contract: every security comes back with interest (条例 art. 31;
    87号令 art. 29), money held from wrong accounts goes back to its payers, every guarantee is released."""
    out = prepare_section(
        session,
        system(),
        section_id=section_id,
        start=clock.now(),
        annual_rate=annual_rate(),
        clock=clock,
        reason=RefundReason.ENDED,
    )
    release_guarantees(session, section_id=section_id, clock=clock)
    return out


def _concluded(
    session: Session, section_id: str, orgs: Iterable[str], winner_org_id: str, clock: Clock
) -> list[Refund]:
    """The platform's own run of `prepare_section` at the award or the contract, at the configured rate."""
    return prepare_section(
        session,
        system(),
        section_id=section_id,
        start=clock.now(),
        annual_rate=annual_rate(),
        clock=clock,
        winner_org_id=winner_org_id,
        only=list(orgs),
    )


def release_guarantees(session: Session, *, section_id: str, clock: Clock) -> list[Guarantee]:
    """退保 — the trade is over: every valid guarantee of the section is released. An integrated one gets a surrender
    message to its issuer (sent, retried and answered by `guarantees.send_message` on the tick); an open one is
    released by the platform itself (its issuer is not connected; the bidder keeps its paper). Either way the
    bidder is told once the outcome is known (the tick's `guarantees.tell`)."""
    out = []
    section = projects.get_section(session, section_id)
    now = clock.now()
    for g in session.execute(
        select(Guarantee)
        .where(Guarantee.section_id == section_id, Guarantee.status == GuaranteeStatus.VALID.value)
        .order_by(Guarantee.id)
        .with_for_update()
    ).scalars():
        integrated = g.mode == "integrated"
        g.status = (GuaranteeStatus.SURRENDERING if integrated else GuaranteeStatus.RELEASED).value
        row_id = new_id()
        session.add(
            GuaranteeMessage(
                id=row_id,
                message_id=f"GGZY{row_id}",
                guarantee_id=g.id,
                section_id=section_id,
                org_id=g.org_id,
                kind="surrender" if integrated else "release",
                status=(MessageStatus.PENDING if integrated else MessageStatus.DONE).value,
                amount_fen=0,
                beneficiary="",
                ground="",
                reason="交易结束" if section.status not in ("failed", "terminated") else "流标或终止招标",
                decided_by="",
                created_at=now,
                attempts=0,
                answered_at=None if integrated else now,
                answer_ref="",
                answer_reason="",
                last_error="",
            )
        )
        events.record(
            session,
            system(),
            GUARANTEE_RELEASED,
            clock=clock,
            subject=("deposit_guarantee", g.id),
            **_privacy(section),
            payload={"number": g.number, "mode": g.mode},
        )
        out.append(g)
    session.flush()
    return out


def held_reason(bank_txn_id: str) -> str:
    """The stored reason of a held payment's return: one per payment (20 characters, the column's width)."""
    return "held:" + hashlib.sha256(bank_txn_id.encode()).hexdigest()[:15]


def return_held(session: Session, actor: Actor, *, bank_txn_id: str, reason: str, clock: Clock) -> Refund:
    """退回付款账户 — money paid from an account that is not the bidder's basic account is not security (条例 art. 26):
    the operator sends it back to the account it came from, by a bank instruction like any refund (retried, never
    duplicated), due within the period a withdrawal's refund has (条例 art. 35; 87号令 art. 38), without interest."""
    policy.ensure(actor, policy.DEPOSIT_MANAGE)
    reason = reason.strip()
    if not reason:
        raise Invalid("请写明退回的理由")
    if len(reason) > 300:
        raise Invalid("理由不超过300字")
    row = session.get(Payment, bank_txn_id)
    if row is None:
        raise NotFound("没有这笔到账")
    section = projects.get_section(session, row.section_id)
    if section.opened_at is None:
        raise RuleViolation("开标前不处理待核实款项（谁缴纳了保证金与谁投了标同样保密）")
    existing = session.execute(select(Refund).where(Refund.payment_txn == bank_txn_id)).scalar_one_or_none()
    if existing is not None:
        return existing  # asked twice: the one return already prepared
    if row.status != PaymentStatus.HELD.value:
        raise Conflict("这笔到账不在待核实状态（已确认为保证金或已退回）")
    refund = _return(
        session,
        actor,
        row,
        start=clock.now(),
        rule=withdrawal_rule(regime_of(session, row.section_id)),
        annual_rate=Decimal(0),
        clock=clock,
    )
    assert refund is not None
    events.record(
        session,
        actor,
        HELD_RETURN_DECIDED,
        clock=clock,
        subject=("deposit_refund", refund.id),
        **_privacy(section),
        refs={"org": row.org_id},
        payload={"reason": reason, "amount": str(ledger.to_yuan(row.amount_fen))},
    )
    return refund


def _held(session: Session, section_id: str, org_id: str) -> list[Payment]:
    return list(
        session.execute(
            select(Payment)
            .where(
                Payment.section_id == section_id,
                Payment.org_id == org_id,
                Payment.status == PaymentStatus.HELD.value,
            )
            .order_by(Payment.paid_at, Payment.bank_txn_id)
        ).scalars()
    )


def _return(
    session: Session,
    actor: Actor,
    payment: Payment,
    *,
    start: datetime,
    rule: Rule,
    annual_rate: Decimal,
    clock: Clock,
) -> Refund | None:
    """Prepare the return of one held payment to its payer account (the existing return if it was prepared already).
    Under the same row lock on the bidder's sub-account as `prepare`, so concurrent callers prepare it once."""
    section_id, org_id, txn = payment.section_id, payment.org_id, payment.bank_txn_id
    session.execute(
        select(SubAccount).where(SubAccount.section_id == section_id, SubAccount.org_id == org_id).with_for_update()
    ).scalar_one_or_none()
    existing = session.execute(select(Refund).where(Refund.payment_txn == txn)).scalar_one_or_none()
    if existing is not None:
        return existing
    session.refresh(payment)
    if payment.status != PaymentStatus.HELD.value:
        return None
    interest = interest_fen(payment.amount_fen, annual_rate, (clock.now().date() - payment.paid_at.date()).days)
    refund_id = new_id()
    refund = Refund(
        id=refund_id,
        instruction_id=f"GGZY{refund_id}",
        section_id=section_id,
        org_id=org_id,
        reason=held_reason(txn),
        principal_fen=payment.amount_fen,
        interest_fen=interest,
        to_account=payment.payer_account,
        status=RefundStatus.PREPARED.value,
        attempts=0,
        due_at=due_after(start, rule),
        prepared_at=clock.now(),
        payment_txn=txn,
        rule_id=rule.id,
    )
    try:
        with session.begin_nested():
            session.add(refund)
            session.flush()
    except IntegrityError:
        return session.execute(select(Refund).where(Refund.payment_txn == txn)).scalar_one()
    if interest:
        ledger.post(
            session,
            key=f"interest:{refund.id}",
            kind="interest",
            section_id=section_id,
            legs=[
                Leg(AccountKind.INTEREST_INCOME, section_id, None, interest),
                Leg(AccountKind.INTEREST, section_id, org_id, -interest),
            ],
            clock=clock,
        )
    legs = [Leg(AccountKind.SUSPENSE, section_id, org_id, payment.amount_fen)]
    if interest:
        legs.append(Leg(AccountKind.INTEREST, section_id, org_id, interest))
    legs.append(Leg(AccountKind.TRANSIT, section_id, org_id, -(payment.amount_fen + interest)))
    ledger.post(session, key=f"prepare:{refund.id}", kind="held_return", section_id=section_id, legs=legs, clock=clock)
    payment.status = PaymentStatus.RETURNED.value
    events.record(
        session,
        actor,
        REFUND_PREPARED,
        clock=clock,
        subject=("deposit_refund", refund.id),
        **_privacy(projects.get_section(session, section_id)),
        payload={"reason": RefundReason.HELD.value, "due": refund.due_at.isoformat()},
    )
    return refund


def prepare_section(
    session: Session,
    actor: Actor,
    *,
    section_id: str,
    start: datetime,
    annual_rate: Decimal,
    clock: Clock,
    winner_org_id: str | None = None,
    only: Iterable[str] | None = None,
    reason: RefundReason = RefundReason.CONCLUDED,
) -> list[Refund]:
    """交易结束 — prepare every bidder's refund of a section (with interest), the winner by its own rule; money still
    held from a wrong account goes back to its payer with the same interest and by the same rule."""
    policy.ensure(actor, policy.DEPOSIT_MANAGE)
    orgs = list(only) if only is not None else _orgs_with_money(session, section_id)
    regime = regime_of(session, section_id)
    out = []
    for org_id in orgs:
        r = prepare(
            session,
            actor,
            section_id=section_id,
            org_id=org_id,
            reason=reason,
            start=start,
            annual_rate=annual_rate,
            clock=clock,
            winner=org_id == winner_org_id,
        )
        if r is not None:
            out.append(r)
        for p in _held(session, section_id, org_id):
            rule = rule_for(regime, reason, winner=org_id == winner_org_id)
            h = _return(session, actor, p, start=start, rule=rule, annual_rate=annual_rate, clock=clock)
            if h is not None:
                out.append(h)
    return out


def _orgs_with_money(session: Session, section_id: str) -> list[str]:
    """Bidders the platform owes security to, or holds money for, in a section."""
    rows = session.execute(
        select(SubAccount.org_id).where(SubAccount.section_id == section_id).order_by(SubAccount.org_id)
    )
    return [org for org in rows.scalars() if owed(session, section_id, org) > 0 or _held(session, section_id, org)]


def instruction_of(session: Session, refund: Refund) -> Instruction:
    sub = session.execute(
        select(SubAccount.number).where(SubAccount.section_id == refund.section_id, SubAccount.org_id == refund.org_id)
    ).scalar_one()
    return Instruction(
        instruction_id=refund.instruction_id,
        from_sub_account=sub,
        to_account=refund.to_account,
        amount_fen=refund.principal_fen + refund.interest_fen,
        memo=f"退还投标保证金（{RefundReason.of(refund.reason).label}）",
    )


def due(session: Session, now: datetime) -> list[str]:
    """Refunds to send or to ask the bank about: every one prepared and not yet confirmed."""
    pending = (RefundStatus.PREPARED.value, RefundStatus.FAILED.value, RefundStatus.SENT.value)
    return list(session.execute(select(Refund.id).where(Refund.status.in_(pending)).order_by(Refund.due_at)).scalars())


def send(session: Session, refund_id: str, bank: Bank, *, clock: Clock) -> bool:
    """Instruct the bank for one refund and record its answer, under a lock on the refund's row.

    The instruction id was committed when the refund was prepared, before the bank ever heard of it,
    so whatever happens here (a lost answer, a crash before this transaction commits, a second node)
    a later call sends the same id and the bank pays once. A refund whose answer never came is first
    asked about (`Bank.status`). The lock is held across the call so two nodes never both ask.
    """
    stmt = select(Refund).where(Refund.id == refund_id)
    stmt = stmt.with_for_update(skip_locked=True) if session.get_bind().dialect.name == "postgresql" else stmt
    refund = session.execute(stmt).scalar_one_or_none()
    if refund is None or refund.status == RefundStatus.CONFIRMED.value:
        return False
    ask_first = refund.status == RefundStatus.SENT.value
    refund.status = RefundStatus.SENT.value
    refund.attempts += 1
    refund.sent_at = clock.now()
    answer = call_bank(bank, instruction_of(session, refund), ask_first=ask_first)
    settle(session, refund, answer, clock=clock)
    return answer is not None


def call_bank(bank: Bank, instruction: Instruction, *, ask_first: bool) -> BankAnswer | None:
    """Ask or instruct the bank; None when it did not answer (the refund stays sent, asked again later)."""
    try:
        if ask_first:
            known = bank.status(instruction.instruction_id)
            if known is not None:
                return known
        return bank.instruct(instruction)
    except BankTimeout:
        return None


def settle(session: Session, refund: Refund, answer: BankAnswer | None, *, clock: Clock) -> Refund:
    """Record what the bank said. Confirming twice books once (the ledger entry's key is the refund's)."""
    if answer is None or refund.status == RefundStatus.CONFIRMED.value:
        return refund
    if answer.instruction_id != refund.instruction_id:
        raise Conflict("银行应答的业务流水号与退款指令不符")
    me = system()
    section = projects.get_section(session, refund.section_id)
    if answer.outcome == "done":
        total = refund.principal_fen + refund.interest_fen
        ledger.post(
            session,
            key=f"confirm:{refund.id}",
            kind="refund_confirmed",
            section_id=refund.section_id,
            legs=[
                Leg(AccountKind.TRANSIT, refund.section_id, refund.org_id, total),
                Leg(AccountKind.BANK, refund.section_id, None, -total),
            ],
            clock=clock,
        )
        refund.status = RefundStatus.CONFIRMED.value
        refund.confirmed_at = clock.now()
        refund.bank_ref = answer.bank_ref[:64]
        events.record(
            session,
            me,
            REFUND_CONFIRMED,
            clock=clock,
            subject=("deposit_refund", refund.id),
            **_privacy(section),
            payload={"late": clock.now() > refund.due_at},
        )
    else:
        refund.status = RefundStatus.FAILED.value
        refund.last_error = answer.reason[:500]
        events.record(
            session,
            me,
            REFUND_FAILED,
            clock=clock,
            subject=("deposit_refund", refund.id),
            **_privacy(section),
            payload={"reason": answer.reason[:200]},
        )
    session.flush()
    return refund


def overdue(session: Session, now: datetime) -> list[Refund]:
    """Refunds past their legal date and not confirmed by the bank (the supervision office's list)."""
    stmt = (
        select(Refund).where(Refund.status != RefundStatus.CONFIRMED.value, Refund.due_at < now).order_by(Refund.due_at)
    )
    return list(session.execute(stmt).scalars())
