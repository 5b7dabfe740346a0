"""The JSON API: bearer tokens, RFC 9457 problems for every kind of bad input, nothing stored on refusal."""

from __future__ import annotations

import base64
from datetime import timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ggzy.core import merkle, transparency
from ggzy.core.clock import FixedClock
from ggzy.core.events import Event
from ggzy.core.keys import Keys
from ggzy.core.roles import Role
from ggzy.entities import totp
from ggzy.entities.models import Organisation
from ggzy.entities.service import Identity
from ggzy.web.app import create_app
from ggzy.web.context import AppContext
from tests.builders import PASSWORD, Person, a_credit_code, a_user

PROBLEM = "application/problem+json"


def token_for(client: TestClient, person: Person, clock: FixedClock) -> str:
    body = {"username": person.username, "password": person.password, "name": "测试"}
    if person.secret:
        body["totp_code"] = totp.code_at(person.secret, clock.now())
    r = client.post("/api/v1/auth/tokens", json=body)
    assert r.status_code == 201, r.text
    return str(r.json()["token"])


def count(session: Session, model: type) -> int:
    return session.execute(select(func.count()).select_from(model)).scalar_one()


def test_a_token_identifies_the_caller_until_it_is_revoked(
    client: TestClient, session: Session, clock: FixedClock, ident: Identity
) -> None:
    bidder = a_user(session, clock, ident, role=Role.BIDDER)
    session.commit()
    r = client.post("/api/v1/auth/tokens", json={"username": bidder.username, "password": PASSWORD, "name": "对接"})
    token, token_id = r.json()["token"], r.json()["id"]
    auth = {"authorization": f"Bearer {token}"}
    me = client.get("/api/v1/me", headers=auth).json()
    assert (me["username"], me["role"]) == (bidder.username, "bidder")
    assert client.delete(f"/api/v1/auth/tokens/{token_id}", headers=auth).status_code == 204
    r = client.get("/api/v1/me", headers=auth)
    assert r.status_code == 401
    assert r.headers["content-type"].startswith(PROBLEM)
    assert r.json()["code"] == "bad-token" and r.json()["status"] == 401


def test_staff_tokens_need_the_second_factor(
    client: TestClient, session: Session, clock: FixedClock, ident: Identity
) -> None:
    operator = a_user(session, clock, ident, role=Role.OPERATOR)
    session.commit()
    r = client.post("/api/v1/auth/tokens", json={"username": operator.username, "password": PASSWORD, "name": "x"})
    assert r.status_code == 401 and r.json()["code"] == "bad-second-factor"
    assert token_for(client, operator, clock).startswith("ggzy_")


def test_bad_credentials_are_a_problem_not_a_hint(client: TestClient) -> None:
    r = client.post("/api/v1/auth/tokens", json={"username": "ghost", "password": "whatever-123", "name": "x"})
    assert r.status_code == 401
    assert r.json()["title"] == "认证失败" and "用户名或口令错误" in r.json()["detail"]


def test_an_expired_token_is_refused(client: TestClient, session: Session, clock: FixedClock, ident: Identity) -> None:
    bidder = a_user(session, clock, ident, role=Role.BIDDER)
    session.commit()
    token = token_for(client, bidder, clock)
    clock.advance(ident.token_lifetime + timedelta(minutes=1))
    assert client.get("/api/v1/me", headers={"authorization": f"Bearer {token}"}).status_code == 401


def test_registering_with_a_bad_credit_code_stores_nothing(
    client: TestClient, session: Session, clock: FixedClock, ident: Identity
) -> None:
    operator = a_user(session, clock, ident, role=Role.OPERATOR)
    session.commit()
    auth = {"authorization": f"Bearer {token_for(client, operator, clock)}"}
    before = (count(session, Organisation), count(session, Event))
    good = a_credit_code("api")
    body = {"name": "接口登记有限公司", "credit_code": good[:17] + ("0" if good[17] != "0" else "1"), "kind": "bidder"}
    r = client.post("/api/v1/organisations", json=body, headers=auth)
    assert r.status_code == 422
    assert r.json()["code"] == "credit-code-check" and "校验位错误" in r.json()["detail"]
    assert (count(session, Organisation), count(session, Event)) == before
    r = client.post("/api/v1/organisations", json={**body, "credit_code": good}, headers=auth)
    assert r.status_code == 201 and r.json()["contacts"] is not None
    r = client.post("/api/v1/organisations", json={**body, "credit_code": good}, headers=auth)
    assert r.status_code == 409 and r.json()["code"] == "duplicate-credit-code"


