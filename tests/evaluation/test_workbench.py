"""The evaluation stretch of the workbench (T15): each role sees what is due next, linked to the page that does it."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from ggzy.bidding import keys as opening_keys
from ggzy.core.actor import Actor
from ggzy.core.clock import FixedClock
from ggzy.core.files import FileStore
from ggzy.core.keys import Keys
from ggzy.core.notify import MemoryNotifier
from ggzy.core.roles import Role, Sector
from ggzy.entities.service import Identity
from ggzy.evaluation import methods, queries, service
from ggzy.evaluation import workbench as evaluation_wb
from ggzy.experts import queries as expert_queries
from ggzy.experts import service as experts
from ggzy.experts import workbench as experts_wb
from tests.builders import a_user
from tests.evaluation.builders import a_sheet
from tests.experts.builders import Pool, a_pool, a_request, sign

COMPREHENSIVE = methods.preset(methods.Kind.COMPREHENSIVE)


@pytest.fixture
def pool(
    session: Session, clock: FixedClock, ident: Identity, files: FileStore, opening_env: opening_keys.KeyEnv, keys: Keys
) -> Pool:
    return a_pool(session, clock, ident, files, opening_env, keys)


def _items(session: Session, actor: Actor, clock: FixedClock) -> list[tuple[str, str]]:
    out = experts_wb.due_items(session, actor, clock.now()) + evaluation_wb.due_items(session, actor, clock.now())
    return [(i.title, i.url) for i in out]


def test_each_role_sees_its_next_step_from_the_draw_to_the_report(
    session: Session, clock: FixedClock, ident: Identity, keys: Keys, pool: Pool
) -> None:
    section = pool.room.section
    tenderer, operator = pool.room.world.tenderer, pool.room.world.operator
    housing = a_user(session, clock, ident, role=Role.SECTOR_SUPERVISOR, sector=Sector.HOUSING)
    water = a_user(session, clock, ident, role=Role.SECTOR_SUPERVISOR, sector=Sector.WATER)
    assert (f"/sections/{section.id}/experts") in [u for _, u in _items(session, tenderer.actor, clock)]

    d = experts.request_draw(session, tenderer.actor, section_id=section.id, request=a_request(clock), clock=clock)
    sign(session, clock, keys)
    notifier = MemoryNotifier()
    experts.perform_draw(session, draw_id=d.id, clock=clock, notifier=notifier)
    mine = _items(session, tenderer.actor, clock)
    assert any("5个席位待专家答复" in t and u == f"/sections/{section.id}/experts" for t, u in mine)
    assert any(u == f"/expert-draws/{d.id}" for _, u in _items(session, housing.actor, clock))
    assert _items(session, water.actor, clock) == []  # another sector's supervisor has nothing to watch here

    people = {p.user.id: p for p in pool.experts}
    for inv in expert_queries.invitations(session, d.id):
        who = people[inv.expert_id]
        assert (f"评标邀请：请接受或拒绝（席位{inv.seat}）", "/my/expert-invitations") in _items(
            session, who.actor, clock
        )
        experts.answer(session, who.actor, invitation_id=inv.id, accept=True, clock=clock, notifier=notifier)
    assert not any("待专家答复" in t for t, _ in _items(session, tenderer.actor, clock))
    assert any(u == f"/sections/{section.id}/evaluation" for _, u in _items(session, operator.actor, clock))
    assert any(u == f"/sections/{section.id}/evaluation/live" for _, u in _items(session, housing.actor, clock))

    drawn = service.seated(session, section)
    e = service.open_evaluation(
        session, operator.actor, section_id=section.id, chair=drawn[0], method=COMPREHENSIVE, clock=clock
    )
    assert not any(u == f"/sections/{section.id}/evaluation" for _, u in _items(session, operator.actor, clock))
    assert any("已提交0/5" in t and u == f"/evaluations/{e.id}" for t, u in _items(session, operator.actor, clock))
    orgs = [b.org_id for b in queries.in_review(session, e.id)]
    for uid in drawn:
        assert (f"/evaluations/{e.id}/sheet") in [u for _, u in _items(session, people[uid].actor, clock)]
        service.submit_sheet(
            session, people[uid].actor, evaluation_id=e.id, sheet=a_sheet(COMPREHENSIVE, orgs), clock=clock
        )
        assert (f"/evaluations/{e.id}/sheet") not in [u for _, u in _items(session, people[uid].actor, clock)]
    chair = _items(session, people[drawn[0]].actor, clock)
    assert any("签署评标报告" in t and u == f"/evaluations/{e.id}" for t, u in chair)
    assert not any("签署" in t for t, _ in _items(session, people[drawn[1]].actor, clock))
