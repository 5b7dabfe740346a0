"""OCDS import benchmark (issue 14: 1,000,000 compiled releases imported in under 2 minutes; in the same run
`ocdskit compile` on the same releases, and the ratio).

    python -m bench.ocds_import [--releases N] [--backend sqlite|postgresql] [--no-ocdskit] [--ocdskit-sample N]

N compiled releases are generated into a JSON Lines file (one ocid each; a tender with two items and a value, three
bids with tenderers, an award, a contract and four parties: about 1.6 KB a line, like a small real process). The
import (`supervision.imports.ocds.import_ocds`, what `ggzy import ocds` runs) reads it into a throwaway migrated
database: every line parsed, checked by JSON path, digested and stored (the check finds one planted error per
thousand lines, a number given as text). Then `ocdskit compile --schema <local release schema>` runs on the same
file, as a subprocess, timed from start to exit (its output discarded); with `--ocdskit-sample N` it runs on the
first N lines and its time is extrapolated linearly (it is said so in the output).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson

from bench.common import database
from ggzy.core.clock import SystemClock
from ggzy.supervision.imports.ocds import import_ocds

SCHEMA = Path(__file__).resolve().parents[2] / "shared" / "ocds-schema" / "1.1" / "release-schema.json"


def a_compiled_release(i: int, rng: random.Random) -> dict[str, Any]:
    ocid = f"ocds-bench0-{i:08d}"
    tenderers = [f"CN-USCC-91410700{rng.randrange(10**9):09d}X" for _ in range(3)]
    amounts = [round(rng.uniform(1e5, 5e6), 2) for _ in tenderers]
    win = min(range(3), key=lambda k: amounts[k])
    date = f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}T09:30:00+08:00"
    value = {"amount": amounts[win], "currency": "CNY"}
    if i % 1000 == 7:
        value = {"amount": str(amounts[win]), "currency": "CNY"}  # a planted schema error: a number given as text
    return {
        "ocid": ocid,
        "id": f"{ocid}-compiled",
        "date": date,
        "tag": ["compiled"],
        "initiationType": "tender",
        "buyer": {"id": "CN-USCC-11410700MB1234567X", "name": "某市某局"},
        "parties": [
            {"id": "CN-USCC-11410700MB1234567X", "name": "某市某局", "roles": ["buyer"]},
            *({"id": t, "name": f"投标人{t[-6:]}", "roles": ["tenderer"]} for t in tenderers),
        ],
        "tender": {
            "id": f"T{i}",
            "title": f"某市道路维修工程第{i}标段",
            "status": "complete",
            "procurementMethod": "open",
            "procurementMethodDetails": "公开招标",
            "mainProcurementCategory": "works",
            "value": {"amount": round(max(amounts) * 1.1, 2), "currency": "CNY"},
            "tenderPeriod": {"startDate": "2025-01-01T09:00:00+08:00", "endDate": date},
            "numberOfTenderers": 3,
            "items": [
                {"id": "1", "description": "道路维修", "classification": {"scheme": "CPV", "id": "45233141"}},
                {"id": "2", "description": "交通标志", "classification": {"scheme": "CPV", "id": "45233290"}},
            ],
        },
        "bids": {
            "details": [
                {"id": f"b{k}", "status": "valid", "tenderers": [{"id": t}], "value": {"amount": a, "currency": "CNY"}}
                for k, (t, a) in enumerate(zip(tenderers, amounts, strict=True))
            ]
        },
        "awards": [
            {"id": "a1", "status": "active", "date": date, "value": value, "suppliers": [{"id": tenderers[win]}]}
        ],
        "contracts": [
            {"id": "c1", "awardID": "a1", "status": "active", "value": {"amount": amounts[win], "currency": "CNY"}}
        ],
    }


def generate(path: Path, n: int) -> int:
    rng = random.Random(14)
    with path.open("wb") as f:
        for i in range(n):
            f.write(orjson.dumps(a_compiled_release(i, rng)) + b"\n")
    return path.stat().st_size


def cpu_seconds() -> float:
    """CPU of this process and of its children that ended (the import's workers, ocdskit)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def run_ocdskit(path: Path, lines: int | None) -> tuple[float, float, int]:
    """Wall and CPU seconds of `ocdskit compile` on the first `lines` lines (all when None), and the lines given."""
    exe = shutil.which("ocdskit") or str(Path(sys.executable).with_name("ocdskit"))
    source = path
    if lines is not None:
        source = path.with_suffix(".sample.jsonl")
        with path.open("rb") as src, source.open("wb") as dst:
            for count, line in enumerate(src):
                if count >= lines:
                    break
                dst.write(line)
    given = sum(1 for _ in source.open("rb"))
    cpu = cpu_seconds()
    began = time.perf_counter()
    with source.open("rb") as stdin:
        done = subprocess.run(  # noqa: PLW1510 — checked below, with its stderr shown
            [exe, "compile", "--schema", str(SCHEMA)], stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
    seconds = time.perf_counter() - began
    cpu = cpu_seconds() - cpu
    if done.returncode != 0:
        raise SystemExit(f"ocdskit compile failed: {done.stderr.decode()[-2000:]}")
    return seconds, cpu, given


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench ocds_import")
    parser.add_argument("--releases", type=int, default=1_000_000)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--no-ocdskit", action="store_true")
    parser.add_argument("--ocdskit-sample", type=int, default=None, help="run ocdskit on the first N lines only")
    args = parser.parse_args(argv if argv is not None else [])
    with tempfile.TemporaryDirectory(prefix="ggzy-bench-import-") as tmp_name:
        tmp = Path(tmp_name)
        data = tmp / "compiled.jsonl"
        began = time.perf_counter()
        size = generate(data, args.releases)
        print(
            f"generated {args.releases:,} compiled releases, {size / 1e6:.1f} MB in {time.perf_counter() - began:.1f} s"
        )
        load = os.getloadavg()[0]
        with database(args.backend, tmp) as db:
            cpu = cpu_seconds()
            began = time.perf_counter()
            report = import_ocds(db, [data], clock=SystemClock())
            wall = time.perf_counter() - began
            cpu = cpu_seconds() - cpu
        print(
            f"import ({args.backend}, load average {load:.1f} → {os.getloadavg()[0]:.1f}): "
            f"{report.compiled_stored:,} stored, {report.problems.total} schema errors at "
            f"{len(report.problems.errors)} path(s): {wall:.1f} s wall, {cpu:.1f} s CPU (this process and its "
            f"workers), {report.read / wall:,.0f} releases/s wall, {report.read / cpu:,.0f} per CPU second"
        )
        assert report.compiled_stored == args.releases and report.problems.total == len(range(7, args.releases, 1000))
        if args.no_ocdskit:
            return
        sample = args.ocdskit_sample if args.ocdskit_sample and args.ocdskit_sample < args.releases else None
        load = os.getloadavg()[0]
        kit, kit_cpu, given = run_ocdskit(data, sample)
        scale = args.releases / given
        said = "" if sample is None else f" (ran on {given:,} lines, extrapolated linearly to {args.releases:,})"
        print(
            f"ocdskit compile (load average {load:.1f}): {kit:.1f} s wall, {kit_cpu:.1f} s CPU for {given:,} "
            f"releases{said} → {kit * scale:.1f} s wall, {kit_cpu * scale:.1f} s CPU for all"
        )
        print(f"ratio ocdskit / import: {kit * scale / wall:.1f}× wall, {kit_cpu * scale / cpu:.1f}× CPU")


if __name__ == "__main__":
    main(sys.argv[1:])
