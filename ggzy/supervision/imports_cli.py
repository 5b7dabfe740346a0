"""`ggzy import ocds FILE…` and `ggzy import china --mapping NAME FILE…` — other platforms' data into the store
that `ggzy analyze --imported` and `ggzy supervise history` read (docs/ocds.md "Import", docs/china-import.md)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

import click

EXIT_TRUNCATED = 3  # the input stopped before its end; what was read completely is kept (a re-import skips it)
EXIT_UNUSABLE = 2


@click.group("import")
def imports() -> None:
    """导入外部数据：OCDS 数据与交易中心公告表格。"""


@imports.command("ocds")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True, help="有任何模式错误的 release 一律拒绝（默认：报告错误并使用其有效数据）")
@click.option("--progress/--no-progress", default=True, show_default=True, help="在标准错误上显示进度条")
@click.pass_obj
def import_ocds(settings: object, files: tuple[Path, ...], strict: bool, progress: bool) -> None:
    """导入 OCDS release package、record package 或 JSON Lines（可 gzip）：校验、按 ocid 合并、存入导入库。"""
    from ggzy.cli import _context
    from ggzy.supervision.imports.ocds import import_ocds as run
    from ggzy.supervision.ocds.reader import InputError

    began = time.perf_counter()
    with _context(settings) as ctx:  # type: ignore[arg-type]
        try:
            report = run(ctx.db, list(files), clock=ctx.clock, strict=strict, progress=_bar(files, progress))
        except InputError as error:
            click.echo(str(error), err=True)
            sys.exit(EXIT_UNUSABLE)
    for line in report.lines():
        click.echo(line, err=True)
    click.echo(
        f"导入 {report.import_id}：存入 {report.stored} 项，记录 {report.records} 个，拒绝 {report.rejected} 项，"
        f"用时 {time.perf_counter() - began:.1f} 秒"
    )
    if report.truncated:
        sys.exit(EXIT_TRUNCATED)
    if report.stored == 0 and report.duplicates == 0:
        sys.exit(1)


def _bar(files: tuple[Path, ...], enabled: bool) -> Callable[[int], None]:
    from tqdm import tqdm

    total = sum(p.stat().st_size for p in files if p.is_file())
    bar = tqdm(total=total, unit="B", unit_scale=True, desc="导入 importing", file=sys.stderr, disable=not enabled)
    last = [0]

    def advance(position: int) -> None:
        if position < last[0]:
            last[0] = 0  # the next file
        bar.update(position - last[0])
        last[0] = position

    return advance


@imports.command("china")
@click.option(
    "--mapping",
    "-m",
    "mapping_name",
    required=True,
    help="数据来源的映射：mappings/ 下的名称（如 hangzhou）或 .toml 文件",
)
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--out",
    "-o",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="另写出 OCDS JSON Lines（compiled release）",
)
@click.option(
    "--store/--no-store", default=True, show_default=True, help="存入导入库（供 analyze --imported 与历史筛查）"
)
@click.pass_obj
def import_china(settings: object, mapping_name: str, files: tuple[Path, ...], out: Path | None, store: bool) -> None:
    """导入交易中心的招标、开标、中标表格（CSV 或 xlsx），按项目编号关联为 OCDS compiled release。"""
    from ggzy.supervision.imports import china
    from ggzy.supervision.imports.ocds import import_items
    from ggzy.supervision.imports.prepare import Item, dumps

    try:
        mapping = china.load_mapping(mapping_name)
        releases, report = china.read_tables(mapping, list(files))
    except (china.MappingError, china.TableError) as error:
        click.echo(f"导入失败：{error}", err=True)
        sys.exit(EXIT_UNUSABLE)
    for line in report.lines():
        click.echo(line, err=True)
    if out is not None:
        with out.open("wb") as f:
            for release in releases:
                f.write(dumps(release) + b"\n")
        click.echo(f"已写出 {len(releases)} 个 compiled release 到 {out}", err=True)
    if store:
        from ggzy.cli import _context

        with _context(settings) as ctx:  # type: ignore[arg-type]
            items = (Item(f"{mapping.key} {r['tender']['id']}:", "compiled", r) for r in releases)
            stored = import_items(
                ctx.db,
                items,
                source=", ".join(p.name for p in files),
                kind=f"china:{mapping.name}"[:20],
                clock=ctx.clock,
            )
        for line in stored.problems.lines():
            click.echo(line, err=True)
        click.echo(
            f"导入 {stored.import_id}：{report.processes} 个项目，存入 {stored.stored} 个，重复 {stored.duplicates}，"
            f"拒绝 {stored.rejected}；无法读取的行 {report.bad_rows}"
        )
    else:
        click.echo(f"{report.processes} 个项目；无法读取的行 {report.bad_rows}")
    if report.processes == 0:
        sys.exit(1)
