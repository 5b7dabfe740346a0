"""The evaluation room: clearing at the opening of the room, independent sheets, the chair's signed report."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ggzy.bidding import keys as opening_keys
from ggzy.core.clock import FixedClock
from ggzy.core.errors import Conflict, Forbidden, Invalid, RuleViolation
from ggzy.core.events import Event
from ggzy.core.files import FileStore
from ggzy.core.keys import Keys
from ggzy.core.roles import Role
from ggzy.entities.service import Identity
from ggzy.evaluation import live, methods, opened, queries, service
from ggzy.evaluation.models import Evaluation, Member
from ggzy.evaluation.states import EvaluationStatus
from ggzy.supervision.models import Alert
from tests.builders import a_user
from tests.evaluation.builders import Room, a_bill, a_sheet, an_opened_section, direct_ground, tender_bill

COMPREHENSIVE = methods.preset(methods.Kind.COMPREHENSIVE)


@pytest.fixture
def room(
    session: Session, clock: FixedClock, ident: Identity, files: FileStore, opening_env: opening_keys.KeyEnv, keys: Keys
) -> Room:
    bids = [
        a_bill(("3.50", "420.00", "510.00")),
        a_bill(("3.60", "415.00", "505.00"), wrong_total={"010101001001": "4000.00"}),
        a_bill(("3.40", "430.00", "500.00"), drop=("010501001001",)),
        a_bill(("9.90", "421.00", "509.00"), wrong_total={"010101001001": "4000.00"}),
    ]
    return an_opened_section(session, clock, ident, files, opening_env, keys, bids)


def open_room(
    session: Session,
    clock: FixedClock,
    room: Room,
    files: FileStore,
    env: opening_keys.KeyEnv,
    *,
    method: methods.Method = COMPREHENSIVE,
    ceiling: str | None = "200000.00",
) -> Evaluation:
    return service.open_evaluation(
        session,
        room.world.operator.actor,
        section_id=room.section.id,
        members=[p.user.id for p in room.experts],
        direct=direct_ground(session, room.section),
        chair=room.experts[0].user.id,
        method=method,
        clock=clock,
        ceiling=Decimal(ceiling) if ceiling else None,
        tender_bill=tender_bill(),
        read_file=opened.archive_reader(files, env),
    )


def notes_of(session: Session, e: Evaluation) -> dict[str, list[str]]:
    return {b.name: [n["code"] for n in json.loads(b.notes)] for b in queries.bids(session, e.id)}


def test_clearing_finds_arithmetic_errors_missing_items_and_the_same_error_in_two_bids(
    session: Session, clock: FixedClock, room: Room, files: FileStore, opening_env: opening_keys.KeyEnv
) -> None:
    e = open_room(session, clock, room, files, opening_env)
    notes = sorted(notes_of(session, e).values())
    assert notes.count(["arithmetic", "arithmetic", "arithmetic", "same-error"]) == 2  # item, bill, form
    assert ["missing"] in notes
    assert [] in notes
    alert = session.execute(select(Alert).where(Alert.flag_id == "E01")).scalar_one()
    assert len(alert.org_ids.split()) == 2 and alert.section_id == room.section.id
    corrected = {b.name: b.evaluated for b in queries.bids(session, e.id)}
    assert sorted(corrected.values())[0] is not None


def test_a_bid_over_the_ceiling_is_rejected_at_clearing_citing_article_51(
    session: Session, clock: FixedClock, room: Room, files: FileStore, opening_env: opening_keys.KeyEnv
) -> None:
    e = open_room(session, clock, room, files, opening_env, ceiling="60500.00")
    out = [b for b in queries.bids(session, e.id) if b.excluded]
    assert out and all("第51条第（五）项" in b.reasons for b in out)
    assert len(queries.in_review(session, e.id)) == 4 - len(out)


def test_nobody_sees_a_sheet_before_all_have_submitted_then_the_chair_signs_the_report(
    session: Session, clock: FixedClock, room: Room, files: FileStore, opening_env: opening_keys.KeyEnv
) -> None:
    e = open_room(session, clock, room, files, opening_env)
    orgs = [b.org_id for b in queries.in_review(session, e.id)]
    first, *rest = room.experts
    service.submit_sheet(session, first.actor, evaluation_id=e.id, sheet=a_sheet(COMPREHENSIVE, orgs, "8"), clock=clock)
    assert queries.sheet_for(session, e, reader_id=first.user.id, member_id=first.user.id) is not None
    for reader in (rest[0].user.id, room.world.operator.user.id, None):
        assert queries.sheet_for(session, e, reader_id=reader, member_id=first.user.id) is None
    logged = session.execute(select(Event.payload).where(Event.type == service.SHEET_SUBMITTED)).scalar_one()
    assert "scores" not in logged and "sheet_sha256" in logged
    with pytest.raises(RuleViolation):
        service.sign_report(session, first.actor, evaluation_id=e.id, clock=clock, files=files)
    for p in rest:
        service.submit_sheet(session, p.actor, evaluation_id=e.id, sheet=a_sheet(COMPREHENSIVE, orgs, "7"), clock=clock)
    assert e.status == EvaluationStatus.SCORED.value
    assert queries.sheet_for(session, e, reader_id=None, member_id=first.user.id) is not None
    with pytest.raises(Forbidden, match="组长"):
        service.sign_report(session, rest[0].actor, evaluation_id=e.id, clock=clock, files=files)
    assert queries.final_ranking(session, room.section.id) == []
    service.sign_report(session, first.actor, evaluation_id=e.id, clock=clock, files=files)
    ranking = queries.final_ranking(session, room.section.id)
    assert [c.rank for c in ranking] == [1, 2, 3]
    assert all(c.report_sha256 == e.report_sha256 for c in ranking)
    pdf = files.path(e.report_path or "").read_bytes()
    assert pdf.startswith(b"%PDF")
    signed = session.execute(select(Event.payload).where(Event.type == service.REPORT_SIGNED)).scalar_one()
    assert e.report_sha256 in signed


def test_out_of_range_a_second_submission_and_a_stranger_are_refused_and_change_nothing(
    session: Session,
    clock: FixedClock,
    ident: Identity,
    room: Room,
    files: FileStore,
    opening_env: opening_keys.KeyEnv,
) -> None:
    e = open_room(session, clock, room, files, opening_env)
    orgs = [b.org_id for b in queries.in_review(session, e.id)]
    expert = room.experts[1]
    bad = a_sheet(COMPREHENSIVE, orgs, "8")
    bad.scores[orgs[0]]["t1"] = Decimal(31)
    with pytest.raises(Invalid, match="超出范围"):
        service.submit_sheet(session, expert.actor, evaluation_id=e.id, sheet=bad, clock=clock)
    assert session.get(Member, (e.id, expert.user.id)).submitted_at is None  # type: ignore[union-attr]
    service.submit_sheet(session, expert.actor, evaluation_id=e.id, sheet=a_sheet(COMPREHENSIVE, orgs), clock=clock)
    before = session.execute(select(func.count()).select_from(Event)).scalar_one()
    with pytest.raises(Conflict, match="不能重复提交"):
        service.submit_sheet(
            session, expert.actor, evaluation_id=e.id, sheet=a_sheet(COMPREHENSIVE, orgs, "1"), clock=clock
        )
    with pytest.raises(Forbidden, match="无权执行"):
        service.submit_sheet(
            session, room.world.bidders[0].actor, evaluation_id=e.id, sheet=a_sheet(COMPREHENSIVE, orgs), clock=clock
        )
    stranger = a_user(session, clock, ident, role=Role.EXPERT)
    before = session.execute(select(func.count()).select_from(Event)).scalar_one()
    with pytest.raises(Forbidden, match="不是本次评标委员会成员"):
        service.submit_sheet(
            session, stranger.actor, evaluation_id=e.id, sheet=a_sheet(COMPREHENSIVE, orgs), clock=clock
        )
    assert session.execute(select(func.count()).select_from(Event)).scalar_one() == before


def test_an_expert_far_from_the_others_is_flagged_to_the_chair_and_to_supervision(
    session: Session, clock: FixedClock, room: Room, files: FileStore, opening_env: opening_keys.KeyEnv
) -> None:
    e = open_room(session, clock, room, files, opening_env)
    orgs = [b.org_id for b in queries.in_review(session, e.id)]
    for i, p in enumerate(room.experts):
        score = "1" if i == 2 else "9"
        service.submit_sheet(
            session, p.actor, evaluation_id=e.id, sheet=a_sheet(COMPREHENSIVE, orgs, score), clock=clock
        )
    flags = json.loads(e.result or "{}")["outliers"]
    assert {f["seat"] for f in flags} == {3}
    assert session.execute(select(Alert).where(Alert.flag_id == "E03")).scalar_one().section_id == room.section.id


def test_a_committee_of_four_or_of_non_experts_is_refused(
    session: Session, clock: FixedClock, room: Room, files: FileStore, opening_env: opening_keys.KeyEnv
) -> None:
    with pytest.raises(RuleViolation, match="5人以上单数"):
        service.open_evaluation(
            session,
            room.world.operator.actor,
            section_id=room.section.id,
            members=[p.user.id for p in room.experts[:4]],
            direct=direct_ground(session, room.section),
            chair=room.experts[0].user.id,
            method=COMPREHENSIVE,
            clock=clock,
        )
    with pytest.raises(Invalid, match="评标专家"):
        service.open_evaluation(
            session,
            room.world.operator.actor,
            section_id=room.section.id,
            members=[p.user.id for p in room.experts[:4]] + [room.world.bidders[0].user.id],
            direct=direct_ground(session, room.section),
            chair=room.experts[0].user.id,
            method=COMPREHENSIVE,
            clock=clock,
        )
    assert session.execute(select(func.count()).select_from(Evaluation)).scalar_one() == 0


def test_the_live_view_shows_progress_by_seat_and_no_score_or_name_before_all_have_submitted(
    session: Session, clock: FixedClock, room: Room, files: FileStore, opening_env: opening_keys.KeyEnv
) -> None:
    e = open_room(session, clock, room, files, opening_env)
    orgs = [b.org_id for b in queries.in_review(session, e.id)]
    service.submit_sheet(
        session, room.experts[0].actor, evaluation_id=e.id, sheet=a_sheet(COMPREHENSIVE, orgs, "8.25"), clock=clock
    )
    snap = live.snapshot(session, e)
    text = json.dumps(snap, ensure_ascii=False)
    assert snap["submitted"] == 1 and snap["ranking"] == []
    assert "8.25" not in text and all(p.user.display_name not in text for p in room.experts)
    assert any("专家1" in t["label"] for t in snap["timeline"])
    assert service.ensure_watch(session, room.world.supervisor.actor, section_id=room.section.id) is not None
    with pytest.raises(Forbidden):
        service.ensure_watch(session, room.experts[1].actor, section_id=room.section.id)
