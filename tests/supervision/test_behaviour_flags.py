"""Behaviour flags B01–B07 and the community detection behind the bidder network."""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import pytest

from ggzy.supervision.flags.behaviour.network import label_propagation
from tests.supervision.builders import a_bid, a_release, an_award, evidence, flagged, run_family, skipped


def tender(
    ocid: str,
    bidders: list[str],
    winner: str | None,
    *,
    buyer: str = "B",
    amount: float | None = None,
    cap: float | None = None,
    item: str | None = None,
) -> dict[str, Any]:
    award: dict[str, Any] = {}
    if amount is not None:
        award["value"] = {"amount": amount, "currency": "CNY"}
    if item is not None:
        award["items"] = [{"classification": {"id": item}}]
    fields: dict[str, Any] = {"buyer": {"id": buyer}}
    if cap is not None:
        fields["tender"] = {"value": {"amount": cap, "currency": "CNY"}}
    awards = [an_award(winner, **award)] if winner else []
    return a_release(ocid, bids=[a_bid(b, 100.0 + i) for i, b in enumerate(bidders)], awards=awards, **fields)


def market(rounds: int = 30, seed: int = 7) -> list[dict[str, Any]]:
    """Tenders among ten honest firms, each won by a random bidder."""
    rng = random.Random(seed)
    firms = [f"F{i}" for i in range(10)]
    out = []
    for i in range(rounds):
        bidders = rng.sample(firms, 4)
        out.append(tender(f"m{i}", bidders, rng.choice(bidders)))
    return out


def test_b01_cover_bidder_always_losing_to_the_same_winner() -> None:
    covers = [tender(f"c{i}", ["COVER", "BOSS", f"X{i}"], "BOSS") for i in range(10)]
    assert flagged(market() + covers, "B01", "Tenderer") == {"COVER": 0.0}
    assert "BOSS（10次）" in evidence(market() + covers, "B01")[0]


def test_b01_needs_enough_bids_and_skips_undecided_tenders() -> None:
    covers = [tender(f"c{i}", ["COVER", "BOSS"], "BOSS") for i in range(9)]
    assert flagged(covers, "B01", "Tenderer") == {}
    assert flagged(covers, "B01", "Tenderer", ini="min_bids = 9\n") == {"COVER": 0.0}
    undecided = [tender(f"u{i}", ["COVER", "BOSS"], None) for i in range(12)]
    assert flagged(undecided, "B01", "Tenderer") == {} and skipped(undecided, "B01") == 12


def test_b02_the_same_three_take_turns() -> None:
    ring = ["R1", "R2", "R3"]
    rotation = [tender(f"r{i}", ring, ring[i % 3]) for i in range(6)]
    same_winner = [tender(f"s{i}", ["S1", "S2", "S3"], "S1") for i in range(6)]
    releases = market() + rotation + same_winner
    assert set(flagged(releases, "B02")) == {f"r{i}" for i in range(6)}
    assert flagged(releases, "B02", "Tenderer") == {"R1": 6.0, "R2": 6.0, "R3": 6.0}
    assert "R1→R2→R3→R1→R2→R3" in evidence(releases, "B02")[0]


def test_b02_excludes_tenders_without_a_single_winner() -> None:
    outcomes, _ = run_family([tender("u", ["A", "B", "C"], None)], "[B02]")
    assert outcomes["B02"].evaluated == 0 and flagged([tender("u", ["A", "B", "C"], None)], "B02") == {}
    assert skipped([tender("u", ["A", "B", "C"], None)], "B02") == 1


def test_b03_buyer_buying_almost_everything_from_one_supplier() -> None:
    captive = [tender(f"c{i}", ["FAV", "Z"], "FAV" if i else "Z", buyer="CAPTIVE", amount=100) for i in range(10)]
    spread = [tender(f"s{i}", [f"S{i}", "Z"], f"S{i}", buyer="OPEN", amount=100) for i in range(10)]
    assert flagged(captive + spread, "B03", "Buyer") == {"CAPTIVE": pytest.approx(0.82)}


