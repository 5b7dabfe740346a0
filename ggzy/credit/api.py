"""信用接口 — /api/v1/credit: the public credit page, sanctions, listing, objections, imports, checks."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from ggzy.core import policy
from ggzy.core.errors import Forbidden, Invalid
from ggzy.credit import enforce, imports, queries, service
from ggzy.credit.models import CreditRecord
from ggzy.credit.schemas import CheckRead, HandlingIn, ImportRead, ObjectionIn, RecordRead, SanctionIn, SanctionRead
from ggzy.entities import credit_code as codes
from ggzy.web.deps import Ctx, CurrentActor, Db, SignedIn

router = APIRouter(prefix="/credit", tags=["信用"])
MAX_IMPORT_BYTES = 8 << 20


def read_of(session: Session, r: CreditRecord) -> RecordRead:
    return RecordRead(
        id=r.id,
        credit_code=r.credit_code,
        org_name=r.org_name,
        source=r.source,
        source_ref=r.source_ref,
        title=r.title,
        basis=r.basis,
        status=r.status,
        listed_at=r.listed_at,
        display_until=r.display_until,
        sanctions=[
            SanctionRead(
                measure=s.measure,
                citation=s.citation,
                trade_classes=s.trade_classes.split(","),
                regions=[x for x in s.regions.split(",") if x],
                starts=s.starts,
                ends=s.ends,
            )
            for s in queries.sanctions_of(session, r.id)
        ],
    )


@router.get("/entities/{credit_code}", response_model=list[RecordRead], summary="主体公开信用信息")
def public(credit_code: str, db: Db, actor: CurrentActor, ctx: Ctx) -> list[RecordRead]:
    """依法可公开的失信信息（公开期限不超过5年，仍在惩戒期的除外；修复后不再公开）。"""
    policy.ensure(actor, policy.PORTAL_VIEW)
    code = codes.validate(credit_code)
    return [read_of(db, e.record) for e in queries.public_page(db, code, ctx.clock.now())]


class ListedRead(BaseModel):
    credit_code: str
    org_name: str


@router.get("/listed", response_model=list[ListedRead], summary="公示中的失信主体")
def listed(db: Db, actor: CurrentActor, ctx: Ctx) -> list[ListedRead]:
    """信用信息页面的公示名单：当前依法公示失信信息的主体（统一社会信用代码与名称），新近记录的在前。"""
    policy.ensure(actor, policy.PORTAL_VIEW)
    return [ListedRead(credit_code=c, org_name=n) for c, n in queries.listed_codes(db, ctx.clock.now())]


@router.get("/records/{record_id}", response_model=RecordRead, summary="一条信用记录")
def record(record_id: str, db: Db, me: SignedIn) -> RecordRead:
    """信用记录及其惩戒措施：信用主体本单位和监管部门可以查看（与记录页面相同）。"""
    r = queries.get_record(db, record_id)
    if not (
        policy.can(me.actor, policy.CREDIT_RECORD)
        or policy.can(me.actor, policy.CREDIT_OBJECT, policy.Subject("credit", frozenset({r.org_id or ""})))
    ):
        raise Forbidden("只有信用主体本单位和监管部门可以查看此记录")
    return read_of(db, r)


@router.post("/sanctions", response_model=RecordRead, status_code=201, summary="记录处理处罚决定与惩戒措施")
def record_sanction(body: SanctionIn, db: Db, me: SignedIn, ctx: Ctx) -> RecordRead:
    r = service.record_sanction(
        db,
        me.actor,
        org_id=body.org_id,
        title=body.title,
        basis=body.basis,
        source_ref=body.source_ref,
        measure=body.measure,
        classes=body.classes,
        regions=body.regions,
        starts=body.starts,
        ends=body.ends,
        person_name=body.person_name,
        clock=ctx.clock,
    )
    return read_of(db, r)


@router.post("/records/{record_id}/listing", response_model=RecordRead, summary="书面告知后列入")
def list_record(record_id: str, db: Db, me: SignedIn, ctx: Ctx) -> RecordRead:
    return read_of(db, service.list_record(db, me.actor, record_id=record_id, clock=ctx.clock))


@router.post("/records/{record_id}/objections", status_code=201, summary="对信用记录提出异议")
def object_to(record_id: str, body: ObjectionIn, db: Db, me: SignedIn, ctx: Ctx) -> dict[str, str]:
    o = service.object_to_record(
        db, me.actor, record_id=record_id, text=body.text, with_source=body.with_source, clock=ctx.clock
    )
    return {"id": o.id, "due_at": o.due_at.isoformat()}


@router.post("/objections/{objection_id}/handling", summary="处理信用异议")
def handle(objection_id: str, body: HandlingIn, db: Db, me: SignedIn, ctx: Ctx) -> dict[str, object]:
    o = service.handle_objection(
        db, me.actor, objection_id=objection_id, upheld=body.upheld, note=body.note, clock=ctx.clock
    )
    return {"id": o.id, "upheld": o.upheld, "late": o.late}


@router.post("/records/{record_id}/repair-request", response_model=RecordRead, summary="申请信用修复")
def request_repair(record_id: str, db: Db, me: SignedIn, ctx: Ctx) -> RecordRead:
    return read_of(db, service.request_repair(db, me.actor, record_id=record_id, clock=ctx.clock))


@router.post("/records/{record_id}/repair", response_model=RecordRead, summary="信用修复")
def repair(record_id: str, db: Db, me: SignedIn, ctx: Ctx) -> RecordRead:
    return read_of(db, service.repair(db, me.actor, record_id=record_id, clock=ctx.clock))


@router.post("/imports", response_model=ImportRead, summary="导入名单（CSV 或 xlsx，请求体为文件内容）")
async def import_list(
    request: Request,
    me: SignedIn,
    ctx: Ctx,
    list_name: Annotated[str, Query(max_length=40)],
    filename: Annotated[str, Query(max_length=200)],
) -> ImportRead:
    """逐行校验：格式有误的行按行号报告，其余行照常导入。"""
    data = b""
    async for chunk in request.stream():
        data += chunk
        if len(data) > MAX_IMPORT_BYTES:
            raise Invalid("文件超过 8 MB", code="too-large")

    def run() -> imports.ImportReport:
        with ctx.db.unit_of_work() as s:
            return imports.import_list(s, me.actor, list_name=list_name, filename=filename, data=data, clock=ctx.clock)

    report = await run_in_threadpool(run)
    return ImportRead(kept=report.kept, problems=report.problems)


@router.get("/checks/refused", response_model=list[CheckRead], summary="被拒绝的失信主体参与记录")
def refused(db: Db, me: SignedIn) -> list[CheckRead]:
    policy.ensure(me.actor, policy.ALERT_READ)
    return [
        CheckRead(
            id=c.id,
            at=c.at,
            step=c.step,
            section_id=c.section_id,
            org_id=c.org_id,
            outcome=c.outcome,
            sanctions=json.loads(c.sanctions),
        )
        for c in queries.refusals(db)
    ]


@router.post("/checks/{check_id}/review", response_model=CheckRead, summary="核查被拒绝的参与记录")
def review_check(check_id: str, db: Db, ctx: Ctx, me: SignedIn) -> CheckRead:
    """监管部门已核查一条被拒绝的失信主体参与记录（离开工作台，记录保留）。"""
    c = enforce.review_refusal(db, me.actor, check_id=check_id, clock=ctx.clock)
    return CheckRead(
        id=c.id,
        at=c.at,
        step=c.step,
        section_id=c.section_id,
        org_id=c.org_id,
        outcome=c.outcome,
        sanctions=json.loads(c.sanctions),
    )
