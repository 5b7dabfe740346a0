"""Storage settings and column types: WAL and foreign keys on SQLite, aware UTC times, Decimal money."""

from __future__ import annotations

import stat
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Column, MetaData, Table, func, insert, select, text
from sqlalchemy.exc import StatementError

from ggzy.core.config import Settings
from ggzy.core.db import Database, make_engine, normalise_url
from ggzy.core.keys import load_keys
from ggzy.core.types import Money, UtcDateTime


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as c:
        assert c.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert c.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()


def test_plain_postgresql_urls_use_psycopg_3() -> None:
    assert normalise_url("postgresql://postgres@127.0.0.1:5432/x").startswith("postgresql+psycopg://")


def test_the_default_database_is_a_sqlite_file_in_var(tmp_path: Path) -> None:
    s = Settings(var_dir=tmp_path)
    assert s.resolved_database_url() == f"sqlite:///{tmp_path.as_posix()}/ggzy.db"


def test_money_is_decimal_and_floats_are_refused(db: Database) -> None:
    t = Table("t_money", MetaData(), Column("v", Money()), Column("at", UtcDateTime()))
    with db.unit_of_work() as s:
        t.create(s.connection())
        s.execute(insert(t), [{"v": Decimal("12345678901234.56"), "at": datetime(2026, 1, 1).astimezone()}])
        v, at = s.execute(select(t.c.v, t.c.at)).one()
        assert v == Decimal("12345678901234.56") and isinstance(v, Decimal)
        assert at.tzinfo is not None and at.utcoffset().total_seconds() == 0
        for bad, error in ((1.5, TypeError), (Decimal("0.001"), ValueError), ("1e3", TypeError)):
            with pytest.raises(StatementError) as info:  # SQLAlchemy wraps what the column type raised
                s.execute(insert(t), [{"v": bad, "at": None}])
            assert type(info.value.orig) is error, (bad, info.value.orig)
        with pytest.raises(StatementError, match="naive") as naive:
            s.execute(insert(t), [{"v": None, "at": datetime(2026, 1, 1)}])
        assert type(naive.value.orig) is ValueError
        assert s.execute(select(func.count()).select_from(t)).scalar() == 1  # nothing bad was stored
        t.drop(s.connection())


def test_secrets_are_created_owner_only_and_kept(tmp_path: Path) -> None:
    var = tmp_path / "var"
    keys = load_keys(var)
    assert stat.S_IMODE(var.stat().st_mode) == 0o700
    for f in ("secret.key", "log-signing.key"):
        assert stat.S_IMODE((var / f).stat().st_mode) == 0o600
    again = load_keys(var)
    assert again.log_public_raw() == keys.log_public_raw()
    assert again.derive("a") == keys.derive("a") != keys.derive("b")
    for shown in (repr(keys), str(keys)):
        assert keys.master.hex() not in shown and repr(keys.master) not in shown
        assert "master" not in shown and "log_private" not in shown
