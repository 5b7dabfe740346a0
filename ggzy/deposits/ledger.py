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
    return _digest_of(kind, [(leg.code, leg.amount_fen) for leg in legs])


def _digest_of(kind: str, coded: Sequence[tuple[str, int]]) -> str:
    """The digest of (kind, postings): canonical JSON of the kind and the sorted (code, fen) pairs, hashed."""
    for _, fen in coded:
        if type(fen) is not int:  # the float walk of canonical.dumps, for the only non-string values here
            raise Invalid("分录金额须为整数分")
    body = {"kind": kind, "legs": sorted([code, fen] for code, fen in coded)}
    return hashlib.sha256(canonical.dumpb_trusted(body)).hexdigest()


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


def _accounts(session: Session, wanted: dict[str, Leg]) -> dict[str, int]:
    """Account ids by code, opening the missing ones in one statement (a concurrent opener's rows are reused)."""
    found = _account_ids(session, list(wanted))
    missing = [
        {"code": c, "kind": leg.kind.value, "section_id": leg.section_id, "org_id": leg.org_id}
        for c, leg in wanted.items()
        if c not in found
    ]
    if missing:
        session.execute(_insert(session)(LedgerAccount).values(missing).on_conflict_do_nothing())
        found.update(_account_ids(session, [str(m["code"]) for m in missing]))
    return found


def _account_ids(session: Session, codes: list[str]) -> dict[str, int]:
    if session.get_bind().dialect.name == "postgresql":  # one array parameter, however many codes
        sql = "SELECT code, id FROM deposit_account WHERE code = ANY(%s::text[])"
        return {str(c): int(i) for c, i in session.connection().exec_driver_sql(sql, (codes,))}
    stmt = select(LedgerAccount.code, LedgerAccount.id).where(LedgerAccount.code.in_(codes))
    return {c: int(i) for c, i in session.execute(stmt)}


def post_many(session: Session, transfers: Sequence[Transfer], *, clock: Clock) -> list[tuple[int, bool]]:
    """Write many balanced entries in a few statements; (entry id, created) for each, in order.

    The same rules as `post`, checked for the whole batch before anything is written: every entry
    balanced, no zero leg, a key already used (in the journal, or earlier in this batch) must carry the
    same postings — else the whole batch is refused and nothing of it is written. On PostgreSQL the
    batch is one statement after the accounts are looked up (`_write_pg`); elsewhere a few executemany.
    """
    digests: dict[str, str] = {}
    fresh: dict[str, tuple[Transfer, list[tuple[str, int]]]] = {}
    wanted: dict[str, Leg] = {}
    for t in transfers:
        coded = [(leg.code, leg.amount_fen) for leg in t.legs]
        if len(coded) < 2 or sum(fen for _, fen in coded) != 0:
            raise Invalid(f"借贷不平衡：每笔记账的分录合计必须为零（{t.key}）")
        if any(fen == 0 for _, fen in coded):
            raise Invalid(f"分录金额不能为零（{t.key}）")
        d = _digest_of(t.kind, coded)
        if digests.setdefault(t.key, d) != d:
            raise Conflict(f"幂等键 {t.key} 在同一批中用于两笔不同的记账，拒绝执行", code="idempotency-mismatch")
        if t.key not in fresh:
            fresh[t.key] = (t, coded)
            for leg, (code, _) in zip(t.legs, coded, strict=True):
                wanted.setdefault(code, leg)
    if not transfers:
        return []
    accounts = _accounts(session, wanted)
    if session.get_bind().dialect.name == "postgresql":
        ids, before = _write_pg(session, fresh, digests, accounts, clock)
    else:
        ids, before = _write(session, fresh, digests, accounts, clock)
    out: list[tuple[int, bool]] = []
    seen: set[str] = set()
    for t in transfers:
        if t.key in ids and t.key not in seen:
            out.append((ids[t.key], True))
        else:
            out.append((ids[t.key] if t.key in ids else before[t.key], False))
        seen.add(t.key)
    return out


Fresh = dict[str, tuple[Transfer, list[tuple[str, int]]]]


def _mismatch(key: str) -> Conflict:
    return Conflict(f"幂等键 {key} 已用于另一笔金额或账户不同的记账，拒绝执行", code="idempotency-mismatch")


def _known(session: Session, keys: Iterable[str]) -> dict[str, tuple[int, str]]:
    rows = session.execute(
        select(JournalEntry.idempotency_key, JournalEntry.id, JournalEntry.digest).where(
            JournalEntry.idempotency_key.in_(list(keys))
        )
    )
    return {k: (i, dg) for k, i, dg in rows}


