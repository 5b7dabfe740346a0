"""Training mode (培训模式, issue 10 item 7): periods shortened in one place, recorded in the database, a banner."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from ggzy.bidding.keys import KeyEnv
from ggzy.cli import main
from ggzy.core import training
from ggzy.core.clock import FixedClock
from ggzy.core.db import Database
from ggzy.core.errors import RuleViolation
from ggzy.core.events import Event
from ggzy.core.files import FileStore
from ggzy.entities.service import Identity
from ggzy.projects import publication, queries
from ggzy.rules.procedures import Method, procedure
from ggzy.web.app import check_mode, create_app
from ggzy.web.context import AppContext
from tests.dbserver import DbServer
from tests.projects.test_publication import publish
from tests.trade import World, a_project, a_published_section, a_world

FACTOR = training.DEMO_FACTOR  # a day becomes a minute


@pytest.fixture
def world(session: Session, clock: FixedClock, ident: Identity, opening_env: KeyEnv) -> World:
    return a_world(session, clock, ident, opening_env)


def training_db(session: Session, clock: FixedClock, factor: int = FACTOR) -> None:
    assert training.ensure_mode(session, wanted=factor, has_trades=False, clock=clock) == factor


def test_the_factor_shortens_a_period_in_proportion_and_only_in_training(clock: FixedClock) -> None:
    period = procedure(Method.OPEN_TENDER).bid_period  # 20 days (招标投标法 art. 24)
    now = clock.now()
    real = period.earliest_at(now)
    assert real.date() >= (now + timedelta(days=19)).date()
    short = period.earliest_at(now, factor=FACTOR)
    assert short - now == (real - now) / FACTOR
    assert timedelta(minutes=19) < short - now < timedelta(minutes=21)
    assert training.accelerate(now, real, training.REAL) == real


def test_a_training_database_accepts_a_deadline_in_minutes_and_still_refuses_one_too_short(
    session: Session, clock: FixedClock, world: World, files: FileStore, opening_env: KeyEnv
) -> None:
    section = queries.sections_of(session, a_project(session, clock, world).id)[0]
    with pytest.raises(RuleViolation, match="不得早于"):  # real mode: 20 days
        publish(session, clock, world, files, opening_env, section.id, deadline=clock.now() + timedelta(minutes=30))
    training_db(session, clock)
    with pytest.raises(RuleViolation, match="培训模式"):
        publish(session, clock, world, files, opening_env, section.id, deadline=clock.now() + timedelta(minutes=10))
    publish(session, clock, world, files, opening_env, section.id, deadline=clock.now() + timedelta(minutes=30))
    assert queries.get_section(session, section.id).status == "bidding"


def test_a_late_clarification_moves_the_deadline_by_the_shortened_period(
    session: Session, clock: FixedClock, world: World, files: FileStore, opening_env: KeyEnv
) -> None:
    training_db(session, clock)
    section = a_published_section(session, clock, world, files, opening_env, days=2)  # 2 days ≫ 20 minutes
    clock.advance(timedelta(days=1, hours=23, minutes=55))
    publication.clarify(
        session,
        world.tenderer.actor,
        section_id=section.id,
        title="关于招标文件的澄清",
        body="修改工程量清单",
        clock=clock,
    )
    deadline = queries.get_section(session, section.id).bid_deadline
    assert deadline is not None
    lead = clock.now() + timedelta(days=15) / FACTOR  # 条例 art. 21: 15 days → 15 minutes
    assert lead <= deadline <= lead + timedelta(minutes=2)


def test_the_mode_is_recorded_once_and_never_mixed(session: Session, clock: FixedClock) -> None:
    assert training.factor(session) == training.REAL
    assert training.ensure_mode(session, wanted=training.REAL, has_trades=True, clock=clock) == training.REAL
    with pytest.raises(training.ModeMismatch, match="正式模式办理的交易"):
        training.ensure_mode(session, wanted=FACTOR, has_trades=True, clock=clock)
    training_db(session, clock)
    assert training.factor(session) == FACTOR
    recorded = session.scalars(select(Event).where(Event.type == training.TRAINING_RECORDED)).all()
    assert len(recorded) == 1 and '"factor":1440' in recorded[0].payload
    assert training.ensure_mode(session, wanted=FACTOR, has_trades=True, clock=clock) == FACTOR
    with pytest.raises(training.ModeMismatch, match="GGZY_TRAINING_FACTOR=1440"):
        training.ensure_mode(session, wanted=training.REAL, has_trades=True, clock=clock)
    with pytest.raises(training.ModeMismatch, match="GGZY_TRAINING_FACTOR=1440"):
        training.ensure_mode(session, wanted=60, has_trades=True, clock=clock)


def _training_ctx(app_ctx: AppContext, factor: int) -> AppContext:
    from dataclasses import replace

    return replace(app_ctx, settings=app_ctx.settings.model_copy(update={"training_factor": factor}))


def test_a_server_in_training_mode_refuses_a_database_with_real_trades(
    app_ctx: AppContext, session: Session, clock: FixedClock, world: World
) -> None:
    a_project(session, clock, world)
    session.commit()
    ctx = _training_ctx(app_ctx, FACTOR)
    with pytest.raises(training.ModeMismatch), TestClient(create_app(ctx)):
        pass
    assert training.factor(session) == training.REAL


@pytest.fixture
def training_client(app_ctx: AppContext) -> Iterator[TestClient]:
    with TestClient(create_app(_training_ctx(app_ctx, FACTOR)), base_url="https://testserver") as c:
        yield c


@pytest.mark.parametrize("path", ["/", "/notices", "/rules", "/login", "/no-such-page"])
def test_every_page_shows_the_banner_in_training_mode(training_client: TestClient, session: Session, path: str) -> None:
    r = training_client.get(path)
    assert 'data-testid="training-banner"' in r.text and "培训模式" in r.text and "1/1440" in r.text
    assert training.factor(session) == FACTOR  # the server recorded the mode at start


@pytest.mark.parametrize("path", ["/", "/no-such-page"])
def test_no_banner_for_real(client: TestClient, path: str) -> None:
    assert 'data-testid="training-banner"' not in client.get(path).text


def test_a_training_database_refuses_to_run_for_real(fresh_db: Database, app_ctx: AppContext) -> None:
    from dataclasses import replace

    ctx = replace(_training_ctx(app_ctx, FACTOR), db=fresh_db)
    assert check_mode(ctx) == FACTOR
    with pytest.raises(training.ModeMismatch, match="培训数据库"):
        check_mode(replace(ctx, settings=app_ctx.settings))


def test_the_demo_starts_in_training_mode_and_the_database_keeps_it(dbserver: DbServer, tmp_path: Path) -> None:
    url = dbserver.clone()
    env = {
        "GGZY_DATABASE_URL": url,
        "GGZY_VAR_DIR": str(tmp_path / "var"),
        "GGZY_ARGON2_MEMORY_KIB": "256",
        "GGZY_ARGON2_TIME_COST": "1",
    }
    runner = CliRunner()
    try:
        r = runner.invoke(main, ["demo", "--training"], env=env)
        assert r.exit_code == 0, r.output
        assert "培训模式" in r.output and "GGZY_TRAINING_FACTOR=1440" in r.output
        r = runner.invoke(main, ["tick"], env=env)  # for real: refused
        assert r.exit_code != 0 and "培训数据库" in r.output
        r = runner.invoke(main, ["tick"], env={**env, "GGZY_TRAINING_FACTOR": "1440"})
        assert r.exit_code == 0 and "failed=0" in r.output, r.output
        r = runner.invoke(main, ["audit", "verify"], env=env)
        assert r.exit_code == 0 and "日志完好" in r.output, r.output
    finally:
        dbserver.drop(url)
