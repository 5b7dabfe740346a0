"""Trade benchmarks: the opening of 100 sealed 5 MB bids, and the deadline rush of 200 bidders over HTTP.

python -m bench trade [--bids 100] [--rush 200] [--size-mb 5] [--backend postgresql|sqlite]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx2 as httpx

from bench.common import database, pct
from ggzy import sealing
from ggzy.bidding import keys as opening_keys
from ggzy.core.clock import FixedClock, SystemClock
from ggzy.core.crypto import FieldCipher
from ggzy.core.db import Database
from ggzy.core.files import FileStore
from ggzy.core.keys import load_keys
from ggzy.core.roles import Role
from ggzy.entities import auth
from ggzy.entities.passwords import Hasher
from ggzy.entities.service import Identity
from ggzy.projects import queries as projects
from ggzy.projects import timers as deadline
from ggzy.sealing.header import SealContext
from tests.builders import a_user
from tests.trade import World, a_published_section, a_sealed_bid, a_world, hand_in, key_set

FAST = Hasher(memory_kib=256, time_cost=1, parallelism=1)


def _env(var: Path) -> tuple[opening_keys.KeyEnv, Identity]:
    from ggzy.sealing import p256

    keys = load_keys(var)
    env = opening_keys.KeyEnv(
        cipher=FieldCipher(keys.derive("column:shares")), archive=p256.derive(keys.derive("archive:v1"))
    )
    return env, Identity(hasher=FAST, cipher=FieldCipher(keys.derive("column:totp")))


def _envelope(section: object, org_id: str, size: int, price: str) -> bytes:
    out = io.BytesIO()
    sealing.seal(
        key_set(section),  # type: ignore[arg-type]
        SealContext(section_id=section.id, bidder_id=org_id, version=1),  # type: ignore[attr-defined]
        {"price": price, "currency": "CNY", "duration_days": 200},
        [sealing.BidFile("投标文件.bin", os.urandom(size))],
        out,
        threshold=2,
        deadline=int(section.bid_deadline.timestamp()),  # type: ignore[attr-defined]
    )
    return out.getvalue()


def bench_opening(db: Database, var: Path, n: int, size: int) -> None:
    env, ident = _env(var)
    keys = load_keys(var)
    clock = FixedClock(SystemClock().now())
    files = FileStore(var / "files")
    with db.unit_of_work() as s:
        world: World = a_world(s, clock, ident, env, bidders=n)
        section = a_published_section(s, clock, world, files, env)
        t = time.perf_counter()
        for i, b in enumerate(world.bidders):
            a_sealed_bid(
                s, clock, files, keys, section, b, data=_envelope(section, b.user.org_id, size, f"{4_000_000 + i}.00")
            )
        sealed = time.perf_counter() - t
        assert section.bid_deadline is not None
        clock.set(section.bid_deadline)
        deadline.reach_deadline(s, section.id, clock.now())
        section_id = section.id
    print(f"opening: {n} bids of {size // 1_048_576} MB sealed and received in {sealed:.1f} s")
    with db.unit_of_work() as s:
        hand_in(s, clock, world.operator, projects.get_section(s, section_id), files, env)
    t = time.perf_counter()
    with db.unit_of_work() as s:
        state = hand_in(s, clock, world.supervisor, projects.get_section(s, section_id), files, env)
    took = time.perf_counter() - t
    assert state.opened
    print(f"opening: second share to published record, {n} bids × {size // 1_048_576} MB decrypted: {took:.1f} s")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def bench_rush(db: Database, var: Path, n: int, size: int) -> None:
    env, ident = _env(var)
    clock = SystemClock()
    files = FileStore(var / "files")
    with db.unit_of_work() as s:
        world: World = a_world(s, clock, ident, env, bidders=0)  # type: ignore[arg-type]
        section = a_published_section(s, clock, world, files, env)  # type: ignore[arg-type]
        bidders = [a_user(s, clock, ident, role=Role.BIDDER) for _ in range(n)]  # type: ignore[arg-type]
        tokens = [auth.issue_token(s, b.actor, name="rush", clock=clock, ident=ident)[0] for b in bidders]
        envelopes = []
        for i, b in enumerate(bidders):
            path = var / f"rush-{i}.ggzybid"
            path.write_bytes(_envelope(section, b.user.org_id, size, f"{5_000_000 + i}.00"))
            envelopes.append(path)
        section_id = section.id
    port = _free_port()
    environment = {**os.environ, "GGZY_DATABASE_URL": db.url or "", "GGZY_VAR_DIR": str(var), "GGZY_TICK_SECONDS": "0"}
    server = subprocess.Popen(
        [sys.executable, "-m", "ggzy", "serve", "--port", str(port)],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        _wait(port)
        latencies, statuses = asyncio.run(_fire(port, section_id, tokens, envelopes))
        peak = _peak_rss_mb(server.pid)
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)
    ok = sum(1 for st in statuses if st == 201)
    print(f"rush: {n} bids of {size // 1_048_576} MB at once over HTTP: {ok}/{n} accepted")
    print(
        f"rush: latency p50 {pct(latencies, 0.5):.2f} s, p99 {pct(latencies, 0.99):.2f} s, "
        f"max {max(latencies):.2f} s; server peak RSS {peak:.0f} MiB"
    )


def _wait(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError("server did not start")


async def _fire(port: int, section_id: str, tokens: list[str], envelopes: list[Path]) -> tuple[list[float], list[int]]:
    url = f"http://127.0.0.1:{port}/api/v1/sections/{section_id}/bid"
    limits = httpx.Limits(max_connections=len(tokens))
    async with httpx.AsyncClient(timeout=600, limits=limits) as client:

        async def one(token: str, path: Path) -> tuple[float, int]:
            t = time.perf_counter()

            async def body() -> object:
                with open(path, "rb") as f:
                    while chunk := f.read(1 << 20):
                        yield chunk

            r = await client.put(
                url,
                content=body(),
                headers={"authorization": f"Bearer {token}", "content-type": "application/octet-stream"},
            )
            return time.perf_counter() - t, r.status_code

        results = await asyncio.gather(*(one(t, p) for t, p in zip(tokens, envelopes, strict=True)))
    return [r[0] for r in results], [r[1] for r in results]


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m bench trade")
    ap.add_argument("--bids", type=int, default=100)
    ap.add_argument("--rush", type=int, default=200)
    ap.add_argument("--size-mb", type=int, default=5)
    ap.add_argument("--backend", choices=["sqlite", "postgresql"], default="postgresql")
    args, _ = ap.parse_known_args([a for a in sys.argv[1:] if a != "trade"])
    size = args.size_mb * 1_048_576
    for fn, n in ((bench_opening, args.bids), (bench_rush, args.rush)):
        if n <= 0:
            continue
        with tempfile.TemporaryDirectory() as tmp, database(args.backend, Path(tmp)) as db:
            fn(db, Path(tmp) / "var", n, size)
    print(f"bench process peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
