"""Two app nodes on one PostgreSQL and one Redis (N3): real `ggzy serve` processes with their tick loops.

- the deadlines of many sections pass while both nodes tick: each section closes (or fails) exactly once;
- one node is killed (SIGKILL) while it is inside a write transaction of its tick: nothing it was doing is left
  half-done, the other node finishes the work, and the event log still verifies;
- the key holders hand in their shares at different nodes: the section opens once, and the live opening
  pages of both nodes see the same messages.

The opening is driven as the key holders' clients do it (`hand_in`: fetch the headers, unwrap locally, hand in).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from click.testing import CliRunner
from sqlalchemy import func, select, text, update

from ggzy.bidding import keyholder
from ggzy.cli import main
from ggzy.core.clock import FixedClock, SystemClock
from ggzy.core.config import Settings
from ggzy.core.db import Database
from ggzy.core.events import Event
from ggzy.core.files import FileStore
from ggzy.core.keys import load_keys
from ggzy.entities import auth
from ggzy.entities.service import Identity
from ggzy.notices.models import Notice
from ggzy.projects.models import Section
from ggzy.web.app import opening_env
from tests.builders import Person
from tests.conftest import FAST_HASHER
from tests.dbserver import DbServer
from tests.trade import HOLDER_KEYS, World, a_published_section, a_sealed_bid, a_world

pytestmark = [pytest.mark.postgresql, pytest.mark.redis, pytest.mark.slow]

REDIS = os.environ.get("GGZY_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
ROOT = Path(__file__).resolve().parents[1]
FAILING = 24  # sections with no bid: each fails at its deadline (an event, a notice, the search index)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Node:
    name: str
    port: int
    proc: subprocess.Popen[bytes]
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


def spawn(name: str, url: str, var: Path, tmp: Path) -> Node:
    """`ggzy serve` as an operator would start it, ticking every 0.2 s; `application_name` names it in pg_stat."""
    port = _free_port()
    env = {
        **os.environ,
        "GGZY_DATABASE_URL": f"{url}?application_name={name}",
        "GGZY_VAR_DIR": str(var),
        "GGZY_REDIS_URL": REDIS,
        "GGZY_TICK_SECONDS": "0.2",
        "GGZY_COOKIE_SECURE": "false",
        "GGZY_KEYSTORE_SCRYPT_N": "1024",
    }
    log = tmp / f"{name}.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "ggzy", "serve", "--port", str(port)],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return Node(name, port, proc, log)


def ready(*nodes: Node) -> None:
    deadline = time.monotonic() + 240  # a loaded CI machine imports polars, numpy and scikit-learn slowly
    for node in nodes:
        while True:
            assert node.proc.poll() is None, f"{node.name} exited:\n{node.output()}"
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{node.url}/healthz", timeout=2).status_code == 200:
                    break
            assert time.monotonic() < deadline, f"{node.name} did not start:\n{node.output()}"
            time.sleep(0.2)


def stop(node: Node) -> None:
    if node.proc.poll() is None:
        node.proc.send_signal(signal.SIGINT)
        try:
            node.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            node.proc.kill()
            node.proc.wait()


@dataclass
class Stream:
    """A live opening page (server-sent events) read in a thread."""

    messages: list[dict[str, Any]] = field(default_factory=list)
    keepalives: int = 0
    stop: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None

    def wait(self, what: str, until: Any, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not until(self):
            assert time.monotonic() < deadline, f"the live page never showed {what}: {self.messages}"
            time.sleep(0.05)

    def events(self) -> list[dict[str, Any]]:
        """What was pushed through the bus (snapshots are each node's own read of the database)."""
        return [m for m in self.messages if m.get("type") != "snapshot"]


def watch(node: Node, section_id: str) -> Stream:
    stream = Stream()

    def run() -> None:
        with httpx.stream("GET", f"{node.url}/sections/{section_id}/live/events", timeout=60) as r:
            for line in r.iter_lines():
                if stream.stop.is_set():
                    return
                if line.startswith("data: "):
                    stream.messages.append(json.loads(line[6:]))
                elif line.startswith(": keep-alive"):
                    stream.keepalives += 1

    stream.thread = threading.Thread(target=run, daemon=True)
    stream.thread.start()
    # a keep-alive comes only from inside the subscription: from then on nothing published is missed
    stream.wait("a keep-alive", lambda s: s.keepalives >= 1)
    return stream


def hand_in(node: Node, token: str, section_id: str, holder: Person) -> httpx.Response:
    """A key holder's client at this node: fetch the bid headers, unwrap its shares locally, hand them in."""
    auth_header = {"authorization": f"Bearer {token}"}
    work = httpx.get(f"{node.url}/api/v1/sections/{section_id}/opening/shares", headers=auth_header, timeout=120)
    if work.status_code != 200:
        return work
    # The holder's own clock: after every deadline written into the bids (the test moved the platform's earlier).
    later = FixedClock(SystemClock().now() + timedelta(days=60))
    shares = keyholder.shares_from_work(work.json(), HOLDER_KEYS[holder.user.id].private, clock=later)
    return httpx.post(
        f"{node.url}/api/v1/sections/{section_id}/opening/shares",
        json={"shares": shares},
        headers=auth_header,
        timeout=120,
    )


def count(db: Database, event_type: str, section_id: str | None = None) -> int:
    stmt = select(func.count()).select_from(Event).where(Event.type == event_type)
    if section_id is not None:
        stmt = stmt.where(Event.scope_id == section_id)
    with db.unit_of_work(write=False) as s:
        return int(s.execute(stmt).scalar_one())


@dataclass
class Trade:
    world: World
    opened: str  # three sealed bids: closes, then opens
    failing: list[str]  # no bid: fails
    tokens: dict[str, str]


def build(db: Database, var: Path) -> Trade:
    settings = Settings(var_dir=var)
    keys = load_keys(var)
    env = opening_env(settings, keys)
    files = FileStore(var / "files")
    ident = Identity.from_settings(settings, keys, hasher=FAST_HASHER)
    clock = FixedClock(SystemClock().now())
    with db.unit_of_work() as s:
        world = a_world(s, clock, ident, env)
        section = a_published_section(s, clock, world, files, env)
        for b in world.bidders:
            a_sealed_bid(s, clock, files, keys, section, b)
        failing = [a_published_section(s, clock, world, files, env).id for _ in range(FAILING)]
        tokens = {
            who: auth.issue_token(s, getattr(world, who).actor, name="two-nodes", clock=clock, ident=ident)[0]
            for who in ("operator", "supervisor", "tenderer")
        }
        return Trade(world, section.id, failing, tokens)


def due_in(db: Database, section_ids: list[str], seconds: float) -> None:
    """Bring the deadlines to now + seconds (the legal bid period has been checked at publication)."""
    when = SystemClock().now() + timedelta(seconds=seconds)
    with db.unit_of_work() as s:
        s.execute(update(Section).where(Section.id.in_(section_ids)).values(bid_deadline=when, next_due_at=when))


def kill_inside_a_write(db: Database, node: Node, timeout: float = 30) -> bool:
    """SIGKILL the node the moment one of its connections holds an open write transaction."""
    probe = text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :n AND backend_xid IS NOT NULL")
    deadline = time.monotonic() + timeout
    with db.bind.connect() as c:  # type: ignore[union-attr]
        c = c.execution_options(isolation_level="AUTOCOMMIT")
        while time.monotonic() < deadline:
            if c.execute(probe, {"n": node.name}).scalar():
                node.proc.kill()
                node.proc.wait()
                return True
    node.proc.kill()
    node.proc.wait()
    return False


def wait_for(what: str, until: Any, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not until():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


@pytest.fixture
def platform(dbserver: DbServer, tmp_path: Path) -> Iterator[tuple[Database, Path]]:
    url = dbserver.clone()
    db = Database.from_url(url)
    try:
        yield db, tmp_path / "var"
    finally:
        db.dispose()
        dbserver.drop(url)


def test_two_nodes_close_each_deadline_once_survive_a_kill_and_open_once(
    platform: tuple[Database, Path], tmp_path: Path
) -> None:
    db, var = platform
    assert db.url is not None and db.dialect == "postgresql"
    trade = build(db, var)
    every = [trade.opened, *trade.failing]
    a, b = spawn("ggzy-node-a", db.url, var, tmp_path), spawn("ggzy-node-b", db.url, var, tmp_path)
    nodes = [a, b]
    try:
        ready(a, b)
        # 1. every deadline passes while both nodes tick; node A is killed inside one of its write transactions
        due_in(db, every, 1.0)
        caught = kill_inside_a_write(db, a)
        assert caught, "node A was never seen inside a write transaction"
        assert a.proc.returncode == -signal.SIGKILL
        a = spawn("ggzy-node-a2", db.url, var, tmp_path)  # it comes back (and starts while B works)
        nodes.append(a)

        def moved() -> int:
            with db.unit_of_work(write=False) as s:
                return int(
                    s.execute(
                        select(func.count())
                        .select_from(Section)
                        .where(Section.id.in_(every), Section.status.in_(["closed", "failed"]))
                    ).scalar_one()
                )

        wait_for("node B to finish what node A left", lambda: moved() == len(every))
        time.sleep(1.0)  # a few more ticks of B: a second firing would show now
        assert count(db, "projects.bidding_closed", trade.opened) == 1
        assert count(db, "projects.bidding_closed") == 1
        assert count(db, "projects.tender_failed") == FAILING
        with db.unit_of_work(write=False) as s:
            for sid in trade.failing:
                sec = s.get(Section, sid)
                assert sec is not None and sec.status == "failed" and sec.next_due_at is None
                notices = s.execute(select(Notice).where(Notice.section_id == sid, Notice.kind == "failed")).all()
                assert len(notices) == 1, f"{sid}: {len(notices)} failure notices"
                assert count(db, "projects.tender_failed", sid) == 1
        verify = CliRunner().invoke(
            main, ["audit", "verify"], env={"GGZY_DATABASE_URL": db.url, "GGZY_VAR_DIR": str(var)}
        )
        assert verify.exit_code == 0, verify.output

        # 2. with node A back, the holders hand in at different nodes while both live pages watch
        ready(a)
        on_a, on_b = watch(a, trade.opened), watch(b, trade.opened)
        first = hand_in(a, trade.tokens["operator"], trade.opened, trade.world.operator)
        assert first.status_code == 200, first.text
        assert first.json()["opened"] is False
        second = hand_in(b, trade.tokens["supervisor"], trade.opened, trade.world.supervisor)
        assert second.status_code == 200, second.text
        assert second.json()["opened"] is True
        late = hand_in(a, trade.tokens["tenderer"], trade.opened, trade.world.tenderer)
        assert late.status_code == 409 and late.headers["content-type"].startswith("application/problem+json")

        def opened(s: Stream) -> bool:
            return any(m.get("type") == "snapshot" and m.get("opened") for m in s.messages)

        for stream in (on_a, on_b):
            stream.wait("the opened record", opened)
            stream.stop.set()
        assert on_a.events() == on_b.events()
        kinds = [m["type"] for m in on_a.events()]
        assert kinds.count("share") == 2 and kinds[-1] == "state", kinds
        assert count(db, "bidding.section_opened", trade.opened) == 1
        assert count(db, "bidding.bid_opened", trade.opened) == len(trade.world.bidders)
        with db.unit_of_work(write=False) as s:
            sec = s.get(Section, trade.opened)
            assert sec is not None and sec.status == "opened"
            records = s.execute(select(Notice).where(Notice.section_id == trade.opened, Notice.kind == "opening"))
            assert len(records.all()) == 1
    finally:
        for n in nodes:
            stop(n)
