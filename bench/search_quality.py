"""Portal search quality: recall and precision of 50 realistic queries (bench/search_queries.toml) on the demo city's
notices and notices made from the Hangzhou tables, for the query side before and after issue 13 item 5.

python -m bench search_quality [--backend sqlite|postgresql|both] [--data ../shared/data/china/…] [--each]

Variants, on the same index (bigrams plus whole codes):
- phrases: each query word one phrase of bigrams (what the portal did before; no words, no synonyms);
- words: each query word cut into words (jieba-rs and the platform dictionary), each a phrase;
- words + synonyms: and each word also one of its synonyms from the seeded `search_synonym` table (what it does now).
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from bench.common import database
from ggzy.core.db import Database
from ggzy.notices import search, segment
from ggzy.notices.models import Notice, NoticeTerms

HERE = Path(__file__).parent
QUERIES = HERE / "search_queries.toml"
DATA = HERE.parent.parent / "shared" / "data" / "china" / "zhejiang-hangzhou-lishui-2023"


@dataclass(frozen=True)
class Doc:
    title: str
    buyer: str
    kind: str
    code: str  # the project's code
    codes: tuple[str, ...] = ()  # every code it is indexed by (project, section, approval)


@dataclass(frozen=True)
class Query:
    q: str
    relevant: tuple[tuple[str, ...], ...] = ()
    kinds: tuple[str, ...] = ()
    code: str = ""

    def wants(self, d: Doc) -> bool:
        if self.kinds and d.kind not in self.kinds:
            return False
        if self.code:
            return d.code.upper() == self.code.upper()
        text = f"{d.title} {d.buyer}".upper()
        return all(any(w.upper() in text for w in group) for group in self.relevant)


def load_queries(path: Path = QUERIES) -> list[Query]:
    raw = tomllib.loads(path.read_text("utf-8"))["query"]
    return [
        Query(
            q=r["q"],
            relevant=tuple(tuple(g) for g in r.get("relevant", ())),
            kinds=tuple(r.get("kinds", ())),
            code=r.get("code", ""),
        )
        for r in raw
    ]


def demo_docs() -> list[Doc]:
    """The demo city's notices as `ggzy demo` publishes them (titles, buyers, kinds, codes)."""
    from ggzy.demo import TENDERERS
    from ggzy.demo_trades import STORIES
    from ggzy.rules.procedures import Method

    out: list[Doc] = []
    seq: dict[str, int] = {}
    for s in STORIES:
        prefix = "XXZB" if s.category.regime.name == "TENDERING" else "XXCG"
        seq[prefix] = seq.get(prefix, 0) + 1
        code = f"{prefix}-2026-{seq[prefix]:04d}"
        buyer = TENDERERS[int(s.tenderer.removeprefix("tenderer")) - 1][0]
        codes = (code, f"{code}-01", s.approval)
        head = f"{s.name}（{s.section}）"
        word = "竞争性谈判公告" if s.method is Method.NEGOTIATION else "招标公告"
        out.append(Doc(head + word, buyer, "tender", code, codes))
        if s.stage == "opened":
            out.append(Doc(head + "开标记录", buyer, "opening", code, codes))
        if s.stage == "failed":
            out.append(Doc(head + "流标公告", buyer, "failed", code, codes))
    return out


def hangzhou_docs(data: Path) -> list[Doc]:
    def rows(name: str) -> list[dict[str, str]]:
        with (data / name).open(encoding="utf-8") as f:
            return list(csv.DictReader(f))

    awards = rows("hangzhou_awards_中标项目信息汇总.csv")
    place = {r["项目编号"]: r["地址"] for r in awards}

    def buyer(code: str) -> str:
        p = place.get(code, "")
        return f"杭州市{p}" if p and p != "市本级" else "杭州市"

    out = []
    for r in rows("hangzhou_tenders_招标项目信息汇总.csv"):
        out.append(Doc(f"{r['项目名称']}招标公告", buyer(r["项目编号"]), "tender", r["项目编号"], (r["项目编号"],)))
    for r in rows("hangzhou_bid_openings_开标项目信息汇总.csv"):
        out.append(Doc(f"{r['项目名称']}开标记录", buyer(r["项目编号"]), "opening", r["项目编号"], (r["项目编号"],)))
    for r in awards:
        out.append(Doc(f"{r['项目名称']}中标结果公告", buyer(r["项目编号"]), "result", r["项目编号"], (r["项目编号"],)))
    return out


