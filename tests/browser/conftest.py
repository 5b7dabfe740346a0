"""A live server per worker (the demo city, a clock the tests move) and one Chromium per worker."""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect, sync_playwright

from ggzy import demo
from ggzy.bidding.keys import KeyEnv
from ggzy.core import training, transparency
from ggzy.core.clock import FixedClock
from ggzy.core.config import Settings
from ggzy.core.crypto import FieldCipher
from ggzy.core.db import Database
from ggzy.core.files import FileStore
from ggzy.core.keys import load_keys
from ggzy.core.pubsub import InProcessBus
from ggzy.entities import totp
from ggzy.entities.service import Identity
from ggzy.sealing import p256
from ggzy.web.app import create_app
from ggzy.web.context import AppContext
from tests.builders import totp_secret_for
from tests.conftest import FAST_HASHER, START
from tests.dbserver import DbServer

DEMO_PASSWORD = "Browser-Demo-Pass-26"
CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
A11Y_BLOCKING = ("serious", "critical")  # axe-core's impacts that fail a test; "moderate" and "minor" are reported
_AXE = Axe()


@dataclass
class Live:
    url: str
    ctx: AppContext
    clock: FixedClock

    def next_totp(self, username: str) -> str:
        """Move the server's clock to a fresh 30-second step and give the code a person would type."""
        self.clock.advance(timedelta(seconds=30))
        return totp.code_at(totp_secret_for(username), self.clock.now())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def live(dbserver: DbServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    with serve(dbserver, tmp_path_factory) as server:
        yield server


@contextmanager
def serve(
    dbserver: DbServer, tmp_path_factory: pytest.TempPathFactory, *, training_factor: int = training.REAL
) -> Iterator[Live]:
    """A live server of its own: the demo city in a fresh database, a clock of its own. A test module that moves
    the clock far or publishes much uses its own (a module-scoped `live` fixture) so that others are unaffected.
    With `training_factor`, the database is a training database (培训模式) before the demo city is built in it."""
    url = dbserver.clone()
    var = tmp_path_factory.mktemp("live-var")
    settings = Settings(var_dir=var, database_url=url, tick_seconds=0, training_factor=training_factor)
    keys = load_keys(var)
    db = Database.from_url(url)
    clock = FixedClock(START)
    ident = Identity(hasher=FAST_HASHER, cipher=FieldCipher(keys.derive("column:totp")))
    env = KeyEnv(cipher=FieldCipher(keys.derive("column:shares")), archive=p256.derive(keys.derive("a")))
    files = FileStore(var / "files")
    kit = demo.TradeKit(files=files, env=env, signer=keys.log_private, var=var)
    if training_factor > training.REAL:
        with db.unit_of_work() as s:
            training.ensure_mode(s, wanted=training_factor, has_trades=False, clock=clock)
    with db.unit_of_work() as s:
        demo.build(
            s, clock=clock, ident=ident, password_for=lambda _u: DEMO_PASSWORD, totp_for=totp_secret_for, trades=kit
        )
    with db.unit_of_work() as s:
        transparency.sign_checkpoint(s, keys=keys, origin=settings.log_origin, clock=clock)
    ctx = AppContext(
        settings=settings, db=db, clock=clock, keys=keys, ident=ident, bus=InProcessBus(), files=files, opening=env
    )
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(ctx), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("live server did not start")
        time.sleep(0.05)
    yield Live(f"http://127.0.0.1:{port}", ctx, clock)
    server.should_exit = True
    thread.join(timeout=10)
    db.dispose()
    dbserver.drop(url)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield b
        b.close()


@pytest.fixture
def page(browser: Browser, live: Live) -> Iterator[Page]:
    context = browser.new_context(base_url=live.url, locale="zh-CN", viewport={"width": 1280, "height": 860})
    context.set_default_timeout(10_000)
    pg = context.new_page()
    yield pg
    context.close()


def sign_in(
    page: Page, live: Live, username: str, password: str = DEMO_PASSWORD, *, staff: bool = False, refused: bool = False
) -> None:
    """Sign in and wait until the page has left the sign-in steps (a click does not wait for the navigation it
    starts: reading the next page at once read the one before it under load). ``refused`` stays on the form."""
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    if refused:
        return
    if staff:
        expect(page.locator("h1")).to_have_text("输入动态口令")
        page.fill("input[name=code]", live.next_totp(username))
        page.click("form[action='/login/otp'] button[type=submit]")
    expect(page).not_to_have_url(re.compile(r"/login(/otp)?(\?.*)?$"))


def a11y_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now (the engine comes in the axe-playwright-python wheel)."""
    return list(_AXE.run(page).response["violations"])


def check_a11y(page: Page) -> None:
    """Issue 13 item 9: no serious or critical accessibility violation (unlabelled field, nameless link or button,
    low contrast, …). The message names each rule, what it asks and the elements that break it."""
    bad = [v for v in a11y_violations(page) if v["impact"] in A11Y_BLOCKING]
    if bad:
        raise AssertionError(
            f"axe-core on {page.url}:\n"
            + "\n".join(
                f"  {v['id']} ({v['impact']}, {len(v['nodes'])}): {v['help']} — "
                + "; ".join(" ".join(map(str, n["target"])) for n in v["nodes"][:8])
                for v in bad
            )
        )


def shot(page: Page, name: str) -> None:
    """Check the page's accessibility; save a screenshot for docs/screenshots when GGZY_SCREENSHOTS=1 (reviewers see
    pages without running)."""
    check_a11y(page)
    if os.environ.get("GGZY_SCREENSHOTS"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def complete_draw(live: Live, section_id: str) -> list[str]:
    """What the tick and the experts do between the request and the room: sign a checkpoint after the draw's
    commitment, draw, and every expert called accepts. Returns the members' usernames in seat order."""
    from ggzy.core.actor import Actor
    from ggzy.core.roles import Role
    from ggzy.entities.models import User
    from ggzy.evaluation import service as evaluation
    from ggzy.experts import queries as experts_queries
    from ggzy.experts import service as experts
    from ggzy.experts.states import DrawStatus
    from ggzy.projects import queries as projects

    with live.ctx.db.unit_of_work() as s:
        section = projects.get_section(s, section_id)
        d = experts_queries.active_draw(s, section.id, section.round)
        assert d is not None, "the section has no draw"
        draw_id, committed = d.id, d.status == DrawStatus.COMMITTED.value
    if committed:
        with live.ctx.db.unit_of_work() as s:
            transparency.sign_checkpoint(s, keys=live.ctx.keys, origin=live.ctx.settings.log_origin, clock=live.clock)
        with live.ctx.db.unit_of_work() as s:
            experts.perform_draw(s, draw_id=draw_id, clock=live.clock, notifier=live.ctx.notifier)
    with live.ctx.db.unit_of_work() as s:
        for inv in experts_queries.invitations(s, draw_id):
            if inv.status == "invited":
                u = s.get(User, inv.expert_id)
                assert u is not None
                who = Actor(user_id=u.id, role=Role.EXPERT, org_id=u.org_id)
                experts.answer(s, who, invitation_id=inv.id, accept=True, clock=live.clock, notifier=live.ctx.notifier)
        section = projects.get_section(s, section_id)
        names = []
        for uid in evaluation.seated(s, section):
            u = s.get(User, uid)
            assert u is not None
            names.append(u.username)
        return names
