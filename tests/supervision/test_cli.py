"""`ggzy analyze` end to end with click's CliRunner."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import polars as pl
from click.testing import CliRunner

from ggzy.cli import main
from tests.supervision.builders import a_bid, a_price_race, a_release, an_award

RELEASES = [a_price_race("close", 100, 101)] + [a_price_race(f"wide {i}", 1, 100) for i in range(4)]
RELEASES.append(
    a_release("tie", bids=[a_bid("A", 5), a_bid("B", 5, "disqualified")], awards=[an_award("A")], buyer={"id": "BUY"})
)


def jsonl(path: Path, releases: list[dict[str, object]], extra: str = "") -> Path:
    path.write_text("\n".join(json.dumps(r) for r in releases) + "\n" + extra, encoding="utf-8")
    return path


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["analyze", *args, "--no-progress"])
    return result.exit_code, result.stdout, result.stderr


def test_cardinal_format_prints_cardinal_json_for_the_settings(tmp_path: Path) -> None:
    settings = tmp_path / "s.ini"
    settings.write_text("[R024]\n[R028]\n", encoding="utf-8")
    code, out, _ = invoke(
        str(jsonl(tmp_path / "r.jsonl", RELEASES)), "--settings", str(settings), "--format", "cardinal"
    )
    assert code == 0
    assert out == (
        '{"OCID":{"tie":{"R028":1.0},"close":{"R024":0.01}},'
        '"Tenderer":{"B":{"R028":1.0},"A":{"R028":1.0},"W":{"R024":0.0},"L":{"R024":0.0}}}\n'
    )


def test_gzip_and_packages_give_the_same_answer(tmp_path: Path) -> None:
    settings = tmp_path / "s.ini"
    settings.write_text("[R024]\n", encoding="utf-8")
    plain = jsonl(tmp_path / "r.jsonl", RELEASES)
    zipped = tmp_path / "r.jsonl.gz"
    zipped.write_bytes(gzip.compress(plain.read_bytes()))
    package = tmp_path / "p.json"
    package.write_text(json.dumps({"releases": RELEASES}, indent=2), encoding="utf-8")
    outputs = {invoke(str(p), "-s", str(settings), "-f", "cardinal")[1] for p in (plain, zipped, package)}
    assert len(outputs) == 1


def test_out_directory_gets_tables_summary_and_a_self_contained_report(tmp_path: Path) -> None:
    code, _, err = invoke(str(jsonl(tmp_path / "r.jsonl", RELEASES)), "--out", str(tmp_path / "out"))
    assert code == 0
    out = tmp_path / "out"
    for name in ("flags", "processes", "buyers", "tenderers"):
        assert (out / f"{name}.csv").exists()
        assert pl.read_parquet(out / f"{name}.parquet").columns[:2] == (["group", "id"])
    processes = pl.read_csv(out / "processes.csv")
    assert set(processes["id"]) == {"close", "tie"}
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "<svg" in report and "<script" not in report and "http://" not in report.replace("http://www.w3.org", "")
    assert "R024" in report and "共同投标" in report
    assert json.loads((out / "summary.json").read_text(encoding="utf-8"))["input"]["releases"] == 6
    assert "R024" in err


def test_malformed_lines_are_reported_and_the_rest_is_analysed(tmp_path: Path) -> None:
    source = jsonl(tmp_path / "r.jsonl", RELEASES, extra='{"ocid": broken\n')
    code, out, err = invoke(str(source), "-f", "cardinal")
    assert code == 0
    assert "第 7 行" in err and "line 7" in err
    assert '"close"' in out


def test_a_wrong_settings_file_is_a_clear_error(tmp_path: Path) -> None:
    settings = tmp_path / "s.ini"
    settings.write_text("[R024]\nthresold = 1\n", encoding="utf-8")
    code, out, err = invoke(str(jsonl(tmp_path / "r.jsonl", RELEASES)), "-s", str(settings))
    assert code == 2
    assert "设置" in err and "thresold" in err
    assert out == ""


def test_a_missing_settings_file_is_a_clear_error(tmp_path: Path) -> None:
    code, _, err = invoke(str(jsonl(tmp_path / "r.jsonl", RELEASES)), "-s", str(tmp_path / "none.ini"))
    assert code == 2
    assert "not found" in err


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    empty = tmp_path / "e.jsonl"
    empty.write_text("", encoding="utf-8")
    code, _, err = invoke(str(empty))
    assert code == 2
    assert "为空" in err and "empty" in err


def test_a_file_of_nothing_but_garbage_exits_non_zero(tmp_path: Path) -> None:
    garbage = tmp_path / "g.jsonl"
    garbage.write_text("not json\nnor this\n", encoding="utf-8")
    code, _, err = invoke(str(garbage), "-f", "cardinal")
    assert code == 1
    assert "line 1" in err and "line 2" in err


def test_missing_data_is_summarised_as_skips_not_errors(tmp_path: Path) -> None:
    bare = [a_release("bare", tender={"procurementMethod": "open"})]
    code, _, err = invoke(str(jsonl(tmp_path / "r.jsonl", bare)))
    assert code == 0
    assert "R003" in err and "跳过 skipped" in err


def test_cardinal_format_prints_only_cardinal_indicators_while_every_family_runs(tmp_path: Path) -> None:
    code, out, err = invoke(str(jsonl(tmp_path / "r.jsonl", RELEASES)), "--format", "cardinal")
    assert code == 0
    assert '"R024"' in out and '"X12"' not in out
    assert "X12: 判定 evaluated" in err and "C01: 判定 evaluated" in err and "B07: 判定 evaluated" in err


def test_family_sections_in_the_settings_choose_the_flags(tmp_path: Path) -> None:
    settings = tmp_path / "s.ini"
    settings.write_text("[X12]\n[B06]\nthreshold = 0.02\n", encoding="utf-8")
    code, out, err = invoke(str(jsonl(tmp_path / "r.jsonl", RELEASES)), "-s", str(settings))
    assert code == 0
    assert "X12:" in err and "B06:" in err and "R024:" not in err and "C01:" not in err
    assert out == "OCID: 1 个被标记 (flagged)\nTenderer: 2 个被标记 (flagged)\n"


RING = [
    a_release(f"ring {i}", bids=[a_bid(t, 100 + n) for n, t in enumerate(("R1", "R2", "R3"))], awards=[an_award("R1")])
    for i in range(3)
]


def test_approvals_and_communities_reach_the_outputs(tmp_path: Path) -> None:
    approvals = tmp_path / "approvals.csv"
    approvals.write_text(
        "项目代码,项目名称,项目单位,项目类别,估算投资（万元）,国有资金占比（%）,国有资金（万元）\n"
        "2024-9,桥梁,交通局,工程施工,800,100,800\n",
        encoding="utf-8",
    )
    source = jsonl(tmp_path / "r.jsonl", RELEASES + RING)
    code, _, err = invoke(str(source), "--approvals", str(approvals), "--out", str(tmp_path / "out"))
    assert code == 0, err
    out = tmp_path / "out"
    projects = pl.read_csv(out / "projects.csv")
    assert projects.select("id", "A03").rows() == [("2024-9", 8_000_000.0)]
    tenderers = pl.read_parquet(out / "tenderers.parquet")
    ring = tenderers.filter(pl.col("id").is_in(["R1", "R2", "R3"]))
    assert ring["community"].n_unique() == 1 and ring["community_size"].to_list() == [3, 3, 3]
    assert ring["B07"].to_list() == [3.0, 3.0, 3.0]
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "合规指标" in report and "串通投标迹象" in report and "规避招标" in report
    assert "co-bidding communities" in report and "社区 community" in report
    flags = pl.read_csv(out / "flags.csv")
    assert flags.columns == ["group", "id", "indicator", "value", "evidence"]
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["indicators"]["A03"]["family"] == "avoidance"


def test_a_bad_approvals_list_is_a_clear_error(tmp_path: Path) -> None:
    approvals = tmp_path / "approvals.csv"
    approvals.write_text("名称\n路\n", encoding="utf-8")
    code, out, err = invoke(str(jsonl(tmp_path / "r.jsonl", RELEASES)), "--approvals", str(approvals))
    assert code == 2 and out == ""
    assert err.startswith("审批清单错误") and "required columns" in err
