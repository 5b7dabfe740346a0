"""规范化 JSON — one byte form for hashing: sorted keys, no spaces, UTF-8, no floats."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any


def _default(o: Any) -> Any:
    if isinstance(o, Decimal):
        return str(o)
    if isinstance(o, datetime):
        if o.tzinfo is None:
            raise TypeError("naive datetime in a hashed document")
        return o.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(o, date):
        return o.isoformat()
    if isinstance(o, Enum):
        return o.value
    if isinstance(o, bytes):
        return o.hex()
    if isinstance(o, set | frozenset):
        return sorted(o)
    raise TypeError(f"cannot hash a {type(o).__name__}")


def _refuse_floats(o: Any) -> None:
    """Walk values, dict keys and set members: json would write a float key as "1.5" and a float in a set as 1.5."""
    if isinstance(o, float):
        raise TypeError("floats are not allowed in hashed documents (use Decimal or str)")
    if isinstance(o, dict):
        for k, v in o.items():
            if isinstance(k, float):
                raise TypeError("floats are not allowed as keys in hashed documents (use Decimal or str)")
            if type(v) not in _SCALARS:
                _refuse_floats(v)
    elif isinstance(o, list | tuple | set | frozenset):
        for v in o:
            if type(v) not in _SCALARS:
                _refuse_floats(v)


_SCALARS = frozenset({str, int, bool, type(None)})
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_default)


def dumps(obj: Any) -> str:
    _refuse_floats(obj)
    return _ENCODER.encode(obj)


def dumpb_trusted(obj: Any) -> bytes:
    """For documents built here from typed fields only (no floats possible): skip the float walk."""
    return _ENCODER.encode(obj).encode()


def dumpb(obj: Any) -> bytes:
    return dumps(obj).encode()
