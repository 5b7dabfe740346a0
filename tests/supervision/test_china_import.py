"""Chinese trading centres' tables (issue 14 item 3): generated tender, opening and award tables (CSV and .xlsx,
元 and 万元, three date formats) read through the Hangzhou mapping, bad rows reported by row and reason, a table
with renamed or missing columns refused in Chinese, and `ggzy analyze`'s tender-level indicators run on the result.
Storage on SQLite and PostgreSQL (the `db` fixture)."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import Workbook

from ggzy.cli import main
from ggzy.core.clock import FixedClock
from ggzy.core.db import Database
from ggzy.supervision.analyze.pipeline import read_tables, run_flags
from ggzy.supervision.flags.cardinal.settings import CardinalSettings
from ggzy.supervision.imports import china, store
from ggzy.supervision.imports.ocds import import_items
from ggzy.supervision.imports.prepare import Item, dumps
from ggzy.supervision.ocds.check import Problems, check_release

TENDER_HEAD = ["项目名称", "项目编号", "开标时间", "工程分类", "预算（万元）", "招标人"]
OPENING_HEAD = ["id", "项目编号", "项目名称", "投标单位数量", "开标时间"]
AWARD_HEAD = ["项目编号", "项目名称", "中标金额", "中标人"]


def write_csv(path: Path, rows: list[list[Any]], encoding: str = "utf-8-sig") -> Path:
    with path.open("w", encoding=encoding, newline="") as f:
        csv.writer(f).writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[list[Any]]) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def tables(tmp_path: Path) -> list[Path]:
    """Six projects of one buyer, all won by 甲公司 (B05), P1 with one bidder (R018), P2 won at 99.5 % of the budget
    (B06); one tender row with an amount that is no number, one award row without its key."""
    tender = [TENDER_HEAD]
    opening = [OPENING_HEAD]
    award = [AWARD_HEAD]
    for i in range(1, 7):
        code = f"P{i}"
        date = ["2023/5/6 09:30", "2023-05-06", "2023年5月6日"][i % 3]
        tender.append([f"道路工程{i}", code, date, "市政", "100" if i != 2 else "200", "某区城投"])
        opening.append([f"x{i}", code, f"道路工程{i}", 1 if i == 1 else 5, "2023/5/6 09:30"])
        award.append([code, f"道路工程{i}", 995000 if i != 2 else 1990000, "甲公司"])
    tender.append(["坏行", "P9", "2023/5/6 09:30", "市政", "一百", "某区城投"])
    award.append(["", "无编号", 1, "乙公司"])
    return [
        write_csv(tmp_path / "招标.csv", tender, encoding="gb18030"),
        write_xlsx(tmp_path / "开标.xlsx", opening),
        write_csv(tmp_path / "中标.csv", award),
    ]


def test_the_three_tables_join_into_compiled_releases_with_amounts_in_yuan(tmp_path: Path) -> None:
    mapping = china.load_mapping("hangzhou")
    releases, report = china.read_tables(mapping, tables(tmp_path))
    by = {r["tender"]["id"]: r for r in releases}
    assert report.files == {"招标.csv": "招标", "开标.xlsx": "开标", "中标.csv": "中标"}
    assert report.processes == 7 and set(by) == {"P1", "P2", "P3", "P4", "P5", "P6", "P9"}
    p2 = by["P2"]
    assert p2["ocid"] == "ocds-cnhz00-P2"
    assert p2["tender"]["value"] == {"amount": Decimal("2000000"), "currency": "CNY"}, "200 万元 = 2,000,000 元"
    assert p2["awards"][0]["value"]["amount"] == Decimal("1990000")
    assert p2["awards"][0]["suppliers"][0]["name"] == "甲公司"
    assert by["P1"]["tender"]["numberOfTenderers"] == 1
    assert {by[k]["tender"]["tenderPeriod"]["endDate"] for k in ("P1", "P2", "P3")} == {
        "2023-05-06T09:30:00+08:00",
        "2023-05-06T00:00:00+08:00",
    }
    assert "value" not in by["P9"]["tender"], "an amount that is no number is left out of its row"
    assert any("招标.csv」第 8 行：预算「一百」不是金额" in p for p in report.problems)
    assert any("中标.csv」第 8 行：项目编号 为空" in p for p in report.problems)
    assert report.bad_rows == 2 and report.joined == {"招标∩开标": 6, "招标∩中标": 6, "开标∩中标": 6}
    problems = Problems()
    for r in releases:
        check_release(r, r["ocid"], problems)
    assert problems.total == 0, problems.lines()


def test_a_table_with_renamed_or_missing_columns_is_refused_in_chinese(tmp_path: Path) -> None:
    mapping = china.load_mapping("hangzhou")
    odd = write_csv(tmp_path / "odd.csv", [["编号", "名称", "金额"], ["P1", "x", "1"]])
    with pytest.raises(china.TableError) as caught:
        china.read_tables(mapping, [odd])
    message = str(caught.value)
    assert "「odd.csv」的列与映射「hangzhou」的任何表都不符" in message
    assert "招标表缺少列：项目编号、项目名称、预算" in message and "中标表缺少列：项目编号、中标金额" in message
    assert "表中的列：编号、名称、金额" in message
    renamed = write_csv(tmp_path / "r.csv", [["招标编号", "中标价（万元）"], ["P1", "1.5"]])
    releases, _ = china.read_tables(mapping, [renamed])
    assert releases[0]["awards"][0]["value"]["amount"] == Decimal("15000"), "an alias, and the unit of the header"


def test_a_mapping_file_configures_a_new_centre(tmp_path: Path) -> None:
    custom = tmp_path / "newcity.toml"
    custom.write_text(
        """name = "某市公共资源交易中心"
