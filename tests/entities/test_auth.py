"""Sign-in: passwords, lockout, the second factor, sessions and tokens (等保 8.1.4.1, ASVS V6–V7)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ggzy.core.clock import FixedClock
from ggzy.core.errors import Invalid
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


def test_repeated_failures_lock_the_account_even_for_the_right_password(
    session: Session, clock: FixedClock, ident: Identity
) -> None:
    person = a_user(session, clock, ident, role=Role.BIDDER)
    for _ in range(ident.max_failures):
        assert login(session, clock, ident, person.username, "Wrong-Password-1").user is None
    assert person.user.locked_until == clock.now() + ident.lockout
    assert login(session, clock, ident, person.username, PASSWORD).user is None
    clock.advance(ident.lockout + timedelta(seconds=1))
    assert login(session, clock, ident, person.username, PASSWORD).user is not None
    assert session.execute(select(Event).where(Event.type == auth.ACCOUNT_LOCKED)).scalar() is not None


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
