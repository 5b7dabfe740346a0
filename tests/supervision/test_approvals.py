"""The approvals list of `--approvals`: CSV (UTF-8 or GBK) and XLSX, Chinese or English headers, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from ggzy.supervision.flags.avoidance.approvals import ApprovalsError, read_approvals

CHINESE = "项目代码,项目名称,项目单位,项目类别,估算投资（万元）,国有资金占比（%）,国有资金（万元）\n"
ROWS = "2024-410700-01,东环路工程,交通局,工程施工,500,100,500\n2024-410700-02,办公设备,财政局,政府采购货物,120,,\n"


def test_csv_with_chinese_headers_in_ten_thousand_yuan(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text(CHINESE + ROWS, encoding="utf-8-sig")
    frame, problems = read_approvals(path)
    assert problems == []
    assert frame.select("code", "category", "estimate", "state_funds_share").rows() == [
        ("2024-410700-01", "construction", 5_000_000.0, 100.0),
        ("2024-410700-02", "gp_goods", 1_200_000.0, None),
    ]


def test_csv_saved_by_excel_as_gbk(tmp_path: Path) -> None:
    path = tmp_path / "gbk.csv"
    path.write_bytes((CHINESE + ROWS).encode("gbk"))
    frame, _ = read_approvals(path)
    assert frame["name"].to_list() == ["东环路工程", "办公设备"]


def test_xlsx_with_english_headers_in_yuan(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["code", "name", "owner", "category", "estimate", "state_funds_share", "state_funds_amount"])
    sheet.append(["A-1", "Bridge", "Transport bureau", "construction", 8_000_000, 60, 4_800_000])
    sheet.append([None, None, None, None, None, None, None])
    path = tmp_path / "a.xlsx"
    book.save(path)
    frame, problems = read_approvals(path)
    assert problems == []
    assert frame.select("code", "estimate", "state_funds_amount").rows() == [("A-1", 8_000_000.0, 4_800_000.0)]


def test_bad_rows_are_left_out_with_a_reason_in_chinese_first(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        CHINESE + "X,桥,甲,未知类,100,,\nY,路,乙,工程施工,abc,,\nZ,站,丙,工程施工,,,\n" + ROWS, encoding="utf-8"
    )
    frame, problems = read_approvals(path)
    assert frame.height == 2
    starts = ["第 2 行 category (row 2)：", "第 3 行 estimate (row 3)：", "第 4 行缺少估算投资 (row 4"]
    assert [p.startswith(start) for p, start in zip(problems, starts, strict=True)] == [True, True, True]
    assert "未知的项目类别" in problems[0]


def test_missing_columns_unknown_suffix_and_missing_file_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "cols.csv"
    path.write_text("项目名称,估算投资\n路,100\n", encoding="utf-8")
    with pytest.raises(ApprovalsError, match="缺少必需的列"):
        read_approvals(path)
    other = tmp_path / "a.txt"
    other.write_text("x", encoding="utf-8")
    with pytest.raises(ApprovalsError, match=r"\.csv 或 \.xlsx"):
        read_approvals(other)
    with pytest.raises(ApprovalsError, match="不存在"):
        read_approvals(tmp_path / "none.csv")
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    with pytest.raises(ApprovalsError, match="xlsx"):
        read_approvals(broken)
