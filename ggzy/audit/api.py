"""日志接口 — signed checkpoints, inclusion and consistency proofs (public), entries (auditors)."""

from __future__ import annotations

import base64
from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Path, Query

from ggzy.core import policy, transparency
from ggzy.core.errors import Invalid, NotFound
from ggzy.web import params
from ggzy.web.deps import Ctx, CurrentActor, Db

from .queries import get_event, list_events
from .schemas import CheckpointRead, ConsistencyProof, EventRead, InclusionProof, SealedProofRead

router = APIRouter(prefix="/log", tags=["透明日志"])


def b64(b: bytes) -> str:
    return base64.b64encode(b).decode()


@router.get("/checkpoint", response_model=CheckpointRead)
def checkpoint(db: Db, ctx: Ctx, actor: CurrentActor) -> CheckpointRead:
    """最新签名树头（C2SP checkpoint，Ed25519 签名）。"""
    policy.ensure(actor, policy.LOG_PROOF)
    sth = transparency.latest_checkpoint(db)
    if sth is None:
        raise NotFound("尚未签发树头", code="no-checkpoint")
    return CheckpointRead(
        size=sth.size,
        root_hash=b64(sth.root),
        signed_at=sth.signed_at,
        note=sth.note,
        verifier_key=transparency.verifier_key(ctx.keys, ctx.settings.log_origin),
    )


def _size_or_latest(db: Db, size: int | None) -> int:
    if size is not None:
        return size
    sth = transparency.latest_checkpoint(db)
    if sth is None:
        raise NotFound("尚未签发树头", code="no-checkpoint")
    return sth.size


@router.get("/proof/inclusion", response_model=InclusionProof)
def inclusion(db: Db, actor: CurrentActor, index: params.Position, size: params.OptionalCount = None) -> InclusionProof:
    """事件（叶）在给定树中的包含证明（RFC 6962 §2.1.1）；size 缺省为最新签名树头。"""
    policy.ensure(actor, policy.LOG_PROOF)
    n = _size_or_latest(db, size)
    try:
        proof = transparency.inclusion_proof(db, index, n)
        root = transparency.root_at(db, n)
    except ValueError as exc:
        raise Invalid(str(exc), code="bad-proof-request") from exc
    return InclusionProof(
        leaf_index=index,
        tree_size=n,
        leaf_hash=b64(transparency.leaf_at(db, index)),
        root_hash=b64(root),
        proof=[b64(p) for p in proof],
    )


@router.get("/proof/consistency", response_model=ConsistencyProof)
def consistency(
    db: Db, actor: CurrentActor, first: params.Count, second: params.OptionalCount = None
) -> ConsistencyProof:
    """两个树大小之间的一致性证明（RFC 6962 §2.1.2）：日志只增不改。"""
    policy.ensure(actor, policy.LOG_PROOF)
    n = _size_or_latest(db, second)
    try:
        proof = transparency.consistency_proof(db, first, n)
        r1, r2 = transparency.root_at(db, first), transparency.root_at(db, n)
    except ValueError as exc:
        raise Invalid(str(exc), code="bad-proof-request") from exc
    return ConsistencyProof(
        first=first, second=n, first_root=b64(r1), second_root=b64(r2), proof=[b64(p) for p in proof]
    )


@router.get("/sealed/{event_id}", response_model=SealedProofRead)
def sealed(db: Db, actor: CurrentActor, event_id: Annotated[str, Path(max_length=26)]) -> SealedProofRead:
    """开标后核对保密事件（投标、撤回、下载、报名）：其在封存日志中的位置与证明；开标前与不存在的编号无从区分。"""
    policy.ensure(actor, policy.LOG_PROOF)
    try:
        p = transparency.sealed_proof(db, event_id)
    except LookupError as exc:
        raise NotFound("未找到已公开的该事件", code="no-disclosed-event") from exc
    return SealedProofRead(
        event_id=p.event_id,
        log=p.log,
        index=p.index,
        size=p.size,
        leaf_hash=b64(p.leaf),
        proof=[b64(h) for h in p.proof],
        root_hash=b64(p.root),
        copy_index=p.copy_seq,
        disclosure_index=p.disclosure_seq,
        commitment_index=p.commitment_seq,
        committed_size=p.committed_size,
        committed_root=b64(p.committed_root) if p.committed_root is not None else None,
        consistency=[b64(h) for h in p.consistency],
    )


@router.get("/entries", response_model=list[EventRead])
def entries(
    db: Db,
    actor: CurrentActor,
    type: Annotated[str | None, Query(max_length=80)] = None,
    scope: Annotated[str | None, Query(max_length=64)] = None,
    before: params.OptionalPosition = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[EventRead]:
    """事件明细（审计、监察、监管可查；行业监管仅限本行业）。"""
    return [EventRead(**asdict(v)) for v in list_events(db, actor, type=type, scope=scope, before=before, limit=limit)]


@router.get("/entries/{seq}", response_model=EventRead, summary="一条事件明细")
def entry(seq: params.Seq, db: Db, actor: CurrentActor) -> EventRead:
    return EventRead(**asdict(get_event(db, actor, seq)))
