"""一处失信，处处受限 — the one check every step of a trade calls: registration warns, the bid and the security
refuse, evaluation and award exclude; each check is stored with what it found.

Callers (bidding, deposits, evaluation, the award) import this module only: `ensure_may_take_part` raises a
`RecordedRefusal` whose `record` stores the refused attempt (and its event) in a transaction of its own, so the
attempt stays on the supervision office's workbench although the refused request changed nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ggzy.core import events, policy
from ggzy.core.actor import Actor
from ggzy.core.clock import SHANGHAI, Clock, FixedClock
from ggzy.core.errors import NotFound, RecordedRefusal
from ggzy.core.ids import new_id
from ggzy.credit import queries
from ggzy.credit.models import CreditCheck, Sanction
from ggzy.credit.states import Outcome, Step, TradeClass
from ggzy.projects import queries as projects
from ggzy.rules import credit as law

CHECKED = events.event_type("credit.checked", "信用核查（交易环节）")
ATTEMPT_REFUSED = events.event_type("credit.attempt_refused", "失信主体参与交易被拒绝")


@dataclass(frozen=True)
class Found:
    trade_class: TradeClass | None
    region: str
    sanctions: list[Sanction]

    def cite(self) -> str:
        parts = []
        for s in self.sanctions:
            until = f"至{s.ends.astimezone(SHANGHAI):%Y年%m月%d日}" if s.ends else "（名单存续期间）"
            parts.append(f"{s.measure}{until}，依据：{s.citation}")
        return "；".join(parts)


def find(session: Session, *, org_id: str, section_id: str, at: dt.datetime) -> Found:
    section = projects.get_section(session, section_id)
    project = projects.get_project(session, section.project_id)
    tc = queries.trade_class_of(project.category, project.state_funds_share)
    return Found(tc, project.region, queries.sanctions_for(session, org_id, tc, project.region, at))


def find_for_code(
    session: Session, *, credit_code: str, trade_class: TradeClass | None, region: str, at: dt.datetime
) -> Found:
    """For a trade pushed by another platform (issue #12, 6): its parties are known by credit code, its class and
    region by what the platform declared; the caller flags what binds to supervision (the trade is not ours to stop)."""
    return Found(trade_class, region, queries.sanctions_for_code(session, credit_code, trade_class, region, at))


def _store(
    session: Session,
    actor: Actor,
    *,
    org_id: str,
    section_id: str,
    step: Step,
    found: Found,
    outcome: Outcome,
    clock: Clock,
    ref: str = "",
) -> CreditCheck:
    row = CreditCheck(
        id=new_id(),
        at=clock.now(),
        step=step.value,
        section_id=section_id,
        org_id=org_id,
        outcome=outcome.value,
        trade_class=found.trade_class.value if found.trade_class else None,
        region=found.region,
        sanctions=json.dumps(
            [
                {
                    "id": s.id,
                    "measure": s.measure,
                    "citation": s.citation,
                    "ends": s.ends.isoformat() if s.ends else None,
                }
                for s in found.sanctions
            ],
            ensure_ascii=False,
        ),
        ref=ref,
        by_user=actor.user_id,
    )
    session.add(row)
    session.flush()
    return row


def check(
    session: Session, actor: Actor, *, org_id: str, section_id: str, step: Step, clock: Clock, ref: str = ""
) -> tuple[Found, CreditCheck]:
    """Look, and keep the look (with evaluation and award the check is part of the record of the step)."""
    found = find(session, org_id=org_id, section_id=section_id, at=clock.now())
    if not found.sanctions:
        outcome = Outcome.CLEAR
    elif step is Step.REGISTRATION:
        outcome = Outcome.WARNED
    elif step in (Step.EVALUATION, Step.AWARD):
        outcome = Outcome.FLAGGED
    else:
        outcome = Outcome.REFUSED
    row = _store(
        session,
        actor,
        org_id=org_id,
        section_id=section_id,
        step=step,
        found=found,
        outcome=outcome,
        clock=clock,
        ref=ref,
    )
    events.record(
        session,
        actor,
        CHECKED,
        clock=clock,
        subject=("credit_check", row.id),
        scope=section_id,
        payload={"step": step.value, "outcome": outcome.value, "sanctions": len(found.sanctions)},
        secret_until=events.AT_OPENING if step in (Step.REGISTRATION, Step.BID, Step.DEPOSIT, Step.GUARANTEE) else None,
    )
    return found, row


def ensure_may_take_part(
    session: Session, actor: Actor, *, org_id: str, section_id: str, step: Step, at: dt.datetime
) -> None:
    """Refuse a debarred entity at the bid or its security, citing the sanction; nothing is stored in the
    caller's transaction — the refusal's `record` keeps the attempt in its own."""
    found = find(session, org_id=org_id, section_id=section_id, at=at)
    if not found.sanctions or not step.refuses:
        return
    ids = [x.id for x in found.sanctions]  # plain values: the caller's session is gone when `record` runs
    trade_class, region = found.trade_class, found.region
    clock = FixedClock(at)

    def record(s: Session) -> None:
        if _refused_today(s, org_id, section_id, step, at):
            return  # one trace per entity, section, step and day: reloading a page is not a new attempt
        again = Found(trade_class, region, [x for x in (s.get(Sanction, i) for i in ids) if x is not None])
        row = _store(
            s, actor, org_id=org_id, section_id=section_id, step=step, found=again, outcome=Outcome.REFUSED, clock=clock
        )
        # who tried is not a bidder (the law excludes it), so this names no real bidder; it is still kept out of
        # the public log until the opening, like every other activity on a section before it
        events.record(
            s,
            actor,
            ATTEMPT_REFUSED,
            clock=clock,
            subject=("credit_check", row.id),
            scope=section_id,
            payload={"step": step.value, "sanctions": ids},
            secret_until=events.AT_OPENING,
        )

    raise RecordedRefusal(
        f"贵单位受信用惩戒限制，不能{step.label}：{found.cite()}（{law.LIMITS.citation}；一处失信，处处受限）",
        record=record,
        code="credit-sanctioned",
        step=step.value,
        sanctions=ids,
    )


def _refused_today(session: Session, org_id: str, section_id: str, step: Step, at: dt.datetime) -> bool:
    since = dt.datetime.combine(at.astimezone(SHANGHAI).date(), dt.time(0), tzinfo=SHANGHAI)
    q = select(CreditCheck.id).where(
        CreditCheck.org_id == org_id,
        CreditCheck.section_id == section_id,
        CreditCheck.step == step.value,
        CreditCheck.outcome == Outcome.REFUSED.value,
        CreditCheck.at >= since,
    )
    return session.execute(q.limit(1)).first() is not None


def warnings(session: Session, *, org_id: str, section_id: str, at: dt.datetime) -> str:
    """At registration: a warning, not a refusal."""
    found = find(session, org_id=org_id, section_id=section_id, at=at)
    return f"提示：贵单位存在信用惩戒记录，投标时将被拒绝：{found.cite()}" if found.sanctions else ""


REFUSAL_REVIEWED = events.event_type("credit.refusal_reviewed", "监管部门核查失信主体参与记录")


def review_refusal(session: Session, actor: Actor, *, check_id: str, clock: Clock) -> CreditCheck:
    """核查 — the supervision office has looked at a refused attempt (it leaves the workbench, stays on record)."""
    policy.ensure(actor, policy.ALERT_HANDLE)
    row = session.get(CreditCheck, check_id)
    if row is None or row.outcome != Outcome.REFUSED.value:
        raise NotFound("拦截记录不存在", code="no-such-check")
    if row.reviewed_at is None:
        row.reviewed_at, row.reviewed_by = clock.now(), actor.user_id
        events.record(session, actor, REFUSAL_REVIEWED, clock=clock, subject=("credit_check", row.id))
    return row
