"""实时监测 — the monitoring board (S2): every trade in progress, its stage, the next legal deadline and how long is
left, what is overdue, today's openings and evaluations, new alerts; for the supervision office (every sector) and
each regulator (its own sectors only, the same `alert.read` scope as the risk dashboard and the alert list).

The deadlines are the ones the domains already compute and enforce (projects: the bid deadline and the opening at
the same time, 电子办法 art. 29; award: the candidates' publicity, the contract, the written report) — read here,
never recomputed with other numbers. A trade under an open hold (a case stops it) shows the hold, not a deadline
running out: its periods are suspended (ggzy/core/holds.py).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import cast

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from ggzy.award.models import Award, Contract
from ggzy.core import holds, policy, training
from ggzy.core.actor import Actor
from ggzy.core.calendar import local_date
from ggzy.core.clock import SHANGHAI
from ggzy.core.errors import Forbidden, Invalid
from ggzy.core.events import LoggedEvent
from ggzy.core.pubsub import Bus
from ggzy.core.roles import SECTOR_LABELS, Sector
from ggzy.evaluation.models import Evaluation
from ggzy.evaluation.states import EvaluationStatus
from ggzy.experts.models import Draw
from ggzy.projects.models import Project, Section
from ggzy.projects.states import ProjectStatus, SectionStatus
from ggzy.projects.workbench import OPENING_BASIS
from ggzy.rules import award as award_rules
from ggzy.rules import regions
from ggzy.rules.procedures import PROCEDURES, Method, procedure
from ggzy.supervision import queries
from ggzy.supervision.models import Alert
from ggzy.supervision.states import AlertStatus

CHANNEL = "supervision:board"  # the bus channel committed events wake open boards on
LIMIT = 500  # trades in the table; the counts are over the same rows
S = SectionStatus
IN_PROGRESS = (S.PREPARING, S.BIDDING, S.CLOSED, S.OPENED, S.PUBLICITY, S.AWARDED, S.CONTRACTED, S.FAILED)
IN_PROGRESS_VALUES = tuple(s.value for s in IN_PROGRESS)
OPENING_LABEL = "开标（投标截止时间的同一时间）"


@dataclass(frozen=True)
class Filters:
    """What the board is narrowed to (GET parameters of the page, the stream and the API)."""

    sector: str = ""
    region: str = ""
    procedure: str = ""

    @classmethod
    def parse(cls, sector: str = "", region: str = "", procedure: str = "") -> Filters:
        sector, region, procedure = sector.strip(), region.strip(), procedure.strip()
        if sector and sector not in Sector._value2member_map_:
            raise Invalid(f"没有这个行业：{sector}", code="bad-sector", field="sector")
        if region and not (region.isdigit() and len(region) == 6):
            raise Invalid("地区须为6位行政区划代码，如 410700", code="bad-region", field="region")
        if procedure and procedure not in Method._value2member_map_:
            raise Invalid(f"没有这种交易方式：{procedure}", code="bad-procedure", field="procedure")
        return cls(sector, region, procedure)

    def query(self) -> str:
        return "&".join(
            f"{k}={v}"
            for k, v in (("sector", self.sector), ("region", self.region), ("procedure", self.procedure))
            if v
        )


def sectors_for(actor: Actor, filters: Filters) -> frozenset[str] | None:
    """The sectors the board may show: None for all. A regulator (`alert.read` within its sectors, the same scope
    as the dashboard and the alert list) asking for another sector is refused, not shown an empty board."""
    policy.ensure(actor, policy.ALERT_READ)
    if policy.scope_for(actor, policy.ALERT_READ) is policy.Scope.SECTOR:
        if filters.sector and filters.sector not in actor.sectors:
            raise Forbidden("只能查看本行业的交易（谁监管、谁负责）", code="other-sector")
        return frozenset({filters.sector}) if filters.sector else frozenset(actor.sectors)
    return frozenset({filters.sector}) if filters.sector else None


def _region_prefix(code: str) -> str:
    """410000 is the province and everything in it, 410700 the city and its districts, 410702 the district."""
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


def _project_conditions(sectors: frozenset[str] | None, filters: Filters) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = []
    if sectors is not None:
        conds.append(Project.sector.in_(sorted(sectors)))
    if filters.region:
        conds.append(Project.region.startswith(_region_prefix(filters.region)))
    if filters.procedure:
        conds.append(Project.method == filters.procedure)
    return conds


@dataclass(frozen=True)
class Due:
    label: str
    at: dt.datetime
    basis: str
    overdue: bool
    deadline: bool = True  # False: a minimum period's end (公示期满), which is passed, never missed


@dataclass
class Row:
    section_id: str
    project_id: str
    project: str
    section: str
    code: str
    sector: str
    region: str
    procedure: str
    status: str
    stage: str
    step: str = ""  # what is happening within the stage (评标中, 待公示…)
    due: Due | None = None
    held: str = ""  # the open hold that stops the trade, if any

    @property
    def overdue(self) -> bool:
        return self.due is not None and self.due.overdue

    @property
    def timeline(self) -> str:
        return f"/projects/{self.project_id}#timeline"


@dataclass(frozen=True)
class Today:
    section_id: str
    project_id: str
    project: str
    section: str
    at: dt.datetime | None
    state: str


@dataclass
class Board:
    now: dt.datetime
    filters: Filters
    sectors: frozenset[str] | None
    rows: list[Row]
    openings: list[Today]
    evaluations: list[Today]
    alerts: list[Alert]
    new_alerts: int
    new_today: int
    by_stage: list[tuple[str, int]] = field(default_factory=list)
    by_sector: list[tuple[str, int]] = field(default_factory=list)
    by_region: list[tuple[str, int]] = field(default_factory=list)

    @property
    def overdue(self) -> int:
        return sum(1 for r in self.rows if r.overdue)

    def counts(self) -> dict[str, int]:
        return {
            "in_progress": len(self.rows),
            "overdue": self.overdue,
            "openings": len(self.openings),
            "evaluations": len(self.evaluations),
            "new_alerts": self.new_alerts,
        }


def time_left(at: dt.datetime, now: dt.datetime, *, deadline: bool = True) -> str:
    """剩余 2天3小时 / 已逾期 5小时12分 (a person reads this, not seconds); a minimum period's end, once passed, is
    已届满."""
    seconds = int((at - now).total_seconds())
    if seconds < 0 and not deadline:
        return "已届满"
    word = "剩余" if seconds >= 0 else "已逾期"
    s = abs(seconds)
    days, rest = divmod(s, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        text = f"{days}天{hours}小时"
    elif hours:
        text = f"{hours}小时{minutes}分"
    else:
        text = f"{minutes}分" if minutes else "不到1分钟"
    return f"{word} {text}"


def _day_bounds(now: dt.datetime) -> tuple[dt.datetime, dt.datetime, dt.date]:
    day = local_date(now)
    start = dt.datetime.combine(day, dt.time(0), tzinfo=SHANGHAI).astimezone(dt.UTC)
    return start, start + dt.timedelta(days=1), day


def build(session: Session, actor: Actor, *, now: dt.datetime, filters: Filters | None = None) -> Board:
    """The board as this actor may see it, at `now` (the injectable clock's time)."""
    filters = filters or Filters()
    sectors = sectors_for(actor, filters)
    conds = _project_conditions(sectors, filters)
    pairs = list(
        session.execute(
            select(Section, Project)
            .join(Project, Project.id == Section.project_id)
            .where(
                *conds,
                Project.status == ProjectStatus.ACCEPTED.value,
                Section.status.in_(IN_PROGRESS_VALUES),
            )
            .order_by(Section.next_due_at.is_(None), Section.next_due_at, Section.bid_deadline, Section.code)
            .limit(LIMIT)
        )
    )
    rows = _rows(session, pairs, now)
    rows.sort(key=lambda r: (not r.overdue, r.due is None, r.due.at if r.due else now, r.code))
    start, end, day = _day_bounds(now)
    alerts, new_alerts, new_today = _alerts(session, actor, sectors, filters, start)
    board = Board(
        now=now,
        filters=filters,
        sectors=sectors,
        rows=rows,
        openings=_openings(session, conds, start, end),
        evaluations=_evaluations(session, conds, start, end, day),
        alerts=alerts,
        new_alerts=new_alerts,
        new_today=new_today,
    )
    stage_counts = Counter(r.status for r in rows)
    board.by_stage = [(s.label, stage_counts[s.value]) for s in IN_PROGRESS if stage_counts[s.value]]
    board.by_sector = [(SECTOR_LABELS.get(Sector(k), k), v) for k, v in Counter(r.sector for r in rows).most_common()]
    board.by_region = [(regions.name_of(k), v) for k, v in Counter(r.region for r in rows).most_common(10)]
    return board


def _rows(session: Session, pairs: Sequence[tuple[Section, Project]], now: dt.datetime) -> list[Row]:
    ids = [s.id for s, _ in pairs]
    after = [s.id for s, _ in pairs if SectionStatus(s.status).opened]
    factor = training.factor(session)
    awards: dict[str, Award] = {}
    contracts: dict[str, Contract] = {}
    reports: dict[str, Evaluation] = {}
    if after:
        for aw in session.execute(select(Award).where(Award.section_id.in_(after))).scalars():
            if aw.section_id not in awards or aw.round > awards[aw.section_id].round:
                awards[aw.section_id] = aw
        for co in session.execute(select(Contract).where(Contract.section_id.in_(after))).scalars():
            contracts[co.award_id] = co
        for ev in session.execute(select(Evaluation).where(Evaluation.section_id.in_(after))).scalars():
            if ev.section_id not in reports or ev.round > reports[ev.section_id].round:
                reports[ev.section_id] = ev
    held: dict[str, holds.Hold] = {}
    if ids:
        for open_hold in session.execute(
            select(holds.Hold).where(holds.Hold.section_id.in_(ids), holds.Hold.lifted_at.is_(None))
        ).scalars():
            held.setdefault(open_hold.section_id, open_hold)
    out = []
    for s, p in pairs:
        row = Row(
            section_id=s.id,
            project_id=p.id,
            project=p.name,
            section=s.name,
            code=s.code,
            sector=p.sector,
            region=p.region,
            procedure=p.method,
            status=s.status,
            stage=SectionStatus(s.status).label,
        )
        a = awards.get(s.id)
        if a is not None and a.round != s.round:
            a = None
        e = reports.get(s.id)
        if e is not None and e.round != s.round:
            e = None
        row.step, row.due = _next(s, p, a, contracts.get(a.id) if a else None, e, now, factor)
        h = held.get(s.id)
        if h is not None:
            row.held = f"暂停：{h.reason}（案件编号 {h.case_number}）"
            if row.due is not None:  # a held period is suspended: it does not run out while the case is open
                row.due = Due(row.due.label, row.due.at, row.due.basis, False, row.due.deadline)
        out.append(row)
    return out


def _due(label: str, at: dt.datetime, basis: str, now: dt.datetime, *, late: bool = False) -> Due:
    return Due(label, at, basis, late or now > at)


def _next(
    s: Section,
    p: Project,
    a: Award | None,
    c: Contract | None,
    e: Evaluation | None,
    now: dt.datetime,
    factor: int,
) -> tuple[str, Due | None]:
    """What the trade waits for, and the legal deadline of it (None when the law sets none for this step)."""
    status = SectionStatus(s.status)
    proc = procedure(p.method)
    terms = award_rules.terms(proc.regime)
    if status is S.BIDDING and s.bid_deadline is not None:
        return "接受投标", _due("投标截止", s.bid_deadline, proc.bid_period.describe(), now)
    if status is S.CLOSED and s.bid_deadline is not None:
        return "待开标", _due(OPENING_LABEL, s.bid_deadline, OPENING_BASIS, now)
    if status is S.OPENED:
        if e is None:
            return "待评标", None
        if e.report_at is None:
            return EvaluationStatus(e.status).label, None
        at = terms.publish_candidates.latest_at(e.report_at, factor=factor)
        return "待公示中标候选人", _due("公示中标候选人", at, terms.publish_candidates.describe(), now)
    if status is S.PUBLICITY and a is not None:
        if terms.confirm is not None:
            at = terms.confirm.latest_at(a.report_at, factor=factor)
            return "公示中", _due("确定中标人", at, terms.confirm.describe(), now)
        basis = terms.publicity_min.describe() if terms.publicity_min else ""
        return "公示中", Due("公示期满，可定标", a.publicity_ends_at, basis, False, False)  # a minimum, not a deadline
    if status in (S.AWARDED, S.CONTRACTED) and a is not None:
        pending: list[Due] = []
        if status is S.AWARDED and a.contract_due_at is not None:
            pending.append(
                _due("订立书面合同", a.contract_due_at, terms.contract.describe(), now, late=a.contract_overdue)
            )
        if a.report_due_at is not None and a.reported_at is None and terms.supervisor_report is not None:
            pending.append(
                _due(
                    "向监督部门提交书面报告",
                    a.report_due_at,
                    terms.supervisor_report.describe(),
                    now,
                    late=a.report_overdue,
                )
            )
        if c is not None and c.publish_due_at is not None and c.notice_id is None and terms.contract_publish:
            pending.append(_due("公告合同", c.publish_due_at, terms.contract_publish.describe(), now))
        step = "待签订合同" if status is S.AWARDED else "待归档"
        return step, min(pending, key=lambda d: d.at) if pending else None
    if status is S.PREPARING:
        return "待发布公告", None
    if status is S.FAILED:
        return "待重新招标或终止", None
    return "", None


def _openings(session: Session, conds: list[ColumnElement[bool]], start: dt.datetime, end: dt.datetime) -> list[Today]:
    """Today's openings: the sections whose bid deadline — the opening's time — falls today (Beijing)."""
    stmt = (
        select(Section, Project)
        .join(Project, Project.id == Section.project_id)
        .where(*conds, Section.bid_deadline >= start, Section.bid_deadline < end, Section.status != S.TERMINATED.value)
        .order_by(Section.bid_deadline, Section.code)
        .limit(100)
    )
    return [
        Today(s.id, p.id, p.name, s.name, s.bid_deadline, SectionStatus(s.status).label)
        for s, p in session.execute(stmt)
    ]


def _evaluations(
    session: Session, conds: list[ColumnElement[bool]], start: dt.datetime, end: dt.datetime, day: dt.date
) -> list[Today]:
    """Today's evaluations: committees drawn for today, and evaluation rooms opened today."""
    stmt = (
        select(Section, Project, Draw, Evaluation)
        .join(Project, Project.id == Section.project_id)
        .outerjoin(Draw, and_(Draw.section_id == Section.id, Draw.round == Section.round))
        .outerjoin(Evaluation, and_(Evaluation.section_id == Section.id, Evaluation.round == Section.round))
        .where(
            *conds,
            or_(Draw.evaluation_on == day, and_(Evaluation.opened_at >= start, Evaluation.opened_at < end)),
        )
        .order_by(Section.code)
        .limit(100)
    )
    out: dict[str, Today] = {}
    for s, p, _d, room in session.execute(stmt):
        e = cast(Evaluation | None, room)  # an outer join: no room yet when only the draw is for today
        state = EvaluationStatus(e.status).label if e is not None else "待评标（专家已抽取）"
        out.setdefault(s.id, Today(s.id, p.id, p.name, s.name, e.opened_at if e else None, state))
    return list(out.values())


def _alerts(
    session: Session, actor: Actor, sectors: frozenset[str] | None, filters: Filters, start: dt.datetime
) -> tuple[list[Alert], int, int]:
    stmt = queries.visible(actor).where(Alert.status == AlertStatus.NEW.value)  # the dashboard's own scoping
    if sectors is not None:
        stmt = stmt.where(Alert.sector.in_(sorted(sectors)))
    if filters.region:
        stmt = stmt.where(Alert.region.startswith(_region_prefix(filters.region)))
    if filters.procedure:
        stmt = stmt.where(Alert.project_id.in_(select(Project.id).where(Project.method == filters.procedure)))
    total = session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    fresh = stmt.where(Alert.first_seen_at >= start)
    today = session.execute(select(func.count()).select_from(fresh.subquery())).scalar_one()
    latest = list(session.execute(stmt.order_by(Alert.first_seen_at.desc(), Alert.id).limit(10)).scalars())
    return latest, total, today


def sector_choices(actor: Actor) -> list[tuple[str, str]]:
    """The sectors the filter offers: the regulator's own, or all."""
    if policy.scope_for(actor, policy.ALERT_READ) is policy.Scope.SECTOR:
        return [(s.value, s.label) for s in Sector if s.value in actor.sectors]
    return [(s.value, s.label) for s in Sector]


def procedure_choices() -> list[tuple[str, str]]:
    return [(m.value, p.name) for m, p in PROCEDURES.items()]


def region_choices() -> list[tuple[str, str]]:
    return [(code, regions.name_of(code)) for code in regions.NAMES if code.startswith("41")]


def forwarder(bus: Bus) -> Callable[[list[LoggedEvent]], None]:
    """An `events.on_commit` listener: every commit with public events (a new alert, a deadline reached, an opening,
    a stage change, a hold) wakes the open boards once, on whichever node they are served; each board then reads
    again what its reader may see. The message names only the scopes, never a payload."""

    def listener(new: list[LoggedEvent]) -> None:
        scopes = sorted({ev.scope_id for ev in new if ev.scope_id})
        bus.publish(CHANNEL, {"type": "changed", "scopes": scopes[:50]})

    return listener
