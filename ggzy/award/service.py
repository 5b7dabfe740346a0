"""定标 — the verbs from the signed report to the contract: publish the candidates (条例 art. 54), file and answer
objections to the result (cases of the case workflow, holding the award until answered), award and notify
(招标投标法 art. 45), report to the supervisor (art. 47), draft or upload the contract and sign it on both sides
(art. 46; 条例 arts. 57–58).

Every legal number comes from `ggzy.rules.award.terms(regime)`. A section moves only through projects' verbs.
"""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from ggzy.award import documents, queries
from ggzy.award.models import Award
from ggzy.bidding import queries as bids
from ggzy.cases import service as cases
from ggzy.cases.states import Matter
from ggzy.core import events, holds, policy, training
from ggzy.core.actor import Actor
from ggzy.core.clock import SHANGHAI, Clock
from ggzy.core.errors import Conflict, Invalid, RuleViolation
from ggzy.core.files import FileStore
from ggzy.core.ids import new_id
from ggzy.core.notify import Channel, Notifier
from ggzy.deposits import refunds as deposit_refunds
from ggzy.entities import queries as entities
from ggzy.evaluation import queries as evaluation
from ggzy.notices import service as notices
from ggzy.notices.states import NoticeKind
from ggzy.projects import queries as projects
from ggzy.projects import service as project_verbs
from ggzy.projects.states import SectionStatus
from ggzy.rules import award as rules
from ggzy.rules.procedures import procedure
from ggzy.supervision.service import Finding, raise_alert
from ggzy.supervision.states import Severity

if TYPE_CHECKING:
    from ggzy.cases.models import Case
    from ggzy.projects.models import Project, Section

CANDIDATES_PUBLISHED = events.event_type("award.candidates_published", "公示中标候选人", public=True)
PUBLICITY_LATE = events.event_type("award.publicity_late", "中标候选人逾期公示", public=True)
# the log of the award's own objections before they became cases (migration 0017) still names these
OBJECTION_FILED = events.event_type("award.objection_filed", "公示期间对评标结果提出异议", public=True)
OBJECTION_ANSWERED = events.event_type("award.objection_answered", "答复对评标结果的异议", public=True)
OBJECTION_OVERDUE = events.event_type("award.objection_overdue", "异议逾期未答复", public=True)
AWARDED = events.event_type("award.awarded", "确定中标人，发出中标通知书", public=True)
AWARD_LATE = events.event_type("award.award_late", "逾期确定中标（成交）供应商", public=True)
SUPERVISOR_REPORTED = events.event_type(
    "award.supervisor_reported", "向行政监督部门提交招标投标情况书面报告", public=True
)
REPORT_OVERDUE = events.event_type("award.report_overdue", "书面报告逾期未提交", public=True)

MAX_TEXT = 5000
MAX_PDF = 20 << 20


def section_context(session: Session, section_id: str) -> tuple[Section, Project, rules.Terms]:
    section = projects.get_section(session, section_id)
    project = projects.get_project(session, section.project_id)
    return section, project, rules.terms(procedure(project.method).regime)


def managed_section(session: Session, actor: Actor, section_id: str) -> tuple[Section, Project, rules.Terms]:
    section, project, terms = section_context(session, section_id)
    policy.ensure(actor, policy.AWARD_MANAGE, projects.subject_of(project))
    return section, project, terms


def _money_text(v: Decimal | None) -> str | None:
    return None if v is None else str(v)


def flag(
    session: Session,
    flag_id: str,
    title: str,
    basis: str,
    section: Section,
    project: Project,
    evidence: dict[str, Any],
    *,
    clock: Clock,
    org_ids: tuple[str, ...] = (),
) -> None:
    raise_alert(
        session,
        Finding(
            flag_id=flag_id,
            title=f"{title}：{project.name}（{section.name}）",
            severity=Severity.MEDIUM,
            legal_basis=basis,
            subject=f"{project.name}（{section.name}）",
            source="award",
            evidence=evidence,
            project_id=project.id,
            section_id=section.id,
            org_ids=org_ids,
            sector=project.sector,
            region=project.region,
            dedup=f"{flag_id}:{section.id}:{section.round}",
        ),
        clock=clock,
    )


