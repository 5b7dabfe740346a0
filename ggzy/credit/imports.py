"""名单导入与查询留痕 — lookups of outside lists with provenance, and list imports from CSV or xlsx.

Every lookup keeps: the source, the query, the time, the SHA-256 of the answer and a stored copy of it
(财库〔2016〕125号). A lookup that found nothing is kept as "no hit" — it proves what was asked and when,
not that the entity is clean. An import keeps its good rows and reports every bad one by its row number.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from ggzy.core import events, policy
from ggzy.core.actor import Actor
from ggzy.core.clock import SHANGHAI, Clock
from ggzy.core.errors import DomainError, Invalid
from ggzy.core.files import FileStore
from ggzy.core.ids import new_id
from ggzy.credit.models import CreditLookup, CreditRecord, Sanction
from ggzy.credit.sources import CreditSource, Hit
from ggzy.credit.states import LISTS, RecordSource, RecordStatus, TradeClass
from ggzy.entities import credit_code as codes
from ggzy.entities import queries as entities

LOOKED_UP = events.event_type("credit.looked_up", "查询外部信用名单并留存记录")
LIST_IMPORTED = events.event_type("credit.list_imported", "导入信用名单")

HEADERS = {
    "统一社会信用代码": "code",
    "名称": "name",
    "失信行为": "reason",
    "依据": "basis",
    "列入日期": "listed_on",
    "截止日期": "until",
    "限制领域": "classes",
    "地区": "regions",
}
CLASS_WORDS = {"政府采购": TradeClass.PROCUREMENT, "工程招标": TradeClass.STATE_WORKS, "土地": TradeClass.LAND}
MAX_ROWS = 20_000


def _date(text: str, what: str) -> dt.datetime:
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise Invalid(f"{what}应为 YYYY-MM-DD 格式，收到「{text.strip()}」", code="bad-date") from None
    return dt.datetime.combine(day, dt.time(0), tzinfo=SHANGHAI).astimezone(dt.UTC)


def _listed(
    session: Session,
    actor: Actor,
    *,
    list_name: str,
    hit: Hit,
    classes: list[TradeClass],
    regions: list[str],
    now: dt.datetime,
    lookup_id: str | None,
) -> CreditRecord:
    """An entry of an outside list: the list's owner gave notice and listed it, so it binds as it stands."""
    org = entities.find_org_by_code(session, hit.credit_code)
    starts = _date(hit.listed_on, "列入日期")
    ends = _date(hit.until, "截止日期") if hit.until.strip() else None
    if ends is not None and ends <= starts:
        raise Invalid("截止日期须晚于列入日期", code="bad-period")
    record = CreditRecord(
        id=new_id(),
        org_id=org.id if org else None,
        credit_code=hit.credit_code,
        org_name=(org.name if org else hit.name)[:200],
        source=RecordSource.IMPORT.value,
        source_ref=list_name,
        title=hit.reason[:300] or LISTS[list_name],
        basis=(hit.basis or LISTS[list_name])[:300],
        status=RecordStatus.LISTED.value,
        notice_text=f"列入{LISTS[list_name]}（由名单发布机关告知）",
        notified_at=starts,
        listed_at=starts,
        display_until=None,  # shown while listed (the list's own term)
        lookup_id=lookup_id,
        recorded_by=actor.user_id,
        recorded_at=now,
    )
    session.add(record)
    session.flush()
    session.add(
        Sanction(
            id=new_id(),
            record_id=record.id,
            credit_code=hit.credit_code,
            measure=f"列入{LISTS[list_name]}，依法限制参加{'、'.join(c.label for c in classes)}",
            citation=record.basis,
            trade_classes=",".join(sorted(c.value for c in classes)),
            regions=",".join(regions),
            starts=starts,
            ends=ends,
        )
    )
    return record


def look_up(
    session: Session,
    actor: Actor,
    *,
    source: CreditSource,
    credit_code: str,
    files: FileStore,
    clock: Clock,
    section_id: str | None = None,
    classes: list[TradeClass] | None = None,
    sealed: bool = False,
) -> CreditLookup:
    """Ask a source about one entity; keep what it said; turn its hits into records that bind (a hit already on
    record from an earlier lookup of the same list is not recorded twice). `sealed`: a lookup made for a section
    not yet opened is logged with the section's sealed log (it tells that the entity takes part)."""
    policy.ensure(actor, policy.CREDIT_RECORD)
    if source.name not in LISTS:
        raise Invalid("未知的信用名单来源", code="unknown-source")
    code = codes.validate(credit_code)
    answer = source.lookup(code)
    now = clock.now()
    stored = files.save(f"credit/lookups/{source.name}", [answer.raw], max_bytes=8 << 20)
    row = CreditLookup(
        id=new_id(),
        source=source.name,
        query=code,
        at=now,
        hit=bool(answer.hits),
        digest=hashlib.sha256(answer.raw).hexdigest(),
        copy_path=stored.path,
        copy_size=stored.size,
        by_user=actor.user_id,
        section_id=section_id,
    )
    session.add(row)
    session.flush()
    for hit in answer.hits:
        if hit.credit_code == code and not _already_listed(session, source.name, hit):
            _listed(
                session,
                actor,
                list_name=source.name,
                hit=hit,
                classes=classes or list(TradeClass),
                regions=[],
                now=now,
                lookup_id=row.id,
            )
    events.record(
        session,
        actor,
        LOOKED_UP,
        clock=clock,
        subject=("credit_lookup", row.id),
        scope=section_id if sealed else None,
        payload={"source": source.name, "query": code, "hit": row.hit, "digest": row.digest},
        secret_until=events.AT_OPENING if sealed and section_id else None,
    )
    return row


