"""S4: before the opening no role, no page, no API response, no database row and no log line reveals a bid's
contents, who bid, or how many bid. After the opening the price is in the published record."""

from __future__ import annotations

import json
import logging
import re
import subprocess
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.engine import make_url

from ggzy.audit import timers as audit_timers
from ggzy.bidding import keyholder
from ggzy.bidding.keys import KeyEnv
from ggzy.core import events, merkle, transparency
from ggzy.core.clock import FixedClock
from ggzy.core.config import Settings
from ggzy.core.db import Database
from ggzy.core.events import Event, SealedEvent
from ggzy.core.files import FileStore
from ggzy.core.keys import Keys
from ggzy.core.pubsub import InProcessBus
from ggzy.core.roles import Role, Sector
from ggzy.core.timers import tick
from ggzy.entities.service import Identity
from ggzy.notices import queries as notices
from ggzy.projects import timers as deadline
from ggzy.projects.timers import reach_deadline
from ggzy.web.app import create_app
from ggzy.web.context import AppContext
from tests.builders import Person, a_user, signed_in
from tests.trade import HOLDER_KEYS, World, a_published_section, a_world, an_envelope

PRICE = "7654321.09"
VOLATILE = [re.compile(r'(name="csrf_token" value=")[^"]+'), re.compile(r'(data-csrf=")[^"]+')]


def normalise(body: str) -> str:
    for pattern in VOLATILE:
        body = pattern.sub(r"\1…", body)
    return body


@pytest.fixture
def rig(
    fresh_db: Database,
    tmp_path: Path,
    clock: FixedClock,
    keys: Keys,
    ident: Identity,
    opening_env: KeyEnv,
) -> Iterator[tuple[AppContext, TestClient]]:
    settings = Settings(var_dir=tmp_path / "var", database_url=fresh_db.url or "", tick_seconds=0)
    ctx = AppContext(
        settings=settings,
        db=fresh_db,
        clock=clock,
        keys=keys,
        ident=ident,
        bus=InProcessBus(),
        files=FileStore(tmp_path / "files"),
        opening=opening_env,
    )
    with TestClient(create_app(ctx), base_url="https://testserver", follow_redirects=False) as c:
        yield ctx, c


def dump(db: Database, files: FileStore) -> bytes:
    """Everything at rest: the database (file or pg_dump) and every stored file."""
    url = make_url(db.url or "")
    if url.get_backend_name() == "sqlite":
        base = Path(url.database or "")
        data = b"".join(p.read_bytes() for p in (base, base.with_name(base.name + "-wal")) if p.exists())
    else:
        data = subprocess.run(
            [
                "pg_dump",
                "-h",
                url.host or "127.0.0.1",
                "-p",
                str(url.port or 5432),
                "-U",
                url.username or "postgres",
                url.database or "",
            ],
            check=True,
            capture_output=True,
        ).stdout
    return data + b"".join(p.read_bytes() for p in files.root.rglob("*") if p.is_file())


