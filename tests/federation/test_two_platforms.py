"""Two platforms, two `ggzy serve` processes (issue #14, done-when of item 5): the second is a market-run platform
accredited by the first; its own tick pushes each step of its trades as they are published there (the demo city's
trades: tender, opening record, award, contract) signed with its key. The whole tender shows on the first's portal
labelled with its source, its debarred winner raises an alert on the first's supervision dashboard, and the
platform's figures are on the register.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx2 as httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select

from ggzy.core.clock import FixedClock, SystemClock
from ggzy.core.config import Settings
from ggzy.core.db import Database
from ggzy.core.keys import load_keys
from ggzy.core.roles import Role
from ggzy.credit.states import TradeClass
from ggzy.entities import totp
from ggzy.entities.models import Organisation
from ggzy.entities.service import Identity
from ggzy.exchange import queries as exchange
from ggzy.federation import service, signing
from ggzy.federation.models import PushedRelease, PushedTrade
from ggzy.supervision.models import Alert
from tests.builders import a_user, an_org, csrf_from
from tests.conftest import FAST_HASHER
from tests.credit.conftest import a_sanction
from tests.dbserver import DbServer

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
PREFIX = "ocds-mkt001"
TRADE = f"{PREFIX}-XXZB-2026-0003-01"  # the demo's works tender that went to contract


@dataclass
class Node:
    name: str
    port: int
    proc: subprocess.Popen[bytes]
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(url: str, var: Path, **more: str) -> dict[str, str]:
    return {
        **os.environ,
        "GGZY_DATABASE_URL": url,
        "GGZY_VAR_DIR": str(var),
        "GGZY_TICK_SECONDS": "0.3",
        "GGZY_COOKIE_SECURE": "false",
        "GGZY_KEYSTORE_SCRYPT_N": "1024",
        **more,
    }


def spawn(name: str, env: dict[str, str], tmp: Path) -> Node:
    port = _free_port()
    log = tmp / f"{name}.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "ggzy", "serve", "--port", str(port)], env=env, cwd=ROOT, stdout=out, stderr=out
        )
    node = Node(name, port, proc, log)
    deadline = time.monotonic() + 240
    while True:
        assert proc.poll() is None, f"{name} exited:\n{log.read_text(errors='replace')[-3000:]}"
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{node.url}/healthz", timeout=2).status_code == 200:
                return node
        assert time.monotonic() < deadline, f"{name} did not start"
        time.sleep(0.2)


def stop(node: Node) -> None:
    if node.proc.poll() is None:
        node.proc.terminate()
        try:
            node.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            node.proc.kill()
            node.proc.wait()


@pytest.fixture
def two_dbs(dbserver: DbServer) -> Iterator[tuple[str, str]]:
    a, b = dbserver.clone(), dbserver.clone()
    try:
        yield a, b
    finally:
        dbserver.drop(a)
        dbserver.drop(b)


def sign_in(client: httpx.Client, username: str, password: str, secret: str) -> None:
    page = client.get("/login")
    r = client.post("/login", data={"username": username, "password": password, "csrf_token": csrf_from(page.text)})
    assert r.status_code == 303, r.text
    page = client.get("/login/otp")
    code = totp.code_at(secret, SystemClock().now())
    r = client.post("/login/otp", data={"code": code, "csrf_token": csrf_from(page.text)})
    assert r.status_code == 303, r.text


def test_a_market_platform_pushes_a_whole_tender_that_shows_on_the_portal_and_the_dashboard(
    two_dbs: tuple[str, str], tmp_path: Path
) -> None:
    ours_url, market_url = two_dbs
    ours_var, market_var = tmp_path / "ours", tmp_path / "market"
    # the market platform: the demo city's trades, published under its own OCDS prefix
    built = subprocess.run(
        [sys.executable, "-m", "ggzy", "demo"],
        env=_env(market_url, market_var, GGZY_OCDS_PREFIX=PREFIX),
        cwd=ROOT,
        capture_output=True,
        timeout=300,
        check=False,
    )
    assert built.returncode == 0, built.stderr.decode(errors="replace")[-3000:]
    market_db = Database.from_url(market_url)
    with market_db.unit_of_work(write=False) as s:
        rels = list(exchange.releases(s, list(exchange.steps(s)), prefix=PREFIX))
    market_db.dispose()
    trade_rels = [r for r in rels if r["ocid"] == TRADE]
    assert [r["tag"][0] for r in trade_rels] == ["planning", "tender", "tenderUpdate", "award", "contract"]
    winner = trade_rels[-1]["awards"][0]["suppliers"][0]
    winner_code = winner["id"].removeprefix("CN-USCC-")

    # our platform: a supervisor, the market platform accredited with its public key, the winner debarred here
    key = Ed25519PrivateKey.generate()
    key_file = market_var / "federation.key"
    key_file.write_text(key.private_bytes_raw().hex())
    key_file.chmod(0o600)
    ours = Database.from_url(ours_url)
    settings = Settings(var_dir=ours_var)
    ident = Identity.from_settings(settings, load_keys(ours_var), hasher=FAST_HASHER)
    clock = SystemClock()
    now = FixedClock(clock.now())
    with ours.unit_of_work() as s:
        office = a_user(s, now, ident, role=Role.SUPERVISOR)
        _, token = service.accredit(
            s,
            office.actor,
            code="mkt001",
            name="某市场化交易平台",
            kind="market",
            region="410700",
            ocid_prefix=PREFIX,
            public_key=signing.public_hex(key),
            clock=now,
        )
        winner_here = an_org(s, now)
        winner_here.credit_code = winner_code  # the same company, registered with us too
        s.flush()
        a_sanction(s, now, office, winner_here.id, classes=[TradeClass.STATE_WORKS])
        username, password, secret = office.username, office.password, office.secret
    assert secret is not None

    nodes = []
    try:
        nodes.append(a := spawn("ours", _env(ours_url, ours_var), tmp_path))
        market_env = _env(
            market_url,
            market_var,
            GGZY_OCDS_PREFIX=PREFIX,
            GGZY_FEDERATION_UPSTREAM_URL=a.url,
            GGZY_FEDERATION_PLATFORM_CODE="mkt001",
            GGZY_FEDERATION_TOKEN=token,
            GGZY_FEDERATION_KEY_FILE=str(key_file),
        )
        nodes.append(spawn("market", market_env, tmp_path))

        def arrived() -> bool:
            with ours.unit_of_work(write=False) as s:
                t = s.get(PushedTrade, TRADE)
                n = s.scalar(select(func.count()).select_from(PushedRelease))
                return t is not None and t.screened and t.last_tag == "contract" and n == len(rels)

        deadline = time.monotonic() + 180
        while not arrived():
            assert time.monotonic() < deadline, (a.log.read_text()[-2000:], nodes[1].log.read_text()[-2000:])
            time.sleep(0.3)
        with ours.unit_of_work(write=False) as s:
            t = s.get(PushedTrade, TRADE)
            assert t is not None and t.supplier == winner["name"]
            alert = s.execute(select(Alert).where(Alert.flag_id == "F01")).scalar_one()
            assert winner["name"] in alert.title and alert.source == "federation:mkt001"
            assert s.execute(select(Organisation).where(Organisation.credit_code == winner_code)).scalar_one()

        portal = httpx.get(f"{a.url}/federation", timeout=10)
        assert portal.status_code == 200 and t.title in portal.text and "来源：某市场化交易平台" in portal.text
        detail = httpx.get(f"{a.url}/federation/trades/{TRADE}", timeout=10)
        assert detail.status_code == 200 and detail.text.count(f"{TRADE}-") == 5
        with httpx.Client(base_url=a.url, timeout=10) as c:
            sign_in(c, username, password, secret)
            dash = c.get("/supervision")
            assert dash.status_code == 200 and alert.title in dash.text
            register = c.get("/supervision/platforms")
            assert register.status_code == 200 and "某市场化交易平台" in register.text
            assert f'<td class="num">{len(rels)}</td>' in register.text
    finally:
        for n in nodes:
            stop(n)
        ours.dispose()
