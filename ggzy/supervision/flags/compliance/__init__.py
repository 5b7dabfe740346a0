"""合规指标族 — breaches of the legal periods, caps and catalog that the trading platform enforces (ggzy.rules)."""

from __future__ import annotations

from ggzy.supervision.flags.base import Flag
from ggzy.supervision.flags.compliance import contracts, money, periods

_ALL = {flag.spec.id: flag for module in (periods, money, contracts) for flag in module.FLAGS}
FLAGS: tuple[Flag, ...] = tuple(_ALL[code] for code in sorted(_ALL))
