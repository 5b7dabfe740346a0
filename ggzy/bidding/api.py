"""投标接口 — section info for sealing, sealed-bid upload (streamed to disk), withdrawal, shares, the record."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from ggzy.bidding import documents, opening, queries, service
from ggzy.bidding.models import Bid
from ggzy.bidding.schemas import (
    DocumentRead,
    OpeningRead,
    OpeningRow,
    ReceiptRead,
    SectionRead,
    ShareProgress,
    ShareSubmit,
)
from ggzy.bidding.states import BidStatus
from ggzy.core import transparency
from ggzy.core.errors import DomainError
from ggzy.projects import queries as projects
from ggzy.projects.states import SectionStatus
from ggzy.sealing import p256
from ggzy.web.context import AppContext
from ggzy.web.deps import Ctx, CurrentActor, Db, SignedIn, content_disposition

router = APIRouter(tags=["投标与开标"])


@router.get("/sections/{section_id}", response_model=SectionRead)
def section(section_id: str, db: Db, actor: CurrentActor) -> SectionRead:
    """标段公开信息，含封装投标文件所用的开标公钥。"""
    s = projects.get_section(db, section_id)
    p = projects.get_project(db, s.project_id)
    return SectionRead(
        id=s.id,
        code=s.code,
        name=s.name,
        project_code=p.code,
        project_name=p.name,
        status=s.status,
        status_label=SectionStatus(s.status).label,
        method=p.method,
        bid_deadline=s.bid_deadline,
        documents_until=s.documents_until,
        opening_public_key=p256.b64encode(s.opening_public_key) if s.opening_public_key else None,
        opening_key_id=s.opening_key_id,
        documents=[
            DocumentRead(id=d.id, name=d.name, size=d.size, sha256=d.sha256) for d in queries.documents_of(db, s.id)
        ],
    )


def receipt_of(bid: Bid, ctx: AppContext) -> ReceiptRead:
    return ReceiptRead(
        bid_id=bid.id,
        version=bid.version,
        status=bid.status,
        envelope_digest=bid.envelope_digest,
        receipt=canonical_loads(bid.receipt),
        verifier_key=transparency.verifier_key(ctx.keys, ctx.settings.log_origin),
    )


def canonical_loads(text: str) -> dict[str, object]:
    import json

    value = json.loads(text)
    assert isinstance(value, dict)
    return value


async def receive_bid(request: Request, ctx: AppContext, principal: SignedIn, section_id: str) -> Bid:
    """Check before reading, stream the ciphertext to disk, check the envelope, record it — or leave nothing."""

    def precheck() -> None:
        with ctx.db.unit_of_work(write=False) as db:
            service.ensure_may_bid(db, principal.actor, section_id, ctx.clock.now())

    await run_in_threadpool(precheck)
    stored = await ctx.files.save_async(f"bids/{section_id}", request.stream(), max_bytes=ctx.settings.max_bid_bytes)

    def record() -> Bid:
        header = service.ensure_envelope(ctx.files, stored)
        with ctx.db.unit_of_work() as db:
            return service.submit(
                db,
                principal.actor,
                section_id=section_id,
                stored=stored,
                header=header,
                clock=ctx.clock,
                signer=ctx.keys.log_private,
            )

    try:
        return await run_in_threadpool(record)
    except BaseException:
        service.discard(ctx.files, stored)
        raise


@router.put("/sections/{section_id}/bid", response_model=ReceiptRead, status_code=201)
async def put_bid(section_id: str, request: Request, ctx: Ctx, principal: SignedIn) -> ReceiptRead:
    """递交（或替换）密封投标文件：请求体为投标人本地加密的密文，平台只接收密文，返回签名回执。"""
    bid = await receive_bid(request, ctx, principal, section_id)
    return receipt_of(bid, ctx)


@router.get("/sections/{section_id}/my-bids", response_model=list[ReceiptRead])
def my_bids(section_id: str, db: Db, ctx: Ctx, principal: SignedIn) -> list[ReceiptRead]:
    """本单位在该标段的投标及回执（只返回自己的）。"""
    if principal.actor.org_id is None:
        return []
    return [receipt_of(b, ctx) for b in queries.own_bids(db, section_id, principal.actor.org_id)]


@router.post("/bids/{bid_id}/withdraw", response_model=ReceiptRead)
def withdraw(bid_id: str, db: Db, ctx: Ctx, principal: SignedIn) -> ReceiptRead:
    return receipt_of(service.withdraw(db, principal.actor, bid_id=bid_id, clock=ctx.clock), ctx)


@router.post("/documents/{document_id}/download")
def download(document_id: str, ctx: Ctx, principal: SignedIn) -> Response:
    """下载招标文件（无需报名；下载记录在开标前对任何角色保密）。"""
    with ctx.db.unit_of_work() as db:
        doc = documents.download(db, principal.actor, document_id=document_id, clock=ctx.clock)
        name, path = doc.name, doc.path
    return StreamingResponse(
        ctx.files.read(path),
        media_type="application/octet-stream",
        headers={"content-disposition": content_disposition(name)},
    )


@router.post("/sections/{section_id}/opening/share", response_model=ShareProgress)
def submit_share(section_id: str, body: ShareSubmit, ctx: Ctx, principal: SignedIn) -> ShareProgress:
    """密钥持有人提交分片；达到门限即开标。"""
    progress = submit_share_now(ctx, principal, section_id, body.password)
    return ShareProgress(threshold=progress.threshold, submitted=progress.submitted, opened=progress.opened)


def submit_share_now(ctx: AppContext, principal: SignedIn, section_id: str, password: str) -> opening.ShareState:
    channel = f"opening:{section_id}"
    with ctx.db.unit_of_work() as db:
        state = opening.submit_share(
            db,
            principal.actor,
            section_id=section_id,
            password=password,
            clock=ctx.clock,
            env=ctx.opening,
            files=ctx.files,
            progress=lambda m: ctx.bus.publish(channel, m),
        )
    ctx.bus.publish(channel, {"type": "state", "opened": state.opened})
    return state


@router.get("/sections/{section_id}/opening", response_model=OpeningRead)
def opening_record(section_id: str, db: Db, actor: CurrentActor) -> OpeningRead:
    """开标记录（开标后公开）。"""
    s = projects.get_section(db, section_id)
    rows = opening.opening_rows(db, s)
    return OpeningRead(
        section_id=s.id,
        status=s.status,
        opened_at=s.opened_at,
        rows=[
            OpeningRow(bidder=r.bidder, price=r.price, duration_days=r.duration_days, status=r.status, note=r.note)
            for r in rows
        ],
    )


__all__ = ["BidStatus", "DomainError", "router"]
