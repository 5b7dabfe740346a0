"""双人复核 — the administrator proposes, a second person disposes (管办分离, 等保 8.1.4.2 / 8.1.5 三权分立).

The platform administrator runs accounts but must never become anybody. Two rules make that true:

- **No usable password passes through the administrator.** A new account, and a reset one, gets a
  one-time code sent to the person (`ggzy/core/notify.py`, SMS); the person sets their own password
  with it (`set_password_with_code`). The administrator neither sees nor chooses it.
- **Staff and supervisory accounts change only after a second person approves.** Opening one,
  granting a staff role (elevation), re-enabling one and resetting one each become an
  `AccountRequest`; it takes effect when the supervision office (综合监管/公管办) approves it, and
  never by the person who asked, nor by the person it concerns. Accounts of market entities
  (bidders, tenderers, agencies, experts) take effect at once: they carry no power over others.

Pending requests are listed on the reviewer's workbench and on the affected person's account page;
every request, approval and refusal is one event in the log. The platform itself (`SYSTEM`: the
demo, the CLI) acts without review: it is set-up, not a person.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from ggzy.core import events, policy
from ggzy.core.actor import Actor
from ggzy.core.clock import Clock
from ggzy.core.errors import Conflict, Forbidden, NotFound, RuleViolation
from ggzy.core.i18n import N_
from ggzy.core.ids import new_id, new_token
from ggzy.core.notify import Channel, Notifier
from ggzy.core.roles import Role
from ggzy.entities import queries, throttle
from ggzy.entities.models import AccountRequest, User
from ggzy.entities.service import Identity, end_all_access

REQUEST_FILED = events.event_type("entities.account_request_filed", N_("提出账户变更，待第二人复核"))
REQUEST_APPROVED = events.event_type("entities.account_request_approved", N_("复核同意账户变更"))
REQUEST_REJECTED = events.event_type("entities.account_request_rejected", N_("复核不同意账户变更"))
CODE_SENT = events.event_type("entities.one_time_code_sent", N_("向本人发送设置口令的一次性验证码"))


class Kind(StrEnum):
    CREATE = "create"
    GRANT = "grant"
    ENABLE = "enable"
    RESET = "reset"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]


KIND_LABELS = {
    Kind.CREATE: N_("开设工作人员账户"),
    Kind.GRANT: N_("授予工作人员角色（提权）"),
    Kind.ENABLE: N_("重新启用账户"),
    Kind.RESET: N_("重置口令"),
}
STATUS_LABELS = {"pending": N_("待复核"), "approved": N_("已同意并生效"), "rejected": N_("未同意")}


def needs_review(actor: Actor, roles: list[Role]) -> bool:
    """Staff and supervisory accounts need a second person, unless the platform itself acts."""
    return actor.role is not Role.SYSTEM and any(r.is_staff for r in roles)


def file(
    session: Session,
    actor: Actor,
    *,
    kind: Kind,
    user: User,
    clock: Clock,
    role: Role | None = None,
    sector: str = "",
) -> AccountRequest:
    """Record the administrator's request; nothing changes for the account until it is approved."""
    policy.ensure(actor, policy.USER_MANAGE)
    assert actor.user_id is not None
    open_same = session.execute(
        select(AccountRequest.id).where(
            AccountRequest.user_id == user.id, AccountRequest.kind == kind.value, AccountRequest.status == "pending"
        )
    ).first()
    if open_same is not None:
        raise Conflict(f"该账户已有一项「{kind.label}」待复核", code="request-pending")
    req = AccountRequest(
        id=new_id(),
        kind=kind.value,
        user_id=user.id,
        role=role.value if role else None,
        sector=sector or "",
        status="pending",
        requested_by=actor.user_id,
        requested_at=clock.now(),
    )
    session.add(req)
    session.flush()
    events.record(
        session,
        actor,
        REQUEST_FILED,
        clock=clock,
        subject=("user", user.id),
        refs={"account_request": req.id},
        payload={"kind": kind.value, "role": req.role, "sector": req.sector or None},
    )
    return req


def pending(session: Session) -> list[AccountRequest]:
    return list(
        session.execute(
            select(AccountRequest).where(AccountRequest.status == "pending").order_by(AccountRequest.requested_at)
        ).scalars()
    )


