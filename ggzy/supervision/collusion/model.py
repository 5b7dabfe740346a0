"""串标模型 — the tender-level collusion classifier: fit on labelled markets, score and explain tenders.

Two parts:
- a general part, an L2 logistic regression on the within-market percentile ranks of the nine
  screens and of the lowest bid against the estimate — the few signals whose direction holds
  across markets;
- a specific part, gradient-boosted trees (depth 3) on the raw values of all 79 features, screens
  of 3- and 4-bid subsets and the bid count included — strong inside a market it has seen (raw
  values need no ranking, so a small file of a known market loses nothing), meaningless outside it.
Both are trained with every market and, within it, both classes given equal weight, so that
their raw scores are log likelihood ratios. A scored file gets a familiarity g ∈ [0, 1]: how close
its distribution of CV, spread and bid counts is to the nearest training market (KS distance
≤ 0.15 → 1, ≥ 0.35 → 0). The log-odds are

    z = (1 − g/2)·z_general + (g/2)·z_specific + g·logit(π)

with π that training market's share of collusive tenders when `prior="market"`; the default
`prior="balanced"` drops the last term, so that a tender is flagged when the evidence favours
collusion whatever the base rate (this maximises balanced accuracy; "market" maximises accuracy
on a known market). A file from a known market gets both parts, a file from an unknown market
the general part alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray
from scipy.special import expit
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.linear_model import LogisticRegression

from ggzy.supervision.collusion import explain
from ggzy.supervision.collusion.bids import BidTable
from ggzy.supervision.collusion.features import (
    FEATURES,
    GENERAL,
    GROUPS,
    NEUTRAL,
    descriptor_quantiles,
    group_of,
    market_distance,
    percentile_ranks,
    raw_features,
)
from ggzy.supervision.collusion.screens import Matrix, Vector
from ggzy.supervision.collusion.trees import TreeEnsemble

SEED = 0
FAMILIAR, UNFAMILIAR = 0.15, 0.35
MISSING = -1e30  # stands for an undefined raw feature in the trees (below every real value, finite in float32)
Prior = Literal["balanced", "market"]


class TrainingError(ValueError):
    """Training data that cannot make a model (one class only, no tenders)."""


@dataclass(frozen=True)
class Market:
    """What the model keeps of one training file: its name, size, base rate and shape."""

    name: str
    tenders: int
    collusive_share: float
    quantiles: list[list[float]]


@dataclass(frozen=True)
class Scores:
    """One scored market: per tender probability and log-odds, and per group contributions."""

    tenders: list[str]
    probability: Vector
    logit: Vector
    familiarity: float
    nearest_market: str | None
    prior: float
    base_logit: float  # log-odds of the market's median tender
    contributions: Matrix | None = None  # tenders × GROUPS, in log-odds; rows sum to logit − base_logit
    percentiles: Matrix | None = None  # tenders × GROUPS: each group's main feature as a rank in the market

    @property
    def flagged(self) -> NDArray[np.bool_]:
        return self.probability >= 0.5


def balanced_weights(labels: list[NDArray[np.int64]]) -> Vector:
    """Each market weighs the same, and within a market each class weighs the same; mean weight 1."""
    parts = []
    for y in labels:
        w = np.zeros(y.size)
        for c in (0, 1):
            count = int((y == c).sum())
            if count:
                w[y == c] = 0.5 / count
        parts.append(w)
    w = np.concatenate(parts)
    return np.asarray(w * w.size / w.sum(), dtype=np.float64)


GENERAL_IDX = [FEATURES.index(f) for f in GENERAL]


def tree_input(raw: Matrix) -> Matrix:
    """Raw features as the trees take them: undefined values replaced by MISSING."""
    return np.where(np.isfinite(raw), raw, MISSING)


def median_tender(raw: Matrix) -> Vector:
    """The market's median tender, feature by feature (MISSING where the market lacks a feature)."""
    out = np.full(raw.shape[1], MISSING)
    for j in range(raw.shape[1]):
        col = raw[:, j][np.isfinite(raw[:, j])]
        if col.size:
            out[j] = float(np.median(col))
    return out


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return float(np.log(p / (1 - p)))


