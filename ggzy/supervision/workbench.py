"""待办 — a regulator's open alerts: the new ones routed to their body, and those assigned to them (S5)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from ggzy.core import policy
from ggzy.core.actor import Actor
from ggzy.core.i18n import N_
from ggzy.core.workbench import DueItem
from ggzy.supervision.models import Alert
from ggzy.supervision.states import AlertStatus, Severity

BASIS = N_("谁监管、谁负责：预警由项目所属行业的监管部门处置")
LIMIT = 50


def due_items(session: Session, actor: Actor, now: datetime) -> list[DueItem]:
    if policy.scope_for(actor, policy.ALERT_HANDLE) is None or actor.user_id is None:
        return []
    routed: list[ColumnElement[bool]] = [Alert.regulator_org_id == actor.org_id]
    if policy.scope_for(actor, policy.ALERT_HANDLE) is policy.Scope.ANY:
        routed.append(Alert.regulator_org_id.is_(None))  # what no sector regulator owns stays with the office
    new = (Alert.status == AlertStatus.NEW.value) & or_(*routed)
    mine = (Alert.assignee_id == actor.user_id) & Alert.status.in_(
        [AlertStatus.ASSIGNED.value, AlertStatus.INVESTIGATING.value]
    )
    rows = session.execute(select(Alert).where(or_(new, mine)).order_by(Alert.first_seen_at).limit(LIMIT)).scalars()
    return [
        DueItem(
            f"{'处置预警' if a.status == AlertStatus.NEW.value else AlertStatus(a.status).label}"
            f"（{Severity(a.severity).label}）：{a.title}",
            f"/supervision/alerts/{a.id}",
            None,  # no legal deadline: listed after the dated items, oldest alert first
            BASIS,
            since=a.first_seen_at,
        )
        for a in rows
    ]
