"""The projects, notices and delegation API: the page's verbs over JSON with bearer tokens — an agency acts
only under an appointment (refused as an RFC 9457 problem citing it), lists page with cursors, writes take an
Idempotency-Key."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ggzy.bidding.keys import KeyEnv
from ggzy.core.clock import SHANGHAI, FixedClock
from ggzy.core.idempotency import IdempotencyRecord
from ggzy.core.roles import Role
from ggzy.entities import auth
from ggzy.entities.service import Identity
from ggzy.entities.states import OrgKind
from ggzy.projects.models import Appointment, Project
from tests.builders import Person, a_user, an_org
from tests.trade import World, a_world

PROBLEM = "application/problem+json"
PDF = base64.b64encode(b"%PDF-1.4 agency agreement").decode()


def bearer(session: Session, p: Person, clock: FixedClock, ident: Identity) -> dict[str, str]:
    raw, _ = auth.issue_token(session, p.actor, name="测试", clock=clock, ident=ident)
    return {"authorization": f"Bearer {raw}"}


def count(session: Session, model: type) -> int:
    return session.execute(select(func.count()).select_from(model)).scalar_one()


@pytest.fixture
def world(session: Session, clock: FixedClock, ident: Identity, opening_env: KeyEnv) -> World:
    return a_world(session, clock, ident, opening_env, bidders=1)


@pytest.fixture
def agent(session: Session, clock: FixedClock, ident: Identity) -> Person:
    return a_user(session, clock, ident, role=Role.AGENCY, org=an_org(session, clock, kind=OrgKind.AGENCY))


def project_body(world: World, **kw: object) -> dict[str, object]:
    return {
        "name": "新乡市接口登记的道路工程",
        "approval_code": "2026-410700-48-01-000501",
        "category": "construction",
        "sector": "housing",
        "method": "open_tender",
        "state_funds_share": "100",
        "state_funds_amount": "5000000.00",
        "tenderer_org_id": world.tenderer.user.org_id,
        "sections": [{"name": "第一标段", "estimate": "5000000.00"}],
        **kw,
    }


def test_an_agency_drives_a_tender_through_the_api_only_while_appointed(
    session: Session, clock: FixedClock, ident: Identity, world: World, agent: Person, client: TestClient
) -> None:
    tenderer, agency = bearer(session, world.tenderer, clock, ident), bearer(session, agent, clock, ident)
    operator = bearer(session, world.operator, clock, ident)
    session.commit()
    # no appointment: refused, citing it, nothing stored
    before = count(session, Project)
    r = client.post("/api/v1/projects", json=project_body(world), headers=agency)
    assert r.status_code == 403 and r.headers["content-type"].startswith(PROBLEM)
    assert r.json()["code"] == "no-appointment" and "第15条" in r.json()["detail"] and "第20条" in r.json()["detail"]
    assert count(session, Project) == before
    # the tenderer appoints the agency for a year of works
    today = clock.now().astimezone(SHANGHAI).date()
    appointment = {
        "agency_org_id": agent.user.org_id,
        "agreement_ref": "XXDL-2026-API",
        "agreement_file_name": "委托代理协议.pdf",
        "agreement_file_base64": PDF,
        "categories": ["construction"],
        "valid_from": today.isoformat(),
        "valid_until": (today + timedelta(days=365)).isoformat(),
    }
    r = client.post("/api/v1/appointments", json=appointment, headers=tenderer)
    assert r.status_code == 201, r.text
    a = r.json()
    assert (a["status"], a["source"], a["categories"]) == ("active", "platform", ["construction"])
    assert client.get(f"/api/v1/appointments/{a['id']}/agreement", headers=agency).content.startswith(b"%PDF")
    # the agency registers, the centre accepts, the agency publishes (multipart) and clarifies
    r = client.post("/api/v1/projects", json=project_body(world), headers=agency)
    assert r.status_code == 201, r.text
    project = r.json()
    assert project["appointment"] == "XXDL-2026-API" and project["agency_org_id"] == agent.user.org_id
    assert client.post(f"/api/v1/projects/{project['id']}/accept", headers=agency).status_code == 403
    assert client.post(f"/api/v1/projects/{project['id']}/accept", headers=operator).json()["status"] == "accepted"
    section = project["sections"][0]["id"]
    deadline = clock.now() + timedelta(days=25)
    r = client.post(
        f"/api/v1/sections/{section}/publish",
        data={
            "title": "新乡市接口登记的道路工程招标公告",
            "body": "欢迎投标。",
            "deadline": deadline.isoformat(),
            "documents_until": (deadline - timedelta(days=2)).isoformat(),
        },
        files=[("documents", ("招标文件.pdf", b"%PDF-1.4 tender documents", "application/pdf"))],
        headers=agency,
    )
    assert r.status_code == 201, r.text
    number = r.json()["number"]
    notice = client.get(f"/api/v1/notices/{number}").json()  # public
    assert notice["kind"] == "tender" and notice["section_id"] == section and "项目编号" in notice["body"]
    r = client.post(
        f"/api/v1/sections/{section}/clarify",
        json={"title": "关于招标文件的澄清", "body": "第三章更正。"},
        headers=agency,
    )
    assert r.status_code == 201 and r.json()["kind"] == "clarification"
    assert client.get(f"/api/v1/notices/{r.json()['number']}").json()["corrects"] == number
    # the tenderer sees what the agency did in its name
    acts = client.get("/api/v1/agency-acts", headers=tenderer).json()["items"]
    assert {x["type"] for x in acts} >= {"projects.registered", "projects.section_published", "notices.published"}
    # revoked: every further act of the agency is refused, citing the appointment; the tenderer still acts
    r = client.post(f"/api/v1/appointments/{a['id']}/revoke", json={"reason": "代理合同解除"}, headers=tenderer)
    assert r.json()["status"] == "revoked"
    r = client.post(f"/api/v1/sections/{section}/clarify", json={"title": "再次澄清", "body": "x"}, headers=agency)
    assert r.status_code == 403 and r.json()["code"] == "no-appointment"
    r = client.post(f"/api/v1/projects/{project['id']}/terminate", json={"reason": "项目取消"}, headers=agency)
    assert r.status_code == 403 and r.json()["code"] == "no-appointment"
    assert client.get(f"/api/v1/projects/{project['id']}", headers=agency).json()["appointment"] is None
    r = client.post(f"/api/v1/projects/{project['id']}/terminate", json={"reason": "项目取消"}, headers=tenderer)
    assert r.json()["status"] == "terminated"


def test_lists_page_with_cursors(
    session: Session, clock: FixedClock, ident: Identity, world: World, client: TestClient
) -> None:
    tenderer = bearer(session, world.tenderer, clock, ident)
    session.commit()
    ids = []
    for i in range(3):
        body = project_body(world, approval_code=f"2026-410700-48-01-00060{i}")
        ids.append(client.post("/api/v1/projects", json=body, headers=tenderer).json()["id"])
    seen, cursor = [], None
    while True:
        r = client.get(
            "/api/v1/projects", params={"limit": 2, **({"cursor": cursor} if cursor else {})}, headers=tenderer
        )
        page = r.json()
        seen += [p["id"] for p in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(ids))
    assert client.get("/api/v1/projects", params={"limit": 0}, headers=tenderer).status_code == 422
    notices = client.get("/api/v1/notices", params={"limit": 1}).json()
    assert notices["items"] == [] and notices["next_cursor"] is None


def test_a_retried_write_with_the_same_idempotency_key_creates_nothing_twice(
    session: Session, clock: FixedClock, ident: Identity, world: World, agent: Person, client: TestClient
) -> None:
    tenderer = bearer(session, world.tenderer, clock, ident)
    session.commit()
    key = {**tenderer, "idempotency-key": "register-0001"}
    first = client.post("/api/v1/projects", json=project_body(world), headers=key)
    assert first.status_code == 201 and "idempotent-replayed" not in first.headers
    before = count(session, Project)
    again = client.post("/api/v1/projects", json=project_body(world), headers=key)
    assert again.status_code == 201 and again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json() and count(session, Project) == before
    other = client.post("/api/v1/projects", json=project_body(world, name="另一个道路工程项目"), headers=key)
    assert other.status_code == 422 and other.headers["content-type"].startswith(PROBLEM)
    assert other.json()["code"] == "idempotency-key-reused" and count(session, Project) == before
    # a refused write gives its key back: the corrected retry runs
    bad = {**tenderer, "idempotency-key": "appoint-0001"}
    appointment = {
        "agency_org_id": agent.user.org_id,
        "agreement_ref": "XXDL-1",
        "agreement_file_name": "a.pdf",
        "agreement_file_base64": PDF,
        "project_id": first.json()["id"],
    }
    r = client.post("/api/v1/appointments", json={**appointment, "agreement_ref": " "}, headers=bad)
    assert r.status_code == 422 and r.json()["code"] == "agreement-ref-required"
    assert count(session, Appointment) == 0
    r = client.post("/api/v1/appointments", json=appointment, headers=bad)
    assert r.status_code == 201 and count(session, Appointment) == 1
    assert client.post("/api/v1/appointments", json=appointment, headers=bad).json()["id"] == r.json()["id"]
    assert count(session, Appointment) == 1
    # keys are the caller's own: another caller's same key is another request
    r = client.post("/api/v1/projects", json=project_body(world), headers={"idempotency-key": "register-0001"})
    assert r.status_code == 401
    r = client.post("/api/v1/projects", json=project_body(world), headers={**tenderer, "idempotency-key": "x" * 101})
    assert r.status_code == 400 and r.json()["code"] == "idempotency-key-invalid"
    assert count(session, IdempotencyRecord) == 2
