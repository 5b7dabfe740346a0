"""目录接口 — /api/v1/catalog: the catalog in force, and the supervision office's next version (as the page)."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from ggzy.catalog import service
from ggzy.core import canonical, policy
from ggzy.web.deps import Ctx, CurrentActor, Db, SignedIn

router = APIRouter(prefix="/catalog", tags=["交易目录"])
Threshold = Annotated[str, Field(max_length=24, pattern=r"^\s*[0-9][0-9,]*(\.[0-9]+)?\s*$")]


class Thresholds(BaseModel):
    must_trade_at: Threshold | None = None
    must_tender_at: Threshold | None = None
    must_open_at: Threshold | None = None


class CatalogIn(BaseModel):
    thresholds: dict[Annotated[str, Field(max_length=60)], Thresholds] = Field(
        max_length=50, description="按目录条目（key）调整的金额门槛（元）"
    )
    note: str = Field(max_length=300, description="调整依据（必填）")


class CatalogRead(BaseModel):
    version: int
    body: dict[str, Any]


def _read(c: Any) -> CatalogRead:
    return CatalogRead(version=c.version, body=json.loads(canonical.dumps(service.to_json(c))))


@router.get("", response_model=CatalogRead, summary="现行交易目录")
def current(db: Db, actor: CurrentActor) -> CatalogRead:
    policy.ensure(actor, policy.PORTAL_VIEW)
    return _read(service.current(db))


@router.post("", response_model=CatalogRead, status_code=201, summary="发布新版交易目录")
def publish(body: CatalogIn, db: Db, ctx: Ctx, principal: SignedIn) -> CatalogRead:
    """调整各条目的进场、招标、公开招标金额门槛并说明依据，作为下一版发布（综合监管）。"""
    changes = {k: v.model_dump(exclude_none=True) for k, v in body.thresholds.items()}
    return _read(service.publish(db, principal.actor, thresholds=changes, note=body.note, clock=ctx.clock))
