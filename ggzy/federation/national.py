"""全国公共资源交易平台数据交换 — export and import of the national exchange format for the main objects (issue #14,
item 4; P4), keyed by the 统一交易标识码 (`ggzy/rules/trade_id.py`), behind the `NationalExchange` Protocol.

The official field list of the national data specification (全国公共资源交易平台数据规范) is NOT available on this
machine. `MAPPING` below is the ONE table that names the national fields: each object's records are built with the
platform's own keys, and renamed to the national names only through it (and back on import). When the official
list is obtained, correct the names, add or drop rows here; nothing else names a national field.
(docs/national-exchange.md)

Only what is public leaves: opening records of opened sections, candidates once publicised, results once awarded,
credit records once listed, supervision records once confirmed. Money is a string of yuan with two decimals
(Decimal throughout); times are ISO 8601 with offset (Asia/Shanghai).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from ggzy.award import queries as awards
from ggzy.award.models import Award
from ggzy.bidding import queries as bids
from ggzy.core.clock import SHANGHAI, Clock
from ggzy.core.ids import new_id
from ggzy.credit.models import CreditRecord, Sanction
from ggzy.credit.states import RecordStatus
from ggzy.entities.models import Organisation
from ggzy.federation.models import NationalRecord
from ggzy.notices.models import Notice
from ggzy.projects.models import Project, Section
from ggzy.rules import trade_id
from ggzy.supervision.models import Alert
from ggzy.supervision.states import AlertStatus

# --- THE mapping: object → ((national field name, our key), …). Correct field names here, in one place. ----------
MAPPING: dict[str, tuple[tuple[str, str], ...]] = {
    "project": (
        ("项目编号", "project_code"),
        ("项目名称", "project_name"),
        ("投资项目统一代码", "approval_code"),
        ("交易类别", "category"),
        ("行政区划代码", "region"),
        ("招标人名称", "tenderer_name"),
        ("招标人统一社会信用代码", "tenderer_code"),
        ("招标代理机构名称", "agency_name"),
        ("招标代理机构统一社会信用代码", "agency_code"),
        ("项目估算金额", "estimate"),
    ),
    "section": (
        ("统一交易标识码", "trade_id"),
        ("项目编号", "project_code"),
        ("标段编号", "section_code"),
        ("标段名称", "section_name"),
        ("交易方式", "method"),
        ("标段估算金额", "estimate"),
        ("投标截止时间", "bid_deadline"),
        ("标段状态", "status"),
    ),
    "notice": (
        ("统一交易标识码", "trade_id"),
        ("公告编号", "number"),
        ("公告类型", "kind"),
        ("公告标题", "title"),
        ("发布时间", "published_at"),
    ),
    "opening": (
        ("统一交易标识码", "trade_id"),
        ("开标时间", "opened_at"),
        ("投标人名称", "bidder_name"),
        ("投标人统一社会信用代码", "bidder_code"),
        ("投标报价", "price"),
    ),
    "candidate": (
        ("统一交易标识码", "trade_id"),
        ("排名", "rank"),
        ("中标候选人名称", "name"),
        ("中标候选人统一社会信用代码", "code"),
        ("投标报价", "price"),
        ("公示开始时间", "publicity_starts"),
        ("公示截止时间", "publicity_ends"),
    ),
    "result": (
        ("统一交易标识码", "trade_id"),
        ("中标人名称", "winner_name"),
        ("中标人统一社会信用代码", "winner_code"),
        ("中标金额", "price"),
        ("中标时间", "awarded_at"),
    ),
    "credit": (
        ("信用记录编号", "record_id"),
        ("主体名称", "org_name"),
        ("统一社会信用代码", "credit_code"),
        ("失信行为", "title"),
        ("认定依据", "basis"),
        ("决定文书编号", "source_ref"),
        ("惩戒措施", "measures"),
        ("列入时间", "listed_at"),
    ),
    "supervision": (
        ("监管记录编号", "alert_id"),
        ("统一交易标识码", "trade_id"),
        ("监管事项", "title"),
        ("依据", "legal_basis"),
        ("处理决定文号", "sanction_ref"),
        ("发现时间", "first_seen_at"),
    ),
}
OBJECTS: tuple[str, ...] = tuple(MAPPING)
KEYS: dict[str, tuple[str, ...]] = {  # what makes a record the same record (our keys)
    "project": ("project_code",),
    "section": ("trade_id",),
    "notice": ("number",),
    "opening": ("trade_id", "bidder_code"),
    "candidate": ("trade_id", "rank"),
    "result": ("trade_id",),
    "credit": ("record_id",),
    "supervision": ("alert_id",),
}
MONEY = frozenset({"estimate", "price"})
TIMES = frozenset({"bid_deadline", "published_at", "opened_at", "publicity_starts", "publicity_ends", "awarded_at",
                   "listed_at", "first_seen_at"})  # fmt: skip

Record = dict[str, str]  # one national record: national field name → value


def _money(v: Decimal | None) -> str:
    return "" if v is None else f"{Decimal(v).quantize(Decimal('0.01'))}"


def _time(v: datetime | None) -> str:
    return "" if v is None else v.astimezone(SHANGHAI).isoformat(timespec="seconds")


def to_national(obj: str, row: dict[str, str]) -> Record:
    return {national: row.get(ours, "") for national, ours in MAPPING[obj]}


def from_national(obj: str, rec: Record) -> dict[str, str]:
    return {ours: str(rec.get(national, "")) for national, ours in MAPPING[obj]}


# --- export ----------------------------------------------------------------------------------------------------


def export(session: Session) -> dict[str, list[Record]]:
    """Every object of the platform's own trades in the national format, in a stable order."""
    orgs = {o.id: o for o in session.execute(select(Organisation)).scalars()}
    out: dict[str, list[dict[str, str]]] = {o: [] for o in OBJECTS}
    projects = {p.id: p for p in session.execute(select(Project).order_by(Project.code)).scalars()}
    for p in projects.values():
        agency = orgs.get(p.agency_org_id or "")
        out["project"].append(
            {
                "project_code": p.code,
                "project_name": p.name,
                "approval_code": p.approval_code,
                "category": p.category,
                "region": p.region,
                "tenderer_name": orgs[p.tenderer_org_id].name,
                "tenderer_code": orgs[p.tenderer_org_id].credit_code,
                "agency_name": agency.name if agency else "",
                "agency_code": agency.credit_code if agency else "",
                "estimate": _money(p.estimate),
            }
        )
    ids: dict[str, str] = {}
    for s in session.execute(select(Section).order_by(Section.code)).scalars():
        p = projects[s.project_id]
        tid = ids[s.id] = trade_id.make(p.region, p.category, s.code)
        out["section"].append(
            {
                "trade_id": tid,
                "project_code": p.code,
                "section_code": s.code,
                "section_name": s.name,
                "method": p.method,
                "estimate": _money(s.estimate),
                "bid_deadline": _time(s.bid_deadline),
                "status": s.status,
            }
        )
        if s.opened_at is not None:
            for b in bids.opened_bids(session, s.id, s.round):
                org = orgs[b.bidder_org_id]
                out["opening"].append(
                    {
                        "trade_id": tid,
                        "opened_at": _time(s.opened_at),
                        "bidder_name": org.name,
                        "bidder_code": org.credit_code,
                        "price": _money(b.price),
                    }
                )
        a = awards.award_of(session, s.id)
        if a is not None:
            _award(out, a, tid, orgs)
    for n in session.execute(select(Notice).order_by(Notice.published_at, Notice.number)).scalars():
        out["notice"].append(
            {
                "trade_id": ids.get(n.section_id or "", ""),
                "number": n.number,
                "kind": n.kind,
                "title": n.title,
                "published_at": _time(n.published_at),
            }
        )
    listed = (RecordStatus.LISTED.value, RecordStatus.REPAIRED.value)
    for r in session.execute(
        select(CreditRecord).where(CreditRecord.status.in_(listed)).order_by(CreditRecord.id)
    ).scalars():
        measures = session.execute(select(Sanction.measure).where(Sanction.record_id == r.id)).scalars()
        out["credit"].append(
            {
                "record_id": r.id,
                "org_name": r.org_name,
                "credit_code": r.credit_code,
                "title": r.title,
                "basis": r.basis,
                "source_ref": r.source_ref,
                "measures": "；".join(measures),
                "listed_at": _time(r.listed_at),
            }
        )
    for al in session.execute(
        select(Alert).where(Alert.status == AlertStatus.CONFIRMED.value).order_by(Alert.id)
    ).scalars():
        out["supervision"].append(
            {
                "alert_id": al.id,
                "trade_id": ids.get(al.section_id or "", ""),
                "title": al.title,
                "legal_basis": al.legal_basis,
                "sanction_ref": al.sanction_ref,
                "first_seen_at": _time(al.first_seen_at),
            }
        )
    return {obj: [to_national(obj, row) for row in rows] for obj, rows in out.items()}


