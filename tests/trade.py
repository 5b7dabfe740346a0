"""Trade builders: a_project(...), a_published_section(...), a_sealed_bid(...): a small world for trade tests."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from sqlalchemy.orm import Session, object_session

from ggzy import sealing
from ggzy.bidding import keyholder, keys, opening, service
from ggzy.bidding.models import Bid
from ggzy.core.clock import FixedClock
from ggzy.core.files import FileStore
from ggzy.core.keys import Keys
from ggzy.core.roles import Role, Sector
from ggzy.entities import queries as entities
from ggzy.entities.service import Identity
from ggzy.entities.states import OrgKind
from ggzy.projects import publication
from ggzy.projects import queries as projects
from ggzy.projects import service as registration
from ggzy.projects.models import Project, Section
from ggzy.rules.catalog import Category
from ggzy.rules.procedures import Method
from ggzy.sealing import Recipient, p256
from ggzy.sealing.header import SealContext
from tests.builders import Person, a_user, an_org


@dataclass
class World:
    """The people of one tender: manager (tenderer), operator, supervisor, and bidders."""

    tenderer: Person
    operator: Person
    supervisor: Person
    bidders: list[Person]


HOLDER_KEYS: dict[str, p256.KeyPair] = {}  # the key holders' side: user id → key pair


KEY_SETS: dict[tuple[str, int], list[Recipient]] = {}  # what bidders' clients have read, by (section, round)


def key_set(section: Section) -> list[Recipient]:
    """What a bidder's client reads from the section page or API: the holders' public keys."""
    session = object_session(section)
    if session is None:  # a section object from a finished unit of work: what the client read before
        return KEY_SETS[(section.id, section.round)]
    found = [Recipient(r.share_index, r.public_key) for r in keys.recipients(session, section.id, section.round)]
    KEY_SETS[(section.id, section.round)] = found
    return found


def hand_in(
    session: Session,
    clock: FixedClock,
    holder: Person,
    section: Section,
    files: FileStore,
    env: keys.KeyEnv,
    **kw: object,
) -> opening.ShareState:
    """What a holder's client does at the opening: fetch the headers, unwrap locally, hand in the shares."""
    work = opening.holder_work(session, holder.actor, section_id=section.id, clock=clock, files=files)
    shares = keyholder.unwrap_shares(
        {b.bid_id: b.header for b in work.bids},
        HOLDER_KEYS[holder.user.id].private,
        index=work.index,
        now=clock.now(),
        deadline=work.deadline,
    )
    return opening.submit_shares(
        session,
        holder.actor,
        section_id=section.id,
        shares=shares,
        clock=clock,
        env=env,
        files=files,
        **kw,  # type: ignore[arg-type]
    )


def a_world(session: Session, clock: FixedClock, ident: Identity, env: keys.KeyEnv, *, bidders: int = 3) -> World:
    tenderer = a_user(session, clock, ident, role=Role.TENDERER, org=an_org(session, clock, kind=OrgKind.TENDERER))
    operator = a_user(session, clock, ident, role=Role.OPERATOR)
    supervisor = a_user(session, clock, ident, role=Role.SUPERVISOR)
    for p in (tenderer, operator, supervisor):
        pair = p256.generate()  # made on the holder's side; the platform gets the public half only
        HOLDER_KEYS[p.user.id] = pair
        keys.register_holder_key(session, p.actor, public_key=pair.public, clock=clock)
    people = [a_user(session, clock, ident, role=Role.BIDDER) for _ in range(bidders)]
    return World(tenderer, operator, supervisor, people)


def a_project(
    session: Session,
    clock: FixedClock,
    world: World,
    *,
    method: Method = Method.OPEN_TENDER,
    estimate: str = "5000000.00",
    category: Category = Category.CONSTRUCTION,
    sections: int = 1,
    accept: bool = True,
) -> Project:
    project = registration.register(
        session,
        world.tenderer.actor,
        name="新乡市测试道路工程",
        approval_code="2026-410700-48-01-000001",
        category=category,
        sector=Sector.HOUSING,
        method=method,
        state_funds_share=Decimal(100),
        state_funds_amount=Decimal(estimate),
        tenderer_org_id=world.tenderer.user.org_id,
        sections=[registration.SectionIn(f"第{i + 1}标段", Decimal(estimate)) for i in range(sections)],
        clock=clock,
    )
    if accept:
        registration.accept(session, world.operator.actor, project_id=project.id, clock=clock)
    return project


def a_published_section(
    session: Session,
    clock: FixedClock,
    world: World,
    files: FileStore,
    env: keys.KeyEnv,
    *,
    days: int = 21,
    project: Project | None = None,
) -> Section:
    project = project or a_project(session, clock, world)
    section = projects.sections_of(session, project.id)[0]
    doc = files.save(f"documents/{section.id}", [b"%PDF-1.4 tender documents"], max_bytes=1 << 20)
    deadline = clock.now() + timedelta(days=days)
    publication.publish_tender(
        session,
        world.tenderer.actor,
        section_id=section.id,
        title="新乡市测试道路工程招标公告",
        body="欢迎投标。",
        deadline=deadline,
        documents_until=deadline - timedelta(days=1),
        documents=[("招标文件.pdf", doc)],
        clock=clock,
        keys_env=env,
    )
    key_set(section)
    return section


def an_envelope(
    section: Section,
    bidder: Person,
    version: int,
    *,
    price: str,
    files: list[tuple[str, bytes]],
    remark: str = "",
    recipients: list[Recipient] | None = None,
    machine: str = "",
    deposit_account: str = "",
) -> bytes:
    out = io.BytesIO()
    assert section.bid_deadline is not None
    sealing.seal(
        recipients or key_set(section),
        SealContext(section_id=section.id, bidder_id=bidder.user.org_id, version=version),
        {
            "price": price,
            "currency": "CNY",
            "duration_days": 180,
            "remark": remark,
            "deposit_account": deposit_account or f"acct-{bidder.username}",
        },
        [sealing.BidFile(name, data) for name, data in files],
        out,
        threshold=keys.THRESHOLD,
        deadline=int(section.bid_deadline.timestamp()),
        supervision={  # as the bid client records it (ggzy.bidding.client.build_supervision)
            "machine": {"algorithm": "sha256", "fingerprint": machine or f"fp-{bidder.username}"},
            "files": [{"name": name, "author": bidder.username} for name, _ in files],
        },
    )
    return out.getvalue()


def a_sealed_bid(
    session: Session,
    clock: FixedClock,
    files: FileStore,
    keys_: Keys,
    section: Section,
    bidder: Person,
    *,
    price: str = "4800000.00",
    data: bytes | None = None,
    remark: str = "",
    machine: str = "",
    deposit_account: str = "",
) -> Bid:
    version = service.next_version(session, section, bidder.user.org_id)
    envelope = (
        data
        if data is not None
        else an_envelope(
            section,
            bidder,
            version,
            price=price,
            files=[("投标文件.pdf", f"%PDF-1.4 bid of {bidder.username}".encode())],
            remark=remark,
            machine=machine,
            deposit_account=deposit_account,
        )
    )
    stored = files.save(f"bids/{section.id}", [envelope], max_bytes=1 << 30)
    header = service.ensure_envelope(files, stored)
    return service.submit(
        session,
        bidder.actor,
        section_id=section.id,
        stored=stored,
        header=header,
        clock=clock,
        signer=keys_.log_private,
    )


def org_name(session: Session, person: Person) -> str:
    return entities.get_org(session, person.user.org_id).name
