"""投标 — accept a sealed bid (ciphertext only) with a signed receipt; replace or withdraw before the deadline.

The deadline is strict: a bid must be completely received before it (电子办法 art. 27: an upload not
finished by the deadline counts as withdrawn). Only the bidder ever sees its own bids before the
opening; nothing here returns a count or a list to anyone else.
"""

from __future__ import annotations

import base64
from datetime import datetime
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ggzy import sealing
from ggzy.bidding import keys
from ggzy.bidding.documents import ensure_may_take_part
from ggzy.bidding.models import Bid
from ggzy.bidding.states import BidStatus
from ggzy.core import canonical, events, policy
from ggzy.core.actor import Actor
from ggzy.core.clock import Clock
from ggzy.core.errors import Forbidden, Invalid, NotFound, RuleViolation
from ggzy.core.files import FileStore, Stored
from ggzy.core.ids import new_id
from ggzy.credit import enforce as credit
from ggzy.credit.states import Step as CreditStep
from ggzy.deposits import refunds as deposit_refunds
from ggzy.projects import queries as projects
from ggzy.sealing.header import EnvelopeHeader, SealContext

if TYPE_CHECKING:
    from ggzy.projects.models import Section

BID_SEALED = events.event_type("bidding.bid_sealed", "递交密封投标文件")
BID_WITHDRAWN = events.event_type("bidding.bid_withdrawn", "撤回投标")
CONFIDENTIAL_TYPES = frozenset({BID_SEALED, BID_WITHDRAWN})
DEADLINE_RULE = "《电子招标投标办法》第27条：投标人应当在投标截止时间前完成投标文件的传输递交"


def ensure_may_bid(session: Session, actor: Actor, section_id: str, now: datetime) -> Section:
    """Before anything is received: a bidder, the right section, still before the deadline."""
    if actor.org_id is None:
        raise Forbidden("请以投标人身份登录")
    policy.ensure(actor, policy.BID_SUBMIT, policy.Subject("bid", frozenset({actor.org_id})))
    ensure_may_take_part(session, actor, section_id, now, documents=False)
    section = projects.get_section(session, section_id)
    assert section.bid_deadline is not None
    if now >= section.bid_deadline:
        raise RuleViolation(f"投标截止时间已过，不再接收投标文件（{DEADLINE_RULE}）", code="after-deadline")
    credit.ensure_may_take_part(session, actor, org_id=actor.org_id, section_id=section.id, step=CreditStep.BID, at=now)
    return section


def next_version(session: Session, section: Section, org_id: str) -> int:
    stmt = select(func.max(Bid.version)).where(
        Bid.section_id == section.id, Bid.bidder_org_id == org_id, Bid.round == section.round
    )
    return int(session.execute(stmt).scalar() or 0) + 1


def check_envelope(session: Session, actor: Actor, section: Section, header: EnvelopeHeader) -> int:
    """The envelope must name this section, this bidder, the next version and the deadline, and share its key
    2-of-3 to exactly this section's key set (the holders' public keys fixed at publication)."""
    assert actor.org_id is not None and section.bid_deadline is not None
    version = next_version(session, section, actor.org_id)
    key_set = keys.recipients(session, section.id, section.round)
    sealing.check_header(
        header,
        expected_context=SealContext(section_id=section.id, bidder_id=actor.org_id, version=version),
        recipients=[(r.share_index, bytes.fromhex(r.key_id)) for r in key_set],
        threshold=keys.THRESHOLD,
        deadline=int(section.bid_deadline.timestamp()),
    )
    return version