def _award(out: dict[str, list[dict[str, str]]], a: Award, tid: str, orgs: dict[str, Organisation]) -> None:
    for c in awards.candidates(a):
        org = orgs.get(c.get("org_id") or c.get("org") or "")
        out["candidate"].append(
            {
                "trade_id": tid,
                "rank": str(c.get("rank", "")),
                "name": str(c.get("name") or (org.name if org else "")),
                "code": org.credit_code if org else "",
                "price": _money(c.get("price")),
                "publicity_starts": _time(a.published_at),
                "publicity_ends": _time(a.publicity_ends_at),
            }
        )
    if a.awarded_at is not None and a.winner_org_id is not None:
        w = orgs[a.winner_org_id]
        out["result"].append(
            {
                "trade_id": tid,
                "winner_name": w.name,
                "winner_code": w.credit_code,
                "price": _money(a.winner_price),
                "awarded_at": _time(a.awarded_at),
            }
        )


# --- import ----------------------------------------------------------------------------------------------------


@dataclass
class ImportReport:
    stored: dict[str, int] = field(default_factory=dict)
    unchanged: int = 0
    problems: list[tuple[str, int, str]] = field(default_factory=list)  # object, row number (1-based), reason


def check(obj: str, row: dict[str, str]) -> str:
    """Why a record (in our keys) cannot be taken, or ''."""
    for k in KEYS[obj]:
        if not row.get(k, "").strip():
            return f"缺少「{_national_name(obj, k)}」"
    tid = row.get("trade_id", "")
    if tid and not trade_id.is_valid(tid):
        return f"统一交易标识码 {tid[:40]} 校验位不符"
    for k in MONEY & row.keys():
        if row[k]:
            try:
                v = Decimal(row[k])
            except InvalidOperation:
                return f"「{_national_name(obj, k)}」不是金额：{row[k][:20]}"
            if not v.is_finite() or v < 0:
                return f"「{_national_name(obj, k)}」不是金额：{row[k][:20]}"
    for k in TIMES & row.keys():
        if row[k]:
            try:
                t = datetime.fromisoformat(row[k])
            except ValueError:
                return f"「{_national_name(obj, k)}」不是时间：{row[k][:30]}"
            if t.tzinfo is None:
                return f"「{_national_name(obj, k)}」缺少时区：{row[k][:30]}"
    return ""


