"""`ggzy collusion evaluate | train | score`: JSON keys, the model file round trip, and bad input."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from ggzy.cli import main
from ggzy.supervision.collusion.cli import collusion
from tests.supervision.collusion import synth

KEYS = {"accuracy", "balanced_accuracy", "recall_collusive", "recall_competitive", "roc_auc", "tenders"}


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(collusion, [str(a) for a in args])


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("bids")
    return {
        "a": synth.write(d / "a.csv", synth.market(11, 60)),
        "b": synth.write(d / "b.csv", synth.market(12, 60, scale=1e4, spread=0.3, collusive_share=0.4, prefix="B")),
        "c": synth.write(d / "c.csv", synth.market(13, 50, prefix="C")),
        "unlabelled": synth.write(d / "u.csv", synth.market(14, 40, prefix="U"), ("Tender", "Bid_value")),
    }


def test_evaluate_json_is_one_object_with_the_tender_level_metrics(files: dict[str, Path]) -> None:
    result = run("evaluate", "--train", files["a"], files["b"], "--test", files["c"], "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert set(out) == KEYS
    assert out["tenders"] == 50
    assert out["roc_auc"] > 0.9 and out["balanced_accuracy"] > 0.8


def test_evaluate_with_baseline_nests_the_random_forest_figures(files: dict[str, Path]) -> None:
    result = run("evaluate", "--train", files["a"], "--test", files["c"], "--json", "--baseline")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert set(out) == KEYS | {"baseline"}
    assert set(out["baseline"]) == KEYS and out["baseline"]["tenders"] == 50


def test_evaluate_prints_a_readable_table_by_default(files: dict[str, Path]) -> None:
    result = run("evaluate", "--train", files["a"], "--test", files["c"], "--baseline")
    assert result.exit_code == 0, result.output
    assert "平衡准确率 balanced accuracy" in result.stdout and "基线 baseline RF" in result.stdout


def test_the_project_cli_finds_the_collusion_group() -> None:
    result = CliRunner().invoke(main, ["collusion", "--help"])
    assert result.exit_code == 0 and "evaluate" in result.output and "score" in result.output


def test_a_trained_model_is_saved_with_its_report_and_scores_each_tender(
    files: dict[str, Path], tmp_path: Path
) -> None:
    model = tmp_path / "model.zip"
    trained = run("train", "--train", files["a"], files["b"], "--out", model, "--cv-folds", "2")
    assert trained.exit_code == 0, trained.output
    scored = run("score", "--model", model, files["unlabelled"], "--json")
    assert scored.exit_code == 0, scored.output
    out = json.loads(scored.stdout)
    assert len(out["tenders"]) == 40
    first = out["tenders"][0]
    assert {"tender", "bids", "probability", "collusive", "contributions", "market_percentiles"} <= set(first)
    assert set(first["contributions"]) >= {"CV", "KURT", "PTE"}
    assert 0 < first["market_percentiles"]["CV"] < 1
    shown = run("score", "--model", model, files["unlabelled"], "--top", "2")
    assert shown.exit_code == 0 and "主要因素 drivers" in shown.stdout
    assert re.search(r"[低高]\(\d+%\) [+-]\d\.\d\d", shown.stdout)


def test_a_handful_of_tenders_is_ranked_against_the_markets_history(files: dict[str, Path], tmp_path: Path) -> None:
    model = tmp_path / "model.zip"
    assert run("train", "--train", files["a"], "--out", model, "--cv-folds", "0").exit_code == 0
    rows = files["c"].read_text(encoding="utf-8").splitlines()
    few = tmp_path / "few.csv"
    few.write_text("\n".join(rows[:30]) + "\n", encoding="utf-8")
    alone = run("score", "--model", model, few, "--json")
    assert alone.exit_code == 0 and "--reference" in alone.stderr
    anchored = run("score", "--model", model, few, "--reference", files["c"], "--json")
    assert anchored.exit_code == 0, anchored.output
    assert "--reference" not in anchored.stderr
    assert json.loads(anchored.stdout)["familiarity"] == 1.0


def test_the_saved_report_says_what_when_and_how_well(files: dict[str, Path], tmp_path: Path) -> None:
    import zipfile

    model = tmp_path / "model.zip"
    assert run("train", "--train", files["a"], "--out", model, "--cv-folds", "2").exit_code == 0
    report = json.loads(zipfile.ZipFile(model).read("report.json"))
    assert report["data"][0]["file"] == "a.csv" and len(report["data"][0]["sha256"]) == 64
    assert report["data"][0]["tenders"] == 60
    assert "scikit-learn" in report["versions"] and report["trained_at"]
    assert "CV" in report["features"]["general"] and "S4_KURT_median" in report["features"]["specific"]
    assert set(report["metrics"]["by_file"]["a"]["ours"]) == KEYS


def test_a_training_file_without_labels_is_refused_with_a_nonzero_exit(files: dict[str, Path]) -> None:
    result = run("evaluate", "--train", files["unlabelled"], "--test", files["c"])
    assert result.exit_code != 0
    assert "没有标签列" in result.output and "no label column" in result.output


def test_a_file_with_missing_columns_is_refused(files: dict[str, Path], tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("Project,Amount\n1,2\n", encoding="utf-8")
    result = run("evaluate", "--train", files["a"], "--test", bad)
    assert result.exit_code != 0 and "缺少必需的列" in result.output


def test_an_empty_file_is_refused(files: dict[str, Path], tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    result = run("train", "--train", empty, "--out", tmp_path / "m.zip")
    assert result.exit_code != 0 and "文件为空" in result.output
    assert not (tmp_path / "m.zip").exists()


def test_small_tenders_and_non_numeric_bids_are_skipped_counted_and_the_rest_kept(
    files: dict[str, Path], tmp_path: Path
) -> None:
    text = files["c"].read_text(encoding="utf-8")
    extra = "Z1,100,1,0,130\nZ1,101,0,0,130\nZ2,abc,0,0,130\nZ2,90,1,0,130\nZ2,95,0,0,130\n"
    messy = tmp_path / "messy.csv"
    messy.write_text(text + extra, encoding="utf-8")
    result = run("evaluate", "--train", files["a"], "--test", messy, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["tenders"] == 50
    assert "跳过 2 个标段" in result.stderr and "(fewer than 3 bids) 1" in result.stderr
    assert "(a bid that is not a positive number) 1" in result.stderr


def test_a_file_with_no_usable_tender_is_refused(files: dict[str, Path], tmp_path: Path) -> None:
    tiny = tmp_path / "tiny.csv"
    tiny.write_text("Tender,Bid_value,Collusive_competitor\n1,10,1\n1,11,1\n2,abc,0\n2,5,0\n2,6,0\n", encoding="utf-8")
    result = run("evaluate", "--train", files["a"], "--test", tiny)
    assert result.exit_code != 0 and "没有可用的标段" in result.output


def test_a_training_set_with_one_class_is_refused(tmp_path: Path, files: dict[str, Path]) -> None:
    one = synth.write(tmp_path / "one.csv", synth.market(15, 20, collusive_share=1.0))
    result = run("evaluate", "--train", one, "--test", files["c"])
    assert result.exit_code != 0 and "同时包含串标与竞争性标段" in result.output


def test_scoring_with_a_file_that_is_not_a_model_is_refused(files: dict[str, Path], tmp_path: Path) -> None:
    fake = tmp_path / "fake.zip"
    fake.write_text("hello", encoding="utf-8")
    result = run("score", "--model", fake, files["unlabelled"])
    assert result.exit_code != 0 and "不是有效的串标模型文件" in result.output


def test_a_test_file_with_one_class_gets_no_auc_and_a_warning(files: dict[str, Path], tmp_path: Path) -> None:
    honest = synth.write(tmp_path / "honest.csv", synth.market(16, 20, collusive_share=0.0))
    result = run("evaluate", "--train", files["a"], "--test", honest, "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["roc_auc"] is None and out["recall_collusive"] is None and out["tenders"] == 20
    assert "ROC AUC 无定义" in result.stderr
