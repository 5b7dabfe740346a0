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


class _NoFloat(json.JSONEncoder):
    def iterencode(self, o: Any, _one_shot: bool = False) -> Any:
        _refuse_floats(o)
        return super().iterencode(o, _one_shot)


def _refuse_floats(o: Any) -> None:
    if isinstance(o, float):
        raise TypeError("floats are not allowed in hashed documents (use Decimal or str)")
    if isinstance(o, dict):
        for v in o.values():
            _refuse_floats(v)
    elif isinstance(o, list | tuple):
        for v in o:
            _refuse_floats(v)


def dumps(obj: Any) -> str:
    return json.dumps(obj, cls=_NoFloat, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_default)


def dumpb(obj: Any) -> bytes:
    return dumps(obj).encode()
