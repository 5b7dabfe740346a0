"""Accounts and roles: who may hold what, password policy, separation of duties."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from ggzy.core.clock import FixedClock
from ggzy.core.errors import Conflict, Forbidden, Invalid, RuleViolation
from ggzy.core.roles import Role, Sector
from ggzy.entities import auth, queries, service
from ggzy.entities.passwords import PasswordPolicy, generate
from ggzy.entities.service import Identity
from ggzy.entities.states import OrgKind
from tests.builders import PASSWORD, SYSTEM, a_user, an_org


def create(session: Session, clock: FixedClock, ident: Identity, **kw: object) -> object:
    defaults: dict[str, object] = {"username": "newperson", "display_name": "新用户", "password": PASSWORD}
    return service.create_user(session, SYSTEM, clock=clock, ident=ident, **{**defaults, **kw})  # type: ignore[arg-type]


def test_a_role_needs_the_right_kind_of_organisation(session: Session, clock: FixedClock, ident: Identity) -> None:
    bidder_org = an_org(session, clock, kind=OrgKind.BIDDER)
    with pytest.raises(RuleViolation, match="不能担任「交易中心工作人员」"):
        create(session, clock, ident, org_id=bidder_org.id, roles=[(Role.OPERATOR, "")])


def test_admin_auditor_and_inspector_are_held_alone(session: Session, clock: FixedClock, ident: Identity) -> None:
    gov = an_org(session, clock, kind=OrgKind.GOVERNMENT)
    with pytest.raises(RuleViolation, match="单独持有"):
        create(session, clock, ident, org_id=gov.id, roles=[(Role.ADMIN, ""), (Role.OPERATOR, "")])
    auditor = a_user(session, clock, ident, role=Role.AUDITOR, org=gov)
    with pytest.raises(RuleViolation, match="单独持有"):
        service.grant_role(session, SYSTEM, user_id=auditor.user.id, role=Role.SUPERVISOR, clock=clock)


def test_sector_supervisors_are_granted_per_sector(session: Session, clock: FixedClock, ident: Identity) -> None:
    gov = an_org(session, clock, kind=OrgKind.GOVERNMENT)
    with pytest.raises(Invalid, match="须指定所监管的行业"):
        create(session, clock, ident, org_id=gov.id, roles=[(Role.SECTOR_SUPERVISOR, "")])
    person = a_user(session, clock, ident, role=Role.SECTOR_SUPERVISOR, org=gov, sector=Sector.WATER)
    service.grant_role(
        session, SYSTEM, user_id=person.user.id, role=Role.SECTOR_SUPERVISOR, sector="transport", clock=clock
    )
    assert queries.sectors_of(session, person.user.id) == {"water", "transport"}
    with pytest.raises(Conflict):
        service.grant_role(
            session, SYSTEM, user_id=person.user.id, role=Role.SECTOR_SUPERVISOR, sector="water", clock=clock
        )


@pytest.mark.parametrize(
    ("password", "staff", "reason"),
    [
        ("short", False, "长度至少12位"),
        ("x" * 129, False, "不超过128位"),
        ("newperson-2026-ok", False, "不得包含用户名"),
        ("1q2w3e4r", False, "长度至少12位"),
        ("aaaaaaaaaaaaaaaa", False, "过于简单"),
        ("alllowercaseletters", True, "至少3类"),
    ],
)
def test_weak_passwords_are_refused_with_reasons(password: str, staff: bool, reason: str) -> None:
    with pytest.raises(Invalid, match=reason):
        PasswordPolicy().check(password, username="newperson", staff=staff)


def test_generated_one_time_passwords_satisfy_the_staff_policy() -> None:
    for _ in range(50):
        PasswordPolicy().check(generate(), username="admin", staff=True)


def test_usernames_are_checked_and_unique(session: Session, clock: FixedClock, ident: Identity) -> None:
    org = an_org(session, clock)
    with pytest.raises(Invalid, match="用户名"):
        create(session, clock, ident, org_id=org.id, username="1bad name", roles=[(Role.BIDDER, "")])
    create(session, clock, ident, org_id=org.id, roles=[(Role.BIDDER, "")])
    with pytest.raises(Conflict, match="已被使用"):
        create(session, clock, ident, org_id=org.id, username="NewPerson", roles=[(Role.BIDDER, "")])


def test_only_the_administrator_opens_accounts(session: Session, clock: FixedClock, ident: Identity) -> None:
    operator = a_user(session, clock, ident, role=Role.OPERATOR)
    with pytest.raises(Forbidden):
        service.create_user(
            session,
            operator.actor,
            org_id=operator.user.org_id,
            username="sneaky",
            display_name="x",
            password=PASSWORD,
            roles=[(Role.OPERATOR, "")],
            clock=clock,
            ident=ident,
        )


def test_disabling_or_revoking_ends_every_session_and_token(
    session: Session, clock: FixedClock, ident: Identity
) -> None:
    bidder = a_user(session, clock, ident, role=Role.BIDDER)
    raw, _ = auth.issue_token(session, bidder.actor, name="对接", clock=clock, ident=ident)
    auth.start_session(session, user=bidder.user, role=Role.BIDDER, ip=None, mfa_passed=True, clock=clock)
    assert auth.resolve_token(session, raw=raw, clock=clock) is not None
    service.revoke_role(session, SYSTEM, user_id=bidder.user.id, role=Role.BIDDER, clock=clock)
    assert auth.resolve_token(session, raw=raw, clock=clock) is None
    admin = a_user(session, clock, ident, role=Role.ADMIN)
    with pytest.raises(RuleViolation, match="自己"):
        service.disable_user(session, admin.actor, user_id=admin.user.id, clock=clock)
