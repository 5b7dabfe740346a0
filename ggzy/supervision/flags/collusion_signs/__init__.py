"""串通投标迹象指标族 — the machine-checkable signs of 招标投标法实施条例 art. 40 within one tender (S5)."""

from __future__ import annotations

from ggzy.supervision.flags.base import Flag
from ggzy.supervision.flags.collusion_signs import prices, shared

FLAGS: tuple[Flag, ...] = (*shared.FLAGS, *prices.FLAGS)
