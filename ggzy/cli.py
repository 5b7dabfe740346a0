"""命令行 — `ggzy serve | db upgrade | demo | tick | audit verify | checkpoint`: thin wrappers over services."""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, ClassVar

import click

from ggzy.core.config import Settings, load_settings

if TYPE_CHECKING:
    from ggzy.web.context import AppContext


class LazyGroup(click.Group):
    """Commands that live in their domains, imported only when used (keeps `ggzy --help` fast)."""

    LAZY: ClassVar[dict[str, str]] = {
        "analyze": "ggzy.supervision.analyze.cli:analyze",
        "archive": "ggzy.award.cli:archive",
        "collusion": "ggzy.supervision.collusion.cli:collusion",
        "bid": "ggzy.bidding.client:bid",
        "deposits": "ggzy.deposits.cli:deposits",
        "experts": "ggzy.experts.cli:experts",
        "export": "ggzy.exchange.cli:export",
        "federation": "ggzy.federation.cli:federation",
        "import": "ggzy.supervision.imports_cli:imports",
        "keyholder": "ggzy.bidding.keyholder:keyholder",
        "supervise": "ggzy.supervision.cli:supervise",
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *(n for n, t in self.LAZY.items() if _exists(t))])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = self.LAZY.get(cmd_name)
        if target is None or not _exists(target):
            return super().get_command(ctx, cmd_name)
        module, attr = target.split(":")
        command = getattr(importlib.import_module(module), attr)
        assert isinstance(command, click.Command)
        return command


def _exists(target: str) -> bool:
    try:
        return importlib.util.find_spec(target.split(":")[0]) is not None
    except ModuleNotFoundError:
        return False


@click.group(cls=LazyGroup)
@click.pass_context
def main(ctx: click.Context) -> None:
    """公共资源交易平台与电子监管平台。"""
    ctx.obj = load_settings()


@contextmanager
def _context(settings: Settings) -> Iterator[AppContext]:
    from ggzy.core.training import ModeMismatch
    from ggzy.web.app import build_context, check_mode

    ctx = build_context(settings)
    try:
        try:
            check_mode(ctx)
        except ModeMismatch as exc:
            raise click.ClickException(exc.message) from exc
        yield ctx
    finally:
        ctx.db.dispose()


@main.group()
def db() -> None:
    """数据库。"""


@db.command("upgrade")
@click.pass_obj
def db_upgrade(settings: Settings) -> None:
    """把数据库结构迁移到最新版本。"""
    from ggzy.core.db import make_engine
    from ggzy.core.keys import ensure_var_dir
    from ggzy.migrations import runner

    ensure_var_dir(settings.var_dir)
    engine = make_engine(settings.resolved_database_url())
    runner.upgrade(engine)
    engine.dispose()
    click.echo("数据库已是最新结构 (database at head)")


@main.command()
@click.option("--if-empty", is_flag=True, help="仅当数据库中还没有任何主体时才装载")
@click.option("--training", is_flag=True, help="培训模式：所有法定期限按 GGZY_TRAINING_FACTOR（缺省 1440）缩短")
@click.pass_obj
def demo(settings: Settings, if_empty: bool, training: bool) -> None:
    """装载演示城市（重复运行不会重复创建）。"""
    from ggzy import demo as demo_city
    from ggzy.core import transparency
    from ggzy.core.training import DEMO_FACTOR, REAL

    if training and settings.training_factor == REAL:
        settings = settings.model_copy(update={"training_factor": DEMO_FACTOR})

    logins_file = settings.var_dir / "demo-logins.txt"
    with _context(settings) as app:
        with app.db.unit_of_work() as s:
            if if_empty and not demo_city.is_empty(s):
                click.echo("数据库中已有数据，跳过演示城市 (database not empty)")
                if logins_file.exists():
                    click.echo(f"演示账户见 {logins_file}")
                return
            kit = demo_city.TradeKit(
                files=app.files,
                env=app.opening,
                signer=app.keys.log_private,
                var=settings.var_dir,
                checkpoint=lambda s, c: transparency.sign_checkpoint(
                    s, keys=app.keys, origin=settings.log_origin, clock=c
                ),
            )
            report = demo_city.build(s, clock=app.clock, ident=app.ident, trades=kit)
        with app.db.unit_of_work() as s:
            transparency.sign_checkpoint(s, keys=app.keys, origin=settings.log_origin, clock=app.clock)
    click.echo(
        f"演示城市：新建主体 {report.created_orgs} 个，新建用户 {report.created_users} 个，"
        f"新建交易项目 {report.trades} 个，监管预警 {report.alerts} 条"
    )
    if settings.training_factor > REAL:
        click.echo(
            f"培训模式：法定期限缩短为 1/{settings.training_factor}；"
            f"启动服务时须设置 GGZY_TRAINING_FACTOR={settings.training_factor}"
        )
    if report.logins:
        text = demo_city.format_logins(report.logins)
        fd = os.open(logins_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text + "\n")
        click.echo(text)
    elif logins_file.exists():
        click.echo(f"演示账户已存在，见 {logins_file}")


