"""保证金查询 — a bidder's own deposits; a section's deposits after the opening; the opening's security column."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from ggzy.core import policy
from ggzy.core.actor import Actor
from ggzy.core.errors import Forbidden
from ggzy.deposits import ledger
from ggzy.deposits.models import Guarantee, GuaranteeMessage, Payment, Refund, Requirement, SubAccount
from ggzy.deposits.states import AccountKind, GuaranteeStatus, PaymentStatus
from ggzy.projects import queries as projects


@dataclass(frozen=True)
class DepositLine:
    section_id: str
    org_id: str
    sub_account: str
    required: Decimal
    paid: Decimal
    held: Decimal
    owed: Decimal  # what the platform still owes the bidder (payable)
    status: str  # the opening record's words
    refunds: list[Refund]
    guarantee: Guarantee | None = None
    held_payments: tuple[Payment, ...] = ()  # money from a wrong account still held (the operator may return it)
    returned: Decimal = Decimal("0.00")  # money from a wrong account sent back to its payer


def requirement_of(session: Session, section_id: str) -> Requirement | None:
    return session.get(Requirement, section_id)


MISSING = "未缴纳投标保证金"


def _line(
    session: Session,
    sub: SubAccount,
    req: Requirement | None,
    deadline: datetime | None,
    *,
    at_opening: bool = False,
    opened: bool = True,
) -> DepositLine:
    """One bidder's security; `at_opening` reads it as it stood at the deadline (a later surrender changes nothing)."""
    payments = list(
        session.execute(
            select(Payment).where(Payment.section_id == sub.section_id, Payment.org_id == sub.org_id)
        ).scalars()
    )
    on_time = [p for p in payments if deadline is None or p.paid_at < deadline]
    paid = sum(p.amount_fen for p in on_time if p.status == PaymentStatus.ACCEPTED.value)
    # at the opening, money since sent back to its payer was still held there
    held_then = (PaymentStatus.HELD.value, PaymentStatus.RETURNED.value) if at_opening else (PaymentStatus.HELD.value,)
    held = sum(p.amount_fen for p in on_time if p.status in held_then)
    returned = sum(p.amount_fen for p in payments if p.status == PaymentStatus.RETURNED.value)
    required = req.amount_fen if req else 0
    guarantee = session.execute(
        select(Guarantee).where(Guarantee.section_id == sub.section_id, Guarantee.org_id == sub.org_id)
    ).scalar_one_or_none()
    if guarantee is not None and (at_opening or (opened and guarantee.status == GuaranteeStatus.VALID.value)):
        status = f"电子保函有效（{guarantee.number}，有效期至 {guarantee.valid_until}）"
    elif guarantee is not None and guarantee.status == GuaranteeStatus.VALID.value:
        status = f"已提交电子保函（{guarantee.number}），校验通过，开标时确认"
    elif guarantee is not None and not paid:
        status = f"电子保函 {guarantee.number}：{GuaranteeStatus(guarantee.status).label}"
    elif paid >= required > 0:
        status = "现金保证金足额按时到账（基本账户）"
    elif held:
        status = "保证金非从基本账户转出，待核实"
    elif returned:
        status = "非基本账户来款已退回付款账户，不作为投标保证金"
    elif paid:
        status = f"保证金不足：应缴 {ledger.to_yuan(required)} 元，到账 {ledger.to_yuan(paid)} 元"
    else:
        status = MISSING
    refunds = list(
        session.execute(
            select(Refund)
            .where(Refund.section_id == sub.section_id, Refund.org_id == sub.org_id)
            .order_by(Refund.prepared_at)
        ).scalars()
    )
    return DepositLine(
        section_id=sub.section_id,
        org_id=sub.org_id,
        sub_account=sub.number,
        required=ledger.to_yuan(required),
        paid=ledger.to_yuan(paid),
        held=ledger.to_yuan(held),
        owed=ledger.to_yuan(-ledger.balance(session, AccountKind.PAYABLE, sub.section_id, sub.org_id)),
        status=status,
        refunds=refunds,
        guarantee=guarantee,
        held_payments=tuple(p for p in payments if p.status == PaymentStatus.HELD.value),
        returned=ledger.to_yuan(returned),
    )