def test_extra_fields_and_malformed_json_are_refused(
    client: TestClient, session: Session, clock: FixedClock, ident: Identity
) -> None:
    bidder = a_user(session, clock, ident, role=Role.BIDDER)
    session.commit()
    auth = {"authorization": f"Bearer {token_for(client, bidder, clock)}"}
    r = client.patch(f"/api/v1/organisations/{bidder.user.org_id}", json={"credit_code": "X"}, headers=auth)
    assert r.status_code == 422 and r.json()["code"] == "validation"
    r = client.patch(
        f"/api/v1/organisations/{bidder.user.org_id}",
        content=b"{not json",
        headers={**auth, "content-type": "application/json"},
    )
    assert r.status_code == 422 and r.headers["content-type"].startswith(PROBLEM)
    r = client.patch(
        f"/api/v1/organisations/{bidder.user.org_id}", json={"contact_phone": "0373-7654321"}, headers=auth
    )
    assert r.status_code == 200 and r.json()["contacts"]["contact_phone"] == "0373-7654321"


def test_oversized_requests_are_refused_before_they_are_read(client: TestClient) -> None:
    r = client.post("/api/v1/auth/tokens", content=b"x" * (1_048_576 + 1), headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert r.headers["content-type"].startswith(PROBLEM) and r.json()["code"] == "too-large"


def test_unauthenticated_writes_get_401(client: TestClient) -> None:
    r = client.post("/api/v1/organisations", json={"name": "匿名", "credit_code": "x", "kind": "bidder"})
    assert r.status_code == 401 and r.json()["code"] == "unauthenticated"


def test_the_log_api_serves_checkpoints_and_proofs_that_verify(
    client: TestClient, session: Session, clock: FixedClock, ident: Identity, keys: Keys
) -> None:
    assert client.get("/api/v1/log/checkpoint").json()["code"] == "no-checkpoint"
    for _ in range(3):
        a_user(session, clock, ident, role=Role.BIDDER)
    first = transparency.sign_checkpoint(session, keys=keys, origin="ggzy.localhost/log/v1", clock=clock)
    a_user(session, clock, ident, role=Role.TENDERER)
    transparency.sign_checkpoint(session, keys=keys, origin="ggzy.localhost/log/v1", clock=clock)
    session.commit()
    assert first is not None
    cp = client.get("/api/v1/log/checkpoint").json()
    b = base64.b64decode
    inc = client.get("/api/v1/log/proof/inclusion", params={"index": 2}).json()
    assert inc["tree_size"] == cp["size"]
    assert merkle.verify_inclusion(2, cp["size"], b(inc["leaf_hash"]), [b(p) for p in inc["proof"]], b(cp["root_hash"]))
    con = client.get("/api/v1/log/proof/consistency", params={"first": first.size}).json()
    assert merkle.verify_consistency(
        first.size, cp["size"], bytes(first.root), b(cp["root_hash"]), [b(p) for p in con["proof"]]
    )
    r = client.get("/api/v1/log/proof/inclusion", params={"index": cp["size"]})
    assert r.status_code == 422 and r.json()["code"] == "bad-proof-request"


def test_log_entries_are_for_oversight_only(
    client: TestClient, session: Session, clock: FixedClock, ident: Identity
) -> None:
    auditor = a_user(session, clock, ident, role=Role.AUDITOR)
    bidder = a_user(session, clock, ident, role=Role.BIDDER)
    session.commit()
    assert client.get("/api/v1/log/entries").status_code == 403
    bidder_auth = {"authorization": f"Bearer {token_for(client, bidder, clock)}"}
    assert client.get("/api/v1/log/entries", headers=bidder_auth).status_code == 403
    clock.advance(timedelta(seconds=30))
    auditor_auth = {"authorization": f"Bearer {token_for(client, auditor, clock)}"}
    rows = client.get("/api/v1/log/entries", params={"type": "entities.user_created"}, headers=auditor_auth).json()
    assert {r["payload"]["username"] for r in rows} >= {auditor.username, bidder.username}
    one = client.get(f"/api/v1/log/entries/{rows[0]['seq']}", headers=auditor_auth).json()
    assert merkle.leaf_hash(one["entry"].encode()).hex() == one["leaf_hash"]


def test_unexpected_errors_are_generic_with_a_reference(app_ctx: AppContext) -> None:
    app: FastAPI = create_app(app_ctx)

    @app.get("/api/v1/boom")
    def boom() -> None:
        raise RuntimeError("secret detail: password=hunter2")

    @app.get("/boom")
    def boom_page() -> None:
        raise RuntimeError("secret detail: password=hunter2")

    with TestClient(app, base_url="https://testserver", raise_server_exceptions=False) as c:
        r = c.get("/api/v1/boom")
        assert r.status_code == 500 and r.headers["content-type"].startswith(PROBLEM)
        assert "hunter2" not in r.text and "Traceback" not in r.text and r.json()["ref"]
        page = c.get("/boom")
        assert page.status_code == 500 and "系统内部错误" in page.text and "hunter2" not in page.text
