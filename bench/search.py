"""Portal search over a million notices, on SQLite and PostgreSQL: p50/p95 of typical queries.

python -m bench search [--notices N] [--backend sqlite|postgresql|both]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from bench.common import database, pct
from ggzy.core.db import Database
from ggzy.notices import search
from ggzy.notices.models import Notice, NoticeTerms

PLACES = [
    "新乡市",
    "红旗区",
    "卫滨区",
    "牧野区",
    "凤泉区",
    "辉县市",
    "卫辉市",
    "长垣市",
    "获嘉县",
    "原阳县",
    "延津县",
    "封丘县",
]
BUYERS = [
    "第一中学",
    "人民医院",
    "水务集团",
    "交通运输局",
    "住房和城乡建设局",
    "教育局",
    "城市管理局",
    "中心医院",
    "农业农村局",
]
WORKS = [
    "道路改造工程",
    "综合楼建设工程",
    "医疗设备采购",
    "堤防加固工程",
    "物业服务采购",
    "绿化养护服务",
    "信息化系统建设",
    "办公家具采购",
    "污水管网工程",
    "校舍维修工程",
    "路灯照明工程",
    "桥梁维修加固工程",
]
KINDS = [("tender", "招标公告"), ("clarification", "澄清公告"), ("opening", "开标记录"), ("failed", "流标公告")]
QUERIES = ["道路改造", "第一中学", "堤防加固工程", "人民医院 设备", "桥梁", "封丘县 污水", "路灯照明", "长垣市"]
# issue 13 item 5: words typed apart, synonyms (道路 → 公路 路面 …, 学校 → 中学 …), a code matched whole
QUERIES += ["道路", "学校", "新乡 中学", "长垣医院", "XXZB-2024-000512"]


def generate(db: Database, n: int, batch: int = 20000) -> float:
    rng = random.Random(26)
    start = datetime(2022, 1, 1, tzinfo=UTC)
    t0 = time.perf_counter()
    with db.unit_of_work() as s:
        conn = s.connection()
        for lo in range(0, n, batch):
            notices, terms = [], []
            for i in range(lo, min(n, lo + batch)):
                place, buyer, work = rng.choice(PLACES), rng.choice(BUYERS), rng.choice(WORKS)
                kind, label = rng.choice(KINDS)
                title, who = f"{place}{buyer}{work}{label}", f"{place}{buyer}"
                nid = f"B{i:025d}"
                number = f"BN{i:010d}"
                notices.append(
                    {
                        "id": nid,
                        "number": number,
                        "kind": kind,
                        "title": title,
                        "body": title,
                        "buyer": who,
                        "region": f"4107{rng.randint(0, 30):02d}",
                        "category": rng.choice(["construction", "gp_goods", "gp_services"]),
                        "method": "open_tender",
                        "project_id": None,
                        "section_id": None,
                        "corrects_id": None,
                        "published_at": start + timedelta(minutes=i),
                        "published_by": None,
                    }
                )
                terms.append(
                    {
                        "notice_id": nid,
                        "terms": search.terms_of(
                            title, who, number, codes=[f"XXZB-{2022 + i // 400_000}-{i % 400_000:06d}"]
                        ),
                        "kind": kind,
                        "region": notices[-1]["region"],
                        "category": notices[-1]["category"],
                        "published_at": notices[-1]["published_at"],
                    }
                )
            conn.execute(insert(Notice), notices)
            conn.execute(insert(NoticeTerms), terms)
        if s.get_bind().dialect.name == "postgresql":
            conn.exec_driver_sql("ANALYZE notice_terms")
            conn.exec_driver_sql("ANALYZE notice")
    return time.perf_counter() - t0


def measure(db: Database, rounds: int = 20) -> dict[str, tuple[float, float]]:
    rng = random.Random(7)
    out: dict[str, tuple[float, float]] = {}
    cases = [(q, search.Filters()) for q in QUERIES] + [
        ("工程", search.Filters(region="410705")),
        ("采购", search.Filters(kind="failed")),
        ("", search.Filters(category="gp_goods")),
    ]
    with db.unit_of_work(write=False) as s:
        search.search(s, "道路", search.Filters())  # load the segmenter's dictionary once (≈ 0.6 s a process)
        for q, f in cases:
            times = []
            for _ in range(rounds):
                t = time.perf_counter()
                rows = search.search(s, q, f, limit=20)
                if rows and rng.random() < 0.5:  # and the next page
                    search.search(s, q, f, limit=20, before=search.position(s, rows[-1].id))
                times.append((time.perf_counter() - t) * 1000)
            out[f"{q or '—'} {f.region or f.kind or f.category or ''}".strip()] = (pct(times, 0.5), pct(times, 0.95))
            assert q != "XXZB-2024-000512" or [n.number for n in rows] in ([], ["BN0000800512"]), rows
    return out


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m bench search")
    ap.add_argument("--notices", type=int, default=1_000_000)
    ap.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    args, _ = ap.parse_known_args([a for a in sys.argv[1:] if a != "search"])
    for backend in ("sqlite", "postgresql") if args.backend == "both" else (args.backend,):
        with tempfile.TemporaryDirectory() as tmp, database(backend, Path(tmp)) as db:
            took = generate(db, args.notices)
            print(f"[{backend}] generated {args.notices:,} notices in {took:.0f} s")
            results = measure(db)
            worst = max(p95 for _, p95 in results.values())
            for name, (p50, p95) in results.items():
                print(f"[{backend}]   {name:<24} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms")
            print(f"[{backend}] worst p95 over all queries: {worst:.1f} ms")


if __name__ == "__main__":
    main()
