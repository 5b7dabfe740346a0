"""待办 — what each party must do next in a case: answer, accept, decide, comply."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from ggzy.cases import queries
from ggzy.cases.states import CaseKind, ClockKind
from ggzy.core.actor import Actor
from ggzy.core.i18n import N_
from ggzy.core.roles import Role
from ggzy.core.workbench import DueItem


def due_items(session: Session, actor: Actor, now: dt.datetime) -> list[DueItem]:
    if actor.role not in (Role.TENDERER, Role.AGENCY, Role.SECTOR_SUPERVISOR, Role.BIDDER):
        return []
    items = []
    for c in queries.cases_of(session, actor, limit=200):
        url = f"/cases/{c.id}"
        running = queries.open_clock(c)
        clock = queries.clocks(session, c).get(running) if running else None
        due, basis = (clock.due_at(), str(clock.rule.citation)) if clock else (None, "")
        label = CaseKind(c.kind).label_for(c.regime)
        if actor.role in (Role.TENDERER, Role.AGENCY):
            if running is ClockKind.ANSWER:
                items.append(DueItem(f"答复{label}：{c.number}", url, due, basis))
            elif queries.needs_compliance(c):
                items.append(
                    DueItem(N_("按投诉处理决定整改") + f"：{c.number}", url, None, N_("《招标投标法实施条例》第62条"))
                )
        elif actor.role is Role.SECTOR_SUPERVISOR and running in (ClockKind.ACCEPT, ClockKind.DECIDE):
            what = N_("决定是否受理投诉") if running is ClockKind.ACCEPT else N_("作出投诉处理决定")
            items.append(DueItem(f"{what}：{c.number}", url, due, basis))
        elif actor.role is Role.BIDDER and c.complainant_org_id == actor.org_id and running is not None:
            items.append(DueItem(f"跟踪{label}：{c.number}（{queries.next_actor(session, c)}）", url, due, basis))
    return items
