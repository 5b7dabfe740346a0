"""银行对账单 — statement files (CSV or .xlsx) imported row by row, and reconciled with the ledger.

A statement row that cannot be read or matched is reported with its row number and reason and kept
for review; the good rows are booked, each on its own (a bad row never undoes a good one), and a
row already booked from the callback is recognised by the bank's transaction id.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ggzy.core.clock import SHANGHAI, Clock
from ggzy.core.errors import DomainError, Invalid
from ggzy.deposits import ledger
from ggzy.deposits.models import Payment, StatementRow
from ggzy.deposits.service import BankPayment, record_payment

COLUMNS = {
    "交易流水号": "txn",
    "交易时间": "at",
    "收款子账号": "sub_account",
    "付款账号": "payer_account",
    "付款户名": "payer_name",
    "金额": "amount",
}
TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y年%m月%d日 %H:%M:%S", "%Y%m%d%H%M%S")


@dataclass
class RowError:
    row: int
    reason: str
    text: str


@dataclass
class ImportReport:
    booked: int = 0
    already: int = 0
    errors: list[RowError] = field(default_factory=list)


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number as a person counts it, the row by our field names); header names are the bank's."""
    if path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True, data_only=True)
        rows = [["" if c is None else str(c) for c in r] for r in wb.active.iter_rows(values_only=True)]
    else:
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("gb18030")
        rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise Invalid("对账单为空")
    header = [h.strip() for h in rows[0]]
    missing = [name for name in COLUMNS if name not in header]
    if missing:
        raise Invalid(f"对账单缺少列：{'、'.join(missing)}（应有：{'、'.join(COLUMNS)}）")
    index = {COLUMNS[h]: i for i, h in enumerate(header) if h in COLUMNS}
    for n, r in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in r):
            continue
        yield n, {k: (r[i].strip() if i < len(r) else "") for k, i in index.items()}


def parse_time(text: str) -> datetime:
    for fmt in TIME_FORMATS:
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=SHANGHAI)
        except ValueError:
            continue
    raise Invalid(f"交易时间无法识别：{text}")


def to_payment(row: dict[str, str]) -> BankPayment:
    if not row["txn"]:
        raise Invalid("缺少交易流水号")
    ledger.to_fen(row["amount"])  # refuses malformed amounts before anything else
    return BankPayment(
        bank_txn_id=row["txn"],
        sub_account=row["sub_account"],
        payer_account=row["payer_account"],
        payer_name=row["payer_name"],
        amount=row["amount"],
        paid_at=parse_time(row["at"]),
    )


def import_statement(session: Session, path: Path, *, clock: Clock) -> ImportReport:
    report = ImportReport()
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    for n, row in read_rows(path):
        try:
            with session.begin_nested():
                _, created = record_payment(session, to_payment(row), source="statement", clock=clock)
            if created:
                report.booked += 1
            else:
                report.already += 1
        except DomainError as e:
            report.errors.append(RowError(n, e.message, ",".join(row.values())))
            session.add(
                StatementRow(
                    file_digest=digest,
                    row=n,
                    text=",".join(row.values())[:1000],
                    reason=e.message[:300],
                    at=clock.now(),
                )
            )
    session.flush()
    return report


@dataclass(frozen=True)
class Difference:
    txn: str
    kind: str  # bank-only | ledger-only | amount
    detail: str


def reconcile(session: Session, path: Path) -> list[Difference]:
    """Every difference between a statement's incoming payments and the ledger's, for the statement's period."""
    bank: dict[str, tuple[int, datetime]] = {}
    out: list[Difference] = []
    for n, row in read_rows(path):
        try:
            p = to_payment(row)
        except DomainError as e:
            out.append(Difference(row.get("txn", ""), "unreadable", f"第{n}行：{e.message}"))
            continue
        bank[p.bank_txn_id] = (ledger.to_fen(p.amount), p.paid_at)
    if not bank:
        return out
    start = min(at for _, at in bank.values())
    end = max(at for _, at in bank.values())
    ours = {
        p.bank_txn_id: p
        for p in session.execute(select(Payment).order_by(Payment.bank_txn_id)).scalars()
        if start <= p.paid_at <= end
    }
    for txn, (fen, _) in sorted(bank.items()):
        mine = ours.get(txn) or session.get(Payment, txn)
        if mine is None:
            out.append(Difference(txn, "bank-only", f"银行有到账 {ledger.to_yuan(fen)} 元，平台未入账"))
        elif mine.amount_fen != fen:
            out.append(
                Difference(
                    txn, "amount", f"金额不符：银行 {ledger.to_yuan(fen)} 元，平台 {ledger.to_yuan(mine.amount_fen)} 元"
                )
            )
    for txn, mine in sorted(ours.items()):
        if txn not in bank:
            out.append(Difference(txn, "ledger-only", f"平台已入账 {ledger.to_yuan(mine.amount_fen)} 元，对账单无此笔"))
    return out