def _already_listed(session: Session, list_name: str, hit: Hit) -> bool:
    """The same entry of the same list (code, listing date, reason) is one record, however often it is looked up."""
    starts = _date(hit.listed_on, "列入日期")
    q = select(CreditRecord.id).where(
        CreditRecord.source == RecordSource.IMPORT.value,
        CreditRecord.source_ref == list_name,
        CreditRecord.credit_code == hit.credit_code,
        CreditRecord.listed_at == starts,
        CreditRecord.title == (hit.reason[:300] or LISTS[list_name]),
    )
    return session.scalar(q.limit(1)) is not None


def new_records(session: Session, lookup: CreditLookup) -> list[CreditRecord]:
    """The records this lookup created: its new hits."""
    return list(session.scalars(select(CreditRecord).where(CreditRecord.lookup_id == lookup.id)))


@dataclass
class ImportReport:
    kept: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)  # (row number as the person sees it, message)


def _rows(filename: str, data: bytes) -> list[list[str]]:
    if filename.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            ws = load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
        except Exception:  # a file that is not a workbook: say so rather than fail
            raise Invalid("无法读取该 xlsx 文件，请确认文件格式", code="bad-file") from None
        if ws is None:
            raise Invalid("xlsx 文件没有工作表", code="bad-file")
        return [["" if v is None else str(v) for v in row] for row in ws.iter_rows(values_only=True)]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Invalid("CSV 文件应为 UTF-8 编码", code="bad-encoding") from None
    return list(csv.reader(io.StringIO(text)))


def import_list(
    session: Session, actor: Actor, *, list_name: str, filename: str, data: bytes, clock: Clock
) -> ImportReport:
    """导入 — one row per entity; each bad row reported by number with the reason, good rows kept."""
    policy.ensure(actor, policy.CREDIT_RECORD)
    if list_name not in LISTS:
        raise Invalid("未知的名单", code="unknown-source")
    rows = _rows(filename, data)
    if not rows:
        raise Invalid("文件为空", code="empty-file")
    header = [h.strip() for h in rows[0]]
    missing = [h for h in ("统一社会信用代码", "名称", "列入日期") if h not in header]
    if missing:
        raise Invalid(f"表头缺少：{'、'.join(missing)}（应含：{'、'.join(HEADERS)}）", code="bad-header")
    if len(rows) - 1 > MAX_ROWS:
        raise Invalid(f"一次最多导入{MAX_ROWS}行", code="too-many-rows")
    col = {HEADERS[h]: i for i, h in enumerate(header) if h in HEADERS}
    report, now = ImportReport(), clock.now()
    for n, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        cell = {k: (row[i].strip() if i < len(row) else "") for k, i in col.items()}
        try:
            code = codes.validate(cell.get("code", ""))
            words = [w for w in cell.get("classes", "").replace("，", ",").split(",") if w.strip()]
            unknown = [w for w in words if w.strip() not in CLASS_WORDS]
            if unknown:
                raise Invalid(
                    f"限制领域应为{'、'.join(CLASS_WORDS)}之一，收到「{'、'.join(unknown)}」", code="bad-class"
                )
            classes = [CLASS_WORDS[w.strip()] for w in words] or list(TradeClass)
            regions = [r for r in cell.get("regions", "").replace("，", ",").split(",") if r.strip()]
            if any(not r.strip().isdigit() or not 2 <= len(r.strip()) <= 6 for r in regions):
                raise Invalid("地区应为2至6位行政区划代码前缀", code="bad-region")
            if not cell.get("name"):
                raise Invalid("名称不能为空", code="name-required")
            hit = Hit(
                code,
                cell["name"],
                cell.get("reason", ""),
                cell.get("basis", ""),
                cell.get("listed_on", ""),
                cell.get("until", ""),
            )
            with session.begin_nested():
                _listed(
                    session,
                    actor,
                    list_name=list_name,
                    hit=hit,
                    classes=classes,
                    regions=[r.strip() for r in regions],
                    now=now,
                    lookup_id=None,
                )
            report.kept += 1
        except DomainError as e:
            report.problems.append((n, e.message))
    events.record(
        session,
        actor,
        LIST_IMPORTED,
        clock=clock,
        payload={"list": list_name, "kept": report.kept, "problems": len(report.problems)},
    )
    return report
