"""The clocks after the award: an overdue report, contract or answer is flagged once by the tick; a terminated
trade's dossier is sealed; procurement's own clocks (no minimum publicity, the contract notice's 2 working days)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ggzy.award import archive, contracts, queries, service, timers
from ggzy.award.verify import verify
from ggzy.bidding import keys as opening_keys
from ggzy.cases import service as case_service
from ggzy.cases import timers as case_timers
from ggzy.core.clock import FixedClock
from ggzy.core.errors import RuleViolation
from ggzy.core.events import Event
from ggzy.core.files import FileStore
from ggzy.core.keys import Keys
from ggzy.core.notify import MemoryNotifier
from ggzy.entities.service import Identity
from ggzy.projects import queries as projects
from ggzy.projects import service as project_verbs
from ggzy.rules.procedures import Method as Procedure
from ggzy.supervision.models import Alert
from ggzy.web.context import AppContext
from tests.award.builders import a_reported_section, after_publicity, published


def _source(ctx: AppContext, name: str) -> timers.DueSource:
    return next(s for s in [*timers.sources(ctx), *case_timers.sources(ctx)] if s.name == name)


def _tick(session: Session, ctx: AppContext, name: str) -> int:
    source = _source(ctx, name)
    return sum(source.apply(session, key, ctx.clock.now()) for key in list(source.due(session, ctx.clock.now())))


def alerts(session: Session, flag: str) -> int:
    return int(session.execute(select(func.count()).select_from(Alert).where(Alert.flag_id == flag)).scalar_one())


def test_an_overdue_report_and_contract_are_flagged_once(
    session: Session,
    clock: FixedClock,
    ident: Identity,
    files: FileStore,
    opening_env: opening_keys.KeyEnv,
    keys: Keys,
    app_ctx: AppContext,
) -> None:
    trade = a_reported_section(session, clock, ident, files, opening_env, keys)
    a = published(session, clock, trade)
    after_publicity(clock, a)
    service.award(
        session,
        trade.tenderer.actor,
        section_id=trade.section_id,
        winner_org_id=trade.candidate(1).user.org_id,
        clock=clock,
        files=files,
        notifier=MemoryNotifier(),
    )
    assert a.report_due_at is not None and a.contract_due_at is not None and a.report_due_at < a.contract_due_at
    assert _tick(session, app_ctx, "award.deadlines") == 0
    clock.set(a.report_due_at + timedelta(minutes=1))
    assert _tick(session, app_ctx, "award.deadlines") == 1
    assert a.report_overdue and not a.contract_overdue and alerts(session, "D03") == 1
    assert a.next_due_at == a.contract_due_at
    clock.set(a.contract_due_at + timedelta(minutes=1))
    assert _tick(session, app_ctx, "award.deadlines") == 1
    assert a.contract_overdue and alerts(session, "D04") == 1 and a.next_due_at is None
    assert _tick(session, app_ctx, "award.deadlines") == 0
    late = service.report_to_supervisor(
        session, trade.tenderer.actor, section_id=trade.section_id, text="报告", clock=clock
    )
    assert late.report_overdue and late.reported_at is not None


def test_an_unanswered_objection_is_flagged_at_its_due_time(
    session: Session,
    clock: FixedClock,
    ident: Identity,
    files: FileStore,
    opening_env: opening_keys.KeyEnv,
    keys: Keys,
    app_ctx: AppContext,
) -> None:
    trade = a_reported_section(session, clock, ident, files, opening_env, keys)
    published(session, clock, trade)
    o = service.file_objection(session, trade.candidate(2).actor, section_id=trade.section_id, text="异议", clock=clock)
    assert o.next_due_at is not None
    clock.set(o.next_due_at + timedelta(seconds=1))
    assert _tick(session, app_ctx, "cases.late_acts") == 1  # the objection is a case: the cases tick records it
    session.refresh(o)
    assert o.late_recorded == "answer" and o.answered_at is None and alerts(session, "K01") == 1
    assert session.execute(select(Event).where(Event.type == case_service.ACT_LATE)).scalar_one()
    assert _tick(session, app_ctx, "cases.late_acts") == 0


def test_a_terminated_trade_is_sealed_by_the_tick(
    session: Session,
    clock: FixedClock,
    ident: Identity,
    files: FileStore,
    opening_env: opening_keys.KeyEnv,
    keys: Keys,
    app_ctx: AppContext,
    tmp_path: Path,
) -> None:
    from tests.trade import a_project, a_published_section, a_world

    world = a_world(session, clock, ident, opening_env)
    project = a_project(session, clock, world)
    section = a_published_section(session, clock, world, files, opening_env, project=project)
    project_verbs.terminate(session, world.tenderer.actor, project_id=project.id, reason="项目取消", clock=clock)
    out = tmp_path / "terminated.zip"

    def export() -> None:
        archive.export(
            session,
            project_code=project.code,
            out=out,
            files=files,
            env=opening_env,
            keys=keys,
            origin="t",
            clock=clock,
        )

    with pytest.raises(RuleViolation, match="尚未封存"):
        export()
    assert _tick(session, app_ctx, "award.archive_terminated") >= 1
    export()
    assert verify(out).ok
    d = queries.dossier_of(session, section.id)
    assert d is not None and d.files >= 2  # the tender notice, the termination notice, the documents
    assert projects.get_section(session, section.id).status == "terminated"


def test_procurement_awards_without_a_minimum_publicity_and_sets_the_contract_notice_due(
    session: Session, clock: FixedClock, ident: Identity, files: FileStore, opening_env: opening_keys.KeyEnv, keys: Keys
) -> None:
    trade = a_reported_section(session, clock, ident, files, opening_env, keys, procedure=Procedure.GP_OPEN_TENDER)
    a = published(session, clock, trade)
    assert a.regime == "procurement" and a.publicity_ends_at == a.published_at
    winner = trade.candidate(1)
    service.award(
        session,
        trade.tenderer.actor,
        section_id=trade.section_id,
        winner_org_id=winner.user.org_id,
        clock=clock,
        files=files,
        notifier=MemoryNotifier(),
    )
    assert a.report_due_at is None and a.contract_due_at is not None
    contracts.create_contract(
        session,
        trade.tenderer.actor,
        section_id=trade.section_id,
        amount=str(a.winner_price),
        security="0",
        clock=clock,
        files=files,
    )
    contracts.sign_contract(session, trade.tenderer.actor, section_id=trade.section_id, clock=clock)
    c = contracts.sign_contract(session, winner.actor, section_id=trade.section_id, clock=clock)
    assert c.publish_due_at is not None and c.publish_due_at > c.signed_at  # type: ignore[operator]


def test_in_training_mode_the_publicity_and_the_contract_clock_are_shortened_by_the_factor(
    session: Session, clock: FixedClock, ident: Identity, files: FileStore, opening_env: opening_keys.KeyEnv, keys: Keys
) -> None:
    from ggzy.core.training import DEMO_FACTOR, PlatformMode

    trade = a_reported_section(session, clock, ident, files, opening_env, keys)
    session.add(PlatformMode(id=1, training_factor=DEMO_FACTOR, recorded_at=clock.now()))
    session.flush()
    a = published(session, clock, trade)
    assert timedelta(0) < a.publicity_ends_at - a.published_at < timedelta(minutes=5)  # 3 days ÷ 1440
    after_publicity(clock, a)
    service.award(
        session,
        trade.tenderer.actor,
        section_id=trade.section_id,
        winner_org_id=trade.candidate(1).user.org_id,
        clock=clock,
        files=files,
        notifier=MemoryNotifier(),
    )
    assert a.contract_due_at is not None and a.awarded_at is not None
    assert a.contract_due_at - a.awarded_at < timedelta(minutes=35)  # 30 days ÷ 1440


def test_the_supervisor_sees_a_received_report_on_the_workbench(
    session: Session, clock: FixedClock, ident: Identity, files: FileStore, opening_env: opening_keys.KeyEnv, keys: Keys
) -> None:
    from ggzy.award.workbench import due_items

    trade = a_reported_section(session, clock, ident, files, opening_env, keys)
    a = published(session, clock, trade)
    after_publicity(clock, a)
    service.award(
        session,
        trade.tenderer.actor,
        section_id=trade.section_id,
        winner_org_id=trade.candidate(1).user.org_id,
        clock=clock,
        files=files,
        notifier=MemoryNotifier(),
    )
    supervisor = trade.room.world.supervisor.actor
    assert not [i for i in due_items(session, supervisor, clock.now()) if "书面报告" in i.title]
    service.report_to_supervisor(
        session, trade.tenderer.actor, section_id=trade.section_id, text="情况报告", clock=clock
    )
    titles = [i.title for i in due_items(session, supervisor, clock.now())]
    assert any(t.startswith("审阅招标投标情况书面报告") for t in titles)


def test_a_procurement_winner_decided_after_five_working_days_is_flagged(
    session: Session, clock: FixedClock, ident: Identity, files: FileStore, opening_env: opening_keys.KeyEnv, keys: Keys
) -> None:
    trade = a_reported_section(session, clock, ident, files, opening_env, keys, procedure=Procedure.GP_OPEN_TENDER)
    clock.advance(timedelta(days=10))  # beyond 5 working days of the report, whatever the holidays
    published(session, clock, trade)
    service.award(
        session,
        trade.tenderer.actor,
        section_id=trade.section_id,
        winner_org_id=trade.candidate(1).user.org_id,
        clock=clock,
        files=files,
        notifier=MemoryNotifier(),
    )
    assert session.execute(select(Event).where(Event.type == service.AWARD_LATE)).scalar_one()
    assert alerts(session, "D06") == 1 and alerts(session, "D01") == 1
