"""案件登记册 — the register of cases as an .xlsx workbook (openpyxl), for the supervision office."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import Workbook
from sqlalchemy.orm import Session

from ggzy.cases import queries
from ggzy.cases.states import CaseKind, CaseStatus, Matter, Outcome, Remedy
from ggzy.core.actor import Actor
from ggzy.core.clock import SHANGHAI
from ggzy.core.roles import Sector
from ggzy.entities import queries as entities
from ggzy.projects import queries as projects

COLUMNS = [
    "案件编号",
    "类别",
    "领域",
    "事项",
    "项目编号",
    "标段",
    "提出人",
    "受理部门",
    "状态",
    "提出时间",
    "法定期限",
    "是否超期",
    "处理结果",
    "处理措施",
    "决定时间",
]


def _t(at: dt.datetime | None) -> str:
    return at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if at else ""


def workbook(session: Session, actor: Actor, now: dt.datetime) -> bytes:
    queries.overview(session, actor, now)  # the same right as the overview (policy.CASE_OVERVIEW)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "异议投诉登记册"
    ws.append(COLUMNS)
    for c in queries.cases_of(session, actor, limit=100_000):
        project = projects.get_project(session, c.project_id)
        section = projects.get_section(session, c.section_id)
        views = queries.clock_views(session, c, now)
        running = next((v for v in views if v.kind is queries.open_clock(c)), None)
        ws.append(
            [
                c.number,
                CaseKind(c.kind).label_for(c.regime),
                "政府采购" if c.regime == queries.PROCUREMENT else "工程招标投标",
                Matter(c.matter).label,
                project.code,
                section.code,
                entities.get_org(session, c.complainant_org_id).name,
                Sector(c.regulator_sector).label if c.regulator_sector else "招标人/采购人",
                CaseStatus(c.status).label,
                _t(c.filed_at),
                f"{running.due:%Y-%m-%d}" if running and running.due else "",
                "是" if any(v.overdue for v in views) or c.answered_late or c.accepted_late or c.decided_late else "否",
                Outcome(c.outcome).label if c.outcome else "",
                Remedy(c.remedy).label if c.remedy else "",
                _t(c.decided_at),
            ]
        )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
