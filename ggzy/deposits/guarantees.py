"""电子保函 — electronic guarantees in place of cash: attached (open) or applied for through the platform (integrated).

One document format for both ways: canonical JSON of the guarantee's terms, signed with Ed25519 by
an issuer the supervision office registered (its key is the trust anchor, logged when registered).
The platform checks the signature, that the file is unchanged, and that amount, validity,
beneficiary (the tenderer), principal (the bidder) and section match what the notice asks.

In the integrated way the platform signs each application, the issuer signs its answer, and the
section and beneficiary travel *sealed*: the application carries only a commitment
`sha256(nonce || terms)`, so the issuer cannot learn who bids where before the deadline; the
platform discloses terms and nonce to the issuer at the opening (`disclose`). A lost answer is
asked again under the same application id and the issuer answers with the same guarantee.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal, Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ggzy.core import canonical, events, policy
from ggzy.core.actor import Actor, system
from ggzy.core.clock import Clock
from ggzy.core.errors import Conflict, Forbidden, Invalid, NotFound, RuleViolation
from ggzy.core.ids import new_id
from ggzy.core.notify import Channel, Notifier
from ggzy.credit import enforce as credit
from ggzy.credit.states import Step as CreditStep
from ggzy.deposits import ledger
from ggzy.deposits.models import Guarantee, GuaranteeIssuer, GuaranteeMessage, Requirement
from ggzy.deposits.service import privacy
from ggzy.deposits.states import GuaranteeStatus, MessageStatus
from ggzy.entities import queries as entities
from ggzy.entities.models import User
from ggzy.projects import queries as projects
from ggzy.rules.deposits import FORFEIT_GROUNDS

FORMAT = "ggzy-guarantee/1"
ISSUER_REGISTERED = events.event_type("deposits.issuer_registered", "登记保函出具机构", public=True)
GUARANTEE_ACCEPTED = events.event_type("deposits.guarantee_accepted", "电子保函校验通过")
GUARANTEE_SURRENDERED = events.event_type("deposits.guarantee_surrendered", "电子保函退保")
GUARANTEE_CLAIMED = events.event_type("deposits.guarantee_claimed", "决定就电子保函向出具机构索赔")
GUARANTEE_DISCLOSED = events.event_type("deposits.guarantee_disclosed", "开标后向保函出具机构披露标段与受益人")
ISSUER_ANSWERED = events.event_type("deposits.issuer_answered", "保函出具机构答复退保或索赔")
SECURITY_RULE = "《招标投标法实施条例》第26条：投标保证金有效期应当与投标有效期一致"


class IssuerTimeout(Exception):
    """The issuer did not answer in time; ask again under the same application id."""


@dataclass(frozen=True)
class Application:
    application_id: str
    issuer_credit_code: str
    principal: str  # the bidder's credit code
    amount: str
    valid_until: str
    terms_commitment: str  # sha256(nonce || canonical terms) — the section and beneficiary, sealed
    signature: str  # the platform's Ed25519 signature over the canonical application without it


@dataclass(frozen=True)
class IssuerMessage:
    """退保 or 索赔, as the platform sends it: signed, under a message id the issuer keeps as its idempotency key."""

    message_id: str
    kind: Literal["surrender", "claim"]
    issuer_credit_code: str
    number: str  # the guarantee's number
    amount: str  # a claim's amount in yuan ("" for a surrender)
    beneficiary: str  # a claim's beneficiary, the tenderer's credit code ("" for a surrender)
    ground: str  # a claim's legal ground, as the rules word it
    reason: str
    signature: str  # the platform's Ed25519 signature over the canonical message without it

    def body(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if k != "signature"}


@dataclass(frozen=True)
class IssuerAnswer:
    """The issuer's signed answer to a message: done (surrendered, or the claim accepted) or refused with a reason."""

    message_id: str
    outcome: Literal["done", "refused"]
    reference: str = ""
    reason: str = ""
    signature: str = ""  # the issuer's Ed25519 signature over the canonical answer without it

    def body(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if k != "signature"}


