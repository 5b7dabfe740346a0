"""履约评价 — after the contract is signed, the tenderer (purchaser) or its agency records how it was performed:
completed as agreed, delayed, quality defects, breach, terminated — with its text and an evidence file. The supplier
sees it and may object once; the supervisor handles the objection within 3 working days (河南省社会信用条例
art. 41, as every credit objection) and confirms an adverse record, which then becomes a credit record of source
*contract performance* (credit.service.record_from_performance: notified first, art. 28; listed later).
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from ggzy.award import queries
from ggzy.award.models import Contract, Performance
from ggzy.award.service import section_context
from ggzy.core import events, policy
from ggzy.core.actor import Actor
from ggzy.core.clock import Clock
from ggzy.core.errors import Conflict, Forbidden, Invalid, NotFound, RuleViolation
from ggzy.core.files import Stored
from ggzy.core.ids import new_id
from ggzy.credit import service as credit
from ggzy.projects import queries as projects
from ggzy.rules import credit as law

RECORDED = events.event_type("award.performance_recorded", "记录合同履约评价")
OBJECTED = events.event_type("award.performance_objected", "供应商对履约评价提出异议")
HANDLED = events.event_type("award.performance_objection_handled", "处理对履约评价的异议")
CONFIRMED = events.event_type("award.performance_confirmed", "确认不良履约评价并形成信用记录")

MAX_TEXT = 3000


class Outcome(StrEnum):
    COMPLETED = "completed"
    DELAYED = "delayed"
    DEFECTS = "defects"
    BREACH = "breach"
    TERMINATED = "terminated"

    @property
    def label(self) -> str:
        return {
            "completed": "按约履行完毕",
            "delayed": "延期履行",
            "defects": "存在质量缺陷",
            "breach": "违约",
            "terminated": "合同解除（终止）",
        }[self.value]

    @property
    def adverse(self) -> bool:
        return self is not Outcome.COMPLETED


class Status(StrEnum):
    RECORDED = "recorded"
    OBJECTED = "objected"
    REVOKED = "revoked"
    CONFIRMED = "confirmed"

    @property
    def label(self) -> str:
        return {
            "recorded": "已记录",
            "objected": "供应商已提出异议，待处理",
            "revoked": "异议成立，评价撤销",
            "confirmed": "已确认，形成信用记录",
        }[self.value]


def _text(value: str, what: str) -> str:
    value = value.strip()
    if not value:
        raise Invalid(f"请填写{what}", code="text-required")
    if len(value) > MAX_TEXT:
        raise Invalid(f"{what}不得超过{MAX_TEXT}字", code="text-too-long")
    return value


def signed_contract(session: Session, section_id: str) -> Contract:
    section = projects.get_section(session, section_id)
    a = queries.award_of(session, section.id, section.round)
    contract = queries.contract_of(session, a.id) if a else None
    if contract is None or contract.signed_at is None:
        raise RuleViolation("合同签订后才能记录履约评价（《招标投标法》第46条）", code="not-contracted")
    return contract


def get(session: Session, performance_id: str) -> Performance:
    p = session.get(Performance, performance_id)
    if p is None:
        raise NotFound("履约评价不存在", code="no-such-performance")
    return p


def of_section(session: Session, section_id: str) -> list[Performance]:
    q = select(Performance).where(Performance.section_id == section_id)
    return list(session.scalars(q.order_by(Performance.recorded_at, Performance.id)))


def waiting(session: Session, *, supplier_org_id: str | None = None, limit: int = 50) -> list[Performance]:
    """Records someone must act on: objected (the supervisor handles), adverse and recorded (the supervisor may
    confirm; the supplier may object) — of one supplier, or all."""
    q = select(Performance).where(Performance.status.in_([Status.OBJECTED.value, Status.RECORDED.value]))
    if supplier_org_id is not None:
        q = q.where(Performance.supplier_org_id == supplier_org_id, Performance.objected_at.is_(None))
    else:
        q = q.where(Performance.outcome != Outcome.COMPLETED.value)
    return list(session.scalars(q.order_by(Performance.recorded_at, Performance.id).limit(limit)))


def subject(session: Session, section_id: str) -> policy.Subject:
    """Who may read a contract's performance: the tenderer, its agency and the supplier (not the other bidders)."""
    section, project, _ = section_context(session, section_id)
    a = queries.award_of(session, section.id, section.round)
    orgs = {project.tenderer_org_id, *([project.agency_org_id] if project.agency_org_id else [])}
    orgs |= {a.winner_org_id} if a and a.winner_org_id else set()
    return policy.Subject("award", frozenset(orgs), sector=project.sector)


def _event(session: Session, actor: Actor, kind: str, p: Performance, clock: Clock, **payload: object) -> None:
    events.record(
        session,
        actor,
        kind,
        clock=clock,
        subject=("performance", p.id),
        scope=p.section_id,
        payload={"contract": p.contract_id, "outcome": p.outcome, **payload},
    )


