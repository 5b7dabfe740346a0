"""评标 — the verbs of the evaluation room: open it (with bid clearing), score independently, ask and
answer clarifications, quote rounds of negotiated procedures, and the chair's signed report.

Secrecy (S4): a sheet is stored when its expert submits it, and no read returns it to anyone else until
every member has submitted; the log records only its digest. Members appear as seats (专家1…) to
everyone but the operator running the room until the report is signed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy.orm import Session

from ggzy.core import canonical, events, policy
from ggzy.core.actor import Actor
from ggzy.core.clock import Clock
from ggzy.core.errors import Conflict, Forbidden, Invalid, NotFound, RuleViolation
from ggzy.core.files import FileStore
from ggzy.core.ids import new_id
from ggzy.core.roles import Role
from ggzy.credit import enforce as credit
from ggzy.credit.states import Step as CreditStep
from ggzy.entities import queries as entities
from ggzy.entities.models import User
from ggzy.evaluation import bills, clearing, methods, opened, queries, report, scoring
from ggzy.evaluation.methods import Kind, Method
from ggzy.evaluation.models import EvaluatedBid, Evaluation, Member, Question, Quote
from ggzy.evaluation.scoring import Sheet
from ggzy.evaluation.states import EVALUATION_LIFECYCLE, EvaluationStatus
from ggzy.experts import queries as expert_queries
from ggzy.experts.models import Draw
from ggzy.experts.states import DrawStatus, InvitationStatus
from ggzy.projects import queries as projects
from ggzy.projects.models import Project, Section
from ggzy.projects.states import SectionStatus
from ggzy.rules import evaluation as rules
from ggzy.rules import experts as expert_rules
from ggzy.rules.procedures import Method as Procedure
from ggzy.rules.procedures import procedure
from ggzy.supervision.service import Finding, raise_alert
from ggzy.supervision.states import Severity

EVALUATION_OPENED = events.event_type("evaluation.opened", "开启评标，完成清标")
SHEET_SUBMITTED = events.event_type("evaluation.sheet_submitted", "评标专家提交评审表")
SCORES_REVEALED = events.event_type("evaluation.scores_revealed", "全部专家提交，评审结果汇总")
QUESTION_ASKED = events.event_type("evaluation.question_asked", "评标委员会发出书面澄清")
QUESTION_ANSWERED = events.event_type("evaluation.question_answered", "投标人书面答复澄清")
ROUND_OPENED = events.event_type("evaluation.round_opened", "开始一轮报价")
QUOTE_SUBMITTED = events.event_type("evaluation.quote_submitted", "供应商提交报价")
ROUND_CLOSED = events.event_type("evaluation.round_closed", "结束一轮报价")
NEGOTIATION_RECORDED = events.event_type("evaluation.negotiation_recorded", "记录单一来源协商情况")
REPORT_SIGNED = events.event_type("evaluation.report_signed", "评标报告签署（报告摘要签入日志）")

# The procedure of the project decides which methods may evaluate it.
METHODS_FOR: dict[Procedure, frozenset[Kind]] = {
    **dict.fromkeys(
        (Procedure.OPEN_TENDER, Procedure.INVITED_TENDER, Procedure.GP_OPEN_TENDER, Procedure.GP_INVITED_TENDER),
        frozenset({Kind.QUALIFICATION, Kind.LOWEST_PRICE, Kind.COMPREHENSIVE}),
    ),
    Procedure.NEGOTIATION: frozenset({Kind.NEGOTIATION}),
    Procedure.CONSULTATION: frozenset({Kind.CONSULTATION}),
    Procedure.QUOTATION: frozenset({Kind.QUOTATION}),
    Procedure.SINGLE_SOURCE: frozenset({Kind.SINGLE_SOURCE}),
}
NEGOTIATED = frozenset({Kind.NEGOTIATION, Kind.QUOTATION, Kind.CONSULTATION, Kind.SINGLE_SOURCE})


def _context(session: Session, e: Evaluation) -> tuple[Section, Project]:
    section = projects.get_section(session, e.section_id)
    return section, projects.get_project(session, section.project_id)


def _check_committee(
    session: Session,
    project: Project,
    members: list[str],
    chair: str,
    kind: Kind,
    representatives: list[str],
) -> None:
    """Size and the experts' two thirds (招标投标法 art. 37; 采购条例 art. 39 and the sizes of each procedure);
    an expert must hold the EXPERT role, a representative (招标人代表) must be a user of the tenderer or agency."""
    if len(set(members)) != len(members):
        raise Invalid("评标委员会成员不得重复", code="committee-duplicate")
    if chair not in members:
        raise Invalid("组长须为评标委员会成员", code="committee-chair")
    if chair in representatives:
        raise Invalid("组长须由评标委员会中的评标专家担任", code="committee-chair")
    regime = procedure(project.method).regime
    minimum, thirds = expert_rules.committee_rules(regime, kind in NEGOTIATED, project.estimate)
    if len(members) < int(minimum.value) or len(members) % 2 == 0:
        raise RuleViolation(
            f"评标委员会须为{minimum.value}人以上单数（{minimum.citation}），现为{len(members)}人",
            code="committee-size",
        )
    experts = [m for m in members if m not in representatives]
    if len(experts) * 3 < int(thirds.value) * len(members):
        raise RuleViolation(
            f"评标委员会中专家不得少于成员总数的{thirds.value}/3（{thirds.citation}），现为{len(experts)}/{len(members)}",
            code="committee-experts-share",
        )
    managers = {project.tenderer_org_id, project.agency_org_id} - {None}
    for uid in members:
        user = session.get(User, uid) if uid else None
        if user is None or not user.is_active:
            raise Invalid("评标委员会成员须为在册的评标专家或招标人代表", code="committee-not-expert")
        if uid in representatives:
            if user.org_id not in managers:
                raise Invalid("招标人代表须为本项目招标人（或代理机构）的在册人员", code="committee-representative")
        elif Role.EXPERT not in entities.roles_of(session, uid):
            raise Invalid("评标委员会成员须为在册的评标专家", code="committee-not-expert")


def describe_incomplete(session: Session, d: Draw) -> str:
    """What a draw still lacks before its committee can sit, in words for the operator."""
    status = DrawStatus(d.status)
    if status is DrawStatus.COMMITTED:
        return "专家抽取已公布候选名单承诺，正在等待随机种子（下一个签名树头），尚未抽出专家"
    if status is DrawStatus.SHORT:
        return "专家抽取因符合条件的专家不足而未完成，请招标人（代理机构）重新申请抽取"
    seats = expert_queries.seats_of(d)
    accepted = {
        i.seat for i in expert_queries.invitations(session, d.id) if i.status == InvitationStatus.ACCEPTED.value
    }
    waiting = [str(n) for n in range(1, len(seats) + 1) if n not in accepted]
    return f"专家抽取尚未完成：席位{'、'.join(waiting)}尚待专家答复（已接受{len(accepted)}/{len(seats)}）"


@dataclass(frozen=True)
class Committee:
    """Who sits, and on what footing: the draw's committee, or members named on a ground of DIRECT_GROUNDS."""

    members: list[str]
    representatives: list[str]
    draw_id: str | None
    ground: str