class Issuer(Protocol):
    def apply(self, application: Application) -> bytes:
        """The signed guarantee file; may raise IssuerTimeout; refuses with GuaranteeRefused."""
        ...

    def disclose(self, number: str, terms: dict[str, str], nonce: str) -> None:
        """At the opening: the sealed terms of a guarantee, so the issuer knows what it guaranteed."""
        ...

    def surrender(self, message: IssuerMessage) -> IssuerAnswer:
        """退保: acted on once per message id (a repeat gets the same answer); may raise IssuerTimeout."""
        ...

    def claim(self, message: IssuerMessage) -> IssuerAnswer:
        """索赔: acted on once per message id (a repeat gets the same answer); may raise IssuerTimeout."""
        ...

    def status(self, message_id: str) -> IssuerAnswer | None:
        """What became of a message (None: the issuer never received it)."""
        ...


class GuaranteeRefused(Exception):
    pass


# --- documents --------------------------------------------------------------------------------


def sign_document(key: Ed25519PrivateKey, doc: dict[str, Any]) -> bytes:
    sig = key.sign(canonical.dumps(doc).encode())
    return canonical.dumps({"guarantee": doc, "signature": base64.b64encode(sig).decode()}).encode()


def read_document(data: bytes) -> tuple[dict[str, Any], bytes]:
    try:
        outer = json.loads(data)
        doc, sig = outer["guarantee"], base64.b64decode(outer["signature"], validate=True)
    except (ValueError, KeyError, TypeError) as e:
        raise Invalid("保函文件无法识别（应为平台统一格式的签名保函）") from e
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise Invalid(f"保函文件格式不是 {FORMAT}")
    return doc, sig


def commitment(terms: dict[str, str], nonce: str) -> str:
    return hashlib.sha256(bytes.fromhex(nonce) + canonical.dumps(terms).encode()).hexdigest()


# --- the registry of issuers --------------------------------------------------------------


def register_issuer(
    session: Session,
    actor: Actor,
    *,
    name: str,
    credit_code: str,
    kind: str,
    public_key_hex: str,
    integrated: bool,
    clock: Clock,
) -> GuaranteeIssuer:
    """The supervision office registers an issuer and its signing key (the trust anchor for its guarantees)."""
    policy.ensure(actor, policy.ISSUER_MANAGE)
    if kind not in ("bank", "guarantor", "insurer"):
        raise Invalid("出具机构类型应为银行、担保机构或保险机构")
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key_hex))
    except ValueError as e:
        raise Invalid("出具机构公钥应为 32 字节 Ed25519 公钥（十六进制）") from e
    row = GuaranteeIssuer(
        id=new_id(),
        name=name.strip()[:200],
        credit_code=credit_code.strip().upper(),
        kind=kind,
        public_key=public_key_hex.lower(),
        integrated=integrated,
        status="active",
        registered_at=clock.now(),
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError as e:
        raise Conflict("该出具机构已登记") from e
    events.record(
        session,
        actor,
        ISSUER_REGISTERED,
        clock=clock,
        subject=("deposit_issuer", row.id),
        payload={"name": row.name, "credit_code": row.credit_code, "key": row.public_key, "kind": kind},
    )
    return row


# --- verification (both ways) ---------------------------------------------------------------


@dataclass
class Checked:
    doc: dict[str, Any]
    issuer: GuaranteeIssuer
    problems: list[str] = field(default_factory=list)


def check(
    session: Session, *, section_id: str, org_id: str, data: bytes, sealed: tuple[dict[str, str], str] | None = None
) -> Checked:
    """Every reason this guarantee does not secure this bidder's bid for this section (empty: it does)."""
    doc, sig = read_document(data)
    issuer = session.execute(
        select(GuaranteeIssuer).where(GuaranteeIssuer.credit_code == str(doc.get("issuer", "")))
    ).scalar_one_or_none()
    if issuer is None or issuer.status != "active":
        raise RuleViolation("保函出具机构未经监管部门登记或已暂停，保函不予认可", code="unknown-issuer")
    out = Checked(doc, issuer)
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(issuer.public_key)).verify(sig, canonical.dumps(doc).encode())
    except InvalidSignature:
        out.problems.append("保函签名无效：文件内容被改动，或并非该机构签发")
    section = projects.get_section(session, section_id)
    project = projects.get_project(session, section.project_id)
    req = session.get(Requirement, section_id)
    if req is None:
        raise RuleViolation("本标段未要求提交投标保证金")
    bidder = entities.get_org(session, org_id)
    tenderer = entities.get_org(session, project.tenderer_org_id)
    terms = {"section": section.code, "beneficiary": tenderer.credit_code}
    if sealed is not None:
        plain, nonce = sealed
        if doc.get("terms_commitment") != commitment(plain, nonce) or plain != terms:
            out.problems.append("保函密封条款与本标段或受益人不符")
    else:
        if doc.get("section") != section.code:
            out.problems.append(f"保函所载标段（{doc.get('section')}）不是本标段 {section.code}")
        if doc.get("beneficiary") != tenderer.credit_code:
            out.problems.append("保函受益人不是本项目招标人")
    if doc.get("principal") != bidder.credit_code:
        out.problems.append("保函被保证人不是本投标人")
    try:
        amount = ledger.to_fen(str(doc.get("amount", "")))
    except Invalid:
        amount = -1
    if amount < req.amount_fen:
        out.problems.append(f"保函金额不足：应为 {ledger.to_yuan(req.amount_fen)} 元")
    assert section.bid_deadline is not None
    needed = (section.bid_deadline + timedelta(days=req.bid_validity_days)).date()
    try:
        until = date.fromisoformat(str(doc.get("valid_until", "")))
    except ValueError:
        until = date.min
    if until < needed:
        out.problems.append(f"保函有效期应至少至 {needed.isoformat()}（{SECURITY_RULE}）")
    return out


