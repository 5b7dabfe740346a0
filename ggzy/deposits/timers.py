"""定时 — send prepared refunds to the bank and ask about unanswered ones, on every tick."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy.orm import Session

from ggzy.core.clock import FixedClock
from ggzy.core.timers import DueSource
from ggzy.deposits import refunds
from ggzy.deposits.bank import Bank, FakeBank


def bank_of(ctx: Any) -> Bank:
    """The partner bank of this deployment (the in-process fake unless one is configured in ctx.extras)."""
    extras: dict[str, object] = getattr(ctx, "extras", {})
    bank = extras.get("bank")
    if bank is None:
        bank = FakeBank()
        extras["bank"] = bank
    return cast(Bank, bank)


def sources(ctx: Any) -> list[DueSource]:
    bank = bank_of(ctx)

    def apply(session: Session, refund_id: str, now: datetime) -> bool:
        return refunds.send(session, refund_id, bank, clock=FixedClock(now))

    return [DueSource("deposits.refunds", refunds.due, apply)]
