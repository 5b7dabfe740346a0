"""事件日志 — the one append-only trail (S3 处处留痕, S2/S5 monitoring, P1 publication).

Every change of state records exactly one event here, in the same transaction as the change.
Each event is a leaf of an RFC 6962 Merkle tree: the stored entry is canonical JSON holding the
sequence number, time, actor, role, organisation, network address, type, object ids and the
SHA-256 digest of the payload. Rows are never updated or deleted (database triggers refuse it).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Connection,
    Engine,
    Index,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    bindparam,
    event,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column

from ggzy.core import canonical
from ggzy.core.actor import Actor
from ggzy.core.clock import Clock
from ggzy.core.db import Base
from ggzy.core.ids import new_id
from ggzy.core.merkle import Frontier, leaf_hash
from ggzy.core.types import UtcDateTime

ENTRY_VERSION = 1


class Event(Base):
    __tablename__ = "event"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    id: Mapped[str] = mapped_column(String(26), unique=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    type: Mapped[str] = mapped_column(String(80), index=True)
    actor_id: Mapped[str | None] = mapped_column(String(26), index=True)
    role: Mapped[str] = mapped_column(String(32))
    org_id: Mapped[str | None] = mapped_column(String(26))
    ip: Mapped[str | None] = mapped_column(String(64))
    subject_type: Mapped[str | None] = mapped_column(String(40))
    subject_id: Mapped[str | None] = mapped_column(String(64))
    scope_id: Mapped[str | None] = mapped_column(String(64), index=True)
    refs: Mapped[str] = mapped_column(Text)
    payload: Mapped[str] = mapped_column(Text)
    digest: Mapped[str] = mapped_column(String(64))

    __table_args__ = (Index("ix_event_subject", "subject_type", "subject_id"),)


class MerkleNode(Base):
    """The hash of one complete subtree: level 0 are leaf hashes, level L covers 2^L leaves."""

    __tablename__ = "merkle_node"

    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    idx: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class LogHead(Base):
    """One row: the tree's size and frontier. Locking it orders the writers, so seq has no gaps."""

    __tablename__ = "log_head"

    id: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    frontier: Mapped[bytes] = mapped_column(LargeBinary)


class SignedTreeHead(Base):
    """A checkpoint the platform signed: proof of what the log held at that size."""

    __tablename__ = "signed_tree_head"

    size: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    root: Mapped[bytes] = mapped_column(LargeBinary(32))
    signed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    note: Mapped[str] = mapped_column(Text)


@dataclass(frozen=True, slots=True)
class LoggedEvent:
    """An event as recorded (a plain value: cheaper than an ORM instance on the hot path)."""

    seq: int
    id: str
    at: datetime
    type: str
    actor_id: str | None
    role: str
    org_id: str | None
    ip: str | None
    subject_type: str | None
    subject_id: str | None
    scope_id: str | None
    refs: str
    payload: str
    digest: str


# --- event types --------------------------------------------------------------------------


@dataclass(frozen=True)
class EventType:
    name: str
    label: str
    public: bool = False


EVENT_TYPES: dict[str, EventType] = {}


def event_type(name: str, label: str, *, public: bool = False) -> str:
    """Declare an event type once, in the domain that records it; record() refuses unknown types."""
    existing = EVENT_TYPES.get(name)
    if existing and existing != EventType(name, label, public):
        raise ValueError(f"event type {name} declared twice differently")
    EVENT_TYPES[name] = EventType(name, label, public)
    return name


# --- the entry that is hashed ----------------------------------------------------------------


def entry_bytes(
    *,
    seq: int,
    at: datetime,
    type: str,
    actor_id: str | None,
    role: str,
    org_id: str | None,
    ip: str | None,
    subject_type: str | None,
    subject_id: str | None,
    scope_id: str | None,
    refs: str,
    digest: str,
    id: str,
) -> bytes:
    """The leaf data: canonical JSON of every column except the payload, which enters by digest."""
    return canonical.dumpb_trusted(
        {
            "v": ENTRY_VERSION,
            "seq": seq,
            "id": id,
            "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
            "type": type,
            "actor": {"user": actor_id, "role": role, "org": org_id, "ip": ip},
            "subject": [subject_type, subject_id],
            "scope": scope_id,
            "refs": refs,
            "digest": digest,
        }
    )


def entry_of(row: Any) -> bytes:
    """Entry bytes of a stored row (ORM object or Core row with the same attribute names)."""
    return entry_bytes(
        seq=row.seq,
        id=row.id,
        at=row.at,
        type=row.type,
        actor_id=row.actor_id,
        role=row.role,
        org_id=row.org_id,
        ip=row.ip,
        subject_type=row.subject_type,
        subject_id=row.subject_id,
        scope_id=row.scope_id,
        refs=row.refs,
        digest=row.digest,
    )


def payload_digest(payload_text: str) -> str:
    return hashlib.sha256(payload_text.encode()).hexdigest()


# --- appending ------------------------------------------------------------------------------
#
# Appends are buffered per database connection and written in batches: before any query through
# the session, before a commit, before a savepoint is opened, or every BATCH events. A rollback
# (to a savepoint or of the whole transaction) discards the buffer and the cached head, so the
# tree in memory never runs ahead of the tree in the database. The head row is read FOR UPDATE
# once per transaction, which orders concurrent writers and keeps sequence numbers gap-free.