def committee(
    session: Session, section: Section, project: Project, *, members: list[str] | None, direct: str
) -> Committee:
    """The committee the room opens with: the section's complete draw when there is one (incomplete: refused,
    naming what is missing); without a draw only members named on a legal ground (条例 art. 47 …)."""
    d = expert_queries.active_draw(session, section.id, section.round)
    if d is not None:
        if DrawStatus(d.status) is not DrawStatus.COMPLETE:
            raise RuleViolation(describe_incomplete(session, d) + "，不能开启评标", code="draw-incomplete")
        drawn, _ = expert_queries.committee_of(session, section.id)
        if members is not None and list(members) != drawn:
            raise Invalid(
                "评标委员会须为本标段专家抽取确定的成员（含招标人代表），不得另行指定", code="committee-not-drawn"
            )
        return Committee(drawn, expert_queries.representatives_of(d), d.id, "")
    short = next((x for x in expert_queries.draws_of(session, section.id) if x.round == section.round), None)
    if not direct:
        what = describe_incomplete(session, short) if short is not None else "本标段尚未抽取评标专家"
        raise RuleViolation(
            f"{what}：评标委员会的专家须从专家库随机抽取（{rules.DRAW_REQUIRED}），请招标人（代理机构）在标段的「评标专家抽取」页申请",
            code="draw-required",
        )
    ground = rules.DIRECT_GROUNDS.get(direct)
    proc = procedure(project.method)
    if ground is None or ground.regime is not proc.regime:
        raise Invalid(f"{proc.name}项目不能以该依据不经抽取确定评标委员会", code="direct-ground")
    if ground.single_source_only and Procedure(project.method) is not Procedure.SINGLE_SOURCE:
        raise Invalid(f"「{ground.title}」只适用于单一来源采购", code="direct-ground")
    if not members:
        raise Invalid("请填写评标委员会成员", code="committee-members")
    return Committee(list(members), [], None, ground.code)


