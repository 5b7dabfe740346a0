"""特征 — a tender's features: screens, subset summaries, bid count, bids against the estimate, market ranks.

Screens transfer badly across markets in raw form: Japanese bids sit in a narrow band under the
pre-tender estimate, so a "low" coefficient of variation in Japan would be extreme in Switzerland.
Every feature is therefore turned into its percentile rank within its own market (one file = one
market), computed from that market's tenders without their labels. A rank of 0.5 is the market's
median tender; a feature that a market does not have (no estimate) or a tender lacks (kurtosis of
three bids) is set to 0.5, "no evidence either way".
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.stats import rankdata

from ggzy.supervision.collusion.bids import BidTable
from ggzy.supervision.collusion.screens import SCREENS, Matrix, screens_by_size
from ggzy.supervision.collusion.subsets import feature_names, subsets_by_size

NBIDS = "NBIDS"
PTE = "PTE"  # lowest bid / pre-tender estimate
FEATURES: tuple[str, ...] = (*SCREENS, *feature_names(), NBIDS, PTE)
GENERAL: tuple[str, ...] = (*SCREENS, PTE)  # the ones whose meaning carries across markets
NEUTRAL = 0.5
DESCRIPTORS: tuple[str, ...] = ("CV", "SPD", NBIDS)  # what a market looks like, for familiarity


def group_of(feature: str) -> str:
    """The screen a feature belongs to: `S4_KURT_median` → `KURT`; explanations add up per group."""
    if feature.startswith(("S3_", "S4_")):
        return feature.split("_")[1]
    return feature


GROUPS: tuple[str, ...] = tuple(dict.fromkeys(group_of(f) for f in FEATURES))


def raw_features(table: BidTable) -> Matrix:
    """Tenders × FEATURES, unranked; NaN where a feature is undefined."""
    columns = screens_by_size(table.bids)
    columns.update(subsets_by_size(table.bids))
    columns[NBIDS] = np.array([b.size for b in table.bids], dtype=np.float64)
    lowest = np.array([b.min() for b in table.bids], dtype=np.float64)
    columns[PTE] = lowest / table.pte if table.pte is not None else np.full(len(table), np.nan)
    x = np.column_stack([columns[f] for f in FEATURES]) if len(table) else np.empty((0, len(FEATURES)))
    x[~np.isfinite(x)] = np.nan
    return x


def percentile_ranks(x: Matrix, reference: Matrix | None = None) -> Matrix:
    """Mid-rank percentiles of each column within the market; NaN and constant columns → 0.5.

    With a `reference` (the market's history), ranks are taken within reference ∪ x, so that a
    handful of new tenders can be placed in their market.
    """
    pool = x if reference is None else np.vstack([reference, x])
    out = np.full(x.shape, NEUTRAL)
    for j in range(x.shape[1]):
        col = pool[:, j]
        ok = np.isfinite(col)
        if ok.sum() < 2 or np.nanmin(col) == np.nanmax(col):
            continue
        ranks = np.full(col.shape, NEUTRAL)
        ranks[ok] = (rankdata(col[ok]) - 0.5) / ok.sum()
        out[:, j] = ranks[pool.shape[0] - x.shape[0] :]
    return out


def descriptor_columns(x: Matrix) -> list[NDArray[np.float64]]:
    """The finite values of each descriptor (log CV, log SPD, bid count) of a market's raw features."""
    out = []
    for name in DESCRIPTORS:
        col = x[:, FEATURES.index(name)]
        col = col[np.isfinite(col) & (col > 0)]
        out.append(np.log(col) if name != NBIDS else col)
    return out


QUANTILE_LEVELS = np.linspace(0.0, 1.0, 101)


def descriptor_quantiles(x: Matrix) -> list[list[float]]:
    """101 quantiles of each descriptor: what the model keeps of a training market's shape."""
    return [
        np.quantile(c, QUANTILE_LEVELS).tolist() if c.size else [float("nan")] * len(QUANTILE_LEVELS)
        for c in descriptor_columns(x)
    ]


def ks_to_quantiles(sample: NDArray[np.float64], quantiles: list[float]) -> float:
    """Kolmogorov–Smirnov distance between a sample and a distribution given by its quantiles."""
    q = np.asarray(quantiles, dtype=np.float64)
    if sample.size == 0 or not np.all(np.isfinite(q)):
        return 1.0
    points = np.sort(np.concatenate([sample, q]))
    f_sample = np.searchsorted(np.sort(sample), points, side="right") / sample.size
    f_ref = np.interp(points, q, QUANTILE_LEVELS, left=0.0, right=1.0)
    return float(np.max(np.abs(f_sample - f_ref)))


def market_distance(x: Matrix, quantiles: list[list[float]]) -> float:
    """Mean KS distance over the descriptors between a market's tenders and a training market."""
    return float(np.mean([ks_to_quantiles(c, q) for c, q in zip(descriptor_columns(x), quantiles, strict=True)]))
