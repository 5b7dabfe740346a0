"""Benchmark `ggzy analyze`: generate N compiled releases (5 bids each on average) as JSON Lines in a temp dir,
run every indicator of every family in a subprocess, print wall time and peak memory, and compare with reading the
same file with plain `json.loads` per line. The releases carry the fields the ggzy families read (procedure names,
categories, deposits, publicity, committees, amendments, contracts, bid-level supervision data, parties' contacts).

    python -m bench.analyze                      # 1,000,000 releases, 5,000,000 bids
    python -m bench.analyze --releases 20000     # smoke test
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson

from ggzy.supervision.flags.options import FAMILY_IDS

ROOT = Path(__file__).resolve().parents[1]
CARDINAL = ("R003", "R018", "R024", "R025", "R028", "R030", "R035", "R036", "R038", "R048", "R058")
METHODS = ("open", "open", "open", "selective", "limited", "direct")
DETAILS = ("公开招标", "公开招标", "公开招标", "邀请招标", "竞争性谈判", "单一来源")
CATEGORIES = ("works", "goods", "services")
STATUSES = ("valid", "valid", "valid", "valid", "disqualified", "pending")


def _bid(rng: random.Random, index: int, b: int, base: int, day: int) -> dict[str, Any]:
    tenderer = f"T{rng.randrange(0, 50_000):05d}"
    amount = round(base * (1 + rng.random() * 0.3), 2) if rng.random() > 0.02 else base
    late = rng.random() < 0.01
    date = f"2024-{1 + index % 12:02d}-{day:02d}T{11 if late else 9:02d}:00:00+08:00"
    machine = rng.randrange(0, 40_000_000) if rng.random() > 0.002 else index  # a few tenders share a machine
    bid: dict[str, Any] = {
        "id": f"{index}-{b}",
        "status": STATUSES[rng.randrange(len(STATUSES))],
        "date": date,
        "value": {"amount": amount, "currency": "CNY"},
        "tenderers": [{"id": tenderer}],
    }
    if index % 3 == 0:  # the releases the ggzy trading platform exported itself carry its supervision data
        bid["ggzySupervision"] = {
            "machineFingerprint": f"{machine:012x}",
            "uploadAddress": f"10.{b}.{machine % 250}.7",
            "documents": [{"sha256": f"{rng.getrandbits(256):064x}", "author": f"A{machine % 99991}"}],
            "depositAccount": f"6222{machine:012d}",
        }
    return bid


def _tender(rng: random.Random, index: int, bids: int, base: int, end: str, length: int) -> dict[str, object]:
    kind = rng.randrange(len(METHODS))
    extension = {
        "bidDeposit": {"amount": round(base * rng.choice((0.01, 0.02, 0.03)), 2), "currency": "CNY"},
        "candidatePublicity": {"startDate": end, "endDate": end.replace("T10", "T18")},
        "evaluationCommittee": {"members": rng.choice((3, 5, 7))},
        "stateFunds": {"share": 100, "amount": base * 1.2},
    }
    return {
        "id": str(index),
        "status": "complete",
        "procurementMethod": METHODS[kind],
        "procurementMethodDetails": DETAILS[kind],
        "mainProcurementCategory": CATEGORIES[index % 3],
        "numberOfTenderers": bids,
        "procuringEntity": {"id": f"P{rng.randrange(0, 300):03d}"},
        "tenderPeriod": {"startDate": "2024-01-01T09:00:00+08:00" if length > 28 else end, "endDate": end},
        "value": {"amount": base * 1.2, "currency": "CNY"},
        "items": [{"id": "1", "classification": {"scheme": "CPV", "id": f"{rng.randrange(10, 99)}000000"}}],
        "amendments": [{"date": end.replace("T10", "T08")}] if rng.random() < 0.1 else [],
        "ggzySupervision": extension,
    }


def release(rng: random.Random, index: int, bids: int) -> dict[str, object]:
    """One compiled release with `bids` bids, an award to the lowest valid bid and its contract, dates,
    classifications, the ggzy supervision extensions and the tenderers as parties with contact points."""
    day = rng.randrange(1, 28)
    length = rng.choice((3, 7, 10, 20, 25, 30))
    end = f"2024-{1 + index % 12:02d}-{day:02d}T10:00:00+08:00"
    base = rng.randrange(10_000, 5_000_000)
    details = [_bid(rng, index, b, base, day) for b in range(bids)]
    valid = [d for d in details if d["status"] == "valid"]
    awards, contracts = [], []
    if valid:
        winner = min(valid, key=lambda d: d["value"]["amount"])  # type: ignore[index]
        awards.append(
            {
                "id": f"{index}-a",
                "status": "active",
                "date": end,
                "suppliers": winner["tenderers"],
                "value": winner["value"],
                "items": [{"id": "1", "classification": {"scheme": "CPV", "id": f"{rng.randrange(10, 99)}000000"}}],
            }
        )
        contracts.append(
            {
                "id": f"{index}-c",
                "awardID": f"{index}-a",
                "dateSigned": end.replace("-01T", "-28T"),
                "value": winner["value"],
            }
        )
    parties = (
        [
            {"id": d["tenderers"][0]["id"], "contactPoint": {"telephone": f"138{rng.randrange(0, 10**8):08d}"}}
            for d in details
        ]
        if index % 3 == 0
        else []
    )
    return {
        "ocid": f"ocds-bench-{index:08d}",
        "date": end,
        "buyer": {"id": f"B{rng.randrange(0, 2000):04d}", "name": "某某单位"},
        "planning": {"budget": {"projectID": f"2024-410700-{index:08d}"}},
        "tender": _tender(rng, index, bids, base, end, length),
        "bids": {"details": details},
        "awards": awards,
        "contracts": contracts,
        "parties": parties,
    }


def generate(path: Path, releases: int, seed: int = 20241126) -> int:
    """Write `releases` lines; bid counts vary from 1 to 9 and average 5. Returns the number of bids."""
    rng = random.Random(seed)
    total = 0
    with path.open("wb") as out:
        for index in range(releases):
            bids = 1 + (index * 7 + rng.randrange(0, 2)) % 9 if index % 2 else 9 - (index * 7) % 9
            total += bids
            out.write(orjson.dumps(release(rng, index, bids)) + b"\n")
    return total


def timed(command: list[str]) -> tuple[float, float]:
    """Run a command; return (wall seconds, peak RSS in MiB of that child)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    done = subprocess.run(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )
    wall = time.perf_counter() - started
    if done.returncode != 0:
        print(done.stderr.decode(errors="replace")[-2000:])
        raise SystemExit(f"failed: {' '.join(command)}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, max(peak, before) / 1024


BASELINE = "import json,sys\nn=0\nfor line in open(sys.argv[1],'rb'):\n    json.loads(line); n+=1\nprint(n)\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--releases", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, default=None, help="write the generated file here and keep it")
    args = parser.parse_args(sys.argv[1:] if __name__ == "__main__" else [a for a in sys.argv[1:] if "=" in a])
    with tempfile.TemporaryDirectory() as tmp:
        data = args.keep or Path(tmp) / "releases.jsonl"
        ini = Path(tmp) / "all.ini"
        ini.write_text("".join(f"[{code}]\n" for code in (*CARDINAL, *FAMILY_IDS)), encoding="utf-8")
        started = time.perf_counter()
        bids = generate(data, args.releases)
        size = data.stat().st_size / 2**20
        print(
            f"generated {args.releases:,} releases, {bids:,} bids, {size:,.0f} MiB in "
            f"{time.perf_counter() - started:.1f} s"
        )
        base_wall, base_rss = timed([sys.executable, "-c", BASELINE, str(data)])
        print(f"json.loads per line:     {base_wall:7.1f} s   peak RSS {base_rss:7.0f} MiB")
        command = [
            sys.executable,
            "-m",
            "ggzy",
            "analyze",
            str(data),
            "--settings",
            str(ini),
            "--format",
            "cardinal",
            "--no-progress",
        ]
        wall, rss = timed(command)
        print(f"ggzy analyze ({len(CARDINAL) + len(FAMILY_IDS)} flags): {wall:7.1f} s   peak RSS {rss:7.0f} MiB")
        print(f"ratio analyze / json.loads: {wall / base_wall:.2f}")
        target = "met" if wall < 120 and rss < 4096 else "NOT met"
        print(f"target (< 120 s, < 4 GiB at 1,000,000 releases): {target}")


if __name__ == "__main__":
    main()