def seated(session: Session, section: Section) -> list[str]:
    """The members of the section's complete draw, in seat order ([] without one)."""
    members, _ = expert_queries.committee_of(session, section.id)
    return members


def open_evaluation(
    session: Session,
    actor: Actor,
    *,
    section_id: str,
    chair: str,
    method: Method | Mapping[str, Any],
    clock: Clock,
    members: list[str] | None = None,
    direct: str = "",
    ceiling: Decimal | None = None,
    tender_bill: bills.Bill | None = None,
    read_file: opened.FileReader | None = None,
) -> Evaluation:
    """开启评标 — the operator opens the room for the committee of the section's complete draw (or, without a
    draw, for members named on a ground of `rules.DIRECT_GROUNDS`), recording the chair the members chose;
    clearing runs on the opened bids at once, and its signs of collusion go to supervision."""
    section = projects.get_section(session, section_id)
    project = projects.get_project(session, section.project_id)
    policy.ensure(actor, policy.EVALUATION_RUN, projects.subject_of(project))
    m = method if isinstance(method, Method) else methods.from_json(dict(method))
    methods.check(m)
    if SectionStatus(section.status) is not SectionStatus.OPENED:
        raise RuleViolation(
            f"标段当前状态为「{SectionStatus(section.status).label}」，开标后才能评标", code="not-opened"
        )
    if m.kind not in METHODS_FOR.get(Procedure(project.method), frozenset()):
        raise RuleViolation(f"{procedure(project.method).name}项目不能采用{m.label}", code="method-procedure")
    existing = queries.of_section(session, section.id)
    if existing is not None and existing.round == section.round:
        raise Conflict("本标段的评标已经开启", code="evaluation-exists")
    if ceiling is not None and ceiling <= 0:
        raise Invalid("最高投标限价须大于零", code="ceiling")
    sitting = committee(session, section, project, members=members, direct=direct)
    members = sitting.members
    _check_committee(session, project, members, chair, m.kind, sitting.representatives)
    bids_in = [b for b in opened.opened_bids(session, section) if not b.failed]
    if not bids_in:
        raise RuleViolation("本标段没有成功解密的投标文件，无法评标", code="no-bids")
    if m.kind is Kind.SINGLE_SOURCE and len(bids_in) != 1:
        raise RuleViolation("单一来源采购只与一家供应商协商", code="single-source-one")
    inputs = []
    for b in bids_in:
        bill, problem = opened.bill_of(b, read_file)
        inputs.append(clearing.BidIn(b.org_id, b.name, b.price, bill, problem))
    cleared = clearing.clear(inputs, tender=tender_bill, ceiling=ceiling)
    e = Evaluation(
        id=new_id(),
        section_id=section.id,
        round=section.round,
        kind=m.kind.value,
        method=json.dumps(m.to_json(), ensure_ascii=False),
        status=EvaluationStatus.SCORING.value,
        chair_id=chair,
        opened_by=actor.user_id or "",
        opened_at=clock.now(),
        ceiling=ceiling,
        tender_bill=json.dumps(tender_bill.to_json(), ensure_ascii=False) if tender_bill else None,
        signs=json.dumps([{"kind": s.kind, "orgs": list(s.org_ids), "detail": s.detail} for s in cleared.signs]),
        quote_round=0,
        quote_final=False,
        quotes_done=not m.kind.has_rounds,
        negotiation_record="",
    )
    session.add(e)
    session.flush()
    ids = {b.org_id: b.bid_id for b in bids_in}
    barred = _credit_checks(session, actor, section.id, e.id, [c.org_id for c in cleared.bids], clock)
    for c in cleared.bids:
        if c.org_id in barred and not c.ground:
            c.ground, c.reason = rules.QUALIFICATION.code, barred[c.org_id]
        session.add(
            EvaluatedBid(
                evaluation_id=e.id,
                org_id=c.org_id,
                bid_id=ids[c.org_id],
                name=c.name,
                price=c.price,
                evaluated=c.evaluated,
                notes=json.dumps([{"code": n.code, "text": n.text} for n in c.notes], ensure_ascii=False),
                excluded=bool(c.ground),
                ground=c.ground,
                reasons=json.dumps([c.reason] if c.reason else [], ensure_ascii=False),
            )
        )
    for seat, uid in enumerate(members, start=1):
        session.add(Member(evaluation_id=e.id, user_id=uid, seat=seat, is_chair=uid == chair))
    session.flush()
    events.record(
        session,
        actor,
        EVALUATION_OPENED,
        clock=clock,
        subject=("evaluation", e.id),
        scope=section.id,
        payload={
            "method": m.kind.value,
            "committee_size": len(members),
            "representatives": len(sitting.representatives),
            "draw": sitting.draw_id,
            "direct_ground": sitting.ground or None,
            "chair_seat": members.index(chair) + 1,
            "bids": len(cleared.bids),
            "excluded": sum(1 for c in cleared.bids if c.ground),
            "notes": sum(len(c.notes) for c in cleared.bids),
            "signs": len(cleared.signs),
            "ceiling": ceiling,
        },
    )
    for s in cleared.signs:
        raise_alert(session, _sign_finding(s, section, project), clock=clock)
    return e