def publish_notice(
    session: Session, actor: Actor, project: Project, section: Section, kind: NoticeKind, body: str, clock: Clock
) -> str:
    n = notices.publish(
        session,
        actor,
        kind=kind,
        title=f"{project.name}（{section.name}）{kind.label}",
        body=body,
        buyer=entities.get_org(session, project.tenderer_org_id).name,
        region=project.region,
        category=project.category,
        method=project.method,
        clock=clock,
        project_id=project.id,
        section_id=section.id,
        scope=section.id,
    )
    return n.id


def when(t: datetime) -> str:
    return f"{t.astimezone(SHANGHAI):%Y年%m月%d日 %H:%M}"


# --- publicity -----------------------------------------------------------------------------------------------


def publish_candidates(session: Session, actor: Actor, *, section_id: str, clock: Clock) -> Award:
    """公示中标候选人 — up to 3 ranked candidates of the signed report, with their scores and prices, within
    3 days of the report (a late publication is published and flagged), shown at least 3 days (条例 art. 54)."""
    section, project, terms = managed_section(session, actor, section_id)
    status = SectionStatus(section.status)
    if queries.award_of(session, section.id, section.round) is not None:
        raise Conflict("本标段已公示中标候选人，不能重复公示", code="already-published")
    if status is not SectionStatus.OPENED:
        raise RuleViolation(f"标段当前状态为「{status.label}」，不能公示中标候选人", code="not-opened")
    ranking = evaluation.final_ranking(session, section.id)
    if not ranking:
        raise RuleViolation(
            f"评标报告签署后才能公示中标候选人（{terms.publish_candidates.citation}）", code="no-signed-report"
        )
    report = evaluation.get_evaluation(session, ranking[0].report_id)
    assert report.report_at is not None
    chosen = ranking[: terms.candidates_max]
    now, factor = clock.now(), training.factor(session)
    due = terms.publish_candidates.latest_at(report.report_at, factor=factor)
    ends = terms.publicity_min.earliest_at(now, factor=factor) if terms.publicity_min else now
    late = now > due
    listed = [
        {
            "rank": c.rank,
            "org_id": c.org_id,
            "name": c.name,
            "score": _money_text(c.score),
            "price": _money_text(c.price),
        }
        for c in chosen
    ]
    lines = [
        f"{project.name}（标段：{section.name}，编号 {section.code}）评标工作已经结束，"
        f"根据评标委员会签署的评标报告（摘要 {ranking[0].report_sha256[:16]}…），现将中标候选人公示如下：",
        "",
    ]
    for c in chosen:
        score = f"　综合得分：{c.score}" if c.score is not None else ""
        lines.append(f"第{c.rank}名：{c.name}　投标报价：{documents.money(c.price)}{score}")
    if terms.publicity_min:
        lines += ["", f"公示期：{when(now)} 至 {when(ends)}（{terms.publicity_min.describe()}）。"]
    lines.append(
        f"投标人或者其他利害关系人对评标结果有异议的，应当在公示期间提出；招标人{terms.objection_answer.describe()}，"
        "作出答复前暂停招标投标活动。"
    )
    notice_id = publish_notice(session, actor, project, section, NoticeKind.CANDIDATES, "\n".join(lines), clock)
    project_verbs.mark_publicity(session, actor, section_id=section.id)
    award = Award(
        id=new_id(),
        section_id=section.id,
        round=section.round,
        regime=terms.regime.value,
        report_id=report.id,
        report_sha256=ranking[0].report_sha256,
        report_at=report.report_at,
        candidates=json.dumps(listed, ensure_ascii=False, sort_keys=True),
        publicity_notice_id=notice_id,
        published_by=actor.user_id or "",
        published_at=now,
        publish_due_at=due,
        published_late=late,
        publicity_ends_at=ends,
        reason="",
        supervisor_report="",
        report_overdue=False,
        contract_overdue=False,
    )
    session.add(award)
    session.flush()
    events.record(
        session,
        actor,
        CANDIDATES_PUBLISHED,
        clock=clock,
        subject=("award", award.id),
        scope=section.id,
        payload={"candidates": listed, "report_sha256": award.report_sha256, "ends": ends, "due": due, "late": late},
    )
    if late:
        events.record(
            session,
            actor,
            PUBLICITY_LATE,
            clock=clock,
            subject=("award", award.id),
            scope=section.id,
            payload={"due": due, "published": now},
        )
        flag(
            session,
            "D01",
            "中标候选人逾期公示",
            str(terms.publish_candidates.citation),
            section,
            project,
            {"report_at": report.report_at.isoformat(), "due": due.isoformat(), "published": now.isoformat()},
            clock=clock,
        )
    return award


