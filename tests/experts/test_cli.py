"""`ggzy experts` on a fresh database with the demo city: every demo draw verifies, a tampered one does not;
the pool exports to xlsx and a file with bad rows imports its good rows and reports the bad ones."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from openpyxl import Workbook, load_workbook
from sqlalchemy import create_engine, text

from ggzy.cli import main
from ggzy.core.db import Database
from ggzy.experts import verify, xlsx
from tests.dbserver import DbServer


def test_demo_draws_verify_and_a_tampered_one_fails(dbserver: DbServer, tmp_path: Path) -> None:
    url = dbserver.clone()
    env = {
        "GGZY_DATABASE_URL": url,
        "GGZY_VAR_DIR": str(tmp_path / "var"),
        "GGZY_ARGON2_MEMORY_KIB": "256",
        "GGZY_ARGON2_TIME_COST": "1",
    }
    runner = CliRunner()
    engine = create_engine(url)
    try:
        r = runner.invoke(main, ["demo"], env=env)
        assert r.exit_code == 0, r.output
        with engine.connect() as c:
            draws = c.execute(text("SELECT id, status FROM expert_draw ORDER BY requested_at")).all()
        assert draws and all(s == "complete" for _, s in draws), draws
        r = runner.invoke(main, ["experts", "verify-draw", "--all"], env=env)
        assert r.exit_code == 0, r.output
        assert r.output.count("：一致") == len(draws) and "✗" not in r.output
        assert "签名树头签名有效" in r.output
        one = draws[0][0]
        db = Database.from_url(url)
        with db.unit_of_work(write=False) as s:
            record = verify.public_record(s, one)
        db.dispose()
        file = tmp_path / "record.json"
        file.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
        r = runner.invoke(main, ["experts", "verify-draw", "--record", str(file)], env=env)
        assert r.exit_code == 0 and "：一致" in r.output, r.output
        record["invitations"][1]["pseudonym"], record["invitations"][2]["pseudonym"] = (
            record["invitations"][2]["pseudonym"],
            record["invitations"][1]["pseudonym"],
        )
        file.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
        r = runner.invoke(main, ["experts", "verify-draw", "--record", str(file)], env=env)
        assert r.exit_code == 1 and "✗ 保存的抽取顺序与重放一致" in r.output, r.output
        with engine.begin() as c:
            c.execute(text("UPDATE expert_invitation SET seat = seat + 1 WHERE draw_id = :d AND idx = 0"), {"d": one})
        r = runner.invoke(main, ["experts", "verify-draw", one], env=env)
        assert r.exit_code == 1 and "不一致" in r.output and "✗ 保存的抽取顺序与重放一致" in r.output, r.output
        r = runner.invoke(main, ["experts", "verify-draw", "01NOSUCHDRAW0000000000000"], env=env)
        assert r.exit_code != 0 and "未找到" in r.output

        out = tmp_path / "pool.xlsx"
        r = runner.invoke(main, ["experts", "export", str(out)], env=env)
        assert r.exit_code == 0 and "30 名专家" in r.output, r.output
        ws = load_workbook(out).worksheets[0]
        rows = list(ws.iter_rows(values_only=True))
        assert rows[0] == xlsx.HEADER and len(rows) == 31
        good = list(rows[1])
        good[6] = "正高级工程师"
        wb = Workbook()
        sheet = wb.active
        assert sheet is not None
        sheet.append(list(xlsx.HEADER))
        sheet.append(good)
        sheet.append(["nosuchuser", "", "410702", "", "", "A08.01"])
        sheet.append([good[0], "", "41070", good[3], "", "A08.01"])
        sheet.append([good[0], "", "410702", good[3], "", "Z99"])
        sheet.append([rows[2][0], "", "410702", rows[2][3], "", "A08.01", "", "", "", "2026-13-01~2026-12-02"])
        bad = tmp_path / "import.xlsx"
        wb.save(bad)
        r = runner.invoke(main, ["experts", "import", str(bad)], env=env)
        assert r.exit_code == 1, r.output
        assert "入库 1 人，有问题 4 行" in r.output
        assert "第3行：用户「nosuchuser」不存在" in r.output
        assert "第4行：行政区划代码应为6位数字" in r.output
        assert "第5行：评标专业「Z99」不在专业分类中" in r.output
        assert "第6行：日期「2026-13-01」应写作 YYYY-MM-DD" in r.output
        with engine.connect() as c:
            title = c.execute(
                text("SELECT e.title FROM expert e JOIN app_user u ON u.id = e.user_id WHERE u.username = :u"),
                {"u": good[0]},
            ).scalar()
        assert title == "正高级工程师"
    finally:
        engine.dispose()
        dbserver.drop(url)
