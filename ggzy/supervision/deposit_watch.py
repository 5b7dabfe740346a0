"""保证金监管 — a refund past its legal day becomes an alert for the project's regulator (issue 11, item 5).

Only refunds of sections already opened are raised: before the opening, a refund says that a bidder had
paid and withdrew, which nobody but that bidder may learn (the same secrecy as the bids). Each overdue
refund is raised once (its alert merges nothing further); the bidder sees its own on its deposit page.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from ggzy.core.clock import SHANGHAI, FixedClock
from ggzy.deposits import refunds
from ggzy.deposits.models import Refund
from ggzy.deposits.states import RefundReason
from ggzy.entities import queries as entities
from ggzy.projects import queries as projects
from ggzy.supervision.models import Alert
from ggzy.supervision.service import Finding, key_of, raise_alert
from ggzy.supervision.states import Severity

FLAG = "C09"
TITLE = "投标保证金逾期未退还"


def finding(session: Session, refund: Refund) -> Finding:
    section = projects.get_section(session, refund.section_id)
    project = projects.get_project(session, section.project_id)
    reason = RefundReason.of(refund.reason)
    rule = refunds.rule_of(session, refund)
    org = entities.get_org(session, refund.org_id)
    return Finding(
        flag_id=FLAG,
        title=f"{TITLE}：{project.name}（{section.name}）{org.name}",
        severity=Severity.HIGH,
        legal_basis=rule.describe(),
        subject=f"{project.name}（{section.name}）",
        source="platform",
        evidence={
            "refund": refund.id,
            "reason": reason.label,
            "amount": f"{Decimal(refund.principal_fen + refund.interest_fen) / 100:.2f}",  # fen → yuan, exact
            "due": f"{refund.due_at.astimezone(SHANGHAI):%Y-%m-%d %H:%M}",
            "status": refund.status,
            "attempts": refund.attempts,
            "bank_error": refund.last_error[:200],
        },
        project_id=project.id,
        section_id=section.id,
        org_ids=(refund.org_id,),
        sector=project.sector,
        region=project.region,
        dedup=f"refund:{refund.id}",
    )


def due(session: Session, now: datetime) -> list[str]:
    """Overdue refunds of opened sections that have no alert yet."""
    out: list[str] = []
    late = refunds.overdue(session, now)
    if not late:
        return out
    known = set(session.execute(select(Alert.dedup_key).where(Alert.flag_id == FLAG)).scalars())
    for r in late:
        if projects.get_section(session, r.section_id).opened_at is None:
            continue
        if key_of(finding(session, r)) not in known:
            out.append(r.id)
    return out


def apply(session: Session, refund_id: str, now: datetime) -> bool:
    refund = session.get(Refund, refund_id)
    if refund is None or refund.confirmed_at is not None or refund.due_at >= now:
        return False
    _, created = raise_alert(session, finding(session, refund), clock=FixedClock(now))
    return created
