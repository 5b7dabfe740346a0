"""From the draw to the evaluation room: the committee is the complete draw's (experts and the tenderer's
representative), the members' chosen chair is recorded, an incomplete draw is refused and changes nothing."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ggzy.bidding import keys as opening_keys
from ggzy.core.clock import FixedClock
from ggzy.core.errors import Invalid, RuleViolation
from ggzy.core.events import Event
from ggzy.core.files import FileStore
from ggzy.core.keys import Keys
from ggzy.core.notify import MemoryNotifier
from ggzy.entities.service import Identity
from ggzy.evaluation import methods, opened, queries, service
from ggzy.evaluation.models import Evaluation
from ggzy.evaluation.states import EvaluationStatus
from ggzy.experts import queries as expert_queries
from ggzy.experts import service as experts
from ggzy.experts.models import Draw
from tests.builders import csrf_from, signed_in
from tests.evaluation.builders import a_sheet
from tests.experts.builders import Pool, a_pool, a_request, sign
from tests.web.test_api import token_for

COMPREHENSIVE = methods.preset(methods.Kind.COMPREHENSIVE)
SEATS = ["A08.01", "A08.01", "A08.01", "B02"]  # four experts and one representative: 4/5 ≥ 2/3


@pytest.fixture
def pool(
    session: Session, clock: FixedClock, ident: Identity, files: FileStore, opening_env: opening_keys.KeyEnv, keys: Keys
) -> Pool:
    return a_pool(session, clock, ident, files, opening_env, keys)


def _calling(session: Session, clock: FixedClock, keys: Keys, pool: Pool, notifier: MemoryNotifier) -> Draw:
    tenderer = pool.room.world.tenderer
    d = experts.request_draw(
        session,
        tenderer.actor,
        section_id=pool.room.section.id,
        request=a_request(clock, seats=SEATS, representatives=[tenderer.user.id]),
        clock=clock,
    )
    sign(session, clock, keys)
    return experts.perform_draw(session, draw_id=d.id, clock=clock, notifier=notifier)


def _accept(session: Session, clock: FixedClock, pool: Pool, d: Draw, notifier: MemoryNotifier, n: int = 99) -> None:
    people = {p.user.id: p for p in pool.experts}
    waiting = [i for i in expert_queries.invitations(session, d.id) if i.status == "invited"]
    for inv in waiting[:n]:
        experts.answer(
            session, people[inv.expert_id].actor, invitation_id=inv.id, accept=True, clock=clock, notifier=notifier
        )


def _evaluations(session: Session) -> int:
    return int(session.execute(select(func.count()).select_from(Evaluation)).scalar_one())


def test_draw_accept_open_from_the_draw_score_and_sign(
    session: Session, clock: FixedClock, keys: Keys, files: FileStore, opening_env: opening_keys.KeyEnv, pool: Pool
) -> None:
    notifier = MemoryNotifier()
    d = _calling(session, clock, keys, pool, notifier)
    op = pool.room.world.operator.actor
    section = pool.room.section
    _accept(session, clock, pool, d, notifier, n=2)
    # Two of four seats have accepted: the room does not open, and nothing is stored.
    with pytest.raises(RuleViolation, match="席位3、4尚待专家答复") as refused:
        service.open_evaluation(
            session, op, section_id=section.id, chair=pool.experts[0].user.id, method=COMPREHENSIVE, clock=clock
        )
    assert "已接受2/4" in refused.value.message
    assert _evaluations(session) == 0
    _accept(session, clock, pool, d, notifier)
    drawn = service.seated(session, section)
    tenderer = pool.room.world.tenderer
    assert len(drawn) == 5 and drawn[-1] == tenderer.user.id
    # Members other than the draw's are refused; so is a representative as chair.
    with pytest.raises(Invalid, match="专家抽取确定的成员"):
        service.open_evaluation(
            session,
            op,
            section_id=section.id,
            members=list(reversed(drawn)),
            chair=drawn[0],
            method=COMPREHENSIVE,
            clock=clock,
        )
    with pytest.raises(Invalid, match="组长须由评标委员会中的评标专家担任"):
        service.open_evaluation(
            session, op, section_id=section.id, chair=tenderer.user.id, method=COMPREHENSIVE, clock=clock
        )
    assert _evaluations(session) == 0
    e = service.open_evaluation(
        session,
        op,
        section_id=section.id,
        chair=drawn[1],  # the members chose the expert in seat 2
        method=COMPREHENSIVE,
        clock=clock,
        read_file=opened.archive_reader(files, opening_env),
    )
    members = queries.members(session, e.id)
    assert [m.user_id for m in members] == drawn
    assert [m.seat for m in members if m.is_chair] == [2]
    payload = json.loads(session.execute(select(Event).where(Event.type == "evaluation.opened")).scalar_one().payload)
    assert payload["draw"] == d.id and payload["representatives"] == 1 and payload["chair_seat"] == 2
    assert payload["direct_ground"] is None
    orgs = [b.org_id for b in queries.in_review(session, e.id)]
    people = {p.user.id: p for p in pool.experts}
    people[tenderer.user.id] = tenderer  # the representative scores as a member, in the tenderer's role
    for uid in drawn:
        service.submit_sheet(
            session, people[uid].actor, evaluation_id=e.id, sheet=a_sheet(COMPREHENSIVE, orgs, "8"), clock=clock
        )
    assert e.status == EvaluationStatus.SCORED.value
    service.sign_report(session, people[drawn[1]].actor, evaluation_id=e.id, clock=clock, files=files)
    assert e.status == EvaluationStatus.REPORTED.value and e.report_sha256
    assert experts.evaluation_ended(session, d)


def test_without_a_draw_the_room_needs_a_legal_ground(session: Session, clock: FixedClock, pool: Pool) -> None:
    op = pool.room.world.operator.actor
    ids = [p.user.id for p in pool.experts[:5]]
    with pytest.raises(RuleViolation, match="尚未抽取评标专家"):
        service.open_evaluation(
            session, op, section_id=pool.room.section.id, members=ids, chair=ids[0], method=COMPREHENSIVE, clock=clock
        )
    with pytest.raises(Invalid, match="不能以该依据"):
        service.open_evaluation(
            session,
            op,
            section_id=pool.room.section.id,
            members=ids,
            direct="single-source",
            chair=ids[0],
            method=COMPREHENSIVE,
            clock=clock,
        )
    assert _evaluations(session) == 0


def test_the_start_page_shows_seats_and_refuses_an_incomplete_draw(
    session: Session,
    clock: FixedClock,
    keys: Keys,
    pool: Pool,
    client: TestClient,
    anon_client: TestClient,
) -> None:
    notifier = MemoryNotifier()
    d = _calling(session, clock, keys, pool, notifier)
    session.commit()
    op = signed_in(client, pool.room.world.operator, clock)
    url = f"/sections/{pool.room.section.id}/evaluation"
    waiting = op.get(url)
    assert waiting.status_code == 200 and "席位1、2、3、4尚待专家答复" in waiting.text
    r = op.post(url, data={"csrf_token": csrf_from(waiting.text), "kind": "comprehensive", "chair_seat": "1"})
    assert r.status_code == 303 and "error=" in r.headers["location"]
    assert "尚待专家答复" in op.get(r.headers["location"]).text
    assert _evaluations(session) == 0
    _accept(session, clock, pool, d, notifier)
    session.commit()
    ready = op.get(url)
    drawn = service.seated(session, pool.room.section)
    first = next(p for p in pool.experts if p.user.id == drawn[0])
    assert "招标人代表" in ready.text and first.user.display_name in ready.text  # the operator sees names
    # The API takes the committee from the draw and the chair by seat.
    clock.advance(timedelta(seconds=31))  # a fresh second factor for the token
    headers = {"authorization": f"Bearer {token_for(anon_client, pool.room.world.operator, clock)}"}
    bad = anon_client.post(f"/api/v1{url}", json={"kind": "comprehensive", "chair_seat": 9}, headers=headers)
    assert bad.status_code == 422 and "没有席位9" in bad.json()["detail"]
    made = anon_client.post(f"/api/v1{url}", json={"kind": "comprehensive", "chair_seat": 3}, headers=headers)
    assert made.status_code == 201, made.text
    assert [m["chair"] for m in made.json()["members"]] == [False, False, True, False, False]
    room = op.get(f"/evaluations/{made.json()['id']}")
    assert "招标人代表（席位5）" in room.text and "专家3（组长）" in room.text
