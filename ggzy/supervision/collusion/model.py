"""串标模型 — the tender-level collusion classifier: fit on labelled markets, score and explain tenders.

Two parts share the within-market percentile ranks of `features.py`:
- a general part, an L2 logistic regression on the ranks of the nine screens and of the lowest
  bid against the estimate — the few signals whose direction holds across markets;
- a specific part, gradient-boosted trees (depth 3) on the ranks of all 79 features, screens of
  3- and 4-bid subsets and the bid count included — strong inside a market it has seen, unreliable
  outside it.
Both are trained with every market and, within it, both classes given equal weight, so that
their raw scores are log likelihood ratios. A scored file gets a familiarity g ∈ [0, 1]: how close
its distribution of CV, spread and bid counts is to the nearest training market (KS distance
≤ 0.15 → 1, ≥ 0.35 → 0). The log-odds are

    z = (1 − g/2)·z_general + (g/2)·z_specific + g·logit(π)

with π that training market's share of collusive tenders (`prior="auto"`); `prior="balanced"`
drops the last term. So a file from a known market gets both parts and that market's base rate,
and a file from an unknown market gets the general part and no guess at a base rate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray
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
Prior = Literal["auto", "balanced"]


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
        x = np.vstack([percentile_ranks(r) for r in raws])
        w = balanced_weights(labels)
        general_idx = [FEATURES.index(f) for f in GENERAL]
        lr = LogisticRegression(C=0.1, max_iter=5000).fit(x[:, general_idx], y, sample_weight=w)
        gb = GradientBoostingClassifier(
            n_estimators=n_trees, learning_rate=0.05, max_depth=3, min_samples_leaf=20, subsample=0.8, random_state=SEED
        ).fit(x, y, sample_weight=w)
        markets = [
            Market(t.name, len(t), t.collusive_share, descriptor_quantiles(r))
            for t, r in zip(tables, raws, strict=True)
        ]
        return cls(
            coef=lr.coef_[0].astype(np.float64),
            intercept=float(lr.intercept_[0]),
            trees=TreeEnsemble.from_gradient_boosting(gb, x),
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

    def _parts(self, x: Matrix) -> tuple[Vector, Vector]:
        general_idx = [FEATURES.index(f) for f in GENERAL]
        return x[:, general_idx] @ self.coef + self.intercept, self.trees.decision(x)

    def score(
        self, table: BidTable, *, prior: Prior = "auto", explain_groups: bool = False, reference: BidTable | None = None
    ) -> Scores:
        """Score every tender of one market; `reference` (that market's history) anchors the ranks."""
        raw = raw_features(table)
        ref_raw = raw_features(reference) if reference is not None and len(reference) else None
        x = percentile_ranks(raw, ref_raw)
        g, market = self.familiarity(raw if ref_raw is None else np.vstack([ref_raw, raw]))
        pi = market.collusive_share if market is not None and prior == "auto" and g > 0 else 0.5
        mix = np.array([1 - g / 2, g / 2])
        shift = g * _logit(pi)
        z_gen, z_spec = self._parts(x)
        z = mix[0] * z_gen + mix[1] * z_spec + shift
        median = np.full((1, len(FEATURES)), NEUTRAL)
        base = float(mix @ np.concatenate(self._parts(median)) + shift)
        contributions = self.contributions(x, mix) if explain_groups else None
        return Scores(
            tenders=list(table.tenders),
            probability=1 / (1 + np.exp(-z)),
            logit=z,
            familiarity=g,
            nearest_market=market.name if market is not None else None,
            prior=pi,
            base_logit=base,
            contributions=contributions,
        )

    def contributions(self, x: Matrix, mix: NDArray[np.float64]) -> Matrix:
        """Tenders × GROUPS contributions to the log-odds against the market's median tender."""
        groups = np.array([GROUPS.index(group_of(f)) for f in FEATURES])
        ref = np.full(len(FEATURES), NEUTRAL)
        general_idx = [FEATURES.index(f) for f in GENERAL]
        lin = explain.linear_contributions(
            x[:, general_idx], ref[general_idx], self.coef, groups[general_idx], len(GROUPS)
        )
        trees = explain.tree_contributions(self.trees, x, ref, groups, len(GROUPS))
        return np.asarray(mix[0] * lin + mix[1] * trees, dtype=np.float64)
