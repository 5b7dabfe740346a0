"""信用办理 — record, notify, list, object, repair; records from decisions, complaints and confirmed alerts.

河南省社会信用条例: written notice before listing (art. 28), shown at most 5 years unless still listed
(art. 19), objections handled in 3 working days or 7 when the source must be asked (art. 41), repair within
1 working day once its conditions are met (art. 43). Debarment is at most 3 years (采购法 art. 77;
招标投标法 arts. 53–54; 采购条例 art. 73 for false complaints).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from ggzy.core import events, policy
from ggzy.core.actor import Actor
from ggzy.core.calendar import add_working_days, end_of_local_day, local_date
from ggzy.core.clock import Clock
from ggzy.core.errors import Forbidden, Invalid, RuleViolation
from ggzy.core.ids import new_id
from ggzy.credit import queries
from ggzy.credit.models import CreditObjection, CreditRecord, Sanction
from ggzy.credit.states import RecordSource, RecordStatus, TradeClass
from ggzy.entities import credit_code as codes
from ggzy.entities import queries as entities
from ggzy.rules import credit as law
from ggzy.rules import procurement, tendering

RECORD_NOTIFIED = events.event_type("credit.record_notified", "信用记录书面告知")
RECORD_LISTED = events.event_type("credit.record_listed", "列入失信记录", public=True)
RECORD_REVOKED = events.event_type("credit.record_revoked", "信用记录经异议撤销", public=True)
OBJECTION_FILED = events.event_type("credit.objection_filed", "提出信用异议")
OBJECTION_HANDLED = events.event_type("credit.objection_handled", "处理信用异议")
REPAIR_REQUESTED = events.event_type("credit.repair_requested", "申请信用修复")
RECORD_REPAIRED = events.event_type("credit.record_repaired", "信用修复，停止公示", public=True)

YEAR = dt.timedelta(days=365)


def _due(start: dt.datetime, days: int) -> dt.datetime:
    return end_of_local_day(add_working_days(local_date(start), days)).astimezone(dt.UTC)


def _text(value: str, what: str, limit: int = 300) -> str:
    value = value.strip()
    if not value:
        raise Invalid(f"请填写{what}", code="text-required")
    if len(value) > limit:
        raise Invalid(f"{what}不得超过{limit}字", code="text-too-long")
    return value


def _record_event(
    session: Session, actor: Actor, kind: str, record: CreditRecord, clock: Clock, **payload: object
) -> None:
    events.record(
        session,
        actor,
        kind,
        clock=clock,
        subject=("credit_record", record.id),
        payload={"credit_code": record.credit_code, "source": record.source, "ref": record.source_ref, **payload},
    )


def _sanction_rows(
    record: CreditRecord,
    *,
    measure: str,
    citation: str,
    classes: list[TradeClass],
    regions: list[str],
    starts: dt.datetime,
    ends: dt.datetime | None,
) -> Sanction:
    if not classes:
        raise Invalid("请选择限制的交易类别（政府采购、国有资金投资工程、土地矿业权）", code="classes-required")
    if any(not r.isdigit() or not 2 <= len(r) <= 6 for r in regions):
        raise Invalid("地区应为2至6位行政区划代码前缀", code="bad-region")
    if ends is not None and ends <= starts:
        raise Invalid("限制截止日期须晚于开始日期", code="bad-period")
    return Sanction(
        id=new_id(),
        record_id=record.id,
        credit_code=record.credit_code,
        measure=measure,
        citation=citation,
        trade_classes=",".join(sorted(c.value for c in set(classes))),
        regions=",".join(sorted(set(regions))),
        starts=starts,
        ends=ends,
    )


def _max_years(classes: list[TradeClass]) -> int:
    rules = [procurement.DEBARMENT_MAX if c is TradeClass.PROCUREMENT else tendering.DEBARMENT_MAX for c in classes]
    return min(int(r.value) for r in rules) if rules else int(tendering.DEBARMENT_MAX.value)


def record_sanction(
    session: Session,
    actor: Actor,
    *,
    org_id: str,
    title: str,
    basis: str,
    source_ref: str,
    measure: str,
    classes: list[TradeClass],
    starts: dt.datetime,
    ends: dt.datetime,
    clock: Clock,
    regions: list[str] | None = None,
    person_name: str = "",
    source: RecordSource = RecordSource.DECISION,
) -> CreditRecord:
    """A regulator's decision or sanction: recorded and notified in writing first (art. 28); listed later."""
    policy.ensure(actor, policy.CREDIT_RECORD)
    org = entities.get_org(session, org_id)
    years = _max_years(classes)
    if ends - starts > years * YEAR + dt.timedelta(days=1):
        cited = procurement.DEBARMENT_MAX if TradeClass.PROCUREMENT in classes else tendering.DEBARMENT_MAX
        raise RuleViolation(f"禁止参加的期限不得超过{years}年（{cited.citation}）", code="ban-too-long")
    now = clock.now()
    record = CreditRecord(
        id=new_id(),
        org_id=org.id,
        credit_code=org.credit_code,
        org_name=org.name,
        person_name=person_name.strip()[:60],
        source=source.value,
        source_ref=_text(source_ref, "决定文书编号或来源", 120),
        title=_text(title, "失信行为"),
        basis=_text(basis, "认定依据"),
        status=RecordStatus.NOTIFIED.value,
        notice_text=(
            f"拟将贵单位“{title.strip()}”列入失信记录，依据：{basis.strip()}；"
            f"措施：{measure.strip()}。贵单位可以提出异议（{law.NOTICE_BEFORE_LISTING.citation}）。"
        ),
        notified_at=now,
        recorded_by=actor.user_id,
        recorded_at=now,
    )
    session.add(record)
    session.flush()
    session.add(
        _sanction_rows(
            record,
            measure=_text(measure, "惩戒措施"),
            citation=basis.strip()[:300],
            classes=classes,
            regions=regions or [],
            starts=starts,
            ends=ends,
        )
    )
    _record_event(session, actor, RECORD_NOTIFIED, record, clock)
    return record


