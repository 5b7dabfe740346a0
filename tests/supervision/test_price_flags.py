"""R024, R058, R028, R036 and the main currency: flags that compare bid prices."""

from __future__ import annotations

from tests.supervision.builders import a_bid, a_price_race, a_release, an_award, outcome, run, run_json

# Five processes: four with the second bid 100× the winning one, one with the two bids 1% apart.
RACES = [a_price_race("close", 100, 101)] + [a_price_race(f"wide {i}", 1, 100) for i in range(4)]


def test_r024_flags_a_difference_at_or_below_the_lower_fence_with_both_bidders() -> None:
    assert (
        run_json(RACES, "[R024]") == '{"OCID":{"close":{"R024":0.01}},"Tenderer":{"W":{"R024":0.0},"L":{"R024":0.0}}}'
    )


def test_r024_does_not_flag_when_three_quarters_have_no_difference() -> None:
    races = [a_price_race(f"tie {i}", 1, 1) for i in range(4)] + [a_price_race("wide", 1, 3)]
    assert run(races, "[R024]") == {}


def test_r024_threshold_replaces_the_fence() -> None:
    assert run(RACES, "[R024]\nthreshold = 200") == {
        "OCID": {"close": {"R024": 0.01}, **{f"wide {i}": {"R024": 99.0} for i in range(4)}},
        "Tenderer": {"W": {"R024": 0.0}, "L": {"R024": 0.0}},
    }


def test_r024_excludes_pending_awards_multiple_winners_joint_bids_and_non_price_awards() -> None:
    excluded = [
        a_release("pending", bids=[a_bid("W", 1), a_bid("L", 1)], awards=[an_award("W"), {"status": "pending"}]),
        a_release("two awards", bids=[a_bid("W", 1), a_bid("L", 1)], awards=[an_award("W"), an_award("W")]),
        a_release("joint", bids=[a_bid("W", 1), a_bid(["L", "M"], 1)], awards=[an_award("W")]),
        a_release("consortium", bids=[a_bid("W", 1), a_bid("L", 1)], awards=[an_award("W", "X")]),
        a_release("not lowest", bids=[a_bid("W", 2), a_bid("L", 1)], awards=[an_award("W")]),
        a_release("disqualified loser", bids=[a_bid("W", 1), a_bid("L", 1, "disqualified")], awards=[an_award("W")]),
    ]
    assert run(RACES + excluded, "[R024]\nthreshold = 0.5")["OCID"] == {"close": {"R024": 0.01}}


def test_r024_takes_the_winners_lowest_bid() -> None:
    release = a_release("repeat", bids=[a_bid("W", 2), a_bid("W", 1), a_bid("L", 1.5)], awards=[an_award("W")])
    assert run([release], "[R024]\nthreshold = 1")["OCID"] == {"repeat": {"R024": 0.5}}


def test_r024_counts_processes_lacking_a_second_bid_as_skipped() -> None:
    alone = a_release("alone", bids=[a_bid("W", 1)], awards=[an_award("W")])
    result = outcome([*RACES, alone], "[R024]", "R024")
    assert result.evaluated == 5
    assert sum(result.skipped.values()) == 1


def test_r058_flags_a_difference_at_or_above_the_upper_fence_with_the_winner() -> None:
    races = [a_price_race(f"near {i}", 100, 101) for i in range(4)] + [a_price_race("lemon", 1, 100)]
    assert run_json(races, "[R058]") == '{"OCID":{"lemon":{"R058":99.0}},"Tenderer":{"W":{"R058":0.0}}}'


def test_r058_does_not_flag_ordinary_spreads() -> None:
    assert run([a_price_race(f"p{i}", 100, 101 + i) for i in range(5)], "[R058]") == {}


def test_other_currencies_are_not_mixed_with_the_first_observed_one() -> None:
    cad = a_release(
        "cad", bids=[a_bid("W", 1, currency="CAD"), a_bid("L", 1000, currency="CAD")], awards=[an_award("W")]
    )
    result = outcome([*RACES, cad], "[R024]", "R024")
    assert result.skipped["其他币种的投标，未混算 (bids in another currency, not mixed)"] == 2
    assert run([*RACES, cad], "[R024]")["OCID"] == {"close": {"R024": 0.01}}


