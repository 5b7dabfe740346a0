"""案件接口 — /api/v1/cases: file objections and complaints, answer, accept, pause, suspend, decide, comply."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy.orm import Session

from ggzy.cases import complaints, decisions, queries, service
from ggzy.cases.models import Case
from ggzy.cases.schemas import (
    AnswerIn,
    CaseRead,
    ClockRead,
    ComplaintIn,
    ComplyIn,
    DecisionIn,
    EntryIn,
    EntryRead,
    ObjectionIn,
    ReasonIn,
    SuspensionIn,
)
from ggzy.core.clock import Clock
from ggzy.web.deps import Ctx, Db, SignedIn

router = APIRouter(prefix="/cases", tags=["异议投诉"])


def read_of(session: Session, case: Case, clock: Clock, *, told: str = "", thread: bool = True) -> CaseRead:
    return CaseRead(
        id=case.id,
        number=case.number,
        kind=case.kind,
        regime=case.regime,
        matter=case.matter,
        status=case.status,
        section_id=case.section_id,
        regulator_sector=case.regulator_sector,
        points=queries.points_of(case),
        filed_at=case.filed_at,
        next_actor=queries.next_actor(session, case),
        clocks=[
            ClockRead(kind=v.kind.value, rule=v.describe, due=v.due, paused=v.paused, overdue=v.overdue)
            for v in queries.clock_views(session, case, clock.now())
        ],
        thread=[
            EntryRead(
                kind=e.kind, at=e.at, by_role=e.by_role, text=e.text, file_name=e.file_name, file_sha256=e.file_sha256
            )
            for e in queries.thread(session, case.id)
        ]
        if thread
        else [],
        told=told,
        outcome=case.outcome,
        remedy=case.remedy,
        answered_late=case.answered_late,
        accepted_late=case.accepted_late,
        decided_late=case.decided_late,
        late_recorded=sorted(service.late_recorded(case)),
    )


@router.get("", response_model=list[CaseRead], summary="我的案件")
def list_cases(db: Db, me: SignedIn, ctx: Ctx) -> list[CaseRead]:
    """当事人看到本单位的案件，行政监督部门看到本行业受理的投诉。"""
    return [read_of(db, c, ctx.clock, thread=False) for c in queries.cases_of(db, me.actor)]


@router.post("/objections", response_model=CaseRead, status_code=201, summary="提出异议（质疑）")
def file_objection(body: ObjectionIn, db: Db, me: SignedIn, ctx: Ctx) -> CaseRead:
    case = service.file_objection(
        db,
        me.actor,
        section_id=body.section_id,
        matter=body.matter,
        points=body.points,
        claims=body.claims,
        known_at=body.known_at,
        clock=ctx.clock,
    )
    return read_of(db, case, ctx.clock)


@router.post("/complaints", response_model=CaseRead, status_code=201, summary="提出投诉")
def file_complaint(body: ComplaintIn, db: Db, me: SignedIn, ctx: Ctx) -> CaseRead:
    """投诉送达项目所属行业的行政监督部门；送错的转送并告知，重复投诉由先收到的部门处理。"""
    case, told = complaints.file_complaint(
        db,
        me.actor,
        section_id=body.section_id,
        matter=body.matter,
        points=body.points,
        claims=body.claims,
        to_sector=body.to_sector,
        objection_id=body.objection_id,
        known_at=body.known_at,
        clock=ctx.clock,
    )
    return read_of(db, case, ctx.clock, told=told)


@router.get("/{case_id}", response_model=CaseRead, summary="案件详情")
def get_case(case_id: str, db: Db, me: SignedIn, ctx: Ctx) -> CaseRead:
    case = queries.get_case(db, case_id)
    queries.ensure_may_read(db, me.actor, case)
    return read_of(db, case, ctx.clock)


@router.post("/{case_id}/answer", response_model=CaseRead, summary="答复异议（质疑）")
def answer(case_id: str, body: AnswerIn, db: Db, me: SignedIn, ctx: Ctx) -> CaseRead:
    return read_of(
        db, service.answer_objection(db, me.actor, case_id=case_id, answer=body.answer, clock=ctx.clock), ctx.clock
    )


@router.post("/{case_id}/accept", response_model=CaseRead, summary="受理投诉")
def accept(case_id: str, db: Db, me: SignedIn, ctx: Ctx) -> CaseRead:
    return read_of(db, complaints.accept_complaint(db, me.actor, case_id=case_id, clock=ctx.clock), ctx.clock)


@router.post("/{case_id}/refuse", response_model=CaseRead, summary="不予受理投诉")
def refuse(case_id: str, body: ReasonIn, db: Db, me: SignedIn, ctx: Ctx) -> CaseRead:
    return read_of(
        db, complaints.refuse_complaint(db, me.actor, case_id=case_id, reason=body.reason, clock=ctx.clock), ctx.clock
    )


@router.post("/{case_id}/pause", response_model=CaseRead, summary="中止计算处理期限")
def pause(case_id: str, body: ReasonIn, db: Db, me: SignedIn, ctx: Ctx) -> CaseRead:
    complaints.pause_clock(db, me.actor, case_id=case_id, reason=body.reason, clock=ctx.clock)
    return read_of(db, queries.get_case(db, case_id), ctx.clock)


@router.post("/{case_id}/resume", response_model=CaseRead, summary="恢复计算处理期限")
def resume(case_id: str, db: Db, me: SignedIn, ctx: Ctx) -> CaseRead:
    return read_of(db, complaints.resume_clock(db, me.actor, case_id=case_id, clock=ctx.clock), ctx.clock)


@router.post("/{case_id}/suspension", response_model=CaseRead, summary="责令暂停")
def suspend(case_id: str, body: SuspensionIn, db: Db, me: SignedIn, ctx: Ctx) -> CaseRead:
    case = complaints.order_suspension(
        db, me.actor, case_id=case_id, steps=set(body.steps), reason=body.reason, clock=ctx.clock
    )
    return read_of(db, case, ctx.clock)


@router.post("/{case_id}/entries", response_model=CaseRead, status_code=201, summary="陈述、询问、答复、指导")
def add_entry(case_id: str, body: EntryIn, db: Db, me: SignedIn, ctx: Ctx) -> CaseRead:
    service.add_entry(
        db, me.actor, case_id=case_id, kind=body.kind, text=body.text, to_org_id=body.to_org_id, clock=ctx.clock
    )
    return read_of(db, queries.get_case(db, case_id), ctx.clock)


@router.post("/{case_id}/decision", response_model=CaseRead, summary="作出处理决定")
def decide(case_id: str, body: DecisionIn, db: Db, me: SignedIn, ctx: Ctx) -> CaseRead:
    case = decisions.decide(
        db,
        me.actor,
        case_id=case_id,
        outcome=body.outcome,
        remedy=body.remedy,
        decision=body.decision,
        malicious=body.malicious,
        clock=ctx.clock,
    )
    return read_of(db, case, ctx.clock)


@router.post("/{case_id}/compliance", response_model=CaseRead, summary="按处理决定整改")
def comply(case_id: str, body: ComplyIn, db: Db, me: SignedIn, ctx: Ctx) -> CaseRead:
    case = decisions.comply(db, me.actor, case_id=case_id, title=body.title, body=body.body, clock=ctx.clock)
    return read_of(db, case, ctx.clock)
