"""信用来源 — outside credit lists behind a small Protocol (信用中国 has no public API), with an in-process fake.

A source answers a query (a unified social credit code) with the bytes it returned; the platform keeps the
bytes, their digest, the time and the query (财库〔2016〕125号), and reads the hits from them. An empty answer
is recorded as "no hit", never as a clearance.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class Hit:
    credit_code: str
    name: str
    reason: str
    basis: str
    listed_on: str  # ISO date as the source gives it
    until: str = ""  # ISO date or "" while listed


@dataclass(frozen=True)
class Answer:
    raw: bytes  # exactly what the source returned
    hits: list[Hit]


class CreditSource(Protocol):
    name: str  # a key of credit.states.LISTS

    def lookup(self, credit_code: str) -> Answer: ...


@dataclass
class FakeSource:
    """An in-process list, answering as a real one would: a JSON document with the matching entries."""

    name: str
    entries: dict[str, list[Hit]] = field(default_factory=dict)

    def add(self, hit: Hit) -> None:
        self.entries.setdefault(hit.credit_code, []).append(hit)

    def lookup(self, credit_code: str) -> Answer:
        hits = list(self.entries.get(credit_code, []))
        raw = json.dumps(
            {"source": self.name, "query": credit_code, "results": [h.__dict__ for h in hits]},
            ensure_ascii=False,
            sort_keys=True,
        ).encode()
        return Answer(raw, hits)