def _credit_checks(
    session: Session, actor: Actor, section_id: str, evaluation_id: str, org_ids: list[str], clock: Clock
) -> dict[str, str]:
    """一处失信，处处受限 at evaluation: each bidder checked, the check and what it found kept with the evaluation;
    a bidder a sanction binds is rejected with the sanction cited."""
    barred = {}
    for org_id in org_ids:
        found, _row = credit.check(
            session,
            actor,
            org_id=org_id,
            section_id=section_id,
            step=CreditStep.EVALUATION,
            clock=clock,
            ref=evaluation_id,
        )
        if found.sanctions:
            barred[org_id] = f"受信用惩戒限制，否决其投标：{found.cite()}"
    return barred


def _sign_finding(s: clearing.Sign, section: Section, project: Project) -> Finding:
    flag = {"same-error": "E01", "same-price": "E02"}[s.kind]
    title = {"same-error": "清标：不同投标人出现相同的算术错误", "same-price": "清标：不同投标人异常单价相同"}[s.kind]
    return Finding(
        flag_id=flag,
        title=f"{title}：{project.name}（{section.name}）",
        severity=Severity.HIGH,
        legal_basis=str(rules.ABNORMAL_IDENTITY),
        subject=f"{project.name}（{section.name}）",
        source="evaluation",
        evidence={"detail": s.detail},
        project_id=project.id,
        section_id=section.id,
        org_ids=s.org_ids,
        sector=project.sector,
        region=project.region,
        dedup=s.detail,
    )


