"""定时 — the tick: apply every move whose time has come, each in its own transaction.

Domains hand in due-sources (see ggzy/domains.py). A source lists what is due and applies one
item; applying must be idempotent, and on PostgreSQL it locks the row with SKIP LOCKED so two
app nodes never apply the same move twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from ggzy.core.db import Database

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DueSource:
    name: str
    # (session, now) -> keys of due items
    due: Callable[[Session, datetime], Iterable[Any]]
    # (session, key, now) -> True if it did something (False when already applied elsewhere)
    apply: Callable[[Session, Any, datetime], bool]


@dataclass
class TickReport:
    applied: int = 0
    failed: int = 0


def tick(db: Database, sources: Iterable[DueSource], now: datetime) -> TickReport:
    report = TickReport()
    for source in sources:
        with db.unit_of_work(write=False) as s:
            keys = list(source.due(s, now))
        for key in keys:
            try:
                with db.unit_of_work() as s:
                    if source.apply(s, key, now):
                        report.applied += 1
            except Exception:
                report.failed += 1
                log.exception("tick: %s failed for one item", source.name)
    return report
