"""分户账 — the double-entry journal: accounts by code, balanced entries, derived balances.

An entry is a list of postings in fen whose sum is zero; it is written once under its idempotency
key. The same key again with the same postings returns the first entry; with other postings it is
refused, so a retried request can never move money twice nor quietly move a different amount.
Nothing here updates or deletes a row (the migration's triggers refuse it as for the event log).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Table, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ggzy.core import canonical
from ggzy.core.clock import Clock
from ggzy.core.errors import Conflict, Invalid
from ggzy.deposits.models import JournalEntry, LedgerAccount, Posting
from ggzy.deposits.states import AccountKind

FEN = Decimal("0.01")


def to_fen(yuan: Decimal | str | int) -> int:
    """Yuan to fen, refusing floats, more than two places and non-numbers."""
    if isinstance(yuan, float):
        raise Invalid("金额须为十进制数，不接受浮点数")
    try:
        d = Decimal(str(yuan).strip().replace(",", ""))
    except ArithmeticError as e:
        raise Invalid(f"金额格式不正确：{yuan}") from e
    if not d.is_finite():
        raise Invalid(f"金额格式不正确：{yuan}")
    if d != d.quantize(FEN):
        raise Invalid(f"金额最多保留两位小数（元、角、分）：{yuan}")
    return int(d * 100)


def to_yuan(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(FEN)


def account_code(kind: AccountKind, section_id: str | None = None, org_id: str | None = None) -> str:
    return ":".join(p for p in (kind.value, section_id, org_id) if p)


@dataclass(frozen=True)
class Leg:
    kind: AccountKind
    section_id: str | None
    org_id: str | None
    amount_fen: int

    @property
    def code(self) -> str:
        return account_code(self.kind, self.section_id, self.org_id)


def account(session: Session, kind: AccountKind, section_id: str | None, org_id: str | None) -> LedgerAccount:
    """The account of that code, opened on first use (a concurrent opener's row is reused)."""
    code = account_code(kind, section_id, org_id)
    found = session.execute(select(LedgerAccount).where(LedgerAccount.code == code)).scalar_one_or_none()
    if found is not None:
        return found
    acc = LedgerAccount(code=code, kind=kind.value, section_id=section_id, org_id=org_id)
    try:
        with session.begin_nested():
            session.add(acc)
            session.flush()
    except IntegrityError:
        return session.execute(select(LedgerAccount).where(LedgerAccount.code == code)).scalar_one()
    return acc


def _digest(kind: str, legs: Sequence[Leg]) -> str:
    body = {"kind": kind, "legs": sorted([leg.code, leg.amount_fen] for leg in legs)}
    return hashlib.sha256(canonical.dumps(body).encode()).hexdigest()


def post(
    session: Session,
    *,
    key: str,
    kind: str,
    legs: Sequence[Leg],
    clock: Clock,
    section_id: str | None = None,
    memo: str = "",
) -> tuple[JournalEntry, bool]:
    """Write one balanced entry under `key`; returns (entry, created). A replay returns (first entry, False)."""
    if len(legs) < 2 or sum(leg.amount_fen for leg in legs) != 0:
        raise Invalid("借贷不平衡：每笔记账的分录合计必须为零")
    if any(leg.amount_fen == 0 for leg in legs):
        raise Invalid("分录金额不能为零")
    digest = _digest(kind, legs)
    existing = session.execute(select(JournalEntry).where(JournalEntry.idempotency_key == key)).scalar_one_or_none()
    if existing is not None:
        return _same(existing, digest, key), False
    entry = JournalEntry(
        idempotency_key=key, digest=digest, kind=kind, section_id=section_id, memo=memo, at=clock.now()
    )
    try:
        with session.begin_nested():
            session.add(entry)
            session.flush()
    except IntegrityError:
        # A concurrent writer took the key first: theirs is the entry.
        existing = session.execute(select(JournalEntry).where(JournalEntry.idempotency_key == key)).scalar_one()
        return _same(existing, digest, key), False
    accounts = {leg.code: account(session, leg.kind, leg.section_id, leg.org_id) for leg in legs}
    session.add_all(
        Posting(entry_id=entry.id, account_id=accounts[leg.code].id, amount_fen=leg.amount_fen) for leg in legs
    )
    session.flush()
    return entry, True


@dataclass(frozen=True)
class Transfer:
    """One entry of a batch for `post_many`."""

    key: str
    kind: str
    legs: Sequence[Leg]
    section_id: str | None = None
    memo: str = ""


def _insert(session: Session) -> Any:
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def _accounts(session: Session, legs: Iterable[Leg]) -> dict[str, int]:
    """Account ids by code, opening the missing ones in one statement (a concurrent opener's rows are reused)."""
    wanted = {leg.code: leg for leg in legs}
    found: dict[str, int] = dict(
        session.execute(select(LedgerAccount.code, LedgerAccount.id).where(LedgerAccount.code.in_(wanted))).all()
    )
    missing = [
        {"code": c, "kind": leg.kind.value, "section_id": leg.section_id, "org_id": leg.org_id}
        for c, leg in wanted.items()
        if c not in found
    ]
    if missing:
        session.execute(_insert(session)(LedgerAccount).values(missing).on_conflict_do_nothing())
        codes = [m["code"] for m in missing]
        found.update(
            dict(
                session.execute(select(LedgerAccount.code, LedgerAccount.id).where(LedgerAccount.code.in_(codes))).all()
            )
        )
    return found


def post_many(session: Session, transfers: Sequence[Transfer], *, clock: Clock) -> list[tuple[int, bool]]:
    """Write many balanced entries in a few statements; (entry id, created) for each, in order.

    The same rules as `post`, checked for the whole batch before anything is written: every entry
    balanced, no zero leg, a key already used (in the journal, or earlier in this batch) must carry the
    same postings — else the whole batch is refused and nothing of it is written.
    """
    digests: dict[str, str] = {}
    for t in transfers:
        if len(t.legs) < 2 or sum(leg.amount_fen for leg in t.legs) != 0:
            raise Invalid(f"借贷不平衡：每笔记账的分录合计必须为零（{t.key}）")
        if any(leg.amount_fen == 0 for leg in t.legs):
            raise Invalid(f"分录金额不能为零（{t.key}）")
        d = _digest(t.kind, t.legs)
        if digests.setdefault(t.key, d) != d:
            raise Conflict(f"幂等键 {t.key} 在同一批中用于两笔不同的记账，拒绝执行", code="idempotency-mismatch")
    if not transfers:
        return []

    def known(keys: Iterable[str]) -> dict[str, tuple[int, str]]:
        rows = session.execute(
            select(JournalEntry.idempotency_key, JournalEntry.id, JournalEntry.digest).where(
                JournalEntry.idempotency_key.in_(list(keys))
            )
        )
        return {k: (i, dg) for k, i, dg in rows}

    before = known(digests)
    for k, (_, dg) in before.items():
        if dg != digests[k]:
            raise Conflict(f"幂等键 {k} 已用于另一笔金额或账户不同的记账，拒绝执行", code="idempotency-mismatch")
    fresh = {t.key: t for t in transfers if t.key not in before}
    ids: dict[str, int] = {}
    if fresh:
        now = clock.now()
        conn = session.connection()  # Core executemany: one round of "insertmanyvalues" batches, no ORM objects
        entries = cast(Table, JournalEntry.__table__)
        stmt = (
            _insert(session)(entries)
            .on_conflict_do_nothing(index_elements=["idempotency_key"])
            .returning(entries.c.idempotency_key, entries.c.id)
        )
        rows = [
            {
                "idempotency_key": t.key,
                "digest": digests[t.key],
                "kind": t.kind,
                "section_id": t.section_id,
                "memo": t.memo,
                "at": now,
            }
            for t in fresh.values()
        ]
        ids = dict(conn.execute(stmt, rows).all())
        raced = [k for k in fresh if k not in ids]  # a concurrent writer took these keys first: theirs stand
        for k, (i, dg) in known(raced).items():
            if dg != digests[k]:
                raise Conflict(f"幂等键 {k} 已用于另一笔金额或账户不同的记账，拒绝执行", code="idempotency-mismatch")
            before[k] = (i, dg)
        accounts = _accounts(session, (leg for k in ids for leg in fresh[k].legs))
        conn.execute(
            insert(Posting),
            [
                {"entry_id": ids[k], "account_id": accounts[leg.code], "amount_fen": leg.amount_fen}
                for k in ids
                for leg in fresh[k].legs
            ],
        )
    out: list[tuple[int, bool]] = []
    seen: set[str] = set()
    for t in transfers:
        if t.key in ids and t.key not in seen:
            out.append((ids[t.key], True))
        else:
            out.append((ids[t.key] if t.key in ids else before[t.key][0], False))
        seen.add(t.key)
    return out


def _same(existing: JournalEntry, digest: str, key: str) -> JournalEntry:
    if existing.digest != digest:
        raise Conflict(f"幂等键 {key} 已用于另一笔金额或账户不同的记账，拒绝执行", code="idempotency-mismatch")
    return existing


def balance(session: Session, kind: AccountKind, section_id: str | None = None, org_id: str | None = None) -> int:
    """Debit-positive balance in fen (liabilities come out negative)."""
    code = account_code(kind, section_id, org_id)
    stmt = (
        select(func.coalesce(func.sum(Posting.amount_fen), 0))
        .join(LedgerAccount, LedgerAccount.id == Posting.account_id)
        .where(LedgerAccount.code == code)
    )
    return int(session.execute(stmt).scalar_one())


def balances(session: Session, *, section_id: str | None = None) -> dict[str, int]:
    stmt = (
        select(LedgerAccount.code, func.coalesce(func.sum(Posting.amount_fen), 0))
        .join(Posting, Posting.account_id == LedgerAccount.id, isouter=True)
        .group_by(LedgerAccount.code)
    )
    if section_id is not None:
        stmt = stmt.where(LedgerAccount.section_id == section_id)
    return {code: int(total) for code, total in session.execute(stmt)}


def trial_balance(session: Session) -> int:
    """The sum of every posting: zero in a sound ledger, whatever happened."""
    return int(session.execute(select(func.coalesce(func.sum(Posting.amount_fen), 0))).scalar_one())


def unbalanced_entries(session: Session) -> list[int]:
    """Entries whose own postings do not sum to zero (a tampered or half-written entry)."""
    stmt = select(Posting.entry_id).group_by(Posting.entry_id).having(func.sum(Posting.amount_fen) != 0)
    return [int(x) for x in session.execute(stmt).scalars()]


def entries_of(session: Session, keys: Iterable[str]) -> list[JournalEntry]:
    return list(session.execute(select(JournalEntry).where(JournalEntry.idempotency_key.in_(list(keys)))).scalars())