def list_record(session: Session, actor: Actor, *, record_id: str, clock: Clock) -> CreditRecord:
    """列入 — after the written notice, and not while an objection waits (河南省社会信用条例 arts. 28, 41)."""
    policy.ensure(actor, policy.CREDIT_RECORD)
    record = queries.get_record(session, record_id)
    if record.status != RecordStatus.NOTIFIED.value:
        raise RuleViolation(f"信用记录当前状态为「{RecordStatus(record.status).label}」，不能列入", code="bad-state")
    if queries.open_objection(session, record.id) is not None:
        raise RuleViolation(
            f"信用主体的异议尚未处理，暂不列入（{law.OBJECTION_HANDLE.citation}）", code="objection-open"
        )
    _list(record, clock.now())
    _record_event(session, actor, RECORD_LISTED, record, clock)
    return record


def _list(record: CreditRecord, now: dt.datetime) -> None:
    record.status, record.listed_at = RecordStatus.LISTED.value, now
    record.display_until = now + int(law.DISPLAY_LIMIT.value) * YEAR


def _owner(session: Session, actor: Actor, record: CreditRecord) -> None:
    policy.ensure(actor, policy.CREDIT_OBJECT, policy.Subject("credit", frozenset({record.org_id or ""})))


def object_to_record(
    session: Session, actor: Actor, *, record_id: str, text: str, clock: Clock, with_source: bool = False
) -> CreditObjection:
    """异议 — the entity disputes its record; handled in 3 working days, 7 when the source must confirm (art. 41)."""
    record = queries.get_record(session, record_id)
    _owner(session, actor, record)
    if record.status in (RecordStatus.REVOKED.value, RecordStatus.REPAIRED.value):
        raise RuleViolation("该记录已撤销或已修复", code="bad-state")
    if queries.open_objection(session, record.id) is not None:
        raise RuleViolation("已有尚未处理的异议", code="objection-open")
    now = clock.now()
    rule = law.OBJECTION_HANDLE_WITH_SOURCE if with_source else law.OBJECTION_HANDLE
    o = CreditObjection(
        id=new_id(),
        record_id=record.id,
        text=_text(text, "异议理由", 3000),
        filed_by=actor.user_id or "",
        filed_at=now,
        with_source=with_source,
        due_at=_due(now, int(rule.value)),
    )
    session.add(o)
    _record_event(session, actor, OBJECTION_FILED, record, clock, with_source=with_source)
    return o