def test_nothing_reveals_a_bid_or_a_count_before_the_opening(
    rig: tuple[AppContext, TestClient],
    clock: FixedClock,
    ident: Identity,
    opening_env: KeyEnv,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    ctx, _ = rig
    app = create_app(ctx)
    marker = f"MARKER-{uuid.uuid4().hex}"
    with ctx.db.unit_of_work() as s:
        world: World = a_world(s, clock, ident, opening_env, bidders=4)
        section = a_published_section(s, clock, world, ctx.files, opening_env)
        watchers = {
            Role.SECTOR_SUPERVISOR: a_user(s, clock, ident, role=Role.SECTOR_SUPERVISOR, sector=Sector.HOUSING),
            Role.AUDITOR: a_user(s, clock, ident, role=Role.AUDITOR),
            Role.INSPECTOR: a_user(s, clock, ident, role=Role.INSPECTOR),
            Role.ADMIN: a_user(s, clock, ident, role=Role.ADMIN),
        }
        section_id, project_id = section.id, section.project_id
        tender_number = notices.of_section(s, section.id, "tender")[0].number
    people: dict[str, Person | None] = {
        "public": None,
        "tenderer": world.tenderer,
        "operator": world.operator,
        "supervisor": world.supervisor,
        "onlooker-bidder": world.bidders[3],
        **{r.value: p for r, p in watchers.items()},
    }
    clients = {}
    for name, person in people.items():
        c = TestClient(app, base_url="https://testserver", follow_redirects=False)
        clients[name] = signed_in(c, person, clock) if person else c
    bidders = [
        signed_in(TestClient(app, base_url="https://testserver", follow_redirects=False), b, clock)
        for b in world.bidders[:3]
    ]
    paths = [
        "/",
        "/notices",
        "/notices/feed.atom",
        f"/notices/{tender_number}",
        f"/sections/{section_id}",
        f"/sections/{section_id}/opening",
        f"/sections/{section_id}/live",
        f"/projects/{project_id}",
        "/projects",
        "/workbench",
        "/audit/events",
        "/transparency",
        "/api/v1/log/checkpoint",
        "/api/v1/log/entries",
        f"/api/v1/sections/{section_id}",
        f"/api/v1/sections/{section_id}/opening",
        f"/api/v1/sections/{section_id}/my-bids",
        f"/api/v1/projects/{project_id}",
        "/api/v1/projects",
        "/api/v1/notices",
        f"/api/v1/notices/{tender_number}",
        "/api/v1/supervision/alerts",
        "/api/v1/agency-acts",
        "/delegations/acts",
        f"/sections/{section_id}/registrations",
        "/my/bids",
        f"/sections/{section_id}/bid",
        "/centre/registrations",
    ]

    def look() -> dict[tuple[str, str], str]:
        out = {}
        for name, c in clients.items():
            for path in paths:
                r = c.get(path)
                if r.status_code == 303:
                    r = c.get(r.headers["location"])
                out[(name, path)] = f"{r.status_code}\n{normalise(r.text)}"
        return out

    before = look()
    for i, (c, person) in enumerate(zip(bidders, world.bidders[:3], strict=True)):
        page = c.get(f"/sections/{section_id}")
        doc = re.search(r'action="/documents/([^/]+)/download"', page.text)
        assert doc is not None
        assert c.post(f"/documents/{doc.group(1)}/download", data={"csrf_token": csrf(page.text)}).status_code == 200
        envelope = an_envelope(
            section,
            person,
            1,
            price=PRICE if i == 0 else f"{7000000 + i}.00",
            remark=marker,
            files=[("技术标.txt", f"{marker} 技术方案".encode())],
        )
        r = c.put(
            f"/api/v1/sections/{section_id}/bid",
            content=envelope,
            headers={
                "content-type": "application/octet-stream",
                "x-csrf-token": csrf(c.get(f"/sections/{section_id}/bid").text),
            },
        )
        assert r.status_code == 201, r.text
        assert marker not in r.text and PRICE not in r.text
    after = look()

    for key, body in after.items():
        assert marker not in body and PRICE not in body, key
        assert body == before[key], f"{key} changed when bids came in: it would reveal who bid or how many"
    for c in bidders:
        for path in paths:
            assert marker not in c.get(path).text
    at_rest = dump(ctx.db, ctx.files)
    assert marker.encode() not in at_rest and PRICE.encode() not in at_rest
    assert marker not in caplog.text and PRICE not in caplog.text

    with ctx.db.unit_of_work() as s:
        sec = s.get(type(section), section_id)
        assert sec is not None and sec.bid_deadline is not None
        clock.set(sec.bid_deadline)
        deadline.reach_deadline(s, section_id, clock.now())
    for holder in ("operator", "supervisor"):
        c = signed_in(TestClient(app, base_url="https://testserver", follow_redirects=False), people[holder], clock)  # type: ignore[arg-type]
        page = c.get(f"/sections/{section_id}/opening")
        work = c.get(f"/api/v1/sections/{section_id}/opening/shares").json()  # the holder's client, after the deadline
        person = people[holder]
        assert person is not None
        shares = keyholder.shares_from_work(work, HOLDER_KEYS[person.user.id].private, clock=clock)
        c.post(
            f"/api/v1/sections/{section_id}/opening/shares",
            json={"shares": shares},
            headers={"X-CSRF-Token": csrf(page.text)},
        )
    record = clients["public"].get(f"/sections/{section_id}").text
    assert "7,654,321.09" in record and "已开标" in record
    opening_notice = clients["public"].get("/notices", params={"q": "开标记录"}).text
    number = re.search(r'href="/notices/(KBJL[0-9]+)"', opening_notice)
    assert number is not None
    assert "7,654,321.09" in clients["public"].get(f"/notices/{number.group(1)}").text


def csrf(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html) or re.search(r'data-csrf="([^"]+)"', html)
    assert m is not None
    return m.group(1)


# --- the log's public face: nothing of it moves with secret activity before the opening ----------------------


def log_probes(section_id: str, size: int) -> list[str]:
    """What anyone (or a role with access to the log) can ask of the log; `size` is the public head at the start."""
    return [
        "/api/v1/log/checkpoint",
        "/transparency",
        "/transparency?index=99999999",
        f"/transparency?index={max(size - 1, 0)}",
        "/api/v1/log/proof/inclusion?index=0&size=99999999",  # the error once told the head's size
        "/api/v1/log/proof/inclusion?index=99999999",
        f"/api/v1/log/proof/inclusion?index=0&size={size}",
        f"/api/v1/log/proof/inclusion?index=0&size={size + 1}",
        "/api/v1/log/proof/consistency?first=1&second=99999999",
        f"/api/v1/log/proof/consistency?first=1&second={size + 1}",
        "/api/v1/log/entries?limit=500",
        f"/api/v1/log/entries?scope={section_id}&limit=500",
        "/audit/events",
        *(f"/api/v1/log/entries/{seq}" for seq in range(size - 2, size + 12)),  # numbering: gaps, or none
    ]


def tick_log(ctx: AppContext, now: datetime) -> None:
    """The audit domain's timed moves (commit at deadlines, disclose at openings, sign on schedule) at `now`."""
    tick(ctx.db, audit_timers.sources(ctx), now)


def test_secret_activity_moves_nothing_of_the_log_until_the_opening_and_all_of_it_is_provable_after(
    rig: tuple[AppContext, TestClient], clock: FixedClock, ident: Identity, opening_env: KeyEnv
) -> None:
    ctx, _ = rig
    app = create_app(ctx)
    with ctx.db.unit_of_work() as s:
        world: World = a_world(s, clock, ident, opening_env, bidders=4)
        section = a_published_section(s, clock, world, ctx.files, opening_env)
        control = a_published_section(s, clock, world, ctx.files, opening_env)  # same deadline, nothing secret
        watchers = [
            a_user(s, clock, ident, role=Role.SECTOR_SUPERVISOR, sector=Sector.HOUSING),
            a_user(s, clock, ident, role=Role.AUDITOR),
            a_user(s, clock, ident, role=Role.INSPECTOR),
            a_user(s, clock, ident, role=Role.ADMIN),
        ]
        section_id, control_id = section.id, control.id
        deadline = section.bid_deadline
        assert deadline is not None and control.bid_deadline == deadline
    observers: dict[str, TestClient] = {
        "public": TestClient(app, base_url="https://testserver", follow_redirects=False)
    }
    for person in [world.tenderer, world.operator, world.supervisor, world.bidders[3], *watchers]:
        observers[person.username] = signed_in(
            TestClient(app, base_url="https://testserver", follow_redirects=False), person, clock
        )
    bidders = [
        signed_in(TestClient(app, base_url="https://testserver", follow_redirects=False), b, clock)
        for b in world.bidders[:3]
    ]
    start = clock.now()
    tick_log(ctx, start)  # the first checkpoint: the public log as it stands
    with ctx.db.unit_of_work(write=False) as s:
        size = transparency.tree_head(s).size
    probes = log_probes(section_id, size)

    def look(clients: dict[str, TestClient]) -> dict[tuple[str, str], str]:
        return {
            (name, path): f"{(r := c.get(path)).status_code}\n{normalise(r.text)}"
            for name, c in clients.items()
            for path in probes
        }

    everyone = {**observers, **{f"bidder{i}": c for i, c in enumerate(bidders)}}
    before = look(everyone)
    heard: list[events.LoggedEvent] = []
    stop_listening = events.on_commit(heard.extend)  # the live fan-out: supervision, dashboards
    try:
        receipts = []
        for i, (c, person) in enumerate(zip(bidders, world.bidders[:3], strict=True)):
            page = c.get(f"/sections/{section_id}")
            doc = re.search(r'action="/documents/([^/]+)/download"', page.text)
            assert doc is not None
            assert (
                c.post(f"/documents/{doc.group(1)}/download", data={"csrf_token": csrf(page.text)}).status_code == 200
            )
            assert c.post(f"/sections/{section_id}/register", data={"csrf_token": csrf(page.text)}).status_code == 303
            for version in (1, 2) if i != 1 else (1,):  # bidder 0 replaces its bid; bidder 2 withdraws, bids again
                envelope = an_envelope(
                    section, person, version, price=f"{7000000 + i}.00", files=[("技术标.txt", b"x")]
                )
                token = csrf(c.get(f"/sections/{section_id}/bid").text)
                r = c.put(
                    f"/api/v1/sections/{section_id}/bid",
                    content=envelope,
                    headers={"content-type": "application/octet-stream", "x-csrf-token": token},
                )
                assert r.status_code == 201, r.text
                receipts.append(r.json())
                if i == 2 and version == 1:
                    token = csrf(c.get(f"/sections/{section_id}/bid").text)
                    w = c.post(f"/api/v1/bids/{r.json()['bid_id']}/withdraw", headers={"x-csrf-token": token})
                    assert w.status_code == 200, w.text
        # Time passes on the fixed signing schedule; nothing public happened, so nothing may be signed.
        for minutes in (10, 20, 30):
            tick_log(ctx, start + timedelta(minutes=minutes))
        after = look(everyone)
    finally:
        stop_listening()
    changed = [key for key, body in after.items() if body != before[key]]
    assert not changed, f"the log moved with secret activity: {changed[:5]} {after[changed[0]] if changed else ''}"
    assert heard == [], f"the live stream carried secret events: {[e.type for e in heard]}"
    # A receipt names its event; asking for it before the opening is asking for an id that does not exist.
    event_ids = [r["receipt"]["receipt"]["event"] for r in receipts]
    unknown = observers["public"].get("/api/v1/log/sealed/01ZZZZZZZZZZZZZZZZZZZZZZZZ")
    for event_id in event_ids:
        r = observers["public"].get(f"/api/v1/log/sealed/{event_id}")
        assert (
            (r.status_code, r.json()["detail"])
            == (unknown.status_code, unknown.json()["detail"])
            == (404, r.json()["detail"])
        )

    # The deadline: every section that closes gets one commitment, whatever was sealed in it.
    with ctx.db.unit_of_work() as s:
        clock.set(deadline)
        for sid in (section_id, control_id):
            reach_deadline(s, sid, clock.now())
        closed = transparency.tree_head(s).size
    tick_log(ctx, deadline)
    with ctx.db.unit_of_work(write=False) as s:
        commits = s.execute(select(Event).where(Event.type == events.SEALED_COMMITTED)).scalars().all()
        assert sorted(e.scope_id for e in commits) == sorted([section_id, control_id])
        assert transparency.tree_head(s).size == closed + 2

    # The opening: two holders hand in their shares; the next tick discloses the sealed log.
    for holder in (world.operator, world.supervisor):
        c = signed_in(TestClient(app, base_url="https://testserver", follow_redirects=False), holder, clock)
        page = c.get(f"/sections/{section_id}/opening")
        work = c.get(f"/api/v1/sections/{section_id}/opening/shares").json()  # the holder's client, after the deadline
        shares = keyholder.shares_from_work(work, HOLDER_KEYS[holder.user.id].private, clock=clock)
        r = c.post(
            f"/api/v1/sections/{section_id}/opening/shares",
            json={"shares": shares},
            headers={"X-CSRF-Token": csrf(page.text)},
        )
        assert r.status_code == 200, r.text
    tick_log(ctx, deadline + timedelta(minutes=1))
    tick_log(ctx, deadline + timedelta(minutes=11))  # the next period signs a checkpoint holding the disclosure

    with ctx.db.unit_of_work(write=False) as s:
        sth = transparency.latest_checkpoint(s)
        assert sth is not None
        sealed_rows = s.execute(select(SealedEvent).order_by(SealedEvent.idx)).scalars().all()
        assert sorted(Counter(r.type for r in sealed_rows).items()) == [
            ("bidding.bid_sealed", 5),
            ("bidding.bid_withdrawn", 1),
            ("bidding.documents_downloaded", 3),
            ("bidding.registered", 3),
        ]
        disclosure = s.execute(
            select(Event).where(Event.type == events.SEALED_DISCLOSED, Event.scope_id == section_id)
        ).scalar_one()
        opened = json.loads(disclosure.payload)
        commit = next(e for e in commits if e.scope_id == section_id)
        for row in sealed_rows:
            p = transparency.sealed_proof(s, row.id)
            assert merkle.verify_inclusion(p.index, p.size, p.leaf, p.proof, p.root)
            assert p.root.hex() == opened["root"] and p.size == opened["size"] == len(sealed_rows)
            # Logged before the deadline: inside the prefix committed to at the deadline, in the public log.
            assert p.committed_size is not None and p.committed_root is not None and p.index < p.committed_size
            assert (
                events.commitment(bytes.fromhex(opened["nonce"]), p.committed_size, p.committed_root)
                == json.loads(commit.payload)["commitment"]
            )
            assert p.committed_size == p.size or merkle.verify_consistency(
                p.committed_size, p.size, p.committed_root, p.root, p.consistency
            )
            copy = s.get(Event, p.copy_seq)
            assert copy is not None and copy.id == row.id and copy.at < deadline and copy.payload == row.payload
            assert merkle.leaf_hash(events.entry_of(copy, public=False)) == p.leaf
            for seq, leaf in ((copy.seq, events.entry_of(copy)), (disclosure.seq, events.entry_of(disclosure))):
                proof = transparency.inclusion_proof(s, seq, sth.size)
                assert merkle.verify_inclusion(seq, sth.size, merkle.leaf_hash(leaf), proof, bytes(sth.root))
        report = transparency.verify_log(s, verifier=transparency.verifier_key(ctx.keys, ctx.settings.log_origin))
        assert report.ok, report.problems
        assert report.sealed_entries == len(sealed_rows) and report.sealed_logs == 2
    for event_id in event_ids:  # and the bidder's own receipt now proves through the public API
        r = observers["public"].get(f"/api/v1/log/sealed/{event_id}")
        assert r.status_code == 200 and r.json()["index"] < r.json()["committed_size"]