@dataclass(frozen=True)
class CollusionModel:
    coef: Vector  # general part, over GENERAL
    intercept: float
    trees: TreeEnsemble  # specific part, over FEATURES
    markets: list[Market]
    report: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def fit(cls, tables: list[BidTable], *, n_trees: int = 200) -> CollusionModel:
        """Train on labelled markets (one table per market)."""
        if not tables or any(t.labels is None for t in tables):
            raise TrainingError("训练数据必须带标签 (training data must be labelled)")
        labels = [t.labels for t in tables if t.labels is not None]
        y = np.concatenate(labels)
        if y.size == 0 or np.unique(y).size < 2:
            raise TrainingError(
                "训练数据需要同时包含串标与竞争性标段 (training needs both collusive and competitive tenders)"
            )
        raws = [raw_features(t) for t in tables]
        ranks = np.vstack([percentile_ranks(r)[:, GENERAL_IDX] for r in raws])
        raw = tree_input(np.vstack(raws))
        w = balanced_weights(labels)
        lr = LogisticRegression(C=0.1, max_iter=5000).fit(ranks, y, sample_weight=w)
        gb = GradientBoostingClassifier(
            n_estimators=n_trees,
            learning_rate=0.05,
            max_depth=3,
            min_samples_leaf=10,
            subsample=0.8,
            max_features=0.3,
            random_state=SEED,
        ).fit(raw, y, sample_weight=w)
        markets = [
            Market(t.name, len(t), t.collusive_share, descriptor_quantiles(r))
            for t, r in zip(tables, raws, strict=True)
        ]
        return cls(
            coef=lr.coef_[0].astype(np.float64),
            intercept=float(lr.intercept_[0]),
            trees=TreeEnsemble.from_gradient_boosting(gb, raw),
            markets=markets,
        )

    def with_report(self, report: dict[str, Any]) -> CollusionModel:
        return CollusionModel(self.coef, self.intercept, self.trees, self.markets, report)

    def familiarity(self, raw: Matrix) -> tuple[float, Market | None]:
        """g ∈ [0, 1] for the nearest training market, and that market."""
        if raw.shape[0] == 0 or not self.markets:
            return 0.0, None
        distances = [market_distance(raw, m.quantiles) for m in self.markets]
        best = int(np.argmin(distances))
        g = float(np.clip((UNFAMILIAR - distances[best]) / (UNFAMILIAR - FAMILIAR), 0.0, 1.0))
        return g, self.markets[best]

    def _parts(self, ranks: Matrix, raw: Matrix) -> tuple[Vector, Vector]:
        return ranks @ self.coef + self.intercept, self.trees.decision(raw)

    def score(
        self,
        table: BidTable,
        *,
        prior: Prior = "balanced",
        explain_groups: bool = False,
        reference: BidTable | None = None,
    ) -> Scores:
        """Score every tender of one market; `reference` (that market's history) anchors the ranks."""
        raw = raw_features(table)
        history = raw_features(reference) if reference is not None and len(reference) else None
        market_raw = raw if history is None else np.vstack([history, raw])
        ranks = percentile_ranks(raw, history)[:, GENERAL_IDX]
        g, market = self.familiarity(market_raw)
        pi = market.collusive_share if market is not None and prior == "market" and g > 0 else 0.5
        mix = np.array([1 - g / 2, g / 2])
        shift = g * _logit(pi)
        z_gen, z_spec = self._parts(ranks, tree_input(raw))
        z = mix[0] * z_gen + mix[1] * z_spec + shift
        median_rank, median_raw = np.full((1, len(GENERAL)), NEUTRAL), median_tender(market_raw)
        base = float(mix @ np.concatenate(self._parts(median_rank, median_raw[None, :])) + shift)
        contributions, percentiles = None, None
        if explain_groups:
            contributions = self.contributions(ranks, tree_input(raw), median_raw, mix)
            percentiles = percentile_ranks(raw, history)[:, [FEATURES.index(g) for g in GROUPS]]
        return Scores(
            tenders=list(table.tenders),
            probability=expit(z),
            logit=z,
            familiarity=g,
            nearest_market=market.name if market is not None else None,
            prior=pi,
            base_logit=base,
            contributions=contributions,
            percentiles=percentiles,
        )

    def contributions(self, ranks: Matrix, raw: Matrix, median_raw: Vector, mix: NDArray[np.float64]) -> Matrix:
        """Tenders × GROUPS contributions to the log-odds against the market's median tender."""
        groups = np.array([GROUPS.index(group_of(f)) for f in FEATURES])
        lin = explain.linear_contributions(
            ranks, np.full(len(GENERAL), NEUTRAL), self.coef, groups[GENERAL_IDX], len(GROUPS)
        )
        trees = explain.tree_contributions(self.trees, raw, median_raw, groups, len(GROUPS))
        return np.asarray(mix[0] * lin + mix[1] * trees, dtype=np.float64)
