"""委托代理: an agency acts for a tenderer only under an active appointment, and is refused citing it otherwise."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ggzy.bidding.keys import KeyEnv
from ggzy.core import policy
from ggzy.core.clock import FixedClock
from ggzy.core.errors import Conflict, Forbidden, Invalid, NotFound, RuleViolation
from ggzy.core.events import Event
from ggzy.core.files import FileStore
from ggzy.core.roles import Role, Sector
from ggzy.entities.service import Identity
from ggzy.entities.states import OrgKind
from ggzy.projects import delegation, publication, queries, workbench
from ggzy.projects import service as registration
from ggzy.projects.models import Appointment, Project
from ggzy.rules.catalog import Category
from ggzy.rules.procedures import Method
from tests.builders import Person, a_user, an_org
from tests.trade import World, a_project, a_world


@pytest.fixture
def world(session: Session, clock: FixedClock, ident: Identity, opening_env: KeyEnv) -> World:
    return a_world(session, clock, ident, opening_env, bidders=1)


@pytest.fixture
def agent(session: Session, clock: FixedClock, ident: Identity) -> Person:
    return a_user(session, clock, ident, role=Role.AGENCY, org=an_org(session, clock, kind=OrgKind.AGENCY))


def agreement(files: FileStore, name: str = "委托代理协议.pdf") -> delegation.AgreementFile:
    return delegation.AgreementFile(name, files.save("appointments", [b"%PDF-1.4 agreement"], max_bytes=1 << 20))


def for_a_year(
    session: Session, clock: FixedClock, world: World, agent: Person, files: FileStore, **kw: object
) -> Appointment:
    today = clock.now().date()
    args: dict[str, object] = {
        "agency_org_id": agent.user.org_id,
        "agreement_ref": "XXDL-2026-001",
        "agreement": agreement(files),
        "clock": clock,
        "categories": [Category.CONSTRUCTION.value],
        "valid_from": today,
        "valid_until": today + dt.timedelta(days=364),
        **kw,
    }
    return delegation.appoint(session, world.tenderer.actor, **args)  # type: ignore[arg-type]


def register_as(session: Session, clock: FixedClock, world: World, who: Person, **kw: object) -> Project:
    args: dict[str, object] = {
        "name": "新乡市代理登记的道路工程",
        "approval_code": "2026-410700-48-01-000077",
        "category": Category.CONSTRUCTION,
        "sector": Sector.HOUSING,
        "method": Method.OPEN_TENDER,
        "state_funds_share": Decimal(100),
        "state_funds_amount": Decimal("5000000"),
        "tenderer_org_id": world.tenderer.user.org_id,
        "agency_org_id": who.user.org_id,
        "sections": [registration.SectionIn("一标段", Decimal("5000000.00"))],
        "clock": clock,
        **kw,
    }
    return registration.register(session, who.actor, **args)  # type: ignore[arg-type]


def count(session: Session, model: type) -> int:
    return session.execute(select(func.count()).select_from(model)).scalar_one()


def test_an_agency_without_an_appointment_is_refused_citing_it_and_nothing_is_stored(
    session: Session, clock: FixedClock, world: World, agent: Person
) -> None:
    before = (count(session, Project), count(session, Event))
    with pytest.raises(Forbidden, match=r"没有招标人（采购人）有效的委托代理.*第15条.*第20条") as info:
        register_as(session, clock, world, agent)
    assert info.value.code == "no-appointment"
    assert (count(session, Project), count(session, Event)) == before
    assert delegation.may_register_for(session, agent.actor, clock=clock) == []


def test_a_period_appointment_lets_the_agency_register_and_act_within_its_scope_until_revoked(
    session: Session, clock: FixedClock, world: World, agent: Person, files: FileStore, opening_env: KeyEnv
) -> None:
    a = for_a_year(session, clock, world, agent, files)
    assert delegation.may_register_for(session, agent.actor, clock=clock) == [world.tenderer.user.org_id]
    with pytest.raises(Forbidden, match="委托代理"):  # outside the scope: goods are not entrusted
        register_as(session, clock, world, agent, category=Category.GP_GOODS, method=Method.OPEN_TENDER)
    p = register_as(session, clock, world, agent)
    assert queries.subject_of(p).appointment == "XXDL-2026-001"
    registration.accept(session, world.operator.actor, project_id=p.id, clock=clock)
    section = queries.sections_of(session, p.id)[0]
    publication.ensure_may_publish(session, agent.actor, section_id=section.id)  # the agency may publish
    assert any(i.title.startswith("发布招标公告") for i in workbench.due_items(session, agent.actor, clock.now()))
    delegation.revoke(session, world.tenderer.actor, appointment_id=a.id, reason="代理合同解除", clock=clock)
    with pytest.raises(Forbidden, match="委托代理") as info:
        publication.ensure_may_publish(session, agent.actor, section_id=section.id)
    assert info.value.code == "no-appointment"
    assert workbench.due_items(session, agent.actor, clock.now()) == []  # nothing it may do is offered
    with pytest.raises(Forbidden, match="委托代理"):
        registration.terminate(session, agent.actor, project_id=p.id, reason="代理终止", clock=clock)
    with pytest.raises(Forbidden, match="委托代理"):  # a later trade step asks the same subject
        policy.ensure(agent.actor, policy.EXPERT_DRAW_REQUEST, queries.subject_of(p))
    # the agency still reads what it is named on; the tenderer acts itself
    assert policy.can(agent.actor, policy.PROJECT_READ, queries.subject_of(p))
    publication.ensure_may_publish(session, world.tenderer.actor, section_id=section.id)
    with pytest.raises(Conflict, match="已撤销"):
        delegation.revoke(session, world.tenderer.actor, appointment_id=a.id, reason="再撤", clock=clock)


def test_a_period_appointment_covers_projects_registered_within_it(
    session: Session, clock: FixedClock, world: World, agent: Person, files: FileStore
) -> None:
    for_a_year(session, clock, world, agent, files)
    p = register_as(session, clock, world, agent)
    clock.advance(dt.timedelta(days=400))  # the period ended; the project registered within it stays covered
    assert queries.subject_of(p).appointment is not None
    with pytest.raises(Forbidden, match="委托代理"):  # but no new project
        register_as(session, clock, world, agent, approval_code="2026-410700-48-01-000078")


def test_a_project_appointment_names_the_agency_and_is_the_only_one(
    session: Session, clock: FixedClock, world: World, agent: Person, files: FileStore, ident: Identity
) -> None:
    p = a_project(session, clock, world, accept=False)
    assert p.agency_org_id is None
    a = delegation.appoint(
        session,
        world.tenderer.actor,
        agency_org_id=agent.user.org_id,
        agreement_ref="XXDL-2026-P01",
        agreement=agreement(files),
        clock=clock,
        project_id=p.id,
    )
    assert p.agency_org_id == agent.user.org_id and a.project_id == p.id
    registration.return_registration(session, world.operator.actor, project_id=p.id, reason="补充材料", clock=clock)
    registration.resubmit(session, agent.actor, project_id=p.id, clock=clock)
    other = a_user(session, clock, ident, role=Role.AGENCY, org=an_org(session, clock, kind=OrgKind.AGENCY))
    with pytest.raises(Conflict, match="须先撤销"):
        delegation.appoint(
            session,
            world.tenderer.actor,
            agency_org_id=other.user.org_id,
            agreement_ref="XXDL-2026-P02",
            agreement=agreement(files),
            clock=clock,
            project_id=p.id,
        )
    delegation.revoke(session, world.tenderer.actor, appointment_id=a.id, reason="更换代理机构", clock=clock)
    delegation.appoint(
        session,
        world.tenderer.actor,
        agency_org_id=other.user.org_id,
        agreement_ref="XXDL-2026-P02",
        agreement=agreement(files),
        clock=clock,
        project_id=p.id,
    )
    assert p.agency_org_id == other.user.org_id
    with pytest.raises(Forbidden, match="无权"):  # the former agency is no longer named on the project
        registration.terminate(session, agent.actor, project_id=p.id, reason="x", clock=clock)


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [
        ({"agreement_ref": " "}, Invalid, "协议编号"),
        ({"agreement": None}, Invalid, "协议文件"),
        ({"categories": []}, Invalid, "委托范围"),
        ({"categories": ["land"]}, Invalid, "可委托"),
        ({"valid_until": None}, Invalid, "起止日期"),
        ({"valid_from": dt.date(2026, 12, 1), "valid_until": dt.date(2026, 11, 1)}, Invalid, "早于开始"),
        ({"valid_from": dt.date(2026, 11, 1), "valid_until": dt.date(2029, 11, 1)}, RuleViolation, "3年"),
        ({"valid_from": dt.date(9998, 1, 1), "valid_until": dt.date(9999, 12, 31)}, RuleViolation, "3年"),
    ],
)
def test_malformed_appointments_are_refused_and_store_nothing(
    session: Session,
    clock: FixedClock,
    world: World,
    agent: Person,
    files: FileStore,
    changes: dict,
    error: type,
    message: str,
) -> None:
    before = count(session, Appointment)
    with pytest.raises(error, match=message):
        for_a_year(session, clock, world, agent, files, **changes)
    assert count(session, Appointment) == before


def test_only_the_tenderer_appoints_and_only_an_agency_is_appointed(
    session: Session, clock: FixedClock, world: World, agent: Person, files: FileStore
) -> None:
    with pytest.raises(Forbidden):
        delegation.appoint(
            session,
            agent.actor,
            agency_org_id=agent.user.org_id,
            agreement_ref="XXDL-1",
            agreement=agreement(files),
            clock=clock,
            categories=["construction"],
            valid_from=clock.now().date(),
            valid_until=clock.now().date(),
        )
    with pytest.raises(Invalid, match="不是登记的招标代理机构"):
        for_a_year(session, clock, world, agent, files, agency_org_id=world.bidders[0].user.org_id)
    a = for_a_year(session, clock, world, agent, files)
    with pytest.raises(NotFound):  # a bidder does not even see it
        delegation.get(session, world.bidders[0].actor, a.id)
    assert delegation.get(session, agent.actor, a.id) is a  # the agency reads its appointment
    with pytest.raises(Forbidden):
        delegation.revoke(session, agent.actor, appointment_id=a.id, reason="x", clock=clock)


def test_the_tenderer_sees_what_its_agency_did_in_its_name(
    session: Session, clock: FixedClock, world: World, agent: Person, files: FileStore
) -> None:
    for_a_year(session, clock, world, agent, files)
    p = register_as(session, clock, world, agent)
    a_project(session, clock, world, accept=False)  # the tenderer's own registration is not the agency's
    acts = delegation.acts_in_name_of(session, world.tenderer.actor)
    assert [(x.type, x.project_code, x.agency_org_id) for x in acts] == [
        ("projects.registered", p.code, agent.user.org_id)
    ]
    with pytest.raises(Forbidden):  # another organisation's list is not the agency's to read
        delegation.acts_in_name_of(session, agent.actor, tenderer_org_id=world.tenderer.user.org_id)


def test_supervision_lists_agencies_acting_for_many_tenderers_of_one_sector(
    session: Session, clock: FixedClock, world: World, agent: Person, files: FileStore, ident: Identity
) -> None:
    today = clock.now().date()
    for i in range(3):
        t = a_user(session, clock, ident, role=Role.TENDERER, org=an_org(session, clock, kind=OrgKind.TENDERER))
        delegation.appoint(
            session,
            t.actor,
            agency_org_id=agent.user.org_id,
            agreement_ref=f"XXDL-{i}",
            agreement=agreement(files),
            clock=clock,
            categories=["construction"],
            valid_from=today,
            valid_until=today,
        )
        register_as(session, clock, world, agent, tenderer_org_id=t.user.org_id, approval_code=f"2026-4107-00-0{i}")
    spread = delegation.agency_spread(session, world.supervisor.actor, threshold=3)
    assert [(s.agency_org_id, s.sector, len(s.tenderers)) for s in spread] == [(agent.user.org_id, "housing", 3)]
    assert delegation.agency_spread(session, world.supervisor.actor, threshold=4) == []
    assert delegation.agency_spread(session, world.supervisor.actor) == []  # the rule's 5
    water = a_user(session, clock, ident, role=Role.SECTOR_SUPERVISOR, sector=Sector.WATER)
    assert delegation.agency_spread(session, water.actor, threshold=1) == []
    with pytest.raises(Forbidden):
        delegation.agency_spread(session, agent.actor)
