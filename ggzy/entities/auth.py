"""登录与会话 — sign-in with password and second factor, browser sessions, API tokens (N1, 等保 8.1.4.1)."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from ggzy.core import events, policy
from ggzy.core.actor import Actor
from ggzy.core.clock import Clock
from ggzy.core.crypto import DecryptionError
from ggzy.core.errors import Conflict, Forbidden, Invalid, NotFound, RuleViolation
from ggzy.core.i18n import N_
from ggzy.core.ids import new_id, new_token
from ggzy.core.roles import Role
from ggzy.entities import queries, throttle, totp
from ggzy.entities.models import ApiToken, RoleGrant, User, WebSession
from ggzy.entities.service import Identity

LOGIN_SUCCEEDED = events.event_type("auth.login_succeeded", N_("登录成功"))
LOGIN_FAILED = events.event_type("auth.login_failed", N_("登录失败"))
ACCOUNT_LOCKED = events.event_type("auth.account_locked", N_("账户因连续失败被锁定"))
SECOND_FACTOR_FAILED = events.event_type("auth.second_factor_failed", N_("动态口令验证失败"))
LOGGED_OUT = events.event_type("auth.logged_out", N_("退出登录"))
PASSWORD_CHANGED = events.event_type("auth.password_changed", N_("修改口令"))
TOTP_ENROLLED = events.event_type("auth.totp_enrolled", N_("绑定动态口令"))
TOTP_REPLACED = events.event_type("auth.totp_replaced", N_("更换动态口令"))
PASSWORD_SET_WITH_CODE = events.event_type("auth.password_set_with_code", N_("凭一次性验证码设置新口令"))
TOKEN_ISSUED = events.event_type("auth.token_issued", N_("签发接口令牌"))
TOKEN_REVOKED = events.event_type("auth.token_revoked", N_("吊销接口令牌"))

GENERIC_FAILURE = N_("用户名或口令错误；连续多次失败后将暂停从此网络地址登录")
INACTIVE = N_("该账户已停用，或其开设、重新启用尚待第二人复核；请联系平台管理员")
TOKEN_PREFIX = "ggzy_"  # noqa: S105 - a public prefix that marks our tokens


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def actor_for(session: Session, user: User, role: Role, ip: str | None) -> Actor:
    return Actor(user_id=user.id, role=role, org_id=user.org_id, sectors=queries.sectors_of(session, user.id), ip=ip)


def _anonymous(ip: str | None) -> Actor:
    return Actor(user_id=None, role=Role.PUBLIC, ip=ip)


# --- password step ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LoginOutcome:
    """What the password step decided. `user` is None when sign-in failed (see `message`, `throttled`)."""

    user: User | None
    role: Role | None = None
    needs_second_factor: bool = False
    needs_enrolment: bool = False
    message: str = ""
    throttled: bool = False  # paused (entities/throttle.py): say so, and do not look at the password


def _is_locked(user: User, now: datetime) -> bool:
    return user.locked_until is not None and user.locked_until > now


def check_password(
    session: Session, *, username: str, password: str, ip: str | None, clock: Clock, ident: Identity
) -> LoginOutcome:
    """First step of sign-in. Never raises on bad credentials, so the failure is committed and logged.

    Paused (username, address) pairs and addresses are refused before the password is checked, with
    a message that says so; unknown usernames are paused exactly like known ones.
    """
    username = username[:64]
    now = clock.now()
    block = throttle.blocked(session, kind="password", username=username, ip=ip, now=now)
    if block is not None:
        events.record(
            session,
            _anonymous(ip),
            LOGIN_FAILED,
            clock=clock,
            payload={"username": username, "reason": "throttled-address" if block.by_address else "throttled"},
        )
        return LoginOutcome(None, message=block.message, throttled=True)
    user = queries.find_user(session, username)
    good = ident.hasher.verify(user.password_hash if user else None, password)
    if user is None or not user.is_active or not good:
        started = throttle.fail(session, kind="password", username=username, ip=ip, now=now, limits=ident.limits)
        payload: dict[str, object] = {"username": username, "reason": _reason(user, good)}
        if started is not None:
            payload |= {"paused_until": started.until, "by_address": started.by_address}
        events.record(
            session,
            _anonymous(ip),
            LOGIN_FAILED,
            clock=clock,
            subject=("user", user.id) if user else None,
            payload=payload,
        )
        if started is not None:
            return LoginOutcome(None, message=started.message, throttled=True)
        if user is not None and good:  # only the holder of the right password learns the account's state
            return LoginOutcome(None, message=INACTIVE)
        return LoginOutcome(None, message=GENERIC_FAILURE)
    throttle.succeed(session, kind="password", username=username, ip=ip)
    roles = queries.roles_of(session, user.id)
    if not roles:
        return LoginOutcome(None, message=N_("该账户尚未授予任何角色，请联系平台管理员"))
    role = roles[0]
    staff = any(r.is_staff for r in roles)
    if ident.hasher.needs_rehash(user.password_hash):
        user.password_hash = ident.hasher.hash(password)
    if user.totp_secret:
        return LoginOutcome(user, role, needs_second_factor=True)
    if staff:
        return LoginOutcome(user, role, needs_enrolment=True)
    _record_login(session, user, role, ip, clock, factors=1)
    return LoginOutcome(user, role)


def _reason(user: User | None, good: bool) -> str:
    if user is None:
        return "unknown-user"
    if not user.is_active:
        return "disabled"
    return "wrong-password"


def _record_login(session: Session, user: User, role: Role, ip: str | None, clock: Clock, *, factors: int) -> None:
    events.record(
        session,
        actor_for(session, user, role, ip),
        LOGIN_SUCCEEDED,
        clock=clock,
        subject=("user", user.id),
        payload={"factors": factors},
    )


# --- second factor ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FactorOutcome:
    """The second step's answer; true when the code was right. `locked_until` when it is paused."""

    ok: bool
    message: str = ""
    locked_until: datetime | None = None

    def __bool__(self) -> bool:
        return self.ok


