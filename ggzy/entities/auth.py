"""登录与会话 — sign-in with password and second factor, browser sessions, API tokens (N1, 等保 8.1.4.1)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ggzy.core import events, policy
from ggzy.core.actor import Actor
from ggzy.core.clock import Clock
from ggzy.core.crypto import DecryptionError
from ggzy.core.errors import Forbidden, Invalid, NotFound, RuleViolation
from ggzy.core.ids import new_id, new_token
from ggzy.core.roles import Role
from ggzy.entities import queries, totp
from ggzy.entities.models import ApiToken, User, WebSession
from ggzy.entities.service import Identity

LOGIN_SUCCEEDED = events.event_type("auth.login_succeeded", "登录成功")
LOGIN_FAILED = events.event_type("auth.login_failed", "登录失败")
ACCOUNT_LOCKED = events.event_type("auth.account_locked", "账户因连续失败被锁定")
SECOND_FACTOR_FAILED = events.event_type("auth.second_factor_failed", "动态口令验证失败")
LOGGED_OUT = events.event_type("auth.logged_out", "退出登录")
PASSWORD_CHANGED = events.event_type("auth.password_changed", "修改口令")
TOTP_ENROLLED = events.event_type("auth.totp_enrolled", "绑定动态口令")
TOKEN_ISSUED = events.event_type("auth.token_issued", "签发接口令牌")
TOKEN_REVOKED = events.event_type("auth.token_revoked", "吊销接口令牌")

GENERIC_FAILURE = "用户名或口令错误；连续多次失败后账户将被暂时锁定"
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
    """What the password step decided. `user` is None when sign-in failed (the message is generic)."""

    user: User | None
    role: Role | None = None
    needs_second_factor: bool = False
    needs_enrolment: bool = False
    message: str = ""


def _is_locked(user: User, now: datetime) -> bool:
    return user.locked_until is not None and user.locked_until > now


def _count_failure(session: Session, user: User, ip: str | None, clock: Clock, ident: Identity) -> None:
    now = clock.now()
    user.failed_logins += 1
    if user.failed_logins >= ident.max_failures:
        user.locked_until = now + ident.lockout
        user.failed_logins = 0
        events.record(
            session,
            Actor(None, Role.SYSTEM, ip=ip),
            ACCOUNT_LOCKED,
            clock=clock,
            subject=("user", user.id),
            payload={"until": user.locked_until},
        )


def check_password(
    session: Session, *, username: str, password: str, ip: str | None, clock: Clock, ident: Identity
) -> LoginOutcome:
    """First step of sign-in. Never raises on bad credentials, so the failure is committed and logged."""
    user = queries.find_user(session, username) if len(username) <= 64 else None
    now = clock.now()
    good = ident.hasher.verify(user.password_hash if user else None, password)
    if user is None or not user.is_active or _is_locked(user, now) or not good:
        if user is not None and user.is_active and not _is_locked(user, now):
            _count_failure(session, user, ip, clock, ident)
        events.record(
            session,
            _anonymous(ip),
            LOGIN_FAILED,
            clock=clock,
            subject=("user", user.id) if user else None,
            payload={"username": username[:64], "reason": _reason(user, now, good)},
        )
        return LoginOutcome(None, message=GENERIC_FAILURE)
    roles = queries.roles_of(session, user.id)
    if not roles:
        return LoginOutcome(None, message="该账户尚未授予任何角色，请联系平台管理员")
    role = roles[0]
    staff = any(r.is_staff for r in roles)
    user.failed_logins = 0
    if ident.hasher.needs_rehash(user.password_hash):
        user.password_hash = ident.hasher.hash(password)
    if user.totp_secret:
        return LoginOutcome(user, role, needs_second_factor=True)
    if staff:
        return LoginOutcome(user, role, needs_enrolment=True)
    _record_login(session, user, role, ip, clock, factors=1)
    return LoginOutcome(user, role)


def _reason(user: User | None, now: datetime, good: bool) -> str:
    if user is None:
        return "unknown-user"
    if not user.is_active:
        return "disabled"
    if _is_locked(user, now):
        return "locked"
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


def check_second_factor(
    session: Session, *, user: User, role: Role, code: str, ip: str | None, clock: Clock, ident: Identity
) -> bool:
    """Second step: a TOTP code, each usable once; failures count toward the lockout."""
    now = clock.now()
    if not user.totp_secret or _is_locked(user, now) or not user.is_active:
        return False
    try:
        secret = ident.cipher.open(user.totp_secret, aad=f"totp:{user.id}")
        step = totp.matching_step(secret, code, now)
        reason = "replayed" if step is not None else "wrong-code"
    except DecryptionError:  # the stored secret was altered or moved: fail closed, and say so in the log
        step, reason = None, "secret-unreadable"
    if step is None or (user.totp_last_step is not None and step <= user.totp_last_step):
        _count_failure(session, user, ip, clock, ident)
        events.record(
            session,
            _anonymous(ip),
            SECOND_FACTOR_FAILED,
            clock=clock,
            subject=("user", user.id),
            payload={"reason": reason},
        )
        return False
    user.totp_last_step = step
    user.failed_logins = 0
    _record_login(session, user, role, ip, clock, factors=2)
    return True


def enrol_totp(session: Session, actor: Actor, *, secret: str, code: str, clock: Clock, ident: Identity) -> User:
    """绑定动态口令 — keep the secret only once the person proves their app produces its codes."""
    user = _self(session, actor)
    step = totp.matching_step(secret, code, clock.now())
    if step is None:
        raise Invalid("动态口令不正确，请核对手机上的6位数字后重试", code="wrong-totp")
    user.totp_secret = ident.cipher.seal(secret, aad=f"totp:{user.id}")
    user.totp_last_step = step
    events.record(session, actor, TOTP_ENROLLED, clock=clock, subject=("user", user.id))
    return user


def _self(session: Session, actor: Actor) -> User:
    if actor.user_id is None:
        raise Forbidden("请先登录")
    user = queries.get_user(session, actor.user_id)
    policy.ensure(actor, policy.ACCOUNT_SELF, policy.Subject("user", frozenset({user.org_id}), user_id=user.id))
    return user


def change_password(
    session: Session, actor: Actor, *, old: str, new: str, clock: Clock, ident: Identity, keep_session: str | None
) -> User:
    """修改口令 — re-check the old one, apply the policy, end every other session (ASVS V7.4.3)."""
    user = _self(session, actor)
    if not ident.hasher.verify(user.password_hash, old):
        raise Invalid("原口令不正确", code="wrong-password")
    if old == new:
        raise Invalid("新口令不能与原口令相同", code="same-password")
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


def resolve_session(session: Session, *, token: str, clock: Clock, ident: Identity) -> tuple[WebSession, User] | None:
    ws = session.get(WebSession, digest(token))
    if ws is None:
        return None
    now = clock.now()
    user = session.get(User, ws.user_id)
    expired = now - ws.last_seen_at > ident.idle or now - ws.created_at > ident.absolute
    if user is None or not user.is_active or expired:
        return None
    return ws, user


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
        raise Forbidden("您未持有该角色")
    ws.role = role.value


# --- API tokens ------------------------------------------------------------------------------


def issue_token(session: Session, actor: Actor, *, name: str, clock: Clock, ident: Identity) -> tuple[str, ApiToken]:
    """签发接口令牌 — shown once; the platform keeps only its hash."""
    user = _self(session, actor)
    name = name.strip()[:60]
    if not name:
        raise Invalid("请为令牌起一个名称", code="token-name")
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
        raise NotFound("未找到该令牌")
    owner = queries.get_user(session, tok.user_id)
    own = actor.user_id == tok.user_id
    if not own:
        policy.ensure(actor, policy.USER_MANAGE)
    else:
        policy.ensure(actor, policy.ACCOUNT_SELF, policy.Subject("user", frozenset({owner.org_id}), user_id=owner.id))
    if tok.revoked_at is not None:
        raise RuleViolation("该令牌已吊销", code="already-revoked")
    tok.revoked_at = clock.now()
    events.record(session, actor, TOKEN_REVOKED, clock=clock, subject=("api_token", tok.id))
    return tok


def resolve_token(session: Session, *, raw: str, clock: Clock) -> tuple[ApiToken, User] | None:
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 100:
        return None
    tok = session.execute(select(ApiToken).where(ApiToken.token_hash == digest(raw))).scalar()
    if tok is None or tok.revoked_at is not None or tok.expires_at <= clock.now():
        return None
    user = session.get(User, tok.user_id)
    if user is None or not user.is_active or Role(tok.role) not in queries.roles_of(session, user.id):
        return None
    return tok, user
