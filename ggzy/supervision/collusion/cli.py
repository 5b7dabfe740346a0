"""命令行 — `ggzy collusion evaluate | train | score`: thin wrappers over the screens and the model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from ggzy.supervision.collusion.bids import BidFileError, BidTable, describe_skipped, read_bid_table
from ggzy.supervision.collusion.output import pad

FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
MIN_MARKET_TENDERS = 30
PRIOR_HELP = (
    "balanced：先验 0.5，按证据判定；market：熟悉的市场用其训练时的串标比例作先验 "
    "(balanced: flag on the evidence alone; market: use a known market's base rate)"
)


@click.group()
def collusion() -> None:
    """围标串标筛查：报价筛查指标与串标分类模型 (bid-price collusion screens and classifier)."""


def load_tables(paths: list[Path], *, labels: bool, min_share: float | None) -> list[BidTable]:
    """Read each file as one market; say what was skipped; refuse files with no usable tender."""
    tables: list[BidTable] = []
    seen: set[str] = set()
    for i, path in enumerate(paths):
        name = path.stem if path.stem not in seen else f"{path.stem}#{i + 1}"
        seen.add(name)
        try:
            table = read_bid_table(path, require_labels=labels, min_share=min_share, name=name)
        except BidFileError as e:
            raise click.ClickException(str(e)) from e
        note = describe_skipped(table)
        if note:
            click.echo(note, err=True)
        if not len(table):
            raise click.ClickException(
                f"{path.name} 中没有可用的标段：每个标段至少需要 3 个有效报价 "
                f"(no usable tender in {path.name}: each needs at least 3 valid bids)"
            )
        tables.append(table)
    return tables


def _fmt(value: float | int | None) -> str:
    if value is None:
        return "—"
    return str(value) if isinstance(value, int) else f"{value:.3f}"


LABELS = {
    "accuracy": "准确率 accuracy",
    "balanced_accuracy": "平衡准确率 balanced accuracy",
    "recall_collusive": "串标召回率 recall (collusive)",
    "recall_competitive": "竞争召回率 recall (competitive)",
    "roc_auc": "ROC AUC",
    "tenders": "标段数 tenders",
}


def _print_evaluation(result: dict[str, Any], familiarity: float, nearest: str | None) -> None:
    base = result.get("baseline")
    click.echo(f"市场熟悉度 familiarity with the training markets: {familiarity:.2f} (nearest: {nearest or '—'})")
    click.echo(
        " " * 34 + pad("本模型 ours", 14, right=True) + (pad("基线 baseline RF", 18, right=True) if base else "")
    )
    for key, label in LABELS.items():
        line = pad(label, 34) + pad(_fmt(result[key]), 14, right=True)
        click.echo(line + (pad(_fmt(base[key]), 18, right=True) if base else ""))


@collusion.command("evaluate")
@click.option("--train", "train_files", type=FILE, multiple=True, required=True, help="带标签的投标表（可跟多个文件）")
@click.argument("more_train", nargs=-1, type=FILE)
@click.option("--test", "test_file", type=FILE, required=True, help="带标签的测试投标表 (labelled test file)")
@click.option("--json", "as_json", is_flag=True, help="只输出一个 JSON 对象 (print one JSON object)")
@click.option(
    "--baseline", is_flag=True, help="同时运行九个筛查指标上的普通随机森林 (also run the plain random forest)"
)
@click.option(
    "--prior", type=click.Choice(["balanced", "market"]), default="balanced", show_default=True, help=PRIOR_HELP
)
@click.option(
    "--min-share", type=click.FloatRange(0, 1, min_open=True), default=None, help="标段标签：串标报价占比阈值"
)
def evaluate_command(
    train_files: tuple[Path, ...],
    more_train: tuple[Path, ...],
    test_file: Path,
    as_json: bool,
    baseline: bool,
    prior: str,
    min_share: float | None,
) -> None:
    """在训练文件上训练、在测试文件上按标段评估：--train A.csv [B.csv …] --test C.csv。"""
    from ggzy.supervision.collusion.evaluate import evaluate
    from ggzy.supervision.collusion.model import TrainingError

    train = load_tables([*train_files, *more_train], labels=True, min_share=min_share)
    test = load_tables([test_file], labels=True, min_share=min_share)[0]
    try:
        result = evaluate(train, test, baseline=baseline, prior="market" if prior == "market" else "balanced")
    except TrainingError as e:
        raise click.ClickException(str(e)) from e
    if result.ours["roc_auc"] is None:
        click.echo("测试文件只有一类标段，ROC AUC 无定义 (test file has one class only: no ROC AUC)", err=True)
    if as_json:
        click.echo(json.dumps(result.as_json(), ensure_ascii=False))
        return
    _print_evaluation(result.as_json(), result.familiarity, result.nearest_market)


@collusion.command("train")
@click.option("--train", "train_files", type=FILE, multiple=True, required=True, help="带标签的投标表（可跟多个文件）")
@click.argument("more_train", nargs=-1, type=FILE)
@click.option(
    "--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="模型文件 (model file)"
)
@click.option(
    "--min-share", type=click.FloatRange(0, 1, min_open=True), default=None, help="标段标签：串标报价占比阈值"
)
@click.option(
    "--cv-folds", type=click.IntRange(0, 20), default=5, show_default=True, help="报告中的交叉验证折数，0 不做"
)
def train_command(
    train_files: tuple[Path, ...], more_train: tuple[Path, ...], out: Path, min_share: float | None, cv_folds: int
) -> None:
    """训练串标模型并连同训练报告保存：--train A.csv [B.csv …] --out MODEL。"""
    from ggzy.core.clock import SystemClock
    from ggzy.supervision.collusion.evaluate import cross_validate
    from ggzy.supervision.collusion.model import CollusionModel, TrainingError
    from ggzy.supervision.collusion.report import training_report
    from ggzy.supervision.collusion.store import save_model

    paths = [*train_files, *more_train]
    tables = load_tables(paths, labels=True, min_share=min_share)
    try:
        model = CollusionModel.fit(tables)
        cv = cross_validate(tables, k=cv_folds) if cv_folds >= 2 else None
    except TrainingError as e:
        raise click.ClickException(str(e)) from e
    report = training_report(
        tables, list(paths), min_share=min_share, n_trees=model.trees.n_trees, cross_validation=cv, clock=SystemClock()
    )
    save_model(model.with_report(report), out)
    click.echo(
        f"模型已保存 model saved: {out}（{sum(len(t) for t in tables)} 个标段 tenders, {len(tables)} 个文件 files）"
    )
    for name, metrics in (cv or {}).items():
        m = metrics["ours"]
        click.echo(
            f"  {name}: 交叉验证 CV accuracy {_fmt(m['accuracy'])}, balanced {_fmt(m['balanced_accuracy'])}, "
            f"AUC {_fmt(m['roc_auc'])}"
        )


@collusion.command("score")
@click.option("--model", "model_file", type=FILE, required=True, help="`collusion train` 保存的模型文件")
@click.argument("bid_file", type=FILE)
@click.option(
    "--reference", type=FILE, default=None, help="同一市场的历史投标表，用于市场内排序 (same market's history)"
)
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@click.option("--top", type=click.IntRange(0, 11), default=3, show_default=True, help="每个标段列出的主要因素数")
@click.option(
    "--prior", type=click.Choice(["balanced", "market"]), default="balanced", show_default=True, help=PRIOR_HELP
)
def score_command(
    model_file: Path, bid_file: Path, reference: Path | None, as_json: bool, top: int, prior: str
) -> None:
    """给投标表中每个标段打分，并说明是哪些筛查指标推高或压低了分数。"""
    from ggzy.supervision.collusion.output import print_scores, scores_json
    from ggzy.supervision.collusion.store import ModelFileError, load_model

    try:
        model = load_model(model_file)
    except ModelFileError as e:
        raise click.ClickException(str(e)) from e
    table = load_tables([bid_file], labels=False, min_share=None)[0]
    history = load_tables([reference], labels=False, min_share=None)[0] if reference else None
    market_size = len(table) + (len(history) if history else 0)
    if market_size < MIN_MARKET_TENDERS:
        click.echo(
            f"警告：只有 {market_size} 个标段，市场内排序不可靠，请用 --reference 提供同一市场的历史数据 "
            f"(warning: only {market_size} tenders to rank within the market; give --reference history)",
            err=True,
        )
    scores = model.score(
        table, prior="market" if prior == "market" else "balanced", explain_groups=True, reference=history
    )
    if as_json:
        click.echo(json.dumps(scores_json(table, scores, model_file.name), ensure_ascii=False))
        return
    print_scores(table, scores, top=top)
