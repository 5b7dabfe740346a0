"""透明日志 — proofs served from the stored tree, signed checkpoints, and the full verification.

`verify_log` is what `ggzy audit verify` runs: it recomputes every leaf from the stored events,
checks every stored subtree hash, and checks every signed checkpoint, and names the first bad entry;
then it recomputes every sealed log and checks it against its deadline commitment, its disclosure and
the disclosed copies. `sealed_proof` proves, after its disclosure, where a secret event was sealed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Result, Select, and_, func, select, text
from sqlalchemy.orm import Session

from ggzy.core import events, note
from ggzy.core.clock import Clock
from ggzy.core.events import (
    HEAD_ID,
    SEALED_COMMITTED,
    SEALED_DISCLOSED,
    Event,
    LogHead,
    MerkleNode,
    SealedEvent,
    SealedLog,
    SignedTreeHead,
    commitment,
    entry_of,
    payload_digest,
)
from ggzy.core.keys import Keys
from ggzy.core.merkle import (
    EMPTY_ROOT,
    Coord,
    Frontier,
    build_proof,
    consistency_ranges,
    inclusion_ranges,
    leaf_hash,
    node_hash,
)


def tree_head(session: Session) -> Frontier:
    row = session.execute(select(LogHead.size, LogHead.frontier).where(LogHead.id == HEAD_ID)).one()
    blob = bytes(row.frontier)
    return Frontier(row.size, [blob[i : i + 32] for i in range(0, len(blob), 32)])


# The wanted coordinates are passed as one parameter and joined against the primary key, so the
# statement is the same whatever the proof: an OR of one IN-list per level costs more to plan than
# to run (PostgreSQL at 1M leaves: median 2.0 → 0.5 ms, p99 6.7 → 0.8 ms; SQLite 2.0 → 0.3 ms),
# and a row-value IN is a full scan on SQLite.
_NODES_PG = text(
    "SELECT m.level, m.idx, m.hash FROM unnest(CAST(:levels AS smallint[]), CAST(:idxs AS bigint[])) AS w(l, i) "
    "JOIN merkle_node m ON m.level = w.l AND m.idx = w.i"
)
_NODES_SQLITE = text(
    "SELECT m.level, m.idx, m.hash FROM json_each(:wanted) AS w "
    "JOIN merkle_node m ON m.level = json_extract(w.value, '$[0]') AND m.idx = json_extract(w.value, '$[1]')"
)


def fetch_nodes(session: Session, coords: set[Coord]) -> dict[Coord, bytes]:
    wanted = sorted(coords)
    if session.get_bind().dialect.name == "postgresql":
        params: dict[str, Any] = {"levels": [c[0] for c in wanted], "idxs": [c[1] for c in wanted]}
        rows = session.execute(_NODES_PG, params)
    else:
        rows = session.execute(_NODES_SQLITE, {"wanted": json.dumps(wanted)})
    return {(r.level, r.idx): bytes(r.hash) for r in rows}


def _check_size(session: Session, size: int) -> None:
    current = tree_head(session).size
    if not 0 < size <= current:
        raise ValueError(f"tree size {size} is outside 1..{current}")


def inclusion_proof(session: Session, index: int, size: int) -> list[bytes]:
    _check_size(session, size)
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is outside 0..{size - 1}")
    return build_proof(inclusion_ranges(index, size), lambda c: fetch_nodes(session, c))


def consistency_proof(session: Session, first: int, second: int) -> list[bytes]:
    _check_size(session, second)
    if not 0 < first <= second:
        raise ValueError("consistency needs 0 < first ≤ second")
    return build_proof(consistency_ranges(first, second), lambda c: fetch_nodes(session, c))


def root_at(session: Session, size: int) -> bytes:
    """The root of the tree as it was at `size` (from stored subtrees, O(log n))."""
    _check_size(session, size)
    return build_proof([(0, size)], lambda c: fetch_nodes(session, c))[0]


def leaf_at(session: Session, index: int) -> bytes:
    h = session.execute(select(MerkleNode.hash).where(MerkleNode.level == 0, MerkleNode.idx == index)).scalar()
    if h is None:
        raise LookupError(f"no leaf {index}")
    return bytes(h)


# --- checkpoints -----------------------------------------------------------------------------


def latest_checkpoint(session: Session) -> SignedTreeHead | None:
    return session.execute(select(SignedTreeHead).order_by(SignedTreeHead.size.desc()).limit(1)).scalar()


def sign_checkpoint(session: Session, *, keys: Keys, origin: str, clock: Clock) -> SignedTreeHead | None:
    """Sign the current tree head if the log grew since the last checkpoint (idempotent)."""
    head = session.execute(select(LogHead.size, LogHead.frontier).where(LogHead.id == HEAD_ID).with_for_update()).one()
    if head.size == 0:
        return None
    last = latest_checkpoint(session)
    if last is not None and last.size >= head.size:
        return None
    blob = bytes(head.frontier)
    root = Frontier(head.size, [blob[i : i + 32] for i in range(0, len(blob), 32)]).root()
    text = note.Checkpoint(origin, head.size, root).text()
    sth = SignedTreeHead(
        size=head.size, root=root, signed_at=clock.now(), note=note.sign(text, origin, keys.log_private)
    )
    session.add(sth)
    session.flush()
    return sth


def checkpoint_due(session: Session, now: datetime, *, minutes: float) -> bool:
    """Checkpoints are signed on a fixed schedule: at most one per period of `minutes` (counted from the Unix
    epoch, so every node agrees), and only when the public log grew. Secret events never grow it, so when a
    checkpoint is signed, and what it says, depend on public activity alone."""
    size = session.execute(select(LogHead.size).where(LogHead.id == HEAD_ID)).scalar_one()
    last = latest_checkpoint(session)
    if size == 0 or (last is not None and last.size >= size):
        return False
    period = max(1.0, minutes * 60)
    return last is None or int(now.timestamp() // period) > int(last.signed_at.timestamp() // period)


def verifier_key(keys: Keys, origin: str) -> str:
    return note.verifier_key(origin, keys.log_public_raw())


# --- verification ----------------------------------------------------------------------------


@dataclass
class Problem:
    seq: int | None
    message: str
    span: int = 1  # how many entries from seq the problem may lie in (1 = exactly this entry)

    @property
    def exact(self) -> bool:
        return self.span == 1


@dataclass
class VerifyReport:
    entries: int = 0
    checkpoints: int = 0
    nodes: int = 0
    sealed_logs: int = 0
    sealed_entries: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first(self) -> Problem | None:
        named = [p for p in self.problems if p.seq is not None]
        if named:  # the narrowest, then the earliest
            return min(named, key=lambda p: (p.span, p.seq or 0))
        return self.problems[0] if self.problems else None


def _event_rows(session: Session, batch: int) -> Result[Any]:
    # Core rows, not ORM objects: a million of them must stream in seconds.
    stmt = (
        select(*Event.__table__.c, MerkleNode.hash.label("leaf"))
        .outerjoin(MerkleNode, and_(MerkleNode.level == 0, MerkleNode.idx == Event.seq))
        .order_by(Event.seq)
        .execution_options(stream_results=True, max_row_buffer=batch)
    )
    events.flush(session)
    return session.connection().execute(stmt)  # Core, not ORM loading: a million rows in seconds


def verify_log(session: Session, *, verifier: str, batch: int = 5000, limit: int = 20) -> VerifyReport:
    """Recompute the tree from the events and compare with every stored hash and signed checkpoint."""
    report = VerifyReport()
    sths = {s.size: s for s in session.execute(select(SignedTreeHead)).scalars()}
    report.checkpoints = len(sths)
    for sth in sths.values():
        try:
            cp = note.Checkpoint.parse(note.open_note(sth.note, [verifier]))
        except note.NoteError as exc:
            report.problems.append(Problem(None, f"检查点 {sth.size} 签名无效 (checkpoint signature): {exc}"))
            continue
        if cp.size != sth.size or cp.root != bytes(sth.root):
            report.problems.append(Problem(None, f"检查点 {sth.size} 与签名内容不符 (checkpoint row altered)"))

    frontier = Frontier()
    with closing(_event_rows(session, batch)) as rows:
        _check_entries(rows, sths, frontier, report, limit)
    head = tree_head(session)
    if report.ok or len(report.problems) < limit:
        if head.size > report.entries:
            report.problems.append(
                Problem(
                    report.entries,
                    f"事件 #{report.entries} 起缺失：日志头记录 {head.size} 条，实际 {report.entries} 条 "
                    f"(entry {report.entries}: deleted)",
                )
            )
        elif head.size < report.entries:
            report.problems.append(
                Problem(
                    head.size,
                    f"事件 #{head.size} 起不在日志头之内：日志头记录 {head.size} 条，实际 {report.entries} 条 "
                    f"(entry {head.size}: appended outside the log)",
                )
            )
        elif head.root() != frontier.root():
            report.problems.append(Problem(None, "日志头的根与重算结果不符 (head root mismatch)"))
        beyond = max(sths, default=0)
        if beyond > report.entries:
            report.problems.append(
                Problem(report.entries, f"已签名检查点 {beyond} 超过现有事件数 {report.entries} (log truncated)")
            )
    report.nodes = _verify_interior(session, report, limit)
    if len(report.problems) < limit:
        _verify_sealed(session, report)
    return report


def _payloads(session: Session, type: str) -> dict[str, list[tuple[int, dict[str, Any]]]]:
    out: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for seq, payload in session.execute(select(Event.seq, Event.payload).where(Event.type == type).order_by(Event.seq)):
        body = json.loads(payload)
        out.setdefault(str(body.get("log")), []).append((seq, body))
    return out


def _verify_sealed(session: Session, report: VerifyReport) -> None:
    """Each sealed log: its entries rebuild its head; its deadline commitment and its disclosure open to it;
    its disclosed copies in the public log are its entries."""
    commits = _payloads(session, SEALED_COMMITTED)
    disclosures = _payloads(session, SEALED_DISCLOSED)
    for log in session.execute(select(SealedLog).order_by(SealedLog.name)).scalars():
        report.sealed_logs += 1
        name = log.name
        leaves = _sealed_leaves(session, name, report)
        if leaves is None:
            continue
        frontier = Frontier()
        committed_root = EMPTY_ROOT
        for leaf in leaves:
            frontier.append(leaf)
            if frontier.size == log.committed_size:
                committed_root = frontier.root()
        try:
            head: bytes | None = events.sealed_root(log)
        except ValueError:  # a frontier that does not fit its size
            head = None
        if frontier.size != log.size or frontier.root() != head:
            report.problems.append(
                Problem(
                    None,
                    f"封存日志 {name} 与其日志头不符：{frontier.size}/{log.size} 条 (sealed {name}: head mismatch)",
                )
            )
        if log.committed_size is not None:
            value = commitment(bytes(log.nonce), log.committed_size, committed_root)
            if value not in [body.get("commitment") for _, body in commits.get(name, [])]:
                report.problems.append(
                    Problem(None, f"封存日志 {name} 与截止时的承诺不符 (sealed {name}: commitment mismatch)")
                )
        if log.disclosed_seq is not None:
            _check_disclosure(session, log, leaves, frontier.root(), disclosures.get(name, []), report)


def _sealed_leaves(session: Session, name: str, report: VerifyReport) -> list[bytes] | None:
    leaves: list[bytes] = []
    rows = session.execute(select(SealedEvent).where(SealedEvent.log == name).order_by(SealedEvent.idx)).scalars()
    for row in rows:
        i = len(leaves)
        if row.idx != i:
            report.problems.append(Problem(None, f"封存日志 {name} 事件 #{i} 缺失 (sealed {name} entry {i}: deleted)"))
            return None
        if payload_digest(row.payload) != row.digest:
            report.problems.append(
                Problem(None, f"封存日志 {name} 事件 #{i} 的内容与摘要不符 (sealed {name} entry {i}: payload edited)")
            )
        leaf = leaf_hash(entry_of(row, public=False))
        if leaf != bytes(row.leaf):
            report.problems.append(
                Problem(None, f"封存日志 {name} 事件 #{i} 被修改 (sealed {name} entry {i}: changed, id {row.id})")
            )
        leaves.append(leaf)
        report.sealed_entries += 1
    return leaves


def _check_disclosure(
    session: Session,
    log: SealedLog,
    leaves: list[bytes],
    root: bytes,
    disclosures: list[tuple[int, dict[str, Any]]],
    report: VerifyReport,
) -> None:
    name = log.name
    said = dict(disclosures).get(log.disclosed_seq or -1)
    if said is None or (said.get("size"), said.get("root"), said.get("nonce")) != (
        len(leaves),
        root.hex(),
        bytes(log.nonce).hex(),
    ):
        report.problems.append(
            Problem(None, f"封存日志 {name} 与公开时的记录不符 (sealed {name}: disclosure mismatch)")
        )
        return
    copies = session.execute(select(Event).where(Event.sealed_log == name).order_by(Event.sealed_idx)).scalars().all()
    for i, copy in enumerate(copies):
        if copy.sealed_idx != i or i >= len(leaves) or leaf_hash(entry_of(copy, public=False)) != leaves[i]:
            report.problems.append(
                Problem(
                    copy.seq, f"事件 #{copy.seq} 不是封存日志 {name} 第 {i} 条的副本 (entry {copy.seq}: copy differs)"
                )
            )
            return
    if len(copies) != len(leaves):
        report.problems.append(
            Problem(
                None,
                f"封存日志 {name} 公开了 {len(copies)} 条副本，应为 {len(leaves)} 条 (sealed {name}: copies missing)",
            )
        )


# --- proofs of sealed events, after their disclosure ------------------------------------------


@dataclass(frozen=True)
class SealedProof:
    """Where a disclosed secret event was sealed, and the proofs that tie it to the public log."""

    event_id: str
    log: str
    index: int
    size: int
    leaf: bytes  # leaf hash of the sealed entry (the copy's entry without its public seq)
    proof: list[bytes]  # inclusion of leaf in the sealed log of `size`
    root: bytes  # the sealed root, as the disclosure event says
    copy_seq: int  # the disclosed copy in the public log
    disclosure_seq: int  # the public `log.sealed_disclosed` event
    commitment_seq: int | None  # the public `log.sealed_committed` event published at the deadline
    committed_size: int | None
    committed_root: bytes | None
    consistency: list[bytes]  # from the committed size to `size` (empty when equal or uncommitted)


def _store(leaves: list[bytes]) -> dict[Coord, bytes]:
    nodes: dict[Coord, bytes] = {}
    frontier = Frontier()
    for leaf in leaves:
        for level, idx, h in frontier.append(leaf):
            nodes[(level, idx)] = h
    return nodes


def sealed_proof(session: Session, event_id: str) -> SealedProof:
    """For a disclosed secret event; a sealed or unknown one is the same `LookupError` (nothing to learn)."""
    copy = session.execute(select(Event).where(Event.id == event_id, Event.sealed_log.is_not(None))).scalar()
    log = session.get(SealedLog, copy.sealed_log) if copy is not None else None
    if copy is None or log is None or log.disclosed_seq is None or copy.sealed_idx is None:
        raise LookupError("no disclosed event with this id")
    leaves = [
        bytes(h)
        for h in session.execute(
            select(SealedEvent.leaf).where(SealedEvent.log == log.name).order_by(SealedEvent.idx)
        ).scalars()
    ]
    nodes = _store(leaves)

    def fetch(c: set[Coord]) -> dict[Coord, bytes]:
        return {k: nodes[k] for k in c if k in nodes}

    size, index = len(leaves), copy.sealed_idx
    committed = log.committed_size
    committed_root = None
    consistency: list[bytes] = []
    if committed is not None:
        committed_root = build_proof([(0, committed)], fetch)[0] if committed else EMPTY_ROOT
        if 0 < committed < size:
            consistency = build_proof(consistency_ranges(committed, size), fetch)
    commit_seq = session.execute(
        select(Event.seq)
        .where(Event.type == SEALED_COMMITTED, Event.subject_id == log.name)
        .order_by(Event.seq.desc())
        .limit(1)
    ).scalar()
    return SealedProof(
        event_id=event_id,
        log=log.name,
        index=index,
        size=size,
        leaf=leaves[index],
        proof=build_proof(inclusion_ranges(index, size), fetch),
        root=events.sealed_root(log),
        copy_seq=copy.seq,
        disclosure_seq=log.disclosed_seq,
        commitment_seq=commit_seq,
        committed_size=committed,
        committed_root=committed_root,
        consistency=consistency,
    )


def _verify_interior(session: Session, report: VerifyReport, limit: int) -> int:
    """Each stored subtree above the leaves must be the hash of its two stored children."""
    max_level = session.execute(select(func.max(MerkleNode.level))).scalar() or 0
    checked = 0
    for level in range(1, max_level + 1):
        conn = session.connection()
        children = conn.execute(_level_rows(level - 1))
        parents = conn.execute(_level_rows(level))
        with closing(children), closing(parents):
            checked += _check_level(level, iter(children), parents, report, limit)
            if len(report.problems) >= limit:
                return checked
    return checked


def _check_entries(
    rows: Result[Any], sths: dict[int, SignedTreeHead], frontier: Frontier, report: VerifyReport, limit: int
) -> None:
    last_good_cp = 0
    for ev in rows:
        if len(report.problems) >= limit:
            return
        stored = bytes(ev.leaf) if ev.leaf is not None else None
        seq = frontier.size
        if ev.seq != seq:
            report.problems.append(
                Problem(seq, f"事件 #{seq} 缺失：序号从 {seq - 1} 跳到 {ev.seq} (entry {seq}: deleted)")
            )
            return
        if payload_digest(ev.payload) != ev.digest:
            report.problems.append(Problem(seq, f"事件 #{seq} 的内容与摘要不符 (entry {seq}: payload edited)"))
        leaf = leaf_hash(entry_of(ev))
        if stored is None:
            report.problems.append(Problem(seq, f"事件 #{seq} 没有登记的叶哈希 (entry {seq}: inserted)"))
        elif stored != leaf:
            report.problems.append(
                Problem(seq, f"事件 #{seq} 被修改或调换顺序 (entry {seq}: changed or reordered, id {ev.id})")
            )
        frontier.append(leaf)
        report.entries += 1
        at_size = sths.get(frontier.size)
        if at_size is not None:
            if frontier.root() != bytes(at_size.root):
                report.problems.append(
                    Problem(
                        last_good_cp,
                        f"检查点 {at_size.size} 的根与重算结果不符：问题位于事件 #{last_good_cp}–#{at_size.size - 1} "
                        f"(checkpoint {at_size.size} root mismatch)",
                        span=at_size.size - last_good_cp,
                    )
                )
            else:
                last_good_cp = at_size.size


def _level_rows(level: int) -> Select[int, bytes]:
    return (
        select(MerkleNode.idx, MerkleNode.hash)
        .where(MerkleNode.level == level)
        .order_by(MerkleNode.idx)
        .execution_options(stream_results=True, max_row_buffer=10000)
    )


def _check_level(level: int, kids: Iterator[Any], parents: Iterable[Any], report: VerifyReport, limit: int) -> int:
    checked = 0
    for p in parents:
        try:
            left, right = next(kids), next(kids)
        except StopIteration:
            report.problems.append(Problem(None, f"第 {level} 层子树 {p.idx} 缺少子节点 (orphan subtree)"))
            return checked
        ok = left.idx == 2 * p.idx and right.idx == 2 * p.idx + 1
        if not ok or node_hash(bytes(left.hash), bytes(right.hash)) != bytes(p.hash):
            first_leaf = p.idx << level
            report.problems.append(
                Problem(
                    first_leaf,
                    f"第 {level} 层子树 {p.idx}（事件 #{first_leaf} 起）哈希不符 (interior node {level}/{p.idx})",
                    span=1 << level,
                )
            )
            if len(report.problems) >= limit:
                return checked
        checked += 1
    return checked
