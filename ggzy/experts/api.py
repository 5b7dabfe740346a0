"""专家接口 — the pool, the draw and the answers over the API: the same verbs and policy checks as the pages."""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from ggzy.core import policy
from ggzy.core.actor import Actor
from ggzy.core.errors import Invalid
from ggzy.entities import queries as entities
from ggzy.experts import queries, service, verify, xlsx
from ggzy.experts.schemas import (
    AnswerIn,
    DrawIn,
    DrawRead,
    ExpertRead,
    InvitationRead,
    SeatRead,
    SpecialityIn,
    StatusIn,
)
from ggzy.experts.states import DrawStatus, ExpertStatus
from ggzy.projects import queries as projects
from ggzy.web.deps import Ctx, CurrentActor, Db, SignedIn
from ggzy.web.params import Position

router = APIRouter(prefix="/experts", tags=["评标专家"])
Limit = Annotated[int, Query(ge=1, le=1000)]


def draw_read(db: Session, actor: Actor, draw_id: str) -> DrawRead:
    v = service.view(db, actor, draw_id)
    d = v.draw
    return DrawRead(
        id=d.id,
        section_id=d.section_id,
        status=d.status,
        status_label=DrawStatus(d.status).label,
        seats=v.seats,
        eligible_sha256=d.eligible_sha256,
        eligible_counts=v.counts,
        commit_seq=d.commit_seq,
        opening_seq=d.opening_seq,
        checkpoint_size=d.checkpoint_size,
        seed_key=d.seed_key,
        calls=[
            SeatRead(
                seat=c.seat, speciality=c.group, index=c.index, pseudonym=c.pseudonym, status=c.status, name=c.name
            )
            for c in v.calls
        ],
        names_shown=v.names_shown,
    )


def request_of(body: DrawIn) -> service.DrawRequest:
    if (body.seats is None) == (body.counts is None):
        raise Invalid("请给出 seats（每席专业）或 counts（各专业人数）之一", code="draw-seats")
    kw: dict[str, Any] = {
        "evaluation_on": body.evaluation_on,
        "representatives": body.representatives,
        "exclude_regions": body.exclude_regions,
        "require_regions": body.require_regions,
        "exclude_tenderer_region": body.exclude_tenderer_region,
        "answer_minutes": body.answer_minutes,
    }
    if body.counts is not None:
        if any(n < 0 or n > 49 for n in body.counts.values()):
            raise Invalid("各专业人数须在0至49之间", code="draw-seats")
        return service.DrawRequest.from_counts(body.counts, **kw)
    return service.DrawRequest(seats=list(body.seats or []), **kw)


@router.get("/pool", response_model=list[ExpertRead])
def pool(
    db: Db,
    principal: SignedIn,
    speciality: str = "",
    region: str = "",
    status: str = "",
    limit: Limit = 200,
    offset: Position = 0,
) -> list[ExpertRead]:
    """评标专家库（公管办、交易中心、审计与纪检监察）。"""
    policy.ensure(principal.actor, policy.EXPERT_POOL_READ)
    experts = queries.list_experts(db, speciality=speciality, region=region, status=status, limit=limit, offset=offset)
    specs = queries.specialities_of(db, [e.user_id for e in experts])
    out = []
    for e in experts:
        u = entities.get_user(db, e.user_id)
        out.append(
            ExpertRead(
                user_id=e.user_id,
                username=u.username,
                name=u.display_name,
                region=e.region,
                employer=e.employer_name,
                specialities=specs.get(e.user_id, []),
                status=e.status,
                status_label=ExpertStatus(e.status).label,
            )
        )
    return out


@router.post("/specialities", status_code=201)
def define(body: SpecialityIn, db: Db, ctx: Ctx, principal: SignedIn) -> dict[str, str | None]:
    """增加或修改评标专业分类（公管办）。"""
    s = service.define_speciality(db, principal.actor, code=body.code, name=body.name, clock=ctx.clock)
    return {"code": s.code, "name": s.name, "parent": s.parent}


