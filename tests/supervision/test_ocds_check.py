"""The checker's two paths agree (issue 14 item 2): the fast validator (jsonschema-rs over the checker's own table)
accepts exactly the releases in which the walk finds no error and no additional field, over every single-field
mutation of a rich release (wrong types, null, text numbers, empty arrays, bad codes and dates, removed and added
fields)."""

from __future__ import annotations

import copy
import random
from collections.abc import Iterator
from typing import Any

from bench.ocds_import import a_compiled_release
from ggzy.supervision.ocds import check

MUTANTS: tuple[Any, ...] = ("1", "x", "2024-01-01", [], {}, None, 1.5, 3, True, ["a"], [{}], [1])


def rich() -> dict[str, Any]:
    release = a_compiled_release(3, random.Random(3))
    release["planning"] = {"budget": {"amount": {"amount": 5, "currency": "CNY"}, "projectID": 7}}
    release["tender"]["documents"] = [{"id": "d", "datePublished": "2024-01-01T00:00:00Z"}]
    release["tender"]["lots"] = [{"id": "L1", "status": "active"}]
    release["contracts"][0]["implementation"] = {"transactions": [{"id": "t", "value": {"amount": 1}}]}
    return release


def paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield (*path, key)
            yield from paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield (*path, index)
            yield from paths(item, (*path, index))


def mutated(release: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    out = copy.deepcopy(release)
    node = out
    for part in path[:-1]:
        node = node[part]
    if value is KeyError:
        if isinstance(node, dict):
            del node[path[-1]]
    elif value is IndexError:
        if isinstance(node, dict):
            node["extraField"] = 1
    else:
        node[path[-1]] = value
    return out


def slow_clean(release: dict[str, Any]) -> bool:
    problems = check.Problems()
    check._check_object(release, check._COMPILED["Release"], [], "", problems)
    return not problems.errors and not problems.additional


def test_the_fast_path_accepts_exactly_what_the_walk_finds_clean() -> None:
    base = rich()
    assert check._FAST.is_valid(base) and slow_clean(base)
    seen = 0
    for path in paths(base):
        for value in (*MUTANTS, KeyError, IndexError):
            candidate = mutated(base, path, value)
            assert check._FAST.is_valid(candidate) == slow_clean(candidate), (path, value)
            seen += 1
    assert seen > 1500


def test_a_release_the_fast_path_cannot_take_is_walked() -> None:
    from decimal import Decimal

    problems = check.Problems()
    release = {**rich(), "tender": {"id": "t", "value": {"amount": Decimal("1.5"), "currency": "CNY"}}}
    assert check.check_release(release, "x", problems) == 0
    release["tender"]["numberOfTenderers"] = 2**70
    assert check.check_release(release, "x", problems) == 0
    release["tender"]["numberOfTenderers"] = "3"
    assert check.check_release(release, "x", problems) == 1
