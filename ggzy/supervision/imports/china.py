"""交易中心公告表格导入 — the tender, bid-opening and award tables Chinese trading centres publish (CSV or .xlsx),
read through a mapping file per source (`mappings/<name>.toml`: columns → fields, units, date formats) and turned
into one OCDS compiled release per project (the mapping's `key` column, 项目编号), so `ggzy analyze` runs on them
and `ggzy import china` can keep them in the store of imported data (docs/china-import.md).

Rows that cannot be read are reported with their file, row number (as the spreadsheet shows it: the header is row 1)
and reason: a row without a readable key is left out, a value that cannot be read (an amount that is no number, a
date in no configured format) is left out of its row and the rest of the row is used; an empty cell is no value. A
column marked `required` must be in the table (it is how the table is recognised); a table whose columns match no
table of the mapping is refused with a Chinese message naming the missing columns.
"""

from __future__ import annotations

import csv
import io
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import Any

from ggzy.core.clock import SHANGHAI

UNITS = {"元": Decimal(1), "万元": Decimal(10000), "亿元": Decimal(100000000)}
FIELD_TYPES = ("text", "amount", "integer", "datetime")
MAX_LISTED = 50


class MappingError(Exception):
    """The mapping file cannot be used."""


class TableError(Exception):
    """A table cannot be used with this mapping (its columns, its format)."""


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    type: str = "text"
    unit: str = "元"
    required: bool = False
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class TableSpec:
    name: str
    label: str
    columns: tuple[Column, ...]


@dataclass(frozen=True)
class Mapping:
    name: str
    title: str
    ocid_prefix: str
    key: str
    currency: str
    main_category: str
    procurement_method: str
    procurement_method_details: str
    date_formats: tuple[str, ...]
    tables: tuple[TableSpec, ...]


