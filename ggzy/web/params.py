"""请求参数 — bounded integer types for query and path parameters.

Every integer a caller may send is bounded here, so no number reaches the database that its
column cannot hold (SQLite and PostgreSQL integers are 64-bit signed: ≥ 2^63 raised an overflow
deep inside the driver). A route declares its integers with these types; tests/web/test_params.py
walks every route and fails on an unbounded `int`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

INT64_MAX = 2**63 - 1
FLAG_MAX = 1

# Positions in the event log and in lists (seq, index, offset, before): non-negative 64-bit.
Seq = Annotated[int, Path(ge=0, le=INT64_MAX, description="事件序号")]
Position = Annotated[int, Query(ge=0, le=INT64_MAX)]
OptionalPosition = Annotated[int | None, Query(ge=0, le=INT64_MAX)]
Count = Annotated[int, Query(ge=1, le=INT64_MAX)]
OptionalCount = Annotated[int | None, Query(ge=1, le=INT64_MAX)]
# A one-shot display flag in a redirect (?registered=1).
Flag = Annotated[int, Query(ge=0, le=FLAG_MAX)]
# A page of an open-data feed (/api/ocds/…): at least one item, at most a thousand.
PAGE_MAX = 1000
PageSize = Annotated[int, Query(ge=1, le=PAGE_MAX, description="每页条数（1–1000）")]
