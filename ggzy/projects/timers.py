"""定时 — the bid deadline: close bidding, or declare the tender failed when too few bids came in.

Fires once per section even with several app nodes: the row is locked FOR UPDATE SKIP LOCKED on
PostgreSQL (a second node skips it) and the state is re-checked inside the transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ggzy.bidding import queries as bids
from ggzy.core import events, holds
from ggzy.core.actor import system
from ggzy.core.clock import FixedClock
from ggzy.core.timers import DueSource
from ggzy.deposits import refunds as deposit_refunds
from ggzy.entities import queries as entities
from ggzy.notices import service as notices
from ggzy.notices.states import NoticeKind
from ggzy.projects import queries
from ggzy.projects.models import Section
from ggzy.projects.states import SECTION_LIFECYCLE, SectionStatus
from ggzy.rules.procedures import procedure

BIDDING_CLOSED = events.event_type("projects.bidding_closed", "投标截止")
TENDER_FAILED = events.event_type("projects.tender_failed", "投标人不足，流标", public=True)


def reach_deadline(session: Session, section_id: str, now: datetime) -> bool:
    section = session.execute(
        select(Section).where(Section.id == section_id).with_for_update(skip_locked=True)
    ).scalar()
    if section is None or section.status != SectionStatus.BIDDING.value:
        return False  # another node has it, or it already moved
    if section.next_due_at is None or section.next_due_at > now:
        return False
    if holds.holding(session, section.id, holds.Step.DEADLINE) is not None:
        return False  # suspended by an open case (条例 art. 22): the deadline waits until the hold is lifted
    project = queries.get_project(session, section.project_id)
    proc = procedure(project.method)
    clock, me = FixedClock(now), system()
    section.next_due_at = None
    count = bids.count_sealed(session, section.id, section.round)
    if count >= proc.min_bidders:
        section.status = SECTION_LIFECYCLE.move(SectionStatus.BIDDING, "close", me).value
        events.record(session, me, BIDDING_CLOSED, clock=clock, subject=("section", section.id), scope=section.id)
        return True
    section.status = SECTION_LIFECYCLE.move(SectionStatus.BIDDING, "fail", me).value
    section.outcome_note = f"递交投标文件的投标人为{count}家，少于{proc.min_bidders}家（{proc.min_bidders_citation}）"
    events.record(
        session,
        me,
        TENDER_FAILED,
        clock=clock,
        subject=("section", section.id),
        scope=section.id,
        payload={"bidders": count, "minimum": proc.min_bidders},
    )
    deposit_refunds.on_end(
        session, section_id=section.id, clock=clock
    )  # 流标: every security back, guarantees released
    notices.publish(
        session,
        me,
        kind=NoticeKind.FAILED,
        title=f"{project.name}（{section.name}）流标公告",
        body=f"{project.name}（标段：{section.name}，编号 {section.code}）投标截止时，{section.outcome_note}，"
        "不予开标，投标文件不予解密。招标人将依法重新招标。",
        buyer=entities.get_org(session, project.tenderer_org_id).name,
        region=project.region,
        category=project.category,
        method=project.method,
        clock=clock,
        project_id=project.id,
        section_id=section.id,
        codes=(project.code, section.code, project.approval_code),
        scope=section.id,
    )
    return True


def sources(_ctx: Any) -> list[DueSource]:
    return [DueSource("projects.deadline", queries.due_sections, reach_deadline)]
