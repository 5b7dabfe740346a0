"""`ggzy federation …`: a signing key made for a pushing platform, the national format exported and imported back
from a file (bad rows reported by row, exit 1), the history screening over pushed trades."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from click.testing import CliRunner

from ggzy.cli import main
from ggzy.federation import signing
from tests.dbserver import DbServer


def test_keygen_writes_a_private_key_0600_and_prints_its_public_half(tmp_path: Path) -> None:
    out = tmp_path / "push.key"
    r = CliRunner().invoke(main, ["federation", "keygen", "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    public = r.output.split("：")[-1].strip()
    assert signing.public_hex(signing.load_private(out.read_text())) == public
    again = CliRunner().invoke(main, ["federation", "keygen", "-o", str(out)])
    assert again.exit_code != 0 and "不覆盖" in again.output


def test_national_export_and_import_through_files(dbserver: DbServer, tmp_path: Path) -> None:
    a, b = dbserver.clone(), dbserver.clone()
    try:
        env_a = {"GGZY_DATABASE_URL": a, "GGZY_VAR_DIR": str(tmp_path / "a")}
        env_b = {"GGZY_DATABASE_URL": b, "GGZY_VAR_DIR": str(tmp_path / "b")}
        runner = CliRunner()
        out = tmp_path / "national.json"
        r = runner.invoke(main, ["federation", "national-export", "-o", str(out)], env=env_a)
        assert r.exit_code == 0, r.output
        data = json.loads(out.read_text(encoding="utf-8"))
        assert set(data) >= {"project", "section", "opening", "result", "credit", "supervision"}
        data["result"] = [{"统一交易标识码": "41070001ABC0", "中标金额": "1.00"}]  # a bad check character
        out.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        r = runner.invoke(main, ["federation", "national-import", str(out)], env=env_b)
        assert r.exit_code == 1 and "result 第1条：统一交易标识码 41070001ABC0 校验位不符" in r.output
        r = runner.invoke(main, ["federation", "screen-history"], env=env_b)
        assert r.exit_code == 0 and "筛查发布 0 个" in r.output
    finally:
        dbserver.drop(a)
        dbserver.drop(b)
