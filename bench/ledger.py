"""Deposit ledger benchmark: balanced transfers per second through the service layer (issue 11: ≥ 10,000/s on
PostgreSQL on this machine).

    python bench/ledger.py [--transfers N] [--batch B] [--backend sqlite|postgresql|both]
    (or python -m bench.ledger …; `python -m bench ledger` runs it with the defaults)

Each transfer is a payment into a section's bank account credited to one of 200 bidders' payables, with
its own idempotency key, posted by the ledger's batch verb `ledger.post_many` in transactions of B
transfers; `ledger.post`, one transfer per call (what the payment callback and each refund use today), is
timed on a sample for comparison. After the run the trial balance must be zero and every entry balanced.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: `python bench/ledger.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import database
from ggzy.core.clock import SystemClock
from ggzy.deposits import ledger
from ggzy.deposits.ledger import Leg, Transfer
from ggzy.deposits.states import AccountKind

SECTIONS = 20
BIDDERS = 200


def _transfer(i: int) -> Transfer:
    section = f"S{i % SECTIONS:03d}"
    fen = 100_000 + i % 997
    return Transfer(
        f"bench:{i}",
        "payment",
        [Leg(AccountKind.BANK, section, None, fen), Leg(AccountKind.PAYABLE, section, f"O{i % BIDDERS:04d}", -fen)],
        section,
    )


def run(backend: str, n: int, batch: int) -> None:
    clock = SystemClock()
    with tempfile.TemporaryDirectory() as tmp, database(backend, Path(tmp)) as db:
        with db.unit_of_work() as s:  # accounts opened once, as in a running platform
            ledger.post_many(s, [_transfer(-i - 1) for i in range(BIDDERS)], clock=clock)
        started = time.perf_counter()
        for lo in range(0, n, batch):
            with db.unit_of_work() as s:
                ledger.post_many(s, [_transfer(i) for i in range(lo, min(n, lo + batch))], clock=clock)
        took = time.perf_counter() - started
        sample = min(2000, n)
        t0 = time.perf_counter()
        with db.unit_of_work() as s:
            for i in range(sample):
                t = _transfer(n + i)
                ledger.post(s, key=t.key, kind=t.kind, legs=t.legs, section_id=t.section_id, clock=clock)
        single = time.perf_counter() - t0
        with db.unit_of_work(write=False) as s:
            assert ledger.trial_balance(s) == 0 and ledger.unbalanced_entries(s) == []
        load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
        print(
            f"{backend:10s} post_many: {n:,} transfers in {took:.2f} s = {n / took:,.0f} transfers/s "
            f"(batches of {batch}); post one by one: {sample / single:,.0f} transfers/s; trial balance 0; "
            f"load average {load}"
        )


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python bench/ledger.py")
    p.add_argument("--transfers", type=int, default=100_000)
    p.add_argument("--batch", type=int, default=1000)
    p.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    a = p.parse_args(argv if argv is not None else [])
    for backend in ("sqlite", "postgresql") if a.backend == "both" else (a.backend,):
        run(backend, a.transfers, a.batch)


if __name__ == "__main__":
    main(sys.argv[1:])