def _member(session: Session, actor: Actor, e: Evaluation) -> Member:
    m = queries.member(session, e.id, actor.user_id)
    if m is None:
        raise Forbidden("您不是本次评标委员会成员", code="not-a-member")
    return m


def _scoring(e: Evaluation) -> None:
    if EvaluationStatus(e.status) is not EvaluationStatus.SCORING:
        raise RuleViolation(f"评标当前状态为「{EvaluationStatus(e.status).label}」，不能再评审", code="not-scoring")


def submit_sheet(
    session: Session, actor: Actor, *, evaluation_id: str, sheet: Sheet | Mapping[str, Any], clock: Clock
) -> Member:
    """提交评审表 — once, complete and within range; the last submission reveals and compiles the scores."""
    e = queries.get_evaluation(session, evaluation_id)
    policy.ensure(actor, policy.EVALUATION_SCORE)
    me = _member(session, actor, e)
    if me.submitted_at is not None:
        raise Conflict("您已提交评审表，不能重复提交", code="sheet-already-submitted")
    _scoring(e)
    if not e.quotes_done:
        raise RuleViolation("最后报价结束后才能评审", code="quotes-open")
    method = queries.method_of(e)
    s = sheet if isinstance(sheet, Sheet) else Sheet.from_json(sheet)
    review = queries.in_review(session, e.id)
    scoring.check_sheet(method, [b.org_id for b in review], s, {b.org_id: b.name for b in review})
    text = canonical.dumps(s.to_json())
    me.sheet = text
    me.sheet_digest = hashlib.sha256(text.encode()).hexdigest()
    me.submitted_at = clock.now()
    session.flush()
    events.record(
        session,
        actor,
        SHEET_SUBMITTED,
        clock=clock,
        subject=("evaluation", e.id),
        scope=e.section_id,
        payload={"seat": me.seat, "sheet_sha256": me.sheet_digest},
    )
    if all(m.submitted_at is not None for m in queries.members(session, e.id)):
        _reveal(session, actor, e, method, clock)
    return me


def _reveal(session: Session, actor: Actor, e: Evaluation, method: Method, clock: Clock) -> None:
    e.status = EVALUATION_LIFECYCLE.move(EvaluationStatus(e.status), "reveal", actor).value
    e.revealed_at = clock.now()
    sheets = queries.revealed_sheets(session, e)
    members = {m.user_id: m for m in queries.members(session, e.id)}
    review = queries.in_review(session, e.id)
    rows = [scoring.Row(b.org_id, b.evaluated) for b in review]
    outcome = scoring.evaluate(method, rows, sheets)
    by_org = {b.org_id: b for b in review}
    for r in outcome.rows:
        b = by_org[r.org_id]
        b.ground, b.rank = r.ground, r.rank
        b.reasons = json.dumps([rules.ground(r.ground).describe(), *r.reasons] if r.ground else [], ensure_ascii=False)
        b.subjective, b.price_score, b.total = r.subjective, r.price_score, r.total
    flags: list[dict[str, Any]] = [
        {"seat": members[o.expert].seat, "org_id": o.org_id, "value": str(o.value), "others": str(o.others)}
        for o in outcome.outliers
    ]
    e.result = json.dumps({"base": None if outcome.base is None else str(outcome.base), "outliers": flags})
    session.flush()
    events.record(
        session,
        actor,
        SCORES_REVEALED,
        clock=clock,
        subject=("evaluation", e.id),
        scope=e.section_id,
        payload={"sheets": {str(m.seat): m.sheet_digest for m in members.values()}, "outliers": len(flags)},
    )
    if flags:
        section, project = _context(session, e)
        names = {b.org_id: b.name for b in review}
        detail = "；".join(
            f"专家{f['seat']}对「{names[f['org_id']]}」评分 {f['value']}，其他专家平均 {f['others']}" for f in flags
        )
        raise_alert(
            session,
            Finding(
                flag_id="E03",
                title=f"评标：专家评分明显偏离：{project.name}（{section.name}）",
                severity=Severity.MEDIUM,
                legal_basis=rules.SCORE_SPREAD.describe(),
                subject=f"{project.name}（{section.name}）",
                source="evaluation",
                evidence={"detail": detail, "outliers": flags},
                project_id=project.id,
                section_id=section.id,
                sector=project.sector,
                region=project.region,
            ),
            clock=clock,
        )


