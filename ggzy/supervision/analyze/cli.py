"""`ggzy analyze` — batch red flags over an OCDS file: Cardinal JSON, CSV/Parquet tables and an HTML report."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    import polars as pl

EXIT_UNUSABLE = 2
EXIT_TRUNCATED = 3  # the input stopped before its end: the results cover only what was read
# Polars allocates with jemalloc, which by default keeps freed pages for ten seconds: a batch of joins over millions
# of rows then holds gigabytes it no longer uses. Returning them at once keeps the peak within the 4 GB target
# (docs/benchmarks-analyze.md); it must be set before Polars is loaded, so the command sets it before importing.
ALLOCATOR = ("_RJEM_MALLOC_CONF", "dirty_decay_ms:0,muzzy_decay_ms:0")


@click.command()
@click.argument("file", required=False, type=click.Path(path_type=Path))
@click.option(
    "--settings",
    "-s",
    "settings_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Cardinal 格式的设置文件 (INI)；缺省时以默认设置运行全部指标",
)
@click.option(
    "--format",
    "-f",
    "output_format",
    type=click.Choice(["summary", "cardinal"]),
    default="summary",
    show_default=True,
    help="标准输出的格式：summary 摘要，或 cardinal（与 ocdscardinal --no-meta 相同的 JSON）",
)
@click.option(
    "--out",
    "-o",
    "out_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="输出目录：按流程、采购人、投标人的 CSV 与 Parquet，以及 HTML 报告",
)
@click.option(
    "--approvals",
    "approvals_path",
    type=click.Path(path_type=Path),
    default=None,
    help="审批（核准、备案）项目清单 .csv 或 .xlsx，用于查找应进未进的项目（A03）",
)
@click.option(
    "--imported",
    is_flag=True,
    help="分析导入库中的全部 compiled release（ggzy import 存入的外部数据），代替 FILE",
)
@click.option("--progress/--no-progress", default=True, show_default=True, help="在标准错误上显示进度条")
def analyze(
    file: Path | None,
    settings_path: Path | None,
    output_format: str,
    out_dir: Path | None,
    approvals_path: Path | None,
    imported: bool,
    progress: bool,
) -> None:
    """对 OCDS 数据批量计算红旗指标：Cardinal R003…R058，以及合规（C）、串标迹象（X）、行为（B）、规避招标（A）指标族。

    FILE：JSON Lines（每行一个 compiled release）、release package 或 record package，可为 gzip 压缩；
    或用 --imported 分析导入库。--format cardinal 只输出 Cardinal 的指标。
    """
    if (file is None) == (not imported):
        click.echo("请给出 FILE 或 --imported 之一 (give FILE or --imported)", err=True)
        sys.exit(EXIT_UNUSABLE)
    if imported:
        with tempfile.TemporaryDirectory(prefix="ggzy-analyze-") as tmp:
            file = Path(tmp) / "imported.jsonl"
            _dump_imported(file)
            _run(file, settings_path, output_format, out_dir, approvals_path, progress)
        return
    assert file is not None
    _run(file, settings_path, output_format, out_dir, approvals_path, progress)


def _dump_imported(path: Path) -> None:
    """The store of imported data (ggzy import) written as JSON Lines for the pipeline (which reads files only)."""
    from ggzy.core.config import Settings
    from ggzy.core.db import Database
    from ggzy.supervision.imports.store import dump_compiled

    settings = click.get_current_context().find_root().obj
    assert isinstance(settings, Settings)
    db = Database.from_url(settings.resolved_database_url())
    try:
        with db.unit_of_work(write=False) as s:
            count = dump_compiled(s, path)
    finally:
        db.dispose()
    click.echo(f"导入库 imported store: {count} 个 compiled release", err=True)


def _run(
    file: Path,
    settings_path: Path | None,
    output_format: str,
    out_dir: Path | None,
    approvals_path: Path | None,
    progress: bool,
) -> None:
    if "polars" not in sys.modules:
        os.environ.setdefault(*ALLOCATOR)
    from ggzy.supervision.analyze import cardinal_json, outputs
    from ggzy.supervision.analyze.pipeline import analyze as run
    from ggzy.supervision.flags.cardinal.settings import CardinalSettings, SettingsError, read_settings
    from ggzy.supervision.ocds.reader import InputError

    try:
        settings = read_settings(settings_path) if settings_path else CardinalSettings.all_defaults()
    except SettingsError as error:
        click.echo(f"设置文件错误 (settings error): {error}", err=True)
        sys.exit(EXIT_UNUSABLE)
    approvals = _approvals(approvals_path)
    try:
        result = run(file, settings, progress=progress, approvals=approvals)
    except InputError as error:
        click.echo(str(error), err=True)
        sys.exit(EXIT_UNUSABLE)
    outputs.echo_summary(result)
    if output_format == "cardinal":
        click.echo(cardinal_json.dumps(cardinal_json.build_results(cardinal_json.cardinal_hits(result.hits))))
    else:
        click.echo(outputs.summary_text(result), nl=False)
    if out_dir is not None:
        written = outputs.write_all(result, out_dir)
        click.echo(f"已写出 {len(written)} 个文件到 {out_dir} (wrote {len(written)} files)", err=True)
    if result.stats.releases == 0:
        click.echo("没有可用的 release (no usable release in the input)", err=True)
        sys.exit(1)
    if result.stats.truncated:
        click.echo(
            f"输入不完整，结果只涵盖已读到的 {result.stats.releases} 个 release "
            f"(input truncated: results cover the {result.stats.releases} releases read): {result.stats.truncated}",
            err=True,
        )
        sys.exit(EXIT_TRUNCATED)


def _approvals(path: Path | None) -> pl.DataFrame | None:
    """The approvals list, its rejected rows reported on stderr; exit 2 when the file cannot be used."""
    from ggzy.supervision.flags.avoidance.approvals import ApprovalsError, read_approvals

    if path is None:
        return None
    try:
        approvals, problems = read_approvals(path)
    except ApprovalsError as error:
        click.echo(f"审批清单错误 (approvals error): {error}", err=True)
        sys.exit(EXIT_UNUSABLE)
    for problem in problems:
        click.echo(f"审批清单 approvals: 已跳过 skipped — {problem}", err=True)
    return approvals
