"""发布与澄清 — publish the tender notice (bidding opens), clarify or amend, invite, re-tender.

Every date is checked against the procedure's legal periods before anything moves; a late
clarification moves the deadline by rule (条例 art. 21, 采购条例 art. 31).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy.orm import Session

from ggzy.bidding import documents as bid_documents
from ggzy.bidding import keys as opening_keys
from ggzy.core import events, training
from ggzy.core.actor import Actor
from ggzy.core.calendar import end_of_local_day, local_date
from ggzy.core.clock import SHANGHAI, Clock
from ggzy.core.errors import Invalid, RuleViolation
from ggzy.core.files import Stored
from ggzy.deposits import service as deposit_verbs
from ggzy.entities import queries as entities
from ggzy.entities.states import OrgKind
from ggzy.notices import service as notices
from ggzy.notices.models import Notice
from ggzy.notices.states import NoticeKind
from ggzy.projects import queries
from ggzy.projects.models import Invitation, Project, Section
from ggzy.projects.service import ensure_manager
from ggzy.projects.states import SECTION_LIFECYCLE, SectionStatus
from ggzy.rules import platform
from ggzy.rules.procedures import Procedure, procedure

SECTION_PUBLISHED = events.event_type("projects.section_published", "发布招标公告，开始投标")
DEADLINE_MOVED = events.event_type("projects.deadline_moved", "投标截止时间顺延")
SUPPLIERS_INVITED = events.event_type("projects.suppliers_invited", "邀请供应商")
SECTION_RETENDERED = events.event_type("projects.section_retendered", "重新招标")


def _fmt(at: dt.datetime) -> str:
    return at.astimezone(SHANGHAI).strftime("%Y年%m月%d日 %H:%M")


def earliest_text(at: dt.datetime, factor: int) -> str:
    """How a page names the earliest lawful moment: a date, or in training mode the minute."""
    if factor <= training.REAL:
        return f"{local_date(at):%Y年%m月%d日}"
    return f"{_fmt(at)}（培训模式：期限缩短为 1/{factor}）"


def check_dates(
    proc: Procedure,
    now: dt.datetime,
    deadline: dt.datetime,
    documents_until: dt.datetime | None,
    *,
    factor: int = training.REAL,
) -> None:
    """Refuse dates shorter than the law allows (or later than the platform's window), citing the article."""
    if deadline <= now:
        raise RuleViolation("投标截止时间必须晚于当前时间", code="deadline-past")
    check_not_too_far(now, deadline)
    earliest = proc.bid_period.earliest_at(now, factor=factor)
    if deadline < earliest:
        raise RuleViolation(
            f"投标截止时间不得早于 {earliest_text(earliest, factor)}：{proc.bid_period.describe()}",
            code="period-too-short",
        )
    if proc.documents_available is not None:
        if documents_until is None:
            raise Invalid("请填写招标文件提供截止时间", code="documents-until-required")
        first = proc.documents_available.earliest_at(now, factor=factor)
        if documents_until < first:
            raise RuleViolation(
                f"招标文件提供截止不得早于 {earliest_text(first, factor)}：{proc.documents_available.describe()}",
                code="documents-period-too-short",
            )
        if documents_until > deadline:
            raise RuleViolation("招标文件提供截止不能晚于投标截止时间", code="documents-after-deadline")


def check_not_too_far(now: dt.datetime, deadline: dt.datetime) -> None:
    """The law sets no longest period; the platform's window (rules/platform.py) refuses typing errors."""
    latest = local_date(now) + dt.timedelta(days=int(platform.MAX_BID_PERIOD.value))
    if local_date(deadline) > latest:
        raise RuleViolation(
            f"投标截止时间不得晚于 {latest:%Y年%m月%d日}：{platform.MAX_BID_PERIOD.describe()}", code="deadline-too-far"
        )


def _notice_body(project: Project, section: Section, proc: Procedure, body: str) -> str:
    assert section.bid_deadline is not None
    lines = [
        body.strip(),
        "",
        f"项目编号：{project.code}　标段编号：{section.code}",
        f"交易方式：{proc.name}",
        f"投标截止时间（开标时间）：{_fmt(section.bid_deadline)}（{proc.bid_period.describe()}）",
    ]
    if section.documents_until and proc.documents_available:
        lines.append(f"招标文件提供截止：{_fmt(section.documents_until)}（{proc.documents_available.describe()}）")
    lines.append("投标文件须在截止时间前加密递交；开标在线进行，投标人可在线观看。")
    return "\n".join(lines)


def ensure_may_publish(session: Session, actor: Actor, *, section_id: str) -> Section:
    """The checks that need no input: the caller manages the accepted project, and the section may be published."""
    section = queries.get_section(session, section_id)
    project = queries.get_project(session, section.project_id)
    ensure_manager(session, actor, project)
    SECTION_LIFECYCLE.move(SectionStatus(section.status), "publish", actor)  # raises if the section cannot move
    return section


def publish_tender(
    session: Session,
    actor: Actor,
    *,
    section_id: str,
    title: str,
    body: str,
    deadline: dt.datetime,
    documents_until: dt.datetime | None,
    documents: list[tuple[str, Stored]],
    clock: Clock,
    keys_env: opening_keys.KeyEnv,
    security: Decimal | str | None = None,
    security_bank: str = "",
) -> Notice:
    """发布招标公告 — bidding opens: dates checked, documents issued, the holders' opening keys fixed.

    `security` (投标保证金, yuan) is the deposits domain's requirement, checked there against its cap by rule;
    the notice states it and how to pay it (a sub-account of the section per bidder, or a guarantee)."""
    section = queries.get_section(session, section_id)
    project = queries.get_project(session, section.project_id)
    ensure_manager(session, actor, project)
    proc = procedure(project.method)
    now = clock.now()
    check_dates(proc, now, deadline, documents_until, factor=training.factor(session))
    if not documents:
        raise Invalid("请上传招标文件", code="documents-required")
    if proc.invited and len(queries.invited_orgs(session, section.id)) < proc.min_bidders:
        raise RuleViolation(
            f"「{proc.name}」须先邀请不少于{proc.min_bidders}家供应商（{proc.min_bidders_citation}）",
            code="too-few-invited",
        )
    section.status = SECTION_LIFECYCLE.move(SectionStatus(section.status), "publish", actor).value
    section.documents_issued_at = now
    section.documents_until = documents_until or deadline
    section.bid_deadline = deadline
    section.next_due_at = deadline
    bid_documents.issue(session, section_id=section.id, files=documents, clock=clock)
    opening_keys.prepare(session, actor, section=section, project=project, clock=clock, env=keys_env)
    security_line = ""
    if security is not None and str(security).strip() not in ("", "0", "0.00"):
        req = deposit_verbs.set_requirement(
            session,
            actor,
            section_id=section.id,
            amount=security,
            bank_name=security_bank.strip() or "交易中心合作银行",
            clock=clock,
        )
        security_line = deposit_verbs.notice_line(req)
    events.record(
        session,
        actor,
        SECTION_PUBLISHED,
        clock=clock,
        subject=("section", section.id),
        scope=section.id,
        payload={"deadline": deadline, "documents_until": section.documents_until, "round": section.round},
    )
    buyer = entities.get_org(session, project.tenderer_org_id).name
    return notices.publish(
        session,
        actor,
        kind=NoticeKind.TENDER,
        title=title,
        body=_notice_body(project, section, proc, body) + (f"\n\n{security_line}" if security_line else ""),
        buyer=buyer,
        region=project.region,
        category=project.category,
        method=project.method,
        clock=clock,
        project_id=project.id,
        section_id=section.id,
        codes=(project.code, section.code, project.approval_code),
        scope=section.id,
    )


def clarify(
    session: Session,
    actor: Actor,
    *,
    section_id: str,
    title: str,
    body: str,
    clock: Clock,
    new_deadline: dt.datetime | None = None,
) -> Notice:
    """澄清或修改 — a new notice linked to the tender notice; a late one moves the deadline by rule."""
    section = queries.get_section(session, section_id)
    project = queries.get_project(session, section.project_id)
    ensure_manager(session, actor, project)
    if SectionStatus(section.status) is not SectionStatus.BIDDING:
        raise RuleViolation(
            f"标段当前状态为「{SectionStatus(section.status).label}」，不能澄清或修改", code="not-bidding"
        )
    assert section.bid_deadline is not None
    proc = procedure(project.method)
    now = clock.now()
    old = section.bid_deadline
    deadline = new_deadline or old
    if deadline < old:
        raise RuleViolation("澄清或修改不能提前投标截止时间", code="deadline-earlier")
    check_not_too_far(now, deadline)
    moved_by_rule = ""
    factor = training.factor(session)
    if proc.clarification_lead is not None:
        earliest_at = proc.clarification_lead.earliest_at(now, factor=factor)
        if deadline < earliest_at:
            if factor > training.REAL:  # training: the next whole minute after the shortened period
                deadline = earliest_at.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
            else:  # the earliest lawful day, at the deadline's old time of day
                local_old = old.astimezone(SHANGHAI)
                earliest = proc.clarification_lead.earliest(now)
                deadline = dt.datetime.combine(earliest, local_old.timetz()).astimezone(dt.UTC)
            moved_by_rule = (
                f"因澄清或修改距投标截止不足期限，投标截止时间顺延至{_fmt(deadline)}"
                f"（{proc.clarification_lead.describe()}）"
            )
    if deadline != old:
        section.bid_deadline = section.next_due_at = deadline
        if section.documents_until and section.documents_until > deadline:
            section.documents_until = deadline
        events.record(
            session,
            actor,
            DEADLINE_MOVED,
            clock=clock,
            subject=("section", section.id),
            scope=section.id,
            payload={"from": old, "to": deadline, "by_rule": bool(moved_by_rule)},
        )
    tender = next(iter(notices_of_section(session, section.id, NoticeKind.TENDER)), None)
    text = body.strip() + (f"\n\n{moved_by_rule}" if moved_by_rule else "")
    if deadline != old and not moved_by_rule:
        text += f"\n\n投标截止时间调整为{_fmt(deadline)}。"
    buyer = entities.get_org(session, project.tenderer_org_id).name
    return notices.publish(
        session,
        actor,
        kind=NoticeKind.CLARIFICATION,
        title=title,
        body=text,
        buyer=buyer,
        region=project.region,
        category=project.category,
        method=project.method,
        clock=clock,
        project_id=project.id,
        section_id=section.id,
        codes=(project.code, section.code, project.approval_code),
        corrects_id=tender.id if tender else None,
        scope=section.id,
    )


def notices_of_section(session: Session, section_id: str, kind: NoticeKind) -> list[Notice]:
    from ggzy.notices import queries as notice_queries

    return notice_queries.of_section(session, section_id, kind.value)


def invite(session: Session, actor: Actor, *, section_id: str, org_ids: list[str], clock: Clock) -> list[str]:
    """邀请 — for invited procedures, name the suppliers that may take part (before publication)."""
    section = queries.get_section(session, section_id)
    project = queries.get_project(session, section.project_id)
    ensure_manager(session, actor, project)
    if not procedure(project.method).invited:
        raise RuleViolation("公开招标不需要邀请，任何合格供应商均可投标", code="not-invited-procedure")
    if SectionStatus(section.status) is not SectionStatus.PREPARING:
        raise RuleViolation("公告发布后不能再增加邀请对象", code="already-published")
    added = []
    for org_id in dict.fromkeys(org_ids):
        org = entities.get_org(session, org_id)
        if org.kind != OrgKind.BIDDER.value:
            raise Invalid(f"「{org.name}」不是投标人/供应商", code="not-a-bidder")
        if not queries.is_invited(session, section.id, org_id):
            session.add(Invitation(section_id=section.id, org_id=org_id, invited_at=clock.now()))
            added.append(org_id)
    session.flush()
    events.record(
        session,
        actor,
        SUPPLIERS_INVITED,
        clock=clock,
        subject=("section", section.id),
        scope=section.id,
        payload={"invited": added},
    )
    return added


def retender(session: Session, actor: Actor, *, section_id: str, clock: Clock) -> Section:
    """重新招标 — after a failed tender: a new round, new dates and a new opening key at publication."""
    section = queries.get_section(session, section_id)
    project = queries.get_project(session, section.project_id)
    ensure_manager(session, actor, project)
    section.status = SECTION_LIFECYCLE.move(SectionStatus(section.status), "retender", actor).value
    section.round += 1
    section.documents_issued_at = section.documents_until = section.bid_deadline = section.next_due_at = None
    section.opening_public_key = None
    section.opening_key_id = None
    section.outcome_note = ""
    events.record(
        session,
        actor,
        SECTION_RETENDERED,
        clock=clock,
        subject=("section", section.id),
        scope=section.id,
        payload={"round": section.round},
    )
    return section


__all__ = ["check_dates", "clarify", "end_of_local_day", "invite", "publish_tender", "retender"]
