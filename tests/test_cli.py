"""The command line on a fresh database: migrate, load the demo twice, sign a checkpoint, verify, tick."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from click.testing import CliRunner

from ggzy.cli import main
from tests.dbserver import DbServer


def test_upgrade_demo_verify_on_a_fresh_database(dbserver: DbServer, tmp_path: Path) -> None:
    url = dbserver.clone()  # migrated already; `db upgrade` must be a no-op at head
    env = {
        "GGZY_DATABASE_URL": url,
        "GGZY_VAR_DIR": str(tmp_path / "var"),
        "GGZY_ARGON2_MEMORY_KIB": "256",
        "GGZY_ARGON2_TIME_COST": "1",
    }
    runner = CliRunner()
    try:
        r = runner.invoke(main, ["db", "upgrade"], env=env)
        assert r.exit_code == 0, r.output
        r = runner.invoke(main, ["demo", "--if-empty"], env=env)
        assert r.exit_code == 0, r.output
        assert "新建主体 71 个" in r.output and "operator" in r.output
        assert "监管预警" in r.output and "监管预警 0 条" not in r.output
        var = tmp_path / "var"
        args = ["supervise", "history", "--external", str(var / "demo-county-ocds.jsonl")]
        approvals = ["--approvals", str(var / "demo-approvals.csv"), "--source", "县分中心"]
        r = runner.invoke(main, [*args, *approvals], env=env)
        assert r.exit_code == 0 and "筛查 23 个交易" in r.output and "新增预警 0 条" in r.output, r.output
        (var / "bad.csv").write_text("名称\n某项目\n", encoding="utf-8")
        r = runner.invoke(main, [*args, "--approvals", str(var / "bad.csv")], env=env)
        assert r.exit_code != 0 and "项目代码" in r.output, r.output
        logins = tmp_path / "var" / "demo-logins.txt"
        assert stat.S_IMODE(os.stat(logins).st_mode) == 0o600
        r = runner.invoke(main, ["demo", "--if-empty"], env=env)
        assert r.exit_code == 0 and "跳过" in r.output
        r = runner.invoke(main, ["demo"], env=env)
        assert "新建主体 0 个，新建用户 0 个" in r.output
        r = runner.invoke(main, ["demo-code", "operator"], env=env)
        assert r.exit_code == 0 and r.output.strip().isdigit() and len(r.output.strip()) == 6
        assert runner.invoke(main, ["demo-code", "bidder01"], env=env).exit_code != 0
        r = runner.invoke(main, ["audit", "verify"], env=env)
        assert r.exit_code == 0 and "日志完好" in r.output, r.output
        r = runner.invoke(main, ["tick"], env=env)
        assert r.exit_code == 0 and "failed=0" in r.output
        r = runner.invoke(main, ["checkpoint"], env=env)
        assert r.exit_code == 0
    finally:
        dbserver.drop(url)
