"""开标 — after the deadline, each key holder's client unwraps its shares of every bid on the holder's own
machine and hands them in; once two holder bodies have, each bid's content key is rebuilt in memory, the bid
is checked against its receipt and decrypted, the opening record is published, and the keys are wiped.

The platform holds no key that opens a bid: before two holders act, all of its data and keys together
cannot open one (docs/sealed-bids.md). A bid that cannot be decrypted is recorded with the reason and
whose fault it is (电子办法 art. 31: the bidder's — 视为撤销 — when the stored ciphertext is exactly what
was receipted; the platform's — 视为撤回 — when it is not), and the opening of the others continues.
"""

from __future__ import annotations

import base64
import binascii
import json
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ggzy import sealing
from ggzy.bidding import keys, queries
from ggzy.bidding.keys import HOLDERS, THRESHOLD, KeyEnv
from ggzy.bidding.models import Bid, OpeningObjection, SubmittedShare
from ggzy.bidding.states import BidStatus
from ggzy.core import events, policy
from ggzy.core.actor import Actor
from ggzy.core.clock import SHANGHAI, Clock
from ggzy.core.errors import Conflict, Forbidden, Invalid, RuleViolation
from ggzy.core.files import FileStore
from ggzy.core.ids import new_id
from ggzy.deposits import queries as deposits
from ggzy.entities import queries as entities
from ggzy.notices import service as notices
from ggzy.notices.states import NoticeKind
from ggzy.projects import queries as projects
from ggzy.projects import service as project_verbs
from ggzy.projects.states import SectionStatus
from ggzy.sealing.header import EnvelopeHeader, SealContext

if TYPE_CHECKING:
    from ggzy.projects.models import Project, Section

SHARE_SUBMITTED = events.event_type("bidding.share_submitted", "提交开标密钥分片")
BID_OPENED = events.event_type("bidding.bid_opened", "投标文件解密", public=True)
BID_DECRYPT_FAILED = events.event_type("bidding.bid_decrypt_failed", "投标文件解密失败", public=True)
SECTION_OPENED = events.event_type("bidding.section_opened", "开标完成，公布开标记录", public=True)
Progress = Callable[[dict[str, Any]], None]
HOLDER_BY_INDEX = {i: h for i, (h, _, _) in enumerate(HOLDERS, start=1)}


@dataclass
class ShareState:
    threshold: int
    submitted: list[str]  # holder bodies that have handed in their shares
    opened: bool


@dataclass(frozen=True)
class BidHeader:
    bid_id: str
    header: bytes  # the envelope's public header: the holder's client finds its share block in it


@dataclass(frozen=True)
class HolderWork:
    """What a holder's client needs at the opening: its share index and every current bid's header."""

    section_id: str
    deadline: datetime
    index: int
    holder: str
    bids: list[BidHeader]


def state(session: Session, section: Section) -> ShareState:
    rows = session.execute(
        select(SubmittedShare.share_index).where(
            SubmittedShare.section_id == section.id, SubmittedShare.round == section.round
        )
    ).scalars()
    indices = sorted(set(rows))
    return ShareState(
        THRESHOLD, [HOLDER_BY_INDEX.get(i, str(i)) for i in indices], SectionStatus(section.status).opened
    )


def _aad(section: Section, index: int) -> str:
    return f"shares:{section.id}:{section.round}:{index}"


def _closed_section(
    session: Session, actor: Actor, section_id: str, now: datetime, *, lock: bool = False
) -> tuple[Section, Project]:
    # handing in locks the section: two holders' last shares at two nodes at once open it once, not twice
    section = projects.lock_section(session, section_id) if lock else projects.get_section(session, section_id)
    project = projects.get_project(session, section.project_id)
    policy.ensure(actor, policy.OPENING_SHARE, projects.subject_of(project))
    status = SectionStatus(section.status)
    if status is not SectionStatus.CLOSED or section.bid_deadline is None or now < section.bid_deadline:
        raise RuleViolation(
            f"标段当前状态为「{status.label}」，投标截止并满足开标条件后才能解开和提交分片（《电子招标投标办法》第28条）",
            code="not-closed",
        )
    return section, project