def _check_raced(session: Session, raced: list[str], digests: dict[str, str], before: dict[str, int]) -> None:
    """Keys a concurrent writer took between our read and our insert: theirs stand if they mean the same transfer."""
    if not raced:
        return
    for k, (i, dg) in _known(session, raced).items():
        if dg != digests[k]:
            raise _mismatch(k)
        before[k] = i


def _write(
    session: Session, fresh: Fresh, digests: dict[str, str], accounts: dict[str, int], clock: Clock
) -> tuple[dict[str, int], dict[str, int]]:
    """Any database: read the keys already used, insert the new entries (executemany), then their postings."""
    before: dict[str, int] = {}
    for k, (i, dg) in _known(session, fresh).items():
        if dg != digests[k]:
            raise _mismatch(k)
        before[k] = i
    new = {k: v for k, v in fresh.items() if k not in before}
    ids: dict[str, int] = {}
    if new:
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
                "idempotency_key": k,
                "digest": digests[k],
                "kind": t.kind,
                "section_id": t.section_id,
                "memo": t.memo,
                "at": now,
            }
            for k, (t, _) in new.items()
        ]
        ids = dict(conn.execute(stmt, rows).all())
        _check_raced(session, [k for k in new if k not in ids], digests, before)
        conn.execute(
            insert(Posting),
            [
                {"entry_id": ids[k], "account_id": accounts[code], "amount_fen": fen}
                for k in ids
                for code, fen in new[k][1]
            ],
        )
    return ids, before


# One statement for a whole batch on PostgreSQL: the input travels as arrays (no per-row parameters to parse), the
# journal's existing rows for these keys are read in the same snapshot, nothing is inserted if any of them means a
# different transfer, entries whose key is taken meanwhile are skipped (ON CONFLICT DO NOTHING), and the postings
# of the inserted entries follow from the INSERT's RETURNING — no savepoint, no second round trip.
_BATCH_SQL = """
WITH input ("key", digest, kind, section_id, memo, "at") AS (
    SELECT k, d, t, s, m, %b::timestamptz FROM unnest(%b::text[], %b::text[], %b::text[], %b::text[], %b::text[])
        AS u (k, d, t, s, m)
),
clash AS (  -- by the unique index, one probe per key (never a scan of the journal)
    SELECT e.idempotency_key AS "key", e.id, e.digest, e.digest <> i.digest AS differs
    FROM input i CROSS JOIN LATERAL (
        SELECT idempotency_key, id, digest FROM deposit_entry WHERE idempotency_key = i."key" OFFSET 0
    ) AS e  -- OFFSET 0 keeps the subquery a per-key index probe whatever the table's statistics say
),
ins AS (
    INSERT INTO deposit_entry (idempotency_key, digest, kind, section_id, memo, "at")
    SELECT "key", digest, kind, section_id, memo, "at" FROM input
    WHERE NOT EXISTS (SELECT 1 FROM clash WHERE differs)
    ORDER BY "key"  -- concurrent batches take the keys in one order: they wait for each other, never deadlock
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING idempotency_key AS "key", id
),
legs ("key", account_id, amount_fen) AS (
    SELECT * FROM unnest(%b::text[], %b::int[], %b::bigint[])
),
posted AS (
    INSERT INTO deposit_posting (entry_id, account_id, amount_fen)
    SELECT ins.id, legs.account_id, legs.amount_fen FROM legs JOIN ins ON ins."key" = legs."key"
)
SELECT true, "key", id, '' FROM ins
UNION ALL
SELECT false, "key", id, digest FROM clash
"""


def _write_pg(
    session: Session, fresh: Fresh, digests: dict[str, str], accounts: dict[str, int], clock: Clock
) -> tuple[dict[str, int], dict[str, int]]:
    now = clock.now()
    keys = list(fresh)
    leg_keys: list[str] = []
    leg_accounts: list[int] = []
    leg_fen: list[int] = []
    for k, (_, coded) in fresh.items():
        for code, fen in coded:
            leg_keys.append(k)
            leg_accounts.append(accounts[code])
            leg_fen.append(fen)
    params = (  # binary parameters (%b): arrays travel without text quoting
        now,
        keys,
        [digests[k] for k in keys],
        [t.kind for t, _ in fresh.values()],
        [t.section_id for t, _ in fresh.values()],
        [t.memo for t, _ in fresh.values()],
        leg_keys,
        leg_accounts,
        leg_fen,
    )
    ids: dict[str, int] = {}
    before: dict[str, int] = {}
    for created, k, i, dg in session.connection().exec_driver_sql(_BATCH_SQL, params):
        if created:
            ids[k] = i
        elif dg != digests[k]:
            raise _mismatch(k)  # and nothing of the batch was inserted
        else:
            before[k] = i
    _check_raced(session, [k for k in keys if k not in ids and k not in before], digests, before)
    return ids, before


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
