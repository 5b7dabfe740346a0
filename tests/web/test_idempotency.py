"""Idempotency-Key (ggzy/web/idempotency.py, ggzy/core/idempotency.py): the claim, the answer kept, the key given
back on failure, a running request, a stale claim, retention — on any API write, including the older routes."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ggzy.core import idempotency
from ggzy.core.clock import FixedClock
from ggzy.core.idempotency import Claim, IdempotencyRecord
from ggzy.core.roles import Role
from ggzy.entities import auth
from ggzy.entities.models import Organisation
from ggzy.entities.service import Identity
from tests.builders import Person, a_credit_code, a_user

PROBLEM = "application/problem+json"


def bearer(session: Session, p: Person, clock: FixedClock, ident: Identity) -> dict[str, str]:
    raw, _ = auth.issue_token(session, p.actor, name="测试", clock=clock, ident=ident)
    return {"authorization": f"Bearer {raw}"}


def count(session: Session, model: type) -> int:
    return session.execute(select(func.count()).select_from(model)).scalar_one()


def test_claim_complete_release_and_expiry(session: Session, clock: FixedClock) -> None:
    args = {"principal": "u1:bidder", "key": "k1", "method": "POST", "path": "/api/v1/x"}
    assert idempotency.claim(session, request_hash="h1", now=clock.now(), **args).claim is Claim.NEW
    assert idempotency.claim(session, request_hash="h1", now=clock.now(), **args).claim is Claim.RUNNING
    assert idempotency.claim(session, request_hash="h2", now=clock.now(), **args).claim is Claim.MISMATCH
    idempotency.complete(
        session, principal="u1:bidder", key="k1", status=201, content_type="application/json", body=b"{}"
    )
    out = idempotency.claim(session, request_hash="h1", now=clock.now(), **args)
    assert (out.claim, out.status, out.body) == (Claim.REPLAY, 201, b"{}")
    idempotency.release(session, principal="u1:bidder", key="k1")  # an answered key is not given back
    assert idempotency.claim(session, request_hash="h1", now=clock.now(), **args).claim is Claim.REPLAY
    later = clock.now() + idempotency.RETENTION + timedelta(seconds=1)
    assert idempotency.claim(session, request_hash="h2", now=later, **args).claim is Claim.NEW  # forgotten
    # a claim whose request died is taken over after STALE
    other = {**args, "key": "k2"}
    assert idempotency.claim(session, request_hash="h", now=clock.now(), **other).claim is Claim.NEW
    stale = clock.now() + idempotency.STALE + timedelta(seconds=1)
    assert idempotency.claim(session, request_hash="h", now=stale, **other).claim is Claim.NEW
    end = later + idempotency.RETENTION + timedelta(seconds=1)
    assert idempotency.any_expired(session, now=end) and not idempotency.any_expired(session, now=clock.now())
    assert idempotency.sweep(session, now=end) == 2 and not idempotency.any_expired(session, now=end)
    assert not idempotency.valid_key("") and not idempotency.valid_key("a b") and idempotency.valid_key("a-1_:Z")


def test_an_older_route_replays_its_first_answer(
    session: Session, clock: FixedClock, ident: Identity, client: TestClient
) -> None:
    operator = a_user(session, clock, ident, role=Role.OPERATOR)
    headers = {**bearer(session, operator, clock, ident), "idempotency-key": "org-2026-0001"}
    session.commit()
    body = {"name": "新乡市幂等测试有限公司", "credit_code": a_credit_code("idem"), "kind": "bidder"}
    first = client.post("/api/v1/organisations", json=body, headers=headers)
    assert first.status_code == 201, first.text
    before = count(session, Organisation)
    again = client.post("/api/v1/organisations", json=body, headers=headers)
    assert (again.status_code, again.json(), again.headers["idempotent-replayed"]) == (201, first.json(), "true")
    assert count(session, Organisation) == before
    # without the header the route behaves as before: the second one is refused as a duplicate
    plain = {k: v for k, v in headers.items() if k != "idempotency-key"}
    assert client.post("/api/v1/organisations", json=body, headers=plain).status_code == 409


def test_a_request_still_running_is_told_to_wait_and_a_failure_keeps_nothing(
    session: Session, clock: FixedClock, ident: Identity, client: TestClient
) -> None:
    operator = a_user(session, clock, ident, role=Role.OPERATOR)
    auth_header = bearer(session, operator, clock, ident)
    session.commit()
    principal = f"{operator.user.id}:operator"
    body = {"name": "新乡市并发测试有限公司", "credit_code": a_credit_code("busy"), "kind": "bidder"}
    r0 = client.post("/api/v1/organisations", json=body, headers={**auth_header, "idempotency-key": "probe"})
    assert r0.status_code == 201
    probe = session.get(IdempotencyRecord, (principal, "probe"))
    assert probe is not None
    session.add(  # the same request, claimed a moment ago by another node that has not answered yet
        IdempotencyRecord(
            principal=principal,
            key="busy",
            request_hash=probe.request_hash,
            method="POST",
            path="/api/v1/organisations",
            status=None,
            content_type="",
            created_at=clock.now(),
        )
    )
    session.commit()
    r = client.post("/api/v1/organisations", json=body, headers={**auth_header, "idempotency-key": "busy"})
    assert r.status_code == 409 and r.json()["code"] == "idempotency-key-in-use" and r.headers["retry-after"] == "1"
    bad = {**body, "credit_code": "123"}
    r = client.post("/api/v1/organisations", json=bad, headers={**auth_header, "idempotency-key": "bad-1"})
    assert r.status_code == 422 and r.headers["content-type"].startswith(PROBLEM)
    assert session.get(IdempotencyRecord, (principal, "bad-1")) is None  # given back: a corrected retry may run