def load_into(s: Session, docs: Sequence[Doc]) -> dict[str, int]:
    """Insert the notices (indexed as publishing indexes them); their numbers → their place in `docs`."""
    start = datetime(2023, 1, 1, tzinfo=UTC)
    notices, terms = [], []
    for i, d in enumerate(docs):
        nid, number, at = f"Q{i:025d}", f"QN{i:010d}", start + timedelta(minutes=i)
        notices.append(
            {
                "id": nid,
                "number": number,
                "kind": d.kind,
                "title": d.title[:300],
                "body": d.title,
                "buyer": d.buyer,
                "region": "330100",
                "category": "construction",
                "method": "open_tender",
                "project_id": None,
                "section_id": None,
                "corrects_id": None,
                "published_at": at,
                "published_by": None,
            }
        )
        terms.append(
            {
                "notice_id": nid,
                "terms": search.terms_of(d.title[:300], d.buyer, number, codes=d.codes),
                "kind": d.kind,
                "region": "330100",
                "category": "construction",
                "published_at": at,
            }
        )
    s.connection().execute(insert(Notice), notices)
    s.connection().execute(insert(NoticeTerms), terms)
    return {n["number"]: i for i, n in enumerate(notices)}


@contextmanager
def phrases_only() -> Iterator[None]:
    """The query side before issue 13 item 5: a word is not cut."""
    original = segment.words
    segment.words = lambda run: [run]  # type: ignore[assignment]
    try:
        yield
    finally:
        segment.words = original  # type: ignore[assignment]


@dataclass
class Scores:
    rows: list[tuple[str, int, int, int]] = field(default_factory=list)  # query, relevant, found, right

    def add(self, q: str, relevant: int, found: int, right: int) -> None:
        self.rows.append((q, relevant, found, right))

    def summary(self) -> dict[str, float]:
        rel = sum(r[1] for r in self.rows)
        got = sum(r[2] for r in self.rows)
        ok = sum(r[3] for r in self.rows)
        precisions = [r[3] / r[2] if r[2] else (1.0 if r[1] == 0 else 0.0) for r in self.rows]
        recalls = [r[3] / r[1] if r[1] else 1.0 for r in self.rows]
        return {
            "micro_precision": ok / got if got else 0.0,
            "micro_recall": ok / rel if rel else 0.0,
            "macro_precision": sum(precisions) / len(precisions),
            "macro_recall": sum(recalls) / len(recalls),
            "empty": float(sum(1 for r in self.rows if r[2] == 0)),
        }


def evaluate(
    session: Session,
    docs: Sequence[Doc],
    queries: Sequence[Query],
    *,
    synonyms: Mapping[str, Sequence[str]] | None,
    numbers: Mapping[str, int],
) -> Scores:
    scores = Scores()
    for qu in queries:
        want = {i for i, d in enumerate(docs) if qu.wants(d)}
        filters = search.Filters(kind=qu.kinds[0]) if len(qu.kinds) == 1 else search.Filters()
        rows = search.search(session, qu.q, filters, limit=len(docs) + 1, synonyms=synonyms)
        got = {numbers[n.number] for n in rows}
        scores.add(f"{qu.q}{' [' + ','.join(qu.kinds) + ']' if qu.kinds else ''}", len(want), len(got), len(want & got))
    return scores


def run(db: Database, docs: Sequence[Doc], queries: Sequence[Query]) -> dict[str, Scores]:
    with db.unit_of_work() as s:
        numbers = load_into(s, docs)
    out: dict[str, Scores] = {}
    with db.unit_of_work(write=False) as s:
        with phrases_only():
            out["phrases"] = evaluate(s, docs, queries, synonyms={}, numbers=numbers)
        out["words"] = evaluate(s, docs, queries, synonyms={}, numbers=numbers)
        out["words + synonyms"] = evaluate(s, docs, queries, synonyms=None, numbers=numbers)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m bench search_quality")
    ap.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="sqlite")
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--each", action="store_true", help="print every query")
    args, _ = ap.parse_known_args([a for a in sys.argv[1:] if a != "search_quality"])
    docs = demo_docs() + hangzhou_docs(args.data)
    queries = load_queries()
    print(f"{len(docs):,} notices ({len(demo_docs())} of the demo city), {len(queries)} queries")
    for backend in ("sqlite", "postgresql") if args.backend == "both" else (args.backend,):
        with tempfile.TemporaryDirectory() as tmp, database(backend, Path(tmp)) as db:
            results = run(db, docs, queries)
        for name, sc in results.items():
            m: dict[str, Any] = sc.summary()
            print(
                f"[{backend}] {name:<17} precision micro {m['micro_precision']:.3f} macro {m['macro_precision']:.3f}"
                f"   recall micro {m['micro_recall']:.3f} macro {m['macro_recall']:.3f}"
                f"   queries finding nothing {int(m['empty'])}"
            )
        if args.each:
            cols = list(results)
            for i, row in enumerate(results[cols[-1]].rows):
                cells = "  ".join(f"{results[c].rows[i][3]:>4}/{results[c].rows[i][2]:<4}" for c in cols)
                print(f"    {row[0]:<26} relevant {row[1]:>4}   right/found: {cells}")


if __name__ == "__main__":
    main()
