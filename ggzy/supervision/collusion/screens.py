"""价格筛查 — the nine bid-price screens of Imhof, Karagök & Rutz (2018) and Huber & Imhof (2019).

Every screen is computed on a matrix of bids, one row per tender (or per subset of a tender's
bids, see `subsets.py`), each row sorted ascending: b1 ≤ b2 ≤ … ≤ bn. With the mean μ, the sample
standard deviation s (n − 1 in the denominator) and the losing bids L = b2 … bn:

- CV    = s / μ                                             coefficient of variation
- SPD   = (bn − b1) / b1                                    spread
- DIFFP = (b2 − b1) / b1                                    percentage difference of the two lowest bids
- RD    = (b2 − b1) / s_L                                   relative distance (s_L: sample std of the losing bids)
- RDNOR = (b2 − b1) / (Σ_{i=1}^{n-1} (b_{i+1} − b_i) / (n − 1))   normalised distance (mean gap of all bids)
- RDALT = (b2 − b1) / (Σ_{i=2}^{n-1} (b_{i+1} − b_i) / (n − 2))   alternative distance (mean gap of losing bids)
- SKEW  = n / ((n−1)(n−2)) · Σ z³, z = (b − μ)/s             sample skewness (adjusted Fisher–Pearson)
- KURT  = n(n+1) / ((n−1)(n−2)(n−3)) · Σ z⁴ − 3(n−1)² / ((n−2)(n−3))   sample excess kurtosis, n ≥ 4
- KS    = sup |F̂(x) − U(x)| for x = b / s against the uniform law with the same mean and unit
          standard deviation, i.e. on [x̄ − √3, x̄ + √3]                Kolmogorov–Smirnov statistic

A screen that is undefined for a row (too few bids, a zero denominator) is NaN, never an error.
How these compare with the precomputed columns of García Rodríguez et al. (2022) is in
docs/detection.md: CV, SPD, SKEW and KURT agree; their RD, DIFFP and KSTEST differ by definition.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

Matrix = NDArray[np.float64]
Vector = NDArray[np.float64]

SCREENS: tuple[str, ...] = ("CV", "SPD", "DIFFP", "RD", "RDNOR", "RDALT", "KURT", "SKEW", "KS")
MIN_BIDS = 3  # fewer bids than this: no screen at all
MIN_BIDS_KURT = 4

SQRT3 = float(np.sqrt(3.0))


def _ratio(num: Vector, den: Vector) -> Vector:
    """num / den, NaN where the denominator is zero or not finite (no warnings, no infinities)."""
    out = np.full(num.shape, np.nan)
    ok = np.isfinite(den) & (den != 0)
    np.divide(num, den, out=out, where=ok)
    return out


def _moments(b: Matrix) -> tuple[Vector, Vector, Matrix]:
    """Row mean, row sample std, and the standardised bids z = (b − μ)/s (NaN rows where s = 0)."""
    n = b.shape[1]
    mu = b.mean(axis=1)
    s = np.sqrt(((b - mu[:, None]) ** 2).sum(axis=1) / (n - 1))
    z = (b - mu[:, None]) / np.where(s > 0, s, np.nan)[:, None]
    return mu, s, z


def skewness(z: Matrix) -> Vector:
    n = z.shape[1]
    return np.asarray(n / ((n - 1) * (n - 2)) * (z**3).sum(axis=1), dtype=np.float64)


def kurtosis(z: Matrix) -> Vector:
    n = z.shape[1]
    if n < MIN_BIDS_KURT:
        return np.full(z.shape[0], np.nan)
    head = n * (n + 1) / ((n - 1) * (n - 2) * (n - 3))
    return np.asarray(head * (z**4).sum(axis=1) - 3 * (n - 1) ** 2 / ((n - 2) * (n - 3)), dtype=np.float64)


def ks_uniform(z: Matrix) -> Vector:
    """One-sample KS distance of the standardised bids from the uniform law on [−√3, √3].

    Dividing the bids by s and centring the uniform law on their mean (Huber & Imhof) is the
    same as comparing z = (b − μ)/s with a uniform law of mean 0 and standard deviation 1.
    """
    n = z.shape[1]
    u = np.clip((z + SQRT3) / (2 * SQRT3), 0.0, 1.0)
    i = np.arange(1, n + 1, dtype=np.float64)
    above = (i / n - u).max(axis=1)
    below = (u - (i - 1) / n).max(axis=1)
    return np.asarray(np.maximum(above, below), dtype=np.float64)


def screen_matrix(bids: Matrix) -> dict[str, Vector]:
    """All nine screens for each row of `bids` (rows sorted ascending, at least three columns)."""
    b = np.asarray(bids, dtype=np.float64)
    if b.ndim != 2 or b.shape[1] < MIN_BIDS:
        raise ValueError(f"screens need a matrix with at least {MIN_BIDS} bids per row, got shape {b.shape}")
    n = b.shape[1]
    mu, s, z = _moments(b)
    gap12 = b[:, 1] - b[:, 0]
    losing = b[:, 1:]
    s_losing = np.sqrt(((losing - losing.mean(axis=1)[:, None]) ** 2).sum(axis=1) / (n - 2))
    return {
        "CV": _ratio(s, mu),
        "SPD": _ratio(b[:, -1] - b[:, 0], b[:, 0]),
        "DIFFP": _ratio(gap12, b[:, 0]),
        "RD": _ratio(gap12, s_losing),
        "RDNOR": _ratio(gap12, (b[:, -1] - b[:, 0]) / (n - 1)),
        "RDALT": _ratio(gap12, (b[:, -1] - b[:, 1]) / (n - 2)),
        "KURT": kurtosis(z),
        "SKEW": skewness(z),
        "KS": ks_uniform(z),
    }


def tender_screens(values: NDArray[np.float64] | list[float]) -> dict[str, float]:
    """The nine screens of one tender's bids (any order); all NaN when there are fewer than 3 bids."""
    b = np.sort(np.asarray(values, dtype=np.float64))
    if b.size < MIN_BIDS:
        return dict.fromkeys(SCREENS, float("nan"))
    return {k: float(v[0]) for k, v in screen_matrix(b[None, :]).items()}


def screens_by_size(groups: list[NDArray[np.float64]]) -> dict[str, Vector]:
    """Screens for many tenders at once: tenders of equal size are stacked and screened together.

    `groups[i]` holds tender i's bids; the result holds one value per tender, NaN under 3 bids.
    """
    out = {k: np.full(len(groups), np.nan) for k in SCREENS}
    sizes = np.array([g.size for g in groups])
    for n in np.unique(sizes):
        if n < MIN_BIDS:
            continue
        rows = np.flatnonzero(sizes == n)
        stacked = np.sort(np.vstack([groups[i] for i in rows]), axis=1)
        for k, v in screen_matrix(stacked).items():
            out[k][rows] = v
    return out
