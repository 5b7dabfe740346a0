"""Finding 5: the platform administrator never becomes anybody (one-time codes, 双人复核)."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ggzy.core.clock import FixedClock
from ggzy.core.errors import Conflict, Forbidden, RuleViolation
from ggzy.core.events import Event
from ggzy.core.notify import Channel, MemoryNotifier
from ggzy.core.roles import Role
from ggzy.entities import auth, review, service
from ggzy.entities.service import Identity
from tests.builders import PASSWORD, a_user

IP = "198.51.100.9"


def code_in(notifier: MemoryNotifier, user_id: str) -> str:
    body = notifier.last(user_id, Channel.SMS).body
    return body.split("一次性验证码 ")[1][:8]


def test_a_reset_gives_the_administrator_no_usable_password(
    session: Session, clock: FixedClock, ident: Identity
) -> None:
    admin = a_user(session, clock, ident, role=Role.ADMIN)
    bidder = a_user(session, clock, ident, role=Role.BIDDER)
    notifier = MemoryNotifier()
    assert (
        service.reset_password(
            session, admin.actor, user_id=bidder.user.id, clock=clock, ident=ident, notifier=notifier
        )
        is None
    )
    # the old password is gone and nothing the administrator saw works
    login = auth.check_password(session, username=bidder.username, password=PASSWORD, ip=IP, clock=clock, ident=ident)
    assert login.user is None
    assert [m.to_user_id for m in notifier.sent] == [bidder.user.id]
    code = code_in(notifier, bidder.user.id)
    events = session.execute(select(Event).where(Event.subject_id == bidder.user.id)).scalars().all()
    assert all(code not in e.payload for e in events)
    assert (
        auth.check_password(session, username=bidder.username, password=code, ip=IP, clock=clock, ident=ident).user
        is None
    )
    # the person sets their own
    out = auth.set_password_with_code(
        session, username=bidder.username, code=code, new_password="Mine-Alone-Pass-5", ip=IP, clock=clock, ident=ident
    )
    assert out.user is not None
    assert (
        auth.check_password(
            session, username=bidder.username, password="Mine-Alone-Pass-5", ip=IP, clock=clock, ident=ident
        ).user
        is not None
    )
    again = auth.set_password_with_code(
        session, username=bidder.username, code=code, new_password="Other-Alone-Pass-5", ip=IP, clock=clock, ident=ident
    )
    assert again.user is None, "a code works once"


def test_the_administrator_cannot_choose_a_password(session: Session, clock: FixedClock, ident: Identity) -> None:
    admin = a_user(session, clock, ident, role=Role.ADMIN)
    bidder = a_user(session, clock, ident, role=Role.BIDDER)
    with pytest.raises(Forbidden, match="不能为他人指定口令"):
        service.create_user(
            session,
            admin.actor,
            org_id=bidder.user.org_id,
            username="chosen1",
            display_name="x",
            password="Admin-Knows-This-1",
            roles=[(Role.BIDDER, "")],
            clock=clock,
            ident=ident,
        )


def test_a_one_time_code_is_throttled_and_expires(session: Session, clock: FixedClock, ident: Identity) -> None:
    admin = a_user(session, clock, ident, role=Role.ADMIN)
    bidder = a_user(session, clock, ident, role=Role.BIDDER)
    notifier = MemoryNotifier()
    service.reset_password(session, admin.actor, user_id=bidder.user.id, clock=clock, ident=ident, notifier=notifier)
    code = code_in(notifier, bidder.user.id)
    outs = [
        auth.set_password_with_code(
            session,
            username=bidder.username,
            code="12345678",
            new_password="Mine-Alone-Pass-5",
            ip=IP,
            clock=clock,
            ident=ident,
        )
        for _ in range(ident.limits.pair_failures)
    ]
    assert outs[-1].throttled and "已暂停" in outs[-1].message
    right = auth.set_password_with_code(
        session, username=bidder.username, code=code, new_password="Mine-Alone-Pass-5", ip=IP, clock=clock, ident=ident
    )
    assert right.user is None and right.throttled
    clock.advance(ident.reset_code_life)
    late = auth.set_password_with_code(
        session,
        username=bidder.username,
        code=code,
        new_password="Mine-Alone-Pass-5",
        ip="192.0.2.1",
        clock=clock,
        ident=ident,
    )
    assert late.user is None and not late.throttled


def test_staff_accounts_change_only_after_a_second_person_approves(
    session: Session, clock: FixedClock, ident: Identity
) -> None:
    admin = a_user(session, clock, ident, role=Role.ADMIN)
    other_admin = a_user(session, clock, ident, role=Role.ADMIN)
    office = a_user(session, clock, ident, role=Role.SUPERVISOR)
    operator = a_user(session, clock, ident, role=Role.OPERATOR)
    notifier = MemoryNotifier()
    # opening a supervisory account: inactive until approved, and no code sent yet
    new = service.create_user(
        session,
        admin.actor,
        org_id=office.user.org_id,
        username="newregulator",
        display_name="新监管员",
        roles=[(Role.SUPERVISOR, "")],
        clock=clock,
        ident=ident,
        notifier=notifier,
    )
    assert not new.is_active and notifier.sent == []
    (req,) = review.pending(session)
    assert req.kind == "create" and req.requested_by == admin.user.id
    with pytest.raises(Forbidden):
        review.approve(session, admin.actor, request_id=req.id, clock=clock, ident=ident, notifier=notifier)
    with pytest.raises(Forbidden):  # another administrator is not a second person of the right kind
        review.approve(session, other_admin.actor, request_id=req.id, clock=clock, ident=ident, notifier=notifier)
    review.approve(session, office.actor, request_id=req.id, clock=clock, ident=ident, notifier=notifier)
    assert new.is_active and notifier.last(new.id, Channel.SMS)
    with pytest.raises(RuleViolation):
        review.approve(session, office.actor, request_id=req.id, clock=clock, ident=ident, notifier=notifier)
    # resetting a staff account: the old password keeps working until approval
    reset = service.reset_password(
        session, admin.actor, user_id=operator.user.id, clock=clock, ident=ident, notifier=notifier
    )
    assert reset is not None and notifier.to(operator.user.id) == []
    with pytest.raises(Conflict):
        service.reset_password(
            session, admin.actor, user_id=operator.user.id, clock=clock, ident=ident, notifier=notifier
        )
    assert auth.check_password(
        session, username=operator.username, password=PASSWORD, ip=IP, clock=clock, ident=ident
    ).user
    review.approve(session, office.actor, request_id=reset.id, clock=clock, ident=ident, notifier=notifier)
    assert (
        auth.check_password(
            session, username=operator.username, password=PASSWORD, ip=IP, clock=clock, ident=ident
        ).user
        is None
    )
    assert notifier.last(operator.user.id, Channel.SMS)
    # elevating an operator to the supervision office, and re-enabling: both wait
    grant = service.grant_role(session, admin.actor, user_id=operator.user.id, role=Role.SUPERVISOR, clock=clock)
    assert grant is not None and Role.SUPERVISOR not in auth.queries.roles_of(session, operator.user.id)
    review.reject(session, office.actor, request_id=grant.id, clock=clock)
    assert Role.SUPERVISOR not in auth.queries.roles_of(session, operator.user.id)
    service.disable_user(session, admin.actor, user_id=operator.user.id, clock=clock)
    enable = service.enable_user(session, admin.actor, user_id=operator.user.id, clock=clock)
    assert enable is not None and not operator.user.is_active
    with pytest.raises(Forbidden, match="双人复核"):  # the person concerned cannot approve their own change
        review.approve(session, operator.actor, request_id=enable.id, clock=clock, ident=ident, notifier=notifier)
    review.approve(session, office.actor, request_id=enable.id, clock=clock, ident=ident, notifier=notifier)
    assert operator.user.is_active
    types = [e.type for e in session.execute(select(Event).where(Event.subject_id == operator.user.id)).scalars()]
    assert types.count(review.REQUEST_FILED) == 3 and types.count(review.REQUEST_APPROVED) == 2
    assert types.count(review.REQUEST_REJECTED) == 1


def test_the_reviewer_cannot_approve_a_change_to_their_own_account(
    session: Session, clock: FixedClock, ident: Identity
) -> None:
    admin = a_user(session, clock, ident, role=Role.ADMIN)
    office = a_user(session, clock, ident, role=Role.SUPERVISOR)
    notifier = MemoryNotifier()
    req = service.reset_password(
        session, admin.actor, user_id=office.user.id, clock=clock, ident=ident, notifier=notifier
    )
    assert req is not None
    with pytest.raises(Forbidden, match="本人"):
        review.approve(session, office.actor, request_id=req.id, clock=clock, ident=ident, notifier=notifier)


def test_market_accounts_change_at_once_and_the_platform_itself_needs_no_review(
    session: Session, clock: FixedClock, ident: Identity
) -> None:
    admin = a_user(session, clock, ident, role=Role.ADMIN)
    tenderer = a_user(session, clock, ident, role=Role.TENDERER)
    notifier = MemoryNotifier()
    new = service.create_user(
        session,
        admin.actor,
        org_id=tenderer.user.org_id,
        username="newtenderer",
        display_name="新招标员",
        roles=[(Role.TENDERER, "")],
        clock=clock,
        ident=ident,
        notifier=notifier,
    )
    assert new.is_active and notifier.last(new.id, Channel.SMS) and review.pending(session) == []
    staff = a_user(session, clock, ident, role=Role.OPERATOR)  # made by SYSTEM
    assert staff.user.is_active
