"""树集成 — a trained gradient-boosted tree ensemble as plain arrays: saved without pickle, scored with numpy.

scikit-learn's documented tree structure (`tree_.children_left`, `children_right`, `feature`,
`threshold`, `value`) is copied out of each boosting stage. Scoring walks all trees at once; a
model file therefore holds numbers only and loading it can never run code.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ggzy.supervision.collusion.screens import Matrix, Vector

LEAF = -1
CHUNK = 8192  # rows scored at a time, to bound memory at rows × trees


@dataclass(frozen=True)
class TreeEnsemble:
    """Trees stored end to end: node i of tree t is at `roots[t] + i`; children are absolute indices."""

    roots: NDArray[np.int64]
    left: NDArray[np.int64]
    right: NDArray[np.int64]
    feature: NDArray[np.int64]
    threshold: NDArray[np.float64]
    value: NDArray[np.float64]  # leaf values, already multiplied by the learning rate
    init: float  # raw score (log-odds) before the first tree
    depth: int

    @classmethod
    def from_gradient_boosting(cls, model: object, x_sample: Matrix) -> TreeEnsemble:
        """Export a fitted binary `GradientBoostingClassifier`; `x_sample` fixes the initial raw score."""
        stages = model.estimators_[:, 0]  # type: ignore[attr-defined]
        rate = float(model.learning_rate)  # type: ignore[attr-defined]
        roots, left, right, feature, threshold, value = [], [], [], [], [], []
        offset, depth = 0, 0
        for stage in stages:
            t = stage.tree_
            roots.append(offset)
            is_leaf = t.children_left == LEAF
            left.append(np.where(is_leaf, LEAF, t.children_left + offset))
            right.append(np.where(is_leaf, LEAF, t.children_right + offset))
            feature.append(np.where(is_leaf, 0, t.feature))
            threshold.append(np.where(is_leaf, 0.0, t.threshold))
            value.append(rate * t.value[:, 0, 0])
            offset += t.node_count
            depth = max(depth, int(t.max_depth))
        trees = cls(
            roots=np.array(roots, dtype=np.int64),
            left=np.concatenate(left).astype(np.int64),
            right=np.concatenate(right).astype(np.int64),
            feature=np.concatenate(feature).astype(np.int64),
            threshold=np.concatenate(threshold).astype(np.float64),
            value=np.concatenate(value).astype(np.float64),
            init=0.0,
            depth=depth,
        )
        row = np.asarray(x_sample[:1], dtype=np.float64)
        init = float(model.decision_function(row)[0]) - float(trees.per_tree(row).sum())  # type: ignore[attr-defined]
        return dataclasses.replace(trees, init=init)

    def arrays(self) -> dict[str, NDArray[np.int64] | NDArray[np.float64]]:
        return {
            "roots": self.roots,
            "left": self.left,
            "right": self.right,
            "feature": self.feature,
            "threshold": self.threshold,
            "value": self.value,
        }

    @property
    def n_trees(self) -> int:
        return int(self.roots.size)

    def per_tree(self, x: Matrix, trees: NDArray[np.int64] | None = None) -> Matrix:
        """Leaf value of each row in each tree (rows × trees), as scikit-learn does: float32 features, `<=` left."""
        roots = self.roots if trees is None else self.roots[trees]
        x32 = np.asarray(x, dtype=np.float32).astype(np.float64)
        out = np.empty((x32.shape[0], roots.size))
        for start in range(0, x32.shape[0], CHUNK):
            rows = x32[start : start + CHUNK]
            node = np.broadcast_to(roots, (rows.shape[0], roots.size)).copy()
            ridx = np.arange(rows.shape[0])[:, None]
            for _ in range(self.depth):
                inner = self.left[node] != LEAF
                go_left = rows[ridx, self.feature[node]] <= self.threshold[node]
                node = np.where(inner, np.where(go_left, self.left[node], self.right[node]), node)
            out[start : start + rows.shape[0]] = self.value[node]
        return out

    def decision(self, x: Matrix) -> Vector:
        """Raw score (log-odds) of each row."""
        return np.asarray(self.init + self.per_tree(x).sum(axis=1), dtype=np.float64)

    def features_of(self, tree: int) -> NDArray[np.int64]:
        """The features tree `tree` splits on."""
        start = int(self.roots[tree])
        stop = int(self.roots[tree + 1]) if tree + 1 < self.n_trees else self.left.size
        inner = self.left[start:stop] != LEAF
        return np.unique(self.feature[start:stop][inner])