def attach(session: Session, actor: Actor, *, section_id: str, data: bytes, clock: Clock) -> Guarantee:
    """开放式 — the bidder attaches a guarantee file from any registered issuer; refused with every reason."""
    if actor.org_id is None:
        raise Forbidden("请以投标人身份登录")
    policy.ensure(actor, policy.DEPOSIT_PAY, policy.Subject("deposit", frozenset({actor.org_id})))
    _before_deadline(session, section_id, clock)
    credit.ensure_may_take_part(
        session, actor, org_id=actor.org_id, section_id=section_id, step=CreditStep.GUARANTEE, at=clock.now()
    )
    checked = check(session, section_id=section_id, org_id=actor.org_id, data=data)
    if checked.problems:
        raise RuleViolation("电子保函未通过校验：" + "；".join(checked.problems), code="guarantee-invalid")
    return _store(session, actor, section_id, checked, data, mode="open", nonce="", clock=clock)


def _before_deadline(session: Session, section_id: str, clock: Clock) -> None:
    section = projects.get_section(session, section_id)
    if section.bid_deadline is not None and clock.now() >= section.bid_deadline:
        raise RuleViolation("投标截止时间已过，不再受理投标保证金")


def _store(
    session: Session,
    actor: Actor,
    section_id: str,
    checked: Checked,
    data: bytes,
    *,
    mode: str,
    nonce: str,
    clock: Clock,
) -> Guarantee:
    assert actor.org_id is not None
    existing = session.execute(
        select(Guarantee).where(Guarantee.section_id == section_id, Guarantee.org_id == actor.org_id)
    ).scalar_one_or_none()
    digest = hashlib.sha256(data).hexdigest()
    if existing is not None:
        if existing.sha256 == digest:
            return existing
        raise Conflict("本标段已提交电子保函；如需更换，请先办理退保")
    row = Guarantee(
        id=new_id(),
        section_id=section_id,
        org_id=actor.org_id,
        issuer_id=checked.issuer.id,
        number=str(checked.doc.get("number", ""))[:64],
        mode=mode,
        amount_fen=ledger.to_fen(str(checked.doc["amount"])),
        valid_until=str(checked.doc["valid_until"]),
        sha256=digest,
        document=data.decode(),
        applicant_id=actor.user_id or "",
        terms_nonce=nonce,
        status="valid",
        received_at=clock.now(),
    )
    session.add(row)
    session.flush()
    section = projects.get_section(session, section_id)
    events.record(
        session,
        actor,
        GUARANTEE_ACCEPTED,
        clock=clock,
        subject=("section", section_id),
        scope=section.id,
        secret_until=events.AT_OPENING,
    )
    return row


# --- integrated applications --------------------------------------------------------------


def platform_key(master_derived: bytes) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(master_derived[:32])


