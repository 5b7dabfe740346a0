"""The monitoring board (实时监测, issue 13 item 7): a regulator sees its own sector only — the filter cannot widen
it, on the page or through the API —; the next legal deadline and what is overdue follow the fixed clock; the
sector, region and procedure filters narrow the trades and the alerts; committed events wake open boards."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from ggzy.bidding.keys import KeyEnv
from ggzy.core import holds
from ggzy.core.actor import system
from ggzy.core.clock import FixedClock
from ggzy.core.errors import Forbidden, Invalid
from ggzy.core.events import LoggedEvent
from ggzy.core.files import FileStore
from ggzy.core.keys import Keys
from ggzy.core.pubsub import InProcessBus
from ggzy.core.roles import Role, Sector
from ggzy.entities.service import Identity
from ggzy.projects.models import Section
from ggzy.supervision import board, service
from tests.builders import Person, a_user, signed_in
from tests.conftest import START, Statements
from tests.supervision.test_alerts import finding
from tests.trade import World, a_project, a_published_section, a_world
from tests.web.test_query_counts import few_then_many


@pytest.fixture
def world(session: Session, clock: FixedClock, ident: Identity, opening_env: KeyEnv) -> World:
    return a_world(session, clock, ident, opening_env)


def _section(
    session: Session,
    clock: FixedClock,
    world: World,
    files: FileStore,
    env: KeyEnv,
    *,
    sector: Sector = Sector.HOUSING,
    days: int = 21,
) -> Section:
    project = a_project(session, clock, world)
    project.sector = sector.value
    project.name = f"新乡市{sector.label}测试工程"
    return a_published_section(session, clock, world, files, env, days=days, project=project)


def _regulator(session: Session, clock: FixedClock, ident: Identity, sector: Sector) -> Person:
    return a_user(session, clock, ident, role=Role.SECTOR_SUPERVISOR, sector=sector)


def test_a_regulator_sees_only_its_sector_and_the_filter_cannot_widen_it(
    session: Session, clock: FixedClock, ident: Identity, world: World, files: FileStore, opening_env: KeyEnv
) -> None:
    house = _section(session, clock, world, files, opening_env, sector=Sector.HOUSING)
    water = _section(session, clock, world, files, opening_env, sector=Sector.WATER)
    housing = _regulator(session, clock, ident, Sector.HOUSING)
    b = board.build(session, housing.actor, now=clock.now())
    assert [r.section_id for r in b.rows] == [house.id] and b.sectors == {"housing"}
    with pytest.raises(Forbidden, match="本行业"):
        board.build(session, housing.actor, now=clock.now(), filters=board.Filters.parse(sector="water"))
    office = board.build(session, world.supervisor.actor, now=clock.now())
    assert {r.section_id for r in office.rows} == {house.id, water.id} and office.sectors is None
    only_water = board.build(session, world.supervisor.actor, now=clock.now(), filters=board.Filters(sector="water"))
    assert [r.section_id for r in only_water.rows] == [water.id]
    with pytest.raises(Forbidden):
        board.build(session, world.bidders[0].actor, now=clock.now())
    with pytest.raises(Invalid, match="行业"):
        board.Filters.parse(sector="nowhere")
    with pytest.raises(Invalid, match="6位"):
        board.Filters.parse(region="4107")
    with pytest.raises(Invalid, match="交易方式"):
        board.Filters.parse(procedure="auction")
    assert [v for v, _ in board.sector_choices(housing.actor)] == ["housing"]


def test_the_next_deadline_time_left_and_overdue_follow_the_clock(
    session: Session, clock: FixedClock, ident: Identity, world: World, files: FileStore, opening_env: KeyEnv
) -> None:
    section = _section(session, clock, world, files, opening_env, days=21)
    office = world.supervisor.actor
    [row] = board.build(session, office, now=clock.now()).rows
    assert (row.stage, row.step) == ("投标中", "接受投标")
    assert row.due is not None and row.due.label == "投标截止" and row.due.at == section.bid_deadline
    assert not row.overdue and "第" in row.due.basis  # the article that sets the period
    assert board.time_left(row.due.at, clock.now()) == "剩余 21天0小时"
    assert section.bid_deadline is not None
    later = section.bid_deadline + timedelta(hours=5, minutes=12)  # the tick has not yet closed the bidding
    b = board.build(session, office, now=later)
    assert b.rows[0].overdue and b.counts()["overdue"] == 1
    assert board.time_left(b.rows[0].due.at, later) == "已逾期 5小时12分"  # type: ignore[union-attr]
    section.status = "closed"  # the deadline passed: the opening is due at the same time
    [closed] = board.build(session, office, now=later).rows
    assert closed.due is not None and closed.due.label.startswith("开标") and closed.overdue
    holds.place(
        session,
        system(),
        section_id=section.id,
        steps={holds.Step.OPENING},
        case_number="新住建投〔2026〕1号",
        reason="投诉处理",
        clock=clock,
    )
    [held] = board.build(session, office, now=later).rows
    assert "新住建投〔2026〕1号" in held.held and not held.overdue, "a held trade's period is suspended"


def test_today_s_openings_and_the_counts_by_stage(
    session: Session, clock: FixedClock, ident: Identity, world: World, files: FileStore, opening_env: KeyEnv
) -> None:
    soon = _section(session, clock, world, files, opening_env, days=21)
    _section(session, clock, world, files, opening_env, days=30)
    office = world.supervisor.actor
    assert board.build(session, office, now=clock.now()).openings == []
    assert soon.bid_deadline is not None
    on_the_day = soon.bid_deadline - timedelta(hours=1)
    b = board.build(session, office, now=on_the_day)
    assert [t.section_id for t in b.openings] == [soon.id]
    assert b.counts() == {"in_progress": 2, "overdue": 0, "openings": 1, "evaluations": 0, "new_alerts": 0}
    assert b.by_stage == [("投标中", 2)]
    assert b.rows[0].section_id == soon.id, "the nearest deadline first"


def test_filters_narrow_trades_and_alerts_by_sector_region_and_procedure(
    session: Session, clock: FixedClock, ident: Identity, world: World, files: FileStore, opening_env: KeyEnv
) -> None:
    section = _section(session, clock, world, files, opening_env)
    region = board.build(session, world.supervisor.actor, now=clock.now()).rows[0].region
    service.raise_alert(
        session,
        finding(sector="housing", region=region, section_id=section.id, project_id=section.project_id),
        clock=clock,
    )
    service.raise_alert(session, finding(sector="water", region="330100", section_id="x"), clock=clock)
    office = world.supervisor.actor

    def seen(**kw: str) -> tuple[int, int]:
        b = board.build(session, office, now=clock.now(), filters=board.Filters.parse(**kw))
        return len(b.rows), b.new_alerts

    assert seen() == (1, 2)
    assert seen(region=region) == (1, 1)
    assert seen(region=region[:4] + "00") == (1, 1), "a city includes its districts"
    assert seen(region="330100") == (0, 1)
    assert seen(procedure="open_tender") == (1, 1)
    assert seen(procedure="negotiation") == (0, 0)
    assert seen(sector="water") == (0, 1)
    housing = _regulator(session, clock, ident, Sector.HOUSING)
    b = board.build(session, housing.actor, now=clock.now())
    assert (b.new_alerts, b.new_today, [a.sector for a in b.alerts]) == (1, 1, ["housing"])


def test_committed_events_wake_the_boards_with_scopes_only() -> None:
    bus = InProcessBus()
    listener = board.forwarder(bus)
    with bus.subscribe(board.CHANNEL) as sub:
        ev = LoggedEvent(
            seq=1,
            id="e",
            at=START,
            type="supervision.alert_raised",
            actor_id=None,
            role="system",
            org_id=None,
            ip=None,
            subject_type="alert",
            subject_id="a",
            scope_id="s1",
            refs="{}",
            payload='{"secret": "never forwarded"}',
            digest="",
        )
        listener([ev, ev])
        assert sub.get(1.0) == {"type": "changed", "scopes": ["s1"]}
        assert sub.get(0.05) is None, "one message per commit"


def test_the_page_and_the_api_refuse_another_sector_from_outside(
    client: TestClient,
    session: Session,
    clock: FixedClock,
    ident: Identity,
    world: World,
    files: FileStore,
    opening_env: KeyEnv,
) -> None:
    _section(session, clock, world, files, opening_env, sector=Sector.HOUSING)
    _section(session, clock, world, files, opening_env, sector=Sector.WATER)
    water = _regulator(session, clock, ident, Sector.WATER)
    session.commit()
    signed_in(client, water, clock)
    page = client.get("/supervision/board")
    assert page.status_code == 200 and "新乡市水利测试工程" in page.text
    assert "新乡市住房和城乡建设测试工程" not in page.text
    assert 'data-events="/supervision/board/stream"' in page.text and "<svg" in page.text
    assert 'href="/supervision/board"' in page.text, "in the regulator's menu"
    for path in ("/supervision/board?sector=housing", "/supervision/board/stream?sector=housing"):
        refused = client.get(path)
        assert refused.status_code == 403 and "新乡市住房和城乡建设测试工程" not in refused.text
    narrowed = client.get("/supervision/board", params={"region": "410700", "procedure": "open_tender"})
    assert 'data-events="/supervision/board/stream?region=410700&amp;procedure=open_tender"' in narrowed.text
    assert client.get("/supervision/board", params={"procedure": "auction"}).status_code in (400, 422)
    api = client.get("/api/v1/supervision/board")
    assert api.status_code == 200
    body = api.json()
    assert [t["project"] for t in body["trades"]] == ["新乡市水利测试工程"] and body["sectors"] == ["water"]
    assert body["trades"][0]["due"]["left"] == "剩余 21天0小时" and body["counts"]["in_progress"] == 1
    assert body["trades"][0]["timeline"].startswith("/projects/")
    other = client.get("/api/v1/supervision/board", params={"sector": "housing"})
    assert other.status_code == 403 and other.headers["content-type"].startswith("application/problem+json")
    assert client.get("/api/v1/supervision/board", params={"region": "41"}).status_code == 422


def test_the_board_reads_a_fixed_number_of_statements_however_many_trades(
    client: TestClient,
    statements: Statements,
    session: Session,
    clock: FixedClock,
    world: World,
    files: FileStore,
    opening_env: KeyEnv,
) -> None:
    session.commit()
    signed_in(client, world.supervisor, clock)
    made = iter(range(1000))

    def add(n: int) -> None:
        for _ in range(n):
            i = next(made)
            s = _section(session, clock, world, files, opening_env, days=21 + i % 5)
            service.raise_alert(
                session, finding(sector="housing", section_id=s.id, project_id=s.project_id), clock=clock
            )

    few_then_many(client, statements, session, "/supervision/board", add, 20)


def test_after_the_opening_the_deadlines_are_the_award_s(
    session: Session,
    clock: FixedClock,
    ident: Identity,
    files: FileStore,
    opening_env: KeyEnv,
    keys: Keys,
) -> None:
    from ggzy.award import service as award
    from ggzy.core.notify import MemoryNotifier
    from tests.award.builders import a_reported_section, after_publicity, published

    trade = a_reported_section(session, clock, ident, files, opening_env, keys)
    office = trade.room.world.supervisor.actor

    def row() -> board.Row:
        return next(r for r in board.build(session, office, now=clock.now()).rows if r.section_id == trade.section_id)

    b = board.build(session, office, now=clock.now())
    assert [t.section_id for t in b.evaluations] == [trade.section_id], "the room was opened today"
    r = row()
    assert (r.stage, r.step) == ("已开标", "待公示中标候选人")
    assert r.due is not None and r.due.label == "公示中标候选人" and "第54条" in r.due.basis and not r.overdue
    a = published(session, clock, trade)
    r = row()
    assert (r.stage, r.due) == (
        "中标候选人公示中",
        board.Due("公示期满，可定标", a.publicity_ends_at, r.due.basis, False, False),
    )  # type: ignore[union-attr]
    after_publicity(clock, a)
    assert not row().overdue and board.time_left(a.publicity_ends_at, clock.now(), deadline=False) == "已届满"
    award.award(
        session,
        trade.tenderer.actor,
        section_id=trade.section_id,
        winner_org_id=trade.candidate(1).user.org_id,
        clock=clock,
        files=files,
        notifier=MemoryNotifier(),
    )
    r = row()
    assert r.stage == "已定标" and r.due is not None and r.due.label == "向监督部门提交书面报告"  # 15 days before 30
    clock.advance(timedelta(days=16))
    assert row().overdue
