"""A refund past its legal day becomes an alert for the project's regulator, once, and only after the opening
(before it a refund would tell who had paid); a confirmed refund raises nothing (issue 11, item 5)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from ggzy.core.clock import FixedClock
from ggzy.deposits import refunds, service
from ggzy.deposits.bank import FakeBank
from ggzy.deposits.states import RefundReason
from ggzy.entities.service import Identity
from ggzy.supervision import deposit_watch
from ggzy.supervision.models import Alert
from tests.deposits.builders import a_desk, a_payment


def test_an_overdue_refund_of_an_opened_section_is_raised_once_for_the_regulator(
    session: Session, clock: FixedClock, ident: Identity
) -> None:
    desk = a_desk(session, clock, ident, bidders=2)
    late, paid_back = desk.bidders
    for b in desk.bidders:
        service.record_payment(session, a_payment(desk, b, at=clock.now()), source="callback", clock=clock)
    made = [
        refunds.prepare(
            session,
            b.actor,
            section_id=desk.section.id,
            org_id=b.user.org_id or "",
            reason=RefundReason.WITHDRAWN,
            start=clock.now(),
            annual_rate=Decimal(0),
            clock=clock,
        )
        for b in desk.bidders
    ]
    r_late, r_paid = made
    assert r_late is not None and r_paid is not None
    assert refunds.send(session, r_paid.id, FakeBank(), clock=clock)
    clock.advance(timedelta(days=10))
    assert refunds.overdue(session, clock.now()) == [r_late]
    assert deposit_watch.due(session, clock.now()) == []  # not opened yet: nobody may learn of it
    desk.section.opened_at = clock.now()
    assert deposit_watch.due(session, clock.now()) == [r_late.id]
    assert deposit_watch.apply(session, r_late.id, clock.now()) is True
    (alert,) = session.execute(select(Alert)).scalars().all()
    assert alert.flag_id == "C09" and alert.severity == "high" and late.user.org_id in alert.org_ids
    assert "第35条" in alert.legal_basis and "逾期未退还" in alert.title
    assert paid_back.user.org_id not in alert.org_ids
    assert deposit_watch.due(session, clock.now()) == []  # raised once
