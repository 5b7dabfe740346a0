"""`ggzy archive` on a fresh demo database: a running trade is refused, a sealed one exports and verifies offline,
and one changed byte of one bid fails verification with a non-zero exit naming the file."""

from __future__ import annotations

import zipfile
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import select

from ggzy.cli import main
from ggzy.core.config import load_settings
from ggzy.projects import queries as projects
from ggzy.projects.models import Section
from ggzy.web.app import build_context
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
        try:  # the demo takes its signed reports on: one trade archived, one under contract
            with ctx.db.unit_of_work(write=False) as s:
                codes = {
                    stage: projects.get_project(s, section.project_id).code
                    for stage in ("archived", "contracted")
                    for section in s.execute(select(Section).where(Section.status == stage)).scalars()
                }
        finally:
            ctx.db.dispose()
        assert set(codes) == {"archived", "contracted"}
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