def handle_objection(
    session: Session, actor: Actor, *, objection_id: str, upheld: bool, note: str, clock: Clock
) -> CreditObjection:
    policy.ensure(actor, policy.CREDIT_RECORD)
    o = queries.get_objection(session, objection_id)
    if o.handled_at is not None:
        raise RuleViolation("该异议已处理", code="already-handled")
    now = clock.now()
    o.handled_at, o.upheld, o.note, o.late = now, upheld, _text(note, "处理意见", 3000), now > o.due_at
    record = queries.get_record(session, o.record_id)
    if upheld:
        record.status = RecordStatus.REVOKED.value
        for s in queries.sanctions_of(session, record.id):
            s.ends = now if s.ends is None or s.ends > now else s.ends
        _record_event(session, actor, RECORD_REVOKED, record, clock)
    _record_event(session, actor, OBJECTION_HANDLED, record, clock, upheld=upheld, late=o.late)
    return o


def request_repair(session: Session, actor: Actor, *, record_id: str, clock: Clock) -> CreditRecord:
    """信用修复申请 — once the conditions are met the record stops being shown within 1 working day (art. 43)."""
    record = queries.get_record(session, record_id)
    _owner(session, actor, record)
    if record.status != RecordStatus.LISTED.value:
        raise RuleViolation("只有已列入的记录可以申请修复", code="bad-state")
    now = clock.now()
    if any(s.ends is None or s.ends > now for s in queries.sanctions_of(session, record.id)):
        raise RuleViolation("惩戒措施期限届满后方可申请信用修复（河南省社会信用条例第43条）", code="still-sanctioned")
    record.repair_requested_at = now
    _record_event(session, actor, REPAIR_REQUESTED, record, clock)
    return record


def repair(session: Session, actor: Actor, *, record_id: str, clock: Clock) -> CreditRecord:
    policy.ensure(actor, policy.CREDIT_RECORD)
    record = queries.get_record(session, record_id)
    if record.status != RecordStatus.LISTED.value or record.repair_requested_at is None:
        raise RuleViolation("该记录没有待处理的修复申请", code="no-repair-request")
    now = clock.now()
    record.status, record.repaired_at = RecordStatus.REPAIRED.value, now
    record.repaired_late = now > _due(record.repair_requested_at, int(law.REPAIR_WITHIN.value))
    _record_event(session, actor, RECORD_REPAIRED, record, clock, late=record.repaired_late)
    return record


