"""Expert builders: a speciality tree, a pool of experts, an opened section and a committed or complete draw."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from ggzy.bidding import keys as opening_keys
from ggzy.core import transparency
from ggzy.core.actor import system
from ggzy.core.clock import FixedClock
from ggzy.core.files import FileStore
from ggzy.core.keys import Keys
from ggzy.core.notify import MemoryNotifier
from ggzy.core.roles import Role
from ggzy.entities.models import Organisation
from ggzy.entities.service import Identity
from ggzy.experts import service
from ggzy.experts.models import Draw
from ggzy.experts.service import Profile
from tests.builders import Person, a_user
from tests.evaluation.builders import Room, a_bill, an_opened_section

SPECIALITIES = [("A08", "房屋建筑工程"), ("A08.01", "土建"), ("A08.02", "安装"), ("B02", "工程造价")]
ORIGIN = "test.ggzy.example/log"


def a_tree(session: Session, clock: FixedClock) -> None:
    for code, name in SPECIALITIES:
        service.define_speciality(session, system(), code=code, name=name, clock=clock)


def an_expert(
    session: Session,
    clock: FixedClock,
    ident: Identity,
    *,
    specialities: list[str],
    region: str = "410700",
    org: Organisation | None = None,
    relations: list[service.RelationIn] | None = None,
    unavailable: list[tuple[date, date]] | None = None,
) -> Person:
    p = a_user(session, clock, ident, role=Role.EXPERT, org=org)
    service.save_expert(
        session,
        system(),
        Profile(
            username=p.username,
            region=region,
            specialities=specialities,
            relations=relations or [],
            unavailable=unavailable or [],
        ),
        clock=clock,
    )
    return p


@dataclass
class Pool:
    room: Room
    experts: list[Person]


def a_pool(
    session: Session,
    clock: FixedClock,
    ident: Identity,
    files: FileStore,
    env: opening_keys.KeyEnv,
    keys: Keys,
    *,
    civil: int = 6,
    cost: int = 4,
    bids: int = 3,
) -> Pool:
    """An opened works section with `bids` bidders, and a pool of civil-engineering and cost experts."""
    room = an_opened_section(session, clock, ident, files, env, keys, [a_bill() for _ in range(bids)], experts=0)
    a_tree(session, clock)
    people = [an_expert(session, clock, ident, specialities=["A08.01"]) for _ in range(civil)]
    people += [an_expert(session, clock, ident, specialities=["B02"]) for _ in range(cost)]
    return Pool(room, people)


def evaluation_day(clock: FixedClock) -> date:
    return (clock.now()).date()


def a_request(clock: FixedClock, seats: list[str] | None = None, **kw: object) -> service.DrawRequest:
    return service.DrawRequest(
        seats=seats or ["A08.01", "A08.01", "A08.01", "B02", "B02"], evaluation_on=evaluation_day(clock), **kw
    )  # type: ignore[arg-type]


def sign(session: Session, clock: FixedClock, keys: Keys) -> None:
    transparency.sign_checkpoint(session, keys=keys, origin=ORIGIN, clock=clock)


def a_drawn(
    session: Session, clock: FixedClock, keys: Keys, pool: Pool, notifier: MemoryNotifier, **kw: object
) -> Draw:
    d = service.request_draw(
        session,
        pool.room.world.tenderer.actor,
        section_id=pool.room.section.id,
        request=a_request(clock, **kw),
        clock=clock,
    )
    sign(session, clock, keys)
    return service.perform_draw(session, draw_id=d.id, clock=clock, notifier=notifier)
