"""条例 art. 40 signs X01–X14: tenderers of one tender sharing a machine, address, author, file, account or contact,
and prices in a regular pattern — each named with the group that shares it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.supervision.builders import a_bid, a_release, evidence, flagged, skipped


def signed(tenderer: str, amount: float | None = None, **ext: Any) -> dict[str, Any]:
    return a_bid(tenderer, amount, ggzySupervision=ext)


BID_SIGNS = [
    ("X01", {"machineFingerprint": "AB:CD"}, {"machineFingerprint": "ab:cd "}, {"machineFingerprint": "EF"}),
    ("X02", {"uploadAddress": "10.0.0.7"}, {"uploadAddress": "10.0.0.7"}, {"uploadAddress": "10.0.0.8"}),
    (
        "X03",
        {"documents": [{"author": "张三"}]},
        {"documents": [{"author": "张三 "}]},
        {"documents": [{"author": "李四"}]},
    ),
    (
        "X04",
        {"documents": [{"application": "Tool 1"}]},
        {"documents": [{"application": "Tool 1"}]},
        {"documents": [{"application": "Tool 2"}]},
    ),
    (
        "X05",
        {"documents": [{"sha256": "AA"}, {"sha256": "11"}]},
        {"documents": [{"sha256": "aa"}]},
        {"documents": [{"sha256": "BB"}]},
    ),
    ("X06", {"depositAccount": "6222 0001"}, {"depositAccount": "6222-0001"}, {"depositAccount": "6222 0002"}),
]


@pytest.mark.parametrize(("code", "first", "same", "other"), BID_SIGNS)
def test_bids_sharing_a_value_are_flagged_with_the_group(
    code: str, first: dict[str, Any], same: dict[str, Any], other: dict[str, Any]
) -> None:
    shared = a_release("shared", bids=[signed("A", **first), signed("B", **same), signed("C", **other)])
    apart = a_release("apart", bids=[signed("A", **first), signed("C", **other)])
    assert flagged([shared, apart], code) == {"shared": 2.0}
    assert flagged([shared, apart], code, "Tenderer") == {"A": 2.0, "B": 2.0}
    assert all(e.endswith("A, B") for e in evidence([shared, apart], code))


@pytest.mark.parametrize("code", [c for c, *_ in BID_SIGNS])
def test_bids_without_the_value_are_skipped(code: str) -> None:
    bare = a_release("bare", bids=[a_bid("A"), a_bid("B")])
    assert flagged([bare], code) == {} and skipped([bare], code) == 1


def test_one_tenderer_with_two_bids_is_not_a_group() -> None:
    same = a_release("one", bids=[signed("A", machineFingerprint="M"), signed("A", machineFingerprint="M")])
    assert flagged([same], "X01") == {}


def test_x04_ignores_listed_applications() -> None:
    common = {"documents": [{"application": "WPS Office"}]}
    release = a_release("wps", bids=[signed("A", **common), signed("B", **common)])
    assert flagged([release], "X04") == {"wps": 2.0}
    assert flagged([release], "X04", ini="ignore = WPS Office|Microsoft Word\n") == {}


def party(pid: str, **fields: Any) -> dict[str, Any]:
    return {"id": pid, **fields}


PARTY_SIGNS = [
    (
        "X07",
        {"contactPoint": {"name": "王五"}},
        {"contactPoint": {"name": "王 五"}},
        {"contactPoint": {"name": "赵六"}},
    ),
    (
        "X08",
        {"contactPoint": {"telephone": "+86 138-0000-0000"}},
        {"contactPoint": {"telephone": "13800000000"}},
        {"contactPoint": {"telephone": "13900000000"}},
    ),
    (
        "X09",
        {"contactPoint": {"email": "Bid@A.cn"}},
        {"contactPoint": {"email": "bid@a.cn "}},
        {"contactPoint": {"email": "c@c.cn"}},
    ),
    (
        "X10",
        {"address": {"streetAddress": "人民路 1 号", "locality": "新乡"}},
        {"address": {"streetAddress": "人民路1号，", "locality": "新乡"}},
        {"address": {"streetAddress": "胜利路2号"}},
    ),
    (
        "X11",
        {"ggzySupervision": {"legalRepresentative": "张三"}},
        {"ggzySupervision": {"legalRepresentative": "张三"}},
        {"ggzySupervision": {"legalRepresentative": "李四"}},
    ),
]


@pytest.mark.parametrize(("code", "first", "same", "other"), PARTY_SIGNS)
def test_tenderers_sharing_a_contact_are_flagged(
    code: str, first: dict[str, Any], same: dict[str, Any], other: dict[str, Any]
) -> None:
    bids = [a_bid("A"), a_bid("B"), a_bid("C")]
    shared = a_release("shared", bids=bids, parties=[party("A", **first), party("B", **same), party("C", **other)])
    apart = a_release("apart", bids=bids, parties=[party("A", **first), party("C", **other)])
    assert flagged([shared, apart], code) == {"shared": 2.0}
    assert set(flagged([shared, apart], code, "Tenderer")) == {"A", "B"}


@pytest.mark.parametrize("code", [c for c, *_ in PARTY_SIGNS])
def test_tenderers_without_the_contact_are_skipped(code: str) -> None:
    bare = a_release("bare", bids=[a_bid("A"), a_bid("B")], parties=[party("A"), party("B")])
    assert flagged([bare], code) == {} and skipped([bare], code) == 1


def test_a_buyer_sharing_a_phone_with_a_tenderer_is_not_a_sign() -> None:
    phone = {"contactPoint": {"telephone": "123"}}
    release = a_release("buyer", bids=[a_bid("A"), a_bid("B")], parties=[party("A", **phone), party("X", **phone)])
    assert flagged([release], "X08") == {}


def priced(ocid: str, *amounts: float) -> dict[str, Any]:
    return a_release(ocid, bids=[a_bid(f"T{i}", amount) for i, amount in enumerate(amounts)])


def test_x12_identical_prices_name_the_tenderers() -> None:
    releases = [priced("same", 100, 100, 120), priced("different", 100, 101)]
    assert flagged(releases, "X12") == {"same": 2.0}
    assert evidence(releases, "X12")[0] == "报价 100.0 USD：T0, T1"


def test_x12_skips_tenders_without_priced_bids() -> None:
    bare = a_release("bare", bids=[a_bid("A"), a_bid("B")])
    assert flagged([bare], "X12") == {} and skipped([bare], "X12") == 1


def test_x13_arithmetic_progression_of_three_or_more_bids() -> None:
    releases = [priced("steps", 130, 100.5, 110.5, 120.5), priced("random", 100, 107, 111), priced("two", 100, 110)]
    assert flagged(releases, "X13") == {"steps": 3.0}
    assert evidence(releases, "X13")[0] == "等差报价 100.5 < 110.5 < 120.5：T1, T2, T3"
    assert flagged(releases, "X13", ini="min_bids = 4\n") == {}


def test_x14_whole_percentage_steps() -> None:
    releases = [priced("percent", 1_000_000, 1_030_000, 1_060_900), priced("near", 1_000_000, 1_030_000, 1_060_950)]
    assert flagged(releases, "X14") == {"percent": 3.0}


def test_x13_and_x14_skip_tenders_without_priced_bids() -> None:
    bare = a_release("bare", bids=[a_bid("A"), a_bid("B"), a_bid("C")])
    assert skipped([bare], "X13") == 1 and skipped([bare], "X14") == 1
    assert flagged([bare], "X13") == {} and flagged([bare], "X14") == {}
