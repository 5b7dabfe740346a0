"""Event log benchmarks: append rate through the service layer, proof latency at a million events, verify time.

    python -m bench events [--events N] [--backend sqlite|postgresql|both]

Builds the log through `events.record` (the same verb every domain calls), in transactions of
BATCH events and also one event per transaction (public, then secret ones into 50 sealed logs), then
times inclusion and consistency proofs and `verify_log` over the whole log (sealed logs included).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import Engine, create_engine, text

from ggzy.core import events, transparency
from ggzy.core.actor import Actor
from ggzy.core.clock import SystemClock
from ggzy.core.db import Database, make_engine
from ggzy.core.keys import load_keys
from ggzy.core.roles import Role
from ggzy.migrations import runner

BENCH = events.event_type("bench.appended", "基准测试事件")
ACTOR = Actor("01BENCHUSER0000000000000000"[:26], Role.OPERATOR, org_id="01BENCHORG", ip="10.1.2.3")
PG = os.environ.get("GGZY_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


def _database(backend: str, tmp: Path) -> tuple[Database, str]:
    if backend == "sqlite":
        url = f"sqlite:///{tmp / 'bench.db'}"
    else:
        name = f"ggzy_bench_{uuid.uuid4().hex[:8]}"
        with create_engine(
            PG.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
        ).connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
        url = PG.rsplit("/", 1)[0] + "/" + name
    engine = make_engine(url)
    runner.upgrade(engine)
    return Database(engine, url), name if backend != "sqlite" else ""


def _drop(name: str) -> None:
    if name:
        with create_engine(
            PG.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
        ).connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def append(db: Database, n: int, batch: int, *, secret: bool = False) -> float:
    """Events per second; `secret` records them sealed (a bid's path), spread over 50 sections' sealed logs."""
    clock = SystemClock()
    payload = {"project": "XXGG-2026-000123", "amount": "1234567.89", "note": "基准测试"}
    started = time.perf_counter()
    done = 0
    while done < n:
        with db.unit_of_work() as s:
            for _ in range(min(batch, n - done)):
                if secret:
                    events.record(
                        s,
                        ACTOR,
                        BENCH,
                        clock=clock,
                        subject=("bench", str(done)),
                        scope=f"section-{done % 50}",
                        payload=payload,
                        secret_until=events.AT_OPENING,
                    )
                else:
                    events.record(s, ACTOR, BENCH, clock=clock, subject=("bench", str(done)), payload=payload)
                done += 1
    return n / (time.perf_counter() - started)


def _p(xs: list[float], q: float) -> float:
    return sorted(xs)[min(len(xs) - 1, int(q * len(xs)))]


def proofs(db: Database, size: int, samples: int = 1000) -> tuple[float, float, float, float]:
    rng = random.Random(7)
    inc, con = [], []
    with db.unit_of_work(write=False) as s:
        for _ in range(samples):
            i = rng.randrange(size)
            t = time.perf_counter()
            transparency.inclusion_proof(s, i, size)
            inc.append((time.perf_counter() - t) * 1000)
            first = rng.randrange(1, size)
            t = time.perf_counter()
            transparency.consistency_proof(s, first, size)
            con.append((time.perf_counter() - t) * 1000)
    return statistics.median(inc), _p(inc, 0.99), statistics.median(con), _p(con, 0.99)


def settle(db: Database, backend: str) -> None:
    """Let the database finish flushing the million-row load before proofs are timed: a proof measured
    while the server is still writing that load out measures the load, not the proof."""
    assert isinstance(db.bind, Engine)
    with db.bind.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("CHECKPOINT" if backend == "postgresql" else "PRAGMA wal_checkpoint(TRUNCATE)"))


def run(backend: str, n: int, batch: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db, name = _database(backend, Path(tmp))
        keys = load_keys(Path(tmp) / "var")
        try:
            single = append(db, min(5000, n), 1)
            print(f"[{backend}] append, one event per transaction: {single:,.0f} events/s")
            sealed = append(db, min(2000, n), 1, secret=True)
            print(f"[{backend}] append, one secret (sealed) event per transaction: {sealed:,.0f} events/s")
            rate = append(db, n, batch)
            print(f"[{backend}] append, {batch} events per transaction: {rate:,.0f} events/s ({n:,} events)")
            with db.unit_of_work() as s:
                size = transparency.tree_head(s).size
                transparency.sign_checkpoint(s, keys=keys, origin="bench", clock=SystemClock())
            settle(db, backend)
            im, ip, cm, cp = proofs(db, size)
            print(f"[{backend}] inclusion proof at {size:,}: median {im:.2f} ms, p99 {ip:.2f} ms")
            print(f"[{backend}] consistency proof at {size:,}: median {cm:.2f} ms, p99 {cp:.2f} ms")
            t = time.perf_counter()
            with db.unit_of_work(write=False) as s:
                report = transparency.verify_log(s, verifier=transparency.verifier_key(keys, "bench"))
            took = time.perf_counter() - t
            print(f"[{backend}] audit verify over {report.entries:,} events: {took:.1f} s, ok={report.ok}")
        finally:
            db.dispose()
            _drop(name)


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m bench events")
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    args, _ = ap.parse_known_args([a for a in os.sys.argv[1:] if a != "events"])  # type: ignore[attr-defined]
    for backend in ("sqlite", "postgresql") if args.backend == "both" else (args.backend,):
        run(backend, args.events, args.batch)


if __name__ == "__main__":
    main()
