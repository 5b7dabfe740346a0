"""开标密钥 — each section's opening key, split 2-of-3 among the key holders and never stored whole.

Holders are the trading centre (operators), the supervision office (supervisors) and the tenderer.
Each share is sealed to every eligible user of its holder body with that user's key pair, whose
private half the platform keeps only wrapped under the user's own password (sealing/keystore.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ggzy import sealing
from ggzy.bidding.models import HolderKey, SealedShare
from ggzy.core import events
from ggzy.core.actor import Actor
from ggzy.core.clock import Clock
from ggzy.core.crypto import FieldCipher
from ggzy.core.errors import RuleViolation
from ggzy.core.roles import Role
from ggzy.entities.models import RoleGrant, User
from ggzy.sealing import keystore, p256, shamir

if TYPE_CHECKING:
    from ggzy.projects.models import Project, Section

KEY_PREPARED = events.event_type("bidding.opening_key_prepared", "生成开标密钥并分发分片", public=True)
THRESHOLD = 2
HOLDERS: tuple[tuple[str, str, Role], ...] = (
    ("centre", "交易中心", Role.OPERATOR),
    ("supervision", "公共资源交易监督管理办公室", Role.SUPERVISOR),
    ("tenderer", "招标人", Role.TENDERER),
)
HOLDER_ROLES = frozenset(r for _, _, r in HOLDERS)


@dataclass(frozen=True)
class KeyEnv:
    """What the opening needs from the platform: the cipher for shares at rest, the keystore cost,
    the archive key pair that re-seals opened bids for evaluation."""

    cipher: FieldCipher
    scrypt: keystore.ScryptParams
    archive: p256.KeyPair


def holder_key(session: Session, user_id: str) -> keystore.WrappedKey | None:
    row = session.get(HolderKey, user_id)
    return keystore.WrappedKey.from_json(row.record) if row else None


def ensure_holder_key(
    session: Session, *, user: User, roles: list[Role], password: str, env: KeyEnv, now: datetime
) -> bool:
    """Give a key holder a key pair the first time their password is at hand (sign-in, account creation)."""
    if not HOLDER_ROLES & set(roles) or session.get(HolderKey, user.id) is not None:
        return False
    wrapped = keystore.create(password, user.id, env.scrypt)
    session.add(HolderKey(user_id=user.id, record=wrapped.to_json(), created_at=now))
    session.flush()
    return True


def rewrap_holder_key(session: Session, *, user_id: str, old: str, new: str) -> None:
    row = session.get(HolderKey, user_id)
    if row is not None:
        row.record = keystore.rewrap(keystore.WrappedKey.from_json(row.record), old, new, user_id).to_json()


def forget_holder_key(session: Session, *, user_id: str) -> None:
    """After an administrator resets the password the old key is unusable: a new one comes at next sign-in."""
    session.execute(delete(HolderKey).where(HolderKey.user_id == user_id))


def _eligible(session: Session, role: Role, org_id: str | None) -> list[tuple[str, keystore.WrappedKey]]:
    stmt = (
        select(User.id, HolderKey.record)
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .join(HolderKey, HolderKey.user_id == User.id)
        .where(RoleGrant.role == role.value, User.is_active.is_(True))
        .distinct()
    )
    if org_id is not None:
        stmt = stmt.where(User.org_id == org_id)
    return [(uid, keystore.WrappedKey.from_json(rec)) for uid, rec in session.execute(stmt)]


def prepare(session: Session, actor: Actor, *, section: Section, project: Project, clock: Clock, env: KeyEnv) -> None:
    """At publication: a fresh key pair, split among the holders; only the public key and commitments stay."""
    groups = []
    for holder, label, role in HOLDERS:
        users = _eligible(session, role, project.tenderer_org_id if holder == "tenderer" else None)
        if not users:
            raise RuleViolation(
                f"{label}没有可以接收开标密钥分片的人员（须至少有一人登录过平台）", code="no-key-holder"
            )
        groups.append((holder, users))
    key = sealing.generate_opening_key()
    with key.private:
        shares = shamir.split(key.private, public=key.public, threshold=THRESHOLD, count=len(HOLDERS))
    commitments = shamir.commitments(shares, section.id)
    session.execute(delete(SealedShare).where(SealedShare.section_id == section.id, SealedShare.round == section.round))
    for share, (holder, users) in zip(shares, groups, strict=True):
        with share:
            for user_id, wrapped in users:
                session.add(
                    SealedShare(
                        section_id=section.id,
                        round=section.round,
                        user_id=user_id,
                        share_index=share.index,
                        holder=holder,
                        commitment=commitments[share.index].hex(),
                        blob=keystore.seal_share(share, wrapped.public, section_id=section.id, holder_id=user_id),
                    )
                )
    session.flush()
    section.opening_public_key = key.public
    section.opening_key_id = p256.key_id(key.public).hex()
    events.record(
        session,
        actor,
        KEY_PREPARED,
        clock=clock,
        subject=("section", section.id),
        scope=section.id,
        payload={
            "round": section.round,
            "key_id": section.opening_key_id,
            "public_key": p256.b64encode(key.public),
            "threshold": THRESHOLD,
            "holders": {str(i + 1): h for i, (h, _, _) in enumerate(HOLDERS)},
            "commitments": {str(i): c.hex() for i, c in commitments.items()},
        },
    )
