"""修改登记 (issue 13 item 1: "a returned project cannot be edited"): a returned registration is corrected with the
same checks as registering, then resubmitted; anything else is refused and leaves the registration as it was."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ggzy.bidding.keys import KeyEnv
from ggzy.core.clock import FixedClock
from ggzy.core.errors import Conflict, Forbidden, Invalid, RuleViolation
from ggzy.core.events import Event
from ggzy.core.roles import Sector
from ggzy.entities.service import Identity
from ggzy.projects import queries
from ggzy.projects import service as registration
from ggzy.projects.models import Project
from ggzy.rules.catalog import Category
from ggzy.rules.procedures import Method
from tests.trade import World, a_project, a_world


@pytest.fixture
def world(session: Session, clock: FixedClock, ident: Identity, opening_env: KeyEnv) -> World:
    return a_world(session, clock, ident, opening_env)


def _returned(session: Session, clock: FixedClock, world: World, sections: int = 2) -> Project:
    p = a_project(session, clock, world, sections=sections, accept=False)
    registration.return_registration(session, world.operator.actor, project_id=p.id, reason="标段划分有误", clock=clock)
    return p


def _amend(session: Session, clock: FixedClock, world: World, p: Project, **changes: object) -> Project:
    fields: dict[str, object] = {
        "name": p.name,
        "approval_code": p.approval_code,
        "category": Category(p.category),
        "sector": Sector(p.sector),
        "method": Method(p.method),
        "state_funds_share": p.state_funds_share,
        "state_funds_amount": p.state_funds_amount,
        "sections": [registration.SectionIn(s.name, s.estimate) for s in queries.sections_of(session, p.id)],
    }
    fields.update(changes)
    actor = changes.pop("actor", world.tenderer.actor)
    fields.pop("actor", None)
    return registration.amend(session, actor, project_id=p.id, clock=clock, **fields)  # type: ignore[arg-type]


def _amended_events(session: Session) -> list[Event]:
    return list(session.execute(select(Event).where(Event.type == "projects.amended")).scalars())


def test_a_returned_registration_is_corrected_then_resubmitted_and_accepted(
    session: Session, clock: FixedClock, world: World
) -> None:
    p = _returned(session, clock, world)
    first, second = queries.sections_of(session, p.id)
    ids = (first.id, second.id)
    _amend(
        session,
        clock,
        world,
        p,
        name="新乡市测试道路改造工程",
        sections=[
            registration.SectionIn("道路施工", Decimal("3000000.00")),
            registration.SectionIn("排水施工", Decimal("2000000.00")),
            registration.SectionIn("绿化施工", Decimal("1000000.00")),
        ],
    )
    rows = queries.sections_of(session, p.id)
    assert [(s.code, s.name, s.estimate) for s in rows] == [
        (f"{p.code}-01", "道路施工", Decimal("3000000.00")),
        (f"{p.code}-02", "排水施工", Decimal("2000000.00")),
        (f"{p.code}-03", "绿化施工", Decimal("1000000.00")),
    ]
    assert (rows[0].id, rows[1].id) == ids  # kept by order
    assert p.name == "新乡市测试道路改造工程" and p.estimate == Decimal("6000000.00") and p.status == "returned"
    (event,) = _amended_events(session)
    payload = json.loads(event.payload) if isinstance(event.payload, str) else event.payload
    assert payload["changed"] == ["name", "sections"] and payload["sections"] == 3
    registration.resubmit(session, world.tenderer.actor, project_id=p.id, clock=clock)
    registration.accept(session, world.operator.actor, project_id=p.id, clock=clock)
    assert p.status == "accepted"


def test_fewer_sections_remove_the_surplus_ones(session: Session, clock: FixedClock, world: World) -> None:
    p = _returned(session, clock, world, sections=3)
    _amend(session, clock, world, p, sections=[registration.SectionIn("全部工程", Decimal("9000000.00"))])
    assert [(s.code, s.name) for s in queries.sections_of(session, p.id)] == [(f"{p.code}-01", "全部工程")]
    assert p.estimate == Decimal("9000000.00")


def test_only_a_returned_registration_may_be_amended(session: Session, clock: FixedClock, world: World) -> None:
    p = a_project(session, clock, world, accept=False)
    with pytest.raises(Conflict, match="只有被退回的项目登记可以修改（当前状态：已登记待受理）"):
        _amend(session, clock, world, p, name="改名后的项目名称")
    registration.accept(session, world.operator.actor, project_id=p.id, clock=clock)
    with pytest.raises(Conflict, match="当前状态：已受理"):
        _amend(session, clock, world, p, name="改名后的项目名称")
    assert p.name == "新乡市测试道路工程" and not _amended_events(session)


def test_an_amendment_meets_the_same_checks_and_a_refusal_changes_nothing(
    session: Session, clock: FixedClock, world: World
) -> None:
    p = _returned(session, clock, world)
    before = (p.name, p.method, p.estimate, [(s.name, s.estimate) for s in queries.sections_of(session, p.id)])
    events = session.execute(select(func.count()).select_from(Event)).scalar_one()
    with pytest.raises(RuleViolation, match="第5条"):  # a must-tender project cannot be tendered by invitation
        _amend(session, clock, world, p, method=Method.INVITED_TENDER)
    with pytest.raises(Invalid, match="项目名称应为4至200个字符"):
        _amend(session, clock, world, p, name="短")
    with pytest.raises(Invalid, match="标段"):
        _amend(session, clock, world, p, sections=[registration.SectionIn("第一标段", Decimal(0))])
    with pytest.raises(Invalid, match="政府采购"):  # the code's prefix (ZB/CG) rests on the regime
        _amend(session, clock, world, p, method=Method.NEGOTIATION)
    p = session.get(Project, p.id) or p
    assert (p.name, p.method, p.estimate, [(s.name, s.estimate) for s in queries.sections_of(session, p.id)]) == before
    assert session.execute(select(func.count()).select_from(Event)).scalar_one() == events


def test_only_the_projects_managers_may_amend(session: Session, clock: FixedClock, world: World) -> None:
    p = _returned(session, clock, world)
    for outsider in (world.operator.actor, world.bidders[0].actor, world.supervisor.actor):
        with pytest.raises(Forbidden):
            _amend(session, clock, world, p, name="他人修改的项目名称", actor=outsider)
    assert not _amended_events(session)


def test_a_returned_project_may_be_terminated(session: Session, clock: FixedClock, world: World) -> None:
    p = _returned(session, clock, world)
    registration.terminate(session, world.tenderer.actor, project_id=p.id, reason="不再建设", clock=clock)
    assert p.status == "terminated"
    assert {s.status for s in queries.sections_of(session, p.id)} == {"terminated"}


def test_the_api_amends_a_returned_registration_and_refuses_otherwise_as_problems(
    session: Session, clock: FixedClock, ident: Identity, world: World, client: TestClient
) -> None:
    from tests.projects.test_api import bearer, project_body

    tenderer, operator = bearer(session, world.tenderer, clock, ident), bearer(session, world.operator, clock, ident)
    session.commit()
    created = client.post("/api/v1/projects", json=project_body(world), headers=tenderer).json()
    body = project_body(world, name="新乡市接口修改后的道路工程")
    body.pop("tenderer_org_id")
    body["sections"] = [{"name": "道路", "estimate": "3000000"}, {"name": "排水", "estimate": "2000000"}]
    r = client.put(f"/api/v1/projects/{created['id']}", json=body, headers=tenderer)
    assert r.status_code == 409 and r.headers["content-type"] == "application/problem+json"
    assert "只有被退回的项目登记可以修改" in r.json()["detail"]
    r = client.post(f"/api/v1/projects/{created['id']}/return", json={"reason": "标段划分有误"}, headers=operator)
    assert r.status_code == 200, r.text
    assert client.put(f"/api/v1/projects/{created['id']}", json=body, headers=operator).status_code == 403
    r = client.put(f"/api/v1/projects/{created['id']}", json=body, headers=tenderer)
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["name"] == "新乡市接口修改后的道路工程" and got["status"] == "returned"
    assert [s["name"] for s in got["sections"]] == ["道路", "排水"] and got["estimate"] == "5000000.00"
    r = client.post(f"/api/v1/projects/{created['id']}/resubmit", headers=tenderer)
    assert r.json()["status"] == "registered"