HEAD_ID = 1
BATCH = 500
_INSERT_EVENT = insert(Event)
_INSERT_NODE = insert(MerkleNode)
_UPDATE_HEAD = (
    update(LogHead).where(LogHead.id == HEAD_ID).values(size=bindparam("size"), frontier=bindparam("frontier"))
)
_SELECT_HEAD = select(LogHead.size, LogHead.frontier).where(LogHead.id == HEAD_ID).with_for_update()
_LOG_KEY = "ggzy_log"
_CONN_KEY = "ggzy_log_connection"
_NEW_KEY = "ggzy_new_events"


@dataclass
class _Buffer:
    frontier: Frontier | None = None
    events: list[dict[str, Any]] = field(default_factory=list)
    nodes: list[dict[str, Any]] = field(default_factory=list)


def _buffer(conn: Connection) -> _Buffer:
    buf: _Buffer | None = conn.info.get(_LOG_KEY)
    if buf is None:
        buf = conn.info[_LOG_KEY] = _Buffer()
    if buf.frontier is None:
        row = conn.execute(_SELECT_HEAD).one()
        blob = bytes(row.frontier)
        buf.frontier = Frontier(row.size, [blob[i : i + 32] for i in range(0, len(blob), 32)])
    return buf


def _write(conn: Connection) -> None:
    buf: _Buffer | None = conn.info.get(_LOG_KEY)
    if buf is None or not buf.events or buf.frontier is None:
        return
    conn.execute(_INSERT_EVENT, buf.events)
    conn.execute(_INSERT_NODE, buf.nodes)
    conn.execute(_UPDATE_HEAD, {"size": buf.frontier.size, "frontier": b"".join(buf.frontier.nodes)})
    buf.events.clear()
    buf.nodes.clear()


def flush(session: Session) -> None:
    """Write buffered events now (readers in this module call it; session queries do it themselves)."""
    conn: Connection | None = session.info.get(_CONN_KEY)
    if conn is not None and not conn.closed:
        _write(conn)


@event.listens_for(Session, "do_orm_execute")
def _flush_before_query(state: ORMExecuteState) -> None:
    flush(state.session)


@event.listens_for(Session, "before_commit")
def _flush_before_commit(session: Session) -> None:
    flush(session)


@event.listens_for(Engine, "savepoint")
def _flush_before_savepoint(conn: Connection, _name: str) -> None:
    _write(conn)  # what came before the savepoint must survive a rollback to it


@event.listens_for(Engine, "commit")
def _flush_at_commit(conn: Connection) -> None:
    _write(conn)
    conn.info.pop(_LOG_KEY, None)


@event.listens_for(Engine, "rollback_savepoint")
def _discard_to_savepoint(conn: Connection, _name: str, _context: Any) -> None:
    buf: _Buffer | None = conn.info.get(_LOG_KEY)
    if buf is not None:  # what the savepoint wrote is undone: forget it and re-read the head
        conn.info[_LOG_KEY] = _Buffer()


@event.listens_for(Engine, "rollback")
def _discard(conn: Connection) -> None:
    conn.info.pop(_LOG_KEY, None)


Listener = Callable[[list["LoggedEvent"]], None]
_after_commit: list[Listener] = []


def on_commit(listener: Listener) -> Callable[[], None]:
    """Be told of events once their transaction has committed (live supervision, fan-out)."""
    _after_commit.append(listener)
    return lambda: _after_commit.remove(listener)


@event.listens_for(Session, "after_commit")
def _publish(session: Session) -> None:
    session.info.pop(_CONN_KEY, None)
    new = session.info.pop(_NEW_KEY, None)
    if new:
        for listener in list(_after_commit):
            listener(new)


@event.listens_for(Session, "after_soft_rollback")
def _drop_unpublished(session: Session, _previous: Any) -> None:
    if not session.in_transaction():
        session.info.pop(_CONN_KEY, None)
        session.info.pop(_NEW_KEY, None)


def record(
    session: Session,
    actor: Actor,
    type: str,
    *,
    clock: Clock,
    subject: tuple[str, str] | None = None,
    scope: str | None = None,
    refs: dict[str, Any] | None = None,
    payload: dict[str, Any] | None = None,
) -> LoggedEvent:
    """Append one event to the log inside the caller's transaction and return it."""
    if type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {type!r}: declare it with event_type()")
    at = clock.now()
    payload_text = canonical.dumps(payload or {})
    refs_text = canonical.dumps(refs or {})
    conn = session.connection()
    session.info[_CONN_KEY] = conn
    buf = _buffer(conn)
    frontier = buf.frontier
    assert frontier is not None
    event_id = new_id()
    subject_type, subject_id = subject if subject else (None, None)
    digest = payload_digest(payload_text)
    leaf = leaf_hash(
        entry_bytes(
            seq=frontier.size,
            id=event_id,
            at=at,
            type=type,
            actor_id=actor.user_id,
            role=actor.role.value,
            org_id=actor.org_id,
            ip=actor.ip,
            subject_type=subject_type,
            subject_id=subject_id,
            scope_id=scope,
            refs=refs_text,
            digest=digest,
        )
    )
    values: dict[str, Any] = {
        "seq": frontier.size,
        "id": event_id,
        "at": at,
        "type": type,
        "actor_id": actor.user_id,
        "role": actor.role.value,
        "org_id": actor.org_id,
        "ip": actor.ip,
        "subject_type": subject_type,
        "subject_id": subject_id,
        "scope_id": scope,
        "refs": refs_text,
        "payload": payload_text,
        "digest": digest,
    }
    buf.events.append(values)
    buf.nodes.extend({"level": lv, "idx": ix, "hash": h} for lv, ix, h in frontier.append(leaf))
    if len(buf.events) >= BATCH:
        _write(conn)
    ev = LoggedEvent(**values)
    session.info.setdefault(_NEW_KEY, []).append(ev)
    return ev