def _national_name(obj: str, ours: str) -> str:
    return next(n for n, o in MAPPING[obj] if o == ours)


def import_records(session: Session, data: dict[str, list[Record]], *, source: str, clock: Clock) -> ImportReport:
    """Take in national records (from the national platform or another province): each checked, stored under its
    object and key with its source; a bad row is reported with its row number and reason, good rows are kept."""
    rep = ImportReport()
    now = clock.now()
    for obj, records in data.items():
        if obj not in MAPPING:
            rep.problems.append((obj, 0, f"未知的数据对象：{obj[:40]}"))
            continue
        for n, rec in enumerate(records, start=1):
            if not isinstance(rec, dict):
                rep.problems.append((obj, n, "记录应为对象"))
                continue
            row = from_national(obj, rec)
            why = check(obj, row)
            if why:
                rep.problems.append((obj, n, why))
                continue
            key = "|".join(row[k] for k in KEYS[obj])
            body = json.dumps(row, ensure_ascii=False, sort_keys=True)
            found = session.execute(
                select(NationalRecord).where(NationalRecord.object == obj, NationalRecord.key == key)
            ).scalar()
            if found is not None and found.body == body:
                rep.unchanged += 1
                continue
            if found is None:
                found = NationalRecord(id=new_id(), object=obj, key=key[:200], position=n)
                session.add(found)
            found.trade_id, found.body, found.source, found.received_at = row.get("trade_id", ""), body, source, now
            found.position = n
            rep.stored[obj] = rep.stored.get(obj, 0) + 1
    session.flush()
    return rep


def stored(session: Session, *, source: str | None = None) -> dict[str, list[Record]]:
    """What was imported, back in the national format (in the order each object's records were received)."""
    out: dict[str, list[Record]] = {o: [] for o in OBJECTS}
    q = select(NationalRecord).order_by(NationalRecord.object, NationalRecord.position, NationalRecord.key)
    if source is not None:
        q = q.where(NationalRecord.source == source)
    for r in session.execute(q).scalars():
        out[r.object].append(to_national(r.object, json.loads(r.body)))
    return out


# --- the endpoint ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Receipt:
    accepted: int
    refused: list[tuple[str, int, str]]


class NationalExchange(Protocol):
    """The national platform's data-exchange endpoint. A real one (its transport, signature and credentials per the
    national specification) implements these two calls; `InProcessNational` is the fake the tests and the demo use."""

    def send(self, data: dict[str, list[Record]]) -> Receipt: ...

    def fetch(self, objects: Iterable[str] = OBJECTS) -> dict[str, list[Record]]: ...


class InProcessNational:
    """A fake national endpoint in memory: it checks what it is sent with the same rules and keeps what passes."""

    def __init__(self, check_row: Callable[[str, dict[str, str]], str] = check) -> None:
        self.held: dict[str, dict[str, Record]] = {o: {} for o in OBJECTS}
        self._check = check_row

    def send(self, data: dict[str, list[Record]]) -> Receipt:
        accepted, refused = 0, []
        for obj, records in data.items():
            if obj not in MAPPING:
                refused.append((obj, 0, "未知的数据对象"))
                continue
            for n, rec in enumerate(records, start=1):
                row = from_national(obj, rec)
                why = self._check(obj, row)
                if why:
                    refused.append((obj, n, why))
                    continue
                self.held[obj]["|".join(row[k] for k in KEYS[obj])] = dict(rec)
                accepted += 1
        return Receipt(accepted, refused)

    def fetch(self, objects: Iterable[str] = OBJECTS) -> dict[str, list[Record]]:
        return {o: list(self.held[o].values()) for o in objects}