def my_deposits(session: Session, actor: Actor) -> list[DepositLine]:
    """The bidder's own sub-accounts and what became of its money (only its own, ever)."""
    if actor.org_id is None:
        raise Forbidden("请以投标人身份登录")
    policy.ensure(actor, policy.DEPOSIT_PAY, policy.Subject("deposit", frozenset({actor.org_id})))
    subs = {
        s.section_id: s
        for s in session.execute(
            select(SubAccount).where(SubAccount.org_id == actor.org_id).order_by(SubAccount.opened_at)
        ).scalars()
    }
    for g in session.execute(
        select(Guarantee).where(Guarantee.org_id == actor.org_id).order_by(Guarantee.received_at)
    ).scalars():  # a bidder that pledged a guarantee and paid no cash has no sub-account
        subs.setdefault(g.section_id, SubAccount(number="", section_id=g.section_id, org_id=actor.org_id))
    out = []
    for sub in subs.values():
        section = projects.get_section(session, sub.section_id)
        req = session.get(Requirement, sub.section_id)
        out.append(_line(session, sub, req, section.bid_deadline, opened=section.opened_at is not None))
    return out


def section_deposits(session: Session, actor: Actor, section_id: str) -> list[DepositLine]:
    """Every bidder's security for a section — only once it is opened (who paid is as secret as who bid)."""
    section = projects.get_section(session, section_id)
    project = projects.get_project(session, section.project_id)
    policy.ensure(actor, policy.DEPOSIT_READ, projects.subject_of(project))
    if section.opened_at is None:
        raise Forbidden("开标前不公开保证金缴纳情况（与投标人名单同等保密）", code="before-opening")
    return opening_lines(session, section_id)


def opening_lines(session: Session, section_id: str, *, at_opening: bool = False) -> list[DepositLine]:
    """The opening record's security column (called by the opening itself, after the deadline)."""
    section = projects.get_section(session, section_id)
    req = session.get(Requirement, section_id)
    subs = {
        s.org_id: s for s in session.execute(select(SubAccount).where(SubAccount.section_id == section_id)).scalars()
    }
    for org in session.execute(select(Guarantee.org_id).where(Guarantee.section_id == section_id)).scalars():
        subs.setdefault(org, SubAccount(number="", section_id=section_id, org_id=org))
    return [_line(session, subs[o], req, section.bid_deadline, at_opening=at_opening) for o in sorted(subs)]


def shared_guarantee_agents(session: Session, section_id: str) -> dict[str, list[str]]:
    """One person attaching or applying for the guarantees of several bidders of a section (an art. 40 sign)."""
    by_agent: dict[str, set[str]] = defaultdict(set)
    for agent, org in session.execute(
        select(Guarantee.applicant_id, Guarantee.org_id).where(Guarantee.section_id == section_id)
    ):
        by_agent[agent].add(org)
    return {a: sorted(orgs) for a, orgs in sorted(by_agent.items()) if len(orgs) > 1}


def shared_payer_accounts(session: Session, section_id: str) -> dict[str, list[str]]:
    """条例 art. 40 (5): one account paying the security of several bidders of a section (for the opened-stage scan)."""
    by_account: dict[str, set[str]] = defaultdict(set)
    for payer, org in session.execute(
        select(Payment.payer_account, Payment.org_id).where(Payment.section_id == section_id)
    ):
        by_account[payer].add(org)
    return {acc: sorted(orgs) for acc, orgs in sorted(by_account.items()) if len(orgs) > 1}


def payer_accounts(session: Session, section_id: str) -> dict[str, str]:
    """The account each bidder's security was paid from (its first payment), by organisation: for art. 40 (六)."""
    out: dict[str, str] = {}
    for org, payer in session.execute(
        select(Payment.org_id, Payment.payer_account)
        .where(Payment.section_id == section_id)
        .order_by(Payment.paid_at, Payment.bank_txn_id)
    ):
        out.setdefault(org, payer)
    return out


def payment_of(session: Session, bank_txn_id: str) -> Payment | None:
    return session.get(Payment, bank_txn_id)


def claims_of(session: Session, section_id: str) -> dict[str, GuaranteeMessage]:
    """The claims decided in a section, by the guarantee's principal (one per guarantee, ever)."""
    rows = session.execute(
        select(GuaranteeMessage).where(GuaranteeMessage.section_id == section_id, GuaranteeMessage.kind == "claim")
    ).scalars()
    return {m.org_id: m for m in rows}
