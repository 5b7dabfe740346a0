"""The nine screens against values worked out by hand from their definitions, and against scipy."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from ggzy.supervision.collusion.screens import SCREENS, screen_matrix, screens_by_size, tender_screens

# b = 100, 110, 120, 150: mean 120, deviations −20 −10 0 30, Σd² = 1400, s² = 1400/3
S2 = 1400 / 3
HAND = {
    "CV": math.sqrt(S2) / 120,
    "SPD": 50 / 100,
    "DIFFP": 10 / 100,
    "RD": 10 / math.sqrt(((110 - 380 / 3) ** 2 + (120 - 380 / 3) ** 2 + (150 - 380 / 3) ** 2) / 2),
    "RDNOR": 10 / (50 / 3),  # mean gap of all bids: (150 − 100) / 3
    "RDALT": 10 / (40 / 2),  # mean gap of the losing bids: (150 − 110) / 2
    "SKEW": 4 / (3 * 2) * 18000 / S2**1.5,  # Σd³ = −8000 − 1000 + 0 + 27000
    "KURT": 4 * 5 / (3 * 2 * 1) * 980000 / S2**2 - 3 * 3**2 / (2 * 1),  # Σd⁴ = 980000 → 15 − 13.5
    "KS": 0.25,  # at the median bid (z = 0, U = 0.5) the empirical CDF is already 0.75
}


@pytest.mark.parametrize("screen", SCREENS)
def test_each_screen_matches_the_hand_computed_value(screen: str) -> None:
    got = tender_screens([150.0, 100.0, 120.0, 110.0])  # order does not matter
    assert got[screen] == pytest.approx(HAND[screen], rel=1e-12)


def test_kurtosis_of_the_hand_example_is_one_and_a_half() -> None:
    assert tender_screens([100.0, 110.0, 120.0, 150.0])["KURT"] == pytest.approx(1.5)


def test_moments_are_the_unbiased_sample_ones_that_scipy_computes_with_bias_false() -> None:
    rng = np.random.default_rng(1)
    for n in (4, 7, 15):
        bids = rng.lognormal(13, 0.2, n)
        got = tender_screens(bids)
        assert got["SKEW"] == pytest.approx(stats.skew(bids, bias=False))
        assert got["KURT"] == pytest.approx(stats.kurtosis(bids, bias=False))
        assert got["CV"] == pytest.approx(np.std(bids, ddof=1) / np.mean(bids))


def test_ks_is_the_one_sample_statistic_against_a_uniform_law_with_the_bids_mean_and_unit_variance() -> None:
    rng = np.random.default_rng(2)
    bids = rng.normal(1000, 40, 9)
    x = bids / bids.std(ddof=1)
    uniform = stats.uniform(loc=x.mean() - math.sqrt(3), scale=2 * math.sqrt(3))
    assert tender_screens(bids)["KS"] == pytest.approx(stats.kstest(x, uniform.cdf).statistic)


def test_three_bids_have_every_screen_but_kurtosis() -> None:
    got = tender_screens([100.0, 104.0, 112.0])
    assert math.isnan(got["KURT"])
    assert got["RDALT"] == pytest.approx(4 / 8)  # one losing gap: 112 − 104
    assert got["RDNOR"] == pytest.approx(4 / 6)  # mean gap (112 − 100) / 2
    assert all(math.isfinite(v) for k, v in got.items() if k != "KURT")


def test_fewer_than_three_bids_give_no_screens() -> None:
    assert all(math.isnan(v) for v in tender_screens([100.0, 120.0]).values())


def test_identical_bids_give_zero_dispersion_and_undefined_ratios_without_warnings() -> None:
    got = tender_screens([500.0] * 5)  # warnings are errors in this suite
    assert got["CV"] == 0 and got["SPD"] == 0 and got["DIFFP"] == 0
    assert all(math.isnan(got[k]) for k in ("RD", "RDNOR", "RDALT", "KURT", "SKEW", "KS"))


def test_two_equal_lowest_bids_give_zero_distance() -> None:
    got = tender_screens([100.0, 100.0, 130.0, 140.0])
    assert got["DIFFP"] == 0 and got["RD"] == 0 and got["RDNOR"] == 0


def test_screens_are_scale_free() -> None:
    bids = np.array([100.0, 103.0, 111.0, 118.0, 140.0])
    a, b = tender_screens(bids), tender_screens(bids * 7.3)
    for k in SCREENS:
        assert a[k] == pytest.approx(b[k])


def test_batching_by_size_gives_the_same_numbers_as_one_tender_at_a_time() -> None:
    rng = np.random.default_rng(3)
    groups = [rng.lognormal(12, 0.1, n) for n in (2, 3, 4, 4, 6, 9, 3)]
    batched = screens_by_size(groups)
    for i, g in enumerate(groups):
        single = tender_screens(g)
        for k in SCREENS:
            assert batched[k][i] == pytest.approx(single[k], nan_ok=True)


def test_a_matrix_with_fewer_than_three_columns_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 3"):
        screen_matrix(np.ones((2, 2)))
