"""评标接口 — the evaluation room over the API: the same verbs and policy checks as the pages."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response, StreamingResponse
from sqlalchemy.orm import Session

from ggzy.core.actor import Actor
from ggzy.core.errors import Invalid
from ggzy.evaluation import bills, methods, opened, queries, service
from ggzy.evaluation.models import Evaluation
from ggzy.evaluation.schemas import (
    AnswerSubmit,
    BidRead,
    CandidateRead,
    EvaluationBrief,
    EvaluationOpen,
    EvaluationRead,
    MemberRead,
    QuestionAsk,
    QuestionRead,
    QuoteSubmit,
    RecordSubmit,
    RoundOpen,
    SheetSubmit,
)
from ggzy.evaluation.states import EvaluationStatus
from ggzy.projects import queries as projects
from ggzy.web.context import AppContext
from ggzy.web.deps import Ctx, Db, SignedIn, content_disposition

router = APIRouter(tags=["评标"])


def read(db: Session, e: Evaluation) -> EvaluationRead:
    revealed = queries.is_revealed(e)
    return EvaluationRead(
        id=e.id,
        section_id=e.section_id,
        kind=e.kind,
        method=json.loads(e.method),
        status=e.status,
        status_label=EvaluationStatus(e.status).label,
        members=[
            MemberRead(seat=m.seat, chair=m.is_chair, submitted=m.submitted_at is not None)
            for m in queries.members(db, e.id)
        ],
        bids=[
            BidRead(
                org_id=b.org_id,
                name=b.name,
                price=b.price,
                evaluated=b.evaluated,
                notes=[n["text"] for n in json.loads(b.notes)],
                excluded=b.excluded,
                rejected=bool(b.ground),
                reasons=json.loads(b.reasons),
                subjective=b.subjective if revealed else None,
                price_score=b.price_score if revealed else None,
                total=b.total if revealed else None,
                rank=b.rank if revealed else None,
            )
            for b in queries.bids(db, e.id)
        ],
        quote_round=e.quote_round,
        quotes_done=e.quotes_done,
        report_sha256=e.report_sha256,
    )


def open_now(db: Session, ctx: AppContext, actor: Actor, section_id: str, body: EvaluationOpen) -> Evaluation:
    method = (
        methods.from_json(body.method)
        if body.method
        else methods.preset(body.kind)
        if body.kind in set(methods.Kind)
        else None
    )
    if method is None:
        raise Invalid(f"未知的评标办法：{body.kind}", code="method-kind")
    try:
        tender = bills.parse(body.tender_bill, priced=False) if body.tender_bill else None
    except bills.BillUnreadable as exc:
        raise Invalid(f"招标工程量清单无法识别：{exc}", code="tender-bill") from None
    chair = body.chair
    if body.chair_seat is not None:
        section = projects.get_section(db, section_id)
        members = body.members if body.members is not None else service.seated(db, section)
        if body.chair_seat > len(members):
            raise Invalid(f"没有席位{body.chair_seat}", code="committee-chair")
        chair = members[body.chair_seat - 1]
    return service.open_evaluation(
        db,
        actor,
        section_id=section_id,
        members=body.members,
        direct=body.direct,
        chair=chair,
        method=method,
        clock=ctx.clock,
        ceiling=body.ceiling,
        tender_bill=tender,
        read_file=opened.archive_reader(ctx.files, ctx.opening),
    )


@router.post("/sections/{section_id}/evaluation", response_model=EvaluationRead, status_code=201)
def open_evaluation(section_id: str, body: EvaluationOpen, db: Db, ctx: Ctx, principal: SignedIn) -> EvaluationRead:
    """开启评标：交易中心工作人员以专家抽取确定的评标委员会开启评标室并记录成员推举的组长，平台随即清标。"""
    return read(db, open_now(db, ctx, principal.actor, section_id, body))


@router.get("/evaluations", response_model=list[EvaluationBrief], summary="我可见的评标")
def list_evaluations(db: Db, principal: SignedIn) -> list[EvaluationBrief]:
    """与「评标」页面相同：专家（及评标委员会中的招标人代表）本人参加的，投标人本单位参与的，交易中心与监督机构的全部，
    行业监管部门本行业的。"""
    out = []
    for e in queries.visible(db, principal.actor):
        s = projects.get_section(db, e.section_id)
        p = projects.get_project(db, s.project_id)
        status = EvaluationStatus(e.status)
        out.append(
            EvaluationBrief(
                id=e.id,
                section_id=s.id,
                section_code=s.code,
                section_name=s.name,
                project_name=p.name,
                kind=e.kind,
                status=status.value,
                status_label=status.label,
            )
        )
    return out


@router.get("/evaluations/{evaluation_id}", response_model=EvaluationRead)
def get_evaluation(evaluation_id: str, db: Db, principal: SignedIn) -> EvaluationRead:
    """评标进度与清标结果（全部专家提交前不含任何评分）。"""
    e, _ = service.room(db, principal.actor, evaluation_id=evaluation_id)
    return read(db, e)


@router.get("/evaluations/{evaluation_id}/my-sheet")
def my_sheet(evaluation_id: str, db: Db, principal: SignedIn) -> dict[str, Any]:
    """本人已提交的评审表。"""
    e, _ = service.room(db, principal.actor, evaluation_id=evaluation_id)
    uid = principal.actor.user_id or ""
    s = queries.sheet_for(db, e, reader_id=uid, member_id=uid)
    return s.to_json() if s else {}


@router.post("/evaluations/{evaluation_id}/sheet", response_model=EvaluationRead)
def submit_sheet(evaluation_id: str, body: SheetSubmit, db: Db, ctx: Ctx, principal: SignedIn) -> EvaluationRead:
    """评标专家提交评审表（每人一次；分值须在各因素满分范围内）。"""
    service.submit_sheet(db, principal.actor, evaluation_id=evaluation_id, sheet=body.model_dump(), clock=ctx.clock)
    return read(db, queries.get_evaluation(db, evaluation_id))


@router.post("/evaluations/{evaluation_id}/questions", response_model=QuestionRead, status_code=201)
def ask(evaluation_id: str, body: QuestionAsk, db: Db, ctx: Ctx, principal: SignedIn) -> QuestionRead:
    """评标委员会成员向投标人发出书面澄清。"""
    q = service.ask_question(
        db, principal.actor, evaluation_id=evaluation_id, org_id=body.org_id, question=body.question, clock=ctx.clock
    )
    return QuestionRead(id=q.id, org_id=q.org_id, question=q.question, answer=q.answer)


@router.post("/evaluation-questions/{question_id}/answer", response_model=QuestionRead)
def answer(question_id: str, body: AnswerSubmit, db: Db, ctx: Ctx, principal: SignedIn) -> QuestionRead:
    """投标人书面答复澄清。"""
    q = service.answer_question(db, principal.actor, question_id=question_id, answer=body.answer, clock=ctx.clock)
    return QuestionRead(id=q.id, org_id=q.org_id, question=q.question, answer=q.answer)


@router.post("/evaluations/{evaluation_id}/rounds", response_model=EvaluationRead)
def open_round(evaluation_id: str, body: RoundOpen, db: Db, ctx: Ctx, principal: SignedIn) -> EvaluationRead:
    """开始一轮报价（竞争性谈判、磋商、单一来源）；final 为最后报价。"""
    return read(
        db, service.open_round(db, principal.actor, evaluation_id=evaluation_id, final=body.final, clock=ctx.clock)
    )


@router.post("/evaluations/{evaluation_id}/rounds/close", response_model=EvaluationRead)
def close_round(evaluation_id: str, db: Db, ctx: Ctx, principal: SignedIn) -> EvaluationRead:
    """结束本轮报价。"""
    return read(db, service.close_round(db, principal.actor, evaluation_id=evaluation_id, clock=ctx.clock))


@router.post("/evaluations/{evaluation_id}/quotes", status_code=201)
def quote(evaluation_id: str, body: QuoteSubmit, db: Db, ctx: Ctx, principal: SignedIn) -> dict[str, Any]:
    """供应商提交本轮报价。"""
    q = service.submit_quote(db, principal.actor, evaluation_id=evaluation_id, price=body.price, clock=ctx.clock)
    return {"round": q.round, "price": str(q.price), "final": q.final}


@router.post("/evaluations/{evaluation_id}/negotiation-record", response_model=EvaluationRead)
def negotiation_record(evaluation_id: str, body: RecordSubmit, db: Db, ctx: Ctx, principal: SignedIn) -> EvaluationRead:
    """记录单一来源采购协商情况。"""
    e = service.record_negotiation(
        db, principal.actor, evaluation_id=evaluation_id, record=body.record, clock=ctx.clock
    )
    return read(db, e)


@router.post("/evaluations/{evaluation_id}/report", response_model=EvaluationRead)
def sign_report(evaluation_id: str, db: Db, ctx: Ctx, principal: SignedIn) -> EvaluationRead:
    """组长汇总并签署评标报告（PDF 的 SHA-256 签入日志）。"""
    e = service.sign_report(db, principal.actor, evaluation_id=evaluation_id, clock=ctx.clock, files=ctx.files)
    return read(db, e)


@router.get("/evaluations/{evaluation_id}/report.pdf")
def report_pdf(evaluation_id: str, db: Db, ctx: Ctx, principal: SignedIn) -> Response:
    """下载已签署的评标报告（PDF）。"""
    e = service.report_file(db, principal.actor, evaluation_id=evaluation_id)
    assert e.report_path is not None
    return StreamingResponse(
        ctx.files.read(e.report_path),
        media_type="application/pdf",
        headers={"content-disposition": content_disposition("评标报告.pdf"), "x-sha256": e.report_sha256 or ""},
    )


@router.get("/sections/{section_id}/ranking", response_model=list[CandidateRead])
def ranking(section_id: str, db: Db, principal: SignedIn) -> list[CandidateRead]:
    """评标报告签署后的中标候选人排序。"""
    e = queries.of_section(db, section_id)
    if e is not None:
        service.report_file(db, principal.actor, evaluation_id=e.id)
    return [CandidateRead(**c.__dict__) for c in queries.final_ranking(db, section_id)]