def ask_question(
    session: Session, actor: Actor, *, evaluation_id: str, org_id: str, question: str, clock: Clock
) -> Question:
    """书面澄清 — a member asks a bidder in writing (条例 art. 52); the bidder answers on its page."""
    e = queries.get_evaluation(session, evaluation_id)
    policy.ensure(actor, policy.EVALUATION_SCORE)
    _member(session, actor, e)
    _scoring(e)
    text = question.strip()
    if not text:
        raise Invalid("请填写澄清问题", code="question-required")
    if len(text) > 2000:
        raise Invalid("澄清问题不得超过2000字", code="question-too-long")
    if org_id not in {b.org_id for b in queries.bids(session, e.id)}:
        raise Invalid("该单位不是本标段的投标人", code="not-a-bidder")
    q = Question(
        id=new_id(),
        evaluation_id=e.id,
        org_id=org_id,
        question=text,
        asked_by=actor.user_id or "",
        asked_at=clock.now(),
    )
    session.add(q)
    session.flush()
    events.record(
        session,
        actor,
        QUESTION_ASKED,
        clock=clock,
        subject=("question", q.id),
        scope=e.section_id,
        payload={"org_id": org_id},
    )
    return q


def answer_question(session: Session, actor: Actor, *, question_id: str, answer: str, clock: Clock) -> Question:
    q = session.get(Question, question_id)
    if q is None:
        raise NotFound("未找到该澄清问题")
    policy.ensure(actor, policy.EVALUATION_RESPOND, policy.Subject("bid", org_ids=frozenset({q.org_id})))
    e = queries.get_evaluation(session, q.evaluation_id)
    _scoring(e)
    if q.answered_at is not None:
        raise Conflict("该澄清已经答复", code="already-answered")
    text = answer.strip()
    if not text:
        raise Invalid("请填写答复内容", code="answer-required")
    if len(text) > 5000:
        raise Invalid("答复不得超过5000字", code="answer-too-long")
    q.answer, q.answered_by, q.answered_at = text, actor.user_id, clock.now()
    events.record(session, actor, QUESTION_ANSWERED, clock=clock, subject=("question", q.id), scope=e.section_id)
    return q


def _rounds(session: Session, actor: Actor, evaluation_id: str) -> Evaluation:
    e = queries.get_evaluation(session, evaluation_id)
    _section, project = _context(session, e)
    policy.ensure(actor, policy.EVALUATION_RUN, projects.subject_of(project))
    if not Kind(e.kind).has_rounds:
        raise RuleViolation(f"{Kind(e.kind).label}不进行多轮报价（{Kind(e.kind).citation}）", code="no-rounds")
    _scoring(e)
    return e


