"""规避招标指标族 — splitting, bunching below thresholds, and projects that should have entered the platform (S7)."""

from __future__ import annotations

from ggzy.supervision.flags.avoidance import bunching, splitting, unentered
from ggzy.supervision.flags.base import Flag

FLAGS: tuple[Flag, ...] = (*splitting.FLAGS, *bunching.FLAGS, *unentered.FLAGS)