ocid_prefix = "ocds-cnxx01"
key = "标段编号"
date_formats = ["%Y.%m.%d"]
[tables.award]
label = "中标"
[tables.award.columns]
"标段编号" = { field = "key", required = true }
"成交价" = { field = "award_amount", type = "amount", unit = "万元", required = true }
"成交日期" = { field = "award_date", type = "datetime" }
""",
        encoding="utf-8",
    )
    mapping = china.load_mapping(str(custom))
    path = write_csv(tmp_path / "a.csv", [["标段编号", "成交价", "成交日期"], ["B-1", "12.3456", "2023.5.6"]])
    releases, _ = china.read_tables(mapping, [path])
    award = releases[0]["awards"][0]
    assert releases[0]["ocid"] == "ocds-cnxx01-B-1" and award["value"]["amount"] == Decimal("123456")
    assert award["date"] == "2023-05-06T00:00:00+08:00"
    with pytest.raises(china.MappingError, match="没有名为「nowhere」的映射"):
        china.load_mapping("nowhere")
    custom.write_text(custom.read_text(encoding="utf-8").replace('unit = "万元"', 'unit = "千元"'), encoding="utf-8")
    with pytest.raises(china.MappingError, match="单位「千元」无效"):
        china.load_mapping(str(custom))


def test_analyze_runs_the_tender_level_indicators_on_the_result(tmp_path: Path) -> None:
    releases, _ = china.read_tables(china.load_mapping("hangzhou"), tables(tmp_path))
    path = tmp_path / "hz.jsonl"
    path.write_bytes(b"".join(dumps(r) + b"\n" for r in releases))
    tables_, stats = read_tables(path, progress=False)
    assert stats.schema.total == 0
    outcomes, hits, _ = run_flags(tables_, CardinalSettings.all_defaults())
    found = {(row["indicator"], row["key"]) for row in hits.iter_rows(named=True)}
    assert ("R018", "ocds-cnhz00-P1") in found, "one bidder"
    assert ("B06", "ocds-cnhz00-P2") in found, "won at 99.5 % of the control price"
    assert ("B05", "hangzhou-supplier-甲公司") in found, "the buyer's repeated winner"
    assert outcomes["R018"].evaluated == 6


def test_the_result_goes_into_the_store(db: Database, clock: FixedClock, tmp_path: Path) -> None:
    releases, _ = china.read_tables(china.load_mapping("hangzhou"), tables(tmp_path))
    items = [Item(f"项目编号 {r['tender']['id']}:", "compiled", r) for r in releases]
    report = import_items(db, items, source="hz", kind="china:hangzhou", clock=clock)
    assert report.compiled_stored == 7 and report.problems.total == 0
    with db.unit_of_work() as s:
        record = store.record(s, "ocds-cnhz00-P2")
        assert record is not None and record["tender"]["value"]["amount"] == 2000000
    again = import_items(db, items, source="hz", kind="china:hangzhou", clock=clock)
    assert again.duplicates == 7 and again.compiled_stored == 0


def test_the_command_writes_json_lines_and_refuses_a_bad_table(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(
        main, ["import", "china", "-m", "hangzhou", "--no-store", "-o", str(out), *map(str, tables(tmp_path))]
    )
    assert result.exit_code == 0, result.stderr
    assert len(out.read_text(encoding="utf-8").splitlines()) == 7 and "7 个项目" in result.stdout
    assert json.loads(out.read_text(encoding="utf-8").splitlines()[0])["tag"] == ["compiled"]
    odd = write_csv(tmp_path / "odd.csv", [["a", "b"], ["1", "2"]])
    result = CliRunner().invoke(main, ["import", "china", "-m", "hangzhou", "--no-store", str(odd)])
    assert result.exit_code == 2 and "导入失败" in result.stderr and "缺少列" in result.stderr
