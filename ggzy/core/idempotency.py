"""幂等 — a write sent again with the same `Idempotency-Key` does nothing twice and gets the first answer.

One table keyed by (principal, key) keeps the request's digest and, once the write succeeded, its answer.
`claim` takes the key before the write runs (its own transaction, so two nodes racing on one key see each
other: the loser is told the first is still running); `complete` stores the answer; `release` gives the key
back when the write failed (nothing was created, so a retry may run again). A key is kept for RETENTION;
a claim whose request died without an answer is taken over after STALE.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import Integer, LargeBinary, String, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from ggzy.core.db import Base
from ggzy.core.types import UtcDateTime

RETENTION = dt.timedelta(hours=24)  # how long an answer is replayed (the platform's choice; no law sets it)
STALE = dt.timedelta(minutes=5)  # a claim older than this without an answer belongs to a request that died
MAX_KEY = 100
MAX_ANSWER_BYTES = 1 << 20  # answers larger than this are not kept (the key is released: the write is not replayed)


class IdempotencyRecord(Base):
    __tablename__ = "idempotency_key"

    principal: Mapped[str] = mapped_column(String(80), primary_key=True)  # user id and role of the caller
    key: Mapped[str] = mapped_column(String(MAX_KEY), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))  # SHA-256 of method, path, query and body
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(300))
    status: Mapped[int | None] = mapped_column(Integer)  # None while the first request runs
    content_type: Mapped[str] = mapped_column(String(100), default="")
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)


class Claim(StrEnum):
    NEW = "new"  # the caller runs the write
    REPLAY = "replay"  # answered before: send the stored answer
    MISMATCH = "mismatch"  # the key was used for a different request
    RUNNING = "running"  # the first request with this key has not answered yet


@dataclass(frozen=True)
class Outcome:
    claim: Claim
    status: int | None = None
    content_type: str = ""
    body: bytes = b""
    path: str = ""


def valid_key(key: str) -> bool:
    return 1 <= len(key) <= MAX_KEY and all(33 <= ord(c) <= 126 for c in key)


def claim(
    session: Session, *, principal: str, key: str, request_hash: str, method: str, path: str, now: dt.datetime
) -> Outcome:
    """Take the key for this request, or say what was already done with it. The caller commits."""
    found = session.get(IdempotencyRecord, (principal, key))
    if found is not None and (
        found.created_at < now - RETENTION or (found.status is None and found.created_at < now - STALE)
    ):
        session.delete(found)
        session.flush()
        found = None
    if found is None:
        try:
            with session.begin_nested():
                session.add(
                    IdempotencyRecord(
                        principal=principal,
                        key=key,
                        request_hash=request_hash,
                        method=method,
                        path=path[:300],
                        status=None,
                        created_at=now,
                    )
                )
            return Outcome(Claim.NEW)
        except IntegrityError:  # another node claimed it between our read and our insert
            found = session.get(IdempotencyRecord, (principal, key))
            if found is None:
                return Outcome(Claim.RUNNING)
    if found.request_hash != request_hash:
        return Outcome(Claim.MISMATCH, path=found.path)
    if found.status is None:
        return Outcome(Claim.RUNNING)
    return Outcome(Claim.REPLAY, found.status, found.content_type, found.body or b"", found.path)


def complete(session: Session, *, principal: str, key: str, status: int, content_type: str, body: bytes) -> None:
    found = session.get(IdempotencyRecord, (principal, key))
    if found is not None:
        found.status = status
        found.content_type = content_type[:100]
        found.body = body


def release(session: Session, *, principal: str, key: str) -> None:
    session.execute(
        delete(IdempotencyRecord).where(
            IdempotencyRecord.principal == principal,
            IdempotencyRecord.key == key,
            IdempotencyRecord.status.is_(None),
        )
    )


def any_expired(session: Session, *, now: dt.datetime) -> bool:
    stmt = select(IdempotencyRecord.key).where(IdempotencyRecord.created_at < now - RETENTION).limit(1)
    return session.execute(stmt).first() is not None


def sweep(session: Session, *, now: dt.datetime) -> int:
    """Forget keys older than RETENTION; returns how many."""
    old = list(
        session.execute(select(IdempotencyRecord).where(IdempotencyRecord.created_at < now - RETENTION)).scalars()
    )
    for r in old:
        session.delete(r)
    return len(old)