def _mapping_text(name: str) -> str:
    path = Path(name)
    if path.suffix == ".toml" and path.exists():
        return path.read_text(encoding="utf-8")
    if not re.fullmatch(r"[a-z0-9_-]{1,40}", name):
        raise MappingError(
            f"映射名称「{name[:40]}」无效：应为 mappings/ 下的文件名（如 hangzhou）或一个 .toml 文件路径"
        )
    resource = resources.files("ggzy.supervision.imports") / "mappings" / f"{name}.toml"
    if not resource.is_file():
        folder = resources.files("ggzy.supervision.imports") / "mappings"
        known = sorted(p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml"))
        raise MappingError(f"没有名为「{name}」的映射；已有：{'、'.join(known)}")
    return resource.read_text(encoding="utf-8")


def load_mapping(name: str) -> Mapping:
    """A mapping by name (`hangzhou` → mappings/hangzhou.toml in the package) or by the path of a .toml file."""
    try:
        data = tomllib.loads(_mapping_text(name))
    except tomllib.TOMLDecodeError as error:
        raise MappingError(f"映射文件不是有效的 TOML：{error}") from None
    try:
        tables = []
        for table_name, spec in data["tables"].items():
            columns = []
            for header, col in spec["columns"].items():
                col = {"field": col} if isinstance(col, str) else col
                kind = col.get("type", "text")
                unit = col.get("unit", "元")
                if kind not in FIELD_TYPES:
                    raise MappingError(f"列「{header}」的类型「{kind}」无效，应为 {'、'.join(FIELD_TYPES)}")
                if unit not in UNITS:
                    raise MappingError(f"列「{header}」的单位「{unit}」无效，应为 {'、'.join(UNITS)}")
                columns.append(
                    Column(
                        header=header,
                        field=col["field"],
                        type=kind,
                        unit=unit,
                        required=bool(col.get("required", False)),
                        aliases=tuple(col.get("aliases", ())),
                    )
                )
            if not any(c.field == "key" for c in columns):
                raise MappingError(f'表「{table_name}」没有 field = "key" 的列（各表按它关联）')
            tables.append(TableSpec(table_name, spec.get("label", table_name), tuple(columns)))
        prefix = data["ocid_prefix"]
        if not re.fullmatch(r"ocds-[a-z0-9]{6}", prefix):
            raise MappingError(f"ocid_prefix「{prefix}」应为 ocds- 加 6 个小写字母或数字")
        return Mapping(
            name=Path(name).stem,
            title=data.get("name", name),
            ocid_prefix=prefix,
            key=data.get("key", "项目编号"),
            currency=data.get("currency", "CNY"),
            main_category=data.get("main_category", "works"),
            procurement_method=data.get("procurement_method", "open"),
            procurement_method_details=data.get("procurement_method_details", ""),
            date_formats=tuple(data.get("date_formats", ("%Y-%m-%d",))),
            tables=tuple(tables),
        )
    except KeyError as error:
        raise MappingError(f"映射文件缺少键 {error}") from None


def normalise_header(text: Any) -> tuple[str, str | None]:
    """(name, unit): NFKC, spaces removed, a bracketed unit split off — `预算（万元）` → (`预算`, `万元`)."""
    value = unicodedata.normalize("NFKC", str(text or "")).replace(" ", "").replace("\u3000", "").strip()
    unit = None
    match = re.fullmatch(r"(.+?)\((.+)\)", value)
    if match:
        value, inner = match.group(1), match.group(2)
        unit = inner if inner in UNITS else None
        if unit is None:
            value = f"{value}({inner})"
    return value, unit


def read_rows(path: Path) -> list[list[Any]]:
    """All rows of a CSV (UTF-8 or GB18030, as Excel saves it in China) or of the first sheet of an .xlsx."""
    if not path.exists():
        raise TableError(f"文件不存在：{path}")
    if path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        try:
            book = load_workbook(path, read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
            raise TableError(f"「{path.name}」不是有效的 xlsx 文件：{type(error).__name__}") from None
        try:
            return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
        finally:
            book.close()
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return list(csv.reader(io.StringIO(data.decode(encoding))))
        except UnicodeDecodeError:
            continue
    raise TableError(f"无法识别「{path.name}」的编码（应为 UTF-8 或 GBK）")


@dataclass
class Bound:
    """A table of the mapping bound to a file: column index per field."""

    spec: TableSpec
    index: dict[str, tuple[int, Column, str]]  # field → (position, column, unit)


def bind(spec: TableSpec, headers: list[Any]) -> tuple[Bound | None, list[str]]:
    """Match the file's headers to a table of the mapping; (None, the missing required columns) when it does not fit."""
    names = {}
    for position, header in enumerate(headers):
        name, unit = normalise_header(header)
        if name and name not in names:
            names[name] = (position, unit)
    index: dict[str, tuple[int, Column, str]] = {}
    missing = []
    for column in spec.columns:
        for candidate in (column.header, *column.aliases):
            found = names.get(normalise_header(candidate)[0])
            if found is not None:
                index[column.field] = (found[0], column, found[1] or column.unit)
                break
        else:
            if column.required:
                missing.append(column.header)
    return (None, missing) if missing else (Bound(spec, index), [])


@dataclass
class ChinaReport:
    mapping: str = ""
    files: dict[str, str] = field(default_factory=dict)  # file → table label
    rows: dict[str, int] = field(default_factory=dict)  # table → rows read
    problems: list[str] = field(default_factory=list)
    bad_rows: int = 0
    duplicates: int = 0
    processes: int = 0
    joined: dict[str, int] = field(default_factory=dict)

    def bad(self, message: str) -> None:
        self.bad_rows += 1
        if len(self.problems) < MAX_LISTED:
            self.problems.append(message)

    def lines(self) -> list[str]:
        out = [f"映射 mapping: {self.mapping}"]
        out += [f"  {name} → {label}表" for name, label in self.files.items()]
        out.append(
            "读取行数 rows: "
            + "，".join(f"{k} {v}" for k, v in self.rows.items())
            + f" · 流程 processes {self.processes} · 无法读取的行 bad rows {self.bad_rows}"
            + f" · 重复编号 duplicates {self.duplicates}"
        )
        if self.joined:
            out.append("关联 joined: " + "，".join(f"{k} {v}" for k, v in self.joined.items()))
        out += [f"  {p}" for p in self.problems]
        if self.bad_rows + self.duplicates > len(self.problems):
            out.append(f"  …… 共 {self.bad_rows + self.duplicates} 行有问题 (rows with problems in all)")
        return out

    def as_json(self) -> dict[str, Any]:
        return {
            "mapping": self.mapping,
            "files": self.files,
            "rows": self.rows,
            "processes": self.processes,
            "bad_rows": self.bad_rows,
            "duplicates": self.duplicates,
            "joined": self.joined,
            "problems": self.problems,
        }


def _amount(value: Any, unit: str) -> Decimal:
    if isinstance(value, bool):
        raise ValueError("不是金额")
    if isinstance(value, int | Decimal):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    else:
        text = unicodedata.normalize("NFKC", str(value)).replace(",", "").replace(" ", "").strip()
        for name in sorted(UNITS, key=len, reverse=True):
            if text.endswith(name):
                unit, text = name, text[: -len(name)]
                break
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"「{str(value)[:30]}」不是金额") from None
    if not number.is_finite() or number < 0:
        raise ValueError(f"「{str(value)[:30]}」不是有效金额")
    yuan = (number * UNITS[unit]).quantize(Decimal("0.01"))
    if yuan >= Decimal(10) ** 16:
        raise ValueError(f"「{str(value)[:30]}」超出金额范围")
    return yuan.normalize() if yuan == yuan.to_integral_value() else yuan


def _integer(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError("不是整数")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = unicodedata.normalize("NFKC", str(value)).strip().removesuffix("家").removesuffix("个")
    if not re.fullmatch(r"\d{1,9}", text):
        raise ValueError(f"「{str(value)[:30]}」不是整数")
    return int(text)


def _datetime(value: Any, formats: tuple[str, ...]) -> str:
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=SHANGHAI)
        return moment.isoformat()
    text = unicodedata.normalize("NFKC", str(value)).strip()
    for fmt in formats:
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=SHANGHAI).isoformat()
        except ValueError:
            continue
    raise ValueError(f"「{text[:30]}」不是可识别的日期（映射的 date_formats）")


