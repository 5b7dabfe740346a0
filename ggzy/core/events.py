"""事件日志 — the one append-only trail (S3 处处留痕, S2/S5 monitoring, P1 publication).

Every change of state records exactly one event here, in the same transaction as the change.
Each event is a leaf of an RFC 6962 Merkle tree: the stored entry is canonical JSON holding the
sequence number, time, actor, role, organisation, network address, type, object ids and the
SHA-256 digest of the payload. Rows are never updated or deleted (database triggers refuse it).

**Secret events** (a bid, a withdrawal, a document download, a registration) must not move the public
log before their disclosure time: `record(..., secret_until=AT_OPENING)` (or a time) puts the event in
the **sealed log** of its scope instead — a Merkle tree of its own (`sealed_log`, `sealed_event`) that no
public size, number, checkpoint, proof or live message depends on. At the scope's deadline the public log
receives a hiding commitment to the sealed log (`log.sealed_committed`, recorded for every section whether
or not anything was sealed), and at the disclosure (`disclose`, called by the audit tick once a section is
opened or the time has come) the public log receives the sealed root with the commitment's opening
(`log.sealed_disclosed`) followed by a copy of every sealed event, each naming its place in the sealed log.
docs/transparency.md gives the threat model.

**The write buffer.** Public appends are not written one by one. `record` keeps them in a buffer held in the
database connection's `info` (so every session on that connection shares it), together with the log head
read `FOR UPDATE` once per transaction and never reused in another (this lock orders concurrent writers and
keeps sequence numbers gap-free). The buffer is written (one multi-row insert for events, one for subtrees,
one head update) before any ORM query through a session, before a session commits, before a savepoint is
opened, when the connection commits, and every BATCH events. A rollback of the transaction discards it; a
rollback to a savepoint discards it and the cached head (what the savepoint covered is undone in the
database too), so the tree in memory never runs ahead of the tree in the database. After the session
commits, listeners registered with `on_commit` receive the public events of that transaction (never a sealed
one).

These hooks are attached by `attach` to the platform's own engines and session factories (`Database` calls
it), never to SQLAlchemy's global classes: a session made elsewhere gets no hidden behaviour.
"""

from __future__ import annotations

