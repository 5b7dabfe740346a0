"""`ggzy federation …` — a pushing platform's signing key; the national exchange format to and from a file; the
history screening over our trades and every pushed one (docs/federation.md, docs/national-exchange.md)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click


@click.group()
def federation() -> None:
    """接入交易平台与全国平台数据交换。"""


@federation.command("keygen")
@click.option("-o", "--output", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def keygen(out: Path) -> None:
    """生成推送签名密钥（Ed25519，私钥写入文件，权限 0600），并显示须交监管部门登记的公钥。"""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from ggzy.federation import signing

    if out.exists():
        raise click.ClickException(f"{out} 已存在，不覆盖")
    key = Ed25519PrivateKey.generate()
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(key.private_bytes_raw().hex() + "\n")
    click.echo(f"公钥（交监管部门登记）：{signing.public_hex(key)}")


@federation.command("national-export")
@click.option("-o", "--output", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
def national_export(settings: object, out: Path) -> None:
    """按全国公共资源交易平台数据交换格式（暂定字段表）导出本平台的项目、标段、公告、开标记录、候选人、结果、信用与监管记录。"""
    from ggzy.cli import _context
    from ggzy.core.config import Settings
    from ggzy.federation import national

    assert isinstance(settings, Settings)
    with _context(settings) as ctx, ctx.db.unit_of_work(write=False) as s:
        data = national.export(s)
    out.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    click.echo("导出：" + "，".join(f"{k} {len(v)} 条" for k, v in data.items()))


@federation.command("national-import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--source", default="national", show_default=True, help="数据来源（记录在每条记录上）")
@click.pass_obj
def national_import(settings: object, path: Path, source: str) -> None:
    """导入全国平台数据交换格式的记录；不能读取的行逐行报告（行号与原因），其余照常导入。"""
    from ggzy.cli import _context
    from ggzy.core.config import Settings
    from ggzy.federation import national

    assert isinstance(settings, Settings)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise click.ClickException(f"{path.name} 不是 UTF-8 JSON：{exc}") from exc
    if not isinstance(data, dict):
        raise click.ClickException("文件应为对象：数据对象名 → 记录数组")
    with _context(settings) as ctx, ctx.db.unit_of_work() as s:
        rep = national.import_records(s, data, source=source[:60], clock=ctx.clock)
    click.echo(f"导入：{sum(rep.stored.values())} 条，未变 {rep.unchanged} 条，不能读取 {len(rep.problems)} 条")
    for obj, n, why in rep.problems[:200]:
        click.echo(f"  {obj} 第{n}条：{why}", err=True)
    if rep.problems:
        raise SystemExit(1)


@federation.command("screen-history")
@click.pass_obj
def screen_history(settings: object) -> None:
    """历史筛查：本平台交易与全部接入平台推送的交易一并计算行为与规避类红旗指标，生成预警。"""
    from ggzy.cli import _context
    from ggzy.core.config import Settings
    from ggzy.federation import screening

    assert isinstance(settings, Settings)
    with _context(settings) as ctx, ctx.db.unit_of_work() as s:
        rep = screening.history_screening(s, clock=ctx.clock)
    click.echo(f"筛查发布 {rep.releases} 个，发现 {rep.findings} 项，新预警 {rep.new_alerts} 条")