def application_of(
    session: Session, *, section_id: str, org_id: str, issuer: GuaranteeIssuer, key: Ed25519PrivateKey, nonce: str
) -> tuple[Application, dict[str, str]]:
    section = projects.get_section(session, section_id)
    project = projects.get_project(session, section.project_id)
    req = session.get(Requirement, section_id)
    if req is None:
        raise RuleViolation("本标段未要求提交投标保证金")
    assert section.bid_deadline is not None
    terms = {"section": section.code, "beneficiary": entities.get_org(session, project.tenderer_org_id).credit_code}
    body = {
        # Opaque: the section's id would tell the issuer where the bidder bids.
        "application_id": hashlib.sha256(key.sign(f"application/{section_id}/{org_id}".encode())).hexdigest()[:32],
        "issuer_credit_code": issuer.credit_code,
        "principal": entities.get_org(session, org_id).credit_code,
        "amount": str(ledger.to_yuan(req.amount_fen)),
        "valid_until": (section.bid_deadline + timedelta(days=req.bid_validity_days)).date().isoformat(),
        "terms_commitment": commitment(terms, nonce),
    }
    sig = base64.b64encode(key.sign(canonical.dumps(body).encode())).decode()
    return Application(**body, signature=sig), terms


def apply(
    session: Session,
    actor: Actor,
    *,
    section_id: str,
    issuer_id: str,
    issuer: Issuer,
    key: Ed25519PrivateKey,
    clock: Clock,
) -> Guarantee:
    """一体化 — apply through the platform with the section and beneficiary sealed; store the answer once."""
    if actor.org_id is None:
        raise Forbidden("请以投标人身份登录")
    policy.ensure(actor, policy.DEPOSIT_PAY, policy.Subject("deposit", frozenset({actor.org_id})))
    _before_deadline(session, section_id, clock)
    credit.ensure_may_take_part(
        session, actor, org_id=actor.org_id, section_id=section_id, step=CreditStep.GUARANTEE, at=clock.now()
    )
    reg = session.get(GuaranteeIssuer, issuer_id)
    if reg is None or reg.status != "active" or not reg.integrated:
        raise NotFound("该机构未开通平台一体化保函申请")
    existing = session.execute(
        select(Guarantee).where(Guarantee.section_id == section_id, Guarantee.org_id == actor.org_id)
    ).scalar_one_or_none()
    if existing is not None:
        return existing  # asked twice (a retry after a lost answer): the guarantee already held
    # The nonce is derived, not random, so a retry after a timeout sends the very same application.
    nonce = hashlib.sha256(key.sign(f"nonce/{section_id}/{actor.org_id}".encode())).hexdigest()
    application, terms = application_of(
        session, section_id=section_id, org_id=actor.org_id, issuer=reg, key=key, nonce=nonce
    )
    try:
        data = issuer.apply(application)
    except IssuerTimeout as e:
        raise Conflict("保函机构未及时答复，请稍后重试（重试不会重复出具）", code="issuer-timeout") from e
    except GuaranteeRefused as e:
        raise RuleViolation(f"保函机构拒绝出具：{e}", code="issuer-refused") from e
    checked = check(session, section_id=section_id, org_id=actor.org_id, data=data, sealed=(terms, nonce))
    if checked.problems:
        raise RuleViolation("保函机构返回的保函未通过校验：" + "；".join(checked.problems), code="guarantee-invalid")
    return _store(session, actor, section_id, checked, data, mode="integrated", nonce=nonce, clock=clock)


def integrated_issuers(session: Session) -> list[GuaranteeIssuer]:
    """Active issuers the supervision office registered for applications through the platform."""
    stmt = select(GuaranteeIssuer).where(GuaranteeIssuer.integrated.is_(True), GuaranteeIssuer.status == "active")
    return list(session.execute(stmt.order_by(GuaranteeIssuer.name)).scalars())


def apply_through(
    session: Session,
    actor: Actor,
    *,
    section_id: str,
    issuer_id: str,
    issuers: Mapping[str, Issuer],
    key: Ed25519PrivateKey,
    clock: Clock,
) -> Guarantee:
    """The page's and the API's way to `apply`: the issuer chosen by its registration, reached by its interface."""
    registered = session.get(GuaranteeIssuer, issuer_id)
    if registered is None or not registered.integrated or registered.status != "active":
        raise Invalid("请选择经监管部门登记、可经平台申请的保函出具机构", code="unknown-issuer")
    issuer = issuers.get(registered.credit_code)
    if issuer is None:
        raise RuleViolation(f"{registered.name}尚未接入平台接口，请改用其出具的电子保函文件提交", code="issuer-offline")
    return apply(session, actor, section_id=section_id, issuer_id=issuer_id, issuer=issuer, key=key, clock=clock)


