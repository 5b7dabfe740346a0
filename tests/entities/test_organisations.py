"""主体库: registering and updating market entities, refusals that change nothing, one event per change."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ggzy.core.clock import FixedClock
from ggzy.core.errors import Conflict, Forbidden, Invalid
from ggzy.core.events import Event
from ggzy.core.roles import Role, Sector
from ggzy.entities import service
from ggzy.entities.models import Organisation
from ggzy.entities.service import Identity
from ggzy.entities.states import OrgKind
from tests.builders import SYSTEM, a_credit_code, a_user, an_org


def count(session: Session, model: type) -> int:
    return session.execute(select(func.count()).select_from(model)).scalar_one()


def test_registering_records_the_entity_and_one_event(session: Session, clock: FixedClock) -> None:
    before = count(session, Event)
    org = service.register_organisation(
        session,
        SYSTEM,
        name="新乡市测试建设有限公司",
        credit_code_text=a_credit_code("x1").lower(),
        kind=OrgKind.BIDDER,
        clock=clock,
        contact_email="a@b.cn",
    )
    assert org.credit_code == a_credit_code("x1")
    assert org.region == "410700"
    assert count(session, Event) == before + 1
    ev = session.execute(select(Event).order_by(Event.seq.desc()).limit(1)).scalar_one()
    assert (ev.type, ev.subject_id) == ("entities.organisation_registered", org.id)


@pytest.mark.parametrize(
    ("code", "kind", "sector", "error", "message"),
    [
        ("91410700ABCDEFGH1X", OrgKind.BIDDER, None, Invalid, "校验位"),
        ("914107", OrgKind.BIDDER, None, Invalid, "18位"),
        (None, OrgKind.BIDDER, Sector.HOUSING, Invalid, "只有政府机关"),
    ],
)
def test_bad_registrations_are_refused_and_store_nothing(
    session: Session,
    clock: FixedClock,
    code: str | None,
    kind: OrgKind,
    sector: Sector | None,
    error: type[Exception],
    message: str,
) -> None:
    before = (count(session, Organisation), count(session, Event))
    with pytest.raises(error, match=message):
        service.register_organisation(
            session,
            SYSTEM,
            name="新乡市错误登记有限公司",
            credit_code_text=code or a_credit_code("y"),
            kind=kind,
            sector=sector,
            clock=clock,
        )
    assert (count(session, Organisation), count(session, Event)) == before


def test_duplicate_codes_and_names_are_refused(session: Session, clock: FixedClock) -> None:
    org = an_org(session, clock)
    with pytest.raises(Conflict, match="已登记"):
        service.register_organisation(
            session,
            SYSTEM,
            name="另一个名称有限公司",
            credit_code_text=org.credit_code,
            kind=OrgKind.BIDDER,
            clock=clock,
        )
    with pytest.raises(Conflict, match="名称"):
        service.register_organisation(
            session, SYSTEM, name=org.name, credit_code_text=a_credit_code("z"), kind=OrgKind.BIDDER, clock=clock
        )


def test_only_the_centre_and_the_administrator_register(session: Session, clock: FixedClock, ident: Identity) -> None:
    bidder = a_user(session, clock, ident, role=Role.BIDDER)
    with pytest.raises(Forbidden):
        service.register_organisation(
            session,
            bidder.actor,
            name="自行登记有限公司",
            credit_code_text=a_credit_code("w"),
            kind=OrgKind.BIDDER,
            clock=clock,
        )
    operator = a_user(session, clock, ident, role=Role.OPERATOR)
    org = service.register_organisation(
        session,
        operator.actor,
        name="窗口登记有限公司",
        credit_code_text=a_credit_code("v"),
        kind=OrgKind.BIDDER,
        clock=clock,
    )
    assert org.name == "窗口登记有限公司"


def test_a_bidder_updates_its_own_contacts_only(session: Session, clock: FixedClock, ident: Identity) -> None:
    bidder = a_user(session, clock, ident, role=Role.BIDDER)
    own = session.get(Organisation, bidder.user.org_id)
    assert own is not None
    service.update_organisation(
        session, bidder.actor, org_id=own.id, changes={"contact_phone": "0373-1234567"}, clock=clock
    )
    assert own.contact_phone == "0373-1234567"
    other = an_org(session, clock)
    with pytest.raises(Forbidden):
        service.update_organisation(session, bidder.actor, org_id=other.id, changes={"address": "x"}, clock=clock)
    with pytest.raises(Invalid, match="不能修改"):
        service.update_organisation(session, bidder.actor, org_id=own.id, changes={"credit_code": "x"}, clock=clock)
    with pytest.raises(Invalid, match="邮箱"):
        service.update_organisation(
            session, bidder.actor, org_id=own.id, changes={"contact_email": "nope"}, clock=clock
        )
