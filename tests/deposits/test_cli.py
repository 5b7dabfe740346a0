"""`ggzy deposits import | reconcile | daily-report` on a database of its own."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from click.testing import CliRunner
from openpyxl import load_workbook

from ggzy.cli import main
from ggzy.core.clock import SHANGHAI, FixedClock
from ggzy.core.db import Database
from ggzy.entities.service import Identity
from tests.deposits.builders import a_desk

HEADER = "交易流水号,交易时间,收款子账号,付款账号,付款户名,金额"


def test_import_then_reconcile_then_report(
    fresh_db: Database, clock: FixedClock, ident: Identity, tmp_path: Path
) -> None:
    with fresh_db.unit_of_work() as s:
        desk = a_desk(s, clock, ident, bidders=2)
        rows = [(desk.subs[p.user.org_id or ""].number, desk.basic[p.user.org_id or ""]) for p in desk.bidders]
    t = clock.now().astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")
    good = tmp_path / "good.csv"
    good.write_text(
        "\n".join([HEADER, *(f"D{i},{t},{sub},{acc},投标人,20000.00" for i, (sub, acc) in enumerate(rows))]),
        encoding="utf-8",
    )
    env = {"GGZY_DATABASE_URL": fresh_db.url or "", "GGZY_VAR_DIR": str(tmp_path / "var")}
    runner = CliRunner()
    r = runner.invoke(main, ["deposits", "import", str(good)], env=env)
    assert r.exit_code == 0 and "入账 2 笔" in r.output, r.output
    r = runner.invoke(main, ["deposits", "reconcile", str(good)], env=env)
    assert r.exit_code == 0 and "差异 0 处" in r.output and "平衡" in r.output, r.output
    off = tmp_path / "off.csv"
    sub, acc = rows[0]
    off.write_text(f"{HEADER}\nD0,{t},{sub},{acc},投标人,2000.00\nD7,{t},{sub},{acc},投标人,1.00\n", encoding="utf-8")
    r = runner.invoke(main, ["deposits", "reconcile", str(off)], env=env)
    assert r.exit_code == 1 and "差异 3 处" in r.output and "D1\tledger-only" in r.output, r.output
    out = tmp_path / "daily.xlsx"
    day = clock.now().astimezone(SHANGHAI).date().isoformat()
    r = runner.invoke(main, ["deposits", "daily-report", "--date", day, "--out", str(out)], env=env)
    assert r.exit_code == 0, r.output
    ws = load_workbook(out).active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values[0][0] == "子账号" and len(values) == 3
    assert [(Decimal(str(v[3])), Decimal(str(v[4])), Decimal(str(v[6]))) for v in values[1:]] == [
        (Decimal(0), Decimal(20000), Decimal(20000))
    ] * 2
