"""`ggzy supervise` — screen the platform's history (and other platforms' OCDS data) into alerts."""

from __future__ import annotations

from pathlib import Path

import click


@click.group()
def supervise() -> None:
    """监管：历史数据筛查与在线比对。"""


@supervise.command("history")
@click.option(
    "--external",
    "external",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="其他平台的 OCDS 数据（JSON Lines 或数据包，可 gzip），可多次给出",
)
@click.option(
    "--approvals",
    "approvals_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="投资项目审批清单（CSV 或 xlsx），用于发现应进未进",
)
@click.option("--source", default="history", show_default=True, help="预警来源名称")
@click.option("--sector", default="", help="外部数据所属行业（缺省按综合监管处理）")
@click.pass_obj
def history(
    settings: object, external: tuple[Path, ...], approvals_path: Path | None, source: str, sector: str
) -> None:
    """对本平台全部交易（及外部数据）运行行为与规避指标，生成预警。"""
    from ggzy.cli import _context
    from ggzy.supervision import history as screening
    from ggzy.supervision.flags.avoidance.approvals import ApprovalsError, read_approvals

    approvals = None
    if approvals_path is not None:
        try:
            approvals, warnings = read_approvals(approvals_path)
        except ApprovalsError as exc:
            raise click.ClickException(str(exc)) from None
        for w in warnings:
            click.echo(w, err=True)
    with _context(settings) as app, app.db.unit_of_work() as s:  # type: ignore[arg-type]
        report = screening.screen(
            s,
            clock=app.clock,
            external=screening.external_releases(external),
            approvals=approvals,
            source=source,
            sector=sector,
        )
    click.echo(f"筛查 {report.releases} 个交易，发现 {report.findings} 项，新增预警 {report.new_alerts} 条")
