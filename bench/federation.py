"""Federation benchmark: an accredited platform's signed pushes taken in (signature, replay window, OCDS checks,
ownership, idempotency, storage, the trade's fold), in release packages of --batch releases, then the same releases
pushed again (all duplicates), then one release per push.

python -m bench federation [--trades 2500] [--batch 100] [--backend sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from bench.common import database
from ggzy.core.actor import Actor
from ggzy.core.clock import SystemClock
from ggzy.core.roles import Role
from ggzy.federation import service, signing
from tests.federation.kit import Market, package, whole_tender

BIDDERS = [("91410700MA0000001X", "甲公司"), ("91410700MA0000002X", "乙公司"), ("91410700MA0000003X", "丙公司")]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench federation")
    ap.add_argument("--trades", type=int, default=2500)
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--single", type=int, default=1000, help="releases pushed one per request afterwards")
    ap.add_argument("--backend", choices=("sqlite", "postgresql"), default="postgresql")
    args = ap.parse_args(argv if argv is not None else sys.argv[2:] if sys.argv[1:2] == ["federation"] else [])
    clock = SystemClock()
    office = Actor(user_id="bench", role=Role.SUPERVISOR, org_id=None)
    market = Market(key=Ed25519PrivateKey.generate())
    with tempfile.TemporaryDirectory() as tmp, database(args.backend, Path(tmp)) as db:
        with db.unit_of_work() as s:
            _, market.token = service.accredit(
                s,
                office,
                code=market.code,
                name="基准市场化交易平台",
                kind="market",
                region="410700",
                ocid_prefix=market.prefix,
                public_key=market.public,
                clock=clock,
            )
        start = clock.now() - timedelta(days=30)
        rels = [
            r
            for i in range(args.trades + args.single // 4 + 1)
            for r in whole_tender(market.prefix, f"B-{i:07d}", start, bidders=BIDDERS)
        ]
        bulk, single = rels[: args.trades * 4], rels[args.trades * 4 : args.trades * 4 + args.single]

        def pushes(rs: list[dict[str, object]], size: int) -> list[service.Push]:
            out = []
            for i in range(0, len(rs), size):
                body = package(rs[i : i + size])  # type: ignore[arg-type]
                h = market.headers(body, clock.now())
                out.append(service.Push(h["x-platform"], h["x-timestamp"], h["x-signature"], market.token, body))
            return out

        def run(ps: list[service.Push]) -> tuple[float, int, int]:
            t = time.perf_counter()
            accepted = dup = 0
            for p in ps:
                with db.unit_of_work() as s:
                    got = service.ingest(s, p, clock=clock)
                accepted, dup = accepted + len(got.accepted), dup + len(got.duplicates)
            return time.perf_counter() - t, accepted, dup

        batches = pushes(bulk, args.batch)
        secs, accepted, _ = run(batches)
        print(f"{args.backend}: {accepted} releases in {len(batches)} signed pushes of {args.batch}: "
              f"{secs:.2f} s, {accepted / secs:,.0f} releases/s")  # fmt: skip
        again = pushes(bulk, args.batch)
        secs, _, dup = run(again)
        print(f"{args.backend}: the same again (idempotent, all duplicates): {dup} in {secs:.2f} s, "
              f"{dup / secs:,.0f} releases/s")  # fmt: skip
        ones = pushes(single, 1)
        secs, accepted, _ = run(ones)
        print(f"{args.backend}: {accepted} releases one per push: {secs:.2f} s, {accepted / secs:,.0f} releases/s")
        t = time.perf_counter()
        n = 2000
        body = batches[0].body
        stamp = batches[0].timestamp
        for _ in range(n):
            signing.verify(market.public, market.code, stamp, body, batches[0].signature)
        per = (time.perf_counter() - t) / n
        print(f"signature check of one {len(body):,}-byte push: {per * 1e6:.0f} µs")


if __name__ == "__main__":
    main()
