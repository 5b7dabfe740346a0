"""交易档案 — seal a finished section's dossier and export a project's dossiers as a zip an auditor checks offline.

The dossier is every notice, tender document, bid (decrypted from its archive copy), the opening record with its
objections and the outcome of bids that could not be decrypted, the score sheets and the signed report, the award
notice, the objections to the result and the contract — each named with the event of the log that recorded it.
Sealing writes one manifest (canonical JSON: each file's path, size, SHA-256 and event) and records its SHA-256
in the log; nothing is stored in the clear: an export rebuilds every file and refuses one whose digest changed.
The export adds the entries of those events, their inclusion proofs and a signed checkpoint (verify.py).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ggzy.award import contracts, queries
from ggzy.award import service as award_verbs
from ggzy.award.models import Dossier
from ggzy.award.verify import FORMAT
from ggzy.bidding import opening
from ggzy.bidding import queries as bids
from ggzy.bidding.keys import KeyEnv
from ggzy.bidding.states import BidStatus
from ggzy.cases import service as case_verbs
from ggzy.core import canonical, events, policy, transparency
from ggzy.core.actor import Actor
from ggzy.core.clock import Clock
from ggzy.core.errors import NotFound, RuleViolation
from ggzy.core.events import Event
from ggzy.core.files import FileStore
from ggzy.core.ids import new_id
from ggzy.core.keys import Keys
from ggzy.entities import queries as entities
from ggzy.evaluation import queries as evaluation
from ggzy.evaluation import service as evaluation_verbs
from ggzy.experts import queries as draws
from ggzy.experts import service as expert_verbs
from ggzy.experts import verify as expert_verify
from ggzy.notices.models import Notice
from ggzy.notices.service import NOTICE_PUBLISHED
from ggzy.projects import queries as projects
from ggzy.projects import service as project_verbs
from ggzy.projects.publication import SECTION_PUBLISHED
from ggzy.projects.states import SectionStatus
from ggzy.rules import award as rules
from ggzy.rules.procedures import procedure

if TYPE_CHECKING:
    from ggzy.projects.models import Project, Section

DOSSIER_SEALED = events.event_type("award.dossier_sealed", "交易档案封存（档案清单摘要签入日志）", public=True)
# A dossier can be sealed once the trade has ended: signed (then archived), or terminated.
ENDED = frozenset({SectionStatus.CONTRACTED, SectionStatus.ARCHIVED, SectionStatus.TERMINATED})
CHUNK = 1 << 20
KIND_LABELS = {
    "notice": "公告",
    "document": "招标文件",
    "bid": "投标文件",
    "bid-form": "投标报价表",
    "bid-failed": "解密失败记录",
    "opening": "开标记录",
    "draw": "评标专家抽取记录",
    "sheet": "评审表",
    "report": "评标报告",
    "objection": "异议及答复",
    "award": "中标通知书",
    "contract": "合同",
}


@dataclass(frozen=True)
class Item:
    path: str
    kind: str
    event: int | None
    read: Callable[[], Iterator[bytes]]


def _safe(name: str) -> str:
    """A bidder's file name as a harmless zip path component."""
    cleaned = re.sub(r"[\\/:*?\"<>|\x00-\x1f]", "_", name).strip(". ") or "file"
    return cleaned[:120]


def _event(
    session: Session, subject: tuple[str, str], type: str | None = None, actor_id: str | None = None
) -> int | None:
    stmt = select(Event.seq).where(
        Event.subject_type == subject[0], Event.subject_id == subject[1], Event.seq.is_not(None)
    )
    if type is not None:
        stmt = stmt.where(Event.type == type)
    if actor_id is not None:
        stmt = stmt.where(Event.actor_id == actor_id)
    return session.execute(stmt.order_by(Event.seq.desc()).limit(1)).scalar()


def _bytes(data: bytes) -> Callable[[], Iterator[bytes]]:
    return lambda: iter([data])


def _file(files: FileStore, rel: str) -> Callable[[], Iterator[bytes]]:
    return lambda: files.read(rel, CHUNK)


def _json(obj: Any) -> Callable[[], Iterator[bytes]]:
    return _bytes(canonical.dumpb(obj))


def _iso(t: datetime | None) -> str | None:
    return t.isoformat() if t else None