# --- objections to the result: cases of matter `result` (ggzy/cases) -----------------------------------------


def file_objection(session: Session, actor: Actor, *, section_id: str, text: str, clock: Clock) -> Case:
    """提出异议（质疑） — a bidder whose bid was opened, during publicity only: one case of the case workflow
    (its clock, thread, routing and the later complaint, 条例 art. 60); the award waits until it is answered."""
    text = text.strip()
    if not text:
        raise Invalid("请填写异议（质疑）的内容：事实、理由和请求", code="text-required")
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return cases.file_objection(
        session,
        actor,
        section_id=section_id,
        matter=Matter.RESULT,
        points=[first[:300]] if first else [],
        claims=text,
        clock=clock,
        known_at=clock.now(),
    )


def answer_objection(session: Session, actor: Actor, *, objection_id: str, answer: str, clock: Clock) -> Case:
    """答复异议（质疑） — by the tenderer or its agency; late is recorded and flagged (K01); the hold is lifted."""
    return cases.answer_objection(session, actor, case_id=objection_id, answer=answer, clock=clock)


# --- the award ----------------------------------------------------------------------------------------------


def award(
    session: Session,
    actor: Actor,
    *,
    section_id: str,
    winner_org_id: str,
    clock: Clock,
    files: FileStore,
    notifier: Notifier,
    reason: str = "",
) -> Award:
    """定标 — after publicity, with no open hold: the winner among the candidates (the first, or a lower one with
    the reason, 条例 art. 55); the award notice to the winner, result notices to the others, the result notice."""
    section, project, terms = managed_section(session, actor, section_id)
    a = queries.award_of(session, section.id, section.round)
    if a is None:
        raise RuleViolation("须先公示中标候选人才能定标", code="no-publicity")
    if a.winner_org_id is not None:
        raise Conflict("本标段已确定中标人，不能重复定标", code="already-awarded")
    now = clock.now()
    if now < a.publicity_ends_at:
        basis = f"（{terms.publicity_min.citation}）" if terms.publicity_min else ""
        raise RuleViolation(
            f"公示期至{when(a.publicity_ends_at)}结束，公示期满后才能定标{basis}", code="publicity-running"
        )
    holds.check(session, section.id, holds.Step.AWARD)
    listed = queries.candidates(a)
    chosen = next((c for c in listed if c["org_id"] == winner_org_id), None)
    if chosen is None:
        raise RuleViolation("只能在公示的中标候选人中确定中标人", code="not-a-candidate")
    reason = reason.strip()
    if chosen["rank"] != 1 and not reason:
        raise RuleViolation(
            "确定排名第一以外的中标候选人为中标人，须写明理由（排名第一的中标候选人放弃中标、因不可抗力不能履行合同、"
            "不按照招标文件要求提交履约保证金，或者被查实存在影响中标结果的违法行为等，《招标投标法实施条例》第55条）",
            code="reason-required",
        )
    if len(reason) > 500:
        raise Invalid("理由不超过500字", code="bad-reason")
    project_verbs.mark_awarded(session, actor, section_id=section.id)
    confirm_due = terms.confirm.latest_at(a.report_at, factor=training.factor(session)) if terms.confirm else None
    if confirm_due is not None and now > confirm_due:
        assert terms.confirm is not None
        events.record(
            session,
            actor,
            AWARD_LATE,
            clock=clock,
            subject=("award", a.id),
            scope=section.id,
            payload={"due": confirm_due, "awarded": now},
        )
        flag(
            session,
            "D06",
            "逾期确定中标（成交）供应商",
            str(terms.confirm.citation),
            section,
            project,
            {"report_at": a.report_at.isoformat(), "due": confirm_due.isoformat(), "awarded": now.isoformat()},
            clock=clock,
        )
    tenderer = entities.get_org(session, project.tenderer_org_id)
    factor = training.factor(session)
    contract_due = terms.contract.latest_at(now, factor=factor)
    pdf = documents.render(
        documents.Letter(
            title="中标通知书",
            to=chosen["name"],
            lines=[
                f"{project.name}（标段：{section.name}，编号 {section.code}）经评标委员会评审、中标候选人公示，"
                f"确定你单位为中标人。",
                f"中标价：{documents.money(chosen['price'])}。",
                f"请于{when(contract_due)}前与招标人按照招标文件和你单位的投标文件订立书面合同（{terms.contract.citation}）。",
                *([f"说明：{reason}"] if reason else []),
            ],
            sender=tenderer.name,
            at=now,
        )
    )
    stored = files.save(f"award/{section.id}", [pdf], max_bytes=MAX_PDF)
    a.winner_org_id = winner_org_id
    a.winner_rank = int(chosen["rank"])
    a.winner_price = chosen["price"]
    a.reason = reason
    a.awarded_by = actor.user_id
    a.awarded_at = now
    a.notice_path = stored.path
    a.notice_sha256 = stored.sha256
    a.contract_due_at = contract_due
    a.report_due_at = terms.supervisor_report.latest_at(now, factor=factor) if terms.supervisor_report else None
    a.next_due_at = min(d for d in (a.contract_due_at, a.report_due_at) if d is not None)
    body = [
        f"{project.name}（标段：{section.name}，编号 {section.code}）中标结果如下：",
        f"中标人：{chosen['name']}　中标价：{documents.money(chosen['price'])}（排名第{chosen['rank']}的中标候选人）",
    ]
    if reason:
        body.append(f"确定排名第一以外的中标候选人的理由：{reason}")
    a.result_notice_id = publish_notice(session, actor, project, section, NoticeKind.RESULT, "\n".join(body), clock)
    deposit_refunds.on_award(session, section_id=section.id, winner_org_id=winner_org_id, clock=clock)
    events.record(
        session,
        actor,
        AWARDED,
        clock=clock,
        subject=("award", a.id),
        scope=section.id,
        payload={
            "winner": chosen["name"],
            "rank": chosen["rank"],
            "price": chosen["price"],
            "reason": reason,
            "notice_sha256": stored.sha256,
            "contract_due": contract_due,
        },
    )
    for user_id in queries.users_of(session, winner_org_id):
        notifier.send(
            user_id,
            Channel.IN_APP,
            "中标通知书",
            f"你单位已被确定为{project.name}（{section.name}）的中标人，请查收中标通知书并在{when(contract_due)}前签订合同。",
        )
    for bid in bids.opened_bids(session, section.id, section.round):
        if bid.bidder_org_id == winner_org_id:
            continue
        for user_id in queries.users_of(session, bid.bidder_org_id):
            notifier.send(
                user_id,
                Channel.IN_APP,
                "中标结果通知书",
                f"{project.name}（{section.name}）中标人为{chosen['name']}。感谢你单位参加投标。",
            )
    return a