def open_round(session: Session, actor: Actor, *, evaluation_id: str, final: bool, clock: Clock) -> Evaluation:
    """开始一轮报价 (谈判、磋商、单一来源协商); the final round takes the final quotes (最后报价)."""
    e = _rounds(session, actor, evaluation_id)
    if e.quotes_done:
        raise RuleViolation("最后报价已经结束", code="quotes-done")
    if e.quote_round:
        raise Conflict(f"第{e.quote_round}轮报价尚未结束", code="round-open")
    last = max((q.round for q in queries.quotes(session, e.id)), default=0)
    e.quote_round, e.quote_final = last + 1, final
    events.record(
        session,
        actor,
        ROUND_OPENED,
        clock=clock,
        subject=("evaluation", e.id),
        scope=e.section_id,
        payload={"round": e.quote_round, "final": final},
    )
    return e


def submit_quote(session: Session, actor: Actor, *, evaluation_id: str, price: Decimal | str, clock: Clock) -> Quote:
    e = queries.get_evaluation(session, evaluation_id)
    policy.ensure(actor, policy.EVALUATION_RESPOND, policy.Subject("bid", org_ids=frozenset({actor.org_id or ""})))
    _scoring(e)
    if not e.quote_round:
        raise RuleViolation("当前没有进行中的报价轮次", code="no-round")
    bid = next((b for b in queries.bids(session, e.id) if b.org_id == actor.org_id), None)
    if bid is None or bid.excluded:
        raise Forbidden("贵单位不在本轮报价范围内", code="not-in-round")
    try:
        amount = Decimal(str(price).replace(",", "").strip())
    except InvalidOperation:
        raise Invalid("报价须为金额数字", code="quote-number") from None
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise Invalid("报价须为大于零、最多两位小数的金额", code="quote-number")
    if e.ceiling is not None and amount > e.ceiling:
        raise RuleViolation(
            f"报价不得高于最高限价 {e.ceiling:,.2f} 元（{rules.OVER_CEILING.citation}）", code="quote-ceiling"
        )
    assert actor.org_id is not None
    if session.get(Quote, (e.id, e.quote_round, actor.org_id)) is not None:
        raise Conflict("本轮已经报价，不能重复提交", code="quote-already")
    q = Quote(
        evaluation_id=e.id,
        round=e.quote_round,
        org_id=actor.org_id,
        price=amount,
        final=e.quote_final,
        submitted_by=actor.user_id or "",
        submitted_at=clock.now(),
    )
    session.add(q)
    session.flush()
    events.record(
        session,
        actor,
        QUOTE_SUBMITTED,
        clock=clock,
        subject=("evaluation", e.id),
        scope=e.section_id,
        payload={"round": q.round},
    )
    return q


def close_round(session: Session, actor: Actor, *, evaluation_id: str, clock: Clock) -> Evaluation:
    """结束本轮；结束最后报价后，以各供应商最后一次报价作为评审价格。"""
    e = _rounds(session, actor, evaluation_id)
    if not e.quote_round:
        raise RuleViolation("当前没有进行中的报价轮次", code="no-round")
    closed, final = e.quote_round, e.quote_final
    quotes = queries.quotes(session, e.id)
    e.quote_round = 0
    if final:
        e.quotes_done = True
        latest: dict[str, Decimal] = {}
        for q in quotes:
            latest[q.org_id] = q.price
        for b in queries.bids(session, e.id):
            if b.org_id in latest and not b.excluded:
                b.evaluated = latest[b.org_id]
    events.record(
        session,
        actor,
        ROUND_CLOSED,
        clock=clock,
        subject=("evaluation", e.id),
        scope=e.section_id,
        payload={
            "round": closed,
            "final": final,
            "quotes": {q.org_id: q.price for q in quotes if q.round == closed},
        },
    )
    return e


def record_negotiation(session: Session, actor: Actor, *, evaluation_id: str, record: str, clock: Clock) -> Evaluation:
    """单一来源协商情况记录 (采购法 art. 39; 采购条例 art. 38) — written by the operator for the committee."""
    e = _rounds(session, actor, evaluation_id)
    if Kind(e.kind) is not Kind.SINGLE_SOURCE:
        raise RuleViolation("只有单一来源采购记录协商情况", code="not-single-source")
    text = record.strip()
    if not text:
        raise Invalid("请填写协商情况记录", code="record-required")
    e.negotiation_record = text[:10000]
    events.record(
        session,
        actor,
        NEGOTIATION_RECORDED,
        clock=clock,
        subject=("evaluation", e.id),
        scope=e.section_id,
        payload={"sha256": hashlib.sha256(e.negotiation_record.encode()).hexdigest()},
    )
    return e


