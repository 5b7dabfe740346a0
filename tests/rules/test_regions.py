"""Regions are shown by name (issue 13 item 4), never invented: an unknown code stays a number."""

from __future__ import annotations

import pytest

from ggzy.rules import regions


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("410000", "河南省"),
        ("410700", "新乡市"),
        ("4107", "新乡市"),
        ("410702", "新乡市红旗区"),
        ("410781", "卫辉市"),
        ("41", "河南省"),
        ("410799", "410799"),
        ("999999", "999999"),
        ("", "—"),
        (None, "—"),
        ("abc", "abc"),
    ],
)
def test_a_code_reads_as_its_name_or_stays_a_number(code: str | None, name: str) -> None:
    assert regions.name_of(code) == name
