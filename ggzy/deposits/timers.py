"""定时 — on every tick: send prepared refunds to the bank and ask about unanswered ones; send surrenders and claims
to guarantee issuers, ask about unanswered ones, and tell each bidder what became of its guarantee."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.orm import Session

from ggzy.core.clock import FixedClock
from ggzy.core.notify import MemoryNotifier, Notifier
from ggzy.core.timers import DueSource
from ggzy.deposits import guarantees, refunds
from ggzy.deposits.bank import Bank, FakeBank
from ggzy.deposits.models import GuaranteeMessage


def bank_of(ctx: Any) -> Bank:
    """The partner bank of this deployment (the in-process fake unless one is configured in ctx.extras)."""
    extras: dict[str, object] = getattr(ctx, "extras", {})
    bank = extras.get("bank")
    if bank is None:
        bank = FakeBank()
        extras["bank"] = bank
    return cast(Bank, bank)


def issuers_of(ctx: Any) -> dict[str, guarantees.Issuer]:
    """The integrated issuers' interfaces by credit code (ctx.extras["issuers"]; none are built in)."""
    extras: dict[str, object] = getattr(ctx, "extras", {})
    found = extras.setdefault("issuers", {})
    return cast(dict[str, guarantees.Issuer], found)


def platform_key(ctx: Any) -> Ed25519PrivateKey:
    """The platform's signing key for messages to issuers, derived from the master key (never stored)."""
    return guarantees.platform_key(ctx.keys.derive("deposits:issuer-messages"))


def sources(ctx: Any) -> list[DueSource]:
    bank = bank_of(ctx)
    issuers = issuers_of(ctx)
    notifier: Notifier = getattr(ctx, "notifier", None) or MemoryNotifier()

    def apply(session: Session, refund_id: str, now: datetime) -> bool:
        return refunds.send(session, refund_id, bank, clock=FixedClock(now))

    def message(session: Session, row_id: str, now: datetime) -> bool:
        clock = FixedClock(now)
        row = session.get(GuaranteeMessage, row_id)
        if row is None:
            return False
        did = False
        if row.status in guarantees.PENDING:
            code = guarantees.issuer_of(session, row).credit_code
            did = guarantees.send_message(session, row_id, issuers.get(code), key=platform_key(ctx), clock=clock)
        return guarantees.tell(session, row_id, notifier, clock=clock) or did

    def disclose(session: Session, guarantee_id: str, now: datetime) -> bool:
        return guarantees.disclose_due(session, guarantee_id, issuers, clock=FixedClock(now))

    return [
        DueSource("deposits.refunds", refunds.due, apply),
        DueSource("deposits.guarantee_messages", guarantees.due_messages, message),
        DueSource("deposits.guarantee_disclosures", guarantees.due_disclosures, disclose),
    ]
