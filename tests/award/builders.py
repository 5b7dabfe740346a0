"""Award builders: a section run to a signed evaluation report (tests/evaluation/builders), then publicity."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from ggzy.award import service
from ggzy.award.models import Award
from ggzy.bidding import keys as opening_keys
from ggzy.core.clock import FixedClock
from ggzy.core.files import FileStore
from ggzy.core.keys import Keys
from ggzy.entities.service import Identity
from ggzy.evaluation import methods, opened, queries
from ggzy.evaluation import service as evaluation
from ggzy.rules.procedures import Method as Procedure
from tests.builders import Person
from tests.evaluation.builders import Room, a_bill, a_sheet, an_opened_section, direct_ground, tender_bill

LOWEST = methods.preset(methods.Kind.LOWEST_PRICE)
PRICES = [
    ("3.50", "420.00", "510.00"),
    ("3.60", "415.00", "505.00"),
    ("3.40", "430.00", "500.00"),
    ("3.80", "440.00", "520.00"),
]


@dataclass
class Trade:
    room: Room
    ranking: list[queries.Candidate]

    @property
    def section_id(self) -> str:
        return self.room.section.id

    @property
    def tenderer(self) -> Person:
        return self.room.world.tenderer

    def bidder(self, org_id: str) -> Person:
        return next(b for b in self.room.world.bidders if b.user.org_id == org_id)

    def candidate(self, rank: int) -> Person:
        return self.bidder(next(c.org_id for c in self.ranking if c.rank == rank))

    @property
    def loser(self) -> Person:
        ranked = {c.org_id for c in self.ranking}
        return next(b for b in self.room.world.bidders if b.user.org_id not in ranked)


def a_reported_section(
    session: Session,
    clock: FixedClock,
    ident: Identity,
    files: FileStore,
    env: opening_keys.KeyEnv,
    keys: Keys,
    *,
    procedure: Procedure = Procedure.OPEN_TENDER,
    bidders: int = 4,
) -> Trade:
    """A section whose bids are opened, evaluated by the lowest evaluated price and whose report is signed."""
    bills = [a_bill(PRICES[i % len(PRICES)]) for i in range(bidders)]
    room = an_opened_section(session, clock, ident, files, env, keys, bills, procedure=procedure)
    e = evaluation.open_evaluation(
        session,
        room.world.operator.actor,
        section_id=room.section.id,
        members=[p.user.id for p in room.experts],
        chair=room.experts[0].user.id,
        method=LOWEST,
        direct=direct_ground(session, room.section),
        clock=clock,
        ceiling=Decimal("200000.00"),
        tender_bill=tender_bill(),
        read_file=opened.archive_reader(files, env),
    )
    orgs = [b.org_id for b in queries.in_review(session, e.id)]
    for p in room.experts:
        evaluation.submit_sheet(session, p.actor, evaluation_id=e.id, sheet=a_sheet(LOWEST, orgs), clock=clock)
    evaluation.sign_report(session, room.experts[0].actor, evaluation_id=e.id, clock=clock, files=files)
    return Trade(room, queries.final_ranking(session, room.section.id))


def published(session: Session, clock: FixedClock, trade: Trade) -> Award:
    return service.publish_candidates(session, trade.tenderer.actor, section_id=trade.section_id, clock=clock)


def after_publicity(clock: FixedClock, award: Award) -> None:
    clock.set(award.publicity_ends_at + timedelta(minutes=1))
