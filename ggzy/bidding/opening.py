"""开标 — key holders hand in their shares; at the threshold the key is rebuilt in memory, every bid
is checked against its receipt and decrypted, the opening record is published, and the key is wiped.

A bid that cannot be decrypted is recorded with the reason and whose fault it is (电子办法 art. 31:
the bidder's — 视为撤销 — when the stored ciphertext is exactly what was receipted; the platform's
— 视为撤回 — when it is not), and the opening of the others continues.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ggzy import sealing
from ggzy.bidding import queries
from ggzy.bidding.keys import KeyEnv, holder_key
from ggzy.bidding.models import Bid, SealedShare, SubmittedShare
from ggzy.bidding.states import BidStatus
from ggzy.core import events, policy
from ggzy.core.actor import Actor
from ggzy.core.clock import SHANGHAI, Clock
from ggzy.core.errors import Conflict, Forbidden, RuleViolation
from ggzy.core.files import FileStore
from ggzy.entities import queries as entities
from ggzy.notices import service as notices
from ggzy.notices.states import NoticeKind
from ggzy.projects import queries as projects
from ggzy.projects.states import SECTION_LIFECYCLE, SectionStatus
from ggzy.sealing import keystore, p256, shamir
from ggzy.sealing.header import SealContext
from ggzy.sealing.sensitive import Sensitive

if TYPE_CHECKING:
    from ggzy.projects.models import Project, Section

SHARE_SUBMITTED = events.event_type("bidding.share_submitted", "提交开标密钥分片")
BID_OPENED = events.event_type("bidding.bid_opened", "投标文件解密", public=True)
BID_DECRYPT_FAILED = events.event_type("bidding.bid_decrypt_failed", "投标文件解密失败", public=True)
SECTION_OPENED = events.event_type("bidding.section_opened", "开标完成，公布开标记录", public=True)
Progress = Callable[[dict[str, Any]], None]


@dataclass
class ShareState:
    threshold: int
    submitted: list[str]  # holder bodies that have handed in their share
    opened: bool


def _sealed_share_for(session: Session, section: Section, user_id: str) -> SealedShare:
    row = session.get(SealedShare, (section.id, section.round, user_id))
    if row is None:
        raise Forbidden("您不是本标段开标密钥的持有人", code="not-a-holder")
    return row


def state(session: Session, section: Section) -> ShareState:
    rows = session.execute(
        select(SubmittedShare.share_index).where(
            SubmittedShare.section_id == section.id, SubmittedShare.round == section.round
        )
    ).scalars()
    indices = set(rows)
    holders = {
        s.share_index: s.holder
        for s in session.execute(
            select(SealedShare).where(SealedShare.section_id == section.id, SealedShare.round == section.round)
        ).scalars()
    }
    return ShareState(2, sorted(holders.get(i, str(i)) for i in indices), section.status == SectionStatus.OPENED.value)


def _aad(section: Section, index: int) -> str:
    return f"share:{section.id}:{section.round}:{index}"


def submit_share(
    session: Session,
    actor: Actor,
    *,
    section_id: str,
    password: str,
    clock: Clock,
    env: KeyEnv,
    files: FileStore,
    progress: Progress | None = None,
) -> ShareState:
    """交出分片 — the holder's password opens their key in memory, which opens their sealed share."""
    section = projects.get_section(session, section_id)
    project = projects.get_project(session, section.project_id)
    policy.ensure(actor, policy.OPENING_SHARE, projects.subject_of(project))
    if SectionStatus(section.status) is not SectionStatus.CLOSED:
        raise RuleViolation(
            f"标段当前状态为「{SectionStatus(section.status).label}」，投标截止并满足开标条件后才能提交分片",
            code="not-closed",
        )
    assert actor.user_id is not None
    row = _sealed_share_for(session, section, actor.user_id)
    if session.get(SubmittedShare, (section.id, section.round, row.share_index)) is not None:
        raise Conflict("本单位的密钥分片已经提交过", code="share-already-submitted")
    wrapped = holder_key(session, actor.user_id)
    if wrapped is None:
        raise Forbidden("您没有开标密钥", code="no-holder-key")
    with keystore.unwrap(wrapped, password, actor.user_id) as private:
        share = keystore.open_share(row.blob, private, section_id=section.id, holder_id=actor.user_id)
    with share:
        share_obj = shamir.Share(share.buffer)
        shamir.check_shares([share_obj], section.id, {row.share_index: bytes.fromhex(row.commitment)})
        sealed = env.cipher.seal(p256.b64encode(bytes(share_obj.buffer)), aad=_aad(section, row.share_index))
        share_obj.wipe()
    session.add(
        SubmittedShare(
            section_id=section.id,
            round=section.round,
            share_index=row.share_index,
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
        payload={"holder": row.holder, "index": row.share_index},
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


def _rebuild_key(session: Session, section: Section, env: KeyEnv) -> Sensitive:
    rows = session.execute(
        select(SubmittedShare).where(SubmittedShare.section_id == section.id, SubmittedShare.round == section.round)
    ).scalars()
    shares = [
        shamir.Share.decode(p256.b64decode(env.cipher.open(r.sealed, aad=_aad(section, r.share_index)))) for r in rows
    ]
    assert section.opening_public_key is not None
    try:
        return shamir.combine(shares, public=section.opening_public_key)
    finally:
        for s in shares:
            s.wipe()


@dataclass
class Row:
    bidder: str
    price: Decimal | None
    duration_days: int | None
    status: str
    note: str = ""


def _decimal(v: Any) -> Decimal | None:
    try:
        d = Decimal(str(v))
    except (InvalidOperation, TypeError):
        return None
    return d.quantize(Decimal("0.01")) if d.is_finite() and d >= 0 else None


def _open_one(bid: Bid, private: Sensitive, files: FileStore, env: KeyEnv, staging: Path) -> Row:
    bidder = bid.bidder_org_id
    path = files.path(bid.envelope_path)
    if not path.exists():
        return _failed(bid, "投标文件存储缺失，属平台原因，视为撤回（《电子招标投标办法》第31条）")
    context = SealContext(section_id=bid.section_id, bidder_id=bidder, version=bid.version)
    with open(path, "rb") as f:
        if sealing.envelope_digest(f).hex() != bid.envelope_digest:
            return _failed(bid, "存储的投标文件与回执不符，属平台原因，视为撤回（《电子招标投标办法》第31条）")
    try:
        with open(path, "rb") as f:
            opened = sealing.open_envelope(private, f, context, expected_digest=bytes.fromhex(bid.envelope_digest))
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
        _reseal(env, context, form, opened.supervision, written),
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
    form: dict[str, Any],
    supervision: dict[str, Any],
    written: list[tuple[str, Path]],
) -> Any:
    """Re-seal the opened bid to the platform's archive key, for evaluation (never stored in the clear)."""
    import io

    buf = io.BytesIO()
    sealing.seal(
        env.archive.public,
        context,
        form,
        [sealing.BidFile(name, p) for name, p in written],
        buf,
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
    """开标 — decrypt every current bid, publish the opening record, wipe the key and the shares."""
    section.status = SECTION_LIFECYCLE.move(SectionStatus(section.status), "open", actor).value
    bids = queries.sealed_bids(session, section.id, section.round)
    rows: list[Row] = []
    private = _rebuild_key(session, section, env)
    staging = Path(tempfile.mkdtemp(prefix="ggzy-opening-"))
    try:
        for i, bid in enumerate(bids, start=1):
            row = _open_one(bid, private, files, env, staging)
            row.bidder = entities.get_org(session, bid.bidder_org_id).name
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
        private.wipe()
        shutil.rmtree(staging, ignore_errors=True)
    session.execute(
        delete(SubmittedShare).where(SubmittedShare.section_id == section.id, SubmittedShare.round == section.round)
    )
    section.opened_at = clock.now()
    section.next_due_at = None
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
        lines.append(
            f"{n}. {r.bidder}　投标报价：{price}　工期/服务期：{days}　{r.status}{('：' + r.note) if r.note else ''}"
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
                {"bidder": r.bidder, "price": r.price, "duration_days": r.duration_days, "status": r.status}
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
        scope=section.id,
    )


def opening_rows(session: Session, section: Section) -> list[Row]:
    """The published opening record of a section (after the opening only)."""
    if SectionStatus(section.status) is not SectionStatus.OPENED:
        return []
    out = []
    for bid in queries.opened_bids(session, section.id, section.round):
        name = entities.get_org(session, bid.bidder_org_id).name
        out.append(Row(name, bid.price, bid.duration_days, BidStatus(bid.status).label, bid.failure))
    return out
