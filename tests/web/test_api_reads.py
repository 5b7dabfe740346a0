"""Issue 15 item 1, reads: the archive list, a bidder's bids and the rules are readable through the API as on
their pages, by the same people (the parity table in ggzy/web/parity.py names them)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from ggzy.award import archive
from ggzy.bidding import keys as opening_keys
from ggzy.core.actor import system
from ggzy.core.clock import FixedClock
from ggzy.core.files import FileStore
from ggzy.core.keys import Keys
from ggzy.core.roles import Role
from ggzy.entities.service import Identity
from ggzy.rules import RULES
from tests.award.builders import a_reported_section
from tests.award.test_archive import signed
from tests.builders import a_user, signed_in
from tests.projects.test_api import bearer

PROBLEM = "application/problem+json"


def test_the_rules_in_force_are_public_with_their_article(client: TestClient) -> None:
    got = client.get("/api/v1/rules").json()
    assert len(got) == len(RULES) and all(r["citation"].startswith("《") for r in got)
    one = next(r for r in got if r["id"] == next(iter(RULES)))
    rule = RULES[one["id"]]
    assert one["value"] == str(rule.value) and one["title"] == rule.title and one["unit"] == rule.unit.value
    assert all(isinstance(r["value"], str) for r in got)  # never a float


def test_the_archive_list_and_a_bidders_bids_are_read_by_whoever_sees_their_pages(
    client: TestClient,
    session: Session,
    clock: FixedClock,
    ident: Identity,
    files: FileStore,
    opening_env: opening_keys.KeyEnv,
    keys: Keys,
) -> None:
    trade = a_reported_section(session, clock, ident, files, opening_env, keys, bidders=3)
    signed(session, clock, trade, files)
    archive.seal(session, system(), section_id=trade.section_id, clock=clock, files=files, env=opening_env)
    auditor = bearer(session, a_user(session, clock, ident, role=Role.AUDITOR), clock, ident)
    stranger = bearer(session, a_user(session, clock, ident, role=Role.TENDERER), clock, ident)
    bidder = bearer(session, trade.candidate(1), clock, ident)
    tenderer = bearer(session, trade.tenderer, clock, ident)
    session.commit()

    (dossier,) = client.get("/api/v1/archive", headers=auditor).json()
    assert dossier["section_id"] == trade.section_id and len(dossier["manifest_sha256"]) == 64
    assert dossier["files"] >= 1 and dossier["section_code"]
    assert client.get("/api/v1/archive", headers=tenderer).json()[0]["section_id"] == trade.section_id
    assert client.get("/api/v1/archive", headers=stranger).json() == []  # another tenderer's trade is not listed
    assert client.get("/api/v1/archive").status_code == 401

    mine = client.get("/api/v1/my/bids", headers=bidder).json()
    assert len(mine) == 1 and mine[0]["receipt"]["signature"]
    per_section = client.get(f"/api/v1/sections/{trade.section_id}/my-bids", headers=bidder).json()
    assert [b["bid_id"] for b in mine] == [b["bid_id"] for b in per_section]
    r = client.get("/api/v1/my/bids", headers=tenderer)
    assert r.status_code == 403 and r.headers["content-type"] == PROBLEM and "只有投标人" in r.json()["detail"]


def test_the_public_credit_list_and_a_record_read_as_on_their_pages(
    client: TestClient, session: Session, clock: FixedClock, ident: Identity, opening_env: opening_keys.KeyEnv
) -> None:
    from tests.credit.conftest import a_sanction
    from tests.trade import a_world

    world = a_world(session, clock, ident, opening_env, bidders=2)
    barred, other = world.bidders
    record = a_sanction(session, clock, world.supervisor, barred.user.org_id)
    tokens = {p.username: bearer(session, p, clock, ident) for p in (barred, other, world.supervisor)}
    session.commit()
    listed = client.get("/api/v1/credit/listed").json()  # public, as the page
    assert [x["credit_code"] for x in listed] == [record.credit_code] and listed[0]["org_name"] == record.org_name
    for who in (barred, world.supervisor):  # the entity itself and the regulator
        got = client.get(f"/api/v1/credit/records/{record.id}", headers=tokens[who.username]).json()
        assert got["id"] == record.id and got["title"] == "串通投标" and got["sanctions"]
    r = client.get(f"/api/v1/credit/records/{record.id}", headers=tokens[other.username])
    assert r.status_code == 403 and r.headers["content-type"] == PROBLEM
    assert client.get(f"/api/v1/credit/records/{record.id}").status_code == 401


def test_the_evaluations_list_reads_as_the_page_for_each_role(
    client: TestClient,
    session: Session,
    clock: FixedClock,
    ident: Identity,
    files: FileStore,
    opening_env: opening_keys.KeyEnv,
    keys: Keys,
) -> None:
    trade = a_reported_section(session, clock, ident, files, opening_env, keys, bidders=3)
    world = trade.room.world
    people = {
        "expert": trade.room.experts[0],
        "bidder": trade.candidate(1),
        "operator": world.operator,
        "supervisor": world.supervisor,
    }
    tokens = {k: bearer(session, p, clock, ident) for k, p in people.items()}
    outsider = bearer(session, a_user(session, clock, ident, role=Role.EXPERT), clock, ident)
    admin = bearer(session, a_user(session, clock, ident, role=Role.ADMIN), clock, ident)
    session.commit()
    for who, token in tokens.items():
        got = client.get("/api/v1/evaluations", headers=token).json()
        assert [e["section_id"] for e in got] == [trade.section_id], who
        assert got[0]["status_label"] and got[0]["project_name"]
    assert client.get("/api/v1/evaluations", headers=outsider).json() == []  # an expert not in the room
    r = client.get("/api/v1/evaluations", headers=admin)
    assert r.status_code == 403 and r.headers["content-type"] == PROBLEM
    page = signed_in(client, people["expert"], clock).get("/evaluations").text  # the page lists the same room
    assert trade.room.section.name in page
