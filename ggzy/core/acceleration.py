"""期限加速 — the training factor's arithmetic, pure (the rules use it; `core.training` keeps the mode's row)."""

from __future__ import annotations

import datetime as dt

REAL = 1


def accelerate(start: dt.datetime, end: dt.datetime, factor: int) -> dt.datetime:
    """THE place the training factor applies: the span start→end, shortened by the factor."""
    if factor <= REAL:
        return end
    return start + (end - start) / factor
