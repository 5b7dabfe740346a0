"""The pages: the operator opens the room, a member asks in writing, the bidder answers on its page; the
procurement procedures' own steps; bad input gets a Chinese message and stores nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ggzy.bidding import keys as opening_keys
from ggzy.core.clock import FixedClock
from ggzy.core.errors import RuleViolation
from ggzy.core.files import FileStore
from ggzy.core.keys import Keys
from ggzy.entities.service import Identity
from ggzy.evaluation import methods, queries, service
from ggzy.evaluation.models import Evaluation
from ggzy.rules.procedures import Method as Procedure
from tests.builders import csrf_from, signed_in
from tests.evaluation.builders import a_bill, a_sheet, an_opened_section, direct_ground

THREE = [
    a_bill(("3.50", "420.00", "510.00")),
    a_bill(("3.60", "415.00", "505.00")),
    a_bill(("3.40", "430.00", "500.00")),
]


def test_the_operator_opens_the_room_on_its_page_and_a_bad_committee_gets_a_chinese_message(
    session: Session,
    clock: FixedClock,
    ident: Identity,
    files: FileStore,
    opening_env: opening_keys.KeyEnv,
    keys: Keys,
    client: TestClient,
    anon_client: TestClient,
) -> None:
    room = an_opened_section(session, clock, ident, files, opening_env, keys, THREE)
    session.commit()
    op = signed_in(client, room.world.operator, clock)
    url = f"/sections/{room.section.id}/evaluation"
    form = op.get(url)
    assert form.status_code == 200 and "开启评标" in form.text
    names = "\n".join(p.username for p in room.experts)
    data = {
        "csrf_token": csrf_from(form.text),
        "chair": room.experts[0].username,
        "kind": "comprehensive",
        "direct": "works-art47",
    }
    r = op.post(url, data={**data, "members": "\n".join(p.username for p in room.experts[:3])})
    assert r.status_code == 303 and "error=" in r.headers["location"]
    assert "5人以上单数" in op.get(r.headers["location"]).text
    assert session.execute(select(func.count()).select_from(Evaluation)).scalar_one() == 0
    r = op.post(url, data={**data, "members": names, "ceiling": "1000.00"})
    assert r.status_code == 303 and r.headers["location"].startswith("/evaluations/")
    eid = r.headers["location"].rsplit("/", 1)[1]
    room_page = op.get(f"/evaluations/{eid}")
    assert "高于最高投标限价" in room_page.text and room.experts[0].user.display_name in room_page.text

    expert = signed_in(anon_client, room.experts[2], clock)
    page = expert.get(f"/evaluations/{eid}")
    bidder_org = room.world.bidders[0].user.org_id
    r = expert.post(
        f"/evaluations/{eid}/questions",
        data={"csrf_token": csrf_from(page.text), "org_id": bidder_org, "question": "请说明砖基础单价的组成。"},
    )
    assert r.status_code == 303
    anon_client.cookies.clear()
    bidder = signed_in(anon_client, room.world.bidders[0], clock)
    mine = bidder.get(f"/evaluations/{eid}/respond")
    assert "请说明砖基础单价的组成" in mine.text
    q = queries.questions(session, eid, bidder_org)[0]
    r = bidder.post(
        f"/evaluation-questions/{q.id}/answer",
        data={"csrf_token": csrf_from(mine.text), "answer": "含人工、材料和机械费。"},
    )
    assert r.status_code == 303
    session.expire_all()
    assert queries.questions(session, eid, bidder_org)[0].answer == "含人工、材料和机械费。"
    assert "含人工" in bidder.get(f"/evaluations/{eid}/respond").text
    assert bidder.get(f"/evaluations/{eid}").status_code == 403


def test_single_source_needs_its_negotiation_record_before_the_report(
    session: Session, clock: FixedClock, ident: Identity, files: FileStore, opening_env: opening_keys.KeyEnv, keys: Keys
) -> None:
    room = an_opened_section(
        session, clock, ident, files, opening_env, keys, THREE[:1], procedure=Procedure.SINGLE_SOURCE, experts=3
    )
    m = methods.preset(methods.Kind.SINGLE_SOURCE)
    op = room.world.operator.actor
    e = service.open_evaluation(
        session,
        op,
        section_id=room.section.id,
        members=[p.user.id for p in room.experts],
        direct=direct_ground(session, room.section),
        chair=room.experts[0].user.id,
        method=m,
        clock=clock,
    )
    service.open_round(session, op, evaluation_id=e.id, final=True, clock=clock)
    service.submit_quote(session, room.world.bidders[0].actor, evaluation_id=e.id, price="58000.00", clock=clock)
    service.close_round(session, op, evaluation_id=e.id, clock=clock)
    orgs = [b.org_id for b in queries.in_review(session, e.id)]
    for p in room.experts:
        service.submit_sheet(session, p.actor, evaluation_id=e.id, sheet=a_sheet(m, orgs), clock=clock)
    with pytest.raises(RuleViolation, match="协商情况"):
        service.sign_report(session, room.experts[0].actor, evaluation_id=e.id, clock=clock, files=files)
    with pytest.raises(RuleViolation):  # the room is no longer scoring: the record comes before the sheets
        service.record_negotiation(
            session, op, evaluation_id=e.id, record="经协商，价格由60510元降至58000元。", clock=clock
        )


def test_single_source_with_its_record_is_ranked_at_the_agreed_price(
    session: Session, clock: FixedClock, ident: Identity, files: FileStore, opening_env: opening_keys.KeyEnv, keys: Keys
) -> None:
    room = an_opened_section(
        session, clock, ident, files, opening_env, keys, THREE[:1], procedure=Procedure.SINGLE_SOURCE, experts=3
    )
    m = methods.preset(methods.Kind.SINGLE_SOURCE)
    op = room.world.operator.actor
    members = [p.user.id for p in room.experts]
    e = service.open_evaluation(
        session,
        op,
        section_id=room.section.id,
        members=members,
        direct=direct_ground(session, room.section),
        chair=members[0],
        method=m,
        clock=clock,
    )
    service.open_round(session, op, evaluation_id=e.id, final=True, clock=clock)
    service.submit_quote(session, room.world.bidders[0].actor, evaluation_id=e.id, price="58000.00", clock=clock)
    service.close_round(session, op, evaluation_id=e.id, clock=clock)
    service.record_negotiation(
        session, op, evaluation_id=e.id, record="经协商，价格由60510元降至58000元。", clock=clock
    )
    orgs = [b.org_id for b in queries.in_review(session, e.id)]
    for p in room.experts:
        service.submit_sheet(session, p.actor, evaluation_id=e.id, sheet=a_sheet(m, orgs), clock=clock)
    service.sign_report(session, room.experts[0].actor, evaluation_id=e.id, clock=clock, files=files)
    [only] = queries.final_ranking(session, room.section.id)
    assert (only.rank, only.price) == (1, Decimal("58000.00"))


def test_a_quotation_takes_no_rounds_and_a_tender_method_does_not_fit_it(
    session: Session, clock: FixedClock, ident: Identity, files: FileStore, opening_env: opening_keys.KeyEnv, keys: Keys
) -> None:
    room = an_opened_section(
        session, clock, ident, files, opening_env, keys, THREE, procedure=Procedure.QUOTATION, experts=3
    )
    op = room.world.operator.actor
    members = [p.user.id for p in room.experts]
    with pytest.raises(RuleViolation, match="不能采用"):
        service.open_evaluation(
            session,
            op,
            section_id=room.section.id,
            members=members,
            direct=direct_ground(session, room.section),
            chair=members[0],
            method=methods.preset(methods.Kind.COMPREHENSIVE),
            clock=clock,
        )
    e = service.open_evaluation(
        session,
        op,
        section_id=room.section.id,
        members=members,
        direct=direct_ground(session, room.section),
        chair=members[0],
        method=methods.preset(methods.Kind.QUOTATION),
        clock=clock,
    )
    with pytest.raises(RuleViolation, match="不进行多轮报价"):
        service.open_round(session, op, evaluation_id=e.id, final=True, clock=clock)