def items(session: Session, section: Section, project: Project, *, files: FileStore, env: KeyEnv) -> list[Item]:
    """Every file of the dossier, in a fixed order, each with the log event that recorded it."""
    out: list[Item] = []
    stmt = select(Notice).where(Notice.section_id == section.id).order_by(Notice.published_at, Notice.number)
    for n in session.execute(stmt).scalars():
        out.append(
            Item(
                f"notices/{n.number}.json",
                "notice",
                _event(session, ("notice", n.id), NOTICE_PUBLISHED),
                _json(
                    {
                        "number": n.number,
                        "kind": n.kind,
                        "title": n.title,
                        "body": n.body,
                        "buyer": n.buyer,
                        "published_at": _iso(n.published_at),
                    }
                ),
            )
        )
    for d in bids.documents_of(session, section.id):
        out.append(
            Item(
                f"documents/{d.id}-{_safe(d.name)}",
                "document",
                _event(session, ("section", section.id), SECTION_PUBLISHED),
                _file(files, d.path),
            )
        )
    opened = bids.opened_bids(session, section.id, section.round)
    for b in opened:
        who = entities.get_org(session, b.bidder_org_id)
        base = f"bids/{who.credit_code or who.id}-v{b.version}"
        if b.status != BidStatus.OPENED.value or b.archive_path is None:
            out.append(
                Item(
                    f"{base}/未能解密.json",
                    "bid-failed",
                    _event(session, ("bid", b.id), opening.BID_DECRYPT_FAILED),
                    _json({"bidder": who.name, "failure": b.failure}),
                )
            )
            continue
        seq = _event(session, ("bid", b.id), opening.BID_OPENED)
        out.append(Item(f"{base}/form.json", "bid-form", seq, _bytes((b.manifest or "{}").encode())))
        names = [str(f.get("name", "")) for f in json.loads(b.manifest or "{}").get("files", [])]
        for i, name in enumerate(names):
            out.append(Item(f"{base}/{i:02d}-{_safe(name)}", "bid", seq, _bid_file(files, env, b, i)))
    rows = opening.opening_rows(session, section)
    if section.opened_at is None:
        return out  # never opened (terminated before the opening): no bids, no opening, no evaluation
    out.append(
        Item(
            "opening/record.json",
            "opening",
            _event(session, ("section", section.id), opening.SECTION_OPENED),
            _json(
                {
                    "rows": [
                        {"bidder": r.bidder, "price": r.price, "duration_days": r.duration_days, "status": r.status}
                        | {"note": r.note}
                        for r in rows
                    ],
                    "objections": [
                        {
                            "bidder": entities.get_org(session, o.org_id).name,
                            "text": o.text,
                            "answer": o.answer,
                            "at": _iso(o.recorded_at),
                        }
                        for o in opening.opening_objections(session, section)
                    ],
                }
            ),
        )
    )
    for k, draw in enumerate(draws.draws_of(session, section.id), start=1):
        # the draw's public record (committed list digest, seed sources, order): `ggzy experts verify-draw --record`
        out.append(
            Item(
                f"experts/draw-{k:02d}.json",
                "draw",
                _event(session, ("expert_draw", draw.id), expert_verbs.DRAW_COMPLETE)
                or _event(session, ("expert_draw", draw.id)),
                _json(expert_verify.public_record(session, draw.id)),
            )
        )
    e = evaluation.of_section(session, section.id)
    if e is not None:
        for m in evaluation.members(session, e.id):
            if m.sheet:
                out.append(
                    Item(
                        f"evaluation/sheet-{m.seat:02d}.json",
                        "sheet",
                        _event(session, ("evaluation", e.id), evaluation_verbs.SHEET_SUBMITTED, m.user_id),
                        _bytes(m.sheet.encode()),
                    )
                )
        if e.report_path:
            out.append(
                Item(
                    "evaluation/评标报告.pdf",
                    "report",
                    _event(session, ("evaluation", e.id), evaluation_verbs.REPORT_SIGNED),
                    _file(files, e.report_path),
                )
            )
    a = queries.award_of(session, section.id, section.round)
    if a is not None:
        for o in queries.objections(session, a):
            out.append(
                Item(
                    f"award/objection-{o.number}.json",
                    "objection",
                    _event(session, ("case", o.id), case_verbs.OBJECTION_ANSWERED)
                    or _event(session, ("case", o.id))
                    # filed before migration 0017 made them cases (the case keeps the objection's id)
                    or _event(session, ("objection", o.id), award_verbs.OBJECTION_ANSWERED)
                    or _event(session, ("objection", o.id)),
                    _json(
                        {
                            "number": o.number,
                            "bidder": entities.get_org(session, o.complainant_org_id).name,
                            "text": o.claims,
                            "filed_at": _iso(o.filed_at),
                            "answer": o.answer or None,
                            "answered_at": _iso(o.answered_at),
                            "late": o.answered_late,
                        }
                    ),
                )
            )
        if a.notice_path:
            out.append(
                Item(
                    "award/中标通知书.pdf",
                    "award",
                    _event(session, ("award", a.id), award_verbs.AWARDED),
                    _file(files, a.notice_path),
                )
            )
        c = queries.contract_of(session, a.id)
        if c is not None and c.signed_at is not None:
            out.append(
                Item(
                    "award/合同.pdf",
                    "contract",
                    _event(session, ("contract", c.id), contracts.CONTRACT_SIGNED),
                    _file(files, c.path),
                )
            )
    return out


