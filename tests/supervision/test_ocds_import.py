"""OCDS import (issue 14 item 2): packages and JSON Lines into the store of imported data, merged as OCDS specifies,
every schema problem reported by JSON path, nothing half-stored for a refused release; `ggzy analyze` reports the
same way and a truncated input exits non-zero. Runs on SQLite and PostgreSQL (the `db` fixture)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ggzy import demo_supervision
from ggzy.cli import main
from ggzy.core.clock import FixedClock
from ggzy.core.db import Database
from ggzy.entities.states import OrgKind
from ggzy.supervision import history
from ggzy.supervision.imports import ocds as imports_ocds
from ggzy.supervision.imports import store
from ggzy.supervision.imports.ocds import import_ocds
from ggzy.supervision.models import Alert, ImportedRecord, ImportedRelease, ImportRun
from ggzy.supervision.ocds.check import Problems, check_release
from ggzy.supervision.ocds.merge import compile_releases
from tests.builders import an_org
from tests.dbserver import DbServer

PACKAGE_META = {"uri": "https://example.invalid/p.json", "version": "1.1", "publishedDate": "2024-01-01T00:00:00Z"}


def a_release(ocid: str, rid: str, date: str, **fields: Any) -> dict[str, Any]:
    return {"ocid": ocid, "id": rid, "date": date, "tag": ["tender"], "initiationType": "tender", **fields}


def package(path: Path, releases: list[Any], **meta: Any) -> Path:
    path.write_text(json.dumps({**PACKAGE_META, **meta, "releases": releases}, ensure_ascii=False), encoding="utf-8")
    return path


def count(session: Session, model: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_releases_merge_by_date_whatever_their_order_and_duplicates_and_bad_ones_are_reported(
    db: Database, clock: FixedClock, tmp_path: Path
) -> None:
    first = a_release("ocds-abcdef-1", "r1", "2024-01-01T00:00:00Z", tender={"id": "t", "title": "旧标题"})
    second = a_release(
        "ocds-abcdef-1",
        "r2",
        "2024-02-01T00:00:00Z",
        tender={"id": "t", "title": "新标题", "items": "不是数组"},
        awards=[{"id": "a1", "status": "active", "value": {"amount": "12.50", "currency": "CNY"}}],
    )
    undated = a_release("ocds-abcdef-2", "r1", "2024-01-01T00:00:00Z")
    del undated["date"]
    path = package(tmp_path / "p.json", [second, first, first, undated, "not an object"])

    report = import_ocds(db, [path], clock=clock)

    assert (report.read, report.releases_stored, report.duplicates, report.rejected) == (5, 2, 1, 2)
    assert report.out_of_order == 1 and report.records == 1
    assert any("releases[3]" in r and "date" in r for r in report.rejections)
    assert any("releases[4]" in r and "不是 JSON 对象" in r for r in report.rejections)
    paths = {(e["path"], e["kind"]): e for e in report.problems.as_json()["errors"]}
    assert paths[("awards[].value.amount", "number-as-text")]["examples"] == [
        "releases[0].awards[0].value.amount='12.50'"
    ]
    assert paths[("tender.items", "type")]["count"] == 1
    assert paths[("date", "required")]["examples"] == ["releases[3].date"]
    with db.unit_of_work() as s:
        assert count(s, ImportedRelease) == 2, "nothing of the refused releases is stored"
        compiled = store.record(s, "ocds-abcdef-1")
        assert compiled == compile_releases([first, second])[0]
        assert compiled is not None and compiled["tender"]["title"] == "新标题" and compiled["date"] == second["date"]
        run = s.get(ImportRun, report.import_id)
        assert run is not None and run.status == "complete" and run.rejected == 2
        assert json.loads(run.report)["schema"]["errors"][0]["path"] in {
            "awards[].value.amount",
            "tender.items",
            "date",
        }

    again = import_ocds(db, [path], clock=clock)
    assert again.releases_stored == 0 and again.duplicates == 3, "a second import of the same file adds nothing"


def test_a_release_id_reused_with_other_content_is_refused_and_the_stored_one_kept(
    db: Database, clock: FixedClock, tmp_path: Path
) -> None:
    original = a_release("ocds-abcdef-9", "r1", "2024-01-01T00:00:00Z", tender={"id": "t", "title": "原"})
    import_ocds(db, [package(tmp_path / "a.json", [original])], clock=clock)
    changed = {**original, "tender": {"id": "t", "title": "改"}}
    report = import_ocds(db, [package(tmp_path / "b.json", [changed])], clock=clock)
    assert report.rejected == 1 and "内容不同" in report.rejections[0]
    with db.unit_of_work() as s:
        record = store.record(s, "ocds-abcdef-9")
        assert record is not None and record["tender"]["title"] == "原"


def test_releases_that_cannot_be_merged_are_taken_out_again(db: Database, clock: FixedClock, tmp_path: Path) -> None:
    """An array where the earlier release had an object: ocdsmerge cannot merge them; none of them stays."""
    one = a_release("ocds-abcdef-3", "r1", "2024-01-01T00:00:00Z", awards=[{"id": "1", "status": "active"}])
    two = a_release("ocds-abcdef-3", "r2", "2024-01-02T00:00:00Z", awards={"id": "1"})
    report = import_ocds(db, [package(tmp_path / "m.json", [one, two])], clock=clock)
    assert report.releases_stored == 0 and report.rejected == 2 and "无法合并" in report.rejections[0]
    with db.unit_of_work() as s:
        assert count(s, ImportedRelease) == 0 and store.record(s, "ocds-abcdef-3") is None


def test_strict_refuses_a_release_with_a_schema_error(db: Database, clock: FixedClock, tmp_path: Path) -> None:
    bad = a_release("ocds-abcdef-4", "r1", "2024-01-01T00:00:00Z", tender={"id": "t", "numberOfTenderers": "3"})
    good = a_release("ocds-abcdef-5", "r1", "2024-01-01T00:00:00Z")
    report = import_ocds(db, [package(tmp_path / "s.json", [bad, good])], clock=clock, strict=True)
    assert report.releases_stored == 1 and report.rejected == 1 and "--strict" in report.rejections[0]


def test_compiled_json_lines_keep_the_newest_and_report_blank_lines_and_a_cut_last_line(
    db: Database, clock: FixedClock, tmp_path: Path
) -> None:
    new = {
        "ocid": "ocds-abcdef-6",
        "id": "c",
        "date": "2024-03-01T00:00:00Z",
        "tag": ["compiled"],
        "initiationType": "tender",
    }
    old = {**new, "date": "2024-01-01T00:00:00Z"}
    other = {**new, "ocid": "ocds-abcdef-7"}
    text = json.dumps(new) + "\n\n" + json.dumps(old) + "\n" + json.dumps(other) + "\n" + json.dumps(other)[:30]
    path = tmp_path / "c.jsonl.gz"
    path.write_bytes(gzip.compress(text.encode()))

    report = import_ocds(db, [path], clock=clock)

    assert report.compiled_stored == 2 and report.older_compiled == 1
    assert report.stats.blank_line_numbers == [2]
    assert "最后一行（第 5 行）被截断" in report.truncated
    assert any("INPUT TRUNCATED" in line for line in report.lines())
    with db.unit_of_work() as s:
        run = s.get(ImportRun, report.import_id)
        assert run is not None and run.status == "truncated"
        assert count(s, ImportedRecord) == 2
        record = store.record(s, "ocds-abcdef-6")
        assert record is not None and record["date"] == new["date"]


def test_a_package_cut_in_half_is_truncated_and_what_was_read_is_said(
    db: Database, clock: FixedClock, tmp_path: Path
) -> None:
    releases = [a_release(f"ocds-abcdef-{i}", "r1", "2024-01-01T00:00:00Z") for i in range(10)]
    whole = package(tmp_path / "whole.json", releases, extensions=["https://example.invalid/ext/extension.json"])
    cut = tmp_path / "cut.json"
    data = whole.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    report = import_ocds(db, [cut], clock=clock)
    assert 0 < report.read < 10 and report.releases_stored == report.read
    assert f"输入在读完 {report.read} 项后中断" in report.truncated
    assert report.problems.extensions_unknown == ["https://example.invalid/ext/extension.json"]


def test_the_checker_names_every_error_by_its_path() -> None:
    problems = Problems()
    release = a_release(
        "ocds-abcdef-8",
        "r1",
        "2024-01-01",
        tender={"id": "t", "status": "open", "tender": 1, "items": [{"id": "1", "quantity": "2"}], "value": []},
        awards=[{"id": "a", "items": []}],
        parties=[{"id": 3, "roles": ["buyer", 4]}],
        bids={"details": [{"id": "b", "value": {"amount": "1,200.5", "currency": "元"}}]},
    )
    assert check_release(release, "releases[3]", problems) == 9
    found = {(i.path, i.kind) for i in problems.errors.values()}
    assert found == {
        ("date", "date-time"),
        ("tender.status", "codelist"),
        ("tender.items[].quantity", "number-as-text"),
        ("tender.value", "type"),
        ("awards[].items", "empty"),
        ("parties[].id", "type"),
        ("parties[].roles[]", "type"),
        ("bids.details[].value.amount", "number-as-text"),
        ("bids.details[].value.currency", "currency"),
    }
    assert problems.additional["tender.tender"].examples == ["releases[3].tender.tender"]
    assert problems.errors[("awards[].items", "empty")].examples == ["releases[3].awards[0].items"]


def test_history_screening_reads_the_imported_data(
    db: Database, session: Session, clock: FixedClock, tmp_path: Path
) -> None:
    cover, a, b, other, supplier = (an_org(session, clock) for _ in range(5))
    buyer = an_org(session, clock, kind=OrgKind.TENDERER, name="测试城投有限公司")
    school = an_org(session, clock, kind=OrgKind.TENDERER, name="测试区教育局")
    releases = demo_supervision.planted_releases(
        cover=cover, winners=(a, b), other=other, buyer=buyer, school=school, supplier=supplier
    )
    data, _ = demo_supervision.write_files(tmp_path, releases)
    session.commit()
    imported = import_ocds(db, [data], clock=clock)
    assert imported.compiled_stored + imported.records >= len(releases) - imported.duplicates

    report = history.screen(session, clock=clock, source="县分中心")
    raised = list(session.execute(select(Alert)).scalars())
    assert report.releases >= len(releases) and raised
    assert any(x.flag_id == "B01" and x.org_ids == cover.id for x in raised)
    assert history.screen(session, clock=clock, imported=False).releases < report.releases


def analyze(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["analyze", *args, "--no-progress"])
    return result.exit_code, result.stderr


def test_analyze_reports_schema_errors_by_path_in_the_terminal_and_the_report(tmp_path: Path) -> None:
    good = {"ocid": "o1", "id": "1", "date": "2024-01-01T00:00:00Z", "tag": ["compiled"], "initiationType": "tender"}
    bad = {**good, "ocid": "o2", "awards": {"id": "a"}, "bids": {"details": [{"id": "b", "value": {"amount": "5"}}]}}
    path = tmp_path / "r.jsonl"
    path.write_text(json.dumps(good) + "\n\n" + json.dumps(bad) + "\n", encoding="utf-8")
    code, err = analyze(str(path), "-o", str(tmp_path / "out"))
    assert code == 0
    assert "awards [type] ×1" in err and "line 3:awards" in err
    assert "bids.details[].value.amount [number-as-text] ×1" in err
    assert "空行 blank lines: 1（第 2 行 lines）" in err
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert {e["path"] for e in summary["input"]["schema"]["errors"]} == {"awards", "bids.details[].value.amount"}
    assert "bids.details[].value.amount" in (tmp_path / "out" / "report.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("cut", ["package", "jsonl"])
def test_analyze_exits_non_zero_on_a_truncated_input_and_says_what_was_read(tmp_path: Path, cut: str) -> None:
    releases = [{"ocid": f"o{i}", "id": "1", "date": "2024-01-01T00:00:00Z"} for i in range(6)]
    if cut == "package":
        data = json.dumps({"releases": releases}).encode()
    else:
        data = "\n".join(json.dumps(r) for r in releases).encode()
    path = tmp_path / "cut.json"
    path.write_bytes(data[: len(data) - 25])
    code, err = analyze(str(path))
    assert code == 3
    assert "输入不完整" in err and "release" in err


def test_worker_processes_give_the_same_report_as_one_process(
    db: Database, clock: FixedClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(imports_ocds, "CHUNK_BYTES", 4096)  # several chunks, gathered in order
    lines = [
        json.dumps(
            {
                "ocid": f"ocds-abcdef-w{i}",
                "id": "c",
                "date": "2024-01-01T00:00:00Z",
                "tag": ["compiled"],
                "initiationType": "tender",
                "tender": {"id": "t", "numberOfTenderers": "3" if i % 7 == 0 else 3},
            }
        )
        for i in range(300)
    ]
    path = tmp_path / "w.jsonl"
    path.write_text("\n".join(lines[:150]) + "\n\n" + "\n".join(lines[150:]) + "\n" + lines[0][:20], encoding="utf-8")
    serial = import_ocds(db, [path], clock=clock, workers=1)
    with db.unit_of_work() as s:
        s.execute(ImportedRecord.__table__.delete())
    parallel = import_ocds(db, [path], clock=clock, workers=2)
    assert parallel.compiled_stored == serial.compiled_stored == 300
    assert parallel.problems.as_json() == serial.problems.as_json()
    assert parallel.problems.total == 43
    assert parallel.stats.blank_line_numbers == serial.stats.blank_line_numbers == [151]
    assert parallel.truncated == serial.truncated != ""


def test_the_commands_import_analyze_and_screen_the_store(dbserver: DbServer, tmp_path: Path) -> None:
    url = dbserver.clone()
    env = {"GGZY_DATABASE_URL": url, "GGZY_VAR_DIR": str(tmp_path / "var")}
    runner = CliRunner()
    try:
        releases = [a_release(f"ocds-abcdef-c{i}", "r1", "2024-01-01T00:00:00Z") for i in range(4)]
        whole = package(tmp_path / "p.json", releases)
        r = runner.invoke(main, ["import", "ocds", "--no-progress", str(whole)], env=env)
        assert r.exit_code == 0 and "存入 4 项，记录 4 个" in r.stdout, r.output
        cut = tmp_path / "cut.json"
        cut.write_bytes(whole.read_bytes()[:-40])
        r = runner.invoke(main, ["import", "ocds", "--no-progress", str(cut)], env=env)
        assert r.exit_code == 3 and "INPUT TRUNCATED" in r.stderr, r.output
        r = runner.invoke(main, ["import", "ocds", "--no-progress", str(tmp_path / "missing.json")], env=env)
        assert r.exit_code == 2 and "不存在" in r.stderr
        r = runner.invoke(main, ["analyze", "--imported", "--no-progress"], env=env)
        assert r.exit_code == 0 and "导入库 imported store: 4 个 compiled release" in r.stderr, r.output
        r = runner.invoke(main, ["analyze", "--no-progress"], env=env)
        assert r.exit_code == 2 and "--imported" in r.stderr
        r = runner.invoke(main, ["supervise", "history"], env=env)
        assert r.exit_code == 0 and "筛查 4 个交易" in r.output, r.output
        award = tmp_path / "中标.csv"
        award.write_text("项目编号,中标金额\nP1,100\nP2,两百\n", encoding="utf-8")
        r = runner.invoke(main, ["import", "china", "-m", "hangzhou", str(award)], env=env)
        assert r.exit_code == 0 and "2 个项目，存入 2 个" in r.stdout and "「两百」不是金额" in r.stderr, r.output
        r = runner.invoke(main, ["analyze", "--imported", "--no-progress"], env=env)
        assert "导入库 imported store: 6 个 compiled release" in r.stderr, r.output
    finally:
        dbserver.drop(url)
