"""待办 — the shell gathers each domain's due items for a person, soonest deadline first, with the time left;
the workbench page shows them and `GET /api/v1/me/due` gives the same list to a system (issue 15: every page's
data is readable through the API by whoever may see the page)."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy.orm import Session

from ggzy import domains
from ggzy.core import policy
from ggzy.core.actor import Actor
from ggzy.core.errors import NotFound
from ggzy.core.workbench import DueItem, remaining
from ggzy.web.deps import Ctx, Db, SignedIn

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


api = APIRouter(tags=["工作台"])


@api.get("/me/due", response_model=DuePage, summary="我的待办事项")
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
