"""子集筛查 — the summary screens of Wallimann, Imhof & Huber (2022) over 3- and 4-bid subsets.

In an incomplete cartel the competitive outsiders' bids blur the cartel's signal in the screens
of the whole tender. The screens of every subset of three (and four) bids, summarised per tender
by their minimum, mean, median and maximum, still show the tight cluster of cover bids: some
subsets consist of cartel bids only. Tenders with more subsets than `max_subsets` use a fixed
pseudo-random sample of them (seeded by the tender's size, so the same bids give the same numbers).
"""

from __future__ import annotations

import itertools
from math import comb

import numpy as np
from numpy.typing import NDArray

from ggzy.supervision.collusion.screens import MIN_BIDS_KURT, SCREENS, Vector, screen_matrix

SUBSET_SIZES: tuple[int, ...] = (3, 4)
SUMMARIES: tuple[str, ...] = ("min", "mean", "median", "max")
MAX_SUBSETS = 256
SEED = 20220512


def subset_screens_of(size: int) -> tuple[str, ...]:
    """The screens defined on subsets of `size` bids (kurtosis needs four)."""
    return tuple(s for s in SCREENS if s != "KURT" or size >= MIN_BIDS_KURT)


def feature_names() -> list[str]:
    """Column names of the subset summaries, e.g. `S3_CV_min`, `S4_KURT_median`."""
    return [f"S{k}_{s}_{f}" for k in SUBSET_SIZES for s in subset_screens_of(k) for f in SUMMARIES]


def subset_index(n: int, k: int, max_subsets: int = MAX_SUBSETS) -> NDArray[np.intp]:
    """Positions of the k-bid subsets of n sorted bids: all of them, or a fixed sample of `max_subsets`.

    Each row is increasing, so a subset of sorted bids is itself sorted.
    """
    if n < k:
        return np.empty((0, k), dtype=np.intp)
    if comb(n, k) <= max_subsets:
        return np.array(list(itertools.combinations(range(n), k)), dtype=np.intp)
    rng = np.random.default_rng([SEED, n, k])
    picks = np.argsort(rng.random((max_subsets, n)), axis=1)[:, :k]
    return np.sort(picks, axis=1).astype(np.intp)


def _summarise(values: NDArray[np.float64]) -> dict[str, Vector]:
    """NaN-aware min/mean/median/max over axis 1; an all-NaN row stays NaN without a warning."""
    finite = np.isfinite(values)
    ok = finite.any(axis=1)
    v = np.where(finite, values, np.nan)
    v[~ok] = 0.0  # placeholder so that the nan-functions never see an all-NaN row
    out = {
        "min": np.nanmin(v, axis=1),
        "mean": np.nanmean(v, axis=1),
        "median": np.nanmedian(v, axis=1),
        "max": np.nanmax(v, axis=1),
    }
    return {k: np.where(ok, r, np.nan) for k, r in out.items()}


def subset_summaries(sorted_bids: NDArray[np.float64], max_subsets: int = MAX_SUBSETS) -> dict[str, Vector]:
    """Subset summary screens for tenders of equal size: `sorted_bids` is (tenders, n), rows ascending."""
    t, n = sorted_bids.shape
    out: dict[str, Vector] = {name: np.full(t, np.nan) for name in feature_names()}
    for k in SUBSET_SIZES:
        idx = subset_index(n, k, max_subsets)
        if idx.shape[0] == 0:
            continue
        m = idx.shape[0]
        subsets = sorted_bids[:, idx].reshape(t * m, k)  # (tenders·subsets, k)
        screens = screen_matrix(subsets)
        for s in subset_screens_of(k):
            for f, v in _summarise(screens[s].reshape(t, m)).items():
                out[f"S{k}_{s}_{f}"] = v
    return out


def subsets_by_size(groups: list[NDArray[np.float64]], max_subsets: int = MAX_SUBSETS) -> dict[str, Vector]:
    """Subset summaries for many tenders (any order of bids); NaN for tenders under three bids."""
    out = {name: np.full(len(groups), np.nan) for name in feature_names()}
    sizes = np.array([g.size for g in groups])
    for n in np.unique(sizes):
        if n < min(SUBSET_SIZES):
            continue
        rows = np.flatnonzero(sizes == n)
        stacked = np.sort(np.vstack([groups[i] for i in rows]), axis=1)
        for name, v in subset_summaries(stacked, max_subsets).items():
            out[name][rows] = v
    return out