@main.command("demo-code")
@click.argument("username")
@click.pass_obj
def demo_code(settings: Settings, username: str) -> None:
    """显示演示工作人员账户当前的动态口令（只读 var/demo-logins.txt 中的演示密钥）。"""
    from ggzy.core.clock import SystemClock
    from ggzy.entities import totp

    path = settings.var_dir / "demo-logins.txt"
    if not path.exists():
        raise click.ClickException("没有演示账户文件 var/demo-logins.txt")
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if parts and parts[0] == username and len(parts) >= 4 and parts[-1] != "—":
            click.echo(totp.code_at(parts[-1], SystemClock().now()))
            return
    raise click.ClickException(f"{username} 不是带动态口令的演示账户")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=int)
@click.pass_obj
def serve(settings: Settings, host: str, port: int, workers: int) -> None:
    """启动网站与接口服务。"""
    import uvicorn

    if workers > 1:
        uvicorn.run("ggzy.web.asgi:app", host=host, port=port, workers=workers, proxy_headers=False)
        return
    from ggzy.web.app import create_app

    with _context(settings) as app:
        uvicorn.run(create_app(app, run_ticks=True), host=host, port=port, proxy_headers=False)


@main.command()
@click.pass_obj
def tick(settings: Settings) -> None:
    """执行所有已到期的定时操作（可由 cron 调用；多节点同时运行也只执行一次）。"""
    from ggzy.core import timers
    from ggzy.web.app import due_sources

    with _context(settings) as app:
        report = timers.tick(app.db, due_sources(app), app.clock.now())
    click.echo(f"applied={report.applied} failed={report.failed}")
    if report.failed:
        sys.exit(1)


@main.group()
def audit() -> None:
    """审计：核验事件日志。"""


@audit.command("verify")
@click.option("--key", "verifier", default=None, help="验证公钥（缺省读取 var/ 中的平台日志密钥）")
@click.pass_obj
def audit_verify(settings: Settings, verifier: str | None) -> None:
    """从全部事件重算默克尔树，核对每个存储的子树哈希与签名树头；发现篡改则以非零状态退出。"""
    import time

    from ggzy.core import transparency
    from ggzy.core.db import Database
    from ggzy.core.keys import load_keys

    if verifier is None:
        verifier = transparency.verifier_key(load_keys(settings.var_dir), settings.log_origin)
    db = Database.from_url(settings.resolved_database_url())
    started = time.perf_counter()
    try:
        with db.unit_of_work(write=False) as s:
            report = transparency.verify_log(s, verifier=verifier)
    finally:
        db.dispose()
    took = time.perf_counter() - started
    if report.ok:
        click.echo(
            f"日志完好 OK: {report.entries} 条事件，{report.nodes} 个内部节点，"
            f"{report.checkpoints} 个签名树头，用时 {took:.1f} 秒"
        )
        return
    first = report.first
    click.echo(f"日志被篡改 FAILED: {first.message if first else ''}", err=True)
    for p in report.problems[:10]:
        if p is not first:
            click.echo(f"  另见: {p.message}", err=True)
    sys.exit(1)


@main.command()
@click.pass_obj
def checkpoint(settings: Settings) -> None:
    """立即签发一个新的树头（日志有增长时）。"""
    from ggzy.core import transparency

    with _context(settings) as app, app.db.unit_of_work() as s:
        sth = transparency.sign_checkpoint(s, keys=app.keys, origin=settings.log_origin, clock=app.clock)
        click.echo(f"signed size={sth.size}" if sth else "log unchanged since the last checkpoint")
