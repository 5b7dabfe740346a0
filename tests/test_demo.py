"""The demo city: who is in it, every role has a user, and loading it twice creates nothing twice."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ggzy import demo
from ggzy.core.clock import FixedClock
from ggzy.core.roles import GRANTABLE, Role
from ggzy.entities.models import Organisation, RoleGrant, User
from ggzy.entities.service import Identity


def test_the_demo_city_has_what_the_issue_asks_and_loads_once(
    session: Session, clock: FixedClock, ident: Identity
) -> None:
    assert demo.is_empty(session)
    report = demo.build(session, clock=clock, ident=ident, password_for=lambda u: "Demo-City-Pass-26")
    kinds = Counter(session.execute(select(Organisation.kind)).scalars())
    assert kinds["agency"] == 2 and kinds["tenderer"] == 6 and kinds["bidder"] == 24 and kinds["expert_employer"] == 30
    sectors = set(session.execute(select(Organisation.sector).where(Organisation.sector.is_not(None))).scalars())
    assert sectors == {"housing", "transport", "water", "finance"}
    roles = set(session.execute(select(RoleGrant.role)).scalars())
    assert roles == {r.value for r in GRANTABLE}
    staff = [lg for lg in report.logins if lg.role.is_staff]
    assert staff and all(lg.totp_secret for lg in staff)
    assert all(lg.totp_secret is None for lg in report.logins if not lg.role.is_staff)
    assert "动态口令" in demo.format_logins(report.logins)
    counts = (
        session.execute(select(func.count()).select_from(Organisation)).scalar(),
        session.execute(select(func.count()).select_from(User)).scalar(),
    )
    again = demo.build(session, clock=clock, ident=ident)
    assert (again.created_orgs, again.created_users, again.logins) == (0, 0, [])
    assert counts == (
        session.execute(select(func.count()).select_from(Organisation)).scalar(),
        session.execute(select(func.count()).select_from(User)).scalar(),
    )
    assert not demo.is_empty(session)
    sector_users = session.execute(select(RoleGrant.sector).where(RoleGrant.role == Role.SECTOR_SUPERVISOR.value))
    assert set(sector_users.scalars()) == {"housing", "transport", "water", "finance"}
