"""The classifier: tree export, transfer by market ranks, familiarity, explanations, save and load."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.metrics import roc_auc_score

from ggzy.supervision.collusion.bids import BidTable, read_bid_table
from ggzy.supervision.collusion.features import GROUPS, percentile_ranks
from ggzy.supervision.collusion.model import CollusionModel, TrainingError, balanced_weights
from ggzy.supervision.collusion.store import ModelFileError, load_model, save_model
from ggzy.supervision.collusion.trees import TreeEnsemble
from tests.supervision.collusion import synth

TREES = 60


@pytest.fixture(scope="module")
def tables(tmp_path_factory: pytest.TempPathFactory) -> dict[str, BidTable]:
    d = tmp_path_factory.mktemp("markets")
    return {
        "a": read_bid_table(synth.write(d / "a.csv", synth.market(1, 100)), require_labels=True),
        "a2": read_bid_table(synth.write(d / "a2.csv", synth.market(2, 100)), require_labels=True),
        "narrow": read_bid_table(
            synth.write(d / "narrow.csv", synth.market(3, 100, scale=1e3, spread=0.2, collusive_share=0.3)),
            require_labels=True,
        ),
    }


@pytest.fixture(scope="module")
def model(tables: dict[str, BidTable]) -> CollusionModel:
    return CollusionModel.fit([tables["a"]], n_trees=TREES)


def test_exported_trees_score_exactly_as_scikit_learn_does() -> None:
    rng = np.random.default_rng(0)
    x = rng.random((300, 6))
    y = (x[:, 0] + 0.3 * rng.random(300) > 0.6).astype(int)
    gb = GradientBoostingClassifier(n_estimators=30, max_depth=3, random_state=0).fit(x, y)
    trees = TreeEnsemble.from_gradient_boosting(gb, x)
    assert np.allclose(trees.decision(x), gb.decision_function(x), atol=1e-9)


def test_market_ranks_carry_the_signal_to_a_market_with_a_much_narrower_band_of_bids(
    model: CollusionModel, tables: dict[str, BidTable]
) -> None:
    narrow = tables["narrow"]
    scores = model.score(narrow)
    assert roc_auc_score(narrow.labels, scores.probability) > 0.95
    assert ((scores.probability >= 0.5) == narrow.labels).mean() > 0.9


def test_a_new_sample_of_a_known_market_is_familiar_and_gets_its_base_rate(
    model: CollusionModel, tables: dict[str, BidTable]
) -> None:
    scores = model.score(tables["a2"])
    assert scores.familiarity == pytest.approx(1.0)
    assert scores.nearest_market == "a" and scores.prior == pytest.approx(0.5)
    assert ((scores.probability >= 0.5) == tables["a2"].labels).mean() > 0.95


def test_an_unknown_market_gets_the_general_part_and_no_base_rate(
    model: CollusionModel, tables: dict[str, BidTable]
) -> None:
    scores = model.score(tables["narrow"])
    assert scores.familiarity == 0.0 and scores.prior == 0.5


def test_contributions_add_up_to_the_score_minus_the_median_tender(
    model: CollusionModel, tables: dict[str, BidTable]
) -> None:
    scores = model.score(tables["a2"], explain_groups=True)
    assert scores.contributions is not None and scores.contributions.shape == (100, len(GROUPS))
    assert np.allclose(scores.contributions.sum(axis=1), scores.logit - scores.base_logit, atol=1e-9)


def test_the_planted_signal_drives_the_explanation(tmp_path: Path) -> None:
    train = read_bid_table(synth.write(tmp_path / "p.csv", synth.planted_estimate_market(5)), require_labels=True)
    test = read_bid_table(synth.write(tmp_path / "q.csv", synth.planted_estimate_market(6)), require_labels=True)
    scores = CollusionModel.fit([train], n_trees=TREES).score(test, explain_groups=True)
    assert scores.contributions is not None and test.labels is not None
    strength = np.abs(scores.contributions).mean(axis=0)
    others = np.delete(strength, GROUPS.index("PTE"))
    assert strength[GROUPS.index("PTE")] > 5 * others.max()
    top = np.array(GROUPS)[np.argmax(np.abs(scores.contributions), axis=1)]
    assert (top == "PTE").mean() > 0.8  # the rest sit next to the median tender, where no group says much
    pte = scores.contributions[:, GROUPS.index("PTE")]
    assert (pte[test.labels == 1] > 0).all() and (pte[test.labels == 0] < 0).all()


def test_a_saved_model_loads_and_scores_identically(
    model: CollusionModel, tables: dict[str, BidTable], tmp_path: Path
) -> None:
    path = tmp_path / "m.zip"
    save_model(model.with_report({"note": "测试 test"}), path)
    loaded = load_model(path)
    a = model.score(tables["a2"], explain_groups=True)
    b = loaded.score(tables["a2"], explain_groups=True)
    assert np.array_equal(a.probability, b.probability)
    assert a.contributions is not None
    assert b.contributions is not None
    assert np.array_equal(a.contributions, b.contributions)
    assert loaded.report == {"note": "测试 test"}
    assert loaded.markets == model.markets


def test_a_file_that_is_not_a_model_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "m.zip"
    path.write_bytes(b"not a zip")
    with pytest.raises(ModelFileError, match="不是有效的串标模型文件"):
        load_model(path)


def test_training_needs_both_classes(tables: dict[str, BidTable]) -> None:
    labels = tables["a"].labels
    assert labels is not None
    only_collusive = tables["a"].subset(np.flatnonzero(labels == 1))
    with pytest.raises(TrainingError, match="both collusive and competitive"):
        CollusionModel.fit([only_collusive], n_trees=TREES)


def test_each_market_and_each_class_within_it_weighs_the_same() -> None:
    w = balanced_weights([np.array([1, 1, 1, 0]), np.array([0, 1])])
    assert w[:3].sum() == pytest.approx(w[3]) == pytest.approx(w[4]) == pytest.approx(w[5])
    assert w.mean() == pytest.approx(1.0)


def test_ranks_are_taken_within_the_reference_and_the_new_tenders_together() -> None:
    history = np.arange(1.0, 100.0)[:, None]
    new = np.array([[0.5], [50.0], [200.0]])
    ranks = percentile_ranks(new, history)
    assert ranks[0, 0] < 0.01 and ranks[1, 0] == pytest.approx(0.5, abs=0.01) and ranks[2, 0] > 0.99
    assert percentile_ranks(np.array([[3.0], [3.0]]))[:, 0].tolist() == [0.5, 0.5]  # constant: no evidence
