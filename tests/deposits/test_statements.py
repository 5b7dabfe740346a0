"""Statements: imported row by row (good rows booked, bad rows reported and kept), and reconciled with the ledger."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy.orm import Session

from ggzy.core.clock import SHANGHAI, FixedClock
from ggzy.core.errors import Invalid
from ggzy.deposits import ledger, service, statements
from ggzy.deposits.models import StatementRow
from ggzy.deposits.states import AccountKind
from ggzy.entities.service import Identity
from tests.deposits.builders import a_desk, a_payment

HEADER = "交易流水号,交易时间,收款子账号,付款账号,付款户名,金额"


def test_good_rows_are_booked_and_bad_rows_reported_with_their_row(
    session: Session, clock: FixedClock, ident: Identity, tmp_path: Path
) -> None:
    desk = a_desk(session, clock, ident, bidders=2)
    a, b = (desk.subs[p.user.org_id or ""].number for p in desk.bidders)
    pa, pb = (desk.basic[p.user.org_id or ""] for p in desk.bidders)
    f = tmp_path / "statement.csv"
    f.write_text(
        "\n".join(
            [
                HEADER,
                f"T1,2026-11-26 10:00:00,{a},{pa},甲公司,20000.00",
                f"T2,2026-11-26 10:01:00,{b},{pb},乙公司,20000.001",
                f"T3,昨天,{b},{pb},乙公司,20000.00",
                f"T4,2026-11-26 10:03:00,6217999999999999999,{pb},乙公司,1.00",
                f'T5,2026/11/26 10:04:00,{b},{pb},乙公司,"20,000.00"',
                "",
            ]
        ),
        encoding="utf-8",
    )
    report = statements.import_statement(session, f, clock=clock)
    assert report.booked == 2
    assert [(e.row, e.reason[:4]) for e in report.errors] == [
        (3, "金额最多"),
        (4, "交易时间"),
        (5, "未知的保"),
    ]
    assert session.query(StatementRow).count() == 3
    assert ledger.balance(session, AccountKind.BANK, desk.section.id) == 4_000_000
    again = statements.import_statement(session, f, clock=clock)
    assert again.booked == 0 and again.already == 2


def test_an_xlsx_statement_in_gb_columns_imports(
    session: Session, clock: FixedClock, ident: Identity, tmp_path: Path
) -> None:
    desk = a_desk(session, clock, ident, bidders=1)
    p = desk.bidders[0]
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER.split(","))
    ws.append(
        [
            "X1",
            "2026年11月26日 10:00:00",
            desk.subs[p.user.org_id or ""].number,
            desk.basic[p.user.org_id or ""],
            "甲",
            "20000",
        ]
    )
    f = tmp_path / "s.xlsx"
    wb.save(f)
    assert statements.import_statement(session, f, clock=clock).booked == 1


def test_a_statement_missing_a_column_is_refused_whole(session: Session, clock: FixedClock, tmp_path: Path) -> None:
    f = tmp_path / "s.csv"
    f.write_text("交易流水号,金额\nT1,1.00\n", encoding="utf-8")
    with pytest.raises(Invalid, match="缺少列"):
        statements.import_statement(session, f, clock=clock)


def test_reconcile_lists_every_difference(session: Session, clock: FixedClock, ident: Identity, tmp_path: Path) -> None:
    desk = a_desk(session, clock, ident, bidders=3)
    x, y, z = desk.bidders
    for who, txn in ((x, "R1"), (y, "R2"), (z, "R3")):
        service.record_payment(session, a_payment(desk, who, txn=txn, at=clock.now()), source="callback", clock=clock)
    sub_x = desk.subs[x.user.org_id or ""].number
    sub_y = desk.subs[y.user.org_id or ""].number
    t = clock.now().astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")
    f = tmp_path / "s.csv"
    f.write_text(
        "\n".join(
            [
                HEADER,
                f"R1,{t},{sub_x},{desk.basic[x.user.org_id or '']},甲,20000.00",
                f"R2,{t},{sub_y},{desk.basic[y.user.org_id or '']},乙,19999.00",
                f"R9,{t},{sub_y},{desk.basic[y.user.org_id or '']},乙,5.00",
            ]
        ),
        encoding="utf-8",
    )
    diffs = statements.reconcile(session, f)
    assert [(d.txn, d.kind) for d in diffs] == [("R2", "amount"), ("R9", "bank-only"), ("R3", "ledger-only")]
