"""R025, R035, R038, R048: flags about tenderers, buyers and procuring entities across processes."""

from __future__ import annotations

from tests.supervision.builders import a_bid, a_release, an_award, outcome, run


def test_r035_flags_a_winner_whose_rivals_were_all_disqualified() -> None:
    releases = [
        a_release("one", bids=[a_bid("D"), a_bid("V")], awards=[an_award("V")]),
        a_release(
            "two",
            bids=[a_bid("D", status="disqualified"), a_bid("E", status="disqualified"), a_bid("V")],
            awards=[an_award("V")],
        ),
    ]
    releases[0]["bids"]["details"][0]["status"] = "disqualified"
    assert run(releases, "[R035]") == {
        "OCID": {"one": {"R035": 1.0}, "two": {"R035": 2.0}},
        "Tenderer": {"V": {"R035": 0.0}},
    }


def test_r035_needs_one_valid_tenderer_who_is_the_only_supplier() -> None:
    releases = [
        a_release(
            "two valid", bids=[a_bid("D", status="disqualified"), a_bid("V"), a_bid("W")], awards=[an_award("V")]
        ),
        a_release("other winner", bids=[a_bid("D", status="disqualified"), a_bid("V")], awards=[an_award("S")]),
        a_release(
            "pending",
            bids=[a_bid("D", status="disqualified"), a_bid("V")],
            awards=[an_award("V"), {"status": "pending"}],
        ),
    ]
    assert run(releases, "[R035]") == {}


def test_r035_threshold_raises_the_number_of_disqualified_rivals() -> None:
    release = a_release("one", bids=[a_bid("D", status="disqualified"), a_bid("V")], awards=[an_award("V")])
    assert run([release], "[R035]\nthreshold = 2") == {}


def test_r035_counts_processes_with_unfinished_awards_as_excluded() -> None:
    release = a_release("pending", bids=[a_bid("V")], awards=[{"status": "pending"}])
    assert sum(outcome([release], "[R035]", "R035").excluded.values()) == 1


def wins(ocid: str, winner: str, *losers: str) -> dict[str, object]:
    return a_release(ocid, bids=[a_bid(winner), *(a_bid(name) for name in losers)], awards=[an_award(winner)])


def test_r025_flags_a_top_tenderer_that_rarely_wins() -> None:
    # Ratios 1, 1, 1, 1 and F's 1/4: Q1 = 0.75, Q3 = 1, lower fence 0.375; F's 4 bids top the 75th percentile (2).
    releases = [wins("a", "A", "F"), wins("b", "B", "F"), wins("c", "C", "F"), wins("f", "F"), wins("d", "D")]
    assert run(releases, "[R025]") == {"Tenderer": {"F": {"R025": 0.25}}}


def test_r025_does_not_flag_when_the_lower_fence_is_not_positive() -> None:
    releases = [wins("a", "A", "F"), wins("b", "B", "F"), wins("f", "F", "C"), wins("c", "C", "D")]
    assert run(releases, "[R025]") == {}


def test_r025_threshold_and_percentile_are_configurable() -> None:
    releases = [wins(f"a{i}", "A", "F") for i in range(3)] + [wins("f", "F", "A")]
    assert run(releases, "[R025]\npercentile = 100\nthreshold = 0.5") == {"Tenderer": {"F": {"R025": 0.25}}}


def test_r025_excludes_processes_with_several_active_awards() -> None:
    release = a_release("x", bids=[a_bid("A"), a_bid("B")], awards=[an_award("A"), an_award("B")])
    assert outcome([release], "[R025]", "R025").evaluated == 0


def rejecting(ocid: str, buyer: str, out: int, total: int) -> dict[str, object]:
    bids = [a_bid(f"T{i}", status="disqualified" if i < out else "valid") for i in range(total)]
    return a_release(ocid, buyer={"id": buyer}, tender={"procuringEntity": {"id": f"PE-{buyer}"}}, bids=bids)


def test_r038_flags_a_buyer_that_disqualifies_far_more_bids_than_others() -> None:
    releases = [rejecting(f"{b}{i}", b, 0, 2) for b in "ABCD" for i in range(2)] + [rejecting("x", "X", 2, 2)]
    result = run(releases, "[R038]\nminimum_submitted_bids = 100")
    assert result == {"Buyer": {"X": {"R038": 1.0}}, "ProcuringEntity": {"PE-X": {"R038": 1.0}}}


def test_r038_flags_tenderers_and_respects_minimums() -> None:
    releases = [rejecting(f"r{i}", f"B{i}", 1, 3) for i in range(4)]
    result = run(releases, "[R038]\nthreshold = 0.9")
    assert result == {"Tenderer": {"T0": {"R038": 1.0}}}
    assert run(releases, "[R038]\nthreshold = 0.9\nminimum_submitted_bids = 5") == {}


def test_r038_skips_processes_without_submitted_bids() -> None:
    releases = [a_release("none", buyer={"id": "B"}, bids=[a_bid("T", status="withdrawn")])]
    assert run(releases, "[R038]\nthreshold = 0.1") == {}


def supplying(ocid: str, supplier: str, *codes: str) -> dict[str, object]:
    items = [{"id": str(i), "classification": {"id": code}} for i, code in enumerate(codes)]
    return a_release(ocid, awards=[an_award(supplier, items=items)])


def test_r048_flags_a_supplier_of_many_unrelated_classes() -> None:
    releases = [supplying(f"{s}", s, "45000000") for s in "ABCD"]
    releases.append(supplying("x", "X", "45000000", "33000000", "72000000", "03000000"))
    assert run(releases, "[R048]\nminimum_contracting_processes = 1") == {"Tenderer": {"X": {"R048": 4.0}}}


def test_r048_digits_widen_the_classification_level() -> None:
    releases = [supplying("x", "X", "45100000", "45200000")]
    assert run(releases, "[R048]\nminimum_contracting_processes = 1\nthreshold = 2") == {}
    assert run(releases, "[R048]\nminimum_contracting_processes = 1\nthreshold = 2\ndigits = 3") == {
        "Tenderer": {"X": {"R048": 2.0}}
    }


def test_r048_ignores_awards_to_several_suppliers_and_items_without_classification() -> None:
    joint = a_release("joint", awards=[an_award("X", "Y", items=[{"classification": {"id": "45"}}])])
    bare = a_release("bare", awards=[an_award("X", items=[{"id": "1"}])])
    assert outcome([joint, bare], "[R048]\nminimum_contracting_processes = 1", "R048").evaluated == 0


def test_r048_minimum_processes_leave_small_suppliers_out() -> None:
    releases = [supplying("x", "X", "45000000", "33000000")]
    assert run(releases, "[R048]\nthreshold = 1") == {}
