"""暂停 — holds: a trade's next move stopped by an open case, in one table the lifecycle's owners read.

A domain that can stop a trade (objections and complaints: 条例 arts. 22, 54, 62; 采购条例 arts. 54, 57)
*places* a hold on a section for a set of steps and *lifts* it when the case allows; the domains that make
those steps (projects: the deadline and the opening; award: the award notice and the contract) call `check`
before moving and are refused with the case's number. The kernel owns only the table and the three verbs:
it knows no case, so neither side imports the other.

A hold records when it was placed and lifted, so that a legal period can resume correctly afterwards
(`suspended_for` is the time a section spent held, for the steps asked about).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from ggzy.core import events
from ggzy.core.actor import Actor
from ggzy.core.clock import Clock
from ggzy.core.db import Base
from ggzy.core.errors import NotFound, RuleViolation
from ggzy.core.ids import new_id
from ggzy.core.types import UtcDateTime


class Step(StrEnum):
    """The moves of a trade that a hold can stop."""

    DEADLINE = "deadline"
    OPENING = "opening"
    EVALUATION = "evaluation"
    AWARD = "award"
    SIGNING = "signing"

    @property
    def label(self) -> str:
        return {
            "deadline": "投标截止",
            "opening": "开标",
            "evaluation": "评标",
            "award": "定标并发出中标通知书",
            "signing": "签订合同",
        }[self.value]


HOLD_PLACED = events.event_type("trade.hold_placed", "交易暂停", public=True)
HOLD_LIFTED = events.event_type("trade.hold_lifted", "交易恢复", public=True)


class Hold(Base):
    __tablename__ = "trade_hold"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    section_id: Mapped[str] = mapped_column(ForeignKey("section.id"), index=True)
    steps: Mapped[str] = mapped_column(String(100))  # comma-separated Step values
    case_number: Mapped[str] = mapped_column(String(60))
    reason: Mapped[str] = mapped_column(String(300))
    placed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    lifted_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)

    def stops(self, step: Step) -> bool:
        return step.value in self.steps.split(",")


def place(
    session: Session,
    actor: Actor,
    *,
    section_id: str,
    steps: set[Step] | frozenset[Step],
    case_number: str,
    reason: str,
    clock: Clock,
) -> Hold:
    """Stop `steps` of the section until the hold is lifted; logged publicly (the case number, not its content)."""
    if not steps:
        raise ValueError("a hold stops at least one step")
    hold = Hold(
        id=new_id(),
        section_id=section_id,
        steps=",".join(sorted(s.value for s in steps)),
        case_number=case_number,
        reason=reason,
        placed_at=clock.now(),
    )
    session.add(hold)
    session.flush()
    events.record(
        session,
        actor,
        HOLD_PLACED,
        clock=clock,
        subject=("section", section_id),
        payload={"hold": hold.id, "steps": hold.steps, "case": case_number, "reason": reason},
    )
    return hold


def lift(session: Session, actor: Actor, *, hold_id: str, clock: Clock) -> Hold:
    hold = session.get(Hold, hold_id)
    if hold is None:
        raise NotFound("暂停记录不存在", code="no-such-hold")
    if hold.lifted_at is None:
        hold.lifted_at = clock.now()
        events.record(
            session,
            actor,
            HOLD_LIFTED,
            clock=clock,
            subject=("section", hold.section_id),
            payload={"hold": hold.id, "case": hold.case_number},
        )
    return hold


def open_holds(session: Session, section_id: str) -> list[Hold]:
    q = select(Hold).where(Hold.section_id == section_id, Hold.lifted_at.is_(None)).order_by(Hold.placed_at, Hold.id)
    return list(session.scalars(q))


def holding(session: Session, section_id: str, step: Step) -> Hold | None:
    """The first open hold that stops this step, if any."""
    return next((h for h in open_holds(session, section_id) if h.stops(step)), None)


def check(session: Session, section_id: str, step: Step) -> None:
    """Refuse the step while a hold stops it, naming the case."""
    hold = holding(session, section_id, step)
    if hold is not None:
        raise RuleViolation(
            f"该标段因{hold.reason}（案件编号 {hold.case_number}）暂停，暂不能{step.label}",
            code="trade-suspended",
            case=hold.case_number,
            step=step.value,
        )


def suspended_for(session: Session, section_id: str, step: Step, *, until: dt.datetime) -> dt.timedelta:
    """How long the step was held (overlapping holds counted once), up to `until`: a period resumes by this."""
    spans = sorted(
        (h.placed_at, min(h.lifted_at or until, until))
        for h in session.scalars(select(Hold).where(Hold.section_id == section_id))
        if h.stops(step) and h.placed_at < until
    )
    total = dt.timedelta(0)
    end: dt.datetime | None = None
    for a, b in spans:
        if end is not None and a < end:
            a = end
        if b > a:
            total += b - a
            end = b if end is None or b > end else end
    return total
