"""A case's clocks across National Day 2026 (1–7 Oct off, Sat 10 Oct worked): works and procurement."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from ggzy.bidding import keys as opening_keys
from ggzy.cases import complaints, queries, service
from ggzy.cases.states import ClockKind, Matter
from ggzy.core.clock import SHANGHAI, FixedClock
from ggzy.core.files import FileStore
from ggzy.core.roles import Sector
from ggzy.entities.service import Identity
from ggzy.rules.catalog import Category
from ggzy.rules.procedures import Method
from tests.cases.conftest import download_documents, regulator
from tests.trade import a_project, a_published_section, a_world


def test_works_and_procurement_clocks_across_national_day(
    session: Session, clock: FixedClock, ident: Identity, files: FileStore, opening_env: opening_keys.KeyEnv
) -> None:
    clock.set(dt.datetime(2026, 9, 14, 9, 0, tzinfo=SHANGHAI))
    world = a_world(session, clock, ident, opening_env, bidders=2)
    works = a_published_section(session, clock, world, files, opening_env, days=40)
    gp_project = a_project(
        session, clock, world, method=Method.GP_OPEN_TENDER, category=Category.GP_GOODS, estimate="6000000.00"
    )
    gp = a_published_section(session, clock, world, files, opening_env, days=40, project=gp_project)
    bidder = world.bidders[0]
    download_documents(session, bidder, works, clock)
    download_documents(session, bidder, gp, clock)
    housing = regulator(session, clock, ident, Sector.HOUSING)

    clock.set(dt.datetime(2026, 9, 22, 10, 0, tzinfo=SHANGHAI))  # Tue
    challenge = service.file_objection(
        session, bidder.actor, section_id=gp.id, matter=Matter.DOCUMENTS, points=["参数倾向"], claims="x", clock=clock
    )
    # 7 working days (采购法 art. 53): Wed 23, Thu 24, (Fri 25 中秋), Mon 28, Tue 29, Wed 30, Thu 8 Oct, Fri 9 Oct
    assert queries.clocks(session, challenge)[ClockKind.ANSWER].due() == dt.date(2026, 10, 9)

    objection = service.file_objection(
        session,
        bidder.actor,
        section_id=works.id,
        matter=Matter.DOCUMENTS,
        points=["业绩要求过高"],
        claims="x",
        clock=clock,
    )
    service.answer_objection(session, world.tenderer.actor, case_id=objection.id, answer="不予修改", clock=clock)
    clock.set(dt.datetime(2026, 9, 30, 15, 0, tzinfo=SHANGHAI))  # Wed, the eve of the holiday
    complaint, _ = complaints.file_complaint(
        session,
        bidder.actor,
        section_id=works.id,
        matter=Matter.DOCUMENTS,
        points=["业绩要求过高"],
        claims="不服",
        to_sector=Sector.HOUSING,
        objection_id=objection.id,
        clock=clock,
    )
    # 3 working days (条例 art. 61): Thu 8, Fri 9, Sat 10 Oct (调休, worked)
    assert queries.clocks(session, complaint)[ClockKind.ACCEPT].due() == dt.date(2026, 10, 10)
    clock.set(dt.datetime(2026, 10, 12, 9, 0, tzinfo=SHANGHAI))
    assert any(v.overdue for v in queries.clock_views(session, complaint, clock.now()))
    complaints.accept_complaint(session, housing.actor, case_id=complaint.id, clock=clock)
    assert queries.clocks(session, complaint)[ClockKind.DECIDE].due() == dt.date(2026, 11, 23)  # 30 working days
