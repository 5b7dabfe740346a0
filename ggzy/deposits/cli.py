"""`ggzy deposits` — import a bank statement, reconcile it with the ledger, the daily report per sub-account."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import click


@click.group()
def deposits() -> None:
    """保证金：银行对账单导入、对账与日报。"""


@deposits.command("import")
@click.argument("statement", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_obj
def import_statement(settings: object, statement: Path) -> None:
    """导入银行对账单（CSV 或 xlsx）：可读的行入账，不可读的行逐行报告并留待核实。"""
    from ggzy.cli import _context
    from ggzy.core.errors import DomainError
    from ggzy.deposits import statements

    with _context(settings) as ctx, ctx.db.unit_of_work() as s:  # type: ignore[arg-type]
        try:
            report = statements.import_statement(s, statement, clock=ctx.clock)
        except DomainError as e:
            raise click.ClickException(e.message) from e
    click.echo(f"入账 {report.booked} 笔，此前已入账 {report.already} 笔，有问题 {len(report.errors)} 行")
    for err in report.errors:
        click.echo(f"  第{err.row}行：{err.reason}")
    if report.errors:
        raise SystemExit(1)


@deposits.command("reconcile")
@click.argument("statement", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_obj
def reconcile(settings: object, statement: Path) -> None:
    """把银行对账单与平台分户账逐笔核对，列出每一处差异；有差异时退出码为 1。"""
    from ggzy.cli import _context
    from ggzy.core.errors import DomainError
    from ggzy.deposits import ledger, statements

    with _context(settings) as ctx, ctx.db.unit_of_work(write=False) as s:  # type: ignore[arg-type]
        try:
            diffs = statements.reconcile(s, statement)
        except DomainError as e:
            raise click.ClickException(e.message) from e
        balance = ledger.trial_balance(s)
    for d in diffs:
        click.echo(f"{d.txn}\t{d.kind}\t{d.detail}")
    click.echo(f"差异 {len(diffs)} 处；分户账试算平衡：{'平衡' if balance == 0 else f'不平衡（{balance} 分）'}")
    if diffs or balance:
        raise SystemExit(1)


@deposits.command("daily-report")
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), required=True, help="日期（北京时间）")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="输出的 .xlsx 文件")
@click.pass_obj
def daily_report(settings: object, day: datetime, out: Path) -> None:
    """每个保证金子账户一行的日报（期初、收入、支出、期末），xlsx。"""
    from ggzy.cli import _context
    from ggzy.deposits import reports

    with _context(settings) as ctx, ctx.db.unit_of_work(write=False) as s:  # type: ignore[arg-type]
        rows = reports.daily(s, date(day.year, day.month, day.day))
    reports.write_xlsx(rows, out)
    click.echo(f"{len(rows)} 个子账户，已写入 {out}")
