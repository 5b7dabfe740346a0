"""A small world for cases: a published works section, bidders who downloaded its documents, regulators."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy.orm import Session

from ggzy.bidding import documents
from ggzy.bidding import keys as opening_keys
from ggzy.bidding import queries as bid_queries
from ggzy.core.clock import FixedClock
from ggzy.core.files import FileStore
from ggzy.core.roles import Role, Sector
from ggzy.entities.service import Identity
from ggzy.entities.states import OrgKind
from ggzy.projects.models import Section
from tests.builders import Person, a_user, an_org
from tests.trade import World, a_published_section, a_world


@dataclass
class CaseWorld:
    world: World
    section: Section
    housing: Person  # the project's regulator (Sector.HOUSING)
    transport: Person  # another sector's regulator
    outsider: Person  # a bidder that never obtained the documents

    @property
    def bidder(self) -> Person:
        return self.world.bidders[0]

    @property
    def tenderer(self) -> Person:
        return self.world.tenderer


def download_documents(session: Session, person: Person, section: Section, clock: FixedClock) -> None:
    for doc in bid_queries.documents_of(session, section.id):
        documents.download(session, person.actor, document_id=doc.id, clock=clock)


def regulator(session: Session, clock: FixedClock, ident: Identity, sector: Sector) -> Person:
    org = an_org(session, clock, kind=OrgKind.GOVERNMENT, sector=sector)
    return a_user(session, clock, ident, role=Role.SECTOR_SUPERVISOR, org=org, sector=sector)


@pytest.fixture
def cw(
    session: Session, clock: FixedClock, ident: Identity, files: FileStore, opening_env: opening_keys.KeyEnv
) -> CaseWorld:
    world = a_world(session, clock, ident, opening_env, bidders=3)
    section = a_published_section(session, clock, world, files, opening_env, days=25)
    for b in world.bidders[:2]:
        download_documents(session, b, section, clock)
    outsider = a_user(session, clock, ident, role=Role.BIDDER)
    return CaseWorld(
        world,
        section,
        regulator(session, clock, ident, Sector.HOUSING),
        regulator(session, clock, ident, Sector.TRANSPORT),
        outsider,
    )