def sign_report(session: Session, actor: Actor, *, evaluation_id: str, clock: Clock, files: FileStore) -> Evaluation:
    """组长汇总 — the chair compiles the report (every sheet, the ranking, every rejection's reasons) as a PDF,
    whose SHA-256 is signed into the log."""
    e = queries.get_evaluation(session, evaluation_id)
    policy.ensure(actor, policy.EVALUATION_CHAIR)
    me = _member(session, actor, e)
    if not me.is_chair:
        raise Forbidden("只有评标委员会组长可以汇总并签署评标报告", code="not-the-chair")
    if Kind(e.kind) is Kind.SINGLE_SOURCE and not e.negotiation_record:
        raise RuleViolation("单一来源采购须先记录协商情况（《政府采购法》第39条）", code="record-missing")
    e.status = EVALUATION_LIFECYCLE.move(EvaluationStatus(e.status), "report", actor).value
    section, project = _context(session, e)
    pdf = report.render(report.gather(session, e, section, project, at=clock.now()))
    stored = files.save(f"reports/{e.section_id}", [pdf], max_bytes=1 << 30)
    e.report_path, e.report_sha256, e.report_at = stored.path, stored.sha256, clock.now()
    ranked = [b for b in queries.bids(session, e.id) if b.rank is not None]
    events.record(
        session,
        actor,
        REPORT_SIGNED,
        clock=clock,
        subject=("evaluation", e.id),
        scope=e.section_id,
        payload={
            "report_sha256": stored.sha256,
            "size": stored.size,
            "ranking": [{"org_id": b.org_id, "rank": b.rank, "total": b.total, "price": b.evaluated} for b in ranked],
            "rejected": {b.org_id: b.ground for b in queries.bids(session, e.id) if b.ground},
        },
    )
    return e


def room(session: Session, actor: Actor, *, evaluation_id: str) -> tuple[Evaluation, bool]:
    """The room as this actor may see it: (evaluation, runs it?) for the operator or a member, else refused."""
    e = queries.get_evaluation(session, evaluation_id)
    _, project = _context(session, e)
    if policy.can(actor, policy.EVALUATION_RUN, projects.subject_of(project)):
        return e, True
    if policy.can(actor, policy.EVALUATION_SCORE) and queries.member(session, e.id, actor.user_id) is not None:
        return e, False
    raise Forbidden("只有本次评标委员会成员和组织评标的交易中心工作人员可以进入评标室", code="not-in-room")


def ensure_watch(session: Session, actor: Actor, *, section_id: str) -> Evaluation | None:
    """Live supervision of a section's evaluation (T13): supervisors of its sector, auditors, inspectors."""
    section = projects.get_section(session, section_id)
    project = projects.get_project(session, section.project_id)
    policy.ensure(actor, policy.EVALUATION_WATCH, projects.subject_of(project))
    return queries.of_section(session, section_id)


def report_file(session: Session, actor: Actor, *, evaluation_id: str) -> Evaluation:
    """The signed report, for those who may read it (members of this committee among the experts)."""
    e = queries.get_evaluation(session, evaluation_id)
    _, project = _context(session, e)
    policy.ensure(actor, policy.EVALUATION_REPORT, projects.subject_of(project))
    if actor.role is Role.EXPERT and queries.member(session, e.id, actor.user_id) is None:
        raise Forbidden("您不是本次评标委员会成员", code="not-a-member")
    if e.report_path is None:
        raise NotFound("评标报告尚未签署")
    return e
