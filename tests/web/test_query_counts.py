"""Query counts: the hot pages run a fixed number of SQL statements, however many rows the database holds.

Each test renders a page with a few rows, adds many more, renders it again and asserts that the count did not
grow (an N+1 shows as one more statement per row) and stays under the page's ceiling. The counter sees every
statement on the test engine, sign-in lookups and SAVEPOINTs included.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from ggzy.bidding import documents
from ggzy.bidding import queries as bid_queries
from ggzy.bidding.keys import KeyEnv
from ggzy.core.actor import system
from ggzy.core.clock import FixedClock
from ggzy.core.files import FileStore
from ggzy.core.keys import Keys
from ggzy.core.roles import Role, Sector
from ggzy.entities.service import Identity
from ggzy.entities.states import OrgKind
from ggzy.notices import service as notices
from ggzy.notices.states import NoticeKind
from ggzy.supervision import service as supervision
from ggzy.supervision.states import Severity
from tests.builders import Person, a_user, an_org, signed_in
from tests.conftest import Statements
from tests.trade import World, a_project, a_published_section, a_sealed_bid, a_world

FEW, MANY = 2, 25
# Ceilings per page (measured 3, 7, 7, 11 and 10-12 statements), with room for the sign-in bookkeeping to change.
CEILING = {"/": 8, "/notices": 12, "section": 12, "/supervision": 16, "workbench": 16}


def statements_for(client: TestClient, statements: Statements, path: str) -> list[str]:
    with statements.counting() as seen:
        r = client.get(path)
    assert r.status_code == 200, r.text[:500]
    return [" ".join(s.split())[:160] for s in seen]


def few_then_many(
    client: TestClient, statements: Statements, session: Session, path: str, add: Callable[[int], None], ceiling: int
) -> tuple[int, int]:
    add(FEW)
    session.commit()
    statements_for(client, statements, path)  # warm: first-request caches (templates, rules) are not the point
    few = statements_for(client, statements, path)
    add(MANY - FEW)
    session.commit()
    many = statements_for(client, statements, path)
    listing = "\n".join(many)
    assert len(many) <= len(few), f"{path}: {len(few)} statements with {FEW} rows, {len(many)} with {MANY}:\n{listing}"
    assert len(few) <= ceiling, f"{path}: {len(few)} statements, ceiling {ceiling}:\n" + "\n".join(few)
    print(f"{path}: {len(few)} statements with {FEW} rows, {len(many)} with {MANY}")
    return len(few), len(many)


@pytest.fixture
def world(session: Session, clock: FixedClock, ident: Identity, opening_env: KeyEnv) -> World:
    return a_world(session, clock, ident, opening_env)


def _notices(session: Session, clock: FixedClock, section_id: str | None = None) -> Callable[[int], None]:
    def add(n: int) -> None:
        for _ in range(n):
            notices.publish(
                session,
                system(),
                kind=NoticeKind.CLARIFICATION if section_id else NoticeKind.TENDER,
                title="新乡市测试道路工程澄清公告" if section_id else "新乡市测试道路工程招标公告",
                body="澄清内容。",
                buyer="新乡市测试招标人",
                region="410700",
                category="construction",
                method="open_tender",
                clock=clock,
                section_id=section_id,
            )

    return add


@pytest.mark.parametrize("path", ["/", "/notices", "/notices?q=道路"])
def test_the_portal_and_the_notice_search(
    client: TestClient, statements: Statements, session: Session, clock: FixedClock, path: str
) -> None:
    ceiling = CEILING[path.split("?")[0]]
    few_then_many(client, statements, session, path, _notices(session, clock), ceiling)


def test_a_section_page_with_many_bids_and_notices(
    client: TestClient,
    statements: Statements,
    session: Session,
    clock: FixedClock,
    ident: Identity,
    world: World,
    files: FileStore,
    keys: Keys,
    opening_env: KeyEnv,
) -> None:
    section = a_published_section(session, clock, world, files, opening_env)
    clarify = _notices(session, clock, section.id)

    def add(n: int) -> None:
        clarify(n)
        for _ in range(n):
            a_sealed_bid(session, clock, files, keys, section, a_user(session, clock, ident, role=Role.BIDDER))

    few_then_many(client, statements, session, f"/sections/{section.id}", add, CEILING["section"])
    assert bid_queries.count_sealed(session, section.id, section.round) == MANY


@pytest.mark.parametrize("path", ["/supervision", "/workbench/supervisor"])
def test_the_supervision_dashboard_and_workbench_with_many_alerts(
    client: TestClient, statements: Statements, session: Session, clock: FixedClock, ident: Identity, path: str
) -> None:
    supervisor = a_user(session, clock, ident, role=Role.SUPERVISOR)
    session.commit()
    signed_in(client, supervisor, clock)
    made = iter(range(1000))

    def add(n: int) -> None:
        for _ in range(n):
            i = next(made)
            buyer = an_org(session, clock, kind=OrgKind.TENDERER)
            bidder = an_org(session, clock, kind=OrgKind.BIDDER)
            supervision.raise_alert(
                session,
                supervision.Finding(
                    flag_id=("X01", "A01", "C08")[i % 3],
                    title=f"测试预警{i}",
                    severity=Severity.HIGH,
                    legal_basis="《招标投标法实施条例》第40条",
                    subject=f"新乡市某工程（{i}标段）",
                    source="platform",
                    org_ids=(buyer.id, bidder.id),
                    sector=(Sector.WATER, Sector.HOUSING)[i % 2].value,
                    region="410700",
                    section_id=f"s{i}",
                ),
                clock=clock,
            )

    few_then_many(
        client, statements, session, path, add, CEILING["/supervision" if path == "/supervision" else "workbench"]
    )


def _a_project_per_call(session: Session, clock: FixedClock, world: World, **kw: object) -> Callable[[int], None]:
    def add(n: int) -> None:
        for _ in range(n):
            a_project(session, clock, world, **kw)  # type: ignore[arg-type]

    return add


@pytest.mark.parametrize("who", ["tenderer", "operator"])
def test_the_workbench_of_a_manager_and_of_the_centre(
    client: TestClient, statements: Statements, session: Session, clock: FixedClock, world: World, who: str
) -> None:
    person: Person = getattr(world, who)
    session.commit()
    signed_in(client, person, clock)
    # the tenderer sees each accepted project's section to publish; the centre each registration to accept
    add = _a_project_per_call(session, clock, world, accept=who == "tenderer")
    few_then_many(client, statements, session, f"/workbench/{person.role.value}", add, CEILING["workbench"])


def test_the_workbench_of_a_bidder_who_took_part_in_many_tenders(
    client: TestClient,
    statements: Statements,
    session: Session,
    clock: FixedClock,
    world: World,
    files: FileStore,
    keys: Keys,
    opening_env: KeyEnv,
) -> None:
    bidder = world.bidders[0]
    session.commit()
    signed_in(client, bidder, clock)

    def add(n: int) -> None:
        for i in range(n):
            section = a_published_section(session, clock, world, files, opening_env)
            doc = bid_queries.documents_of(session, section.id)[0]
            documents.download(session, bidder.actor, document_id=doc.id, clock=clock)
            if i % 2 == 0:
                a_sealed_bid(session, clock, files, keys, section, bidder)

    few_then_many(client, statements, session, "/workbench/bidder", add, CEILING["workbench"])