def record(
    session: Session,
    actor: Actor,
    *,
    section_id: str,
    outcome: Outcome,
    text: str,
    clock: Clock,
    evidence: tuple[str, Stored] | None = None,
) -> Performance:
    """履约评价 — by the tenderer (purchaser) or its agency, after signature; an adverse one needs its evidence."""
    _, project, _ = section_context(session, section_id)
    policy.ensure(actor, policy.PERFORMANCE_RECORD, projects.subject_of(project))
    contract = signed_contract(session, section_id)
    body = _text(text, "履约情况说明")
    if outcome.adverse and evidence is None:
        raise Invalid(
            f"评价为「{outcome.label}」的，请上传证明材料（验收记录、催告函、检测报告等）", code="file-required"
        )
    a = queries.award_of(session, contract.section_id)
    assert a is not None and a.winner_org_id is not None
    p = Performance(
        id=new_id(),
        contract_id=contract.id,
        section_id=contract.section_id,
        supplier_org_id=a.winner_org_id,
        outcome=outcome.value,
        text=body,
        file_name=evidence[0][:200] if evidence else None,
        file_path=evidence[1].path if evidence else None,
        file_size=evidence[1].size if evidence else None,
        file_sha256=evidence[1].sha256 if evidence else None,
        status=Status.RECORDED.value,
        recorded_by=actor.user_id or "",
        recorded_at=clock.now(),
        objection="",
        handling_note="",
        handled_late=False,
    )
    session.add(p)
    session.flush()
    _event(session, actor, RECORDED, p, clock, evidence_sha256=p.file_sha256)
    return p


def object_to(session: Session, actor: Actor, *, performance_id: str, text: str, clock: Clock) -> Performance:
    """异议 — the supplier, once; handled within 3 working days (河南省社会信用条例 art. 41)."""
    p = get(session, performance_id)
    policy.ensure(actor, policy.PERFORMANCE_OBJECT, policy.Subject("award", frozenset({p.supplier_org_id})))
    if p.objected_at is not None:
        raise Conflict("对同一履约评价只能提出一次异议", code="already-objected")
    if p.status != Status.RECORDED.value:
        raise RuleViolation(f"履约评价当前状态为「{Status(p.status).label}」，不能提出异议", code="bad-state")
    now = clock.now()
    p.objection, p.objected_by, p.objected_at = _text(text, "异议理由"), actor.user_id, now
    p.objection_due_at, p.status = credit.objection_due(now), Status.OBJECTED.value
    _event(session, actor, OBJECTED, p, clock)
    return p


def handle_objection(
    session: Session, actor: Actor, *, performance_id: str, upheld: bool, note: str, clock: Clock
) -> Performance:
    """The supervisor handles the supplier's objection: upheld revokes the record; late handling is recorded."""
    policy.ensure(actor, policy.CREDIT_RECORD)
    p = get(session, performance_id)
    if p.status != Status.OBJECTED.value:
        raise RuleViolation("该履约评价没有待处理的异议", code="no-objection")
    now = clock.now()
    p.handled_by, p.handled_at, p.upheld, p.handling_note = actor.user_id, now, upheld, _text(note, "处理意见")
    p.handled_late = p.objection_due_at is not None and now > p.objection_due_at
    p.status = Status.REVOKED.value if upheld else Status.RECORDED.value
    _event(session, actor, HANDLED, p, clock, upheld=upheld, late=p.handled_late)
    return p


def confirm(session: Session, actor: Actor, *, performance_id: str, clock: Clock) -> Performance:
    """确认 — the supervisor confirms an adverse record: it becomes a credit record whose basis names the contract,
    the evidence and the record by their digests (the provenance), notified before it is listed (art. 28)."""
    policy.ensure(actor, policy.CREDIT_RECORD)
    p = get(session, performance_id)
    outcome = Outcome(p.outcome)
    if not outcome.adverse:
        raise RuleViolation("按约履行的评价不形成不良信用记录", code="not-adverse")
    if p.status == Status.OBJECTED.value:
        raise RuleViolation(f"供应商的异议尚未处理，暂不确认（{law.OBJECTION_HANDLE.citation}）", code="objection-open")
    if p.status != Status.RECORDED.value:
        raise RuleViolation(f"履约评价当前状态为「{Status(p.status).label}」，不能确认", code="bad-state")
    contract = session.get(Contract, p.contract_id)
    assert contract is not None
    section, project, _ = section_context(session, p.section_id)
    provenance = (
        f"{project.name}（{section.name}）合同 SHA-256 {contract.sha256[:16]}…；履约评价 {p.id}"
        f"（{p.recorded_at:%Y-%m-%d}）"
        + (f"；证明材料 SHA-256 {p.file_sha256[:16]}…" if p.file_sha256 else "")
        + ("；供应商异议经处理不成立" if p.handled_at is not None else "")
    )
    r = credit.record_from_performance(
        session,
        actor,
        org_id=p.supplier_org_id,
        performance_ref=f"履约评价 {p.id}",
        title=f"合同履约：{outcome.label}——{p.text[:200]}",
        provenance=provenance[:300],
        clock=clock,
    )
    p.status, p.confirmed_by, p.confirmed_at, p.credit_record_id = (
        Status.CONFIRMED.value,
        actor.user_id,
        clock.now(),
        r.id,
    )
    _event(session, actor, CONFIRMED, p, clock, credit_record=r.id)
    return p


def ensure_may_read(session: Session, actor: Actor, section_id: str) -> None:
    if policy.can(actor, policy.CREDIT_RECORD):
        return
    if not policy.can(actor, policy.AWARD_READ, subject(session, section_id)):
        raise Forbidden("只有招标人（采购人）、代理机构、中标（成交）供应商和监督部门可以查看履约评价")
