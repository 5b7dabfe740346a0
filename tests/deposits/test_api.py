"""The API: the bank's signed callback, and who may see which deposits when."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ggzy.core.clock import FixedClock
from ggzy.core.events import Event
from ggzy.deposits import bank, queries, service
from ggzy.deposits.api import callback_key
from ggzy.web.context import AppContext
from tests.builders import signed_in
from tests.deposits.builders import a_desk


def post_callback(
    client: TestClient, ctx: AppContext, body: dict[str, str], *, key: bytes | None = None, skew: int = 0
):  # type: ignore[no-untyped-def]
    raw = json.dumps(body).encode()
    ts = str(int(ctx.clock.now().timestamp()) + skew)
    sig = bank.sign_callback(key or callback_key(ctx), ts, raw)
    return client.post(
        "/api/v1/deposits/bank/callback",
        content=raw,
        headers={"Content-Type": "application/json", "X-Bank-Timestamp": ts, "X-Bank-Signature": sig},
    )


def test_a_signed_callback_books_once_and_a_forged_one_is_refused_and_logged(
    client: TestClient, app_ctx: AppContext, session: Session, clock: FixedClock
) -> None:
    desk = a_desk(session, clock, app_ctx.ident, bidders=1)
    session.commit()
    org = desk.bidders[0].user.org_id or ""
    body = {
        "bank_txn_id": "CB1",
        "sub_account": desk.subs[org].number,
        "payer_account": desk.basic[org],
        "payer_name": "甲公司",
        "amount": "20000.00",
        "paid_at": clock.now().isoformat(),
    }
    first = post_callback(client, app_ctx, body)
    assert first.status_code == 200, first.text
    assert first.json() == {"bank_txn_id": "CB1", "booked": True}
    assert post_callback(client, app_ctx, body).json()["booked"] is False
    forged = post_callback(client, app_ctx, {**body, "bank_txn_id": "CB2"}, key=b"guessed")
    assert forged.status_code == 401 and forged.headers["content-type"].startswith("application/problem+json")
    stale = post_callback(client, app_ctx, {**body, "bank_txn_id": "CB3"}, skew=-600)
    assert stale.status_code == 401 and "重放" in stale.json()["detail"]
    changed = post_callback(client, app_ctx, {**body, "amount": "1.00"})
    assert changed.status_code == 409
    with app_ctx.db.unit_of_work(write=False) as s:
        refused = s.execute(select(func.count()).where(Event.type == service.PAYMENT_REFUSED)).scalar()
        assert refused == 3
        assert [line.paid for line in queries.opening_lines(s, desk.section.id)] == [20000]


def test_before_the_opening_only_the_payer_sees_its_deposit(
    client: TestClient, anon_client: TestClient, app_ctx: AppContext, session: Session, clock: FixedClock
) -> None:
    desk = a_desk(session, clock, app_ctx.ident, bidders=1)
    session.commit()
    bidder = signed_in(client, desk.bidders[0], clock)
    mine = bidder.get("/api/v1/deposits/mine")
    assert mine.status_code == 200 and mine.json()[0]["status"] == "未缴纳投标保证金"
    operator = signed_in(anon_client, desk.operator, clock)
    r = operator.get(f"/api/v1/sections/{desk.section.id}/deposits")
    assert r.status_code == 403 and "开标前" in r.json()["detail"]
