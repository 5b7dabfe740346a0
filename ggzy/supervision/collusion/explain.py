"""解释 — which screens drove a tender's score: exact Shapley values of screen groups against a reference tender.

The reference is the market's median tender (every rank 0.5). A group (all features of one screen:
the whole-tender CV and its subset summaries, say) is either taken from the tender or from the
reference; the Shapley value of a group is its average marginal effect on the log-odds over all
orders of switching groups on ("baseline Shapley", Sundararajan & Najmi 2020). Contributions add
up exactly: score(tender) = score(reference) + Σ contributions.

For the logistic part this is w·(x − ref) per group. For the trees it is computed tree by tree
(Shapley values add over a sum of trees): a depth-3 tree touches at most seven groups, so every
coalition of the groups it uses can be evaluated exactly.
"""

from __future__ import annotations

import itertools
from math import factorial

import numpy as np
from numpy.typing import NDArray

from ggzy.supervision.collusion.screens import Matrix
from ggzy.supervision.collusion.trees import TreeEnsemble


def linear_contributions(
    x: Matrix, reference: NDArray[np.float64], coef: NDArray[np.float64], groups: NDArray[np.int64], n_groups: int
) -> Matrix:
    """Rows × groups: Σ_{j in group} coef_j (x_j − ref_j)."""
    per_feature = (x - reference) * coef
    out = np.zeros((x.shape[0], n_groups))
    for g in range(n_groups):
        out[:, g] = per_feature[:, groups == g].sum(axis=1)
    return out


def _coalition_weights(k: int) -> NDArray[np.float64]:
    """w(s) = s! (k − s − 1)! / k! for a coalition of size s that a player joins."""
    return np.array([factorial(s) * factorial(k - s - 1) / factorial(k) for s in range(k)])


def tree_contributions(
    trees: TreeEnsemble, x: Matrix, reference: NDArray[np.float64], groups: NDArray[np.int64], n_groups: int
) -> Matrix:
    """Rows × groups: exact baseline Shapley values of the ensemble's raw score."""
    out = np.zeros((x.shape[0], n_groups))
    for t in range(trees.n_trees):
        players = np.unique(groups[trees.features_of(t)])
        k = players.size
        if k == 0:
            continue
        masks = list(itertools.product((False, True), repeat=k))
        hybrids = np.empty((len(masks), *x.shape))
        for m, mask in enumerate(masks):
            on = np.isin(groups, players[list(mask)]) if any(mask) else np.zeros(groups.size, dtype=bool)
            hybrids[m] = np.where(on, x, reference)
        values = trees.per_tree(hybrids.reshape(-1, x.shape[1]), np.array([t])).reshape(len(masks), x.shape[0])
        index = {mask: m for m, mask in enumerate(masks)}
        weights = _coalition_weights(k)
        for p in range(k):
            for mask in masks:
                if mask[p]:
                    continue
                with_p = (*mask[:p], True, *mask[p + 1 :])
                out[:, players[p]] += weights[sum(mask)] * (values[index[with_p]] - values[index[mask]])
    return out
