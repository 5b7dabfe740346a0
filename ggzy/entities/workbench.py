"""待办 — account changes waiting for a second person (双人复核) on the reviewer's workbench."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from ggzy.core import policy
from ggzy.core.actor import Actor
from ggzy.core.i18n import N_
from ggzy.core.workbench import DueItem
from ggzy.entities import queries, review

BASIS = N_("双人复核（等保 GB/T 22239-2019 8.1.4.2、8.1.5）")


def due_items(session: Session, actor: Actor, now: datetime) -> list[DueItem]:
    if not policy.can(actor, policy.ACCOUNT_REVIEW):
        return []
    items = []
    for req in review.pending(session):
        if actor.user_id in (req.requested_by, req.user_id):
            continue
        user = queries.get_user(session, req.user_id)
        what = review.Kind(req.kind).label
        items.append(
            DueItem(
                N_("复核") + f"：{what}（{user.username}，{user.display_name}）",
                "/admin/reviews",
                None,
                BASIS,
                since=req.requested_at,
            )
        )
    return items
