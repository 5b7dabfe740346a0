"""Builders: a small named world per test — an_org(...), a_user(...), signed_in(...)."""

from __future__ import annotations

import base64
import hashlib
import itertools
from dataclasses import dataclass

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from ggzy.core.actor import Actor, system
from ggzy.core.clock import Clock
from ggzy.core.roles import Role, Sector
from ggzy.entities import auth, credit_code, service, totp
from ggzy.entities.models import Organisation, User
from ggzy.entities.service import Identity
from ggzy.entities.states import ROLE_ORG_KINDS, OrgKind

PASSWORD = "Correct-Horse-42"
_n = itertools.count(1)
SYSTEM = system()


def a_credit_code(seed: str) -> str:
    digest = hashlib.sha256(seed.encode()).digest()
    return credit_code.make("91410700" + "".join(credit_code.ALPHABET[b % 31] for b in digest[:9]))


def an_org(
    session: Session,
    clock: Clock,
    *,
    kind: OrgKind = OrgKind.BIDDER,
    name: str | None = None,
    sector: Sector | None = None,
) -> Organisation:
    n = next(_n)
    name = name or f"测试{kind.label}{n}号有限公司"
    return service.register_organisation(
        session,
        SYSTEM,
        name=name,
        credit_code_text=a_credit_code(f"{name}/{n}"),
        kind=kind,
        sector=sector,
        clock=clock,
        contact_name=f"联系人{n}",
        contact_phone=f"1380000{n:04d}",
        address=f"新乡市测试路{n}号",
    )


def totp_secret_for(username: str) -> str:
    return base64.b32encode(hashlib.sha256(username.encode()).digest()[:20]).decode()


@dataclass
class Person:
    user: User
    role: Role
    password: str
    secret: str | None
    actor: Actor

    @property
    def username(self) -> str:
        return self.user.username


def a_user(
    session: Session,
    clock: Clock,
    ident: Identity,
    *,
    role: Role = Role.BIDDER,
    org: Organisation | None = None,
    sector: Sector | None = None,
    password: str = PASSWORD,
    with_totp: bool | None = None,
    username: str | None = None,
) -> Person:
    if org is None:
        kind = sorted(ROLE_ORG_KINDS[role])[0]
        org = an_org(session, clock, kind=kind)
    if role is Role.SECTOR_SUPERVISOR and sector is None:
        sector = Sector.HOUSING
    username = username or f"{role.value.replace('_', '')}{next(_n)}"
    user = service.create_user(
        session,
        SYSTEM,
        org_id=org.id,
        username=username,
        display_name=f"测试{role.label}",
        password=password,
        roles=[(role, sector.value if sector else "")],
        clock=clock,
        ident=ident,
        must_change_password=False,
    )
    n = next(_n)  # each person works from their own office's address
    actor = auth.actor_for(session, user, role, f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}")
    secret = None
    if with_totp if with_totp is not None else role.is_staff:
        secret = totp_secret_for(username)
        auth.enrol_totp(session, actor, secret=secret, code=totp.code_at(secret, clock.now()), clock=clock, ident=ident)
        user.totp_last_step = None
    session.flush()
    return Person(user, role, password, secret, actor)


def signed_in(client: TestClient, person: Person, clock: Clock) -> TestClient:
    """Sign in through the real pages (password, then the second factor when the person has one)."""
    page = client.get("/login")
    token = csrf_from(page.text)
    r = client.post("/login", data={"username": person.username, "password": person.password, "csrf_token": token})
    assert r.status_code == 303, r.text
    if person.secret:
        page = client.get("/login/otp")
        r = client.post(
            "/login/otp", data={"code": totp.code_at(person.secret, clock.now()), "csrf_token": csrf_from(page.text)}
        )
        assert r.status_code == 303, r.text
    return client


def csrf_from(html: str) -> str:
    marker = 'name="csrf_token" value="'
    i = html.index(marker) + len(marker)
    return html[i : html.index('"', i)]
