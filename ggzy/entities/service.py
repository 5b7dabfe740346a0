"""主体库 — the verbs on market entities and accounts: register, update, create users, grant roles."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from ggzy.core import events, i18n, policy
from ggzy.core.actor import Actor
from ggzy.core.clock import Clock
from ggzy.core.config import Settings
from ggzy.core.crypto import FieldCipher
from ggzy.core.errors import Conflict, Forbidden, Invalid, RuleViolation
from ggzy.core.i18n import N_
from ggzy.core.ids import new_id
from ggzy.core.keys import Keys
from ggzy.core.notify import Notifier
from ggzy.core.policy import Subject
from ggzy.core.roles import EXCLUSIVE_ROLES, GRANTABLE, Role, Sector
from ggzy.entities import credit_code, queries, throttle
from ggzy.entities.models import AccountRequest, ApiToken, Organisation, RoleGrant, User, WebSession
from ggzy.entities.passwords import Hasher, PasswordPolicy
from ggzy.entities.states import ROLE_ORG_KINDS, OrgKind
from ggzy.entities.throttle import Limits
from ggzy.rules import security
from ggzy.rules.base import Rule

ORG_REGISTERED = events.event_type("entities.organisation_registered", N_("登记市场主体"))
ORG_UPDATED = events.event_type("entities.organisation_updated", N_("修改市场主体信息"))
USER_CREATED = events.event_type("entities.user_created", N_("创建用户账户"))
ROLE_GRANTED = events.event_type("entities.role_granted", N_("授予角色"))
ROLE_REVOKED = events.event_type("entities.role_revoked", N_("撤销角色"))
USER_DISABLED = events.event_type("entities.user_disabled", N_("停用账户"))
USER_UNLOCKED = events.event_type("entities.user_unlocked", N_("解除账户锁定"))
PASSWORD_RESET = events.event_type("entities.password_reset", N_("管理员重置口令"))
USER_ENABLED = events.event_type("entities.user_enabled", N_("重新启用账户"))
LOCALE_SET = events.event_type("entities.locale_set", N_("设置界面语言"))

USERNAME = re.compile(r"^[a-z][a-z0-9_.-]{2,31}$")


@dataclass(frozen=True)
class Identity:
    """Identity settings, built once from Settings and the platform keys, passed to the verbs."""

    hasher: Hasher
    cipher: FieldCipher
    policy: PasswordPolicy = field(default_factory=PasswordPolicy)
    limits: Limits = field(default_factory=Limits)  # password throttles (entities/throttle.py)
    second_factor_failures: int = int(security.SECOND_FACTOR_FAILURES.value)
    reset_code_life: timedelta = timedelta(minutes=int(security.RESET_CODE_MINUTES.value))
    idle: timedelta = timedelta(minutes=int(security.IDLE_TIMEOUT.value))
    absolute: timedelta = timedelta(hours=12)
    token_lifetime: timedelta = timedelta(days=90)
    issuer: str = "ggzy"

    @classmethod
    def from_settings(cls, settings: Settings, keys: Keys, *, hasher: Hasher | None = None) -> Identity:
        def pick(value: int | None, rule: Rule) -> int:
            return int(rule.value) if value is None else value

        return cls(
            hasher=hasher or Hasher(memory_kib=settings.argon2_memory_kib, time_cost=settings.argon2_time_cost),
            cipher=FieldCipher(keys.derive("column:totp")),
            policy=PasswordPolicy(
                min_length=pick(settings.password_min_length, security.PASSWORD_MIN),
                staff_classes=pick(settings.staff_password_classes, security.STAFF_CLASSES),
            ),
            limits=Limits(
                pair_failures=pick(settings.login_max_failures, security.LOGIN_FAILURES),
                first_pause=timedelta(minutes=pick(settings.login_lockout_minutes, security.LOCKOUT_MINUTES)),
            ),
            idle=timedelta(minutes=pick(settings.session_idle_minutes, security.IDLE_TIMEOUT)),
            absolute=timedelta(hours=settings.session_absolute_hours),
            token_lifetime=timedelta(days=settings.token_days),
            issuer=settings.platform_name,
        )


def org_subject(org: Organisation) -> Subject:
    return Subject("organisation", org_ids=frozenset({org.id}), sector=org.sector)


def user_subject(user: User) -> Subject:
    return Subject("user", org_ids=frozenset({user.org_id}), user_id=user.id)


# --- organisations -------------------------------------------------------------------------

ORG_FIELDS = ("address", "legal_representative", "contact_name", "contact_phone", "contact_email")


def _clean_org_fields(data: dict[str, Any]) -> dict[str, str]:
    out = {}
    for k in ORG_FIELDS:
        v = str(data.get(k) or "").strip()
        if len(v) > 300:
            raise Invalid(f"{k} 过长")
        out[k] = v
    email = out["contact_email"]
    if email and not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", email):
        raise Invalid(N_("联系邮箱格式不正确"), code="bad-email")
    return out


def register_organisation(
    session: Session,
    actor: Actor,
    *,
    name: str,
    credit_code_text: str,
    kind: OrgKind,
    clock: Clock,
    sector: Sector | None = None,
    **contact: Any,
) -> Organisation:
    """登记市场主体 — record an organisation in the shared entity database, once per credit code."""
    policy.ensure(actor, policy.ENTITY_REGISTER)
    name = name.strip()
    if not 2 <= len(name) <= 200:
        raise Invalid(N_("主体名称应为2至200个字符"), code="bad-name")
    code = credit_code.validate(credit_code_text)
    if sector is not None and kind is not OrgKind.GOVERNMENT:
        raise Invalid(N_("只有政府机关可以登记行业"), code="sector-for-government")
    if queries.find_org_by_code(session, code) is not None:
        raise Conflict(f"统一社会信用代码 {code} 已登记", code="duplicate-credit-code")
    if session.execute(select(Organisation.id).where(Organisation.name == name)).first():
        raise Conflict(f"主体名称「{name}」已登记", code="duplicate-name")
    org = Organisation(
        id=new_id(),
        credit_code=code,
        name=name,
        kind=kind.value,
        sector=sector.value if sector else None,
        region=code[2:8],
        created_at=clock.now(),
        **_clean_org_fields(contact),
    )
    session.add(org)
    session.flush()
    events.record(
        session,
        actor,
        ORG_REGISTERED,
        clock=clock,
        subject=("organisation", org.id),
        payload={"name": org.name, "credit_code": code, "kind": org.kind, "sector": org.sector},
    )
    return org


def update_organisation(
    session: Session, actor: Actor, *, org_id: str, changes: dict[str, Any], clock: Clock
) -> Organisation:
    org = queries.get_org(session, org_id)
    policy.ensure(actor, policy.ENTITY_UPDATE, org_subject(org))
    unknown = set(changes) - set(ORG_FIELDS)
    if unknown:
        raise Invalid(f"这些字段不能修改：{'、'.join(sorted(unknown))}", code="readonly-field")
    clean = _clean_org_fields({**{k: getattr(org, k) for k in ORG_FIELDS}, **changes})
    changed = {k: v for k, v in clean.items() if getattr(org, k) != v}
    for k, v in changed.items():
        setattr(org, k, v)
    if changed:
        events.record(
            session,
            actor,
            ORG_UPDATED,
            clock=clock,
            subject=("organisation", org.id),
            payload={"changed": sorted(changed)},
        )
    return org


# --- users and roles -----------------------------------------------------------------------


def _ensure_roles_fit(org: Organisation, roles: list[tuple[Role, str]]) -> None:
    names = {r for r, _ in roles}
    for role, sector in roles:
        if role not in GRANTABLE:
            raise Invalid(f"角色「{role.label}」不能授予个人", code="bad-role")
        if OrgKind(org.kind) not in ROLE_ORG_KINDS[role]:
            raise RuleViolation(
                f"「{OrgKind(org.kind).label}」的人员不能担任「{role.label}」", code="role-org-mismatch"
            )
        if role is Role.SECTOR_SUPERVISOR and not sector:
            raise Invalid(N_("行业监管角色须指定所监管的行业"), code="sector-required")
        if role is not Role.SECTOR_SUPERVISOR and sector:
            raise Invalid(N_("只有行业监管角色按行业授予"), code="sector-not-allowed")
    exclusive = names & EXCLUSIVE_ROLES
    if exclusive and len(names) > 1:
        label = "、".join(r.label for r in exclusive)
        raise RuleViolation(f"{label}角色须单独持有，不得兼任其他角色（管办分离、三权分立）", code="exclusive-role")


def create_user(
    session: Session,
    actor: Actor,
    *,
    org_id: str,
    username: str,
    display_name: str,
    roles: list[tuple[Role, str]],
    clock: Clock,
    ident: Identity,
    password: str | None = None,
    notifier: Notifier | None = None,
    must_change_password: bool = True,
) -> User:
    """开户 — the platform administrator opens an account for a person of an organisation.

    The administrator never knows its password: the person gets a one-time code (entities/review.py)
    and sets their own. A staff account stays inactive until a second person approves it. Only the
    platform itself (`SYSTEM`: the demo, the CLI, tests) may set a password here.
    """
    from ggzy.entities import review

    policy.ensure(actor, policy.USER_MANAGE)
    if password is not None and actor.role is not Role.SYSTEM:
        raise Forbidden(N_("管理员不能为他人指定口令：口令由本人凭一次性验证码设置"), code="admin-sets-password")
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise Invalid(N_("用户名须以字母开头，3至32位小写字母、数字或 _ . -"), code="bad-username")
    if queries.find_user(session, username) is not None:
        raise Conflict(f"用户名 {username} 已被使用", code="duplicate-username")
    if not roles:
        raise Invalid(N_("至少授予一个角色"), code="no-role")
    org = queries.get_org(session, org_id)
    _ensure_roles_fit(org, roles)
    staff = any(r.is_staff for r, _ in roles)
    if password is not None:
        ident.policy.check(password, username=username, staff=staff)
    reviewed = review.needs_review(actor, [r for r, _ in roles])
    now = clock.now()
    user = User(
        id=new_id(),
        username=username,
        display_name=display_name.strip()[:60] or username,
        org_id=org.id,
        password_hash=ident.hasher.hash(password) if password is not None else review.unusable_password(ident),
        password_changed_at=now,
        must_change_password=must_change_password if password is not None else False,
        failed_logins=0,
        is_active=not reviewed,
        created_at=now,
    )
    session.add(user)
    session.flush()
    events.record(
        session,
        actor,
        USER_CREATED,
        clock=clock,
        subject=("user", user.id),
        refs={"organisation": org.id},
        payload={"username": username, "display_name": user.display_name},
    )
    for role, sector in roles:
        _grant(session, actor, user, role, sector, clock)
    if reviewed:
        review.file(session, actor, kind=review.Kind.CREATE, user=user, clock=clock)
    elif password is None:
        if notifier is None:
            raise ValueError("a notifier is needed to send the person's one-time code")
        review.send_code(session, actor, user=user, clock=clock, ident=ident, notifier=notifier)
    return user


def _grant(session: Session, actor: Actor, user: User, role: Role, sector: str, clock: Clock) -> None:
    session.add(RoleGrant(user_id=user.id, role=role.value, sector=sector or "", granted_at=clock.now()))
    session.flush()
    events.record(
        session,
        actor,
        ROLE_GRANTED,
        clock=clock,
        subject=("user", user.id),
        payload={"role": role.value, "sector": sector or None},
    )


def grant_role(
    session: Session, actor: Actor, *, user_id: str, role: Role, sector: str = "", clock: Clock
) -> AccountRequest | None:
    """授予角色 — a staff role (elevation) waits for a second person; the request is returned then."""
    from ggzy.entities import review

    policy.ensure(actor, policy.USER_MANAGE)
    user = queries.get_user(session, user_id)
    held = [(Role(g.role), g.sector) for g in queries.grants_of(session, user_id)]
    if (role, sector or "") in held:
        raise Conflict(N_("该用户已持有此角色"), code="duplicate-grant")
    _ensure_roles_fit(queries.get_org(session, user.org_id), [*held, (role, sector)])
    if review.needs_review(actor, [role]):
        return review.file(session, actor, kind=review.Kind.GRANT, user=user, role=role, sector=sector, clock=clock)
    _grant(session, actor, user, role, sector, clock)
    return None


def apply_grant(session: Session, actor: Actor, *, user: User, role: Role, sector: str, clock: Clock) -> None:
    """An approved elevation (entities/review.py has checked who may approve)."""
    held = [(Role(g.role), g.sector) for g in queries.grants_of(session, user.id)]
    if (role, sector or "") in held:
        return
    _ensure_roles_fit(queries.get_org(session, user.org_id), [*held, (role, sector)])
    _grant(session, actor, user, role, sector, clock)


def revoke_role(session: Session, actor: Actor, *, user_id: str, role: Role, sector: str = "", clock: Clock) -> None:
    policy.ensure(actor, policy.USER_MANAGE)
    res = session.execute(
        delete(RoleGrant).where(
            RoleGrant.user_id == user_id, RoleGrant.role == role.value, RoleGrant.sector == (sector or "")
        )
    )
    if not res.rowcount:  # type: ignore[attr-defined]
        raise Conflict(N_("该用户未持有此角色"), code="no-such-grant")
    end_all_access(session, user_id=user_id, clock=clock)
    events.record(
        session,
        actor,
        ROLE_REVOKED,
        clock=clock,
        subject=("user", user_id),
        payload={"role": role.value, "sector": sector or None},
    )


def end_all_access(session: Session, *, user_id: str, clock: Clock) -> None:
    """Sign the user out everywhere and revoke their tokens (ASVS V7.4.2)."""
    session.execute(delete(WebSession).where(WebSession.user_id == user_id))
    session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=clock.now())
    )


def disable_user(session: Session, actor: Actor, *, user_id: str, clock: Clock) -> User:
    policy.ensure(actor, policy.USER_MANAGE)
    user = queries.get_user(session, user_id)
    if user.id == actor.user_id:
        raise RuleViolation(N_("不能停用自己的账户"), code="self-disable")
    user.is_active = False
    end_all_access(session, user_id=user.id, clock=clock)
    events.record(session, actor, USER_DISABLED, clock=clock, subject=("user", user.id))
    return user


def unlock_user(session: Session, actor: Actor, *, user_id: str, clock: Clock) -> User:
    """解除锁定 — lift the second-factor pause and every paused address for this username."""
    policy.ensure(actor, policy.USER_MANAGE)
    user = queries.get_user(session, user_id)
    user.failed_logins = 0
    user.locked_until = None
    throttle.lift(session, username=user.username)
    events.record(session, actor, USER_UNLOCKED, clock=clock, subject=("user", user.id))
    return user


def set_locale(session: Session, actor: Actor, *, user_id: str, locale: str | None, clock: Clock) -> User:
    """界面语言 — the person's own choice of language ("zh", "en", or None to follow the browser's switch)."""
    if actor.user_id != user_id:
        raise Forbidden(N_("只能设置本人的界面语言"), code="not-yours")
    if locale is not None and locale not in i18n.LOCALES:
        raise Invalid(f"不支持的语言：{locale}（可选 {'、'.join(i18n.LOCALES)}）", code="bad-locale")
    user = queries.get_user(session, user_id)
    if user.locale != locale:
        user.locale = locale
        events.record(
            session, actor, LOCALE_SET, clock=clock, subject=("user", user.id), payload={"locale": locale or ""}
        )
    return user


def _staff(session: Session, user: User) -> list[Role]:
    return queries.roles_of(session, user.id)


def enable_user(session: Session, actor: Actor, *, user_id: str, clock: Clock) -> AccountRequest | None:
    """重新启用 — a staff account waits for a second person; the request is returned then."""
    from ggzy.entities import review

    policy.ensure(actor, policy.USER_MANAGE)
    user = queries.get_user(session, user_id)
    if user.is_active:
        raise Conflict(N_("该账户已处于启用状态"), code="already-active")
    if review.needs_review(actor, _staff(session, user)):
        return review.file(session, actor, kind=review.Kind.ENABLE, user=user, clock=clock)
    apply_enable(session, actor, user=user, clock=clock)
    return None


def apply_enable(session: Session, actor: Actor, *, user: User, clock: Clock) -> None:
    user.is_active = True
    events.record(session, actor, USER_ENABLED, clock=clock, subject=("user", user.id))


def reset_password(
    session: Session, actor: Actor, *, user_id: str, clock: Clock, ident: Identity, notifier: Notifier
) -> AccountRequest | None:
    """重置口令 — the person gets a one-time code and sets their own password; the administrator learns
    nothing usable. A staff account's reset waits for a second person (the request is returned then)."""
    from ggzy.entities import review

    policy.ensure(actor, policy.USER_MANAGE)
    user = queries.get_user(session, user_id)
    if user.id == actor.user_id:
        raise RuleViolation(N_("不能重置自己的口令，请在账户页修改"), code="self-reset")
    if review.needs_review(actor, _staff(session, user)):
        return review.file(session, actor, kind=review.Kind.RESET, user=user, clock=clock)
    events.record(session, actor, PASSWORD_RESET, clock=clock, subject=("user", user.id))
    review.apply_reset(session, actor, user=user, clock=clock, ident=ident, notifier=notifier)
    return None