def report_to_supervisor(session: Session, actor: Actor, *, section_id: str, text: str, clock: Clock) -> Award:
    """书面报告 — the tenderer's report on the tender to the supervisor within 15 days of the award (招标投标法
    art. 47); late reports are accepted and recorded as late."""
    section, _, _ = managed_section(session, actor, section_id)
    a = queries.award_of(session, section.id, section.round)
    if a is None or a.awarded_at is None:
        raise RuleViolation("确定中标人后才能提交书面报告", code="not-awarded")
    if a.reported_at is not None:
        raise Conflict("书面报告已经提交", code="already-reported")
    text = text.strip()
    if not 1 <= len(text) <= MAX_TEXT:
        raise Invalid(f"书面报告不能为空，且不超过{MAX_TEXT}字", code="bad-text")
    now = clock.now()
    a.supervisor_report = text
    a.reported_at = now
    a.report_overdue = a.report_overdue or (a.report_due_at is not None and now > a.report_due_at)
    a.next_due_at = (
        a.contract_due_at if a.contract_due_at and not a.contract_overdue and not _signed(session, a) else None
    )
    events.record(
        session,
        actor,
        SUPERVISOR_REPORTED,
        clock=clock,
        subject=("award", a.id),
        scope=section.id,
        payload={"late": a.report_overdue},
    )
    return a


def _signed(session: Session, a: Award) -> bool:
    c = queries.contract_of(session, a.id)
    return c is not None and c.signed_at is not None
