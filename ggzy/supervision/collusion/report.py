"""训练报告 — what a saved model was trained on, how, when, with which versions, and how well it did."""

from __future__ import annotations

import hashlib
import platform
from importlib import metadata
from pathlib import Path
from typing import Any

import ggzy
from ggzy.core.clock import Clock
from ggzy.supervision.collusion.bids import SKIP_REASONS, BidTable
from ggzy.supervision.collusion.features import FEATURES, GENERAL
from ggzy.supervision.collusion.model import FAMILIAR, UNFAMILIAR

LABEL_RULE_ANY = (
    "标段中至少一个报价标为串标即为串标标段 (a tender is collusive when at least one bid is labelled collusive)"
)


def label_rule(min_share: float | None) -> str:
    if min_share is None:
        return LABEL_RULE_ANY
    return f"串标报价占比 ≥ {min_share:g} 即为串标标段 (a tender is collusive when ≥ {min_share:g} of its bids are)"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def versions() -> dict[str, str]:
    out = {"ggzy": ggzy.__version__, "python": platform.python_version()}
    for package in ("numpy", "scipy", "scikit-learn", "polars"):
        out[package] = metadata.version(package)
    return out


def data_entry(table: BidTable, path: Path | None) -> dict[str, Any]:
    return {
        "file": path.name if path else table.name,
        "sha256": sha256_of(path) if path else None,
        "tenders": len(table),
        "collusive_tenders": int(table.labels.sum()) if table.labels is not None else None,
        "collusive_share": round(table.collusive_share, 4),
        "has_pre_tender_estimate": table.pte is not None,
        "skipped": {SKIP_REASONS[k]: n for k, n in sorted(table.skipped.items())},
    }


def training_report(
    tables: list[BidTable],
    paths: list[Path | None],
    *,
    min_share: float | None,
    n_trees: int,
    cross_validation: dict[str, Any] | None,
    clock: Clock,
) -> dict[str, Any]:
    """The report saved inside the model file (report.json)."""
    return {
        "trained_at": clock.now().isoformat(timespec="seconds"),
        "versions": versions(),
        "data": [data_entry(t, p) for t, p in zip(tables, paths, strict=True)],
        "tender_label": label_rule(min_share),
        "features": {
            "general": list(GENERAL),
            "general_input": "每个文件（市场）内的百分位秩 (percentile ranks within each file / market)",
            "specific": list(FEATURES),
            "specific_input": "原始值 (raw values)",
        },
        "model": {
            "general": "LogisticRegression(C=0.1), market- and class-balanced weights",
            "specific": f"GradientBoostingClassifier(n_estimators={n_trees}, learning_rate=0.05, max_depth=3, "
            "min_samples_leaf=20, subsample=0.8, random_state=0), same weights",
            "familiarity": f"mean KS distance of log CV, log SPD and bid count to the nearest training file; "
            f"≤ {FAMILIAR} → 1, ≥ {UNFAMILIAR} → 0",
        },
        "metrics": {
            "protocol": "5-fold cross-validation by tender within the training data; held-out folds ranked alone",
            "by_file": cross_validation,
        },
    }