def record_from_case(
    session: Session, actor: Actor, *, org_id: str, case_number: str, regime: str, decision_notice: str, clock: Clock
) -> CreditRecord:
    """A complaint found fabricated or malicious (采购条例 art. 73; 条例 arts. 61, 77): recorded and notified;
    the ban itself (1–3 years) is the regulator's separate penalty decision, recorded with `record_sanction`."""
    org = entities.get_org(session, org_id)
    cited = (
        f"{procurement.FALSE_COMPLAINT_DISMISSED.citation}、{procurement.FALSE_COMPLAINT_BAN_MAX.citation}"
        if regime == "procurement"
        else str(tendering.FALSE_COMPLAINT.citation)
    )
    now = clock.now()
    record = CreditRecord(
        id=new_id(),
        org_id=org.id,
        credit_code=org.credit_code,
        org_name=org.name,
        source=RecordSource.COMPLAINT.value,
        source_ref=case_number,
        title="捏造事实、伪造材料或者以非法手段取得证明材料进行投诉",
        basis=f"{cited}；投诉处理决定{decision_notice}",
        status=RecordStatus.NOTIFIED.value,
        notice_text=f"投诉处理决定（{decision_notice}）认定贵单位投诉系虚假、恶意投诉，拟列入不良行为记录，可以提出异议。",
        notified_at=now,
        recorded_by=actor.user_id,
        recorded_at=now,
    )
    session.add(record)
    session.flush()
    _record_event(session, actor, RECORD_NOTIFIED, record, clock)
    return record


def record_from_alert(
    session: Session,
    actor: Actor,
    *,
    alert_id: str,
    org_id: str,
    measure: str,
    classes: list[TradeClass],
    starts: dt.datetime,
    ends: dt.datetime,
    clock: Clock,
) -> CreditRecord:
    """A supervision alert found true (查实) about an organisation becomes a record with its sanction."""
    from ggzy.supervision.models import Alert  # read-only: the alert's state and what it names
    from ggzy.supervision.states import AlertStatus

    alert = session.get(Alert, alert_id)
    if alert is None or alert.status != AlertStatus.CONFIRMED.value:
        raise RuleViolation("只有已查实的监管预警可以形成信用记录", code="alert-not-confirmed")
    if org_id not in alert.org_ids.split():
        raise Forbidden("该预警未涉及此单位", code="org-not-in-alert")
    return record_sanction(
        session,
        actor,
        org_id=org_id,
        title=alert.title[:300],
        basis=alert.legal_basis or "监管预警查实",
        source_ref=alert.sanction_ref or f"预警 {alert.id}",
        measure=measure,
        classes=classes,
        starts=starts,
        ends=ends,
        clock=clock,
        source=RecordSource.ALERT,
    )


def normalise_code(text: str) -> str:
    return codes.validate(text)


def objection_due(start: dt.datetime, *, with_source: bool = False) -> dt.datetime:
    """When an objection to credit information must be handled: 3 working days, 7 with the source (art. 41)."""
    rule = law.OBJECTION_HANDLE_WITH_SOURCE if with_source else law.OBJECTION_HANDLE
    return _due(start, int(rule.value))


def record_from_performance(
    session: Session,
    actor: Actor,
    *,
    org_id: str,
    performance_ref: str,
    title: str,
    provenance: str,
    clock: Clock,
) -> CreditRecord:
    """An adverse contract-performance record confirmed by the supervisor: recorded and notified in writing first
    (art. 28), listed later like any other record; `provenance` names the contract, the evidence and who recorded
    it (their digests), so the record can be traced to what it rests on."""
    policy.ensure(actor, policy.CREDIT_RECORD)
    org = entities.get_org(session, org_id)
    now = clock.now()
    record = CreditRecord(
        id=new_id(),
        org_id=org.id,
        credit_code=org.credit_code,
        org_name=org.name,
        source=RecordSource.PERFORMANCE.value,
        source_ref=_text(performance_ref, "履约评价编号", 120),
        title=_text(title, "失信行为"),
        basis=_text(provenance, "认定依据"),
        status=RecordStatus.NOTIFIED.value,
        notice_text=(
            f"招标人（采购人）对贵单位的合同履约评价“{title.strip()}”经行政监督部门确认，拟列入不良行为记录；"
            f"贵单位可以提出异议（{law.NOTICE_BEFORE_LISTING.citation}）。"
        ),
        notified_at=now,
        recorded_by=actor.user_id,
        recorded_at=now,
    )
    session.add(record)
    session.flush()
    _record_event(session, actor, RECORD_NOTIFIED, record, clock)
    return record
