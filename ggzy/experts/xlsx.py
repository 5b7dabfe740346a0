"""专家库导入导出 — one expert a row; on import every bad row is reported in Chinese and the good rows are kept.

Columns (the first row is the header): 用户名, 姓名, 行政区划, 工作单位（统一社会信用代码或主体编号）, 工作单位名称,
评标专业（代码，以“；”分隔）, 职称, 近三年任职单位（代码@起~止，以“；”分隔）, 近亲属工作单位（代码，以“；”分隔）,
不可参加日期（起~止，以“；”分隔）, 状态. 姓名, 工作单位名称 and 状态 are written on export and ignored on import
(the account holds the name, the register the organisation, and a status changes only with a reason).
Each row is saved in its own savepoint, so a bad row leaves nothing behind and the others are kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from ggzy.core.actor import Actor
from ggzy.core.clock import Clock
from ggzy.core.errors import DomainError, Invalid
from ggzy.entities import queries as entities
from ggzy.experts import queries, service
from ggzy.experts.service import Profile, RelationIn
from ggzy.experts.states import ExpertStatus, RelationKind

HEADER = (
    "用户名",
    "姓名",
    "行政区划",
    "工作单位",
    "工作单位名称",
    "评标专业",
    "职称",
    "近三年任职单位",
    "近亲属工作单位",
    "不可参加日期",
    "状态",
)
MAX_ROWS = 100_000
SEP = re.compile(r"[；;\n]+")


@dataclass(frozen=True)
class RowError:
    row: int
    reason: str


@dataclass
class ImportReport:
    saved: int = 0
    errors: list[RowError] = field(default_factory=list)


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _date(s: str) -> date:
    try:
        return date.fromisoformat(s.strip())
    except ValueError:
        raise Invalid(f"日期「{s}」应写作 YYYY-MM-DD", code="xlsx-date") from None


def _span(s: str) -> tuple[date, date]:
    parts = re.split(r"[~～至]", s)
    if len(parts) != 2:
        raise Invalid(f"日期区间「{s}」应写作 起~止", code="xlsx-span")
    return _date(parts[0]), _date(parts[1])


def parse_row(cells: list[Any]) -> Profile:
    v = [_text(c) for c in cells] + [""] * (len(HEADER) - len(cells))
    if not v[0]:
        raise Invalid("用户名为空", code="xlsx-username")
    relations = []
    for item in SEP.split(v[7]):
        if not item.strip():
            continue
        code, _, span = item.partition("@")
        since, until = _span(span) if span.strip() else (None, None)
        relations.append(RelationIn(RelationKind.FORMER_EMPLOYER, code.strip(), since, until))
    for item in SEP.split(v[8]):
        if item.strip():
            relations.append(RelationIn(RelationKind.RELATIVE_EMPLOYER, item.strip()))
    unavailable = [_span(x) for x in SEP.split(v[9]) if x.strip()]
    return Profile(
        username=v[0],
        region=v[2],
        employer=v[3],
        specialities=[c for c in SEP.split(v[5]) if c.strip()],
        title=v[6],
        relations=relations,
        unavailable=unavailable,
    )


def read_rows(path: Path) -> list[list[Any]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception:
        raise Invalid("无法读取该文件：请上传 .xlsx 格式的专家名册", code="xlsx-unreadable") from None
    try:
        ws = wb.worksheets[0]
        rows = [list(r) for r in ws.iter_rows(values_only=True)]
    finally:
        wb.close()
    if not rows or _text(rows[0][0] if rows[0] else "") != HEADER[0]:
        raise Invalid(f"第1行应为表头（{'、'.join(HEADER)}）", code="xlsx-header")
    if len(rows) - 1 > MAX_ROWS:
        raise Invalid(f"一次最多导入{MAX_ROWS}行", code="xlsx-too-many")
    return rows[1:]


def import_experts(session: Session, actor: Actor, path: Path, *, clock: Clock) -> ImportReport:
    """Save every good row; report every bad one (row numbers as in the spreadsheet)."""
    report = ImportReport()
    for n, cells in enumerate(read_rows(path), start=2):
        if all(_text(c) == "" for c in cells):
            continue
        try:
            with session.begin_nested():
                service.save_expert(session, actor, parse_row(cells), clock=clock)
        except DomainError as e:
            report.errors.append(RowError(n, e.message))
        else:
            report.saved += 1
    return report


def export_experts(session: Session, path: Path) -> int:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "评标专家库"
    ws.append(list(HEADER))
    experts = queries.list_experts(session, limit=MAX_ROWS)
    specs = queries.specialities_of(session, [e.user_id for e in experts])
    for e in experts:
        user = entities.get_user(session, e.user_id)
        former, relatives = [], []
        for r in queries.relations_of(session, e.user_id):
            if r.kind == RelationKind.RELATIVE_EMPLOYER.value:
                relatives.append(r.credit_code)
            else:
                span = f"@{r.since or ''}~{r.until or ''}" if (r.since or r.until) else ""
                former.append(r.credit_code + span)
        ws.append(
            [
                user.username,
                user.display_name,
                e.region,
                e.employer_credit_code,
                e.employer_name,
                "；".join(specs.get(e.user_id, [])),
                e.title,
                "；".join(former),
                "；".join(relatives),
                "；".join(f"{u.start}~{u.end}" for u in queries.unavailable_of(session, e.user_id)),
                ExpertStatus(e.status).label,
            ]
        )
    wb.save(path)
    return len(experts)
