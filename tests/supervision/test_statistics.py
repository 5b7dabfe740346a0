"""Quartiles by R-8 with statrs' arithmetic, fused multiply-add fences, and Cardinal's number format."""

from __future__ import annotations

import math

import numpy as np
import polars as pl

from ggzy.supervision.analyze.cardinal_json import build_results, format_float
from ggzy.supervision.flags.cardinal.common import fused, quantile_r8


def test_r8_quartiles_of_two_zeros_and_seven_hundreds() -> None:
    data = np.array([0.0, 0.0] + [100.0] * 7)
    q1, q3 = quantile_r8(data, 0.25), quantile_r8(data, 0.75)
    assert round(q1, 4) == 66.6667
    assert q3 == 100.0
    assert round(fused(q3 - q1, -1.5, q1), 4) == 16.6667


def test_r8_interpolates_between_order_statistics() -> None:
    # h = (4 + 1/3) * 0.5 + 1/3 = 2.5 → halfway between the 2nd and 3rd smallest
    assert quantile_r8(np.array([4.0, 1.0, 3.0, 2.0]), 0.5) == 2.5


def test_r8_quantile_of_nothing_is_nan_and_extremes_clamp() -> None:
    assert math.isnan(quantile_r8(np.array([]), 0.25))
    assert quantile_r8(np.array([5.0, 1.0]), 0.0) == 1.0
    assert quantile_r8(np.array([5.0, 1.0]), 1.0) == 5.0
    assert quantile_r8(np.array([7.0]), 0.25) == 7.0


def test_fused_multiply_add_rounds_once() -> None:
    a, b, c = 0.1, 10.0, -1.0
    assert a * b + c == 0.0
    assert fused(a, b, c) == 5.551115123125783e-17


def test_floats_are_written_as_serde_json_writes_them() -> None:
    assert format_float(1.0) == "1.0"
    assert format_float(0.0) == "0.0"
    assert format_float(-0.0) == "-0.0"
    assert format_float(0.16666666666666666) == "0.16666666666666666"
    assert format_float(99.0) == "99.0"
    assert format_float(1e15) == "1000000000000000.0"
    assert format_float(1e16) == "1e16"
    assert format_float(1.5e17) == "1.5e17"
    assert format_float(0.0001) == "0.0001"
    assert format_float(0.00001) == "0.00001"
    assert format_float(1e-6) == "1e-6"
    assert format_float(-2.5e-7) == "-2.5e-7"
    assert format_float(math.inf) == "null"


def test_cardinal_results_come_out_in_one_order_whatever_order_the_flags_found_them() -> None:
    # Two tenderers first seen in the same release tie on `order`; a finalize pass may find them in any order.
    rows = [
        {"group": "Tenderer", "key": key, "value": 0.75, "phase": "finalize", "order": 7, "sub": 0, "indicator": "R038"}
        for key in ("T3", "T1", "T2")
    ]
    orders = set()
    for permutation in (rows, rows[::-1], rows[1:] + rows[:1]):
        results = build_results(pl.DataFrame(permutation))
        orders.add(tuple(results["Tenderer"]))
    assert orders == {("T1", "T2", "T3")}
