"""Credit benchmark: import a list of N entries (CSV, row by row with a savepoint each), then the enforcement
question asked at every bid — `sanctions_for` — for registered entities, half of them listed.

python -m bench credit [--rows 20000] [--checks 2000] [--backend sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

from bench.common import database, pct
from ggzy.core.actor import Actor, system
from ggzy.core.clock import SystemClock
from ggzy.core.roles import Role
from ggzy.credit import imports, queries
from ggzy.credit.states import TradeClass
from ggzy.entities import credit_code
from ggzy.entities import service as entities
from ggzy.entities.states import OrgKind

SYSTEM = system()


def code(n: int) -> str:
    return credit_code.make("91410700" + "".join(credit_code.ALPHABET[int(ch) * 3] for ch in f"{n:09d}"))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench credit")
    ap.add_argument("--rows", type=int, default=20_000)
    ap.add_argument("--checks", type=int, default=2_000)
    ap.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    args = ap.parse_args(argv if argv is not None else sys.argv[2:] if sys.argv[1:2] == ["credit"] else [])
    clock = SystemClock()
    office = Actor(user_id="bench", role=Role.SUPERVISOR, org_id=None)
    with tempfile.TemporaryDirectory() as tmp, database(args.backend, Path(tmp)) as db:
        registered = 1000
        with db.unit_of_work() as s:
            orgs = [
                entities.register_organisation(
                    s,
                    SYSTEM,
                    name=f"基准测试供应商{i}号有限公司",
                    credit_code_text=code(i),
                    kind=OrgKind.BIDDER,
                    sector=None,
                    clock=clock,
                ).id
                for i in range(registered)
            ]
        lines = ["统一社会信用代码,名称,失信行为,依据,列入日期,截止日期,限制领域,地区"]
        for i in range(0, 2 * args.rows, 2):  # every other code: half the registered entities are listed
            lines.append(f"{code(i)},名单主体{i},提供虚假材料,财库〔2026〕{i}号,2026-01-01,2029-01-01,政府采购,41")
        data = ("\n".join(lines) + "\n").encode()
        t = time.perf_counter()
        with db.unit_of_work() as s:
            report = imports.import_list(
                s, office, list_name="procurement_misconduct", filename="l.csv", data=data, clock=clock
            )
        imported = time.perf_counter() - t
        assert report.kept == args.rows and not report.problems
        rng = random.Random(7)
        times, hits = [], 0
        with db.unit_of_work(write=False) as s:
            now = clock.now()
            for _ in range(args.checks):
                org = rng.choice(orgs)
                t = time.perf_counter()
                found = queries.sanctions_for(s, org, TradeClass.PROCUREMENT, "410702", now)
                times.append(time.perf_counter() - t)
                hits += bool(found)
        print(
            f"backend {args.backend}: import {args.rows} rows in {imported:.2f} s ({args.rows / imported:,.0f} rows/s)"
        )
        print(
            f"sanctions_for × {args.checks}: p50 {pct(times, 0.5) * 1000:.2f} ms, "
            f"p99 {pct(times, 0.99) * 1000:.2f} ms, hits {hits}"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
