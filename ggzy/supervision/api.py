"""监管接口 — /api/v1/supervision: the monitoring board; alerts and their workflow (assign within the body and sector,
investigate, confirm, dismiss), who holds an alert since when, and agencies acting for many tenderers of one sector."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from ggzy.core.roles import Sector
from ggzy.entities.models import User
from ggzy.projects import delegation
from ggzy.rules import delegation as delegation_rules
from ggzy.rules.procedures import Method
from ggzy.supervision import board, queries, service
from ggzy.supervision.models import Alert
from ggzy.supervision.states import AlertStatus
from ggzy.web.deps import Ctx, Db, SignedIn

router = APIRouter(prefix="/supervision", tags=["监管预警"])
AlertId = Annotated[str, Path(max_length=26)]


class Holder(BaseModel):
    user_id: str
    display_name: str
    username: str
    since: dt.datetime | None = Field(description="分派时间（自何时起由其核查）")
    assigned_by: str | None


class AlertRead(BaseModel):
    id: str
    flag_id: str
    title: str
    severity: str
    legal_basis: str
    subject: str
    source: str
    project_id: str | None
    section_id: str | None
    org_ids: list[str]
    sector: str
    region: str
    regulator_org_id: str | None
    status: str
    status_label: str
    holder: Holder | None = Field(description="核查人员及分派时间；未分派时为空")
    sanction_ref: str
    dismissal_reason: str
    occurrences: int
    first_seen_at: dt.datetime
    last_seen_at: dt.datetime
    evidence: dict[str, Any]


class AlertPage(BaseModel):
    items: list[AlertRead]
    next_cursor: str | None


class AssignIn(BaseModel):
    assignee_id: str = Field(min_length=1, max_length=26)


class ConfirmIn(BaseModel):
    sanction_ref: str = Field(min_length=1, max_length=100)


class DismissIn(BaseModel):
    reason: str = Field(min_length=1, max_length=300)


class HandlerRead(BaseModel):
    user_id: str
    display_name: str
    username: str


class AgencySpreadRead(BaseModel):
    agency_org_id: str
    agency_name: str
    sector: str
    tenderers: list[str]


class AgencySpreadPage(BaseModel):
    rule: str = Field(description="提示标准及依据")
    items: list[AgencySpreadRead]


def alert_read(session: Session, a: Alert) -> AlertRead:
    holder = session.get(User, a.assignee_id) if a.assignee_id else None
    return AlertRead(
        id=a.id,
        flag_id=a.flag_id,
        title=a.title,
        severity=a.severity,
        legal_basis=a.legal_basis,
        subject=a.subject,
        source=a.source,
        project_id=a.project_id,
        section_id=a.section_id,
        org_ids=a.org_ids.split(),
        sector=a.sector,
        region=a.region,
        regulator_org_id=a.regulator_org_id,
        status=a.status,
        status_label=AlertStatus(a.status).label,
        holder=Holder(
            user_id=holder.id,
            display_name=holder.display_name,
            username=holder.username,
            since=a.assigned_at,
            assigned_by=a.assigned_by,
        )
        if holder
        else None,
        sanction_ref=a.sanction_ref,
        dismissal_reason=a.dismissal_reason,
        occurrences=a.occurrences,
        first_seen_at=a.first_seen_at,
        last_seen_at=a.last_seen_at,
        evidence=json.loads(a.evidence or "{}"),
    )


@router.get("/alerts", response_model=AlertPage, summary="预警列表")
def list_alerts(
    db: Db,
    principal: SignedIn,
    status: AlertStatus | None = None,
    flag: Annotated[str | None, Query(max_length=40)] = None,
    project_id: Annotated[str | None, Query(max_length=26)] = None,
    cursor: Annotated[str | None, Query(max_length=40, description="上一页返回的 next_cursor")] = None,
    limit: Annotated[int, Query(ge=1, le=200, description="每页条数（1–200）")] = 50,
) -> AlertPage:
    """行业监管看到本行业的预警，综合监管和监督看到全部；新生成的在前。"""
    stmt = queries.visible(principal.actor).order_by(Alert.id.desc()).limit(limit)
    if status is not None:
        stmt = stmt.where(Alert.status == status.value)
    if flag:
        stmt = stmt.where(Alert.flag_id == flag)
    if project_id:
        stmt = stmt.where(Alert.project_id == project_id)
    if cursor:
        stmt = stmt.where(Alert.id < cursor)
    rows = list(db.execute(stmt).scalars())
    return AlertPage(items=[alert_read(db, a) for a in rows], next_cursor=rows[-1].id if len(rows) == limit else None)


@router.get("/alerts/{alert_id}", response_model=AlertRead, summary="预警详情（含核查人员及分派时间）")
def get_alert(alert_id: AlertId, db: Db, principal: SignedIn) -> AlertRead:
    return alert_read(db, service.get(db, principal.actor, alert_id))


@router.get("/alerts/{alert_id}/handlers", response_model=list[HandlerRead], summary="可分派的核查人员")
def alert_handlers(alert_id: AlertId, db: Db, principal: SignedIn) -> list[HandlerRead]:
    """本单位负责该预警所属行业监管的在岗人员。"""
    alert = service.get(db, principal.actor, alert_id)
    return [
        HandlerRead(user_id=u.id, display_name=u.display_name, username=u.username)
        for u in service.handlers_for(db, principal.actor, alert)
    ]


@router.post("/alerts/{alert_id}/assign", response_model=AlertRead, summary="分派核查人员（限本单位、本行业）")
def assign_alert(alert_id: AlertId, body: AssignIn, db: Db, ctx: Ctx, principal: SignedIn) -> AlertRead:
    a = service.assign(db, principal.actor, alert_id=alert_id, assignee_id=body.assignee_id, clock=ctx.clock)
    return alert_read(db, a)


@router.post("/alerts/{alert_id}/investigate", response_model=AlertRead, summary="开始核查")
def investigate_alert(alert_id: AlertId, db: Db, ctx: Ctx, principal: SignedIn) -> AlertRead:
    return alert_read(db, service.investigate(db, principal.actor, alert_id=alert_id, clock=ctx.clock))


@router.post("/alerts/{alert_id}/confirm", response_model=AlertRead, summary="查实（附处理决定文号）")
def confirm_alert(alert_id: AlertId, body: ConfirmIn, db: Db, ctx: Ctx, principal: SignedIn) -> AlertRead:
    a = service.confirm(db, principal.actor, alert_id=alert_id, sanction_ref=body.sanction_ref, clock=ctx.clock)
    return alert_read(db, a)


@router.post("/alerts/{alert_id}/dismiss", response_model=AlertRead, summary="排除（说明理由）")
def dismiss_alert(alert_id: AlertId, body: DismissIn, db: Db, ctx: Ctx, principal: SignedIn) -> AlertRead:
    a = service.dismiss(db, principal.actor, alert_id=alert_id, reason=body.reason, clock=ctx.clock)
    return alert_read(db, a)


@router.get("/agencies", response_model=AgencySpreadPage, summary="代理机构集中度（风险提示）")
def agency_spread(db: Db, principal: SignedIn) -> AgencySpreadPage:
    """在同一行业为多家招标人代理的代理机构（有效委托下的项目），达到规则所定家数的列出。"""
    rows = delegation.agency_spread(db, principal.actor)
    return AgencySpreadPage(
        rule=delegation_rules.AGENCY_SPREAD.describe(),
        items=[AgencySpreadRead(**r.__dict__) for r in rows],
    )


class BoardDue(BaseModel):
    label: str = Field(description="下一法定时限（如：投标截止、开标、公示中标候选人、订立书面合同）")
    at: dt.datetime
    basis: str = Field(description="时限依据")
    overdue: bool
    deadline: bool = Field(description="false：最短期间届满（如公示期满），只会届满，不会逾期")
    left: str = Field(description="剩余或已逾期时间（按平台时钟）")


class BoardTrade(BaseModel):
    section_id: str
    project_id: str
    project: str
    section: str
    code: str
    sector: str
    region: str
    procedure: str
    status: str
    stage: str = Field(description="阶段（标段状态）")
    step: str = Field(description="阶段内当前事项")
    due: BoardDue | None
    held: str = Field(description="因案件暂停时的说明；未暂停为空")
    timeline: str = Field(description="办理时间线页面")


class BoardToday(BaseModel):
    section_id: str
    project_id: str
    project: str
    section: str
    at: dt.datetime | None
    state: str


class BoardCounts(BaseModel):
    in_progress: int
    overdue: int
    openings: int
    evaluations: int
    new_alerts: int


class BoardRead(BaseModel):
    now: dt.datetime
    sectors: list[str] | None = Field(description="可见的行业；综合监管为 null（全部）")
    counts: BoardCounts
    by_stage: dict[str, int]
    trades: list[BoardTrade]
    openings: list[BoardToday] = Field(description="今日开标（北京时间）")
    evaluations: list[BoardToday] = Field(description="今日评标（北京时间）")
    new_alerts: list[AlertRead] = Field(description="最新的待处理预警（至多10条）")
    new_today: int


@router.get("/board", response_model=BoardRead, summary="实时监测")
def monitoring_board(
    db: Db,
    ctx: Ctx,
    principal: SignedIn,
    sector: Sector | None = None,
    region: Annotated[str | None, Query(pattern=r"^\d{6}$", description="6位行政区划代码，含下级")] = None,
    procedure: Method | None = None,
) -> BoardRead:
    """在办交易、阶段、下一法定时限与剩余时间、逾期、今日开标评标与新预警；行业监管只能看本行业（与页面相同）。"""
    filters = board.Filters.parse(sector.value if sector else "", region or "", procedure.value if procedure else "")
    b = board.build(db, principal.actor, now=ctx.clock.now(), filters=filters)
    return BoardRead(
        now=b.now,
        sectors=sorted(b.sectors) if b.sectors is not None else None,
        counts=BoardCounts(**b.counts()),
        by_stage=dict(b.by_stage),
        trades=[
            BoardTrade(
                section_id=r.section_id,
                project_id=r.project_id,
                project=r.project,
                section=r.section,
                code=r.code,
                sector=r.sector,
                region=r.region,
                procedure=r.procedure,
                status=r.status,
                stage=r.stage,
                step=r.step,
                due=BoardDue(
                    label=r.due.label,
                    at=r.due.at,
                    basis=r.due.basis,
                    overdue=r.due.overdue,
                    deadline=r.due.deadline,
                    left=board.time_left(r.due.at, b.now, deadline=r.due.deadline),
                )
                if r.due
                else None,
                held=r.held,
                timeline=r.timeline,
            )
            for r in b.rows
        ],
        openings=[BoardToday(**t.__dict__) for t in b.openings],
        evaluations=[BoardToday(**t.__dict__) for t in b.evaluations],
        new_alerts=[alert_read(db, a) for a in b.alerts],
        new_today=b.new_today,
    )
