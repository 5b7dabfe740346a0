"""审批项目清单 — read the imported list of approved investment projects (CSV or XLSX, Chinese or English headers)."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import polars as pl

from ggzy.rules.catalog import CATEGORY_LABELS, Category

# column → accepted headers (compared after removing spaces and brackets' content such as "（万元）")
HEADERS: dict[str, tuple[str, ...]] = {
    "code": ("code", "approval_code", "项目代码", "审批代码", "备案代码", "核准代码", "批准文号", "项目编号"),
    "name": ("name", "project_name", "项目名称", "名称"),
    "owner": ("owner", "项目单位", "建设单位", "项目法人", "业主单位", "业主", "招标人", "采购人"),
    "category": ("category", "项目类别", "类别", "交易类别", "品类"),
    "estimate": ("estimate", "估算投资", "总投资", "投资估算", "估算金额", "估算价", "预算金额"),
    "state_funds_share": ("state_funds_share", "国有资金占比", "国有资金比例", "国有资金占比%"),
    "state_funds_amount": ("state_funds_amount", "国有资金", "国有资金额", "国有资金金额", "财政资金"),
}
WAN = "万元"  # a header naming 万元 means the column is in units of ¥10,000
CATEGORY_NAMES = {label: c.value for c, label in CATEGORY_LABELS.items()} | {c.value: c.value for c in Category}
SCHEMA = {
    "row": pl.Int64,
    "code": pl.String,
    "name": pl.String,
    "owner": pl.String,
    "category": pl.String,
    "estimate": pl.Float64,
    "state_funds_share": pl.Float64,
    "state_funds_amount": pl.Float64,
}


class ApprovalsError(ValueError):
    """The approvals list cannot be used; the message says why, in Chinese then English."""


def _header(text: Any) -> tuple[str | None, bool]:
    raw = re.sub(r"\s", "", str(text or ""))
    bare = re.sub(r"[（(].*?[)）]", "", raw).lower()
    for column, names in HEADERS.items():
        if bare in names:
            return column, WAN in raw
    return None, False


def _rows_csv(path: Path) -> list[list[Any]]:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China often saves CSV as GBK
        try:
            return list(csv.reader(io.StringIO(data.decode(encoding))))
        except UnicodeDecodeError:
            continue
    raise ApprovalsError(f"无法识别审批清单的编码（应为 UTF-8 或 GBK）(cannot decode {path})")


def _rows_xlsx(path: Path) -> list[list[Any]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises several kinds for a damaged file
        raise ApprovalsError(f"审批清单不是有效的 xlsx 文件 (not a valid xlsx file): {path}: {error}") from None
    try:
        return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()


def _number(value: Any, scale: int, where: str, problems: list[str]) -> float | None:
    if value is None or str(value).strip() == "":
        return None
    text = str(value).strip().replace(",", "").replace("，", "").removesuffix("%").removesuffix("元")
    try:
        number = Decimal(text) * scale
    except InvalidOperation:
        problems.append(f"{where}：不是数字 {value!r} (not a number)")
        return None
    if number < 0:
        problems.append(f"{where}：不能为负 {value!r} (negative)")
        return None
    return float(number)


def _category(value: Any, where: str, problems: list[str]) -> str | None:
    text = str(value or "").strip()
    if text in CATEGORY_NAMES:
        return CATEGORY_NAMES[text]
    problems.append(f"{where}：未知的项目类别 {text!r}，应为 {'、'.join(CATEGORY_LABELS.values())} (unknown category)")
    return None


def parse_rows(rows: list[list[Any]]) -> tuple[pl.DataFrame, list[str]]:
    """The approvals as a frame (SCHEMA) and the problems of rows that were left out."""
    if not rows:
        raise ApprovalsError("审批清单为空 (the approvals list is empty)")
    columns = [_header(h) for h in rows[0]]
    found = {c for c, _ in columns if c}
    if not {"category", "estimate"} <= found or not ({"code"} <= found or {"name", "owner"} <= found):
        raise ApprovalsError(
            "审批清单缺少必需的列：项目类别、估算投资，以及项目代码或项目名称加项目单位 "
            "(required columns: category, estimate, and code or name and owner); 现有列 found: "
            + "、".join(str(h) for h in rows[0])
        )
    out: list[dict[str, Any]] = []
    problems: list[str] = []
    for number, row in enumerate(rows[1:], start=2):
        if all(v is None or str(v).strip() == "" for v in row):
            continue
        record: dict[str, Any] = {"row": number}
        before = len(problems)
        for (column, wan), value in zip(columns, row, strict=False):
            where = f"第 {number} 行 {column} (row {number})"
            if column in ("code", "name", "owner"):
                record[column] = str(value).strip() if value is not None and str(value).strip() else None
            elif column == "category":
                record[column] = _category(value, where, problems)
            elif column is not None:
                scale = 10_000 if wan and column != "state_funds_share" else 1
                record[column] = _number(value, scale, where, problems)
        if record.get("estimate") is None and len(problems) == before:
            problems.append(f"第 {number} 行缺少估算投资 (row {number}: estimate missing)")
        if len(problems) == before:
            out.append(record)
    return pl.DataFrame(out, schema=SCHEMA), problems


def read_approvals(path: Path) -> tuple[pl.DataFrame, list[str]]:
    """Read an approvals list: `.xlsx` (first sheet) or `.csv` (UTF-8 or GBK); the first row holds the headers."""
    if not path.is_file():
        raise ApprovalsError(f"审批清单文件不存在 (approvals file not found): {path}")
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return parse_rows(_rows_xlsx(path))
    if suffix == ".csv":
        return parse_rows(_rows_csv(path))
    raise ApprovalsError(f"审批清单应为 .csv 或 .xlsx 文件 (approvals must be .csv or .xlsx): {path}")
