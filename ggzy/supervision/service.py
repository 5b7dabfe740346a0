"""预警 — turn a fired flag into an alert for the responsible regulator (谁监管、谁负责), merge duplicates,
and move it through assignment, investigation, confirmation (with a sanction reference) or dismissal."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ggzy.core import events, policy
from ggzy.core.actor import Actor, system
from ggzy.core.clock import Clock
from ggzy.core.errors import Forbidden, Invalid, NotFound
from ggzy.core.ids import new_id
from ggzy.core.policy import Subject
from ggzy.core.roles import Role
from ggzy.entities.models import Organisation, RoleGrant, User
from ggzy.supervision.models import Alert
from ggzy.supervision.states import ALERT_LIFECYCLE, AlertStatus, Severity

ALERT_RAISED = events.event_type("supervision.alert_raised", "生成监管预警")
ALERT_MERGED = events.event_type("supervision.alert_merged", "同一预警再次出现（合并）")
ALERT_ASSIGNED = events.event_type("supervision.alert_assigned", "分派预警核查")
ALERT_INVESTIGATING = events.event_type("supervision.alert_investigating", "开始核查预警")
ALERT_CONFIRMED = events.event_type("supervision.alert_confirmed", "预警查实")
ALERT_DISMISSED = events.event_type("supervision.alert_dismissed", "预警排除")


@dataclass(frozen=True)
class Finding:
    """A fired flag, from the platform's own trades or from imported data."""

    flag_id: str
    title: str
    severity: Severity
    legal_basis: str
    subject: str
    source: str
    evidence: dict[str, Any] = field(default_factory=dict)
    project_id: str | None = None
    section_id: str | None = None
    org_ids: tuple[str, ...] = ()
    sector: str = ""
    region: str = ""
    dedup: str = ""  # what makes two findings the same alert (beyond flag and subject)


def subject_of(alert: Alert) -> Subject:
    return Subject("alert", sector=alert.sector or None)


def regulator_for(session: Session, sector: str) -> str | None:
    """谁监管、谁负责: the government body of the sector, else the comprehensive supervision office."""
    org = session.execute(
        select(Organisation.id).where(Organisation.kind == "government", Organisation.sector == sector).limit(1)
    ).scalar()
    if org:
        return org
    return session.execute(
        select(User.org_id)
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .where(RoleGrant.role == Role.SUPERVISOR.value)
        .limit(1)
    ).scalar()


def _key(f: Finding) -> str:
    basis = "|".join([f.flag_id, f.section_id or f.project_id or f.subject, " ".join(sorted(f.org_ids)), f.dedup])
    return hashlib.sha256(basis.encode()).hexdigest()


def key_of(f: Finding) -> str:
    """The dedup key an alert raised from this finding has (to ask whether it was raised already)."""
    return _key(f)


def raise_alert(session: Session, finding: Finding, *, clock: Clock) -> tuple[Alert, bool]:
    """Record the finding as an alert, or merge it into the same open alert; returns (alert, new?)."""
    me = system()
    key = _key(finding)
    existing = session.execute(select(Alert).where(Alert.dedup_key == key)).scalar()
    if existing is not None:
        existing.occurrences += 1
        existing.last_seen_at = clock.now()
        events.record(
            session,
            me,
            ALERT_MERGED,
            clock=clock,
            subject=("alert", existing.id),
            scope=existing.project_id,
            payload={"occurrences": existing.occurrences},
        )
        return existing, False
    now = clock.now()
    alert = Alert(
        id=new_id(),
        dedup_key=key,
        flag_id=finding.flag_id,
        title=finding.title[:300],
        severity=finding.severity.value,
        legal_basis=finding.legal_basis[:300],
        evidence=json.dumps(finding.evidence, ensure_ascii=False, default=str),
        source=finding.source[:40],
        project_id=finding.project_id,
        section_id=finding.section_id,
        subject=finding.subject[:200],
        org_ids=" ".join(finding.org_ids),
        sector=finding.sector or "other",
        region=finding.region[:6],
        regulator_org_id=regulator_for(session, finding.sector),
        status=AlertStatus.NEW.value,
        occurrences=1,
        first_seen_at=now,
        last_seen_at=now,
    )
    session.add(alert)
    session.flush()
    events.record(
        session,
        me,
        ALERT_RAISED,
        clock=clock,
        subject=("alert", alert.id),
        scope=finding.section_id or finding.project_id,
        payload={
            "flag": finding.flag_id,
            "severity": finding.severity.value,
            "subject": finding.subject,
            "regulator": alert.regulator_org_id,
            "source": finding.source,
        },
    )
    return alert, True