def disclose(session: Session, issuer: Issuer, guarantee: Guarantee) -> None:
    """At the opening: tell the issuer what its sealed guarantee covered."""
    if guarantee.mode != "integrated":
        return
    section = projects.get_section(session, guarantee.section_id)
    if section.opened_at is None:
        raise RuleViolation("开标前不向保函机构披露标段与受益人")
    project = projects.get_project(session, section.project_id)
    terms = {"section": section.code, "beneficiary": entities.get_org(session, project.tenderer_org_id).credit_code}
    issuer.disclose(guarantee.number, terms, guarantee.terms_nonce)


def due_disclosures(session: Session, now: datetime) -> list[str]:
    """Integrated guarantees of opened sections whose issuer has not yet been told what they covered."""
    stmt = (
        select(Guarantee.id, Guarantee.section_id)
        .where(Guarantee.mode == "integrated", Guarantee.disclosed_at.is_(None))
        .order_by(Guarantee.received_at, Guarantee.id)
    )
    rows = session.execute(stmt).all()
    opened = {s for s in {r.section_id for r in rows} if projects.get_section(session, s).opened_at is not None}
    return [r.id for r in rows if r.section_id in opened]


def disclose_due(session: Session, guarantee_id: str, issuers: Mapping[str, Issuer], *, clock: Clock) -> bool:
    """On the tick after the opening: tell one issuer (once) the section and beneficiary its sealed application
    committed to (the terms and the nonce open the commitment it holds). An issuer without an interface, or one
    that does not answer in time, is asked again on a later tick."""
    stmt = select(Guarantee).where(Guarantee.id == guarantee_id)
    stmt = stmt.with_for_update(skip_locked=True) if session.get_bind().dialect.name == "postgresql" else stmt
    g = session.execute(stmt).scalar_one_or_none()
    if g is None or g.disclosed_at is not None:
        return False
    registered = session.get(GuaranteeIssuer, g.issuer_id)
    issuer = issuers.get(registered.credit_code) if registered is not None else None
    if issuer is None:
        return False
    try:
        disclose(session, issuer, g)
    except IssuerTimeout:
        return False
    g.disclosed_at = clock.now()
    section = projects.get_section(session, g.section_id)
    events.record(
        session,
        system(),
        GUARANTEE_DISCLOSED,
        clock=clock,
        subject=("deposit_guarantee", g.id),
        scope=section.id,
        payload={"number": g.number},
    )
    return True


# --- surrender and claims: messages to the issuer, sent on the tick -----------------------------------


def message_of(session: Session, row: GuaranteeMessage, key: Ed25519PrivateKey) -> IssuerMessage:
    g = session.get(Guarantee, row.guarantee_id)
    assert g is not None
    issuer = session.get(GuaranteeIssuer, g.issuer_id)
    body = {
        "message_id": row.message_id,
        "kind": row.kind,
        "issuer_credit_code": issuer.credit_code if issuer is not None else "",
        "number": g.number,
        "amount": str(ledger.to_yuan(row.amount_fen)) if row.kind == "claim" else "",
        "beneficiary": row.beneficiary,
        "ground": FORFEIT_GROUNDS.get(row.ground, ""),
        "reason": row.reason,
    }
    sig = base64.b64encode(key.sign(canonical.dumps(body).encode())).decode()
    return IssuerMessage(**body, signature=sig)  # type: ignore[arg-type]


def sign_answer(key: Ed25519PrivateKey, answer: IssuerAnswer) -> IssuerAnswer:
    """The issuer's side: its signature over the answer (the fake issuer's, and an integration's test double's)."""
    sig = base64.b64encode(key.sign(canonical.dumps(answer.body()).encode())).decode()
    return IssuerAnswer(**{**answer.body(), "signature": sig})  # type: ignore[arg-type]


def _answer_is_signed(issuer: GuaranteeIssuer, answer: IssuerAnswer) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(issuer.public_key)).verify(
            base64.b64decode(answer.signature, validate=True), canonical.dumps(answer.body()).encode()
        )
    except (InvalidSignature, ValueError):
        return False
    return True


