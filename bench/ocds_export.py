"""OCDS bulk export benchmark (issue 14: 100,000 trades to OCDS bulk files in under 60 s on this machine).

    python -m bench ocds_export [--trades N] [--backend sqlite|postgresql|both]

The trades are written straight into a throwaway migrated database with multi-row inserts (no service calls, no
sealing: what is measured is the export): 300 organisations, N one-section projects, and for each the public
events a real trade leaves — acceptance, publication, then the opening (60 %, with 3 opened bids), the failure
(25 %) or the termination (15 %) — so 3 releases per trade and 1.8 bids per trade on average. Then
`exchange.service.export_bulk` writes every release into daily gzip JSON Lines files, timed from the first query
to the last file renamed; the files are read back and counted.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from bench.common import database
from ggzy.bidding.models import Bid
from ggzy.core.clock import FixedClock
from ggzy.core.db import Database
from ggzy.core.events import Event
from ggzy.entities import credit_code
from ggzy.entities.models import Organisation
from ggzy.exchange import service
from ggzy.projects.models import Project, Section

ORGS = 300
BATCH = 5000
START = datetime(2025, 1, 1, 1, 0, tzinfo=UTC)


def _code(i: int) -> str:
    body = "".join(credit_code.ALPHABET[(i // 31**k) % 31] for k in range(9))  # i in base 31: distinct
    return credit_code.make("91410700" + body)


def _event(seq: int, at: datetime, type_: str, subject: tuple[str, str], scope: str) -> dict[str, Any]:
    return {
        "seq": seq,
        "id": f"E{seq:025d}",
        "at": at,
        "type": type_,
        "actor_id": None,
        "role": "system",
        "org_id": None,
        "ip": None,
        "subject_type": subject[0],
        "subject_id": subject[1],
        "scope_id": scope,
        "refs": "[]",
        "payload": "{}",
        "digest": "0" * 64,
    }


def populate(db: Database, n: int) -> int:
    """N trades as a running platform would have left them; returns the number of bids."""
    rnd = random.Random(14)
    with db.unit_of_work() as s:
        s.execute(
            insert(Organisation),
            [
                {
                    "id": f"O{i:025d}",
                    "credit_code": _code(i),
                    "name": f"新乡市测试{i}号有限公司",
                    "kind": "tenderer" if i < 50 else "bidder",
                    "region": "410700",
                    "address": f"新乡市测试路{i}号",
                    "contact_name": f"联系人{i}",
                    "contact_phone": f"1380000{i:04d}",
                    "created_at": START,
                }
                for i in range(ORGS)
            ],
        )
    seq, bids = 0, 0
    for lo in range(0, n, BATCH):
        projects, sections, evs, bid_rows = [], [], [], []
        for i in range(lo, min(n, lo + BATCH)):
            at = START + timedelta(minutes=5 * i)
            pid, sid = f"P{i:025d}", f"S{i:025d}"
            estimate = Decimal(rnd.randrange(100_000, 50_000_000)) / 100 * 100
            projects.append(
                {
                    "id": pid,
                    "code": f"XXZB-B-{i:07d}",
                    "name": f"新乡市测试工程{i}号",
                    "approval_code": f"2025-410700-48-01-{i:06d}",
                    "category": "construction",
                    "sector": "housing",
                    "method": "open_tender",
                    "estimate": estimate,
                    "state_funds_share": Decimal(100),
                    "state_funds_amount": estimate,
                    "tenderer_org_id": f"O{i % 50:025d}",
                    "agency_org_id": None,
                    "region": "410700",
                    "status": "accepted",
                    "catalog_version": 1,
                    "must_trade": True,
                    "must_tender": True,
                    "must_open": True,
                    "decision": "",
                    "registered_by": "U",
                    "registered_at": at,
                }
            )
            roll = rnd.random()
            outcome = "opened" if roll < 0.6 else "failed" if roll < 0.85 else "terminated"
            deadline = at + timedelta(days=21)
            sections.append(
                {
                    "id": sid,
                    "project_id": pid,
                    "seq": 1,
                    "code": f"XXZB-B-{i:07d}-01",
                    "name": "第1标段",
                    "estimate": estimate,
                    "status": outcome,
                    "round": 1,
                    "documents_issued_at": at + timedelta(days=1),
                    "documents_until": deadline,
                    "bid_deadline": deadline,
                    "opened_at": deadline + timedelta(hours=1) if outcome == "opened" else None,
                }
            )
            evs.append(_event(seq := seq + 1, at, "projects.accepted", ("project", pid), pid))
            evs.append(
                _event(seq := seq + 1, at + timedelta(days=1), "projects.section_published", ("section", sid), sid)
            )
            last = {
                "opened": ("bidding.section_opened", deadline + timedelta(hours=1)),
                "failed": ("projects.tender_failed", deadline),
                "terminated": ("projects.section_terminated", at + timedelta(days=3)),
            }[outcome]
            evs.append(_event(seq := seq + 1, last[1], last[0], ("section", sid), sid))
            if outcome == "opened":
                for k in range(3):
                    bid_rows.append(
                        {
                            "id": f"B{i:022d}{k:03d}",
                            "section_id": sid,
                            "bidder_org_id": f"O{50 + (i * 3 + k) % (ORGS - 50):025d}",
                            "submitted_by": "U",
                            "round": 1,
                            "version": 1,
                            "status": "opened",
                            "envelope_path": "x",
                            "envelope_size": 1,
                            "envelope_digest": "0" * 64,
                            "header": "",
                            "receipt": "",
                            "submitted_at": deadline - timedelta(hours=k + 1),
                            "opened_at": deadline + timedelta(hours=1),
                            "price": estimate * Decimal("0.9") + k,
                        }
                    )
        with db.unit_of_work() as s:
            s.execute(insert(Project), projects)
            s.execute(insert(Section), sections)
            s.execute(insert(Event), evs)
            if bid_rows:
                s.execute(insert(Bid), bid_rows)
        bids += len(bid_rows)
    return bids


def run(backend: str, n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp, database(backend, Path(tmp)) as db:
        t0 = time.perf_counter()
        bids = populate(db, n)
        built = time.perf_counter() - t0
        out = Path(tmp) / "bulk"
        t1, c1 = time.perf_counter(), time.process_time()
        with db.unit_of_work(write=False) as s:
            result = service.export_bulk(
                s, out, prefix="ocds-ggzy00", publisher="bench", clock=FixedClock(START + timedelta(days=4000))
            )
        took, cpu = time.perf_counter() - t1, time.process_time() - c1
        size = sum(p.stat().st_size for p in out.glob("*.jsonl.gz"))
        with gzip.open(sorted(out.glob("*.jsonl.gz"))[-1], "rt", encoding="utf-8") as f:
            assert all(json.loads(line)["ocid"].startswith("ocds-ggzy00-") for line in f)
        assert result.releases == 3 * n, result.releases
        print(
            f"{backend:10s} {n:,} trades ({bids:,} bids) built in {built:.1f} s; export: {result.releases:,} releases "
            f"in {len(result.files):,} daily files ({size / 1e6:.1f} MB gzip) in {took:.1f} s ({cpu:.1f} s CPU) = "
            f"{result.releases / took:,.0f} releases/s, {n / took:,.0f} trades/s"
        )


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench ocds_export")
    p.add_argument("--trades", type=int, default=100_000)
    p.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="sqlite")
    a = p.parse_args(argv if argv is not None else [])
    for backend in ("sqlite", "postgresql") if a.backend == "both" else (a.backend,):
        run(backend, a.trades)


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
