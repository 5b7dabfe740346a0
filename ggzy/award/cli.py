"""`ggzy archive` — export a finished project's sealed dossiers as a zip, and verify such a zip offline."""

from __future__ import annotations

from pathlib import Path

import click


@click.group()
def archive() -> None:
    """交易档案：导出与离线核验。"""


@archive.command("export")
@click.argument("project_code")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="输出文件（缺省 <项目编号>.zip）",
)
@click.pass_obj
def export(settings: object, project_code: str, output: Path | None) -> None:
    """导出项目的交易档案（交易尚未结束的拒绝导出）。"""
    from ggzy.award import archive as dossiers
    from ggzy.cli import _context
    from ggzy.core.errors import DomainError

    out = output or Path(f"{project_code}.zip")
    with _context(settings) as ctx:  # type: ignore[arg-type]
        try:
            with ctx.db.unit_of_work() as s:
                done = dossiers.export(
                    s,
                    project_code=project_code,
                    out=out,
                    files=ctx.files,
                    env=ctx.opening,
                    keys=ctx.keys,
                    origin=ctx.settings.log_origin,
                    clock=ctx.clock,
                )
        except DomainError as e:
            out.unlink(missing_ok=True)
            raise click.ClickException(e.message) from e
    click.echo(f"已导出 {len(done)} 个标段的档案：{out}")


@archive.command("verify")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--key", "verifier", default=None, help="平台日志验证公钥（缺省使用档案中附带的公钥）")
def verify(file: Path, verifier: str | None) -> None:
    """离线核验档案：每个文件的摘要、档案清单摘要、每个日志事件的包含证明与签名检查点。"""
    import time

    from ggzy.award.verify import verify as run

    started = time.perf_counter()
    report = run(file, verifier=verifier)
    seconds = time.perf_counter() - started
    for p in report.problems:
        click.echo(f"不符：{p}")
    if report.key_from_zip:
        click.echo("注意：使用档案中附带的验证公钥；请用 --key 指定从平台门户获得的公钥，以防整体替换")
    mb = report.bytes / 1e6
    click.echo(
        f"标段 {report.sections} 个，文件 {report.files} 个（{mb:,.1f} MB），日志事件 {report.events} 个，"
        f"用时 {seconds:.2f} 秒（{mb / max(seconds, 1e-9):,.0f} MB/s）"
    )
    if not report.ok or report.sections == 0:
        raise SystemExit(1)
    click.echo("核验通过")
