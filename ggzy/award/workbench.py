"""待办 — the next step after the opening for each party (T15): publish the candidates, answer objections, award,
draft and sign the contract, report to the supervisor; a bidder's objection window and the winner's signature;
the dossiers for auditors and inspectors."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from ggzy.award import performance, queries
from ggzy.bidding import queries as bids
from ggzy.core import holds, policy, training
from ggzy.core.actor import Actor
from ggzy.core.i18n import N_
from ggzy.core.roles import Role
from ggzy.core.workbench import DueItem
from ggzy.evaluation import queries as evaluation
from ggzy.projects import queries as projects
from ggzy.projects.states import SectionStatus
from ggzy.rules import award as rules
from ggzy.rules import credit as law
from ggzy.rules.procedures import procedure

AFTER_OPENING = frozenset({SectionStatus.OPENED, SectionStatus.PUBLICITY, SectionStatus.AWARDED})


def due_items(session: Session, actor: Actor, now: datetime) -> list[DueItem]:
    if actor.role in (Role.TENDERER, Role.AGENCY):
        return _for_manager(session, actor, now)
    if actor.role is Role.BIDDER and actor.org_id:
        return _for_bidder(session, actor)
    if actor.role in (Role.SUPERVISOR, Role.SECTOR_SUPERVISOR):
        return _for_supervisor(session, actor)
    if actor.role in (Role.AUDITOR, Role.INSPECTOR) and policy.can(actor, policy.ARCHIVE_READ):
        n = len(queries.dossiers(session))
        if n:  # nothing sealed yet: nothing to do (the menu still leads to /archive)
            return [DueItem(f"查阅交易档案（已封存 {n} 个）", "/archive", None, N_("交易档案保存不少于15年"))]
    return []


def _for_manager(session: Session, actor: Actor, now: datetime) -> list[DueItem]:
    items: list[DueItem] = []
    for s, p in projects.managed_sections(session, org_id=actor.org_id, statuses=[x.value for x in AFTER_OPENING]):
        terms = rules.terms(procedure(p.method).regime)
        status = SectionStatus(s.status)
        url, where = f"/sections/{s.id}/award", f"{p.name}（{s.name}）"
        a = queries.award_of(session, s.id, s.round)
        if a is None:
            ranking = evaluation.final_ranking(session, s.id)
            if ranking and status is SectionStatus.OPENED:
                report = evaluation.get_evaluation(session, ranking[0].report_id)
                due = (
                    terms.publish_candidates.latest_at(report.report_at, factor=training.factor(session))
                    if report.report_at
                    else None
                )
                items.append(
                    DueItem(N_("公示中标候选人") + f"：{where}", url, due, terms.publish_candidates.describe())
                )
            continue
        if status is SectionStatus.PUBLICITY and holds.holding(session, s.id, holds.Step.AWARD) is None:
            title = N_("确定中标人") if now >= a.publicity_ends_at else N_("公示期满后确定中标人")
            items.append(
                DueItem(f"{title}：{where}", url, a.publicity_ends_at, N_("《招标投标法实施条例》第54条、第55条"))
            )
        if status is SectionStatus.AWARDED:
            c = queries.contract_of(session, a.id)
            if c is None:
                items.append(
                    DueItem(N_("起草或上传合同") + f"：{where}", url, a.contract_due_at, terms.contract.describe())
                )
            elif c.tenderer_signed_at is None:
                items.append(DueItem(N_("签署合同") + f"：{where}", url, a.contract_due_at, terms.contract.describe()))
        if a.report_due_at is not None and a.reported_at is None and a.awarded_at is not None:
            basis = terms.supervisor_report.describe() if terms.supervisor_report else ""
            items.append(DueItem(N_("向监督部门提交书面报告") + f"：{where}", url, a.report_due_at, basis))
    return items


def _for_bidder(session: Session, actor: Actor) -> list[DueItem]:
    assert actor.org_id is not None
    items: list[DueItem] = []
    seen: set[str] = set()
    for b in bids.bids_of_org(session, actor.org_id):
        if b.section_id in seen or b.opened_at is None:
            continue
        seen.add(b.section_id)
        s = projects.get_section(session, b.section_id)
        a = queries.award_of(session, s.id, s.round)
        if a is None:
            continue
        p = projects.get_project(session, s.project_id)
        url, where = f"/sections/{s.id}/award", f"{p.name}（{s.name}）"
        if SectionStatus(s.status) is SectionStatus.PUBLICITY:
            items.append(
                DueItem(
                    N_("中标候选人公示中，可提出异议") + f"：{where}",
                    url,
                    a.publicity_ends_at,
                    N_("《招标投标法实施条例》第54条"),
                )
            )
        if a.winner_org_id == actor.org_id:
            c = queries.contract_of(session, a.id)
            if c is not None and c.winner_signed_at is None:
                terms = rules.terms(procedure(p.method).regime)
                items.append(DueItem(N_("签署合同") + f"：{where}", url, a.contract_due_at, terms.contract.describe()))
    for r in performance.waiting(session, supplier_org_id=actor.org_id):
        s = projects.get_section(session, r.section_id)
        items.append(
            DueItem(
                f"履约评价「{performance.Outcome(r.outcome).label}」：{s.name}（可提出一次异议）",
                f"/sections/{s.id}/award/performance",
                None,
                str(law.OBJECTION_HANDLE.citation),
            )
        )
    return items


def _for_supervisor(session: Session, actor: Actor) -> list[DueItem]:
    """What to watch after the award: written reports received (招标投标法 art. 47) and those overdue, in the
    supervisor's sectors."""
    items: list[DueItem] = []
    for a, s, p in queries.awards_to_watch(session):
        if not policy.can(actor, policy.AWARD_READ, projects.subject_of(p)):
            continue
        where = f"{p.name}（{s.name}）"
        if a.reported_at is not None:
            items.append(
                DueItem(
                    N_("审阅招标投标情况书面报告") + f"：{where}",
                    f"/sections/{s.id}/award",
                    None,
                    "",
                    since=a.reported_at,
                )
            )
        elif a.report_overdue or a.contract_overdue:
            what = N_("书面报告逾期未提交") if a.report_overdue else N_("逾期未订立合同")
            items.append(
                DueItem(f"{what}：{where}", f"/sections/{s.id}/award", a.report_due_at or a.contract_due_at, "")
            )
    if policy.can(actor, policy.CREDIT_RECORD):
        for r in performance.waiting(session):
            s = projects.get_section(session, r.section_id)
            what = (
                N_("处理供应商对履约评价的异议")
                if r.status == performance.Status.OBJECTED.value
                else N_("确认不良履约评价")
            )
            items.append(
                DueItem(
                    f"{what}：{s.name}（{performance.Outcome(r.outcome).label}）",
                    f"/sections/{s.id}/award/performance",
                    r.objection_due_at,
                    str(law.OBJECTION_HANDLE.citation),
                )
            )
    return items