@router.post("/pool/{user_id}/status", response_model=ExpertRead)
def status(user_id: str, body: StatusIn, db: Db, ctx: Ctx, principal: SignedIn) -> ExpertRead:
    """暂停、恢复或除名评标专家（须写明原因）。"""
    e = service.set_status(
        db, principal.actor, user_id=user_id, status=body.status, reason=body.reason, clock=ctx.clock
    )
    u = entities.get_user(db, e.user_id)
    return ExpertRead(
        user_id=e.user_id,
        username=u.username,
        name=u.display_name,
        region=e.region,
        employer=e.employer_name,
        specialities=queries.specialities_of(db, [e.user_id]).get(e.user_id, []),
        status=e.status,
        status_label=ExpertStatus(e.status).label,
    )


@router.post("/sections/{section_id}/draws", response_model=DrawRead, status_code=201)
def request_draw(section_id: str, body: DrawIn, db: Db, ctx: Ctx, principal: SignedIn) -> DrawRead:
    """招标人或代理机构申请抽取评标专家：校验组成规则、回避后，平台在日志中承诺候选名单摘要与种子来源。"""
    d = service.request_draw(db, principal.actor, section_id=section_id, request=request_of(body), clock=ctx.clock)
    return draw_read(db, principal.actor, d.id)


@router.get("/draws/{draw_id}", response_model=DrawRead)
def get_draw(draw_id: str, db: Db, actor: CurrentActor) -> DrawRead:
    """抽取记录（公开）：席位与化名；评标结束前姓名只对组织评标的交易中心工作人员显示。"""
    return draw_read(db, actor, draw_id)


@router.get("/sections/{section_id}/draws", response_model=list[DrawRead], summary="标段的专家抽取记录")
def section_draws(section_id: str, db: Db, actor: CurrentActor) -> list[DrawRead]:
    """标段的全部抽取记录，最近的在前（公开；姓名的可见范围与单个抽取记录相同）。"""
    projects.get_section(db, section_id)
    return [draw_read(db, actor, d.id) for d in queries.draws_of(db, section_id)]


@router.get("/draws/{draw_id}/record")
def record(draw_id: str, db: Db, actor: CurrentActor) -> dict[str, Any]:
    """抽取的公开记录（不含姓名），可用 `ggzy experts verify-draw --record` 离线核验。"""
    policy.ensure(actor, policy.PORTAL_VIEW)
    return verify.public_record(db, draw_id)


@router.get("/invitations", response_model=list[InvitationRead])
def my_invitations(db: Db, principal: SignedIn) -> list[InvitationRead]:
    """本人的评标邀请。"""
    uid = principal.actor.user_id or ""
    return [
        InvitationRead(id=i.id, draw_id=i.draw_id, seat=i.seat, status=i.status, answer_by=i.answer_by.isoformat())
        for i in queries.invitations_for(db, uid)
    ]


@router.post("/invitations/{invitation_id}/answer", response_model=InvitationRead)
def answer(invitation_id: str, body: AnswerIn, db: Db, ctx: Ctx, principal: SignedIn) -> InvitationRead:
    """被抽取专家接受或拒绝；拒绝即按同一序列补抽。"""
    i = service.answer(
        db, principal.actor, invitation_id=invitation_id, accept=body.accept, clock=ctx.clock, notifier=ctx.notifier
    )
    return InvitationRead(id=i.id, draw_id=i.draw_id, seat=i.seat, status=i.status, answer_by=i.answer_by.isoformat())


MAX_XLSX = 20 << 20


@router.post("/pool/import", summary="导入评标专家（请求体为 xlsx 文件内容）")
async def import_pool(request: Request, ctx: Ctx, principal: SignedIn) -> dict[str, Any]:
    """同页面导入：逐行校验，有错误的行不导入并说明原因；返回导入数和各行错误。"""
    policy.ensure(principal.actor, policy.EXPERT_POOL_MANAGE)
    data = bytearray()
    async for chunk in request.stream():
        data.extend(chunk)
        if len(data) > MAX_XLSX:
            raise Invalid("文件过大（不超过 20 MB）", code="too-large")

    def run() -> dict[str, Any]:
        with tempfile.TemporaryDirectory(prefix="ggzy-experts-") as tmp:
            path = Path(tmp) / "pool.xlsx"
            path.write_bytes(bytes(data))
            with ctx.db.unit_of_work() as s:
                report = xlsx.import_experts(s, principal.actor, path, clock=ctx.clock)
        return {"saved": report.saved, "errors": [dataclasses.asdict(e) for e in report.errors]}

    return await run_in_threadpool(run)