def _bid_file(files: FileStore, env: KeyEnv, bid: Any, index: int) -> Callable[[], Iterator[bytes]]:
    def read() -> Iterator[bytes]:
        for i, (_, data) in enumerate(
            opening.open_archived(
                files,
                env,
                archive_path=bid.archive_path,
                section_id=bid.section_id,
                bidder_id=bid.bidder_org_id,
                version=bid.version,
            )
        ):
            if i == index:
                yield data
                return

    return read


def _digest(item: Item) -> tuple[str, int]:
    h, size = hashlib.sha256(), 0
    for chunk in item.read():
        h.update(chunk)
        size += len(chunk)
    return h.hexdigest(), size


def retention_of(project: Project) -> tuple[int, str]:
    terms = rules.terms(procedure(project.method).regime)
    return terms.retention_years, str(terms.retention_citation)


def seal(session: Session, actor: Actor, *, section_id: str, clock: Clock, files: FileStore, env: KeyEnv) -> Dossier:
    """封存档案 — once the trade has ended: the manifest's SHA-256 into the log, retention recorded, the section
    archived (a signed contract) — idempotent: a sealed dossier is returned as it is."""
    section = projects.get_section(session, section_id)
    project = projects.get_project(session, section.project_id)
    existing = queries.dossier_of(session, section.id)
    if existing is not None:
        return existing
    status = SectionStatus(section.status)
    if status not in ENDED:
        raise RuleViolation(
            f"标段当前状态为「{status.label}」，交易结束（合同签订或终止）后才能封存档案", code="trade-running"
        )
    now = clock.now()
    years, basis = retention_of(project)
    try:
        until = now.replace(year=now.year + years)
    except ValueError:  # 29 February
        until = now.replace(year=now.year + years, day=28)
    listed = []
    total = 0
    for it in items(session, section, project, files=files, env=env):
        digest, size = _digest(it)
        total += size
        listed.append({"path": it.path, "kind": it.kind, "sha256": digest, "size": size, "event": it.event})
    manifest = {
        "format": FORMAT,
        "project": {"code": project.code, "name": project.name},
        "section": {"code": section.code, "name": section.name, "round": section.round},
        "sealed_at": now.isoformat(),
        "retention": {"years": years, "until": until.date().isoformat(), "basis": basis},
        "files": listed,
    }
    body = canonical.dumpb(manifest)
    stored = files.save(f"archive/{section.id}", [body], max_bytes=1 << 30)
    dossier = Dossier(
        id=new_id(),
        section_id=section.id,
        project_id=project.id,
        sealed_at=now,
        sealed_by=actor.user_id,
        manifest_path=stored.path,
        manifest_sha256=stored.sha256,
        files=len(listed),
        size=total,
        retention_years=years,
        retain_until=until,
        retention_basis=basis,
    )
    session.add(dossier)
    session.flush()
    ev = events.record(
        session,
        actor,
        DOSSIER_SEALED,
        clock=clock,
        subject=("dossier", dossier.id),
        scope=section.id,
        payload={
            "section": section.code,
            "manifest_sha256": stored.sha256,
            "files": len(listed),
            "retain_until": until,
        },
    )
    dossier.event_seq = ev.seq
    if status is SectionStatus.CONTRACTED:
        project_verbs.mark_archived(session, actor, section_id=section.id)
    return dossier


def ensure_readable(session: Session, actor: Actor, dossier: Dossier) -> None:
    """Auditors, inspectors and supervision open any dossier; a tenderer or agency only its own trades'."""
    project = projects.get_project(session, dossier.project_id)
    policy.ensure(actor, policy.ARCHIVE_READ, projects.subject_of(project))