def _cell(row: list[Any], position: int) -> Any:
    value = row[position] if position < len(row) else None
    if value is None:
        return None
    if isinstance(value, str) and not value.strip():
        return None
    return value


def read_table(path: Path, mapping: Mapping, report: ChinaReport) -> tuple[TableSpec, dict[str, dict[str, Any]]]:
    """Read one file: find its table by its headers, convert each row, keyed by the mapping's key column."""
    rows = read_rows(path)
    if not rows or not any(_cell(rows[0], i) is not None for i in range(len(rows[0]))):
        raise TableError(f"「{path.name}」是空表或第一行没有列名")
    headers = rows[0]
    fits: list[tuple[int, Bound]] = []
    misses = []
    for spec in mapping.tables:
        bound, missing = bind(spec, headers)
        if bound is None:
            misses.append(f"{spec.label}表缺少列：{'、'.join(missing)}")
        else:
            fits.append((len(bound.index), bound))
    if not fits:
        shown = "、".join(str(h) for h in headers if h is not None)[:300]
        raise TableError(
            f"「{path.name}」的列与映射「{mapping.name}」的任何表都不符 — {'；'.join(misses)}。表中的列：{shown}"
        )
    bound = max(fits, key=lambda f: f[0])[1]
    spec = bound.spec
    report.files[path.name] = spec.label
    out: dict[str, dict[str, Any]] = {}
    first_row: dict[str, int] = {}
    count = 0
    for number, row in enumerate(rows[1:], start=2):
        if not any(_cell(row, i) is not None for i in range(len(row))):
            continue
        count += 1
        values: dict[str, Any] = {}
        problems: list[str] = []
        ignored: list[str] = []
        for name, (position, column, unit) in bound.index.items():
            raw = _cell(row, position)
            if raw is None:
                if name == "key":
                    problems.append(f"{column.header} 为空")
                continue
            try:
                if column.type == "amount":
                    values[name] = _amount(raw, unit)
                elif column.type == "integer":
                    values[name] = _integer(raw)
                elif column.type == "datetime":
                    values[name] = _datetime(raw, mapping.date_formats)
                else:
                    values[name] = unicodedata.normalize("NFKC", str(raw)).strip()
            except ValueError as error:
                (problems if name == "key" else ignored).append(f"{column.header}{error}")
        where = f"「{path.name}」第 {number} 行"
        if problems:
            report.bad(f"{where}：{'；'.join(problems + ignored)}，整行已跳过 (row skipped)")
            continue
        if ignored:
            report.bad(f"{where}：{'；'.join(ignored)}，该字段已忽略，其余照用 (field left out)")
        key = str(values["key"])
        if key in out:
            report.duplicates += 1
            if len(report.problems) < MAX_LISTED:
                report.problems.append(
                    f"{where}：{mapping.key} {key} 与第 {first_row[key]} 行重复，已用第 {first_row[key]} 行"
                )
            continue
        first_row[key] = number
        out[key] = values
    report.rows[spec.label] = report.rows.get(spec.label, 0) + count
    return spec, out


