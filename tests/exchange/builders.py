"""Trades for the OCDS export: any procedure, ended in any of the ways a section can end today."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from ggzy.bidding import keys as opening_keys
from ggzy.core.clock import FixedClock
from ggzy.core.files import FileStore
from ggzy.core.keys import Keys
from ggzy.entities.service import Identity
from ggzy.projects import publication
from ggzy.projects import queries as projects
from ggzy.projects import service as registration
from ggzy.projects import timers as deadline
from ggzy.projects.models import Section
from ggzy.rules.base import Regime
from ggzy.rules.catalog import Category
from ggzy.rules.procedures import Method
from ggzy.rules.procedures import procedure as procedure_of
from tests.trade import a_project, a_published_section, a_sealed_bid, a_world, hand_in

OUTCOMES = ("planning", "bidding", "clarified", "opened", "failed", "terminated")


def a_trade(
    session: Session,
    clock: FixedClock,
    ident: Identity,
    files: FileStore,
    env: opening_keys.KeyEnv,
    keys: Keys,
    *,
    method: Method = Method.OPEN_TENDER,
    outcome: str = "opened",
    bids: int = 3,
) -> Section:
    """A section of `method` that is `outcome` (one of OUTCOMES); an opened one has `bids` bids opened."""
    proc = procedure_of(method)
    world = a_world(session, clock, ident, env, bidders=max(bids, proc.min_bidders))
    if proc.regime is Regime.PROCUREMENT:
        project = a_project(session, clock, world, method=method, category=Category.GP_GOODS, estimate="300000.00")
    else:  # under the must-tender threshold, so an invited tender needs no approval (条例 art. 8)
        project = a_project(
            session, clock, world, method=method, estimate="3000000.00" if proc.invited else "5000000.00"
        )
    section = projects.sections_of(session, project.id)[0]
    if outcome == "planning":
        return section
    if proc.invited:
        publication.invite(
            session,
            world.tenderer.actor,
            section_id=section.id,
            org_ids=[b.user.org_id for b in world.bidders],
            clock=clock,
        )
    section = a_published_section(session, clock, world, files, env, project=project)
    if outcome == "bidding":
        return section
    if outcome == "clarified":
        clock.advance(timedelta(days=1))
        publication.clarify(
            session,
            world.tenderer.actor,
            section_id=section.id,
            title="关于招标文件的澄清",
            body="第三章有修改。",
            clock=clock,
        )
        return section
    if outcome == "terminated":
        clock.advance(timedelta(days=1))
        registration.terminate(session, world.tenderer.actor, project_id=project.id, reason="项目取消", clock=clock)
        return section
    for bidder in world.bidders[: bids if outcome == "opened" else 0]:
        a_sealed_bid(session, clock, files, keys, section, bidder)
    assert section.bid_deadline is not None
    clock.set(section.bid_deadline)
    deadline.reach_deadline(session, section.id, clock.now())
    if outcome == "opened":
        for holder in (world.operator, world.tenderer):
            hand_in(session, clock, holder, section, files, env)
    return section
