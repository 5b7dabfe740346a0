"""Synthetic bid tables: competitive tenders with dispersed bids, collusive ones with a low winner and tight covers."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

COLUMNS = ("Tender", "Bid_value", "Winner", "Collusive_competitor", "Pre-Tender Estimate (PTE)")


@dataclass(frozen=True)
class Bid:
    tender: str
    value: float
    winner: int
    label: int
    pte: float


def competitive(rng: np.random.Generator, tender: str, n: int, cost: float, pte: float, spread: float) -> list[Bid]:
    """Independent bids: each firm's own cost and markup, widely spread."""
    values = cost * (1.0 + spread * (0.05 + rng.normal(0.0, 0.08, n)).clip(-0.2))
    return _bids(tender, values, 0, pte)


def collusive(rng: np.random.Generator, tender: str, n: int, cost: float, pte: float, spread: float) -> list[Bid]:
    """A designated winner, then cover bids bunched a few per cent above it."""
    winner = cost * (1.0 + spread * 0.10)
    covers = winner * (1.0 + spread * (0.04 + rng.normal(0.0, 0.004, n - 1)))
    return _bids(tender, np.concatenate([[winner], covers]), 1, pte)


def _bids(tender: str, values: NDArray[np.float64], label: int, pte: float) -> list[Bid]:
    low = int(np.argmin(values))
    return [Bid(tender, float(round(v, 2)), int(i == low), label, pte) for i, v in enumerate(values)]


def market(
    seed: int,
    tenders: int = 80,
    *,
    scale: float = 1e6,
    spread: float = 1.0,
    collusive_share: float = 0.5,
    prefix: str = "T",
) -> list[Bid]:
    """A market of `tenders` tenders with 4 to 9 bids each, the first `collusive_share` of them rigged.

    `spread` scales every relative price difference: 0.25 makes a market whose bids all sit in a
    narrow band, as under a binding pre-tender estimate.
    """
    rng = np.random.default_rng(seed)
    out: list[Bid] = []
    for i in range(tenders):
        n = int(rng.integers(4, 10))
        cost = scale * float(rng.lognormal(0.0, 0.5))
        make = collusive if i < collusive_share * tenders else competitive
        out.extend(make(rng, f"{prefix}{i:04d}", n, cost, round(cost * 1.3, 2), spread))
    return out


def write(path: Path, bids: list[Bid], columns: tuple[str, ...] = COLUMNS) -> Path:
    """Write bids as a CSV in the shared data's format, with only the given columns."""
    values = {
        "Tender": lambda b: b.tender,
        "Bid_value": lambda b: b.value,
        "Winner": lambda b: b.winner,
        "Collusive_competitor": lambda b: b.label,
        "Pre-Tender Estimate (PTE)": lambda b: b.pte,
    }
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(columns)
        for b in bids:
            w.writerow([values[c](b) for c in columns])
    return path


def planted_estimate_market(seed: int, tenders: int = 120) -> list[Bid]:
    """Both classes bid alike; only the collusive tenders' lowest bid sits close to the pre-tender estimate."""
    rng = np.random.default_rng(seed)
    out: list[Bid] = []
    for i in range(tenders):
        rigged = i % 2
        bids = competitive(rng, f"P{i:04d}", int(rng.integers(4, 10)), 1e5 * float(rng.lognormal(0, 0.5)), 0.0, 1.0)
        low = min(b.value for b in bids)
        pte = round(low * (1.03 if rigged else 1.4) * float(rng.uniform(0.98, 1.02)), 2)
        out.extend(Bid(b.tender, b.value, b.winner, rigged, pte) for b in bids)
    return out
