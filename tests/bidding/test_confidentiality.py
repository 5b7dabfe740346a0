"""S4: before the opening no role, no page, no API response, no database row and no log line reveals a bid's
contents, who bid, or how many bid. After the opening the price is in the published record."""

from __future__ import annotations

import logging
import re
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url

from ggzy.bidding import keyholder
from ggzy.bidding.keys import KeyEnv
from ggzy.core.clock import FixedClock
from ggzy.core.config import Settings
from ggzy.core.db import Database
from ggzy.core.files import FileStore
from ggzy.core.keys import Keys
from ggzy.core.pubsub import InProcessBus
from ggzy.core.roles import Role, Sector
from ggzy.entities.service import Identity
from ggzy.notices import queries as notices
from ggzy.projects import timers as deadline
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
