"""评估 — tender-level metrics, splits by tender, the plain random-forest baseline, and the two protocols.

Every split is a split of tenders: a fold is a `BidTable.subset` of whole tenders, so the bids of one
tender never sit on both sides. A held-out part is ranked within itself, exactly as a new file
would be (`ggzy collusion evaluate --train A --test B` and the cross-validation share one path).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

from ggzy.supervision.collusion.bids import BidTable
from ggzy.supervision.collusion.model import CollusionModel, Prior
from ggzy.supervision.collusion.screens import SCREENS, Vector, screens_by_size

METRIC_KEYS: tuple[str, ...] = (
    "accuracy",
    "balanced_accuracy",
    "recall_collusive",
    "recall_competitive",
    "roc_auc",
    "tenders",
)
SEED = 0


def tender_metrics(y: NDArray[np.int64], probability: Vector) -> dict[str, float | int | None]:
    """Accuracy, balanced accuracy, recall of each class (threshold 0.5) and ROC AUC; None where undefined."""
    predicted = (probability >= 0.5).astype(np.int64)
    recall: dict[int, float | None] = {}
    for c in (0, 1):
        n = int((y == c).sum())
        recall[c] = float((predicted[y == c] == c).mean()) if n else None
    known = [r for r in recall.values() if r is not None]
    auc = float(roc_auc_score(y, probability)) if np.unique(y).size == 2 else None
    return {
        "accuracy": float((predicted == y).mean()) if y.size else None,
        "balanced_accuracy": float(np.mean(known)) if known else None,
        "recall_collusive": recall[1],
        "recall_competitive": recall[0],
        "roc_auc": auc,
        "tenders": int(y.size),
    }


def screen_matrix_of(table: BidTable) -> NDArray[np.float64]:
    """Tenders × the nine raw screens, as the baseline sees them."""
    columns = screens_by_size(table.bids)
    return np.column_stack([columns[s] for s in SCREENS]) if len(table) else np.empty((0, len(SCREENS)))


def baseline_probability(train: list[BidTable], test: BidTable) -> Vector:
    """A plain random forest on the nine screens, pooled over the training files, no normalisation."""
    x = np.vstack([screen_matrix_of(t) for t in train])
    y = np.concatenate([t.labels for t in train if t.labels is not None])
    forest = RandomForestClassifier(n_estimators=500, random_state=SEED, n_jobs=1).fit(x, y)
    return np.asarray(forest.predict_proba(screen_matrix_of(test))[:, 1], dtype=np.float64)


@dataclass(frozen=True)
class Evaluation:
    ours: dict[str, float | int | None]
    baseline: dict[str, float | int | None] | None
    familiarity: float
    nearest_market: str | None

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {k: self.ours[k] for k in METRIC_KEYS}
        if self.baseline is not None:
            out["baseline"] = {k: self.baseline[k] for k in METRIC_KEYS}
        return out


def evaluate(
    train: list[BidTable], test: BidTable, *, baseline: bool = False, prior: Prior = "balanced", n_trees: int = 200
) -> Evaluation:
    """Train on `train`, score `test`, compare with its labels (and the baseline's on the same split)."""
    if test.labels is None:
        raise ValueError("the test table has no labels")
    model = CollusionModel.fit(train, n_trees=n_trees)
    scores = model.score(test, prior=prior)
    base = tender_metrics(test.labels, baseline_probability(train, test)) if baseline else None
    return Evaluation(tender_metrics(test.labels, scores.probability), base, scores.familiarity, scores.nearest_market)


def tender_folds(table: BidTable, k: int = 5) -> list[tuple[NDArray[np.intp], NDArray[np.intp]]]:
    """Stratified k-fold over the table's tenders (rows are tenders, so folds never split a tender)."""
    if table.labels is None:
        raise ValueError("folds need labels")
    y = table.labels
    k = max(2, min(k, int(np.bincount(y, minlength=2).min())))
    folds = StratifiedKFold(n_splits=k, shuffle=True, random_state=SEED).split(np.zeros(y.size), y)
    return [(np.asarray(a, dtype=np.intp), np.asarray(b, dtype=np.intp)) for a, b in folds]


def pooled(parts: list[tuple[NDArray[np.int64], Vector]]) -> dict[str, float | int | None]:
    """Metrics over the held-out predictions of all folds together."""
    y = np.concatenate([p[0] for p in parts])
    p = np.concatenate([p[1] for p in parts])
    return tender_metrics(y, p)


def cross_validate(
    tables: list[BidTable], *, k: int = 5, baseline: bool = False, prior: Prior = "balanced", n_trees: int = 200
) -> dict[str, dict[str, Any]]:
    """Grouped k-fold by tender: each fold holds out a fifth of every table's tenders, trains on the rest.

    One model per fold serves all tables; metrics are per table, over its held-out tenders.
    """
    folds = {t.name: tender_folds(t, k) for t in tables}
    n_folds = min(len(f) for f in folds.values())
    ours: dict[str, list[tuple[NDArray[np.int64], Vector]]] = {t.name: [] for t in tables}
    base: dict[str, list[tuple[NDArray[np.int64], Vector]]] = {t.name: [] for t in tables}
    for i in range(n_folds):
        train = [t.subset(folds[t.name][i][0]) for t in tables]
        model = CollusionModel.fit(train, n_trees=n_trees)
        for t in tables:
            held = t.subset(folds[t.name][i][1])
            assert held.labels is not None
            ours[t.name].append((held.labels, model.score(held, prior=prior).probability))
            if baseline:
                base[t.name].append((held.labels, baseline_probability(train, held)))
    return {
        t.name: {"ours": pooled(ours[t.name]), "baseline": pooled(base[t.name]) if baseline else None} for t in tables
    }