PENDING = (MessageStatus.PENDING.value, MessageStatus.SENT.value, MessageStatus.FAILED.value)
FINAL = (MessageStatus.DONE.value, MessageStatus.REFUSED.value, MessageStatus.OFFLINE.value)


def due_messages(session: Session, now: datetime) -> list[str]:
    """Messages to send or ask about, and outcomes the bidder has not been told of yet."""
    stmt = select(GuaranteeMessage.id).where(
        GuaranteeMessage.status.in_(PENDING) | (GuaranteeMessage.status.in_(FINAL) & GuaranteeMessage.told_at.is_(None))
    )
    return list(session.execute(stmt.order_by(GuaranteeMessage.created_at, GuaranteeMessage.id)).scalars())


def issuer_of(session: Session, row: GuaranteeMessage) -> GuaranteeIssuer:
    g = session.get(Guarantee, row.guarantee_id)
    issuer = session.get(GuaranteeIssuer, g.issuer_id) if g is not None else None
    if issuer is None:
        raise NotFound("保函出具机构未登记")
    return issuer


def send_message(session: Session, row_id: str, issuer: Issuer | None, *, key: Ed25519PrivateKey, clock: Clock) -> bool:
    """Send one surrender or claim to its issuer and record the answer, under a lock on the message's row.

    The message id was committed with the decision, before the issuer heard of it; a message whose answer never
    came (a timeout, a lost answer, a crash) is first asked about (`Issuer.status`) and only sent again if the
    issuer never received it, so a claim reaches its issuer once. True when an answer was recorded."""
    stmt = select(GuaranteeMessage).where(GuaranteeMessage.id == row_id)
    stmt = stmt.with_for_update(skip_locked=True) if session.get_bind().dialect.name == "postgresql" else stmt
    row = session.execute(stmt).scalar_one_or_none()
    if row is None or row.status not in PENDING:
        return False
    if issuer is None:
        row.last_error = "该出具机构尚未接入平台接口，接入后发送"
        return False
    ask_first = row.status == MessageStatus.SENT.value
    row.status = MessageStatus.SENT.value
    row.attempts += 1
    row.sent_at = clock.now()
    message = message_of(session, row, key)
    try:
        answer = issuer.status(row.message_id) if ask_first else None
        if answer is None:
            answer = issuer.surrender(message) if row.kind == "surrender" else issuer.claim(message)
    except IssuerTimeout:
        row.last_error = "出具机构未及时答复，将以同一报文编号先查询、后重发"
        session.flush()
        return False
    return record_answer(session, row, answer, clock=clock)


def record_answer(session: Session, row: GuaranteeMessage, answer: IssuerAnswer, *, clock: Clock) -> bool:
    """Record what the issuer said, once: a second answer to a message already answered changes nothing."""
    if row.status in FINAL:
        return False
    if answer.message_id != row.message_id:
        raise Conflict("出具机构应答的报文编号与平台报文不符")
    if not _answer_is_signed(issuer_of(session, row), answer):
        row.last_error = "出具机构应答签名无效，未予采信（将再次查询）"
        session.flush()
        return False
    g = session.get(Guarantee, row.guarantee_id)
    assert g is not None
    done = answer.outcome == "done"
    if row.kind == "surrender":
        row.status = (MessageStatus.DONE if done else MessageStatus.FAILED).value
        g.status = (GuaranteeStatus.SURRENDERED if done else GuaranteeStatus.SURRENDERING).value
    else:
        row.status = (MessageStatus.DONE if done else MessageStatus.REFUSED).value
        g.status = (GuaranteeStatus.CLAIMED if done else GuaranteeStatus.CLAIM_REFUSED).value
    row.answered_at = clock.now()
    row.answer_ref = answer.reference[:64]
    row.answer_reason = answer.reason[:500]
    row.last_error = "" if done else answer.reason[:500]
    section = projects.get_section(session, row.section_id)
    events.record(
        session,
        system(),
        ISSUER_ANSWERED,
        clock=clock,
        subject=("deposit_guarantee", g.id),
        **privacy(section),
        payload={
            "kind": row.kind,
            "outcome": answer.outcome,
            "reference": row.answer_ref,
            "reason": answer.reason[:200],
        },
    )
    session.flush()
    return True


