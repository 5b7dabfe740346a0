"""开标密钥 — key holders' public keys, and each section's key set: every bid's content key is shared 2-of-3
among the holders by the bidder's own client, each share sealed to a holder's public key.

Holders are the trading centre (operators), the supervision office (supervisors) and the tenderer. Each
holder makes their key pair on their own side (a non-extractable key in the browser, or a key file with
`ggzy keyholder init`) and registers only the public half here. The platform never holds a private key
that opens a bid; see docs/sealed-bids.md.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ggzy.bidding.models import HolderKey, OpeningRecipient
from ggzy.core import events, policy
from ggzy.core.actor import Actor
from ggzy.core.clock import Clock
from ggzy.core.crypto import FieldCipher
from ggzy.core.errors import Invalid, RuleViolation
from ggzy.core.roles import Role
from ggzy.entities.models import RoleGrant, User
from ggzy.sealing import p256
from ggzy.sealing.header import MAX_BLOCKS

if TYPE_CHECKING:
    from ggzy.projects.models import Project, Section

KEY_PREPARED = events.event_type("bidding.opening_key_prepared", "公布开标密钥持有人公钥", public=True)
HOLDER_KEY_REGISTERED = events.event_type("bidding.holder_key_registered", "登记开标密钥公钥")
THRESHOLD = 2
HOLDERS: tuple[tuple[str, str, Role], ...] = (
    ("centre", "交易中心", Role.OPERATOR),
    ("supervision", "公共资源交易监督管理办公室", Role.SUPERVISOR),
    ("tenderer", "招标人", Role.TENDERER),
)
HOLDER_ROLES = frozenset(r for _, _, r in HOLDERS)
HOLDER_LABELS = {h: label for h, label, _ in HOLDERS}


@dataclass(frozen=True)
class KeyEnv:
    """What the opening needs from the platform: the cipher for handed-in shares at rest, and the archive key
    pair that re-seals opened bids for evaluation. Nothing here opens a bid before the holders act."""

    cipher: FieldCipher
    archive: p256.KeyPair


def holder_public(session: Session, user_id: str) -> bytes | None:
    row = session.get(HolderKey, user_id)
    if row is None:
        return None
    return p256.b64decode(json.loads(row.record)["public"])


def register_holder_key(session: Session, actor: Actor, *, public_key: bytes, clock: Clock) -> bytes:
    """登记开标密钥 — a key holder registers the public half of a key pair made on their own side.

    A new key replaces the old one for sections published from now on; sections already published keep
    the key set they were published with (two other holders still open them if the old key is lost).
    """
    policy.ensure(actor, policy.HOLDER_KEY)
    assert actor.user_id is not None
    try:
        p256.load_public(public_key)
    except ValueError:
        raise Invalid("不是有效的 P-256 公钥（65 字节非压缩点，base64）", code="bad-public-key") from None
    kid = p256.key_id(public_key)
    record = json.dumps({"v": 2, "public": p256.b64encode(public_key)}, sort_keys=True, separators=(",", ":"))
    row = session.get(HolderKey, actor.user_id)
    if row is None:
        session.add(HolderKey(user_id=actor.user_id, record=record, created_at=clock.now()))
    else:
        row.record, row.created_at = record, clock.now()
    session.flush()
    events.record(
        session,
        actor,
        HOLDER_KEY_REGISTERED,
        clock=clock,
        subject=("user", actor.user_id),
        payload={"key_id": kid.hex()},
    )
    return kid


def _eligible(session: Session, role: Role, org_id: str | None) -> list[tuple[str, bytes]]:
    stmt = (
        select(User.id, HolderKey.record)
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .join(HolderKey, HolderKey.user_id == User.id)
        .where(RoleGrant.role == role.value, User.is_active.is_(True))
        .distinct()
        .order_by(User.id)
    )
    if org_id is not None:
        stmt = stmt.where(User.org_id == org_id)
    return [(uid, p256.b64decode(json.loads(rec)["public"])) for uid, rec in session.execute(stmt)]


def prepare(session: Session, actor: Actor, *, section: Section, project: Project, clock: Clock, env: KeyEnv) -> None:
    """At publication: fix the section's key set (the holders' registered public keys) and publish it.

    No secret is made here: each bidder's client makes its bid's content key and shares it to this set.
    """
    groups = []
    for index, (holder, label, role) in enumerate(HOLDERS, start=1):
        users = _eligible(session, role, project.tenderer_org_id if holder == "tenderer" else None)
        if not users:
            raise RuleViolation(
                f"{label}还没有人登记开标密钥（须至少一人在本人一方生成密钥并登记公钥）", code="no-key-holder"
            )
        groups.append((index, holder, users))
    if sum(len(users) for _, _, users in groups) > MAX_BLOCKS:
        raise RuleViolation(f"开标密钥持有人超过 {MAX_BLOCKS} 人", code="too-many-key-holders")
    session.execute(
        delete(OpeningRecipient).where(
            OpeningRecipient.section_id == section.id, OpeningRecipient.round == section.round
        )
    )
    published = []
    for index, holder, users in groups:
        for user_id, public in users:
            kid = p256.key_id(public).hex()
            session.add(
                OpeningRecipient(
                    section_id=section.id,
                    round=section.round,
                    user_id=user_id,
                    share_index=index,
                    holder=holder,
                    public_key=public,
                    key_id=kid,
                )
            )
            published.append({"index": index, "holder": holder, "key_id": kid, "public_key": p256.b64encode(public)})
    session.flush()
    events.record(
        session,
        actor,
        KEY_PREPARED,
        clock=clock,
        subject=("section", section.id),
        scope=section.id,
        payload={"round": section.round, "threshold": THRESHOLD, "recipients": published},
    )


def recipients(session: Session, section_id: str, round_: int) -> list[OpeningRecipient]:
    """The section's key set, by share index then user."""
    stmt = (
        select(OpeningRecipient)
        .where(OpeningRecipient.section_id == section_id, OpeningRecipient.round == round_)
        .order_by(OpeningRecipient.share_index, OpeningRecipient.user_id)
    )
    return list(session.execute(stmt).scalars())


def recipient_of(session: Session, section_id: str, round_: int, user_id: str) -> OpeningRecipient | None:
    return session.get(OpeningRecipient, (section_id, round_, user_id))