def about(session: Session, user_id: str, *, limit: int = 20) -> list[AccountRequest]:
    """The requests that concern one person, newest first (their account page shows them)."""
    return list(
        session.execute(
            select(AccountRequest)
            .where(AccountRequest.user_id == user_id)
            .order_by(AccountRequest.requested_at.desc())
            .limit(limit)
        ).scalars()
    )


def _open(session: Session, actor: Actor, request_id: str) -> AccountRequest:
    policy.ensure(actor, policy.ACCOUNT_REVIEW)
    req = session.get(AccountRequest, request_id)
    if req is None:
        raise NotFound(N_("未找到该复核事项"))
    if req.status != "pending":
        raise RuleViolation(N_("该事项已复核，不能再次处理"), code="already-decided")
    if actor.user_id in (req.requested_by, req.user_id):
        raise Forbidden(N_("提出变更的人和被变更账户的本人都不能复核该事项（双人复核）"), code="same-person")
    return req


def approve(
    session: Session, actor: Actor, *, request_id: str, clock: Clock, ident: Identity, notifier: Notifier
) -> AccountRequest:
    """复核同意 — the change takes effect now."""
    from ggzy.entities import service

    req = _open(session, actor, request_id)
    user = queries.get_user(session, req.user_id)
    kind = Kind(req.kind)
    req.status, req.decided_by, req.decided_at = "approved", actor.user_id, clock.now()
    events.record(
        session,
        actor,
        REQUEST_APPROVED,
        clock=clock,
        subject=("user", user.id),
        refs={"account_request": req.id},
        payload={"kind": kind.value, "role": req.role, "sector": req.sector or None},
    )
    if kind is Kind.CREATE:
        user.is_active = True
        send_code(session, actor, user=user, clock=clock, ident=ident, notifier=notifier)
    elif kind is Kind.GRANT:
        assert req.role is not None
        service.apply_grant(session, actor, user=user, role=Role(req.role), sector=req.sector, clock=clock)
    elif kind is Kind.ENABLE:
        service.apply_enable(session, actor, user=user, clock=clock)
    else:
        apply_reset(session, actor, user=user, clock=clock, ident=ident, notifier=notifier)
    return req


def reject(session: Session, actor: Actor, *, request_id: str, clock: Clock) -> AccountRequest:
    req = _open(session, actor, request_id)
    req.status, req.decided_by, req.decided_at = "rejected", actor.user_id, clock.now()
    events.record(
        session,
        actor,
        REQUEST_REJECTED,
        clock=clock,
        subject=("user", req.user_id),
        refs={"account_request": req.id},
        payload={"kind": req.kind},
    )
    return req


# --- one-time codes ------------------------------------------------------------------------------


def new_code() -> str:
    return f"{secrets.randbelow(10**8):08d}"


def send_code(session: Session, actor: Actor, *, user: User, clock: Clock, ident: Identity, notifier: Notifier) -> None:
    """Send the person (and only the person) a one-time code to set their own password."""
    code = new_code()
    now = clock.now()
    user.reset_code_hash = ident.hasher.hash(code)
    user.reset_code_expires_at = now + ident.reset_code_life
    until = throttle.local_time(user.reset_code_expires_at)
    notifier.send(
        user.id,
        Channel.SMS,
        f"{ident.issuer}：设置登录口令",
        f"您的用户名 {user.username}，一次性验证码 {code}，{until}（北京时间）前有效。"
        "请在登录页点「凭验证码设置口令」自行设置口令。平台工作人员不会向您索要此验证码。",
    )
    events.record(
        session,
        actor,
        CODE_SENT,
        clock=clock,
        subject=("user", user.id),
        payload={"channel": Channel.SMS.value, "expires_at": user.reset_code_expires_at},
    )


def apply_reset(
    session: Session, actor: Actor, *, user: User, clock: Clock, ident: Identity, notifier: Notifier
) -> None:
    """The old password stops working, every session and token ends, and the person gets a code."""
    user.password_hash = ident.hasher.hash(new_token())  # random and never shown: nobody can use it
    user.password_changed_at = clock.now()
    user.must_change_password = False
    end_all_access(session, user_id=user.id, clock=clock)
    send_code(session, actor, user=user, clock=clock, ident=ident, notifier=notifier)


def unusable_password(ident: Identity) -> str:
    return ident.hasher.hash(new_token())


def code_is_live(user: User, now: datetime) -> bool:
    return user.reset_code_hash is not None and (
        user.reset_code_expires_at is not None and user.reset_code_expires_at > now
    )