def releases(mapping: Mapping, tables: dict[str, dict[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    """One OCDS compiled release per key found in any table (tender, opening and award joined on the key)."""
    tender = tables.get("tender", {})
    opening = tables.get("opening", {})
    award = tables.get("award", {})
    keys = list(dict.fromkeys([*tender, *opening, *award]))
    out = []
    for key in keys:
        t, o, a = tender.get(key, {}), opening.get(key, {}), award.get(key, {})
        out.append(_release(mapping, key, t, o, a))
    return out


def _release(mapping: Mapping, key: str, t: dict[str, Any], o: dict[str, Any], a: dict[str, Any]) -> dict[str, Any]:
    ocid = f"{mapping.ocid_prefix}-{key}"
    title = t.get("title") or o.get("title") or a.get("title")
    dates = [d for d in (t.get("deadline"), o.get("opened"), a.get("award_date")) if d]
    date = max(dates) if dates else "1970-01-01T00:00:00+08:00"
    tender: dict[str, Any] = {
        "id": key,
        "status": "complete" if a else "active",
        "mainProcurementCategory": mapping.main_category,
        "procurementMethod": mapping.procurement_method,
    }
    if mapping.procurement_method_details:
        tender["procurementMethodDetails"] = mapping.procurement_method_details
    if title:
        tender["title"] = title
    if "budget" in t:
        tender["value"] = {"amount": t["budget"], "currency": mapping.currency}
    deadline = t.get("deadline") or o.get("opened")
    if deadline:
        tender["tenderPeriod"] = {"endDate": deadline}
    if "bidders" in o:
        tender["numberOfTenderers"] = o["bidders"]
    if t.get("classification"):
        tender["items"] = [
            {"id": "1", "classification": {"scheme": f"{mapping.name}-工程分类", "id": t["classification"]}}
        ]
    release: dict[str, Any] = {
        "ocid": ocid,
        "id": f"{ocid}-compiled",
        "date": date,
        "tag": ["compiled"],
        "initiationType": "tender",
        "tender": tender,
        "planning": {"budget": {"projectID": key, **({"project": title} if title else {})}},
    }
    parties = []
    if t.get("buyer"):
        buyer = {"id": f"{mapping.name}-buyer-{t['buyer']}", "name": t["buyer"]}
        release["buyer"] = buyer
        parties.append({**buyer, "roles": ["buyer"]})
    if a:
        award: dict[str, Any] = {"id": f"{key}-award", "status": "active"}
        if "award_amount" in a:
            award["value"] = {"amount": a["award_amount"], "currency": mapping.currency}
        if a.get("award_date"):
            award["date"] = a["award_date"]
        if a.get("supplier"):
            supplier = {"id": f"{mapping.name}-supplier-{a['supplier']}", "name": a["supplier"]}
            award["suppliers"] = [supplier]
            parties.append({**supplier, "roles": ["supplier"]})
        release["awards"] = [award]
    if parties:
        release["parties"] = parties
    return release


def read_tables(mapping: Mapping, paths: list[Path]) -> tuple[list[dict[str, Any]], ChinaReport]:
    """Read every file (each one of the mapping's tables) and join them into compiled releases."""
    report = ChinaReport(mapping=f"{mapping.name}（{mapping.title}）")
    tables: dict[str, dict[str, dict[str, Any]]] = {}
    for path in paths:
        spec, rows = read_table(path, mapping, report)
        target = tables.setdefault(spec.name, {})
        for key, values in rows.items():
            if key in target:
                report.duplicates += 1
                continue
            target[key] = values
    out = releases(mapping, tables)
    report.processes = len(out)
    names = {s.name: s.label for s in mapping.tables}
    if len(tables) > 1:
        sets = {names[n]: set(rows) for n, rows in tables.items()}
        labels = list(sets)
        for i, first in enumerate(labels):
            for second in labels[i + 1 :]:
                report.joined[f"{first}∩{second}"] = len(sets[first] & sets[second])
    return out, report
