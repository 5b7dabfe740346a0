"""公开数据读取 — the published steps in the public log's order, the trades they need (loaded in batches), and
release packages, record packages and the change feed built from them.

The order of everything here is the public event log's sequence number (gap-free, append-only), with the
position of a section inside one event (a project's acceptance opens the planning of all its sections). A cursor
names the next step, so a reader who pages on later gets exactly the steps published since.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ggzy.bidding.models import Bid
from ggzy.core.errors import Invalid, NotFound
from ggzy.core.events import Event
from ggzy.entities.models import Organisation
from ggzy.exchange import ocds
from ggzy.exchange.ocds import Step, Trade
from ggzy.notices.models import Notice
from ggzy.projects.models import Project, Section

CLARIFICATION = "clarification"  # the notice kind that is a tenderUpdate (ggzy.notices.states.NoticeKind)
BATCH = 1000  # step events read at once
WINDOW = 20_000  # sequence numbers scanned per read


@dataclass(frozen=True, order=True)
class Cursor:
    """The next step to read: (event seq, position inside the event). Opaque to callers."""

    seq: int = 0
    pos: int = 0

    def encode(self) -> str:
        return base64.urlsafe_b64encode(f"v1:{self.seq}:{self.pos}".encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str | None) -> Cursor:
        if not text:
            return cls()
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode("ascii")
            version, seq, pos = raw.split(":")
            cur = cls(int(seq), int(pos))
        except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
            raise Invalid("游标无效：请使用上一页返回的 next 链接中的游标", code="bad-cursor") from exc
        if version != "v1" or not (0 <= cur.seq < 2**63 and 0 <= cur.pos < 2**31) or len(text) > 64:
            raise Invalid("游标无效：请使用上一页返回的 next 链接中的游标", code="bad-cursor")
        return cur


def _expand(session: Session, rows: list[Any]) -> list[Step]:
    """Events → steps: a project's acceptance is one planning step per section; a notice is a step only when it
    is a clarification of a section; every other step event names its section (subject or scope)."""
    project_ids = {r.subject_id for r in rows if r.subject_type == "project"}
    notice_ids = {r.subject_id for r in rows if r.subject_type == "notice"}
    sections_of: dict[str, list[str]] = {}
    for pid in _chunks(project_ids):
        for sid, proj in session.execute(
            select(Section.id, Section.project_id).where(Section.project_id.in_(pid)).order_by(Section.seq)
        ):
            sections_of.setdefault(proj, []).append(sid)
    clarified: dict[str, str] = {}
    for nid in _chunks(notice_ids):
        for n_id, of in session.execute(
            select(Notice.id, Notice.section_id).where(
                Notice.id.in_(nid), Notice.kind == CLARIFICATION, Notice.section_id.is_not(None)
            )
        ):
            if of is not None:
                clarified[n_id] = of
    out: list[Step] = []
    for r in rows:
        kind = ocds.STEPS[r.type].name
        if r.subject_type == "project":
            targets = sections_of.get(r.subject_id, [])
        elif r.subject_type == "notice":
            targets = [clarified[r.subject_id]] if r.subject_id in clarified else []
        elif r.subject_type == "section":
            targets = [r.subject_id]
        else:
            targets = [r.scope_id] if r.scope_id else []
        out.extend(Step(r.seq, pos, r.at, kind, sid) for pos, sid in enumerate(targets))
    return out


def _chunks(ids: Iterable[str], size: int = 500) -> Iterator[list[str]]:
    items = list(ids)
    for i in range(0, len(items), size):
        yield items[i : i + size]


_COLUMNS = (Event.seq, Event.at, Event.type, Event.subject_type, Event.subject_id, Event.scope_id)


def steps(
    session: Session, after: Cursor = Cursor(), *, limit: int | None = None, since: datetime | None = None
) -> Iterator[Step]:
    """Published steps from `after` (inclusive) in log order, at most `limit`.

    The log is read in windows of sequence numbers (a range of the primary key), so each read costs its window
    whatever the log's length: a plain `seq >= n AND type IN (…) ORDER BY seq` let the planner walk the type index
    and sort every step event on each page (quadratic over a bulk export)."""
    head = session.scalar(select(func.max(Event.seq))) or 0
    seq, given = after.seq, 0
    while seq <= head and (limit is None or given < limit):
        want = BATCH if limit is None else min(BATCH, limit - given)
        # `type || ''`: the type is tested on the window's rows, never through ix_event_type (SQLite without
        # statistics chose it, and then read and sorted every step event of the log for each window)
        stmt = select(*_COLUMNS).where(
            Event.seq >= seq, Event.seq < seq + WINDOW, (Event.type + "").in_(list(ocds.STEPS))
        )
        if since is not None:
            stmt = stmt.where(Event.at >= since)
        rows = list(session.execute(stmt.order_by(Event.seq).limit(want)))
        for st in _expand(session, rows):
            if (st.seq, st.pos) < (after.seq, after.pos):
                continue
            yield st
            given += 1
            if limit is not None and given >= limit:
                return
        seq = rows[-1].seq + 1 if len(rows) == want else seq + WINDOW


def steps_of_section(session: Session, section: Section) -> list[Step]:
    stmt = (
        select(*_COLUMNS)
        .where(
            Event.type.in_(list(ocds.STEPS)),
            or_(Event.scope_id.in_([section.id, section.project_id]), Event.subject_id == section.id),
        )
        .order_by(Event.seq)
    )
    return [s for s in _expand(session, list(session.execute(stmt))) if s.section_id == section.id]


def _rows(session: Session, table: Any, key: Any, ids: Iterable[str], *extra: Any) -> Iterator[Any]:
    """Plain rows (not ORM objects) of `table` whose `key` is in `ids`: rows carry the same attribute names as the
    mapped classes and cost a third as much to load — over 100,000 trades, loading was the larger part."""
    for chunk in _chunks(ids):
        yield from session.execute(select(table).where(key.in_(chunk), *extra))


def trades(session: Session, section_ids: Iterable[str]) -> dict[str, Trade]:
    """The trades of these sections, in a few statements whatever their number. Their parts are read-only rows with
    the columns of Section, Project, Organisation and Bid (typed as those classes: only attributes are read)."""
    sections: dict[str, Section] = {
        r.id: cast(Section, r) for r in _rows(session, Section.__table__, Section.id, dict.fromkeys(section_ids))
    }
    projects: dict[str, Project] = {
        r.id: cast(Project, r)
        for r in _rows(session, Project.__table__, Project.id, {s.project_id for s in sections.values()})
    }
    bids: dict[str, list[Bid]] = {}
    opened = [s.id for s in sections.values() if s.opened_at is not None]
    found = sorted(
        _rows(session, Bid.__table__, Bid.section_id, opened, Bid.opened_at.is_not(None)),
        key=lambda b: (b.submitted_at, b.id),
    )
    for b in found:
        if b.round == sections[b.section_id].round:
            bids.setdefault(b.section_id, []).append(cast(Bid, b))
    org_ids = {p.tenderer_org_id for p in projects.values()} | {
        p.agency_org_id for p in projects.values() if p.agency_org_id
    }
    org_ids |= {b.bidder_org_id for bs in bids.values() for b in bs}
    orgs: dict[str, Organisation] = {
        r.id: cast(Organisation, r) for r in _rows(session, Organisation.__table__, Organisation.id, org_ids)
    }
    out = {}
    for sid, s in sections.items():
        p = projects[s.project_id]
        out[sid] = Trade(
            section=s,
            project=p,
            buyer=orgs[p.tenderer_org_id],
            agency=orgs[p.agency_org_id] if p.agency_org_id else None,
            bids=tuple((b, orgs[b.bidder_org_id]) for b in bids.get(sid, [])),
        )
    return out


def releases(
    session: Session, found: list[Step], *, prefix: str, parties: dict[tuple[str, str], Any] | None = None
) -> list[dict[str, Any]]:
    loaded = trades(session, {s.section_id for s in found})
    seen = {} if parties is None else parties
    return [
        ocds.public_release(loaded[s.section_id], s, prefix=prefix, session=session, parties_seen=seen) for s in found
    ]


def codes(session: Session, section_ids: Iterable[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for chunk in _chunks(set(section_ids)):
        out.update(
            (sid, code)
            for sid, code in session.execute(select(Section.id, Section.code).where(Section.id.in_(chunk))).all()
        )
    return out


def section_of_ocid(session: Session, ocid: str, *, prefix: str) -> Section:
    head = f"{prefix}-"
    code = ocid[len(head) :] if ocid.startswith(head) else None
    section = session.scalar(select(Section).where(Section.code == code)) if code else None
    if section is None:
        raise NotFound(f"没有编号为 {ocid[:100]} 的开放合同记录", code="unknown-ocid")
    return section


def find_release(session: Session, release_id: str, *, prefix: str) -> dict[str, Any]:
    """A release by its id: `<ocid>-<seq>` or `<ocid>-<seq>.<pos>`."""
    ocid, _, tail = release_id.rpartition("-")
    seq_text, _, pos_text = tail.partition(".")
    if not (seq_text.isdigit() and (pos_text.isdigit() or not pos_text)) or not ocid:
        raise NotFound(f"没有编号为 {release_id[:100]} 的发布", code="unknown-release")
    try:
        section = section_of_ocid(session, ocid, prefix=prefix)
    except NotFound as exc:
        raise NotFound(f"没有编号为 {release_id[:100]} 的发布", code="unknown-release") from exc
    for st in steps_of_section(session, section):
        if ocds.release_id(ocid, st) == release_id:
            return releases(session, [st], prefix=prefix)[0]
    raise NotFound(f"没有编号为 {release_id[:100]} 的发布", code="unknown-release")


@dataclass(frozen=True)
class Publisher:
    name: str
    prefix: str
    uri: str  # where the package is served (the request's URL, or the bulk file's)
    published: datetime


def release_package(rels: list[dict[str, Any]], pub: Publisher) -> dict[str, Any]:
    return {
        "uri": pub.uri,
        "version": "1.1",
        "extensions": list(ocds.EXTENSIONS),
        "publishedDate": pub.published.isoformat(),
        "publisher": {"name": pub.name},
        "releases": rels,
    }


def record_package(session: Session, ocid: str, pub: Publisher) -> dict[str, Any]:
    """The record of one section: every release it has, and the compiled release (the latest state: each release
    here states the whole section as of its step, so the latest one is the merge of all of them)."""
    section = section_of_ocid(session, ocid, prefix=pub.prefix)
    found = steps_of_section(session, section)
    if not found:
        raise NotFound(f"编号为 {ocid[:100]} 的项目尚未发布任何内容", code="unknown-ocid")
    rels = releases(session, found, prefix=pub.prefix)
    compiled = {**rels[-1], "id": f"{rels[-1]['id']}-compiled", "tag": ["compiled"]}
    return {
        "uri": pub.uri,
        "version": "1.1",
        "extensions": list(ocds.EXTENSIONS),
        "publishedDate": pub.published.isoformat(),
        "publisher": {"name": pub.name},
        "records": [{"ocid": rels[-1]["ocid"], "releases": rels, "compiledRelease": compiled}],
    }


def changes(session: Session, after: Cursor, *, limit: int, prefix: str) -> tuple[list[dict[str, Any]], Cursor]:
    """The change feed: (id, modified) of each published step from `after`, and the cursor to continue from."""
    found = list(steps(session, after, limit=limit))
    by_id = codes(session, {s.section_id for s in found})
    items = []
    for s in found:
        the_ocid = ocds.ocid(prefix, by_id[s.section_id])
        items.append({"id": the_ocid, "release": ocds.release_id(the_ocid, s), "modified": s.at.isoformat()})
    return items, next_cursor(found, after)


def next_cursor(found: list[Step], after: Cursor) -> Cursor:
    return Cursor(found[-1].seq, found[-1].pos + 1) if found else after