def test_the_currency_setting_chooses_the_main_currency() -> None:
    assert run(RACES, "currency = CAD\n[R024]\nthreshold = 1") == {}


def test_no_price_comparison_methods_are_left_out_of_price_flags() -> None:
    npc = a_release(
        "npc", tender={"procurementMethodDetails": "NPC"}, bids=[a_bid("A", 1), a_bid("B", 1, "disqualified")]
    )
    assert run([npc], "no_price_comparison_procurement_methods = NPC\n[R028]") == {}
    assert run([npc], "[R028]") == {
        "OCID": {"npc": {"R028": 1.0}},
        "Tenderer": {"B": {"R028": 1.0}, "A": {"R028": 1.0}},
    }


def test_price_comparison_methods_keep_only_listed_procedures() -> None:
    listed = a_release("auction", tender={"procurementMethodDetails": "Auction"}, bids=[a_bid("A", 1), a_bid("B", 1)])
    unset = a_release("unset", bids=[a_bid("A", 1), a_bid("B", 1)])
    assert list(run([listed, unset], "price_comparison_procurement_methods = Auction\n[R028]")["OCID"]) == ["auction"]


def test_r028_flags_identical_prices_from_different_tenderers_and_names_them() -> None:
    release = a_release("same", bids=[a_bid("V", 1), a_bid("D", 1, "disqualified")])
    assert (
        run_json([release], "[R028]") == '{"OCID":{"same":{"R028":1.0}},"Tenderer":{"D":{"R028":1.0},"V":{"R028":1.0}}}'
    )


def test_r028_ignores_same_tenderers_shuffled_joint_bids_other_currencies_and_decimals() -> None:
    releases = [
        a_release("same tenderer", bids=[a_bid("T", 1), a_bid("T", 1)]),
        a_release("shuffled", bids=[a_bid(["A", "Z"], 1), a_bid(["Z", "A"], 1)]),
        a_release("currencies", bids=[a_bid("A", 1), a_bid("B", 1, currency="CAD")]),
        a_release("decimals", bids=[a_bid("A", 1.0), a_bid("B", 1.1)]),
        a_release("withdrawn", bids=[a_bid("A", 1), a_bid("B", 1, "withdrawn")]),
        a_release("no tenderers", bids=[a_bid("A", 1), a_bid(None, 1)]),
    ]
    assert run(releases, "[R028]") == {}


def test_r036_flags_a_disqualified_lowest_bid_when_a_valid_bid_won() -> None:
    releases = [
        a_release("lowest out", bids=[a_bid("A", 1, "disqualified"), a_bid("B", 2)], awards=[an_award("B")]),
        a_release("lowest in", bids=[a_bid("A", 1), a_bid("B", 2, "disqualified")], awards=[an_award("A")]),
        a_release(
            "no award", bids=[a_bid("A", 1, "disqualified"), a_bid("B", 2)], awards=[an_award("B", status="pending")]
        ),
        a_release("no valid", bids=[a_bid("A", 1, "disqualified"), a_bid("B", 2, "pending")], awards=[an_award("B")]),
    ]
    assert run(releases, "[R036]") == {"OCID": {"lowest out": {"R036": 1.0}}}


def test_r036_on_a_tie_the_first_lowest_bid_decides() -> None:
    releases = [a_release("tie", bids=[a_bid("A", 1), a_bid("B", 1, "disqualified")], awards=[an_award("A")])]
    assert run(releases, "[R036]") == {}


def test_r036_skips_bids_in_another_currency() -> None:
    release = a_release(
        "mixed", bids=[a_bid("A", 1, "disqualified", currency="CAD"), a_bid("B", 2)], awards=[an_award("B")]
    )
    assert run([release], "currency = USD\n[R036]") == {}
    assert sum(outcome([release], "currency = USD\n[R036]", "R036").skipped.values()) == 1


def test_r058_counts_processes_without_a_second_valid_bid_as_skipped() -> None:
    alone = a_release("alone", bids=[a_bid("W", 1), a_bid("L", 2, "disqualified")], awards=[an_award("W")])
    result = outcome([*RACES, alone], "[R058]", "R058")
    assert result.evaluated == 5
    assert sum(result.skipped.values()) == 1
