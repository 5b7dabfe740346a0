"""保证金日报 — per sub-account: opening balance, money in, money out, closing balance, for one Beijing day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ggzy.core.clock import SHANGHAI
from ggzy.deposits import ledger
from ggzy.deposits.models import Payment, Refund, SubAccount
from ggzy.deposits.states import RefundStatus


@dataclass(frozen=True)
class DailyRow:
    sub_account: str
    section_id: str
    org_id: str
    opening: Decimal
    money_in: Decimal
    money_out: Decimal
    closing: Decimal


def daily(session: Session, day: date) -> list[DailyRow]:
    start = datetime.combine(day, time(0), tzinfo=SHANGHAI)
    end = start + timedelta(days=1)
    out = []
    for sub in session.execute(select(SubAccount).order_by(SubAccount.number)).scalars():
        pays = session.execute(
            select(Payment.amount_fen, Payment.paid_at).where(Payment.sub_account == sub.number)
        ).all()
        refs = session.execute(
            select(Refund.principal_fen + Refund.interest_fen, Refund.confirmed_at).where(
                Refund.section_id == sub.section_id,
                Refund.org_id == sub.org_id,
                Refund.status == RefundStatus.CONFIRMED.value,
            )
        ).all()
        before = sum(a for a, at in pays if at < start) - sum(a for a, at in refs if at is not None and at < start)
        inflow = sum(a for a, at in pays if start <= at < end)
        outflow = sum(a for a, at in refs if at is not None and start <= at < end)
        out.append(
            DailyRow(
                sub.number,
                sub.section_id,
                sub.org_id,
                ledger.to_yuan(before),
                ledger.to_yuan(inflow),
                ledger.to_yuan(outflow),
                ledger.to_yuan(before + inflow - outflow),
            )
        )
    return out


HEADER = ("子账号", "标段", "投标人", "期初余额（元）", "当日收入（元）", "当日支出（元）", "期末余额（元）")


def write_xlsx(rows: list[DailyRow], path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "保证金日报"
    ws.append(list(HEADER))
    for r in rows:
        ws.append([r.sub_account, r.section_id, r.org_id, r.opening, r.money_in, r.money_out, r.closing])
    wb.save(path)
