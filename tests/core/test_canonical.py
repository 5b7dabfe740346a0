"""Canonical JSON: one byte form for hashing; floats are refused wherever they hide."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from ggzy.core import canonical


def test_sorted_keys_no_spaces_utf8_and_typed_scalars() -> None:
    doc = {"b": Decimal("1.50"), "a": "甲", "c": datetime(2026, 1, 1, tzinfo=UTC), "d": {3, 1, 2}, "e": b"\x01"}
    assert canonical.dumpb(doc) == (
        '{"a":"甲","b":"1.50","c":"2026-01-01T00:00:00.000000+00:00","d":[1,2,3],"e":"01"}'.encode()
    )


@pytest.mark.parametrize(
    "doc",
    [
        1.5,
        {"price": 1.5},
        [1, [2, {"x": 0.1}]],
        ("a", 2.0),
        {1.5: "x"},  # json would write the key as "1.5"
        {"nested": {2.5: "x"}},
        {"s": {1.5, 2}},  # json would write the set's members as numbers
        {"s": frozenset({0.5})},
        [{"deep": (frozenset({1.25}),)}],
    ],
)
def test_floats_are_refused_as_values_keys_and_set_members(doc: object) -> None:
    with pytest.raises(TypeError, match="float"):
        canonical.dumps(doc)


def test_integer_and_string_keys_and_sets_without_floats_pass() -> None:
    assert canonical.dumps({2: {"y", "x"}, 1: "a"}) == '{"1":"a","2":["x","y"]}'


def test_a_naive_datetime_is_refused() -> None:
    with pytest.raises(TypeError, match="naive"):
        canonical.dumps({"at": datetime(2026, 1, 1)})
