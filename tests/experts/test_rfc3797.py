"""RFC 3797 §6, the RFC's own fully worked example: the same key string, digests and selection order."""

from __future__ import annotations

import pytest

from ggzy.experts import rfc3797

# RFC 3797 §6: three seed sources (a daily number; five winning numbers; six winning numbers).
SOURCES = [9319, [2, 5, 12, 8, 10], [9, 18, 26, 34, 41, 45]]
KEY = "9319./2.5.8.10.12./9.18.26.34.41.45./"
# RFC 3797 §6: the MD5 values of index 0 and 1, and the order in which the 25 volunteers are selected.
FIRST_DIGESTS = ["990DD0A5692A029A98B5E01AA28F3459", "3691E55CB63FCC37914430B2F70B5EC6"]
ORDER = [17, 7, 2, 16, 25, 23, 8, 24, 19, 13]


def test_key_string_sorts_each_source_and_ends_each_with_a_slash() -> None:
    assert rfc3797.key_string(SOURCES) == KEY


def test_digests_are_the_rfcs() -> None:
    assert [rfc3797.digest(KEY, i).hex().upper() for i in range(2)] == FIRST_DIGESTS


def test_selection_order_is_the_rfcs() -> None:
    assert rfc3797.select(KEY, list(range(1, 26)), 10) == ORDER


def test_a_sequence_can_be_continued() -> None:
    first = rfc3797.select(KEY, list(range(1, 26)), 4)
    rest = rfc3797.select(KEY, [v for v in range(1, 26) if v not in first], 6, start=4)
    assert first + rest == ORDER


def test_a_different_key_gives_a_different_order() -> None:
    assert rfc3797.select("9319./2.5.8.10.13./9.18.26.34.41.45./", list(range(1, 26)), 10) != ORDER


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="non-negative"):
        rfc3797.key_string([-1])
    with pytest.raises(ValueError, match="outside"):
        rfc3797.digest(KEY, 70000)
    with pytest.raises(ValueError, match="nothing left"):
        rfc3797.position(KEY, 0, 0)
