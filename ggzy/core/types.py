"""列类型 — column types shared by every domain: aware UTC times and Decimal money.

Money is NUMERIC(MONEY_PRECISION, MONEY_SCALE) in every table; `parse_money` is the one parser of
amounts typed by people or sent to the API, so an amount the column cannot hold is refused with a
clear message before anything is stored (SQLite would otherwise keep it as a float).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import DateTime, Dialect, Numeric
from sqlalchemy.types import TypeDecorator

from ggzy.core.errors import Invalid

MONEY_PRECISION = 18  # digits in all, as the columns are declared (NUMERIC(18, 2))
MONEY_SCALE = 2
CENT = Decimal(1).scaleb(-MONEY_SCALE)
MONEY_MAX = Decimal(10) ** (MONEY_PRECISION - MONEY_SCALE) - CENT  # 9,999,999,999,999,999.99


class UtcDateTime(TypeDecorator[datetime]):
    """Stores an aware datetime as UTC and always returns it aware (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: use the Clock")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Money(TypeDecorator[Decimal]):
    """Yuan with two places, as Decimal; floats are refused so no cent is ever rounded away."""

    impl = Numeric(MONEY_PRECISION, MONEY_SCALE, asdecimal=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if isinstance(value, float) or not isinstance(value, Decimal | int):
            raise TypeError("money must be Decimal, never float")
        d = Decimal(value)
        if not fits_money(d):
            raise ValueError(f"money does not fit NUMERIC({MONEY_PRECISION}, {MONEY_SCALE}): {d}")
        return d

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return Decimal(str(value)).quantize(CENT)


def fits_money(d: Decimal) -> bool:
    """Finite, at most two decimals, and within what the column holds (either sign)."""
    return d.is_finite() and abs(d) <= MONEY_MAX and d == d.quantize(CENT)  # `and` keeps quantize in range


def parse_money(value: object, what: str, *, allow_negative: bool = False) -> Decimal:
    """An amount of yuan, exactly: floats, more than two decimals and amounts the column cannot hold are
    refused (Invalid, 422), never rounded."""
    if isinstance(value, float):
        raise Invalid(f"{what}须以字符串或定点数给出", code="bad-amount")
    text = str(value).replace(",", "").strip()
    if len(text) > 64:
        raise Invalid(f"{what}格式不正确", code="bad-amount")
    try:
        d = Decimal(text)
    except InvalidOperation as exc:
        raise Invalid(f"{what}格式不正确", code="bad-amount") from exc
    if d.is_finite() and abs(d) > MONEY_MAX:
        raise Invalid(f"{what}超出可登记的上限（{MONEY_MAX:,.2f} 元）", code="amount-too-large")
    if not d.is_finite() or d != d.quantize(CENT) or (d < 0 and not allow_negative):
        raise Invalid(f"{what}须为非负金额，最多两位小数", code="bad-amount")
    return d
