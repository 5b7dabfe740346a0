"""主体库查询 — read-only lookups for pages, the API and other domains."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ggzy.core.errors import NotFound
from ggzy.core.roles import Role
from ggzy.entities.models import ApiToken, Organisation, RoleGrant, User


def get_org(session: Session, org_id: str) -> Organisation:
    org = session.get(Organisation, org_id)
    if org is None:
        raise NotFound("未找到该市场主体")
    return org


def find_org_by_code(session: Session, credit_code: str) -> Organisation | None:
    return session.execute(select(Organisation).where(Organisation.credit_code == credit_code)).scalar()


def list_orgs(
    session: Session, *, kind: str | None = None, q: str | None = None, limit: int = 50, offset: int = 0
) -> tuple[list[Organisation], int]:
    stmt = select(Organisation)
    if kind:
        stmt = stmt.where(Organisation.kind == kind)
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.where(or_(Organisation.name.like(like), Organisation.credit_code.like(like)))
    total = session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    rows = session.execute(stmt.order_by(Organisation.name).limit(limit).offset(offset)).scalars().all()
    return list(rows), total


def get_user(session: Session, user_id: str) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("未找到该用户")
    return user


def find_user(session: Session, username: str) -> User | None:
    return session.execute(select(User).where(User.username == username.strip().lower())).scalar()


def list_users(session: Session, *, limit: int = 200, offset: int = 0) -> list[User]:
    return list(session.execute(select(User).order_by(User.username).limit(limit).offset(offset)).scalars())


def find_users(
    session: Session, *, q: str = "", role: str = "", limit: int = 25, offset: int = 0
) -> tuple[list[User], int]:
    """The admin's user list: by user name, person's name or organisation name (a substring, wildcards taken
    literally), optionally one role; the page and the total."""
    stmt = select(User)
    if q.strip():
        like = "%" + q.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        orgs = select(Organisation.id).where(Organisation.name.like(like, escape="\\"))
        stmt = stmt.where(
            or_(
                User.username.like(like.lower(), escape="\\"),
                User.display_name.like(like, escape="\\"),
                User.org_id.in_(orgs),
            )
        )
    if role:
        stmt = stmt.where(User.id.in_(select(RoleGrant.user_id).where(RoleGrant.role == role)))
    total = session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    rows = session.execute(stmt.order_by(User.username).limit(limit).offset(offset)).scalars().all()
    return list(rows), total


def grants_of(session: Session, user_id: str) -> list[RoleGrant]:
    return list(session.execute(select(RoleGrant).where(RoleGrant.user_id == user_id).order_by(RoleGrant.id)).scalars())


def roles_of(session: Session, user_id: str) -> list[Role]:
    seen: dict[Role, None] = {}
    for g in grants_of(session, user_id):
        seen.setdefault(Role(g.role), None)
    return list(seen)


def sectors_of(session: Session, user_id: str) -> frozenset[str]:
    return frozenset(
        g.sector for g in grants_of(session, user_id) if g.role == Role.SECTOR_SUPERVISOR.value and g.sector
    )


def tokens_of(session: Session, user_id: str) -> list[ApiToken]:
    return list(
        session.execute(
            select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.created_at.desc())
        ).scalars()
    )


ACCOUNT_HISTORY_TYPES = (
    "auth.totp_enrolled",
    "auth.totp_replaced",
    "auth.password_changed",
    "auth.password_set_with_code",
    "entities.password_reset",
    "entities.one_time_code_sent",
    "entities.account_request_filed",
    "entities.account_request_approved",
    "entities.account_request_rejected",
    "entities.user_unlocked",
    "entities.user_enabled",
    "entities.role_granted",
)


def account_history(session: Session, user_id: str, *, limit: int = 15) -> list[tuple[datetime, str, str | None]]:
    """What was done to one account's security, newest first: (when, event type, address)."""
    from ggzy.core.events import Event

    rows = session.execute(
        select(Event.at, Event.type, Event.ip)
        .where(Event.subject_type == "user", Event.subject_id == user_id, Event.type.in_(ACCOUNT_HISTORY_TYPES))
        .order_by(Event.seq.desc())
        .limit(limit)
    ).all()
    return [(r.at, r.type, r.ip) for r in rows]
