"""`ggzy experts` — import and export the pool (.xlsx), and replay a draw from its public record."""

from __future__ import annotations

import json
from pathlib import Path

import click


@click.group()
def experts() -> None:
    """评标专家库：导入、导出与抽取核验。"""


@experts.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_obj
def import_file(settings: object, file: Path) -> None:
    """导入专家名册（xlsx）：逐行报告有问题的行，其余各行照常入库；有问题时退出码为 1。"""
    from ggzy.cli import _context
    from ggzy.core.actor import system
    from ggzy.core.errors import DomainError
    from ggzy.experts import xlsx

    with _context(settings) as ctx, ctx.db.unit_of_work() as s:  # type: ignore[arg-type]
        try:
            report = xlsx.import_experts(s, system(), file, clock=ctx.clock)
        except DomainError as e:
            raise click.ClickException(e.message) from e
    click.echo(f"入库 {report.saved} 人，有问题 {len(report.errors)} 行")
    for err in report.errors:
        click.echo(f"  第{err.row}行：{err.reason}")
    if report.errors:
        raise SystemExit(1)


@experts.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
def export_file(settings: object, file: Path) -> None:
    """导出专家库（xlsx，与导入格式相同）。"""
    from ggzy.cli import _context
    from ggzy.experts import xlsx

    with _context(settings) as ctx, ctx.db.unit_of_work(write=False) as s:  # type: ignore[arg-type]
        n = xlsx.export_experts(s, file)
    click.echo(f"{n} 名专家，已写入 {file}")


@experts.command("verify-draw")
@click.argument("draw_id", required=False)
@click.option("--record", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="离线核验下载的公开记录")
@click.option("--key", "verifier", default=None, help="签名树头的验证公钥（缺省读取 var/ 中的平台日志密钥）")
@click.option("--all", "every", is_flag=True, help="核验数据库中的每一次抽取")
@click.pass_obj
def verify_draw(settings: object, draw_id: str | None, record: Path | None, verifier: str | None, every: bool) -> None:
    """按公开数据重放一次专家抽取（承诺、种子来源、候选名单摘要、RFC 3797 顺序与补抽），不一致时退出码为 1。"""
    from ggzy.experts import verify

    if record is not None:
        v = verify.verify_record(json.loads(record.read_text(encoding="utf-8")), verifier=verifier)
        _print(v)
        raise SystemExit(0 if v.ok else 1)
    from sqlalchemy import select

    from ggzy.cli import _context
    from ggzy.core import transparency
    from ggzy.experts.models import Draw

    with _context(settings) as ctx, ctx.db.unit_of_work(write=False) as s:  # type: ignore[arg-type]
        key = verifier or transparency.verifier_key(ctx.keys, ctx.settings.log_origin)
        ids = list(s.execute(select(Draw.id).order_by(Draw.requested_at)).scalars()) if every else [draw_id]
        if not ids or ids == [None]:
            raise click.ClickException("请指定抽取编号，或使用 --all")
        verdicts = []
        for i in ids:
            if s.get(Draw, i) is None:
                raise click.ClickException(f"未找到抽取 {i}")
            verdicts.append(verify.verify_draw(s, str(i), verifier=key))
    for v in verdicts:
        _print(v)
    raise SystemExit(0 if all(v.ok for v in verdicts) else 1)


def _print(v: object) -> None:
    from ggzy.experts.verify import Verdict

    assert isinstance(v, Verdict)
    click.echo(f"抽取 {v.draw_id}：{'一致' if v.ok else '不一致'}")
    for c in v.checks:
        click.echo(f"  {'✓' if c.ok else '✗'} {c.name}{('：' + c.detail) if c.detail else ''}")
    if v.order:
        click.echo("  顺序：" + "，".join(f"席位{o['seat']}←{o['pseudonym']}（序号{o['index']}）" for o in v.order))
