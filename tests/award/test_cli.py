"""`ggzy archive` on a fresh demo database: a running trade is refused, a sealed one exports and verifies offline,
and one changed byte of one bid fails verification with a non-zero exit naming the file."""

from __future__ import annotations

import zipfile
from datetime import timedelta
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import func, select

from ggzy.award import demo as award_demo
from ggzy.cli import main
from ggzy.core.clock import FixedClock
from ggzy.core.config import load_settings
from ggzy.core.events import Event
from ggzy.core.notify import MemoryNotifier
from ggzy.entities import auth
from ggzy.entities import queries as entities
from ggzy.projects import queries as projects
from ggzy.projects.models import Section
from ggzy.web.app import build_context
from tests.award.test_demo import _evaluate
from tests.dbserver import DbServer


def test_export_refuses_a_running_trade_and_a_sealed_one_verifies_until_a_byte_changes(
    dbserver: DbServer, tmp_path: Path
) -> None:
    url = dbserver.clone()
    var = tmp_path / "var"
    env = {
        "GGZY_DATABASE_URL": url,
        "GGZY_VAR_DIR": str(var),
        "GGZY_ARGON2_MEMORY_KIB": "256",
        "GGZY_ARGON2_TIME_COST": "1",
    }
    runner = CliRunner()
    try:
        assert runner.invoke(main, ["demo", "--if-empty"], env=env).exit_code == 0
        ctx = build_context(load_settings(database_url=url, var_dir=var))
        try:
            with ctx.db.unit_of_work() as s:
                last = s.execute(select(func.max(Event.at))).scalar_one()
                clock = FixedClock(last + timedelta(hours=1))  # the story goes on after the demo's last event
                opened = list(
                    s.execute(select(Section).where(Section.status == "opened").order_by(Section.code)).scalars()
                )
                for i, section in enumerate(opened):
                    _evaluate(s, clock, ctx.files, section, 1 + 5 * i)

                def actor_of(username: str) -> auth.Actor:
                    user = entities.find_user(s, username)
                    assert user is not None
                    return auth.actor_for(s, user, entities.roles_of(s, user.id)[0], "10.1.1.1")

                done = award_demo.advance(
                    s,
                    actor_of,
                    clock=clock,
                    files=ctx.files,
                    env=ctx.opening,
                    notifier=MemoryNotifier(),
                )
                by_code = {x.code: x for x in opened}
                codes = {stage: projects.get_project(s, by_code[code].project_id).code for code, stage in done}
        finally:
            ctx.db.dispose()
        out = tmp_path / "dossier.zip"
        r = runner.invoke(main, ["archive", "export", codes["contracted"], "-o", str(out)], env=env)
        assert r.exit_code != 0 and "交易尚未结束" in r.output and not out.exists()
        r = runner.invoke(main, ["archive", "export", "XXZB-NO-SUCH", "-o", str(out)], env=env)
        assert r.exit_code != 0 and "没有编号为" in r.output
        r = runner.invoke(main, ["archive", "export", codes["archived"], "-o", str(out)], env=env)
        assert r.exit_code == 0, r.output
        r = runner.invoke(main, ["archive", "verify", str(out)], env=env)
        assert r.exit_code == 0 and "核验通过" in r.output, r.output
        with zipfile.ZipFile(out) as src:
            bid = next(n for n in src.namelist() if "/files/bids/" in n and not n.endswith(".json"))
            tampered = tmp_path / "tampered.zip"
            with zipfile.ZipFile(tampered, "w") as dst:
                for n in src.namelist():
                    data = bytearray(src.read(n))
                    if n == bid:
                        data[0] ^= 0x01
                    dst.writestr(n, bytes(data))
        r = runner.invoke(main, ["archive", "verify", str(tampered)], env=env)
        assert r.exit_code != 0 and bid in r.output and "核验通过" not in r.output
    finally:
        dbserver.drop(url)
