"""Evaluation builders: bills of quantities, bids that carry them, an opened section, a committee, sheets."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from ggzy.bidding import keys as opening_keys
from ggzy.bidding.models import Bid
from ggzy.core.clock import FixedClock
from ggzy.core.files import FileStore
from ggzy.core.keys import Keys
from ggzy.core.roles import Role
from ggzy.entities.service import Identity
from ggzy.evaluation import bills, methods
from ggzy.evaluation.scoring import Sheet
from ggzy.projects import publication
from ggzy.projects import queries as projects
from ggzy.projects import timers as deadline
from ggzy.projects.models import Section
from ggzy.rules.base import Regime
from ggzy.rules.catalog import Category
from ggzy.rules.procedures import Method as Procedure
from ggzy.rules.procedures import procedure as procedure_of
from tests.builders import Person, a_user
from tests.trade import World, a_project, a_published_section, a_world, an_envelope, hand_in

TENDER_ITEMS = [
    ("010101001001", "平整场地", "m2", "1200"),
    ("010401001001", "砖基础", "m3", "85.5"),
    ("010501001001", "垫层混凝土", "m3", "40"),
]


def tender_bill() -> bills.Bill:
    return bills.parse_items(
        [{"code": c, "name": n, "unit": u, "quantity": q} for c, n, u, q in TENDER_ITEMS], priced=False
    )


def a_bill(
    unit_prices: tuple[str, ...] = ("3.50", "420.00", "510.00"),
    *,
    wrong_total: dict[str, str] | None = None,
    drop: tuple[str, ...] = (),
) -> dict[str, object]:
    """A priced bill in the platform's JSON format; `wrong_total` plants an arithmetic error on an item."""
    items = []
    total = Decimal(0)
    for (code, name, unit, qty), up in zip(TENDER_ITEMS, unit_prices, strict=True):
        if code in drop:
            continue
        line = (Decimal(qty) * Decimal(up)).quantize(Decimal("0.01"))
        stated = (wrong_total or {}).get(code, str(line))
        total += Decimal(stated)
        items.append({"code": code, "name": name, "unit": unit, "quantity": qty, "unit_price": up, "total": stated})
    return {"format": bills.FORMAT, "items": items, "total": str(total)}


def bill_total(bill: dict[str, object]) -> str:
    return str(bill["total"])


def corrected_total(bill: dict[str, object]) -> Decimal:
    return bills.check(bills.parse(bill)).corrected_total


@dataclass
class Room:
    world: World
    section: Section
    experts: list[Person]


def a_bid_with_bill(
    session: Session,
    clock: FixedClock,
    files: FileStore,
    keys: Keys,
    section: Section,
    bidder: Person,
    bill: dict[str, object],
    *,
    price: str | None = None,
) -> Bid:
    from ggzy.bidding import service

    version = service.next_version(session, section, bidder.user.org_id)
    envelope = an_envelope(
        section,
        bidder,
        version,
        price=price or bill_total(bill),
        files=[
            ("投标文件.pdf", f"%PDF-1.4 bid of {bidder.username}".encode()),
            ("已标价工程量清单.json", json.dumps(bill, ensure_ascii=False).encode()),
        ],
    )
    stored = files.save(f"bids/{section.id}", [envelope], max_bytes=1 << 30)
    header = service.ensure_envelope(files, stored)
    return service.submit(
        session, bidder.actor, section_id=section.id, stored=stored, header=header, clock=clock, signer=keys.log_private
    )


def an_opened_section(
    session: Session,
    clock: FixedClock,
    ident: Identity,
    files: FileStore,
    env: opening_keys.KeyEnv,
    keys: Keys,
    bids: list[dict[str, object]],
    *,
    procedure: Procedure = Procedure.OPEN_TENDER,
    experts: int = 5,
    prices: list[str | None] | None = None,
) -> Room:
    """A section whose bids (each with its priced bill) have been opened, and the experts of a committee."""
    world = a_world(session, clock, ident, env, bidders=len(bids))
    if procedure_of(procedure).regime is Regime.PROCUREMENT:
        project = a_project(session, clock, world, method=procedure, category=Category.GP_GOODS, estimate="300000.00")
    else:
        project = a_project(session, clock, world, method=procedure)
    if procedure_of(procedure).invited:
        publication.invite(
            session,
            world.tenderer.actor,
            section_id=projects.sections_of(session, project.id)[0].id,
            org_ids=[b.user.org_id for b in world.bidders],
            clock=clock,
        )
    section = a_published_section(session, clock, world, files, env, project=project)
    for i, (bidder, bill) in enumerate(zip(world.bidders, bids, strict=True)):
        a_bid_with_bill(session, clock, files, keys, section, bidder, bill, price=(prices or [None] * len(bids))[i])
    assert section.bid_deadline is not None
    clock.set(section.bid_deadline)
    deadline.reach_deadline(session, section.id, clock.now())
    for holder in (world.operator, world.tenderer):
        hand_in(session, clock, holder, section, files, env)
    people = [a_user(session, clock, ident, role=Role.EXPERT) for _ in range(experts)]
    return Room(world, section, people)


def a_sheet(
    method: methods.Method, orgs: list[str], score: str | dict[str, str] = "8", fail: dict[str, str] | None = None
) -> Sheet:
    """The same score for every criterion (capped at its maximum), or one per bid; `fail` fails q1 of a bid."""
    s = Sheet()
    for o in orgs:
        v = score if isinstance(score, str) else score[o]
        s.scores[o] = {c.id: min(Decimal(v), c.max_score) for c in method.scored}
        s.passes[o] = {c.id: (True, "") for c in method.qualification}
        if fail and o in fail and method.qualification:
            s.passes[o][method.qualification[0].id] = (False, fail[o])
    return s


def direct_ground(session: Session, section: Section) -> str:
    """The legal ground on which these tests name a committee by hand (no draw): see rules.DIRECT_GROUNDS."""
    method = Procedure(projects.get_project(session, section.project_id).method)
    if method is Procedure.SINGLE_SOURCE:
        return "single-source"
    return "gp-experts-art13" if procedure_of(method).regime is Regime.PROCUREMENT else "works-art47"
