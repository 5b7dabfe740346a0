"""行为分析指标族 — cover bidding, rotation, concentration, repeated awards, prices at the cap, bidder rings (S6)."""

from __future__ import annotations

from ggzy.supervision.flags.base import Flag
from ggzy.supervision.flags.behaviour import bidders, markets, network

FLAGS: tuple[Flag, ...] = (*bidders.FLAGS, *markets.FLAGS, *network.FLAGS)
