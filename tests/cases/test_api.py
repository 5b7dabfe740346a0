"""The cases and credit API: refusals are RFC 9457 problems with a Chinese detail citing the article, and change
nothing; the parties read their case with its clocks; the public credit endpoint shows what may be shown."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ggzy.cases.models import Case
from ggzy.core.clock import FixedClock
from ggzy.entities import auth
from ggzy.entities import queries as entities
from ggzy.entities.service import Identity
from tests.builders import Person
from tests.cases.conftest import CaseWorld
from tests.credit.conftest import a_sanction

PROBLEM = "application/problem+json"


def bearer(session: Session, p: Person, clock: FixedClock, ident: Identity) -> dict[str, str]:
    raw, _ = auth.issue_token(session, p.actor, name="测试", clock=clock, ident=ident)
    return {"authorization": f"Bearer {raw}"}


def test_an_objection_out_of_time_is_a_problem_citing_the_article(
    session: Session, clock: FixedClock, ident: Identity, cw: CaseWorld, client: TestClient
) -> None:
    h = bearer(session, cw.bidder, clock, ident)
    session.commit()
    body = {"section_id": cw.section.id, "matter": "documents", "points": ["资格条件不合理"], "claims": "请求修改"}
    clock.advance(timedelta(days=16))
    r = client.post("/api/v1/cases/objections", json=body, headers=h)
    assert r.status_code == 409 and r.headers["content-type"].startswith(PROBLEM)
    assert r.json()["code"] == "out-of-time" and "第22条" in r.json()["detail"]
    assert session.scalar(select(func.count()).select_from(Case)) == 0
    clock.set(clock.now() - timedelta(days=16))
    r = client.post("/api/v1/cases/objections", json=body, headers=h)
    assert r.status_code == 201, r.text
    case = r.json()
    assert case["number"].startswith("YY-") and case["clocks"][0]["kind"] == "answer"
    r = client.post(
        "/api/v1/cases/complaints", json={**body, "to_sector": "housing", "objection_id": case["id"]}, headers=h
    )
    assert r.status_code == 409 and r.json()["code"] == "objection-pending"
    other = bearer(session, cw.world.bidders[1], clock, ident)
    session.commit()
    r = client.get(f"/api/v1/cases/{case['id']}", headers=other)
    assert r.status_code == 403 and r.headers["content-type"].startswith(PROBLEM)
    r = client.get(f"/api/v1/cases/{case['id']}", headers=h)
    assert r.status_code == 200 and r.json()["next_actor"].startswith("招标人")


def test_the_public_credit_endpoint_and_a_bad_code(
    session: Session, clock: FixedClock, ident: Identity, cw: CaseWorld, client: TestClient
) -> None:
    a_sanction(session, clock, cw.world.supervisor, cw.bidder.user.org_id)
    code = entities.get_org(session, cw.bidder.user.org_id).credit_code
    session.commit()
    r = client.get(f"/api/v1/credit/entities/{code}")
    assert r.status_code == 200 and r.json()[0]["sanctions"][0]["trade_classes"] == ["state_works"]
    r = client.get("/api/v1/credit/entities/91410700ABC")
    assert r.status_code == 422 and "18位" in r.json()["detail"]