def test_b03_and_b04_skip_awards_without_value() -> None:
    releases = [tender(f"c{i}", ["FAV"], "FAV", buyer="CAPTIVE", item="45000000") for i in range(10)]
    assert flagged(releases, "B03", "Buyer") == {} and skipped(releases, "B03") == 10
    assert flagged(releases, "B04", "Category") == {} and skipped(releases, "B04") == 10


def test_b04_category_dominated_by_one_supplier() -> None:
    roads = [tender(f"r{i}", ["ROADS", "Z"], "ROADS", buyer=f"B{i}", amount=100, item="45230000") for i in range(20)]
    it = [tender(f"i{i}", [f"I{i}", "Z"], f"I{i}", buyer=f"B{i}", amount=100, item="48000000") for i in range(20)]
    assert flagged(roads + it, "B04", "Category") == {"45": 1.0}


def test_b05_repeated_awards_from_one_buyer() -> None:
    repeated = [tender(f"r{i}", ["PET", "Z"], "PET" if i < 5 else f"O{i}", buyer="CITY") for i in range(8)]
    assert flagged(repeated, "B05", "Buyer") == {"CITY": 0.625}
    assert flagged(repeated, "B05", "Tenderer") == {"PET": 5.0}
    assert flagged(repeated, "B05", "Buyer", ini="min_share = 0.7\n") == {}


def test_b05_skips_awards_without_a_buyer() -> None:
    release = a_release("nobuyer", bids=[a_bid("A")], awards=[an_award("A")])
    assert flagged([release] * 6, "B05", "Buyer") == {} and skipped([release] * 6, "B05") == 6


def test_b06_winning_price_within_one_percent_of_the_control_price() -> None:
    releases = [
        tender("cap", ["A"], "A", amount=995, cap=1000),
        tender("cheap", ["A"], "A", amount=900, cap=1000),
        tender("over", ["A"], "A", amount=1001, cap=1000),
    ]
    assert flagged(releases, "B06") == {"cap": 0.995}
    assert skipped([tender("nocap", ["A"], "A", amount=995)], "B06") == 1


def planted(groups: int, size: int, rng: random.Random) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[int]]:
    """Dense weighted cliques joined by a few light edges; the truth is each node's group."""
    src, dst, w = [], [], []
    truth = [n // size for n in range(groups * size)]
    for a in range(groups * size):
        for b in range(a + 1, groups * size):
            same = truth[a] == truth[b]
            if (same and rng.random() < 0.8) or (not same and rng.random() < 0.03):
                src.append(a)
                dst.append(b)
                w.append(5.0 if same else 1.0)
    s, d = np.array(src + dst), np.array(dst + src)
    return s, d, np.array(w + w), truth


def test_label_propagation_recovers_planted_communities() -> None:
    s, d, w, truth = planted(5, 8, random.Random(3))
    labels = label_propagation(s, d, w, len(truth))
    found = {tuple(sorted(np.flatnonzero(labels == label))) for label in set(labels.tolist())}
    expected = {tuple(n for n in range(len(truth)) if truth[n] == g) for g in range(5)}
    assert found == expected


def test_label_propagation_leaves_isolated_nodes_alone() -> None:
    labels = label_propagation(np.array([0, 1]), np.array([1, 0]), np.array([1.0, 1.0]), 4).tolist()
    assert labels[0] == labels[1] and labels[2:] == [2, 3]


def test_b07_closed_ring_and_communities_in_the_per_bidder_output() -> None:
    ring = [tender(f"r{i}", ["R1", "R2", "R3"], "R1") for i in range(4)]
    releases = market(60) + ring
    assert flagged(releases, "B07", "Tenderer") == {"R1": 3.0, "R2": 3.0, "R3": 3.0}
    assert "圈内共同投标占 100.0%" in evidence(releases, "B07")[0]


def test_b07_pairs_bidding_together_once_form_no_ring() -> None:
    once = [tender(f"o{i}", [f"A{i}", f"B{i}", f"C{i}"], f"A{i}") for i in range(5)]
    assert flagged(once, "B07", "Tenderer") == {}
    outcomes, _ = run_family(once, "[B07]")
    assert outcomes["B07"].evaluated == 0
