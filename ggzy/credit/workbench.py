"""待办 — for the supervision office: refused attempts of sanctioned entities, and credit objections to handle."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from ggzy.core.actor import Actor
from ggzy.core.i18n import N_
from ggzy.core.roles import Role
from ggzy.core.workbench import DueItem
from ggzy.credit import queries
from ggzy.credit.models import CreditObjection
from ggzy.credit.states import Step
from ggzy.entities import queries as entities
from ggzy.projects import queries as projects
from ggzy.rules import credit as law


def due_items(session: Session, actor: Actor, now: dt.datetime) -> list[DueItem]:
    if actor.role not in (Role.SUPERVISOR, Role.SECTOR_SUPERVISOR):
        return []
    items = []
    for c in queries.refusals(session, limit=30, unreviewed=True):
        section = projects.get_section(session, c.section_id)
        org = entities.get_org(session, c.org_id)
        items.append(
            DueItem(
                N_("拦截") + f"：失信主体「{org.name}」试图{Step(c.step).label}（{section.code}）",
                f"/credit/checks/{c.id}",
                None,
                str(law.LIMITS.citation),
                since=c.at,
            )
        )
    for o in session.scalars(select(CreditObjection).where(CreditObjection.handled_at.is_(None)).limit(50)):
        record = queries.get_record(session, o.record_id)
        items.append(
            DueItem(
                N_("处理信用异议") + f"：{record.org_name}",
                f"/credit/records/{record.id}",
                o.due_at,
                str(law.OBJECTION_HANDLE.citation),
            )
        )
    return items