def get_dossier(session: Session, actor: Actor, section_id: str) -> Dossier:
    d = queries.dossier_of(session, section_id)
    if d is None:
        raise NotFound("该标段尚未封存档案", code="no-dossier")
    ensure_readable(session, actor, d)
    return d


def manifest_of(files: FileStore, dossier: Dossier) -> dict[str, Any]:
    data = b"".join(files.read(dossier.manifest_path))
    result: dict[str, Any] = json.loads(data)
    return result


# --- export ---------------------------------------------------------------------------------------------------


def export(
    session: Session,
    *,
    project_code: str,
    out: Path,
    files: FileStore,
    env: KeyEnv,
    keys: Keys,
    origin: str,
    clock: Clock,
) -> list[Dossier]:
    """`ggzy archive export`: every sealed dossier of the project, its files rebuilt and checked against the
    manifest, the events' entries with their inclusion proofs at one signed checkpoint (signed now if needed)."""
    project = projects.find_project(session, project_code)
    if project is None:
        raise NotFound(f"没有编号为 {project_code} 的项目", code="no-such-project")
    sections = projects.sections_of(session, project.id)
    unsealed = [s for s in sections if queries.dossier_of(session, s.id) is None]
    running = [s for s in unsealed if s.status != SectionStatus.TERMINATED.value]
    if unsealed and not running:
        names = "、".join(s.name for s in unsealed)
        raise RuleViolation(f"已终止标段的档案尚未封存（定时任务随后封存），请稍后再导出：{names}", code="not-sealed")
    if running:
        names = "、".join(f"{s.name}（{SectionStatus(s.status).label}）" for s in running)
        raise RuleViolation(f"交易尚未结束，不能导出档案：{names}", code="trade-running")
    dossiers = [d for s in sections if (d := queries.dossier_of(session, s.id)) is not None]
    if not dossiers:
        raise RuleViolation("该项目没有已封存的档案", code="no-dossier")
    wanted: set[int] = set()
    plan: list[tuple[Section, Dossier, bytes, list[Item]]] = []
    for d in dossiers:
        section = projects.get_section(session, d.section_id)
        body = b"".join(files.read(d.manifest_path))
        if hashlib.sha256(body).hexdigest() != d.manifest_sha256:
            raise RuleViolation(f"标段 {section.code} 的档案清单已被改动，不能导出", code="manifest-changed")
        listed = {f["path"]: f for f in json.loads(body)["files"]}
        its = items(session, section, project, files=files, env=env)
        plan.append((section, d, body, its))
        wanted |= {f["event"] for f in listed.values() if f["event"] is not None}
        if d.event_seq is not None:
            wanted.add(d.event_seq)
    sth = transparency.latest_checkpoint(session)
    if sth is None or sth.size <= max(wanted):
        sth = transparency.sign_checkpoint(session, keys=keys, origin=origin, clock=clock) or sth
    assert sth is not None and sth.size > max(wanted)
    proofs: dict[str, Any] = {}
    for row in session.execute(select(Event).where(Event.seq.in_(sorted(wanted)))).scalars():
        proofs[str(row.seq)] = {
            "entry": base64.b64encode(events.entry_of(row)).decode(),
            "payload": row.payload,
            "proof": [base64.b64encode(h).decode() for h in transparency.inclusion_proof(session, row.seq, sth.size)],
        }
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as z:
        for section, _d, body, its in plan:
            listed = {f["path"]: f for f in json.loads(body)["files"]}
            if set(listed) != {it.path for it in its}:
                raise RuleViolation(f"标段 {section.code} 的档案内容与封存时不一致，不能导出", code="dossier-changed")
            z.writestr(f"{section.code}/manifest.json", body)
            for it in its:
                h = hashlib.sha256()
                with z.open(f"{section.code}/files/{it.path}", "w", force_zip64=True) as w:
                    for chunk in it.read():
                        h.update(chunk)
                        w.write(chunk)
                if h.hexdigest() != listed[it.path]["sha256"]:
                    raise RuleViolation(
                        f"档案文件 {section.code}/{it.path} 与封存时的摘要不符，不能导出", code="dossier-changed"
                    )
        z.writestr("log/checkpoint.txt", sth.note)
        z.writestr("log/verifier.txt", transparency.verifier_key(keys, origin) + "\n")
        z.writestr(
            "log/proofs.json",
            canonical.dumpb(
                {"size": sth.size, "events": proofs, "dossiers": {s.code: d.event_seq for s, d, _, _ in plan}}
            ),
        )
    return dossiers
