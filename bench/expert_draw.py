"""Expert draw benchmark: a pool of 50,000 experts, avoidance over the tenderer and 200 bidders (employers and
declared relations), unavailability, then the pseudonymous eligible list, its SHA-256 and the RFC 3797 draw of
the seats — target under 1 s.

python -m bench expert_draw [--experts 50000] [--bidders 200] [--backend sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import random
import secrets
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import insert

from bench.common import database
from ggzy.core import canonical
from ggzy.experts import queries, rfc3797, service
from ggzy.experts.models import Expert, ExpertSpeciality, Relation, Speciality, Unavailable
from ggzy.experts.states import ExpertStatus, RelationKind

SEATS = ["A08.01", "A08.01", "A08.01", "A08.02", "B02", "B02", "*"]
CODES = ["A08", "A08.01", "A08.02", "A08.03", "A09", "A09.01", "B02", "C01", "C01.02", "C03"]
LEAVES = ["A08.01", "A08.02", "A08.03", "A09.01", "B02", "C01.02", "C03"]


def _seed(db: object, experts: int, bidders: int) -> tuple[frozenset[str], str]:
    from ggzy.core.db import Database
    from ggzy.entities.models import Organisation, User

    assert isinstance(db, Database)
    rnd = random.Random(7)
    now = datetime(2026, 12, 1, tzinfo=UTC)
    employers = 2000
    orgs = [
        {
            "id": f"O{i:025d}",
            "credit_code": f"91410700{i:010d}",
            "name": f"单位{i}",
            "kind": "expert_employer",
            "region": "410700",
            "created_at": now,
        }
        for i in range(employers + bidders + 1)
    ]
    codes = [o["credit_code"] for o in orgs]
    bidder_codes = frozenset(codes[employers : employers + bidders])
    tenderer = orgs[-1]
    users, pool, links, rels, busy = [], [], [], [], []
    for i in range(experts):
        uid = f"U{i:025d}"
        org = rnd.randrange(employers + bidders) if rnd.random() < 0.02 else rnd.randrange(employers)
        users.append(
            {
                "id": uid,
                "username": f"e{i}",
                "display_name": f"专家{i}",
                "org_id": orgs[org]["id"],
                "password_hash": "x",
                "password_changed_at": now,
                "created_at": now,
            }
        )
        pool.append(
            {
                "user_id": uid,
                "region": rnd.choice(["410702", "410703", "410100", "410800"]),
                "employer_org_id": orgs[org]["id"],
                "employer_credit_code": codes[org],
                "employer_name": "",
                "title": "",
                "status": ExpertStatus.ACTIVE.value if rnd.random() < 0.97 else "suspended",
                "created_at": now,
                "updated_at": now,
            }
        )
        for c in {rnd.choice(LEAVES), rnd.choice(LEAVES)}:
            links.append({"user_id": uid, "code": c})
        if rnd.random() < 0.1:
            rels.append(
                {
                    "user_id": uid,
                    "kind": RelationKind.FORMER_EMPLOYER.value,
                    "credit_code": codes[rnd.randrange(employers + bidders)],
                    "since": date(2020, 1, 1),
                    "until": date(2024, 6, 30),
                }
            )
        if rnd.random() < 0.05:
            rels.append(
                {
                    "user_id": uid,
                    "kind": RelationKind.RELATIVE_EMPLOYER.value,
                    "credit_code": codes[rnd.randrange(employers + bidders)],
                    "since": None,
                    "until": None,
                }
            )
        if rnd.random() < 0.03:
            busy.append({"user_id": uid, "start": date(2026, 12, 1), "end": date(2026, 12, 10)})
    with db.unit_of_work() as s:
        s.execute(
            insert(Speciality),
            [{"code": c, "name": c, "parent": c.rsplit(".", 1)[0] if "." in c else None} for c in CODES],
        )
        for table, rows in (
            (Organisation, orgs),
            (User, users),
            (Expert, pool),
            (ExpertSpeciality, links),
            (Relation, rels),
            (Unavailable, busy),
        ):
            for k in range(0, len(rows), 5000):
                s.execute(insert(table), rows[k : k + 5000])
    return frozenset({tenderer["credit_code"]} | bidder_codes), str(tenderer["id"])


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m bench expert_draw")
    ap.add_argument("--experts", type=int, default=50_000)
    ap.add_argument("--bidders", type=int, default=200)
    ap.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args(sys.argv[2:] if len(sys.argv) > 1 and sys.argv[1] == "expert_draw" else [])
    with tempfile.TemporaryDirectory() as tmp, database(args.backend, Path(tmp)) as db:
        t0 = time.perf_counter()
        conflicts, tenderer = _seed(db, args.experts, args.bidders)
        print(f"pool: {args.experts} experts, {args.bidders} bidders, seeded in {time.perf_counter() - t0:.1f} s")
        avoid = queries.Avoid(conflicts, tenderer, date(2026, 12, 5), 3, 3, 180)
        times = []
        if args.profile:
            import cProfile

            with db.unit_of_work(write=False) as s:
                cProfile.runctx("queries.eligible(s, sorted(set(SEATS)), avoid)", globals(), locals(), sort="cumtime")
        for _ in range(args.runs):
            with db.unit_of_work(write=False) as s:
                t = time.perf_counter()
                found = queries.eligible(s, sorted(set(SEATS)), avoid)
                assert not service.shortfall(SEATS, found.groups)
                salt = secrets.token_bytes(32)
                names = {u: service.pseudonym(salt, u) for u in found.ids}
                published = {g: [names[u] for u in ids] for g, ids in found.groups.items()}
                doc = service.eligible_document("BENCH", published)
                digest = service.sha256(doc)
                service.sha256(canonical.dumps(found.ids))
                key = service.seed_key(digest, 123456, digest)
                drawing = rfc3797.Drawing(key, service.groups_of_doc(doc))
                picks = [drawing.pick(g) for g in SEATS]
                times.append(time.perf_counter() - t)
            assert all(p is not None for p in picks)
        excluded = ", ".join(f"{k} {v}" for k, v in sorted(found.excluded.items()))
        print(f"eligible: {len(found.ids)} of {args.experts} (set aside: {excluded}); seats {len(SEATS)}")
        print(
            f"draw ({args.backend}): best {min(times):.3f} s, median {sorted(times)[len(times) // 2]:.3f} s "
            f"over {args.runs} runs (target < 1 s)"
        )


if __name__ == "__main__":
    main()
