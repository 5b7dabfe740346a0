"""接入与接收 — accredit a platform, suspend or reinstate it, and take in its signed pushes (P5).

A push is refused, and the refusal kept (its reason, never the token or the signature) when: the platform is unknown,
its token is wrong, it is suspended, its timestamp is outside the window (a replay or a broken clock), the signature
over the exact body does not verify, the body is too large, it is not an OCDS release package or fails the checks
(every error with its JSON path, nothing stored), a release belongs to an ocid outside the platform's prefix or owned
by another platform, or a release id already stored comes again with another body (409). The same release again with
the same body is taken as already there: a push can be retried safely. The indicators and the credit check run on the
stored trades in the tick (`screening`), so that taking in is fast and screening is done once per change.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import orjson
from sqlalchemy import select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ggzy.core import events, policy
from ggzy.core.actor import Actor, system
from ggzy.core.clock import Clock
from ggzy.core.errors import Conflict, DomainError, Invalid, NotFound, RecordedRefusal
from ggzy.core.ids import new_id
from ggzy.entities import credit_code as codes
from ggzy.federation import signing, validate
from ggzy.federation.models import Platform, PushedRelease, PushedTrade, Refusal
from ggzy.federation.states import PlatformKind, PlatformStatus, Reason
from ggzy.rules import federation as law

ACCREDITED = events.event_type("federation.platform_accredited", "认可接入交易平台")
SUSPENDED = events.event_type("federation.platform_suspended", "暂停接入交易平台")
REINSTATED = events.event_type("federation.platform_reinstated", "恢复接入交易平台")
PUSH_ACCEPTED = events.event_type("federation.push_accepted", "接收接入平台推送的交易数据")
PUSH_REFUSED = events.event_type("federation.push_refused", "拒收接入平台推送的数据")


class PushRefused(RecordedRefusal):
    """A refused push: answered with its own status, and kept (with its reason) in a transaction of its own."""

    def __init__(self, reason: Reason, message: str, *, record: Callable[[Session], None], **details: Any) -> None:
        super().__init__(message, record=record, code=reason.value, **details)
        self.status = reason.status
        self.reason = reason


@dataclass(frozen=True)
class Push:
    platform: str  # X-Platform
    timestamp: str  # X-Timestamp (RFC 3339)
    signature: str  # X-Signature (base64)
    token: str  # X-Platform-Token
    body: bytes
    ip: str | None = None


@dataclass
class Received:
    platform: str
    accepted: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    skew_seconds: int = 0
    skewed: bool = False  # beyond the tolerance, inside the window: accepted and reported


# --- accreditation ---------------------------------------------------------------------------------------------


def accredit(
    session: Session,
    actor: Actor,
    *,
    code: str,
    name: str,
    kind: str,
    region: str,
    ocid_prefix: str,
    public_key: str,
    clock: Clock,
    own_prefix: str = "",
) -> tuple[Platform, str]:
    """认可 — register a platform with its signing key; returns it and its API token (shown once, stored hashed)."""
    policy.ensure(actor, policy.FEDERATION_MANAGE)
    code, name, ocid_prefix, region = code.strip(), name.strip(), ocid_prefix.strip(), region.strip()
    if not code or len(code) > 40 or not code.replace("-", "").isalnum() or not code.isascii():
        raise Invalid("平台代码须为 1–40 位字母、数字或连字符", code="bad-platform-code")
    if not name or len(name) > 200:
        raise Invalid("请填写平台名称（不超过200字）", code="name-required")
    if kind not in PlatformKind._value2member_map_:
        raise Invalid("请选择平台类型", code="bad-kind")
    if not (len(region) == 6 and region.isdigit()):
        raise Invalid("行政区划代码应为6位数字", code="bad-region")
    if not validate.OCID.match(ocid_prefix + "-x") or ocid_prefix.count("-") != 1:
        raise Invalid("OCDS 前缀应为 ocds- 加6位小写字母或数字（向开放合同伙伴关系登记的前缀）", code="bad-prefix")
    try:
        key_hex = signing.parse_public(public_key)
    except ValueError:
        raise Invalid("签名公钥应为 Ed25519 公钥（32字节，十六进制或 base64）", code="bad-public-key") from None
    if session.execute(select(Platform.id).where(Platform.code == code)).first():
        raise Conflict(f"平台代码「{code}」已被使用", code="platform-code-taken")
    if own_prefix and ocid_prefix == own_prefix:
        raise Conflict(f"OCDS 前缀「{ocid_prefix}」是本平台自己的前缀，不能分配给接入平台", code="prefix-taken")
    if session.execute(select(Platform.id).where(Platform.ocid_prefix == ocid_prefix)).first():
        raise Conflict(f"OCDS 前缀「{ocid_prefix}」已属于另一接入平台", code="prefix-taken")
    token = signing.new_token()
    p = Platform(
        id=new_id(),
        code=code,
        name=name,
        kind=kind,
        region=region,
        ocid_prefix=ocid_prefix,
        token_hash=signing.token_hash(token),
        public_key=key_hex,
        status=PlatformStatus.ACTIVE.value,
        created_at=clock.now(),
        created_by=actor.user_id,
        suspend_reason="",
    )
    session.add(p)
    session.flush()
    events.record(
        session,
        actor,
        ACCREDITED,
        clock=clock,
        subject=("platform", p.id),
        payload={"code": code, "name": name, "kind": kind, "prefix": ocid_prefix, "public_key": key_hex},
    )
    return p, token


def get_platform(session: Session, platform_id: str) -> Platform:
    p = session.get(Platform, platform_id)
    if p is None:
        raise NotFound("接入平台不存在", code="no-such-platform")
    return p


def suspend(session: Session, actor: Actor, *, platform_id: str, reason: str, clock: Clock) -> Platform:
    policy.ensure(actor, policy.FEDERATION_MANAGE)
    if not reason.strip():
        raise Invalid("暂停须说明理由", code="reason-required")
    p = get_platform(session, platform_id)
    if p.status == PlatformStatus.SUSPENDED.value:
        raise Conflict("该平台已处于暂停状态", code="already-suspended")
    p.status, p.suspended_at, p.suspend_reason = PlatformStatus.SUSPENDED.value, clock.now(), reason.strip()[:300]
    events.record(
        session, actor, SUSPENDED, clock=clock, subject=("platform", p.id), payload={"reason": p.suspend_reason}
    )
    return p


def reinstate(session: Session, actor: Actor, *, platform_id: str, clock: Clock) -> Platform:
    policy.ensure(actor, policy.FEDERATION_MANAGE)
    p = get_platform(session, platform_id)
    if p.status != PlatformStatus.SUSPENDED.value:
        raise Conflict("该平台未被暂停", code="not-suspended")
    p.status, p.suspended_at = PlatformStatus.ACTIVE.value, None
    events.record(session, actor, REINSTATED, clock=clock, subject=("platform", p.id))
    return p


# --- taking in a push ------------------------------------------------------------------------------------------


def _refuse(push: Push, platform: Platform | None, reason: Reason, detail: str, clock: Clock, **extra: Any) -> None:
    pid, claimed, ip, at = (platform.id if platform else None), push.platform[:40], push.ip, clock.now()

    def record(s: Session) -> None:
        row = Refusal(id=new_id(), platform_id=pid, claimed=claimed, at=at, reason=reason.value, detail=detail[:500])
        row.ip = ip
        s.add(row)
        s.flush()
        events.record(
            s,
            system(ip),
            PUSH_REFUSED,
            clock=clock,
            subject=("platform", pid) if pid else None,
            payload={"platform": claimed, "reason": reason.value, "detail": detail[:200]},
        )

    raise PushRefused(reason, f"{reason.label}：{detail}" if detail else reason.label, record=record, **extra)


def _parse_time(text: str) -> datetime | None:
    try:
        t = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return t.astimezone(UTC) if t.tzinfo is not None else None


def _canonical(obj: Any) -> bytes:
    def default(o: Any) -> Any:
        if isinstance(o, Decimal):
            return orjson.Fragment(str(o).encode())
        raise TypeError(type(o).__name__)

    return orjson.dumps(obj, default=default, option=orjson.OPT_SORT_KEYS)


def authenticate(session: Session, push: Push, *, clock: Clock) -> tuple[Platform, int]:
    """Who pushes, and the skew of its clock in seconds; refuses (and keeps the refusal) otherwise."""
    platform = session.execute(select(Platform).where(Platform.code == push.platform[:40])).scalar()
    if platform is None:
        _refuse(push, None, Reason.UNKNOWN_PLATFORM, "", clock)
    assert platform is not None
    if not hmac.compare_digest(platform.token_hash, signing.token_hash(push.token)):
        _refuse(push, platform, Reason.BAD_TOKEN, "", clock)
    if platform.status != PlatformStatus.ACTIVE.value:
        _refuse(push, platform, Reason.SUSPENDED, platform.suspend_reason, clock)
    if len(push.body) > law.MAX_PUSH_BYTES.value:
        _refuse(push, platform, Reason.TOO_LARGE, f"{len(push.body)} 字节，上限 {law.MAX_PUSH_BYTES.value} 字节", clock)
    sent = _parse_time(push.timestamp)
    now = clock.now()
    window = timedelta(minutes=int(law.TIMESTAMP_WINDOW.value))
    if sent is None or abs(sent - now) > window:
        detail = (
            "X-Timestamp 不是带时区的 RFC 3339 时间" if sent is None else f"相差 {int((sent - now).total_seconds())} 秒"
        )
        _refuse(push, platform, Reason.STALE, f"{detail}（{law.TIMESTAMP_WINDOW.describe()}）", clock)
    assert sent is not None
    if not signing.verify(platform.public_key, platform.code, push.timestamp, push.body, push.signature):
        _refuse(push, platform, Reason.BAD_SIGNATURE, "签名与请求体不符或不是该平台登记的密钥所签", clock)
    return platform, int((sent - now).total_seconds())


def ingest(session: Session, push: Push, *, clock: Clock) -> Received:
    """Take in one signed release package: all its releases, or none of them."""
    platform, skew = authenticate(session, push, clock=clock)
    try:
        body = json.loads(push.body, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError):
        _refuse(push, platform, Reason.NOT_JSON, "", clock)
    rels, errors = validate.package(body, max_releases=int(law.MAX_RELEASES_PER_PUSH.value))
    if errors:
        shown = "；".join(f"{p or '/'}：{m}" for p, m in errors[:5])
        _refuse(
            push,
            platform,
            Reason.INVALID,
            f"{len(errors)} 处错误：{shown}",
            clock,
            errors=[f"{p or '/'}: {m}" for p, m in errors],
        )
    mine = platform.ocid_prefix + "-"
    foreign = sorted({r["ocid"] for r in rels if not r["ocid"].startswith(mine)})
    if foreign:
        _refuse(push, platform, Reason.NOT_OWNER, f"ocid 不在本平台前缀 {platform.ocid_prefix} 下：{foreign[0]}", clock)
    ocids = sorted({r["ocid"] for r in rels})
    owners = dict(
        session.execute(select(PushedTrade.ocid, PushedTrade.platform_id).where(PushedTrade.ocid.in_(ocids))).all()
    )
    taken = [o for o, pid in owners.items() if pid != platform.id]
    if taken:
        _refuse(push, platform, Reason.NOT_OWNER, f"交易 {taken[0]} 属于另一接入平台", clock)
    keys = [(r["ocid"], r["id"]) for r in rels]
    stored = {
        (o, i): sha
        for o, i, sha in session.execute(
            select(PushedRelease.ocid, PushedRelease.release_id, PushedRelease.sha256).where(
                tuple_(PushedRelease.ocid, PushedRelease.release_id).in_(keys)
            )
        ).all()
    }
    now = clock.now()
    out = Received(platform=platform.code, skew_seconds=skew)
    out.skewed = abs(skew) > int(law.CLOCK_SKEW_TOLERANCE.value)
    fresh: list[tuple[dict[str, Any], bytes]] = []
    for r in rels:
        canon = _canonical(r)
        sha = _sha(canon)
        before = stored.get((r["ocid"], r["id"]))
        if before is None:
            fresh.append((r, canon))
        elif before == sha:
            out.duplicates.append(r["id"])
        else:
            _refuse(push, platform, Reason.CONFLICT, f"发布 {r['id']} 已以不同内容接收", clock, release=r["id"])
    trades = {t.ocid: t for t in session.execute(select(PushedTrade).where(PushedTrade.ocid.in_(ocids))).scalars()}
    for r, canon in sorted(fresh, key=lambda x: validate.released_at(x[0])):
        at = validate.released_at(r)
        session.add(
            PushedRelease(
                id=new_id(),
                platform_id=platform.id,
                ocid=r["ocid"],
                release_id=r["id"],
                tag=",".join(r["tag"])[:40],
                released_at=at,
                received_at=now,
                lag_seconds=int((now - at).total_seconds()),
                skew_seconds=skew,
                sha256=_sha(canon),
                body=canon.decode(),
            )
        )
        _fold(trades, platform, r, at)
        out.accepted.append(r["id"])
    for t in trades.values():
        if t not in session:
            session.add(t)
    try:
        session.flush()
    except IntegrityError:  # the same new release in two pushes at once: the other one got it in first
        busy = "同一发布正由另一推送请求写入，请稍后重试（已到达的发布将视为重复）"
        raise Conflict(busy, code="concurrent-push") from None
    if out.accepted:
        events.record(
            session,
            system(push.ip),
            PUSH_ACCEPTED,
            clock=clock,
            subject=("platform", platform.id),
            payload={
                "platform": platform.code,
                "releases": out.accepted,
                "sha256": _sha(push.body),
                "skew_seconds": skew,
            },
        )
    return out


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _amount(v: Any) -> Decimal | None:
    if isinstance(v, dict) and isinstance(v.get("amount"), int | Decimal) and v.get("currency", "CNY") == "CNY":
        return Decimal(v["amount"]).quantize(Decimal("0.01"))
    return None


def _fold(trades: dict[str, PushedTrade], platform: Platform, r: dict[str, Any], at: datetime) -> None:
    """The trade as its releases so far show it (a later release's fields over an earlier's)."""
    t = trades.get(r["ocid"])
    tender = r.get("tender") or {}
    if t is None:
        t = trades[r["ocid"]] = PushedTrade(
            ocid=r["ocid"],
            platform_id=platform.id,
            title="",
            buyer="",
            method="",
            category="",
            status="",
            last_tag="",
            supplier="",
            releases=0,
            first_at=at,
            last_at=at,
        )
    t.releases = (t.releases or 0) + 1
    t.screened = False
    if at >= t.last_at or t.releases == 1:
        t.last_at, t.last_tag = at, r["tag"][-1][:40]
        t.title = str(tender.get("title") or t.title or r["ocid"])[:300]
        t.buyer = str((r.get("buyer") or {}).get("name") or t.buyer)[:200]
        t.method = str(tender.get("procurementMethod") or t.method)[:40]
        t.category = str(tender.get("mainProcurementCategory") or t.category)[:20]
        t.status = str(tender.get("status") or t.status)[:20]
        t.amount = _amount(tender.get("value")) or t.amount
    for a in r.get("awards") or []:
        if a.get("status", "active") == "active":
            t.awarded = _amount(a.get("value")) or t.awarded
            names = [s.get("name") for s in a.get("suppliers") or [] if s.get("name")]
            t.supplier = "、".join(names)[:200] or t.supplier
    t.first_at = min(t.first_at, at)


def credit_codes(release: dict[str, Any], roles: tuple[str, ...] = ("tenderer", "supplier")) -> dict[str, str]:
    """Unified social credit codes of the release's tenderers and suppliers → their names."""
    out = {}
    for p in release.get("parties") or []:
        if not isinstance(p, dict) or not set(p.get("roles") or []) & set(roles):
            continue
        ident = p.get("identifier") or {}
        raw = ident.get("id") if ident.get("scheme") == "CN-USCC" else None
        if raw is None and str(p.get("id", "")).startswith("CN-USCC-"):
            raw = str(p["id"])[8:]
        if isinstance(raw, str):
            try:
                out[codes.validate(raw)] = str(p.get("name") or raw)
            except DomainError:
                continue
    return out
