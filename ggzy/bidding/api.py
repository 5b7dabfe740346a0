"""投标接口 — section info for sealing, sealed-bid upload (streamed to disk), withdrawal, shares, the record."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from ggzy.bidding import documents, keys, opening, queries, service
from ggzy.bidding.models import Bid
from ggzy.bidding.schemas import (
    BidHeaderRead,
    DocumentRead,
    HolderKeyIn,
    HolderKeyRead,
    HolderWorkRead,
    OpeningObjectionIn,
    OpeningObjectionRead,
    OpeningRead,
    OpeningRow,
    ReceiptRead,
    RecipientRead,
    SectionRead,
    ShareProgress,
    SharesSubmit,
)
from ggzy.bidding.states import BidStatus
from ggzy.core import transparency
from ggzy.core.errors import DomainError, Forbidden
from ggzy.core.roles import Role
from ggzy.projects import queries as projects
from ggzy.projects.states import SectionStatus
from ggzy.sealing import p256
from ggzy.web.context import AppContext
from ggzy.web.deps import Ctx, CurrentActor, Db, SignedIn, content_disposition

router = APIRouter(tags=["投标与开标"])


@router.get("/sections/{section_id}", response_model=SectionRead)
def section(section_id: str, db: Db, actor: CurrentActor) -> SectionRead:
    """标段公开信息，含封装投标文件所用的开标密钥持有人公钥（密钥集）。"""
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
        threshold=keys.THRESHOLD,
        deadline_unix=int(s.bid_deadline.timestamp()) if s.bid_deadline else None,
        recipients=[
            RecipientRead(
                index=r.share_index, holder=r.holder, key_id=r.key_id, public_key=p256.b64encode(r.public_key)
            )
            for r in keys.recipients(db, s.id, s.round)
        ],
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


@router.get("/my/bids", response_model=list[ReceiptRead], summary="本单位的全部投标")
def all_my_bids(db: Db, ctx: Ctx, principal: SignedIn) -> list[ReceiptRead]:
    """本单位在所有标段的投标及回执（与「我的投标」页面相同；只有投标人有投标记录）。"""
    if principal.actor.org_id is None or principal.actor.role is not Role.BIDDER:
        raise Forbidden("只有投标人有投标记录")
    return [receipt_of(b, ctx) for b in queries.bids_of_org(db, principal.actor.org_id)]


@router.post("/bids/{bid_id}/withdraw", response_model=ReceiptRead, summary="撤回投标")
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


@router.get("/keyholder/key", response_model=HolderKeyRead)
def my_holder_key(db: Db, principal: SignedIn) -> HolderKeyRead:
    """本人登记的开标密钥公钥。"""
    assert principal.actor.user_id is not None
    public = keys.holder_public(db, principal.actor.user_id)
    return HolderKeyRead(
        key_id=p256.key_id(public).hex() if public else None, public_key=p256.b64encode(public) if public else None
    )


@router.put("/keyholder/key", response_model=HolderKeyRead)
def register_holder_key(body: HolderKeyIn, db: Db, ctx: Ctx, principal: SignedIn) -> HolderKeyRead:
    """登记开标密钥公钥（密钥对在本人浏览器或 `ggzy keyholder init` 中生成，私钥不上传）。"""
    try:
        public = p256.b64decode(body.public_key)
    except ValueError:
        public = b""
    kid = keys.register_holder_key(db, principal.actor, public_key=public, clock=ctx.clock)
    return HolderKeyRead(key_id=kid.hex(), public_key=p256.b64encode(public))


@router.get("/sections/{section_id}/opening/shares", response_model=HolderWorkRead)
def holder_work(section_id: str, ctx: Ctx, principal: SignedIn) -> HolderWorkRead:
    """投标截止后，密钥持有人取回各投标文件的公开头，在本人一方解开分片。"""
    with ctx.db.unit_of_work(write=False) as db:
        work = opening.holder_work(db, principal.actor, section_id=section_id, clock=ctx.clock, files=ctx.files)
    return HolderWorkRead(
        section_id=work.section_id,
        deadline=work.deadline,
        index=work.index,
        holder=work.holder,
        bids=[BidHeaderRead(bid_id=b.bid_id, header=p256.b64encode(b.header)) for b in work.bids],
    )


@router.post("/sections/{section_id}/opening/shares", response_model=ShareProgress)
def submit_shares(section_id: str, body: SharesSubmit, ctx: Ctx, principal: SignedIn) -> ShareProgress:
    """密钥持有人提交在本人一方解开的分片；两个持有单位提交后即开标。"""
    progress = submit_shares_now(ctx, principal, section_id, body.shares)
    return ShareProgress(threshold=progress.threshold, submitted=progress.submitted, opened=progress.opened)


def submit_shares_now(
    ctx: AppContext, principal: SignedIn, section_id: str, shares: dict[str, str | None]
) -> opening.ShareState:
    channel = f"opening:{section_id}"
    with ctx.db.unit_of_work() as db:
        state = opening.submit_shares(
            db,
            principal.actor,
            section_id=section_id,
            shares=shares,
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
            OpeningRow(
                bidder=r.bidder,
                price=r.price,
                duration_days=r.duration_days,
                status=r.status,
                note=r.note,
                security=r.security,
            )
            for r in rows
        ],
    )


__all__ = ["BidStatus", "DomainError", "router"]


@router.post("/sections/{section_id}/register", status_code=204, summary="报名（可选，不是下载招标文件的条件）")
def register_for_section(section_id: str, db: Db, ctx: Ctx, principal: SignedIn) -> Response:
    """投标人报名；报名记录在开标前对任何角色保密（《电子招标投标办法》第20条）。"""
    documents.register(db, principal.actor, section_id=section_id, clock=ctx.clock)
    return Response(status_code=204)


@router.post(
    "/sections/{section_id}/opening/objections",
    response_model=OpeningObjectionRead,
    status_code=201,
    summary="记录开标现场的异议及答复",
)
def record_opening_objection(
    section_id: str, body: OpeningObjectionIn, db: Db, ctx: Ctx, principal: SignedIn
) -> OpeningObjectionRead:
    """交易中心记录投标人在开标现场提出的异议及当场答复（《招标投标法实施条例》第44条）。"""
    o = opening.record_objection(
        db,
        principal.actor,
        section_id=section_id,
        org_id=body.org_id,
        text=body.text,
        answer=body.answer,
        clock=ctx.clock,
    )
    return OpeningObjectionRead(id=o.id, section_id=section_id, org_id=o.org_id, text=o.text, answer=o.answer)
