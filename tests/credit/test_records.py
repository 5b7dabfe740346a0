"""Credit records (河南省社会信用条例): notice before listing (art. 28), objections in 3 or 7 working days (art. 41),
shown up to 5 years unless still sanctioned (art. 19), repair in 1 working day (art. 43); bans ≤ 3 years."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from ggzy.core.calendar import add_working_days, local_date
from ggzy.core.clock import FixedClock
from ggzy.core.errors import Forbidden, RuleViolation
from ggzy.core.roles import Role
from ggzy.credit import queries, service
from ggzy.credit.states import RecordStatus, TradeClass
from ggzy.entities import queries as entities
from ggzy.entities.service import Identity
from tests.builders import a_user
from tests.credit.conftest import a_sanction


def test_a_sanction_binds_only_once_listed_and_only_in_its_scope(
    session: Session, clock: FixedClock, ident: Identity
) -> None:
    supervisor = a_user(session, clock, ident, role=Role.SUPERVISOR)
    bidder = a_user(session, clock, ident, role=Role.BIDDER)
    org = bidder.user.org_id
    record = a_sanction(session, clock, supervisor, org, regions=["4107"], listed=False)
    now = clock.now()
    assert record.status == RecordStatus.NOTIFIED.value and "异议" in record.notice_text
    assert queries.sanctions_for(session, org, TradeClass.STATE_WORKS, "410702", now) == []
    service.list_record(session, supervisor.actor, record_id=record.id, clock=clock)
    assert len(queries.sanctions_for(session, org, TradeClass.STATE_WORKS, "410702", now)) == 1
    assert queries.sanctions_for(session, org, TradeClass.PROCUREMENT, "410702", now) == []  # another class
    assert queries.sanctions_for(session, org, TradeClass.STATE_WORKS, "410102", now) == []  # another region
    assert queries.sanctions_for(session, org, TradeClass.STATE_WORKS, "410702", now + timedelta(days=800)) == []


def test_a_ban_longer_than_three_years_is_refused(session: Session, clock: FixedClock, ident: Identity) -> None:
    supervisor = a_user(session, clock, ident, role=Role.SUPERVISOR)
    bidder = a_user(session, clock, ident, role=Role.BIDDER)
    with pytest.raises(RuleViolation, match="第77条"):
        a_sanction(session, clock, supervisor, bidder.user.org_id, classes=[TradeClass.PROCUREMENT], years=4)
    assert queries.records_of(session, entities.get_org(session, bidder.user.org_id).credit_code) == []


def test_an_objection_is_due_in_three_working_days_and_blocks_the_listing(
    session: Session, clock: FixedClock, ident: Identity
) -> None:
    supervisor = a_user(session, clock, ident, role=Role.SUPERVISOR)
    bidder = a_user(session, clock, ident, role=Role.BIDDER)
    record = a_sanction(session, clock, supervisor, bidder.user.org_id, listed=False)
    other = a_user(session, clock, ident, role=Role.BIDDER)
    with pytest.raises(Forbidden):
        service.object_to_record(session, other.actor, record_id=record.id, text="不是我们", clock=clock)
    o = service.object_to_record(session, bidder.actor, record_id=record.id, text="处罚决定已被撤销", clock=clock)
    assert local_date(o.due_at) == add_working_days(local_date(clock.now()), 3)
    with pytest.raises(RuleViolation, match="第41条"):
        service.list_record(session, supervisor.actor, record_id=record.id, clock=clock)
    clock.advance(timedelta(days=6))
    service.handle_objection(session, supervisor.actor, objection_id=o.id, upheld=True, note="核实属实", clock=clock)
    assert o.late and record.status == RecordStatus.REVOKED.value


def test_with_the_source_the_objection_has_seven_working_days(
    session: Session, clock: FixedClock, ident: Identity
) -> None:
    supervisor = a_user(session, clock, ident, role=Role.SUPERVISOR)
    bidder = a_user(session, clock, ident, role=Role.BIDDER)
    record = a_sanction(session, clock, supervisor, bidder.user.org_id)
    o = service.object_to_record(
        session, bidder.actor, record_id=record.id, text="请向法院核实", clock=clock, with_source=True
    )
    assert local_date(o.due_at) == add_working_days(local_date(clock.now()), 7)


def test_shown_five_years_or_while_sanctioned_and_repaired_within_a_working_day(
    session: Session, clock: FixedClock, ident: Identity
) -> None:
    supervisor = a_user(session, clock, ident, role=Role.SUPERVISOR)
    bidder = a_user(session, clock, ident, role=Role.BIDDER)
    code = entities.get_org(session, bidder.user.org_id).credit_code
    record = a_sanction(session, clock, supervisor, bidder.user.org_id, years=1)
    assert [e.record.id for e in queries.public_page(session, code, clock.now())] == [record.id]
    with pytest.raises(RuleViolation, match="第43条"):
        service.request_repair(session, bidder.actor, record_id=record.id, clock=clock)
    assert queries.public_page(session, code, clock.now() + timedelta(days=365 * 5 + 2)) == []  # art. 19
    clock.advance(timedelta(days=400))  # the ban is over; still shown (within 5 years) until repaired
    assert queries.public_page(session, code, clock.now())
    service.request_repair(session, bidder.actor, record_id=record.id, clock=clock)
    service.repair(session, supervisor.actor, record_id=record.id, clock=clock)
    assert not record.repaired_late and queries.public_page(session, code, clock.now()) == []
