"""受理登记: the catalog decides the procedure; the centre accepts or returns; refusals store nothing."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ggzy.bidding.keys import KeyEnv
from ggzy.core.clock import FixedClock
from ggzy.core.errors import Forbidden, Invalid, RuleViolation
from ggzy.core.events import Event
from ggzy.core.files import FileStore
from ggzy.core.roles import Role, Sector
from ggzy.entities.service import Identity
from ggzy.entities.states import OrgKind
from ggzy.projects import delegation, queries
from ggzy.projects import service as registration
from ggzy.projects.models import Project, Section
from ggzy.projects.states import ProjectStatus
from ggzy.rules.catalog import Category
from ggzy.rules.procedures import Method
from tests.builders import a_user, an_org
from tests.trade import World, a_project, a_world


@pytest.fixture
def world(session: Session, clock: FixedClock, ident: Identity, opening_env: KeyEnv) -> World:
    return a_world(session, clock, ident, opening_env)


def count(session: Session, model: type) -> int:
    return session.execute(select(func.count()).select_from(model)).scalar_one()


def test_a_registered_project_gets_a_readable_code_its_sections_and_the_catalogs_verdict(
    session: Session, clock: FixedClock, world: World
) -> None:
    p = a_project(session, clock, world, sections=2, accept=False)
    assert p.code == "XXZB-2026-0001" and p.status == ProjectStatus.REGISTERED.value
    assert [s.code for s in queries.sections_of(session, p.id)] == ["XXZB-2026-0001-01", "XXZB-2026-0001-02"]
    assert p.estimate == Decimal("10000000.00") and p.must_trade and p.must_tender and p.must_open
    assert p.catalog_version == 1


def test_a_choice_that_breaks_the_catalog_is_refused_with_its_article_and_nothing_is_stored(
    session: Session, clock: FixedClock, world: World
) -> None:
    before = (count(session, Project), count(session, Section), count(session, Event))
    with pytest.raises(RuleViolation, match=r"必须招标.*第5条") as info:
        a_project(session, clock, world, method=Method.SINGLE_SOURCE, accept=False)
    assert info.value.details["reasons"]
    assert (count(session, Project), count(session, Section), count(session, Event)) == before


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"approval_code": "bad code!"}, "审批"),
        ({"sections": []}, "至少划分一个标段"),
        ({"state_funds_share": Decimal(120)}, "0至100"),
        ({"name": "短"}, "4至200"),
    ],
)
def test_malformed_registrations_are_refused(
    session: Session, clock: FixedClock, world: World, changes: dict, message: str
) -> None:
    args = {
        "name": "新乡市某道路工程",
        "approval_code": "2026-410700-48-01-000009",
        "category": Category.CONSTRUCTION,
        "sector": Sector.TRANSPORT,
        "method": Method.OPEN_TENDER,
        "state_funds_share": Decimal(100),
        "state_funds_amount": Decimal(1),
        "tenderer_org_id": world.tenderer.user.org_id,
        "sections": [registration.SectionIn("一标段", Decimal("100.00"))],
        "clock": clock,
    }
    with pytest.raises(Invalid, match=message):
        registration.register(session, world.tenderer.actor, **{**args, **changes})


def test_only_the_tenderer_or_its_appointed_agency_registers(
    session: Session, clock: FixedClock, world: World, ident: Identity, files: FileStore
) -> None:
    bidder = world.bidders[0]
    with pytest.raises(Forbidden):
        registration.register(
            session,
            bidder.actor,
            name="代为登记的项目",
            approval_code="2026-000000-00-00-000001",
            category=Category.CONSTRUCTION,
            sector=Sector.HOUSING,
            method=Method.OPEN_TENDER,
            state_funds_share=Decimal(0),
            state_funds_amount=Decimal(0),
            tenderer_org_id=world.tenderer.user.org_id,
            sections=[registration.SectionIn("一标段", Decimal("100.00"))],
            clock=clock,
        )
    agent = a_user(session, clock, ident, role=Role.AGENCY, org=an_org(session, clock, kind=OrgKind.AGENCY))
    today = clock.now().date()
    delegation.appoint(  # 委托代理: the tenderer appointed the agency for a year of government services
        session,
        world.tenderer.actor,
        agency_org_id=agent.user.org_id,
        agreement_ref="XXDL-2026-009",
        agreement=delegation.AgreementFile("协议.pdf", files.save("a", [b"%PDF"], max_bytes=1 << 10)),
        clock=clock,
        categories=[Category.GP_SERVICES.value],
        valid_from=today,
        valid_until=today + timedelta(days=30),
    )
    p = registration.register(
        session,
        agent.actor,
        name="代理机构登记的项目",
        approval_code="2026-000000-00-00-000002",
        category=Category.GP_SERVICES,
        sector=Sector.FINANCE,
        method=Method.CONSULTATION,
        state_funds_share=Decimal(100),
        state_funds_amount=Decimal("800000"),
        tenderer_org_id=world.tenderer.user.org_id,
        agency_org_id=agent.user.org_id,
        sections=[registration.SectionIn("物业服务", Decimal("800000.00"))],
        clock=clock,
    )
    assert p.code.startswith("XXCG-2026-") and not p.must_tender


def test_the_centre_accepts_or_returns_and_moves_are_checked(session: Session, clock: FixedClock, world: World) -> None:
    p = a_project(session, clock, world, accept=False)
    with pytest.raises(Invalid, match="理由"):
        registration.return_registration(session, world.operator.actor, project_id=p.id, reason=" ", clock=clock)
    registration.return_registration(session, world.operator.actor, project_id=p.id, reason="审批代码不符", clock=clock)
    assert p.status == "returned" and p.note == "审批代码不符"
    with pytest.raises(RuleViolation, match="当前状态为「已退回」，不能执行「受理登记」"):
        registration.accept(session, world.operator.actor, project_id=p.id, clock=clock)
    with pytest.raises(Forbidden):
        registration.accept(session, world.tenderer.actor, project_id=p.id, clock=clock)
    registration.resubmit(session, world.tenderer.actor, project_id=p.id, clock=clock)
    registration.accept(session, world.operator.actor, project_id=p.id, clock=clock)
    assert p.status == "accepted"
    registration.terminate(session, world.tenderer.actor, project_id=p.id, reason="项目取消", clock=clock)
    assert {s.status for s in queries.sections_of(session, p.id)} == {"terminated"}