def tell(session: Session, row_id: str, notifier: Notifier, *, clock: Clock) -> bool:
    """Tell the bidder's people, once, what became of its guarantee (released, surrendered, claimed)."""
    row = session.get(GuaranteeMessage, row_id)
    if row is None or row.status not in FINAL or row.told_at is not None:
        return False
    g = session.get(Guarantee, row.guarantee_id)
    assert g is not None
    section = projects.get_section(session, row.section_id)
    project = projects.get_project(session, section.project_id)
    subject = "电子保函索赔" if row.kind == "claim" else "电子保函退保"
    body = f"{project.name}（{section.name}）电子保函 {g.number}：{GuaranteeStatus(g.status).label}。"
    if row.kind == "claim":
        body += f"依据：{FORFEIT_GROUNDS.get(row.ground, row.ground)}。"
    for user_id in session.execute(select(User.id).where(User.org_id == row.org_id).order_by(User.id)).scalars():
        notifier.send(user_id, Channel.IN_APP, subject, body)
    row.told_at = clock.now()
    return True


def claim(
    session: Session, actor: Actor, *, section_id: str, org_id: str, ground: str, reason: str, clock: Clock
) -> GuaranteeMessage:
    """索赔 — where the law lets the security be kept (`rules.deposits.FORFEIT_GROUNDS`: withdrawal after the deadline,
    条例 art. 35; a winner refusing to sign or to give performance security, art. 74) and the bidder's security is a
    guarantee: an operator's decision with a stated reason, reported to supervision like a cash forfeiture, and a
    claim for the guarantee's amount to the beneficiary sent to an integrated issuer (on the tick). Once, ever."""
    policy.ensure(actor, policy.DEPOSIT_MANAGE)
    if ground not in FORFEIT_GROUNDS:
        raise Invalid("索赔只能依据法定情形：" + "；".join(FORFEIT_GROUNDS.values()), code="no-legal-ground")
    reason = reason.strip()
    if not reason:
        raise Invalid("请写明索赔的事实与理由")
    if len(reason) > 500:
        raise Invalid("理由不超过500字")
    section = projects.get_section(session, section_id)
    if section.bid_deadline is None or clock.now() < section.bid_deadline:
        raise RuleViolation("投标截止前不存在保函索赔的法定情形")
    g = session.execute(
        select(Guarantee).where(Guarantee.section_id == section_id, Guarantee.org_id == org_id).with_for_update()
    ).scalar_one_or_none()
    if g is None:
        raise NotFound("该投标人在本标段没有电子保函")
    known = session.execute(
        select(GuaranteeMessage).where(GuaranteeMessage.guarantee_id == g.id, GuaranteeMessage.kind == "claim")
    ).scalar_one_or_none()
    if known is not None:
        raise Conflict("已就该保函作出索赔决定，索赔不会重复发出", code="already-claimed")
    if g.status != GuaranteeStatus.VALID.value:
        raise Conflict(f"该保函{GuaranteeStatus(g.status).label}，不能再索赔", code="guarantee-not-valid")
    project = projects.get_project(session, section.project_id)
    row_id = new_id()
    row = GuaranteeMessage(
        id=row_id,
        message_id=f"GGZY{row_id}",
        guarantee_id=g.id,
        section_id=section_id,
        org_id=org_id,
        kind="claim",
        status=(MessageStatus.PENDING if g.mode == "integrated" else MessageStatus.OFFLINE).value,
        amount_fen=g.amount_fen,
        beneficiary=entities.get_org(session, project.tenderer_org_id).credit_code,
        ground=ground,
        reason=reason,
        decided_by=actor.user_id or "",
        created_at=clock.now(),
        attempts=0,
        answer_ref="",
        answer_reason="",
        last_error="",
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError as e:
        raise Conflict("已就该保函作出索赔决定，索赔不会重复发出", code="already-claimed") from e
    g.status = GuaranteeStatus.CLAIMING.value
    events.record(
        session,
        actor,
        GUARANTEE_CLAIMED,
        clock=clock,
        subject=("section", section_id),
        **privacy(section),
        refs={"org": org_id},
        payload={
            "ground": ground,
            "amount": str(ledger.to_yuan(g.amount_fen)),
            "reason": reason,
            "number": g.number,
            "mode": g.mode,
        },
    )
    return row


@dataclass
class FakeIssuer:
    """An in-process issuer that checks the platform's signature, can refuse, time out and answer twice."""

    credit_code: str
    platform_public: Ed25519PublicKey
    key: Ed25519PrivateKey = field(default_factory=Ed25519PrivateKey.generate)
    refuse: int = 0  # refuse the next N applications
    timeout: int = 0  # time out before acting on the next N calls
    refuse_messages: int = 0  # refuse the next N new surrender or claim messages
    lose_answer: int = 0  # act on the next N messages, then time out (the answer is lost)
    twice: bool = False  # every answer arrives twice (kept in `echoes` for the test to deliver again)
    issued: dict[str, bytes] = field(default_factory=dict)
    disclosed: dict[str, dict[str, str]] = field(default_factory=dict)
    surrendered: set[str] = field(default_factory=set)
    claims: dict[str, str] = field(default_factory=dict)  # guarantee number -> amount claimed
    received: list[IssuerMessage] = field(default_factory=list)  # every message acted upon (once each)
    answers: dict[str, IssuerAnswer] = field(default_factory=dict)
    echoes: list[IssuerAnswer] = field(default_factory=list)
    calls: int = 0
    seen_terms: list[dict[str, Any]] = field(default_factory=list)  # what the issuer learned, for tests

    @property
    def public_hex(self) -> str:
        from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

        return self.key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()

    def apply(self, application: Application) -> bytes:
        body = {k: v for k, v in application.__dict__.items() if k != "signature"}
        self.seen_terms.append(body)
        try:
            self.platform_public.verify(base64.b64decode(application.signature), canonical.dumps(body).encode())
        except InvalidSignature as e:
            raise GuaranteeRefused("申请报文签名无效") from e
        if self.timeout > 0:
            self.timeout -= 1
            raise IssuerTimeout(application.application_id)
        if application.application_id in self.issued:
            return self.issued[application.application_id]  # the same guarantee again
        if self.refuse > 0:
            self.refuse -= 1
            raise GuaranteeRefused("被保证人资信审核未通过")
        doc = {
            "format": FORMAT,
            "number": f"BH{len(self.issued) + 1:08d}",
            "issuer": self.credit_code,
            "principal": application.principal,
            "amount": application.amount,
            "valid_until": application.valid_until,
            "terms_commitment": application.terms_commitment,
        }
        self.issued[application.application_id] = sign_document(self.key, doc)
        return self.issued[application.application_id]

    def disclose(self, number: str, terms: dict[str, str], nonce: str) -> None:
        if self.timeout > 0:
            self.timeout -= 1
            raise IssuerTimeout(number)
        self.disclosed[number] = terms

    def _message(self, message: IssuerMessage) -> IssuerAnswer:
        self.calls += 1
        if self.timeout > 0:
            self.timeout -= 1
            raise IssuerTimeout(message.message_id)
        try:
            self.platform_public.verify(base64.b64decode(message.signature), canonical.dumps(message.body()).encode())
        except (InvalidSignature, ValueError):
            return self._sign(IssuerAnswer(message.message_id, "refused", reason="报文签名无效"))
        known = self.answers.get(message.message_id)
        if known is not None:
            self.echoes.append(known)
            return known  # the same message again: the same answer, nothing done twice
        if self.refuse_messages > 0:
            self.refuse_messages -= 1
            return self._sign(IssuerAnswer(message.message_id, "refused", reason="保函状态核对不一致，暂不受理"))
        self.received.append(message)
        ref = f"{message.kind[:2].upper()}{len(self.received):06d}"
        answer = self._sign(IssuerAnswer(message.message_id, "done", reference=ref))
        self.answers[message.message_id] = answer
        if message.kind == "surrender":
            self.surrendered.add(message.number)
        else:
            self.claims[message.number] = message.amount
        if self.lose_answer > 0:
            self.lose_answer -= 1
            raise IssuerTimeout(message.message_id)
        if self.twice:
            self.echoes.append(answer)  # its answer arrives a second time (pushed again by the issuer)
        return answer

    def _sign(self, answer: IssuerAnswer) -> IssuerAnswer:
        return sign_answer(self.key, answer)

    def surrender(self, message: IssuerMessage) -> IssuerAnswer:
        return self._message(message)

    def claim(self, message: IssuerMessage) -> IssuerAnswer:
        return self._message(message)

    def status(self, message_id: str) -> IssuerAnswer | None:
        self.calls += 1
        return self.answers.get(message_id)
