"""Procurement procedures' own steps, the API, the report's Chinese text, and the live snapshot."""

from __future__ import annotations

import io
from decimal import Decimal

import pypdf
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from ggzy.bidding import keys as opening_keys
from ggzy.core.clock import FixedClock
from ggzy.core.errors import Conflict, RuleViolation
from ggzy.core.files import FileStore
from ggzy.core.keys import Keys
from ggzy.entities.service import Identity
from ggzy.evaluation import live, methods, queries, service
from ggzy.rules.procedures import Method as Procedure
from tests.builders import signed_in
from tests.evaluation.builders import a_bill, a_sheet, an_opened_section, direct_ground
from tests.web.test_api import token_for

NEGOTIATION = methods.preset(methods.Kind.NEGOTIATION)


def test_a_negotiation_takes_rounds_and_ranks_by_the_final_quotes(
    session: Session, clock: FixedClock, ident: Identity, files: FileStore, opening_env: opening_keys.KeyEnv, keys: Keys
) -> None:
    bids = [
        a_bill(("3.50", "420.00", "510.00")),
        a_bill(("3.60", "415.00", "505.00")),
        a_bill(("3.40", "430.00", "500.00")),
    ]
    room = an_opened_section(
        session, clock, ident, files, opening_env, keys, bids, procedure=Procedure.NEGOTIATION, experts=3
    )
    op = room.world.operator.actor
    e = service.open_evaluation(
        session,
        op,
        section_id=room.section.id,
        members=[p.user.id for p in room.experts],
        direct=direct_ground(session, room.section),
        chair=room.experts[0].user.id,
        method=NEGOTIATION,
        clock=clock,
    )
    orgs = [b.org_id for b in queries.in_review(session, e.id)]
    with pytest.raises(RuleViolation, match="最后报价结束后"):
        service.submit_sheet(
            session, room.experts[0].actor, evaluation_id=e.id, sheet=a_sheet(NEGOTIATION, orgs), clock=clock
        )
    service.open_round(session, op, evaluation_id=e.id, final=False, clock=clock)
    a, b, _c = room.world.bidders
    service.submit_quote(session, a.actor, evaluation_id=e.id, price="59000.00", clock=clock)
    with pytest.raises(Conflict):
        service.submit_quote(session, a.actor, evaluation_id=e.id, price="58000.00", clock=clock)
    service.close_round(session, op, evaluation_id=e.id, clock=clock)
    service.open_round(session, op, evaluation_id=e.id, final=True, clock=clock)
    service.submit_quote(session, a.actor, evaluation_id=e.id, price="50000.00", clock=clock)
    service.submit_quote(session, b.actor, evaluation_id=e.id, price="49000.00", clock=clock)
    service.close_round(session, op, evaluation_id=e.id, clock=clock)
    for p in room.experts:
        service.submit_sheet(session, p.actor, evaluation_id=e.id, sheet=a_sheet(NEGOTIATION, orgs), clock=clock)
    service.sign_report(session, room.experts[0].actor, evaluation_id=e.id, clock=clock, files=files)
    ranking = queries.final_ranking(session, room.section.id)
    assert [(x.org_id, x.price) for x in ranking[:2]] == [
        (b.user.org_id, Decimal("49000.00")),
        (a.user.org_id, Decimal("50000.00")),
    ]
    text = "".join(
        p.extract_text() for p in pypdf.PdfReader(io.BytesIO(files.path(e.report_path or "").read_bytes())).pages
    )
    assert "评标报告" in text and "竞争性谈判" in text and "最后报价" in text
    snap = live.snapshot(session, e)
    assert snap["submitted"] == 3 and snap["report_sha256"] == e.report_sha256
    assert any("评标报告签署" in t["label"] for t in snap["timeline"])


def test_the_api_opens_a_room_an_expert_scores_and_a_supervisor_watches_without_scores(
    session: Session,
    clock: FixedClock,
    ident: Identity,
    files: FileStore,
    opening_env: opening_keys.KeyEnv,
    keys: Keys,
    client: TestClient,
    anon_client: TestClient,
) -> None:
    bids = [
        a_bill(("3.50", "420.00", "510.00")),
        a_bill(("3.60", "415.00", "505.00")),
        a_bill(("3.40", "430.00", "500.00")),
    ]
    room = an_opened_section(session, clock, ident, files, opening_env, keys, bids)
    session.commit()
    op = {"authorization": f"Bearer {token_for(client, room.world.operator, clock)}"}
    url = f"/api/v1/sections/{room.section.id}/evaluation"
    one = room.experts[0].user.id
    no_draw = client.post(url, json={"members": [one], "chair": one}, headers=op)
    assert no_draw.status_code == 409 and "尚未抽取评标专家" in no_draw.json()["detail"]
    direct = "works-art47"
    bad = client.post(url, json={"members": [one], "chair": one, "direct": direct}, headers=op)
    assert bad.status_code == 409 and bad.headers["content-type"].startswith("application/problem+json")
    assert "5人以上单数" in bad.json()["detail"]
    members = [p.user.id for p in room.experts]
    body = {"members": members, "chair": one, "kind": "comprehensive", "direct": direct}
    r = client.post(url, json=body, headers=op)
    assert r.status_code == 201, r.text
    eid = r.json()["id"]
    ex = {"authorization": f"Bearer {token_for(client, room.experts[1], clock)}"}
    orgs = [b["org_id"] for b in r.json()["bids"]]
    m = methods.preset(methods.Kind.COMPREHENSIVE)
    sheet = a_sheet(m, orgs).to_json()
    sheet["scores"][orgs[0]]["t1"] = "99"
    refused = client.post(f"/api/v1/evaluations/{eid}/sheet", json=sheet, headers=ex)
    assert refused.status_code == 422 and "超出范围" in refused.json()["detail"]
    ok = client.post(f"/api/v1/evaluations/{eid}/sheet", json=a_sheet(m, orgs).to_json(), headers=ex)
    assert ok.status_code == 200, ok.text
    assert all(b["total"] is None for b in ok.json()["bids"])
    again = client.post(f"/api/v1/evaluations/{eid}/sheet", json=a_sheet(m, orgs).to_json(), headers=ex)
    assert again.status_code == 409
    supervisor = {"authorization": f"Bearer {token_for(client, room.world.supervisor, clock)}"}
    assert client.get(f"/api/v1/evaluations/{eid}", headers=supervisor).status_code == 403
    expert = signed_in(anon_client, room.experts[1], clock)
    page = expert.get(f"/evaluations/{eid}")
    assert page.status_code == 200 and "已提交" in page.text
    assert (
        "专家2" in page.text
        and room.experts[1].user.display_name not in page.text.split("评标委员会")[1].split("</ul>")[0]
    )
    sheet_page = expert.get(f"/evaluations/{eid}/sheet")
    assert "您已提交评审表" in sheet_page.text
