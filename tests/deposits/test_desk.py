"""The operator's section deposit desk after the opening: return held money to its payer, claim on a guarantee —
on the page (a button each) and through the API (the same verbs, the same policy); bad input changes nothing."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from ggzy.core.clock import FixedClock
from ggzy.deposits import guarantees, service
from ggzy.deposits.models import GuaranteeMessage, Payment, Refund
from ggzy.deposits.states import GuaranteeStatus, PaymentStatus
from ggzy.web.context import AppContext
from tests.builders import csrf_from, signed_in
from tests.deposits.builders import a_desk, a_payment
from tests.deposits.test_guarantees import a_document, an_issuer
from tests.web.test_api import token_for


def _opened_desk(session: Session, clock: FixedClock, app_ctx: AppContext):  # type: ignore[no-untyped-def]
    desk = a_desk(session, clock, app_ctx.ident, bidders=2)
    fake, _ = an_issuer(session, clock, app_ctx.ident, integrated=False)
    g = guarantees.attach(
        session, desk.bidders[0].actor, section_id=desk.section.id, data=a_document(session, desk, fake), clock=clock
    )
    held, _ = service.record_payment(
        session,
        a_payment(desk, desk.bidders[1], payer="6222020000000088", at=clock.now()),
        source="callback",
        clock=clock,
    )
    clock.advance(timedelta(days=21))
    desk.section.opened_at = clock.now()
    session.commit()
    return desk, g, held


def test_the_operator_returns_held_money_and_claims_on_a_guarantee_from_the_desk(
    client: TestClient, app_ctx: AppContext, session: Session, clock: FixedClock
) -> None:
    desk, g, held = _opened_desk(session, clock, app_ctx)
    op = signed_in(client, desk.operator, clock)
    url = f"/sections/{desk.section.id}/deposits"
    page = op.get(url)
    assert page.status_code == 200 and "退回付款账户" in page.text and "向保函机构索赔" in page.text
    token = csrf_from(page.text)
    bad = op.post(
        f"{url}/claims",
        data={"csrf_token": token, "org_id": g.org_id, "ground": "late_delivery", "reason": "迟延"},
    )
    assert bad.status_code == 200 and "法定情形" in bad.text
    r = op.post(
        f"{url}/held-returns",
        data={"csrf_token": token, "bank_txn_id": held.bank_txn_id, "reason": "非基本账户转入"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    r = op.post(
        f"{url}/claims",
        data={"csrf_token": token, "org_id": g.org_id, "ground": "refused_contract", "reason": "中标人拒签合同"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    after = op.get(r.headers["location"])
    assert "已作出索赔决定" in after.text and "第74条" in after.text
    session.expire_all()
    assert session.get(Payment, held.bank_txn_id).status == PaymentStatus.RETURNED.value  # type: ignore[union-attr]
    assert session.query(Refund).one().to_account == "6222020000000088"
    assert session.query(GuaranteeMessage).one().kind == "claim"


def test_the_api_routes_take_the_same_decisions_under_the_same_policy(
    client: TestClient, anon_client: TestClient, app_ctx: AppContext, session: Session, clock: FixedClock
) -> None:
    desk, g, held = _opened_desk(session, clock, app_ctx)
    base = f"/api/v1/sections/{desk.section.id}/deposits"
    bidder = {"authorization": f"Bearer {token_for(anon_client, desk.bidders[0], clock)}"}
    refused = anon_client.post(
        f"{base}/claims", json={"org_id": g.org_id, "ground": "refused_contract", "reason": "x"}, headers=bidder
    )
    assert refused.status_code == 403 and refused.headers["content-type"].startswith("application/problem+json")
    op = {"authorization": f"Bearer {token_for(client, desk.operator, clock)}"}
    bad = client.post(f"{base}/held-returns", json={"bank_txn_id": "NOPE", "reason": "x"}, headers=op)
    assert bad.status_code == 422 and "没有这笔" in bad.json()["detail"]
    made = client.post(f"{base}/held-returns", json={"bank_txn_id": held.bank_txn_id, "reason": "退回"}, headers=op)
    assert made.status_code == 200, made.text
    assert made.json()["principal"] == "20000.00" and made.json()["status"] == "prepared"
    again = client.post(f"{base}/held-returns", json={"bank_txn_id": held.bank_txn_id, "reason": "再"}, headers=op)
    assert again.json()["id"] == made.json()["id"]
    no_ground = client.post(f"{base}/claims", json={"org_id": g.org_id, "ground": "whim", "reason": "x"}, headers=op)
    assert no_ground.status_code == 422 and "法定情形" in no_ground.json()["detail"]
    claim = client.post(
        f"{base}/claims", json={"org_id": g.org_id, "ground": "refused_contract", "reason": "拒签"}, headers=op
    )
    assert claim.status_code == 200, claim.text
    assert claim.json()["amount"] == "20000.00" and claim.json()["status"] == "offline"
    twice = client.post(
        f"{base}/claims", json={"org_id": g.org_id, "ground": "refused_contract", "reason": "拒签"}, headers=op
    )
    assert twice.status_code == 409
    session.expire_all()
    assert session.get(type(g), g.id).status == GuaranteeStatus.CLAIMING.value  # type: ignore[union-attr]