def submit(
    session: Session,
    actor: Actor,
    *,
    section_id: str,
    stored: Stored,
    header: EnvelopeHeader,
    clock: Clock,
    signer: Ed25519PrivateKey,
) -> Bid:
    """递交 — record a received envelope as the bidder's current bid and sign a receipt for it."""
    now = clock.now()
    section = ensure_may_bid(session, actor, section_id, now)
    version = check_envelope(session, actor, section, header)
    assert actor.org_id is not None and actor.user_id is not None
    for old in session.execute(
        select(Bid).where(
            Bid.section_id == section.id,
            Bid.bidder_org_id == actor.org_id,
            Bid.round == section.round,
            Bid.status == BidStatus.SEALED.value,
        )
    ).scalars():
        old.status = BidStatus.SUPERSEDED.value
    bid = Bid(
        id=new_id(),
        section_id=section.id,
        bidder_org_id=actor.org_id,
        submitted_by=actor.user_id,
        round=section.round,
        version=version,
        status=BidStatus.SEALED.value,
        envelope_path=stored.path,
        envelope_size=stored.size,
        envelope_digest=stored.sha256,
        header=header.raw.hex(),
        receipt="",
        submitted_at=now,
        ip=actor.ip,
    )
    session.add(bid)
    session.flush()
    ev = events.record(
        session,
        actor,
        BID_SEALED,
        clock=clock,
        subject=("bid", bid.id),
        scope=section.id,
        payload={"version": version, "size": stored.size, "sha256": stored.sha256, "round": section.round},
        secret_until=events.AT_OPENING,
    )
    body = {
        "v": 1,
        "bid": bid.id,
        "section": section.id,
        "bidder": actor.org_id,
        "version": version,
        "round": section.round,
        "received_at": now,
        "size": stored.size,
        "sha256": stored.sha256,
        "event": ev.id,  # sealed until the opening; then `GET /api/v1/log/sealed/{event}` proves it
    }
    text = canonical.dumps(body)
    bid.receipt = canonical.dumps(
        {"receipt": body, "signature": base64.b64encode(signer.sign(text.encode())).decode(), "alg": "Ed25519"}
    )
    return bid


def withdraw(session: Session, actor: Actor, *, bid_id: str, clock: Clock) -> Bid:
    """撤回 — before the deadline, by the bidder that sealed it; nothing of it is ever decrypted."""
    bid = session.get(Bid, bid_id)
    if bid is None or bid.bidder_org_id != actor.org_id:
        raise NotFound("未找到该投标")  # someone else's bid does not exist, as far as anyone can tell
    section = ensure_may_bid(session, actor, bid.section_id, clock.now())
    if bid.status != BidStatus.SEALED.value or bid.round != section.round:
        raise RuleViolation(f"该投标当前状态为「{BidStatus(bid.status).label}」，不能撤回", code="not-sealed")
    bid.status = BidStatus.WITHDRAWN.value
    bid.withdrawn_at = clock.now()
    events.record(
        session,
        actor,
        BID_WITHDRAWN,
        clock=clock,
        subject=("bid", bid.id),
        scope=bid.section_id,
        payload={"version": bid.version},
        secret_until=events.AT_OPENING,
    )
    others = session.execute(
        select(func.count())
        .select_from(Bid)
        .where(
            Bid.section_id == bid.section_id,
            Bid.bidder_org_id == bid.bidder_org_id,
            Bid.round == bid.round,
            Bid.status == BidStatus.SEALED.value,
        )
    ).scalar_one()
    if not others and actor.org_id is not None:  # its last bid: the security is due back (条例 art. 35)
        deposit_refunds.after_withdrawal(session, section_id=bid.section_id, org_id=actor.org_id, clock=clock)
    return bid


def discard(files: FileStore, stored: Stored) -> None:
    """A refused upload leaves nothing behind."""
    files.delete(stored.path)


def ensure_envelope(files: FileStore, stored: Stored) -> EnvelopeHeader:
    with open(files.path(stored.path), "rb") as f:
        try:
            return sealing.read_header(f)
        except sealing.EnvelopeError as exc:
            raise Invalid(f"投标文件不是有效的密封文件：{exc}", code="not-an-envelope") from exc
