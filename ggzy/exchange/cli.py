"""`ggzy export ocds [--since DATE] -o DIR` — the daily OCDS bulk files (gzip JSON Lines), docs/ocds.md."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

import click


@click.group()
def export() -> None:
    """导出开放数据。"""


@export.command("ocds")
@click.option("--since", default=None, help="只导出该日（北京时间，YYYY-MM-DD）及以后的发布")
@click.option("-o", "--output", "out", required=True, type=click.Path(file_okay=False, path_type=Path), help="输出目录")
@click.pass_obj
def export_ocds(settings: object, since: str | None, out: Path) -> None:
    """把全部 OCDS 发布按日写成 gzip JSON Lines 文件（releases-YYYY-MM-DD.jsonl.gz）与 index.json。"""
    from ggzy.cli import _context
    from ggzy.core.clock import SHANGHAI
    from ggzy.core.config import Settings
    from ggzy.exchange import service

    assert isinstance(settings, Settings)
    start = None
    if since is not None:
        try:
            start = datetime.strptime(since, "%Y-%m-%d").replace(tzinfo=SHANGHAI)
        except ValueError as exc:
            raise click.BadParameter(f"日期应为 YYYY-MM-DD，收到「{since[:40]}」", param_hint="--since") from exc
    began = time.perf_counter()
    with _context(settings) as ctx, ctx.db.unit_of_work(write=False) as s:
        result = service.export_bulk(
            s,
            out,
            prefix=settings.ocds_prefix,
            publisher=settings.ocds_publisher or f"{settings.city_name}{settings.platform_name}",
            clock=ctx.clock,
            since=start,
        )
    click.echo(
        f"导出 {result.releases} 个发布，{len(result.files)} 个日文件，用时 {time.perf_counter() - began:.1f} 秒"
    )