import hashlib
import os
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import (
    BigInteger,
    Connection,
    Engine,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    bindparam,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column, sessionmaker

from ggzy.core import canonical
from ggzy.core.actor import Actor, system
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
    # A disclosed copy of a sealed event: the sealed log and its place there (None for every other event).
    sealed_log: Mapped[str | None] = mapped_column(String(80), index=True)
    sealed_idx: Mapped[int | None] = mapped_column(BigInteger)

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


class SealedLog(Base):
    """The sealed log of one scope (a section) until its disclosure: size, frontier, the commitment nonce."""

    __tablename__ = "sealed_log"

    name: Mapped[str] = mapped_column(String(80), primary_key=True)  # "<scope>/<generation>"
    scope: Mapped[str] = mapped_column(String(64))
    generation: Mapped[int] = mapped_column(Integer)
    until: Mapped[datetime | None] = mapped_column(UtcDateTime)  # None: at the scope's opening
    size: Mapped[int] = mapped_column(BigInteger)
    frontier: Mapped[bytes] = mapped_column(LargeBinary)
    nonce: Mapped[bytes] = mapped_column(LargeBinary(32))
    committed_size: Mapped[int | None] = mapped_column(BigInteger)
    committed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    disclosed_seq: Mapped[int | None] = mapped_column(BigInteger)

    __table_args__ = (UniqueConstraint("scope", "generation"),)


class SealedEvent(Base):
    """A secret event, as recorded: the same columns as an event, numbered inside its sealed log."""

    __tablename__ = "sealed_event"

    log: Mapped[str] = mapped_column(String(80), primary_key=True)
    idx: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    id: Mapped[str] = mapped_column(String(26), unique=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    type: Mapped[str] = mapped_column(String(80))
    actor_id: Mapped[str | None] = mapped_column(String(26))
    role: Mapped[str] = mapped_column(String(32))
    org_id: Mapped[str | None] = mapped_column(String(26))
    ip: Mapped[str | None] = mapped_column(String(64))
    subject_type: Mapped[str | None] = mapped_column(String(40))
    subject_id: Mapped[str | None] = mapped_column(String(64))
    scope_id: Mapped[str | None] = mapped_column(String(64))
    refs: Mapped[str] = mapped_column(Text)
    payload: Mapped[str] = mapped_column(Text)
    digest: Mapped[str] = mapped_column(String(64))
    leaf: Mapped[bytes] = mapped_column(LargeBinary(32))


@dataclass(frozen=True, slots=True)
class LoggedEvent:
    """An event as recorded (a plain value: cheaper than an ORM instance on the hot path).

    A sealed event has no public `seq` (None) until its disclosure; `sealed_log`/`sealed_idx` say where it is.
    """

    seq: int | None
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
    sealed_log: str | None = None
    sealed_idx: int | None = None


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


SEALED_COMMITTED = event_type("log.sealed_committed", "封存日志承诺（截止时）", public=True)
SEALED_DISCLOSED = event_type("log.sealed_disclosed", "封存日志公开（开标时）", public=True)


class _Opening:
    def __repr__(self) -> str:
        return "AT_OPENING"


AT_OPENING: Final = _Opening()
"""`record(..., secret_until=AT_OPENING)`: secret until the opening of the event's scope (a section)."""


# --- the entry that is hashed ----------------------------------------------------------------


def entry_bytes(
    *,
    seq: int | None,
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
    sealed: tuple[str, int] | None = None,
) -> bytes:
    """The leaf data: canonical JSON of every column except the payload, which enters by digest.

    A sealed event's leaf in its sealed log has no "seq" and a "sealed" [log, index]; its disclosed copy in
    the public log is the same entry with the public "seq" added.
    """
    entry: dict[str, Any] = {
        "v": ENTRY_VERSION,
        "id": id,
        "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "type": type,
        "actor": {"user": actor_id, "role": role, "org": org_id, "ip": ip},
        "subject": [subject_type, subject_id],
        "scope": scope_id,
        "refs": refs,
        "digest": digest,
    }
    if seq is not None:
        entry["seq"] = seq
    if sealed is not None:
        entry["sealed"] = [sealed[0], sealed[1]]
    return canonical.dumpb_trusted(entry)


def entry_of(row: Any, *, public: bool = True) -> bytes:
    """Entry bytes of a stored row (ORM object or Core row with the same attribute names).

    `public=False` gives the sealed-log entry of a sealed event or of a disclosed copy.
    """
    log = getattr(row, "sealed_log", None) or getattr(row, "log", None)
    idx = getattr(row, "sealed_idx", None)
    if idx is None:
        idx = getattr(row, "idx", None)
    sealed = (log, idx) if isinstance(log, str) and idx is not None else None
    return entry_bytes(
        seq=row.seq if public else None,
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
        sealed=sealed,
    )


def payload_digest(payload_text: str) -> str:
    return hashlib.sha256(payload_text.encode()).hexdigest()


def commitment(nonce: bytes, size: int, root: bytes) -> str:
    """The hiding commitment to a sealed log's head published at the deadline (hex)."""
    return hashlib.sha256(b"ggzy sealed log v1\x00" + nonce + size.to_bytes(8, "big") + root).hexdigest()


# --- the write buffer (see the module docstring) ---------------------------------------------

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
    transaction: object | None = None  # the root transaction the cached head belongs to


def _frontier(size: int, blob: bytes) -> Frontier:
    blob = bytes(blob)
    return Frontier(size, [blob[i : i + 32] for i in range(0, len(blob), 32)])


def _buffer(conn: Connection) -> _Buffer:
    buf: _Buffer | None = conn.info.get(_LOG_KEY)
    transaction = conn.get_transaction()
    if buf is None or buf.transaction is not transaction:
        # `info` lives with the pooled DBAPI connection: a head cached in another transaction is never reused,
        # even if no commit or rollback hook saw that transaction end.
        buf = conn.info[_LOG_KEY] = _Buffer(transaction=transaction)
    if buf.frontier is None:
        row = conn.execute(_SELECT_HEAD).one()
        buf.frontier = _frontier(row.size, row.frontier)
    return buf


def _write(conn: Connection) -> None:
    buf: _Buffer | None = conn.info.get(_LOG_KEY)
    if buf is None or not buf.events or buf.frontier is None:
        return
    if buf.transaction is not conn.get_transaction():  # left over from a transaction that ended unseen
        conn.info.pop(_LOG_KEY, None)
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


def _flush_before_query(state: ORMExecuteState) -> None:
    flush(state.session)


def _flush_before_commit(session: Session) -> None:
    flush(session)


def _flush_before_savepoint(conn: Connection, _name: str) -> None:
    _write(conn)  # what came before the savepoint must survive a rollback to it


def _flush_at_commit(conn: Connection) -> None:
    _write(conn)
    conn.info.pop(_LOG_KEY, None)


def _discard_to_savepoint(conn: Connection, _name: str, _context: Any) -> None:
    if conn.info.get(_LOG_KEY) is not None:  # what the savepoint wrote is undone: forget it, re-read the head
        conn.info[_LOG_KEY] = _Buffer(transaction=conn.get_transaction())


def _discard(conn: Connection) -> None:
    conn.info.pop(_LOG_KEY, None)


Listener = Callable[[list["LoggedEvent"]], None]
_after_commit: list[Listener] = []


def on_commit(listener: Listener) -> Callable[[], None]:
    """Be told of public events once their transaction has committed (live supervision, fan-out)."""
    _after_commit.append(listener)
    return lambda: _after_commit.remove(listener)


def _publish(session: Session) -> None:
    session.info.pop(_CONN_KEY, None)
    new = session.info.pop(_NEW_KEY, None)
    if new:
        for listener in list(_after_commit):
            listener(new)


def _drop_unpublished(session: Session, _previous: Any) -> None:
    if not session.in_transaction():
        session.info.pop(_CONN_KEY, None)
        session.info.pop(_NEW_KEY, None)


_SESSION_HOOKS: tuple[tuple[str, Callable[..., None]], ...] = (
    ("do_orm_execute", _flush_before_query),
    ("before_commit", _flush_before_commit),
    ("after_commit", _publish),
    ("after_soft_rollback", _drop_unpublished),
)
_CONNECTION_HOOKS: tuple[tuple[str, Callable[..., None]], ...] = (
    ("savepoint", _flush_before_savepoint),
    ("commit", _flush_at_commit),
    ("rollback_savepoint", _discard_to_savepoint),
    ("rollback", _discard),
)


# What `attach` has given hooks to. Not `event.contains`: SQLAlchemy's listener registry is keyed by id(), so a new
# engine, connection or session factory that reuses a collected one's address "contains" hooks it never got (seen in
# tests, which make a Database per test: its queries then ran before the buffered events were written).
_ATTACHED: weakref.WeakSet[object] = weakref.WeakSet()


def attach(bind: Engine | Connection, *factories: sessionmaker[Session]) -> None:
    """Give one engine (or a test's connection) and its session factories the write buffer's hooks (idempotent)."""
    if bind not in _ATTACHED:
        for name, fn in _CONNECTION_HOOKS:
            event.listen(bind, name, fn)
        _ATTACHED.add(bind)
    for factory in factories:
        if factory in _ATTACHED:
            continue
        for name, fn in _SESSION_HOOKS:
            event.listen(factory, name, fn)
        _ATTACHED.add(factory)


def _append(session: Session, values: dict[str, Any]) -> LoggedEvent:
    """Append one public leaf (values without seq); returns the event as recorded."""
    conn = session.connection()
    session.info[_CONN_KEY] = conn
    buf = _buffer(conn)
    frontier = buf.frontier
    assert frontier is not None
    values = {"seq": frontier.size, **values}
    sealed = (values["sealed_log"], values["sealed_idx"]) if values.get("sealed_log") else None
    entry = entry_bytes(
        seq=values["seq"],
        id=values["id"],
        at=values["at"],
        type=values["type"],
        actor_id=values["actor_id"],
        role=values["role"],
        org_id=values["org_id"],
        ip=values["ip"],
        subject_type=values["subject_type"],
        subject_id=values["subject_id"],
        scope_id=values["scope_id"],
        refs=values["refs"],
        digest=values["digest"],
        sealed=sealed,
    )
    buf.events.append(values)
    buf.nodes.extend({"level": lv, "idx": ix, "hash": h} for lv, ix, h in frontier.append(leaf_hash(entry)))
    if len(buf.events) >= BATCH:
        _write(conn)
    ev = LoggedEvent(**values)
    session.info.setdefault(_NEW_KEY, []).append(ev)
    return ev


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
    secret_until: datetime | _Opening | None = None,
) -> LoggedEvent:
    """Append one event to the log inside the caller's transaction and return it.

    `secret_until=AT_OPENING` (or a time) makes it a secret event: it joins the sealed log of `scope` and
    reaches the public log only when that scope is disclosed (see the module docstring). A time already
    past records it publicly at once.
    """
    if type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {type!r}: declare it with event_type()")
    at = clock.now()
    payload_text = canonical.dumps(payload or {})
    refs_text = canonical.dumps(refs or {})
    subject_type, subject_id = subject if subject else (None, None)
    values: dict[str, Any] = {
        "id": new_id(),
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
        "digest": payload_digest(payload_text),
    }
    if secret_until is not None and (isinstance(secret_until, _Opening) or secret_until > at):
        if scope is None:
            raise ValueError("a secret event needs the scope whose disclosure reveals it")
        return _seal(session, values, scope, None if isinstance(secret_until, _Opening) else secret_until)
    return _append(session, {**values, "sealed_log": None, "sealed_idx": None})


# --- sealed logs -----------------------------------------------------------------------------


def _open_log(session: Session, scope: str, *, lock: bool = True) -> SealedLog | None:
    stmt = select(SealedLog).where(SealedLog.scope == scope).order_by(SealedLog.generation.desc()).limit(1)
    if lock:
        stmt = stmt.with_for_update()
    log = session.execute(stmt).scalar()
    if log is not None and log.disclosed_seq is not None:
        return None
    return log


def sealed_log_of(session: Session, scope: str, *, until: datetime | None = None) -> SealedLog:
    """The scope's undisclosed sealed log, locked; made (empty, with a fresh nonce) when it has none."""
    log = _open_log(session, scope)
    if log is not None:
        return log
    generation = session.execute(
        select(func.count()).select_from(SealedLog).where(SealedLog.scope == scope)
    ).scalar_one()
    row = {
        "name": f"{scope}/{generation}",
        "scope": scope,
        "generation": generation,
        "until": until,
        "size": 0,
        "frontier": b"",
        "nonce": os.urandom(32),
    }
    dialect = session.get_bind().dialect.name
    ins = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(SealedLog).values(**row)
    session.execute(ins.on_conflict_do_nothing())  # two first secret events at once: one row, both wait on it
    made = _open_log(session, scope)
    assert made is not None
    return made


def _seal(session: Session, values: dict[str, Any], scope: str, until: datetime | None) -> LoggedEvent:
    log = sealed_log_of(session, scope, until=until)
    frontier = _frontier(log.size, log.frontier)
    idx = frontier.size
    hashed = {k: v for k, v in values.items() if k != "payload"}
    leaf = leaf_hash(entry_bytes(seq=None, sealed=(log.name, idx), **hashed))
    frontier.append(leaf)
    session.execute(insert(SealedEvent).values(log=log.name, idx=idx, leaf=leaf, **values))
    log.size = frontier.size
    log.frontier = b"".join(frontier.nodes)
    if until is not None and (log.until is None or until > log.until):
        log.until = until
    session.flush()
    return LoggedEvent(seq=None, sealed_log=log.name, sealed_idx=idx, **values)


def sealed_root(log: SealedLog) -> bytes:
    return _frontier(log.size, log.frontier).root()


def commit_sealed(session: Session, scope: str, *, clock: Clock, since: datetime | None = None) -> LoggedEvent | None:
    """At the scope's deadline: publish a hiding commitment to its sealed log (made empty if need be).

    Recorded for every section whose deadline has come, so its presence and size say nothing; its value
    binds the platform to what was sealed before the deadline, which the disclosure then opens. `since` (the
    deadline) makes a new deadline of the same scope (a second round) get a commitment of its own.
    """
    log = sealed_log_of(session, scope)
    fresh = log.committed_at is not None and (since is None or log.committed_at >= since)
    if fresh and log.committed_size == log.size:
        return None  # already committed to this head since `since` (another node, or a repeated tick)
    log.committed_size = log.size
    log.committed_at = clock.now()
    value = commitment(bytes(log.nonce), log.size, sealed_root(log))
    return record(
        session,
        system(),
        SEALED_COMMITTED,
        clock=clock,
        subject=("sealed_log", log.name),
        scope=scope,
        payload={"log": log.name, "commitment": value},
    )


def disclose(session: Session, scope: str, *, clock: Clock) -> LoggedEvent | None:
    """At the scope's disclosure: publish the sealed root, the commitment's nonce, then a copy of each event.

    Idempotent: a scope already disclosed (and not sealed again since) is left alone.
    """
    log = _open_log(session, scope)
    if log is None:
        if session.execute(select(SealedLog.name).where(SealedLog.scope == scope)).first() is not None:
            return None
        log = sealed_log_of(session, scope)
    root = sealed_root(log)
    flush(session)
    disclosure = record(
        session,
        system(),
        SEALED_DISCLOSED,
        clock=clock,
        subject=("sealed_log", log.name),
        scope=scope,
        payload={
            "log": log.name,
            "size": log.size,
            "root": root.hex(),
            "nonce": bytes(log.nonce).hex(),
            "committed_size": log.committed_size,
        },
    )
    rows = session.execute(select(SealedEvent).where(SealedEvent.log == log.name).order_by(SealedEvent.idx))
    for sealed in rows.scalars():
        _append(
            session,
            {
                "id": sealed.id,
                "at": sealed.at,
                "type": sealed.type,
                "actor_id": sealed.actor_id,
                "role": sealed.role,
                "org_id": sealed.org_id,
                "ip": sealed.ip,
                "subject_type": sealed.subject_type,
                "subject_id": sealed.subject_id,
                "scope_id": sealed.scope_id,
                "refs": sealed.refs,
                "payload": sealed.payload,
                "digest": sealed.digest,
                "sealed_log": log.name,
                "sealed_idx": sealed.idx,
            },
        )
    log.disclosed_seq = disclosure.seq
    return disclosure