def _header_of(bid: Bid, files: FileStore) -> EnvelopeHeader | None:
    path = files.path(bid.envelope_path)
    if not path.exists():
        return None
    with open(path, "rb") as f:
        try:
            return sealing.read_header(f)
        except sealing.EnvelopeError:
            return None


def holder_work(session: Session, actor: Actor, *, section_id: str, clock: Clock, files: FileStore) -> HolderWork:
    """取分片 — after the deadline only: the headers of every current bid, for the holder's client to unwrap."""
    section, _ = _closed_section(session, actor, section_id, clock.now())
    assert actor.user_id is not None and section.bid_deadline is not None
    mine = keys.recipient_of(session, section.id, section.round, actor.user_id)
    if mine is None:
        raise Forbidden("您不是本标段开标密钥的持有人", code="not-a-holder")
    out = []
    for bid in queries.sealed_bids(session, section.id, section.round):
        header = _header_of(bid, files)
        out.append(BidHeader(bid.id, header.raw if header else b""))
    return HolderWork(section.id, section.bid_deadline, mine.share_index, mine.holder, out)


def _decode_share(bid_id: str, value: str | None) -> bytes | None:
    if value is None:
        return None
    try:
        raw = base64.b64decode(value.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise Invalid(f"投标文件 {bid_id} 的分片不是有效的 base64", code="bad-share") from None
    return raw


def submit_shares(
    session: Session,
    actor: Actor,
    *,
    section_id: str,
    shares: Mapping[str, str | None],
    clock: Clock,
    env: KeyEnv,
    files: FileStore,
    progress: Progress | None = None,
) -> ShareState:
    """交出分片 — one holder body's shares of every current bid (base64; null where its client could not unwrap
    one), each checked against the commitment in the bid's header before anything is stored."""
    section, project = _closed_section(session, actor, section_id, clock.now(), lock=True)
    assert actor.user_id is not None
    mine = keys.recipient_of(session, section.id, section.round, actor.user_id)
    if mine is None:
        raise Forbidden("您不是本标段开标密钥的持有人", code="not-a-holder")
    if session.get(SubmittedShare, (section.id, section.round, mine.share_index)) is not None:
        raise Conflict("本单位的密钥分片已经提交过", code="share-already-submitted")
    bids = queries.sealed_bids(session, section.id, section.round)
    wanted = {b.id for b in bids}
    if set(shares) != wanted:
        raise Invalid("提交的分片与本标段当前的投标文件不一致，请重新获取后再提交", code="share-set-mismatch")
    checked: dict[str, str | None] = {}
    for bid in bids:
        raw = _decode_share(bid.id, shares[bid.id])
        header = _header_of(bid, files)
        if raw is not None and header is not None:
            try:
                sealing.check_share(header, mine.share_index, raw)
            except sealing.BadShare:
                raise Invalid(
                    f"投标文件 {bid.id} 的分片与其承诺值不符，未保存任何分片", code="bad-share", bid=bid.id
                ) from None
        checked[bid.id] = shares[bid.id] if raw is not None and header is not None else None
    sealed = env.cipher.seal(json.dumps(checked, sort_keys=True), aad=_aad(section, mine.share_index))
    session.add(
        SubmittedShare(
            section_id=section.id,
            round=section.round,
            share_index=mine.share_index,
            submitted_by=actor.user_id,
            submitted_at=clock.now(),
            sealed=sealed,
        )
    )
    session.flush()
    events.record(
        session,
        actor,
        SHARE_SUBMITTED,
        clock=clock,
        subject=("section", section.id),
        scope=section.id,
        payload={
            "holder": mine.holder,
            "index": mine.share_index,
            "key_id": mine.key_id,
            "unreadable": sorted(k for k, v in checked.items() if v is None),
        },
    )
    current = state(session, section)
    if progress:
        progress({"type": "share", "holders": current.submitted, "threshold": current.threshold})
    if len(current.submitted) >= current.threshold:
        open_section(
            session, actor, section=section, project=project, clock=clock, env=env, files=files, progress=progress
        )
        current.opened = True
    return current


def _handed_in(session: Session, section: Section, env: KeyEnv) -> dict[int, dict[str, str | None]]:
    rows = session.execute(
        select(SubmittedShare).where(SubmittedShare.section_id == section.id, SubmittedShare.round == section.round)
    ).scalars()
    return {r.share_index: json.loads(env.cipher.open(r.sealed, aad=_aad(section, r.share_index))) for r in rows}


@dataclass
class Row:
    bidder: str
    price: Decimal | None
    duration_days: int | None
    status: str
    note: str = ""
    security: str = ""  # 投标保证金: what the deposits domain found at the deadline (条例 art. 26; 87号令 art. 63)


def _security(session: Session, section: Section) -> dict[str, str]:
    """Each bidder's security as it stood at the deadline, by organisation ('' when none was required)."""
    return {line.org_id: line.status for line in deposits.opening_lines(session, section.id, at_opening=True)}


def _decimal(v: Any) -> Decimal | None:
    try:
        d = Decimal(str(v))
    except (InvalidOperation, TypeError):
        return None
    return d.quantize(Decimal("0.01")) if d.is_finite() and d >= 0 else None


def _open_one(bid: Bid, handed: dict[int, dict[str, str | None]], files: FileStore, env: KeyEnv, staging: Path) -> Row:
    bidder = bid.bidder_org_id
    path = files.path(bid.envelope_path)
    if not path.exists():
        return _failed(bid, "投标文件存储缺失，属平台原因，视为撤回（《电子招标投标办法》第31条）")
    context = SealContext(section_id=bid.section_id, bidder_id=bidder, version=bid.version)
    with open(path, "rb") as f:
        if sealing.envelope_digest(f).hex() != bid.envelope_digest:
            return _failed(bid, "存储的投标文件与回执不符，属平台原因，视为撤回（《电子招标投标办法》第31条）")
    header = _header_of(bid, files)
    if header is None:
        return _failed(bid, "投标文件格式不正确，属投标人原因，视为撤销（《电子招标投标办法》第31条）")
    shares = {i: base64.b64decode(v[bid.id] or "") for i, v in handed.items() if v.get(bid.id)}
    try:
        key = sealing.recover_key(header, shares)
    except sealing.EnvelopeError as exc:
        return _failed(
            bid,
            f"密钥持有人无法用投标人生成的分片恢复内容密钥，属投标人原因，视为撤销（《电子招标投标办法》第31条）：{exc.message}",
        )
    try:
        with key, open(path, "rb") as f:
            opened = sealing.open_envelope(key, f, context, expected_digest=bytes.fromhex(bid.envelope_digest))
            written: list[tuple[str, Path]] = []
            for entry, chunks in opened.files():
                target = staging / f"{len(written):04d}"
                with open(target, "wb") as out:
                    for c in chunks:
                        out.write(c)
                written.append((entry.name, target))
    except sealing.EnvelopeError as exc:
        if exc.details.get("reason") == "receipt-digest":
            return _failed(
                bid, f"存储的投标文件与回执不符，属平台原因，视为撤回（《电子招标投标办法》第31条）：{exc.message}"
            )
        return _failed(bid, f"投标文件无法解密，属投标人原因，视为撤销（《电子招标投标办法》第31条）：{exc.message}")
    form = opened.form
    archive = files.save(
        f"opened/{bid.section_id}",
        _reseal(env, context, header.deadline, form, opened.supervision, written),
        max_bytes=1 << 40,
    )
    bid.archive_path = archive.path
    bid.price = _decimal(form.get("price"))
    bid.duration_days = int(form["duration_days"]) if str(form.get("duration_days", "")).isdigit() else None
    bid.manifest = json.dumps(
        {
            "form": form,
            "files": [{"name": e.name, "size": e.size, "sha256": e.sha256} for e in opened.entries],
            "supervision": opened.supervision,
        },
        ensure_ascii=False,
        sort_keys=True,
    )
    bid.status = BidStatus.OPENED.value
    return Row(bidder, bid.price, bid.duration_days, BidStatus.OPENED.label)


def _reseal(
    env: KeyEnv,
    context: SealContext,
    deadline: int,
    form: dict[str, Any],
    supervision: dict[str, Any],
    written: list[tuple[str, Path]],
) -> Iterator[bytes]:
    """Re-seal the opened bid to the platform's archive key (1 of 1), for evaluation; never stored in the clear."""
    import io

    buf = io.BytesIO()
    sealing.seal(
        [sealing.Recipient(1, env.archive.public)],
        context,
        form,
        [sealing.BidFile(name, p) for name, p in written],
        buf,
        threshold=1,
        deadline=deadline,
        supervision=supervision,
    )
    buf.seek(0)
    while chunk := buf.read(1 << 20):
        yield chunk


def _failed(bid: Bid, reason: str) -> Row:
    bid.status = BidStatus.FAILED.value
    bid.failure = reason[:300]
    return Row(bid.bidder_org_id, None, None, BidStatus.FAILED.label, reason)


def open_section(
    session: Session,
    actor: Actor,
    *,
    section: Section,
    project: Project,
    clock: Clock,
    env: KeyEnv,
    files: FileStore,
    progress: Progress | None = None,
) -> list[Row]:
    """开标 — rebuild each current bid's key from the handed-in shares, decrypt it, publish the opening record."""
    project_verbs.mark_opened(session, actor, section_id=section.id, clock=clock)
    bids = queries.sealed_bids(session, section.id, section.round)
    rows: list[Row] = []
    handed = _handed_in(session, section, env)
    staging = Path(tempfile.mkdtemp(prefix="ggzy-opening-"))
    security = _security(session, section)
    required = deposits.requirement_of(session, section.id) is not None
    try:
        for i, bid in enumerate(bids, start=1):
            row = _open_one(bid, handed, files, env, staging)
            row.bidder = entities.get_org(session, bid.bidder_org_id).name
            row.security = security.get(bid.bidder_org_id, deposits.MISSING if required else "")
            bid.opened_at = clock.now()
            rows.append(row)
            events.record(
                session,
                actor,
                BID_OPENED if bid.status == BidStatus.OPENED.value else BID_DECRYPT_FAILED,
                clock=clock,
                subject=("bid", bid.id),
                scope=section.id,
                payload={
                    "bidder": row.bidder,
                    "price": row.price,
                    "duration_days": row.duration_days,
                    "status": bid.status,
                    "reason": bid.failure,
                },
            )
            for f in staging.iterdir():
                f.unlink()
            if progress:
                progress({"type": "bid", "done": i, "total": len(bids)})
    finally:
        handed.clear()
        shutil.rmtree(staging, ignore_errors=True)
    session.execute(
        delete(SubmittedShare).where(SubmittedShare.section_id == section.id, SubmittedShare.round == section.round)
    )
    _publish_record(session, actor, section, project, rows, clock)
    return rows


def _publish_record(
    session: Session, actor: Actor, section: Section, project: Project, rows: list[Row], clock: Clock
) -> None:
    lines = [
        f"{project.name}（标段：{section.name}，编号 {section.code}）于"
        f"{clock.now().astimezone(SHANGHAI):%Y年%m月%d日 %H:%M}在线开标，开标记录如下：",
        "",
    ]
    for n, r in enumerate(rows, start=1):
        price = f"¥{r.price:,.2f}" if r.price is not None else "—"
        days = f"{r.duration_days}日" if r.duration_days is not None else "—"
        security = f"　投标保证金：{r.security}" if r.security else ""
        lines.append(
            f"{n}. {r.bidder}　投标报价：{price}　工期/服务期：{days}{security}　"
            f"{r.status}{('：' + r.note) if r.note else ''}"
        )
    body = "\n".join(lines)
    events.record(
        session,
        actor,
        SECTION_OPENED,
        clock=clock,
        subject=("section", section.id),
        scope=section.id,
        payload={
            "rows": [
                {
                    "bidder": r.bidder,
                    "price": r.price,
                    "duration_days": r.duration_days,
                    "status": r.status,
                    "security": r.security,
                }
                for r in rows
            ]
        },
    )
    notices.publish(
        session,
        actor,
        kind=NoticeKind.OPENING,
        title=f"{project.name}（{section.name}）开标记录",
        body=body,
        buyer=entities.get_org(session, project.tenderer_org_id).name,
        region=project.region,
        category=project.category,
        method=project.method,
        clock=clock,
        project_id=project.id,
        section_id=section.id,
        codes=(project.code, section.code, project.approval_code),
        scope=section.id,
    )


def open_archived(
    files: FileStore, env: KeyEnv, *, archive_path: str, section_id: str, bidder_id: str, version: int
) -> Iterator[tuple[str, bytes]]:
    """Each file of an opened bid, from its archive copy (sealed to the platform's archive key, 1 of 1): the one
    way evaluation and the archive read a bid after the opening."""
    context = SealContext(section_id=section_id, bidder_id=bidder_id, version=version)
    with open(files.path(archive_path), "rb") as f:
        header = sealing.read_header(f)
        f.seek(0)
        index, y = sealing.unwrap_share(header, env.archive.private)
        opened = sealing.open_envelope(sealing.recover_key(header, {index: y}), f, context)
        for entry, chunks in opened.files():
            yield entry.name, b"".join(chunks)


OPENING_OBJECTION = events.event_type("bidding.opening_objection", "记录开标现场异议及答复", public=True)


def record_objection(
    session: Session, actor: Actor, *, section_id: str, org_id: str, text: str, answer: str, clock: Clock
) -> OpeningObjection:
    """开标异议 — a bidder's objection raised at the opening and the answer given on the spot (条例 art. 44),
    recorded by the trading centre after the opening."""
    section = projects.get_section(session, section_id)
    project = projects.get_project(session, section.project_id)
    policy.ensure(actor, policy.OPENING_RUN, projects.subject_of(project))
    if not SectionStatus(section.status).opened:
        raise RuleViolation("开标后才能记录开标现场的异议（《招标投标法实施条例》第44条）", code="not-opened")
    if org_id not in {b.bidder_org_id for b in queries.opened_bids(session, section.id, section.round)}:
        raise Invalid("提出异议的须为本标段的投标人（《招标投标法实施条例》第44条）", code="not-a-bidder")
    text, answer = text.strip(), answer.strip()
    if not 1 <= len(text) <= 5000 or not 1 <= len(answer) <= 5000:
        raise Invalid("异议内容和现场答复均须填写（各不超过5000字）；异议应当场答复（第44条）", code="bad-objection")
    row = OpeningObjection(
        id=new_id(),
        section_id=section.id,
        round=section.round,
        org_id=org_id,
        text=text,
        answer=answer,
        recorded_by=actor.user_id or "",
        recorded_at=clock.now(),
    )
    session.add(row)
    session.flush()
    events.record(
        session,
        actor,
        OPENING_OBJECTION,
        clock=clock,
        subject=("opening_objection", row.id),
        scope=section.id,
        payload={"bidder": entities.get_org(session, org_id).name, "text": text, "answer": answer},
    )
    return row


def opening_objections(session: Session, section: Section) -> list[OpeningObjection]:
    stmt = select(OpeningObjection).where(
        OpeningObjection.section_id == section.id, OpeningObjection.round == section.round
    )
    return list(session.execute(stmt.order_by(OpeningObjection.recorded_at, OpeningObjection.id)).scalars())


def opening_rows(session: Session, section: Section) -> list[Row]:
    """The published opening record of a section (from the opening on, whatever the section's later state)."""
    if section.opened_at is None:
        return []
    security = _security(session, section)
    required = deposits.requirement_of(session, section.id) is not None
    out = []
    for bid in queries.opened_bids(session, section.id, section.round):
        name = entities.get_org(session, bid.bidder_org_id).name
        sec = security.get(bid.bidder_org_id, deposits.MISSING if required else "")
        out.append(Row(name, bid.price, bid.duration_days, BidStatus(bid.status).label, bid.failure, sec))
    return out
