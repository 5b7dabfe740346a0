"""定标接口 — publicity, objections, award, contract and the dossier over the API: the same verbs and policy as the
pages; errors are RFC 9457 problem+json (ggzy/web/errors.py)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile
from sqlalchemy.orm import Session

from ggzy.award import archive, contracts, pages, performance, queries, service
from ggzy.award.models import Performance
from ggzy.award.schemas import (
    AwardRead,
    CandidateRead,
    ContractDraft,
    ContractRead,
    DossierBrief,
    DossierFile,
    DossierRead,
    ObjectionAnswer,
    ObjectionFile,
    ObjectionRead,
    PerformanceHandling,
    PerformanceObjection,
    PerformanceRead,
    ReportSubmit,
    WinnerChoose,
)
from ggzy.cases import queries as case_queries
from ggzy.cases.models import Case
from ggzy.cases.states import ClockKind
from ggzy.core import policy
from ggzy.core.actor import Actor
from ggzy.core.errors import DomainError
from ggzy.projects import queries as projects
from ggzy.projects.states import SectionStatus
from ggzy.web.deps import Ctx, Db, SignedIn

router = APIRouter(tags=["定标与合同"])


def objection_read(o: Case, due: datetime | None) -> ObjectionRead:
    return ObjectionRead(
        id=o.id,
        number=o.number,
        org_id=o.complainant_org_id,
        text=o.claims,
        filed_at=o.filed_at,
        due_at=due or o.filed_at,
        answer=o.answer or None,
        answered_at=o.answered_at,
        late=o.answered_late or "answer" in (o.late_recorded or ""),
        case_url=f"/cases/{o.id}",
    )


def read(db: Session, actor: Actor, section_id: str) -> AwardRead:
    c = pages.context(db, actor, section_id)
    a = queries.get_award(db, section_id)
    contract = c["contract"]
    status = SectionStatus(c["s"].status)
    return AwardRead(
        section_id=section_id,
        status=status.value,
        status_label=status.label,
        published_at=a.published_at,
        publicity_ends_at=a.publicity_ends_at,
        published_late=a.published_late,
        candidates=[CandidateRead(**x) for x in c["candidates"]],
        objections=[objection_read(o, due) for o, _, due in c["objections"]],
        winner_org_id=a.winner_org_id,
        winner_rank=a.winner_rank,
        awarded_at=a.awarded_at,
        notice_sha256=a.notice_sha256,
        contract_due_at=a.contract_due_at,
        report_due_at=a.report_due_at,
        contract=ContractRead(
            id=contract.id,
            source=contract.source,
            sha256=contract.sha256,
            amount=contract.amount,
            security=contract.security,
            duration_days=contract.duration_days,
            differences=json.loads(contract.differences),
            tenderer_signed_at=contract.tenderer_signed_at,
            winner_signed_at=contract.winner_signed_at,
            signed_at=contract.signed_at,
        )
        if contract
        else None,
    )


@router.get("/sections/{section_id}/award", response_model=AwardRead)
def get_award(section_id: str, db: Db, principal: SignedIn) -> AwardRead:
    """中标候选人公示、异议、定标与合同的情况。"""
    return read(db, principal.actor, section_id)


@router.post("/sections/{section_id}/award/publish", response_model=AwardRead, status_code=201)
def publish(section_id: str, db: Db, ctx: Ctx, principal: SignedIn) -> AwardRead:
    """招标人公示中标候选人（评标报告签署后3日内，公示不少于3日）。"""
    service.publish_candidates(db, principal.actor, section_id=section_id, clock=ctx.clock)
    return read(db, principal.actor, section_id)


@router.post("/sections/{section_id}/award/objections", response_model=ObjectionRead, status_code=201)
def file_objection(section_id: str, body: ObjectionFile, db: Db, ctx: Ctx, principal: SignedIn) -> ObjectionRead:
    """本标段投标人在公示期间对评标结果提出异议（质疑）：形成异议案件，作出答复前暂停定标。"""
    o = service.file_objection(db, principal.actor, section_id=section_id, text=body.text, clock=ctx.clock)
    return objection_read(o, case_queries.clocks(db, o)[ClockKind.ANSWER].due_at())


@router.post("/award-objections/{objection_id}/answer", response_model=AwardRead)
def answer_objection(objection_id: str, body: ObjectionAnswer, db: Db, ctx: Ctx, principal: SignedIn) -> AwardRead:
    """招标人答复对评标结果的异议（质疑）案件（逾期答复记为逾期并报送监督）。"""
    o = service.answer_objection(db, principal.actor, objection_id=objection_id, answer=body.answer, clock=ctx.clock)
    return read(db, principal.actor, o.section_id)


@router.post("/sections/{section_id}/award/winner", response_model=AwardRead)
def choose(section_id: str, body: WinnerChoose, db: Db, ctx: Ctx, principal: SignedIn) -> AwardRead:
    """确定中标人并发出中标通知书（公示期满、无暂停；只能是公示的候选人）。"""
    service.award(
        db,
        principal.actor,
        section_id=section_id,
        winner_org_id=body.winner_org_id,
        reason=body.reason,
        clock=ctx.clock,
        files=ctx.files,
        notifier=ctx.notifier,
    )
    return read(db, principal.actor, section_id)


@router.post("/sections/{section_id}/award/report", response_model=AwardRead)
def report(section_id: str, body: ReportSubmit, db: Db, ctx: Ctx, principal: SignedIn) -> AwardRead:
    """向行政监督部门提交书面报告（确定中标人之日起15日内）。"""
    service.report_to_supervisor(db, principal.actor, section_id=section_id, text=body.text, clock=ctx.clock)
    return read(db, principal.actor, section_id)


@router.post("/sections/{section_id}/award/contract", response_model=AwardRead, status_code=201)
def draft(section_id: str, body: ContractDraft, db: Db, ctx: Ctx, principal: SignedIn) -> AwardRead:
    """招标人按中标结果起草合同（履约保证金不超过合同金额的10%）。"""
    contracts.create_contract(
        db,
        principal.actor,
        section_id=section_id,
        amount=body.amount,
        security=body.security,
        duration_days=body.duration_days,
        terms_text=body.terms,
        clock=ctx.clock,
        files=ctx.files,
    )
    return read(db, principal.actor, section_id)


@router.post("/sections/{section_id}/award/sign", response_model=AwardRead)
def sign(section_id: str, db: Db, ctx: Ctx, principal: SignedIn) -> AwardRead:
    """招标人或中标人签署合同；双方签署后合同公告，档案随即封存。"""
    pages.sign_and_seal(db, ctx, principal.actor, section_id)
    return read(db, principal.actor, section_id)


@router.get("/archive", response_model=list[DossierBrief], summary="已封存的交易档案")
def dossiers(db: Db, principal: SignedIn) -> list[DossierBrief]:
    """调用者可查阅的已封存交易档案（与「交易档案」页面相同：审计、纪检与其监督范围内的人员）。"""
    actor = principal.actor
    policy.ensure(actor, policy.ARCHIVE_READ)
    out = []
    for d in queries.dossiers(db):
        p = projects.get_project(db, d.project_id)
        if policy.can(actor, policy.ARCHIVE_READ, projects.subject_of(p)):
            s = projects.get_section(db, d.section_id)
            out.append(
                DossierBrief(
                    section_id=s.id,
                    section_code=s.code,
                    section_name=s.name,
                    project_id=p.id,
                    project_name=p.name,
                    sealed_at=d.sealed_at,
                    files=d.files,
                    size=d.size,
                    manifest_sha256=d.manifest_sha256,
                    retain_until=d.retain_until,
                )
            )
    return out


@router.get("/archive/{section_id}", response_model=DossierRead)
def dossier(section_id: str, db: Db, ctx: Ctx, principal: SignedIn) -> DossierRead:
    """交易档案：文件清单、摘要、记录它们的日志事件与保存期限。"""
    d = archive.get_dossier(db, principal.actor, section_id)
    return DossierRead(
        section_id=section_id,
        sealed_at=d.sealed_at,
        manifest_sha256=d.manifest_sha256,
        event_seq=d.event_seq,
        retention_years=d.retention_years,
        retain_until=d.retain_until,
        retention_basis=d.retention_basis,
        files=[DossierFile(**f) for f in archive.manifest_of(ctx.files, d)["files"]],
    )


def performance_read(p: Performance) -> PerformanceRead:
    return PerformanceRead(
        id=p.id,
        contract_id=p.contract_id,
        supplier_org_id=p.supplier_org_id,
        outcome=p.outcome,
        outcome_label=performance.Outcome(p.outcome).label,
        text=p.text,
        file_name=p.file_name,
        file_sha256=p.file_sha256,
        status=p.status,
        status_label=performance.Status(p.status).label,
        recorded_at=p.recorded_at,
        objection=p.objection,
        objected_at=p.objected_at,
        objection_due_at=p.objection_due_at,
        handled_at=p.handled_at,
        upheld=p.upheld,
        handling_note=p.handling_note,
        handled_late=p.handled_late,
        confirmed_at=p.confirmed_at,
        credit_record_id=p.credit_record_id,
    )


@router.get("/sections/{section_id}/award/performance", response_model=list[PerformanceRead], summary="合同履约评价")
def list_performance(section_id: str, db: Db, principal: SignedIn) -> list[PerformanceRead]:
    """合同履约评价（招标人、代理机构、中标供应商和监督部门可见）。"""
    performance.ensure_may_read(db, principal.actor, section_id)
    return [performance_read(p) for p in performance.of_section(db, section_id)]


@router.post(
    "/sections/{section_id}/award/performance",
    response_model=PerformanceRead,
    status_code=201,
    summary="记录合同履约评价",
)
async def record_performance(
    section_id: str,
    ctx: Ctx,
    principal: SignedIn,
    outcome: Annotated[performance.Outcome, Form(description="履约情况")],
    text: Annotated[str, Form(max_length=3000, description="说明")],
    evidence: Annotated[UploadFile | None, File(description="证明材料（不良评价必须上传）")] = None,
) -> PerformanceRead:
    """招标人（采购人）记录合同履约评价：按约履行、延期、质量缺陷、违约或解除，附证明材料。"""
    saved = await pages.save_evidence(ctx, evidence)
    try:
        with ctx.db.unit_of_work() as s:
            p = performance.record(
                s, principal.actor, section_id=section_id, outcome=outcome, text=text, evidence=saved, clock=ctx.clock
            )
            return performance_read(p)
    except DomainError:
        if saved:
            ctx.files.delete(saved[1].path)
        raise


@router.post("/performance/{performance_id}/objection", response_model=PerformanceRead, summary="对履约评价提出异议")
def object_to_performance(
    performance_id: str, body: PerformanceObjection, db: Db, ctx: Ctx, principal: SignedIn
) -> PerformanceRead:
    """中标供应商对履约评价提出异议（一次；监督部门3个工作日内处理）。"""
    p = performance.object_to(db, principal.actor, performance_id=performance_id, text=body.text, clock=ctx.clock)
    return performance_read(p)


@router.post("/performance/{performance_id}/handling", response_model=PerformanceRead, summary="处理对履约评价的异议")
def handle_performance_objection(
    performance_id: str, body: PerformanceHandling, db: Db, ctx: Ctx, principal: SignedIn
) -> PerformanceRead:
    """监督部门处理供应商对履约评价的异议：成立则撤销评价。"""
    p = performance.handle_objection(
        db, principal.actor, performance_id=performance_id, upheld=body.upheld, note=body.note, clock=ctx.clock
    )
    return performance_read(p)


@router.post("/performance/{performance_id}/confirmation", response_model=PerformanceRead, summary="确认不良履约评价")
def confirm_performance(performance_id: str, db: Db, ctx: Ctx, principal: SignedIn) -> PerformanceRead:
    """监督部门确认不良履约评价，形成信用记录（列入前书面告知）。"""
    p = performance.confirm(db, principal.actor, performance_id=performance_id, clock=ctx.clock)
    return performance_read(p)
