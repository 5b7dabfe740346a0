"""门户与工作台的接口 — what the shell's own pages show, for a system (issue 15: every page's data is readable
through the API by whoever may see the page): the workbench's due items (`GET /api/v1/me/due`, gathered from each
domain, soonest deadline first, with the time left — the page uses the same `due`) and the rules in force
(`GET /api/v1/rules`, the /rules page)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from ggzy import domains
from ggzy.core import policy
from ggzy.core.actor import Actor
from ggzy.core.calendar import local_date
from ggzy.core.errors import NotFound
from ggzy.core.workbench import DueItem, remaining
from ggzy.rules import RULES, Regime
from ggzy.web.deps import Ctx, CurrentActor, Db, SignedIn

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def due(db: Session, actor: Actor, now: datetime) -> list[tuple[DueItem, str, bool]]:
    """Every domain's items for this actor: dated ones first, soonest first; then those that wait, oldest first.
    Each with how long is left (or how long overdue) and whether it is overdue."""
    items: list[DueItem] = []
    for m in domains.domain_modules("workbench"):
        items.extend(m.due_items(db, actor, now))
    items.sort(key=lambda i: (i.due_at is None, i.due_at or i.since or _EPOCH))
    return [(i, *remaining(i.due_at, now)) for i in items]


class DueRead(BaseModel):
    title: str
    url: str
    due_at: datetime | None
    since: datetime | None
    basis: str
    time_left: str
    overdue: bool


class DuePage(BaseModel):
    role: str
    items: list[DueRead]


class RuleRead(BaseModel):
    id: str
    title: str
    value: str = Field(description="数值（整数或小数，以字符串给出，不经浮点）")
    unit: str
    regime: str
    regime_label: str
    citation: str
    effective: date
    expires: date | None
    in_force: bool


api = APIRouter()


@api.get("/rules", response_model=list[RuleRead], summary="法定规则", tags=["法规规则"])
def rules(ctx: Ctx, actor: CurrentActor) -> list[RuleRead]:
    """平台据以校验每一步操作的法定期限、比例与门槛（与「法规规则」页面相同），各附法律依据与施行日期。"""
    policy.ensure(actor, policy.PORTAL_VIEW)
    today = local_date(ctx.clock.now())
    return [
        RuleRead(
            id=r.id,
            title=r.title,
            value=str(r.value),
            unit=r.unit.value,
            regime=r.regime.value,
            regime_label=r.regime.label,
            citation=str(r.citation),
            effective=r.effective,
            expires=r.expires,
            in_force=r.in_force(today),
        )
        for r in sorted(RULES.values(), key=lambda r: (list(Regime).index(r.regime), r.id))
    ]


@api.get("/me/due", response_model=DuePage, summary="我的待办事项", tags=["工作台"])
def my_due(db: Db, ctx: Ctx, principal: SignedIn) -> DuePage:
    """当前角色工作台上的待办事项：有期限的按期限先后（含剩余或逾期时间），其余按等待先后；与工作台页面相同。"""
    actor = principal.actor
    permission = policy.WORKBENCH.get(actor.role)  # type: ignore[call-overload]
    if permission is None:
        raise NotFound("该角色没有工作台")
    policy.ensure(actor, permission)
    rows = due(db, actor, ctx.clock.now())
    return DuePage(
        role=actor.role.value,
        items=[
            DueRead(
                title=i.title,
                url=i.url,
                due_at=i.due_at,
                since=i.since,
                basis=i.basis,
                time_left=left,
                overdue=overdue,
            )
            for i, left, overdue in rows
        ],
    )