WRONG_CODE = N_("动态口令不正确或已使用过，请等待下一个口令")


def _locked_message(until: datetime) -> str:
    return (
        f"动态口令连续错误次数过多，该账户的动态口令验证已暂停至 {throttle.local_time(until)}（北京时间）；"
        "如非本人操作，请尽快修改口令"
    )


def _verify_code(user: User, code: str, now: datetime, ident: Identity) -> tuple[int | None, str]:
    """The step of a fresh, correct code of the user's current factor, or None and why not."""
    try:
        secret = ident.cipher.open(user.totp_secret or "", aad=f"totp:{user.id}")
    except DecryptionError:  # the stored secret was altered or moved: fail closed, and say so in the log
        return None, "secret-unreadable"
    step = totp.matching_step(secret, code, now)
    if step is None:
        return None, "wrong-code"
    if user.totp_last_step is not None and step <= user.totp_last_step:
        return None, "replayed"
    return step, ""


def _factor_failure(session: Session, user: User, ip: str | None, clock: Clock, ident: Identity, reason: str) -> None:
    """Second-factor failures count on the account alone; only a right code clears them."""
    now = clock.now()
    user.failed_logins += 1
    payload: dict[str, object] = {"reason": reason}
    if user.failed_logins % ident.second_factor_failures == 0:
        user.locked_until = now + ident.limits.pause(user.failed_logins // ident.second_factor_failures)
        payload["locked_until"] = user.locked_until
    events.record(
        session, _anonymous(ip), SECOND_FACTOR_FAILED, clock=clock, subject=("user", user.id), payload=payload
    )


def check_second_factor(
    session: Session, *, user: User, role: Role, code: str, ip: str | None, clock: Clock, ident: Identity
) -> FactorOutcome:
    """Second step: a TOTP code, each usable once; failures are the account's own and pause it, growing."""
    now = clock.now()
    if not user.totp_secret or not user.is_active:
        return FactorOutcome(False, WRONG_CODE)
    if _is_locked(user, now):
        assert user.locked_until is not None
        return FactorOutcome(False, _locked_message(user.locked_until), user.locked_until)
    step, reason = _verify_code(user, code, now, ident)
    if step is None:
        _factor_failure(session, user, ip, clock, ident, reason)
        if _is_locked(user, now):
            assert user.locked_until is not None
            return FactorOutcome(False, _locked_message(user.locked_until), user.locked_until)
        return FactorOutcome(False, WRONG_CODE)
    user.totp_last_step = step
    user.failed_logins = 0
    _record_login(session, user, role, ip, clock, factors=2)
    return FactorOutcome(True)


def enrol_totp(session: Session, actor: Actor, *, secret: str, code: str, clock: Clock, ident: Identity) -> User:
    """绑定动态口令 — the first factor of an account that has none, kept once the app proves it makes its codes."""
    user = _self(session, actor)
    if user.totp_secret is not None:
        raise Conflict(N_("该账户已绑定动态口令；更换须在完整登录后验证当前动态口令"), code="totp-exists")
    step = totp.matching_step(secret, code, clock.now())
    if step is None:
        raise Invalid(N_("动态口令不正确，请核对手机上的6位数字后重试"), code="wrong-totp")
    user.totp_secret = ident.cipher.seal(secret, aad=f"totp:{user.id}")
    user.totp_last_step = step
    events.record(session, actor, TOTP_ENROLLED, clock=clock, subject=("user", user.id))
    return user


def replace_totp(
    session: Session, actor: Actor, *, current_code: str, secret: str, code: str, clock: Clock, ident: Identity
) -> FactorOutcome:
    """更换动态口令 — only from a complete sign-in, with a fresh code of the current factor and one of the new.

    A wrong current code counts toward the account's second-factor pause and is returned (not
    raised) so that the count is committed; a wrong code of the new secret raises Invalid.
    """
    user = _self(session, actor)
    if user.totp_secret is None:
        raise Conflict(N_("该账户尚未绑定动态口令"), code="no-totp")
    now = clock.now()
    if _is_locked(user, now):
        assert user.locked_until is not None
        return FactorOutcome(False, _locked_message(user.locked_until), user.locked_until)
    if totp.matching_step(secret, code, now) is None:
        raise Invalid(N_("新动态口令不正确，请核对手机上新添加的6位数字后重试"), code="wrong-totp")
    old_step, reason = _verify_code(user, current_code, now, ident)
    if old_step is None:
        _factor_failure(session, user, actor.ip, clock, ident, reason)
        if _is_locked(user, now):
            assert user.locked_until is not None
            return FactorOutcome(False, _locked_message(user.locked_until), user.locked_until)
        return FactorOutcome(False, N_("当前动态口令不正确或已使用过：更换须输入原验证器应用此刻显示的6位数字"))
    new_step = totp.matching_step(secret, code, now)
    user.totp_secret = ident.cipher.seal(secret, aad=f"totp:{user.id}")
    user.totp_last_step = new_step
    user.failed_logins = 0
    events.record(session, actor, TOTP_REPLACED, clock=clock, subject=("user", user.id))
    return FactorOutcome(True)


def _self(session: Session, actor: Actor) -> User:
    if actor.user_id is None:
        raise Forbidden(N_("请先登录"))
    user = queries.get_user(session, actor.user_id)
    policy.ensure(actor, policy.ACCOUNT_SELF, policy.Subject("user", frozenset({user.org_id}), user_id=user.id))
    return user


def change_password(
    session: Session, actor: Actor, *, old: str, new: str, clock: Clock, ident: Identity, keep_session: str | None
) -> User:
    """修改口令 — re-check the old one, apply the policy, end every other session (ASVS V7.4.3)."""
    user = _self(session, actor)
    if not ident.hasher.verify(user.password_hash, old):
        raise Invalid(N_("原口令不正确"), code="wrong-password")
    if old == new:
        raise Invalid(N_("新口令不能与原口令相同"), code="same-password")
    staff = any(r.is_staff for r in queries.roles_of(session, user.id))
    ident.policy.check(new, username=user.username, staff=staff)
    user.password_hash = ident.hasher.hash(new)
    user.password_changed_at = clock.now()
    user.must_change_password = False
    stmt = delete(WebSession).where(WebSession.user_id == user.id)
    if keep_session:
        stmt = stmt.where(WebSession.token_hash != keep_session)
    session.execute(stmt)
    events.record(session, actor, PASSWORD_CHANGED, clock=clock, subject=("user", user.id))
    return user


# --- browser sessions ------------------------------------------------------------------------


def start_session(
    session: Session, *, user: User, role: Role, ip: str | None, mfa_passed: bool, clock: Clock
) -> tuple[str, WebSession]:
    """A fresh random token at every sign-in step (ASVS V7.2.4); only its hash is stored."""
    token = new_token()
    now = clock.now()
    ws = WebSession(
        token_hash=digest(token),
        user_id=user.id,
        role=role.value,
        mfa_passed=mfa_passed,
        csrf_token=new_token(24),
        ip=ip,
        created_at=now,
        last_seen_at=now,
    )
    session.add(ws)
    session.flush()
    return token, ws


@dataclass(frozen=True)
class Caller:
    """Who a cookie or token belongs to, from one SELECT: the row, the user and every role grant."""

    user: User
    roles: tuple[Role, ...]
    sectors: frozenset[str]
    web: WebSession | None = None
    token: ApiToken | None = None

    def actor(self, role: Role, ip: str | None) -> Actor:
        return Actor(user_id=self.user.id, role=role, org_id=self.user.org_id, sectors=self.sectors, ip=ip)


def _grants(rows: Sequence[Any]) -> tuple[tuple[Role, ...], frozenset[str]]:
    roles: dict[Role, None] = {}
    sectors = set()
    for row in rows:
        if row.role is not None:
            roles.setdefault(Role(row.role), None)
            if row.role == Role.SECTOR_SUPERVISOR.value and row.sector:
                sectors.add(row.sector)
    return tuple(roles), frozenset(sectors)


class SessionActivity:
    """Browser activity seen by this node, kept in memory off the read path and written by the tick.

    A GET request only reads: it notes "this session was active now" here, and the idle check
    believes the later of the stored `last_seen_at` and this note. The tick (entities/timers.py)
    writes the notes out in one statement, so other nodes see them within one tick.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: dict[str, datetime] = {}

    def note(self, token_hash: str, now: datetime) -> None:
        with self._lock:
            if token_hash not in self._seen or self._seen[token_hash] < now:
                self._seen[token_hash] = now

    def last(self, token_hash: str) -> datetime | None:
        with self._lock:
            return self._seen.get(token_hash)

    def take(self) -> dict[str, datetime]:
        with self._lock:
            out, self._seen = self._seen, {}
            return out

    def put_back(self, seen: dict[str, datetime]) -> None:
        for token_hash, at in seen.items():
            self.note(token_hash, at)


def flush_activity(session: Session, seen: dict[str, datetime]) -> int:
    """Write noted activity: last_seen_at only ever moves forward."""
    n = 0
    for token_hash, at in seen.items():
        res = session.execute(
            update(WebSession)
            .where(WebSession.token_hash == token_hash, WebSession.last_seen_at < at)
            .values(last_seen_at=at)
        )
        n += int(res.rowcount or 0)  # type: ignore[attr-defined]
    return n


def load_session(
    session: Session, *, token: str, clock: Clock, ident: Identity, activity: SessionActivity | None = None
) -> Caller | None:
    """The browser session behind a cookie, in one SELECT; None if unknown, expired or disabled."""
    token_hash = digest(token)
    rows = session.execute(
        select(WebSession, User, RoleGrant.role, RoleGrant.sector)
        .join(User, User.id == WebSession.user_id)
        .outerjoin(RoleGrant, RoleGrant.user_id == User.id)
        .where(WebSession.token_hash == token_hash)
        .order_by(RoleGrant.id)
    ).all()
    if not rows:
        return None
    ws, user = rows[0][0], rows[0][1]
    now = clock.now()
    noted = activity.last(token_hash) if activity is not None else None
    last_seen = max(ws.last_seen_at, noted) if noted is not None else ws.last_seen_at
    if not user.is_active or now - last_seen > ident.idle or now - ws.created_at > ident.absolute:
        return None
    roles, sectors = _grants(rows)
    return Caller(user, roles, sectors, web=ws)


def resolve_session(session: Session, *, token: str, clock: Clock, ident: Identity) -> tuple[WebSession, User] | None:
    found = load_session(session, token=token, clock=clock, ident=ident)
    if found is None or found.web is None:
        return None
    return found.web, found.user


def touch_session(ws: WebSession, now: datetime) -> bool:
    """Move the idle timer forward, at most once a minute (keeps reads nearly write-free)."""
    if (now - ws.last_seen_at).total_seconds() >= 60:
        ws.last_seen_at = now
        return True
    return False


def end_session(session: Session, actor: Actor, *, token_hash: str, clock: Clock) -> None:
    session.execute(delete(WebSession).where(WebSession.token_hash == token_hash))
    if actor.user_id:
        events.record(session, actor, LOGGED_OUT, clock=clock, subject=("user", actor.user_id))


def purge_expired_sessions(session: Session, *, now: datetime, ident: Identity) -> int:
    """Remove sessions past either timeout (等保 8.1.4.10: nothing left behind)."""
    res = session.execute(
        delete(WebSession).where(
            (WebSession.last_seen_at < now - ident.idle) | (WebSession.created_at < now - ident.absolute)
        )
    )
    return int(res.rowcount or 0)  # type: ignore[attr-defined]


def switch_role(session: Session, ws: WebSession, *, role: Role) -> None:
    if role not in queries.roles_of(session, ws.user_id):
        raise Forbidden(N_("您未持有该角色"))
    ws.role = role.value


# --- API tokens ------------------------------------------------------------------------------


def issue_token(session: Session, actor: Actor, *, name: str, clock: Clock, ident: Identity) -> tuple[str, ApiToken]:
    """签发接口令牌 — shown once; the platform keeps only its hash."""
    user = _self(session, actor)
    name = name.strip()[:60]
    if not name:
        raise Invalid(N_("请为令牌起一个名称"), code="token-name")
    raw = TOKEN_PREFIX + new_token()
    now = clock.now()
    tok = ApiToken(
        id=new_id(),
        user_id=user.id,
        role=actor.role.value,
        name=name,
        token_hash=digest(raw),
        created_at=now,
        expires_at=now + ident.token_lifetime,
    )
    session.add(tok)
    session.flush()
    events.record(
        session,
        actor,
        TOKEN_ISSUED,
        clock=clock,
        subject=("api_token", tok.id),
        payload={"name": name, "role": tok.role, "expires_at": tok.expires_at},
    )
    return raw, tok


def revoke_token(session: Session, actor: Actor, *, token_id: str, clock: Clock) -> ApiToken:
    tok = session.get(ApiToken, token_id)
    if tok is None:
        raise NotFound(N_("未找到该令牌"))
    owner = queries.get_user(session, tok.user_id)
    own = actor.user_id == tok.user_id
    if not own:
        policy.ensure(actor, policy.USER_MANAGE)
    else:
        policy.ensure(actor, policy.ACCOUNT_SELF, policy.Subject("user", frozenset({owner.org_id}), user_id=owner.id))
    if tok.revoked_at is not None:
        raise RuleViolation(N_("该令牌已吊销"), code="already-revoked")
    tok.revoked_at = clock.now()
    events.record(session, actor, TOKEN_REVOKED, clock=clock, subject=("api_token", tok.id))
    return tok


def load_token(session: Session, *, raw: str, clock: Clock) -> Caller | None:
    """The user behind an API token, in one SELECT; None if unknown, revoked, expired or its role is gone."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 100:
        return None
    rows = session.execute(
        select(ApiToken, User, RoleGrant.role, RoleGrant.sector)
        .join(User, User.id == ApiToken.user_id)
        .outerjoin(RoleGrant, RoleGrant.user_id == User.id)
        .where(ApiToken.token_hash == digest(raw))
        .order_by(RoleGrant.id)
    ).all()
    if not rows:
        return None
    tok, user = rows[0][0], rows[0][1]
    roles, sectors = _grants(rows)
    if tok.revoked_at is not None or tok.expires_at <= clock.now() or not user.is_active:
        return None
    if Role(tok.role) not in roles:
        return None
    return Caller(user, roles, sectors, token=tok)


def resolve_token(session: Session, *, raw: str, clock: Clock) -> tuple[ApiToken, User] | None:
    found = load_token(session, raw=raw, clock=clock)
    if found is None or found.token is None:
        return None
    return found.token, found.user


# --- setting a password with a one-time code ---------------------------------------------------


@dataclass(frozen=True)
class CodeOutcome:
    """`user` when the code was right and the new password is set; otherwise the message to show."""

    user: User | None
    message: str = ""
    throttled: bool = False


BAD_CODE = N_("用户名或验证码不正确，或验证码已过期；连续多次失败后将暂停从此网络地址尝试")


def set_password_with_code(
    session: Session,
    *,
    username: str,
    code: str,
    new_password: str,
    ip: str | None,
    clock: Clock,
    ident: Identity,
) -> CodeOutcome:
    """凭验证码设置口令 — the person sets their own password with the code the platform sent them.

    Throttled like passwords (per username and address, and per address), with answers that do not
    tell an unknown username from a wrong code. A weak new password raises Invalid before the code
    is spent, so the person can try another.
    """
    username = username.strip().lower()[:64]
    now = clock.now()
    block = throttle.blocked(session, kind="code", username=username, ip=ip, now=now)
    if block is not None:
        return CodeOutcome(None, block.message, throttled=True)
    user = queries.find_user(session, username)
    expires = user.reset_code_expires_at if user is not None else None
    live = user is not None and user.is_active and expires is not None and expires > now
    good = ident.hasher.verify(user.reset_code_hash if user is not None and live else None, code.strip()[:32])
    if user is None or not live or not good:
        started = throttle.fail(session, kind="code", username=username, ip=ip, now=now, limits=ident.limits)
        events.record(
            session,
            _anonymous(ip),
            LOGIN_FAILED,
            clock=clock,
            subject=("user", user.id) if user else None,
            payload={"username": username, "reason": "wrong-code", "step": "one-time-code"},
        )
        if started is not None:
            return CodeOutcome(None, started.message, throttled=True)
        return CodeOutcome(None, BAD_CODE)
    roles = queries.roles_of(session, user.id) or [Role.PUBLIC]
    ident.policy.check(new_password, username=user.username, staff=any(r.is_staff for r in roles))
    throttle.succeed(session, kind="code", username=username, ip=ip)
    throttle.succeed(session, kind="password", username=username, ip=ip)
    user.password_hash = ident.hasher.hash(new_password)
    user.password_changed_at = now
    user.must_change_password = False
    user.reset_code_hash = None
    user.reset_code_expires_at = None
    session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    events.record(
        session,
        actor_for(session, user, roles[0], ip),
        PASSWORD_SET_WITH_CODE,
        clock=clock,
        subject=("user", user.id),
    )
    return CodeOutcome(user)