def get(session: Session, actor: Actor, alert_id: str) -> Alert:
    alert = session.get(Alert, alert_id)
    if alert is None or not policy.can(actor, policy.ALERT_READ, subject_of(alert)):
        raise NotFound("未找到该预警")
    return alert


def _move(session: Session, actor: Actor, alert_id: str, move: str) -> Alert:
    alert = get(session, actor, alert_id)
    policy.ensure(actor, policy.ALERT_HANDLE, subject_of(alert))
    alert.status = ALERT_LIFECYCLE.move(AlertStatus(alert.status), move, actor).value
    return alert


def may_hold(session: Session, alert: Alert, user: User) -> bool:
    """Whether this person's grants let them handle alerts of the alert's sector (公管办: every sector)."""
    grants = session.execute(select(RoleGrant.role, RoleGrant.sector).where(RoleGrant.user_id == user.id)).all()
    return any(
        role == Role.SUPERVISOR.value or (role == Role.SECTOR_SUPERVISOR.value and sector == alert.sector)
        for role, sector in grants
    )


def handlers_for(session: Session, actor: Actor, alert: Alert) -> list[User]:
    """Whom the actor may assign the alert to: active people of its own body who handle the alert's sector."""
    if actor.org_id is None:
        return []
    users = session.execute(
        select(User)
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .where(
            User.org_id == actor.org_id,
            User.is_active.is_(True),
            RoleGrant.role.in_([Role.SUPERVISOR.value, Role.SECTOR_SUPERVISOR.value]),
        )
        .distinct()
        .order_by(User.username)
    ).scalars()
    return [u for u in users if may_hold(session, alert, u)]


def assign(session: Session, actor: Actor, *, alert_id: str, assignee_id: str, clock: Clock) -> Alert:
    """分派 — only within the regulator's own body and the alert's sector (谁监管、谁负责); the assignment records
    who holds the alert and since when."""
    assignee = session.get(User, assignee_id) if assignee_id else None
    if assignee is None:
        raise Invalid("请选择核查人员", code="assignee-required")
    alert = get(session, actor, alert_id)
    policy.ensure(actor, policy.ALERT_HANDLE, subject_of(alert))
    if assignee.org_id != actor.org_id or not assignee.is_active:
        raise Forbidden(
            f"只能分派给本单位的监管人员：「{assignee.display_name}」不属于本单位（谁监管、谁负责）",
            code="assignee-outside-body",
        )
    if not may_hold(session, alert, assignee):
        raise Forbidden(
            f"只能分派给负责本行业监管的人员：「{assignee.display_name}」不负责「{_sector_label(alert.sector)}」行业的监管",
            code="assignee-outside-sector",
        )
    alert = _move(session, actor, alert_id, "assign")
    alert.assignee_id = assignee.id
    alert.assigned_at = clock.now()
    alert.assigned_by = actor.user_id
    events.record(
        session,
        actor,
        ALERT_ASSIGNED,
        clock=clock,
        subject=("alert", alert.id),
        scope=alert.project_id,
        payload={"assignee": assignee.id},
    )
    return alert


def _sector_label(sector: str) -> str:
    from ggzy.core.roles import SECTOR_LABELS, Sector

    return SECTOR_LABELS[Sector(sector)] if sector in Sector._value2member_map_ else sector


def investigate(session: Session, actor: Actor, *, alert_id: str, clock: Clock) -> Alert:
    alert = _move(session, actor, alert_id, "investigate")
    events.record(session, actor, ALERT_INVESTIGATING, clock=clock, subject=("alert", alert.id), scope=alert.project_id)
    return alert


def confirm(session: Session, actor: Actor, *, alert_id: str, sanction_ref: str, clock: Clock) -> Alert:
    """查实 — with the sanction decision's reference, ready for the credit record."""
    if not sanction_ref.strip():
        raise Invalid("查实须填写处理决定文号", code="sanction-ref-required")
    alert = _move(session, actor, alert_id, "confirm")
    alert.sanction_ref = sanction_ref.strip()[:100]
    events.record(
        session,
        actor,
        ALERT_CONFIRMED,
        clock=clock,
        subject=("alert", alert.id),
        scope=alert.project_id,
        payload={"sanction_ref": alert.sanction_ref, "org_ids": alert.org_ids.split()},
    )
    return alert


def dismiss(session: Session, actor: Actor, *, alert_id: str, reason: str, clock: Clock) -> Alert:
    if not reason.strip():
        raise Invalid("排除须说明理由", code="reason-required")
    alert = _move(session, actor, alert_id, "dismiss")
    alert.dismissal_reason = reason.strip()[:300]
    events.record(
        session,
        actor,
        ALERT_DISMISSED,
        clock=clock,
        subject=("alert", alert.id),
        scope=alert.project_id,
        payload={"reason": alert.dismissal_reason},
    )
    return alert
