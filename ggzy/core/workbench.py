"""待办 — an item of "what is due next" on a workbench; domains contribute them, the shell lists them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class DueItem:
    title: str
    url: str
    due_at: datetime | None = None
    basis: str = ""  # the rule that sets the date, e.g. 《招标投标法》第24条
