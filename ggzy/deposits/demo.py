"""演示 — the demo city's bid security: each bidder pays from its basic account (the planted ring from one shared
account), and one bidder of each section pledges an open electronic guarantee instead of cash.

`issuer_key` makes the demo's guarantee issuer (its Ed25519 key is the demo's own, made once per run; the
platform keeps only its public half, as for any issuer the supervision office registers).
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from decimal import Decimal

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy import select
from sqlalchemy.orm import Session

from ggzy.core.actor import Actor
from ggzy.core.clock import Clock, FixedClock
from ggzy.core.notify import MemoryNotifier, Notifier
from ggzy.deposits import guarantees, ledger, refunds, service
from ggzy.deposits.bank import Bank, FakeBank
from ggzy.deposits.models import BasicAccount, GuaranteeIssuer
from ggzy.deposits.service import BankPayment
from ggzy.entities import queries as entities
from ggzy.projects import queries as projects

ISSUER_CODE = "91410700MA9DEMO01X"
_KEYS: dict[str, Ed25519PrivateKey] = {}


def issuer_key(session: Session, office: Actor, clock: Clock) -> Ed25519PrivateKey:
    """The demo issuer (新乡融资担保有限公司), registered by the supervision office on first use."""
    key = _KEYS.get(ISSUER_CODE)
    known = session.execute(select(GuaranteeIssuer).where(GuaranteeIssuer.credit_code == ISSUER_CODE)).scalar()
    if key is None or known is None:
        key = _KEYS[ISSUER_CODE] = Ed25519PrivateKey.generate()
        public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()
        if known is None:
            guarantees.register_issuer(
                session,
                office,
                name="新乡融资担保有限公司（演示）",
                credit_code=ISSUER_CODE,
                kind="guarantor",
                public_key_hex=public,
                integrated=False,
                clock=clock,
            )
        else:
            known.public_key = public  # a new run of the demo: its key is new too
    return key


def requirement(estimate: Decimal) -> Decimal:
    """The demo's security: 1 % of the estimate, to the fen (under the 2 % cap)."""
    return (estimate / 100).quantize(ledger.FEN)


def secure(
    session: Session,
    bidder: Actor,
    office: Actor,
    *,
    section_id: str,
    amount: Decimal,
    clock: Clock,
    shared_account: str | None = None,
    guarantee: bool = False,
) -> None:
    """One bidder's security before it bids: cash from its basic account (or from `shared_account`, a ring's), or
    an open guarantee signed by the demo issuer."""
    org_id = bidder.org_id
    assert org_id is not None
    if session.get(BasicAccount, org_id) is None:
        digits = str(int(hashlib.sha256(org_id.encode()).hexdigest(), 16))[:12]
        service.register_basic_account(
            session, bidder, account_no=f"4105{digits}", bank_name="中国建设银行新乡分行", clock=clock
        )
    if guarantee:
        section = projects.get_section(session, section_id)
        project = projects.get_project(session, section.project_id)
        assert section.bid_deadline is not None
        doc = {
            "format": guarantees.FORMAT,
            "number": f"BH{section.code[-6:]}{org_id[-4:]}",
            "issuer": ISSUER_CODE,
            "principal": entities.get_org(session, org_id).credit_code,
            "beneficiary": entities.get_org(session, project.tenderer_org_id).credit_code,
            "section": section.code,
            "amount": f"{amount:.2f}",
            "valid_until": (section.bid_deadline + timedelta(days=120)).date().isoformat(),
        }
        data = guarantees.sign_document(issuer_key(session, office, clock), doc)
        guarantees.attach(session, bidder, section_id=section_id, data=data, clock=clock)
        return
    sub = service.open_sub_account(session, bidder, section_id=section_id, clock=clock)
    basic = session.get(BasicAccount, org_id)
    assert basic is not None
    payer = shared_account or basic.account_no
    txn = "DEMO" + hashlib.sha256(f"{section_id}:{org_id}".encode()).hexdigest()[:20].upper()
    service.record_payment(
        session,
        BankPayment(txn, sub.number, payer, entities.get_org(session, org_id).name, f"{amount:.2f}", clock.now()),
        source="callback",
        clock=clock,
    )


def settle(session: Session, *, clock: FixedClock, bank: Bank | None = None, notifier: Notifier | None = None) -> int:
    """What the tick would have done by now on the story clock: every prepared refund instructed to the partner bank
    (the in-process fake) and confirmed, every released guarantee's bidder told. Returns the refunds confirmed."""
    bank = bank or FakeBank()
    notifier = notifier or MemoryNotifier()
    due = refunds.due(session, clock.now())
    if due:
        clock.advance(timedelta(hours=1))  # the bank's answer comes within the hour
    confirmed = sum(1 for refund_id in due if refunds.send(session, refund_id, bank, clock=clock))
    for row_id in guarantees.due_messages(session, clock.now()):
        guarantees.tell(session, row_id, notifier, clock=clock)
    return confirmed


__all__ = ["issuer_key", "requirement", "secure", "settle"]
