"""Subset screens (Wallimann, Imhof & Huber 2022): brute force, sampling, and the incomplete cartel they exist for."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from ggzy.supervision.collusion.screens import tender_screens
from ggzy.supervision.collusion.subsets import (
    MAX_SUBSETS,
    feature_names,
    subset_index,
    subset_screens_of,
    subsets_by_size,
)


def test_summaries_equal_the_brute_force_over_every_subset() -> None:
    bids = np.array([210.0, 200.0, 236.0, 219.0, 251.0, 204.0])
    got = subsets_by_size([bids])
    for k in (3, 4):
        per_subset = [tender_screens(list(c)) for c in itertools.combinations(bids, k)]
        for screen in subset_screens_of(k):
            values = np.array([s[screen] for s in per_subset])
            expected = {"min": values.min(), "mean": values.mean(), "median": np.median(values), "max": values.max()}
            for f, v in expected.items():
                assert got[f"S{k}_{screen}_{f}"][0] == pytest.approx(v), (k, screen, f)


def test_kurtosis_is_summarised_over_four_bid_subsets_only() -> None:
    names = feature_names()
    assert "S4_KURT_mean" in names and "S3_KURT_mean" not in names
    assert len(names) == 4 * (8 + 9)


def test_a_three_bid_tender_has_three_bid_summaries_and_no_four_bid_ones() -> None:
    got = subsets_by_size([np.array([100.0, 104.0, 109.0])])
    assert got["S3_CV_mean"][0] == pytest.approx(tender_screens([100.0, 104.0, 109.0])["CV"])
    assert np.isnan(got["S4_CV_mean"][0])


def test_large_tenders_use_a_fixed_sample_of_distinct_sorted_subsets() -> None:
    idx = subset_index(40, 4)
    assert idx.shape == (MAX_SUBSETS, 4)
    assert np.all(np.diff(idx, axis=1) > 0)  # increasing positions: distinct bids, sorted order kept
    assert np.array_equal(idx, subset_index(40, 4))  # the same sample every time


def test_small_tenders_use_every_subset() -> None:
    assert subset_index(6, 3).shape == (20, 3)
    assert subset_index(2, 3).shape == (0, 3)


def test_the_cartels_own_bids_show_in_the_tightest_subset_even_when_outsiders_blur_the_whole_tender() -> None:
    cartel = [1000.0, 1041.0, 1043.0, 1045.0]  # winner and three covers bunched just above it
    outsiders = [930.0, 1150.0, 1260.0]
    mixed = np.array(cartel + outsiders)
    got = subsets_by_size([mixed])
    whole = tender_screens(mixed)
    assert got["S3_CV_min"][0] < whole["CV"] / 10
    assert got["S3_CV_min"][0] == pytest.approx(tender_screens([1041.0, 1043.0, 1045.0])["CV"])
