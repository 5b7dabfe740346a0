"""Sign-in: passwords, lockout, the second factor, sessions and tokens (等保 8.1.4.1, ASVS V6–V7)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ggzy.core.clock import FixedClock
from ggzy.core.errors import Conflict, Invalid
from ggzy.core.events import Event
from ggzy.core.roles import Role
from ggzy.entities import auth, totp
from ggzy.entities.service import Identity
from tests.builders import PASSWORD, a_user


def login(session: Session, clock: FixedClock, ident: Identity, username: str, password: str) -> auth.LoginOutcome:
    return auth.check_password(
        session, username=username, password=password, ip="198.51.100.7", clock=clock, ident=ident
    )


def test_an_unknown_user_and_a_wrong_password_get_the_same_answer(
    session: Session, clock: FixedClock, ident: Identity
) -> None:
    person = a_user(session, clock, ident, role=Role.BIDDER)
    unknown = login(session, clock, ident, "nobody", PASSWORD)
    wrong = login(session, clock, ident, person.username, "Wrong-Password-1")
    assert unknown.user is None and wrong.user is None
    assert unknown.message == wrong.message == auth.GENERIC_FAILURE
    failures = session.execute(select(Event).where(Event.type == auth.LOGIN_FAILED)).scalars().all()
    assert len(failures) == 2
    assert all(PASSWORD not in e.payload and "Wrong-Password" not in e.payload for e in failures)
    assert failures[0].ip == "198.51.100.7"


def test_a_bidder_signs_in_with_a_password_alone(session: Session, clock: FixedClock, ident: Identity) -> None:
    person = a_user(session, clock, ident, role=Role.BIDDER)
    out = login(session, clock, ident, person.username, PASSWORD)
    assert out.user is not None and out.role is Role.BIDDER
    assert not out.needs_second_factor and not out.needs_enrolment


def login_from(
    session: Session, clock: FixedClock, ident: Identity, username: str, password: str, ip: str
) -> auth.LoginOutcome:
    return auth.check_password(session, username=username, password=password, ip=ip, clock=clock, ident=ident)


STRANGER = "203.0.113.66"
OWNER = "198.51.100.7"


def test_a_stranger_pauses_only_their_own_address_and_the_owner_still_signs_in(
    session: Session, clock: FixedClock, ident: Identity
) -> None:
    """Finding 4: five wrong passwords from a stranger used to lock the account for everyone."""
    person = a_user(session, clock, ident, role=Role.BIDDER)
    limits = ident.limits
    for _ in range(limits.pair_failures - 1):
        out = login_from(session, clock, ident, person.username, "Wrong-Password-1", STRANGER)
        assert out.user is None and out.message == auth.GENERIC_FAILURE and not out.throttled
    paused = login_from(session, clock, ident, person.username, "Wrong-Password-1", STRANGER)
    assert paused.throttled and "已暂停" in paused.message and "其他网络登录不受影响" in paused.message
    # the right password from the paused address is refused, and says why (not 用户名或口令错误)
    again = login_from(session, clock, ident, person.username, PASSWORD, STRANGER)
    assert again.user is None and again.throttled and "已暂停" in again.message
    assert again.message != auth.GENERIC_FAILURE
    # the owner, from their own address, is not affected
    assert login_from(session, clock, ident, person.username, PASSWORD, OWNER).user is not None
    # the pause ends on time, and each further pause lasts twice as long
    clock.advance(limits.first_pause + timedelta(seconds=1))
    assert not login_from(session, clock, ident, person.username, "Wrong-Password-1", STRANGER).throttled
    for _ in range(limits.pair_failures - 1):
        login_from(session, clock, ident, person.username, "Wrong-Password-1", STRANGER)
    clock.advance(limits.first_pause + timedelta(seconds=1))
    assert login_from(session, clock, ident, person.username, PASSWORD, STRANGER).throttled, "the 2nd pause is longer"
    clock.advance(limits.first_pause)
    assert login_from(session, clock, ident, person.username, PASSWORD, STRANGER).user is not None
    assert limits.pause(2) == 2 * limits.first_pause and limits.pause(40) == limits.max_pause
    failed = session.execute(select(Event).where(Event.type == auth.LOGIN_FAILED)).scalars().all()
    assert any("paused_until" in e.payload for e in failed) and all(PASSWORD not in e.payload for e in failed)


def test_an_unknown_username_is_paused_exactly_like_a_known_one(
    session: Session, clock: FixedClock, ident: Identity
) -> None:
    person = a_user(session, clock, ident, role=Role.BIDDER)
    answers = {}
    for name in (person.username, "nobody-here"):
        outs = [login_from(session, clock, ident, name, "Wrong-Password-1", STRANGER) for _ in range(6)]
        answers[name] = [(o.throttled, o.message) for o in outs]
    assert answers[person.username] == answers["nobody-here"]
    assert answers["nobody-here"][-1][0] is True


def test_an_address_trying_many_accounts_is_paused_but_others_are_not(
    session: Session, clock: FixedClock, ident: Identity
) -> None:
    person = a_user(session, clock, ident, role=Role.BIDDER)
    budget = ident.limits.address_failures
    outs = [login_from(session, clock, ident, f"guess{i}", "Wrong-Password-1", STRANGER) for i in range(budget)]
    assert not any(o.throttled for o in outs[:-1]) and outs[-1].throttled
    blocked = login_from(session, clock, ident, person.username, PASSWORD, STRANGER)
    assert blocked.throttled and "网络地址" in blocked.message
    assert login_from(session, clock, ident, person.username, PASSWORD, OWNER).user is not None


def test_failures_spread_over_an_hour_do_not_exhaust_the_address_budget(
    session: Session, clock: FixedClock, ident: Identity
) -> None:
    budget = ident.limits.address_failures
    for i in range(budget - 1):
        login_from(session, clock, ident, f"typo{i}", "Wrong-Password-1", STRANGER)
    clock.advance(ident.limits.address_window + timedelta(seconds=1))
    assert not login_from(session, clock, ident, "typo-late", "Wrong-Password-1", STRANGER).throttled


def test_the_administrator_lifts_a_pause(session: Session, clock: FixedClock, ident: Identity) -> None:
    from ggzy.entities import service

    person = a_user(session, clock, ident, role=Role.BIDDER)
    admin = a_user(session, clock, ident, role=Role.ADMIN)
    for _ in range(ident.limits.pair_failures):
        login_from(session, clock, ident, person.username, "Wrong-Password-1", STRANGER)
    assert login_from(session, clock, ident, person.username, PASSWORD, STRANGER).throttled
    service.unlock_user(session, admin.actor, user_id=person.user.id, clock=clock)
    assert login_from(session, clock, ident, person.username, PASSWORD, STRANGER).user is not None


def test_second_factor_failures_are_the_accounts_own_and_a_right_password_does_not_clear_them(
    session: Session, clock: FixedClock, ident: Identity
) -> None:
    """Finding 3: a correct password used to reset the count, so TOTP guessing was unlimited."""
    person = a_user(session, clock, ident, role=Role.SUPERVISOR)
    assert person.secret is not None
    n = ident.second_factor_failures
    for i in range(n):
        assert login_from(session, clock, ident, person.username, PASSWORD, OWNER).needs_second_factor
        out = auth.check_second_factor(
            session, user=person.user, role=Role.SUPERVISOR, code="000000", ip=OWNER, clock=clock, ident=ident
        )
        assert not out
        assert (out.locked_until is not None) == (i == n - 1)
    right = totp.code_at(person.secret, clock.now())
    locked = auth.check_second_factor(
        session, user=person.user, role=Role.SUPERVISOR, code=right, ip=OWNER, clock=clock, ident=ident
    )
    assert not locked and "已暂停" in locked.message and locked.locked_until == clock.now() + ident.limits.first_pause
    clock.advance(ident.limits.first_pause + timedelta(seconds=1))
    for _ in range(n):  # the next pause is twice as long
        auth.check_second_factor(
            session, user=person.user, role=Role.SUPERVISOR, code="000000", ip=OWNER, clock=clock, ident=ident
        )
    assert person.user.locked_until == clock.now() + 2 * ident.limits.first_pause
    clock.advance(2 * ident.limits.first_pause + timedelta(seconds=1))
    ok = auth.check_second_factor(
        session,
        user=person.user,
        role=Role.SUPERVISOR,
        code=totp.code_at(person.secret, clock.now()),
        ip=OWNER,
        clock=clock,
        ident=ident,
    )
    assert ok and person.user.failed_logins == 0


def test_staff_need_a_second_factor_and_must_enrol_first(session: Session, clock: FixedClock, ident: Identity) -> None:
    fresh = a_user(session, clock, ident, role=Role.OPERATOR, with_totp=False)
    out = login(session, clock, ident, fresh.username, PASSWORD)
    assert out.needs_enrolment and not out.needs_second_factor
    enrolled = a_user(session, clock, ident, role=Role.AUDITOR)
    out = login(session, clock, ident, enrolled.username, PASSWORD)
    assert out.needs_second_factor


def test_a_totp_code_works_once_within_one_step_of_drift(session: Session, clock: FixedClock, ident: Identity) -> None:
    person = a_user(session, clock, ident, role=Role.SUPERVISOR)
    assert person.secret is not None
    check = lambda code: auth.check_second_factor(  # noqa: E731
        session, user=person.user, role=Role.SUPERVISOR, code=code, ip=None, clock=clock, ident=ident
    )
    earlier = totp.code_at(person.secret, clock.now() - timedelta(seconds=30))
    assert check(earlier)
    assert not check(earlier), "a used code is refused"
    current = totp.code_at(person.secret, clock.now())
    assert check(current)
    assert not check(totp.code_at(person.secret, clock.now() + timedelta(seconds=90))), "two steps ahead is refused"
    assert not check("12345"), "malformed codes are refused"


def test_the_secret_is_stored_sealed_to_its_user(session: Session, clock: FixedClock, ident: Identity) -> None:
    person = a_user(session, clock, ident, role=Role.AUDITOR)
    assert person.secret is not None and person.user.totp_secret is not None
    assert person.secret not in person.user.totp_secret
    other = a_user(session, clock, ident, role=Role.AUDITOR)
    other.user.totp_secret = person.user.totp_secret  # copied to another row: must not open there
    assert not auth.check_second_factor(
        session,
        user=other.user,
        role=Role.AUDITOR,
        code=totp.code_at(person.secret, clock.now()),
        ip=None,
        clock=clock,
        ident=ident,
    )


def test_enrolment_needs_a_code_from_the_same_secret(session: Session, clock: FixedClock, ident: Identity) -> None:
    person = a_user(session, clock, ident, role=Role.OPERATOR, with_totp=False)
    secret = totp.new_secret()
    with pytest.raises(Invalid, match="动态口令不正确"):
        auth.enrol_totp(session, person.actor, secret=secret, code="000000", clock=clock, ident=ident)
    auth.enrol_totp(
        session, person.actor, secret=secret, code=totp.code_at(secret, clock.now()), clock=clock, ident=ident
    )
    assert person.user.totp_secret is not None


def test_an_enrolled_factor_is_replaced_only_with_a_code_of_the_current_one(
    session: Session, clock: FixedClock, ident: Identity
) -> None:
    person = a_user(session, clock, ident, role=Role.OPERATOR)
    assert person.secret is not None
    chosen = totp.new_secret()
    with pytest.raises(Conflict):
        auth.enrol_totp(
            session, person.actor, secret=chosen, code=totp.code_at(chosen, clock.now()), clock=clock, ident=ident
        )
    sealed = person.user.totp_secret
    out = auth.replace_totp(
        session,
        person.actor,
        current_code="000000",
        secret=chosen,
        code=totp.code_at(chosen, clock.now()),
        clock=clock,
        ident=ident,
    )
    assert not out and person.user.totp_secret == sealed and person.user.failed_logins == 1
    out = auth.replace_totp(
        session,
        person.actor,
        current_code=totp.code_at(person.secret, clock.now()),
        secret=chosen,
        code=totp.code_at(chosen, clock.now()),
        clock=clock,
        ident=ident,
    )
    assert out and person.user.totp_secret != sealed
    assert session.execute(select(Event).where(Event.type == auth.TOTP_REPLACED)).scalar() is not None


def test_sessions_expire_when_idle_and_at_the_absolute_limit(
    session: Session, clock: FixedClock, ident: Identity
) -> None:
    person = a_user(session, clock, ident, role=Role.BIDDER)
    token, ws = auth.start_session(session, user=person.user, role=Role.BIDDER, ip=None, mfa_passed=True, clock=clock)
    assert auth.resolve_session(session, token=token, clock=clock, ident=ident) is not None
    clock.advance(ident.idle + timedelta(seconds=1))
    assert auth.resolve_session(session, token=token, clock=clock, ident=ident) is None
    token, ws = auth.start_session(session, user=person.user, role=Role.BIDDER, ip=None, mfa_passed=True, clock=clock)
    for _ in range(int(ident.absolute / ident.idle) + 1):
        clock.advance(ident.idle - timedelta(minutes=1))
        auth.touch_session(ws, clock.now())
    assert auth.resolve_session(session, token=token, clock=clock, ident=ident) is None
    assert auth.purge_expired_sessions(session, now=clock.now(), ident=ident) == 2


def test_changing_the_password_ends_other_sessions(session: Session, clock: FixedClock, ident: Identity) -> None:
    person = a_user(session, clock, ident, role=Role.BIDDER)
    keep, keep_ws = auth.start_session(
        session, user=person.user, role=Role.BIDDER, ip=None, mfa_passed=True, clock=clock
    )
    other, _ = auth.start_session(session, user=person.user, role=Role.BIDDER, ip=None, mfa_passed=True, clock=clock)
    with pytest.raises(Invalid, match="原口令不正确"):
        auth.change_password(
            session, person.actor, old="nope", new="Another-Good-Pass-9", clock=clock, ident=ident, keep_session=None
        )
    auth.change_password(
        session,
        person.actor,
        old=PASSWORD,
        new="Another-Good-Pass-9",
        clock=clock,
        ident=ident,
        keep_session=keep_ws.token_hash,
    )
    assert auth.resolve_session(session, token=keep, clock=clock, ident=ident) is not None
    assert auth.resolve_session(session, token=other, clock=clock, ident=ident) is None
    assert login(session, clock, ident, person.username, "Another-Good-Pass-9").user is not None


def test_tokens_are_stored_as_hashes_and_stop_working_when_revoked_or_expired(
    session: Session, clock: FixedClock, ident: Identity
) -> None:
    person = a_user(session, clock, ident, role=Role.TENDERER)
    raw, tok = auth.issue_token(session, person.actor, name="采购系统", clock=clock, ident=ident)
    assert raw.startswith("ggzy_") and raw not in tok.token_hash
    assert auth.resolve_token(session, raw=raw, clock=clock) is not None
    assert auth.resolve_token(session, raw=raw + "x", clock=clock) is None
    auth.revoke_token(session, person.actor, token_id=tok.id, clock=clock)
    assert auth.resolve_token(session, raw=raw, clock=clock) is None
    raw2, _ = auth.issue_token(session, person.actor, name="第二个", clock=clock, ident=ident)
    clock.advance(ident.token_lifetime + timedelta(seconds=1))
    assert auth.resolve_token(session, raw=raw2, clock=clock) is None
