"""The API twins added for parity (ggzy/web/parity.py): each calls the page's verb, so the same checks refuse the
same callers, as RFC 9457 problems, and a refusal stores nothing."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ggzy.bidding.keys import KeyEnv
from ggzy.bidding.models import DocumentAccess
from ggzy.catalog.models import CatalogVersion
from ggzy.core.clock import FixedClock
from ggzy.core.files import FileStore
from ggzy.core.roles import Role
from ggzy.deposits.models import Guarantee
from ggzy.entities import auth
from ggzy.entities.service import Identity
from ggzy.experts import xlsx
from tests.builders import PASSWORD, Person, a_user
from tests.trade import a_published_section, a_world

PROBLEM = "application/problem+json"


def bearer(session: Session, p: Person, clock: FixedClock, ident: Identity) -> dict[str, str]:
    raw, _ = auth.issue_token(session, p.actor, name="测试", clock=clock, ident=ident)
    return {"authorization": f"Bearer {raw}"}


def count(session: Session, model: type) -> int:
    return session.execute(select(func.count()).select_from(model)).scalar_one()


def problem(r: object, status: int, code: str | None = None) -> dict[str, object]:
    assert r.status_code == status, r.text  # type: ignore[attr-defined]
    assert r.headers["content-type"].startswith(PROBLEM)  # type: ignore[attr-defined]
    body: dict[str, object] = r.json()  # type: ignore[attr-defined]
    if code:
        assert body["code"] == code, body
    return body


def test_registration_opening_objections_and_guarantees_over_the_api(
    session: Session,
    clock: FixedClock,
    ident: Identity,
    files: FileStore,
    opening_env: KeyEnv,
    client: TestClient,
) -> None:
    world = a_world(session, clock, ident, opening_env, bidders=1)
    section = a_published_section(session, clock, world, files, opening_env)
    bidder, operator = bearer(session, world.bidders[0], clock, ident), bearer(session, world.operator, clock, ident)
    session.commit()
    before = count(session, DocumentAccess)
    problem(client.post(f"/api/v1/sections/{section.id}/register", headers=operator), 403)
    assert count(session, DocumentAccess) == before
    assert client.post(f"/api/v1/sections/{section.id}/register", headers=bidder).status_code == 204
    assert client.post(f"/api/v1/sections/{section.id}/register", headers=bidder).status_code == 204  # once
    assert count(session, DocumentAccess) == before + 1
    body = {"org_id": world.bidders[0].user.org_id, "text": "报价唱错", "answer": "当场更正"}
    r = client.post(f"/api/v1/sections/{section.id}/opening/objections", json=body, headers=operator)
    assert "第44条" in str(problem(r, 409, "not-opened")["detail"])
    problem(client.post(f"/api/v1/sections/{section.id}/opening/objections", json=body, headers=bidder), 403)
    r = client.put(f"/api/v1/sections/{section.id}/deposit/guarantee", content=b"not a guarantee", headers=bidder)
    assert 400 <= r.status_code < 500 and r.headers["content-type"].startswith(PROBLEM)
    assert count(session, Guarantee) == 0


def test_the_catalog_and_the_expert_pool_over_the_api(
    session: Session, clock: FixedClock, ident: Identity, client: TestClient, tmp_path: Path
) -> None:
    office = a_user(session, clock, ident, role=Role.SUPERVISOR)
    tenderer = a_user(session, clock, ident, role=Role.TENDERER)
    chief, other = bearer(session, office, clock, ident), bearer(session, tenderer, clock, ident)
    session.commit()
    current = client.get("/api/v1/catalog").json()
    entry = current["body"]["entries"][0]["key"]
    change = {"thresholds": {entry: {"must_tender_at": "4000000"}}, "note": "依据省发展改革委通知调整"}
    problem(client.post("/api/v1/catalog", json=change, headers=other), 403)
    problem(client.post("/api/v1/catalog", json={**change, "note": " "}, headers=chief), 422, "note-required")
    before = count(session, CatalogVersion)
    r = client.post("/api/v1/catalog", json=change, headers=chief)
    assert r.status_code == 201 and r.json()["version"] == current["version"] + 1
    assert count(session, CatalogVersion) == before + 1
    path = tmp_path / "pool.xlsx"
    xlsx.export_experts(session, path)
    problem(client.post("/api/v1/experts/pool/import", content=path.read_bytes(), headers=other), 403)
    problem(client.post("/api/v1/experts/pool/import", content=b"PK-not-xlsx", headers=chief), 422, "xlsx-unreadable")
    r = client.post("/api/v1/experts/pool/import", content=path.read_bytes(), headers=chief)
    assert r.status_code == 200 and r.json()["errors"] == []


def test_accounts_over_the_api(session: Session, clock: FixedClock, ident: Identity, client: TestClient) -> None:
    admin = a_user(session, clock, ident, role=Role.ADMIN)
    bidder = a_user(session, clock, ident, role=Role.BIDDER)
    boss, own = bearer(session, admin, clock, ident), bearer(session, bidder, clock, ident)
    session.commit()
    wrong = {"old": "not-the-password", "new": "Another-Horse-43"}
    assert 400 <= client.post("/api/v1/me/password", json=wrong, headers=own).status_code < 500
    r = client.post("/api/v1/me/password", json={"old": PASSWORD, "new": "Another-Horse-43"}, headers=own)
    assert r.status_code == 204, r.text
    problem(client.post(f"/api/v1/users/{admin.user.id}/disable", headers=own), 403)
    assert client.post(f"/api/v1/users/{bidder.user.id}/unlock", headers=boss).json()["pending_review"] is False
    assert client.post(f"/api/v1/users/{bidder.user.id}/disable", headers=boss).status_code == 200
    assert client.get("/api/v1/me", headers=own).status_code == 401  # a disabled account's token stops working


def test_the_credit_check_review_refuses_whom_the_page_refuses(
    session: Session, clock: FixedClock, ident: Identity, client: TestClient
) -> None:
    office = a_user(session, clock, ident, role=Role.SUPERVISOR)
    bidder = a_user(session, clock, ident, role=Role.BIDDER)
    chief, own = bearer(session, office, clock, ident), bearer(session, bidder, clock, ident)
    session.commit()
    problem(client.post("/api/v1/credit/checks/nothing/review", headers=own), 403)
    problem(client.post("/api/v1/credit/checks/nothing/review", headers=chief), 404, "no-such-check")


def test_a_page_and_its_twin_refuse_the_same_caller(
    session: Session, clock: FixedClock, ident: Identity, opening_env: KeyEnv, client: TestClient
) -> None:
    """Same verb, same policy check: the bidder is refused the centre's acceptance and the regulator's dismissal
    on the page (a Chinese page) and through the API (a problem), with the same words."""
    from ggzy.supervision import service as supervision
    from tests.builders import csrf_from, signed_in
    from tests.supervision.test_alerts import finding
    from tests.trade import a_project

    world = a_world(session, clock, ident, opening_env, bidders=1)
    project = a_project(session, clock, world, accept=False)
    alert, _ = supervision.raise_alert(session, finding(sector="housing"), clock=clock)
    someone = world.bidders[0]
    api = bearer(session, someone, clock, ident)
    session.commit()
    signed_in(client, someone, clock)
    token = csrf_from(client.get("/account").text)
    pairs = [
        (f"/projects/{project.id}/accept", {}, f"/api/v1/projects/{project.id}/accept", None),
        (
            f"/supervision/alerts/{alert.id}/dismiss",
            {"reason": "x"},
            f"/api/v1/supervision/alerts/{alert.id}/dismiss",
            {"reason": "x"},
        ),
    ]
    for page_url, form, api_url, body in pairs:
        page = client.post(page_url, data={**form, "csrf_token": token})
        twin = client.post(api_url, json=body, headers=api) if body else client.post(api_url, headers=api)
        assert twin.status_code in (403, 404) and twin.headers["content-type"].startswith(PROBLEM)
        detail = str(twin.json()["detail"])
        if page.status_code == 303:  # the alert page answers a refusal by redirecting with the message
            page = client.get(page.headers["location"])
        assert detail in page.text, (page_url, detail)
    assert project.status == "registered" and alert.status == "new"
