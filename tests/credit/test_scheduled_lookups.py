"""Scheduled credit lookups: every organisation taking part in an open trade is looked up in each configured list
once a day, each lookup kept with its provenance like a manual one; a new hit on a bidder of an opened trade raises
an S01 alert; before the opening the lookup is sealed and shown nowhere."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ggzy.bidding import documents
from ggzy.bidding import keys as opening_keys
from ggzy.core.clock import FixedClock
from ggzy.core.events import Event, SealedEvent
from ggzy.core.files import FileStore
from ggzy.core.keys import Keys
from ggzy.credit import imports, queries, timers
from ggzy.credit.models import CreditLookup, CreditRecord
from ggzy.credit.sources import FakeSource, Hit
from ggzy.entities import queries as entities
from ggzy.entities.service import Identity
from ggzy.supervision.models import Alert
from ggzy.web.context import AppContext
from tests.award.builders import a_reported_section, published
from tests.trade import a_published_section, a_world


def tick(session: Session, ctx: AppContext, now: object) -> int:
    [source] = timers.sources(ctx)
    return sum(source.apply(session, key, now) for key in list(source.due(session, now)))  # type: ignore[arg-type]


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_nothing_is_looked_up_without_a_configured_source(
    session: Session,
    clock: FixedClock,
    ident: Identity,
    files: FileStore,
    opening_env: opening_keys.KeyEnv,
    app_ctx: AppContext,
) -> None:
    world = a_world(session, clock, ident, opening_env, bidders=1)
    section = a_published_section(session, clock, world, files, opening_env)
    documents.register(session, world.bidders[0].actor, section_id=section.id, clock=clock)
    assert tick(session, app_ctx, clock.now()) == 0 and count(session, CreditLookup) == 0


def test_registered_bidders_are_looked_up_daily_and_sealed_before_the_opening(
    session: Session,
    clock: FixedClock,
    ident: Identity,
    files: FileStore,
    opening_env: opening_keys.KeyEnv,
    app_ctx: AppContext,
) -> None:
    world = a_world(session, clock, ident, opening_env, bidders=2)
    section = a_published_section(session, clock, world, files, opening_env)
    bidder = world.bidders[0]
    documents.register(session, bidder.actor, section_id=section.id, clock=clock)
    debtors, tax = FakeSource("dishonest_debtors"), FakeSource("tax_offenders")
    app_ctx.extras[timers.EXTRA] = [debtors, tax]
    assert tick(session, app_ctx, clock.now()) == 2  # one per source, only the registered bidder
    assert tick(session, app_ctx, clock.now() + timedelta(hours=1)) == 0  # idempotent within the day
    code = entities.get_org(session, bidder.user.org_id).credit_code
    rows = list(session.scalars(select(CreditLookup).order_by(CreditLookup.source)))
    assert [(r.source, r.query, r.hit, r.section_id, r.by_user) for r in rows] == [
        ("dishonest_debtors", code, False, section.id, None),
        ("tax_offenders", code, False, section.id, None),
    ]
    for r in rows:  # the stored copy of the answer, its digest: "no hit" is kept as no hit
        stored = b"".join(files.read(r.copy_path))
        assert hashlib.sha256(stored).hexdigest() == r.digest and b'"results": []' in stored
    # before the opening nobody sees that it was looked up: sealed in the log, left out of the lookup list
    assert queries.lookups(session) == []
    public = select(func.count()).select_from(Event).where(Event.type == imports.LOOKED_UP)
    sealed = select(func.count()).select_from(SealedEvent).where(SealedEvent.type == imports.LOOKED_UP)
    assert session.scalar(public) == 0 and session.scalar(sealed) == 2
    # the next day it is looked up again; a new hit binds at once but raises no alert before the opening
    debtors.add(Hit(code, "某公司", "拒不履行生效法律文书", "（2026）豫07执9号", "2026-01-05"))
    clock.advance(timedelta(days=1))
    assert tick(session, app_ctx, clock.now()) == 2
    assert count(session, CreditRecord) == 1 and count(session, Alert) == 0
    assert count(session, CreditLookup) == 4


def test_a_new_hit_on_a_bidder_of_an_opened_trade_raises_one_alert(
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
    second = trade.candidate(2)
    code = entities.get_org(session, second.user.org_id).credit_code
    debtors = FakeSource("dishonest_debtors")
    app_ctx.extras[timers.EXTRA] = [debtors]
    bidders = len(trade.room.world.bidders)
    assert tick(session, app_ctx, clock.now()) == bidders and count(session, Alert) == 0
    assert len(queries.lookups(session)) == bidders  # opened: the lookups are shown
    debtors.add(Hit(code, "某公司", "拒不履行生效法律文书", "（2026）豫07执9号", "2026-01-05"))
    clock.advance(timedelta(days=1))
    assert tick(session, app_ctx, clock.now()) == bidders
    [alert] = list(session.scalars(select(Alert)))
    assert alert.flag_id == "S01" and alert.org_ids == second.user.org_id and alert.section_id == trade.section_id
    assert count(session, CreditRecord) == 1
    # the same entry found again the next day: no second record, no second alert
    clock.advance(timedelta(days=1))
    assert tick(session, app_ctx, clock.now()) == bidders
    assert count(session, CreditRecord) == 1 and count(session, Alert) == 1
    assert queries.sanctions_for(session, second.user.org_id, queries.TradeClass.STATE_WORKS, "410700", clock.now())
