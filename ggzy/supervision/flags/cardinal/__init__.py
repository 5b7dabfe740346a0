"""Cardinal 指标族 — the Open Contracting Partnership's Cardinal red flags, R003 … R058, with its settings."""

from __future__ import annotations

from ggzy.supervision.flags.base import Flag
from ggzy.supervision.flags.cardinal import r003, r018, r024, r025, r028, r030, r035, r036, r038, r048, r058

FLAGS: tuple[Flag, ...] = tuple(
    module.FLAG for module in (r003, r018, r024, r025, r028, r030, r035, r036, r038, r048, r058)
)
