"""处理决定 — the regulator's decision, published as a notice (P6) and driving the trade: a correction of the
documents holds the trade until the tenderer's clarification moves the deadline by rule (条例 art. 21); a re-tender
ends the section's procedure; a fabricated complaint becomes a credit record (采购条例 arts. 57, 73; 条例 art. 77).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from ggzy.cases import queries
from ggzy.cases.complaints import lift_suspension_of, regulated
from ggzy.cases.models import Case
from ggzy.cases.service import (
    WORKS_DOCUMENT_HOLD,
    add_to_thread,
    clean_text,
    lift_and_restore,
    record_case_event,
    record_late,
)
from ggzy.cases.states import CaseStatus, ClockKind, EntryKind, Matter, Outcome, Remedy
from ggzy.core import events, holds, policy
from ggzy.core.actor import Actor
from ggzy.core.clock import SHANGHAI, Clock
from ggzy.core.errors import Invalid, RuleViolation
from ggzy.core.roles import Sector
from ggzy.credit import service as credit
from ggzy.entities import queries as entities
from ggzy.notices import service as notices
from ggzy.notices.states import NoticeKind
from ggzy.projects import publication
from ggzy.projects import queries as projects
from ggzy.projects import service as trade
from ggzy.projects.states import SectionStatus
from ggzy.rules import procurement, tendering

if TYPE_CHECKING:
    from ggzy.notices.models import Notice

COMPLAINT_DECIDED = events.event_type("cases.complaint_decided", "作出投诉处理决定", public=True)
DECISION_COMPLIED = events.event_type("cases.decision_complied", "按投诉处理决定整改", public=True)


def decide(
    session: Session,
    actor: Actor,
    *,
    case_id: str,
    outcome: Outcome,
    remedy: Remedy,
    decision: str,
    clock: Clock,
    malicious: bool = False,
) -> Case:
    """处理决定 — published as a notice (P6); the remedy drives the trade; a malicious complaint is a credit record."""
    case = regulated(session, actor, case_id)
    if case.status != CaseStatus.ACCEPTED.value:
        raise RuleViolation(
            f"投诉当前状态为「{CaseStatus(case.status).label}」，须受理后才能作出处理决定", code="bad-state"
        )
    if any(p.ended_at is None for p in queries.pauses(session, case.id, ClockKind.DECIDE)):
        raise RuleViolation("处理期限中止中，请先恢复计时", code="paused")
    if outcome is Outcome.DISMISSED and remedy is not Remedy.NONE:
        raise Invalid("驳回投诉的决定不附整改措施", code="remedy-on-dismissal")
    if outcome is Outcome.UPHELD and remedy is Remedy.NONE:
        raise Invalid("投诉成立的，请选择处理措施", code="remedy-required")
    if malicious and outcome is not Outcome.DISMISSED:
        cited = (
            procurement.FALSE_COMPLAINT_DISMISSED if case.regime == queries.PROCUREMENT else tendering.FALSE_COMPLAINT
        )
        raise Invalid(f"认定为虚假、恶意投诉的，应当驳回投诉（{cited.citation}）", code="malicious-upheld")
    section = projects.get_section(session, case.section_id)
    if remedy is Remedy.CORRECT_DOCUMENTS and SectionStatus(section.status) is not SectionStatus.BIDDING:
        raise RuleViolation("标段已不在投标期内，不能责令修改招标文件后继续", code="not-bidding")
    text = clean_text(decision, "处理决定书正文")
    now = clock.now()
    case.decided_late = queries.clocks(session, case)[ClockKind.DECIDE].overdue(now)
    if case.decided_late:
        record_late(session, case, ClockKind.DECIDE, clock, done_at=now)
    case.status, case.outcome, case.remedy, case.decision, case.decided_at = (
        CaseStatus.DECIDED.value,
        outcome.value,
        remedy.value,
        text,
        now,
    )
    case.malicious, case.next_due_at = malicious, None
    if remedy is Remedy.CORRECT_DOCUMENTS:
        # the documents must be corrected before the trade may reach its deadline: a hold until the clarification
        case.hold_id = holds.place(
            session,
            actor,
            section_id=section.id,
            steps=WORKS_DOCUMENT_HOLD,
            case_number=case.number,
            reason="须按投诉处理决定修改招标文件",
            clock=clock,
        ).id
    elif remedy in (Remedy.REEVALUATE, Remedy.VOID_AWARD):
        case.hold_id = holds.place(
            session,
            actor,
            section_id=section.id,
            steps=frozenset({holds.Step.AWARD, holds.Step.SIGNING}),
            case_number=case.number,
            reason=f"投诉处理决定：{remedy.label}",
            clock=clock,
        ).id
    lift_suspension_of(session, actor, case, clock)
    notice = _publish_decision(session, actor, case, clock)
    case.decision_notice_id = notice.id
    add_to_thread(
        session,
        actor,
        case,
        EntryKind.NOTICE,
        f"处理决定已作出并公告（{notice.number}）：{outcome.label}；{remedy.label}",
        clock,
    )
    if malicious:
        credit.record_from_case(
            session,
            actor,
            org_id=case.complainant_org_id,
            case_number=case.number,
            regime=case.regime,
            decision_notice=notice.number,
            clock=clock,
        )
    record_case_event(
        session,
        actor,
        COMPLAINT_DECIDED,
        case,
        clock,
        outcome=outcome.value,
        remedy=remedy.value,
        late=case.decided_late,
    )
    return case


def _publish_decision(session: Session, actor: Actor, case: Case, clock: Clock) -> Notice:
    project = projects.get_project(session, case.project_id)
    section = projects.get_section(session, case.section_id)
    complainant = entities.get_org(session, case.complainant_org_id).name
    outcome, remedy = Outcome(str(case.outcome)), Remedy(str(case.remedy))
    rule = queries.decide_rule(case.regime)
    decided = case.decided_at.astimezone(SHANGHAI) if case.decided_at else None
    body = "\n".join(
        [
            f"案件编号：{case.number}",
            f"项目：{project.name}（{project.code}），标段：{section.name}（{section.code}）",
            f"投诉人：{complainant}",
            f"被投诉人：{entities.get_org(session, case.respondent_org_id).name}",
            f"投诉事项：{Matter(case.matter).label}：{'；'.join(queries.points_of(case))}",
            f"处理结果：{outcome.label}" + (f"；处理措施：{remedy.label}" if remedy is not Remedy.NONE else ""),
            "",
            case.decision,
            "",
            f"处理机关：{Sector(str(case.regulator_sector)).label}行政监督部门；决定日期：{decided:%Y年%m月%d日}"
            if decided
            else "",
            f"依据：{rule.citation}。当事人对处理决定不服的，可以依法申请行政复议或者提起行政诉讼。",
        ]
    )
    return notices.publish(
        session,
        actor,
        kind=NoticeKind.DECISION,
        title=f"关于{project.name}（{section.name}）投诉的处理决定",
        body=body,
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


def comply(session: Session, actor: Actor, *, case_id: str, title: str, body: str, clock: Clock) -> Case:
    """整改 — the tenderer carries out the decision: a correction is published as a clarification, and the deadline
    moves by the clarification rule (条例 art. 21); a re-tender ends this section's procedure."""
    case = queries.get_case(session, case_id)
    project = projects.get_project(session, case.project_id)
    policy.ensure(actor, policy.CASE_ANSWER, projects.subject_of(project))
    if not queries.needs_compliance(case):
        raise RuleViolation("本案没有待整改的处理决定", code="nothing-to-comply")
    remedy = Remedy(str(case.remedy))
    what = clean_text(body, "整改说明")
    if case.hold_id:
        lift_and_restore(session, actor, case, case.hold_id, clock, f"已按投诉处理决定（{case.number}）整改。")
    if remedy is Remedy.CORRECT_DOCUMENTS:
        publication.clarify(
            session,
            actor,
            section_id=case.section_id,
            title=title.strip() or f"{project.name}招标文件澄清与修改公告",
            body=f"根据投诉处理决定（案件编号 {case.number}），对招标文件修改如下：\n{what}",
            clock=clock,
        )
    elif remedy is Remedy.RETENDER:
        section = projects.get_section(session, case.section_id)
        trade.terminate_section(
            session, actor, section=section, reason=f"根据投诉处理决定（{case.number}）重新招标", clock=clock
        )
    case.status, case.complied_at = CaseStatus.COMPLIED.value, clock.now()
    add_to_thread(session, actor, case, EntryKind.STATEMENT, f"整改情况：{what}", clock)
    record_case_event(session, actor, DECISION_COMPLIED, case, clock, remedy=remedy.value)
    return case
