"""R003, R018, R030 and the common scope: process-level flags read from tender dates, counts and bid dates."""

from __future__ import annotations

from tests.supervision.builders import a_bid, a_release, an_award, outcome, run


def a_tender(ocid: str, start: str, end: str, **tender: object) -> dict[str, object]:
    return a_release(ocid, tender={"tenderPeriod": {"startDate": start, "endDate": end}, **tender})


def test_r003_flags_a_period_one_second_short_of_fifteen_days() -> None:
    releases = [
        a_tender("short", "2000-01-01T18:00:00Z", "2000-01-16T17:59:59Z"),
        a_tender("exact", "2000-01-01T18:00:00Z", "2000-01-16T18:00:00Z"),
    ]
    assert run(releases, "[R003]") == {"OCID": {"short": {"R003": 1.0}}}


def test_r003_compares_instants_across_time_zones() -> None:
    # 14 days 23 hours in local time, but exactly 15 days as instants
    releases = [a_tender("zones", "2020-08-03T18:00:00-05:00", "2020-08-18T18:00:00-05:00")]
    assert run(releases, "[R003]") == {}
    releases = [a_tender("zones", "2020-08-03T23:00:00+00:00", "2020-08-18T18:00:00-04:00")]
    assert run(releases, "[R003]") == {"OCID": {"zones": {"R003": 1.0}}}


def test_r003_negative_periods_truncate_toward_zero_and_are_flagged() -> None:
    assert run([a_tender("back", "2000-01-02T00:00:00Z", "2000-01-01T12:00:00Z")], "[R003]") == {
        "OCID": {"back": {"R003": 1.0}}
    }


def test_r003_threshold_per_procurement_method_details() -> None:
    releases = [
        a_tender("x", "2000-01-01T00:00:00Z", "2000-01-05T23:59:59Z", procurementMethodDetails="x"),
        a_tender("x ok", "2000-01-01T00:00:00Z", "2000-01-06T00:00:00Z", procurementMethodDetails="x"),
        a_tender("other", "2000-01-01T00:00:00Z", "2000-01-10T00:00:00Z", procurementMethodDetails="y"),
    ]
    ini = "[R003]\nthreshold = 8\n[R003.procurement_method_details]\nx = 5\n"
    assert run(releases, ini) == {"OCID": {"x": {"R003": 1.0}}}


def test_r003_procurement_methods_limit_the_scope() -> None:
    releases = [
        a_tender("open", "2000-01-01T00:00:00Z", "2000-01-02T00:00:00Z", procurementMethod="open"),
        a_tender("direct", "2000-01-01T00:00:00Z", "2000-01-02T00:00:00Z", procurementMethod="direct"),
        a_tender("unset", "2000-01-01T00:00:00Z", "2000-01-02T00:00:00Z"),
    ]
    assert run(releases, "[R003]\nprocurement_methods = open") == {"OCID": {"open": {"R003": 1.0}}}


def test_r003_skips_and_counts_releases_without_valid_dates() -> None:
    releases = [
        a_tender("bad", "invalid", "2000-01-02T00:00:00Z"),
        a_tender("no zone", "2000-01-01T00:00:00", "2000-01-02T00:00:00Z"),
        a_tender("feb 30", "2000-02-30T00:00:00Z", "2000-03-02T00:00:00Z"),
        a_release("no tender"),
        a_tender("ok", "2000-01-01T00:00:00.5Z", "2000-01-02t00:00:00.25+00:00"),
    ]
    result = outcome(releases, "[R003]", "R003")
    assert sum(result.skipped.values()) == 4
    assert result.evaluated == 1
    assert run(releases, "[R003]") == {"OCID": {"ok": {"R003": 1.0}}}


def test_r018_flags_a_single_tenderer_in_open_and_selective_procedures_only() -> None:
    releases = [
        a_release("open", tender={"numberOfTenderers": 1, "procurementMethod": "open"}),
        a_release("selective", tender={"numberOfTenderers": 1, "procurementMethod": "selective"}),
        a_release("direct", tender={"numberOfTenderers": 1, "procurementMethod": "direct"}),
        a_release("two", tender={"numberOfTenderers": 2, "procurementMethod": "open"}),
        a_release("float", tender={"numberOfTenderers": 1.0, "procurementMethod": "open"}),
    ]
    assert run(releases, "[R018]") == {"OCID": {"open": {"R018": 1.0}, "selective": {"R018": 1.0}}}


def test_r018_procurement_methods_can_be_widened() -> None:
    releases = [a_release("direct", tender={"numberOfTenderers": 1, "procurementMethod": "direct"})]
    assert run(releases, "[R018]\nprocurement_methods = open|direct") == {"OCID": {"direct": {"R018": 1.0}}}


def test_r018_counts_a_missing_number_of_tenderers_as_skipped() -> None:
    result = outcome([a_release("none", tender={"procurementMethod": "open"})], "[R018]", "R018")
    assert result.evaluated == 0
    assert sum(result.skipped.values()) == 1


def late(ocid: str, bid_date: str, winner: str = "W") -> dict[str, object]:
    return a_release(
        ocid,
        tender={"tenderPeriod": {"endDate": "2020-01-10T00:00:00Z"}},
        bids=[a_bid("W", 1, date=bid_date), a_bid("L", 2, date="2020-01-01T00:00:00Z")],
        awards=[an_award(winner)],
    )


def test_r030_flags_a_winning_bid_received_after_the_deadline_and_its_tenderer() -> None:
    releases = [late("late", "2020-01-11T00:00:00Z"), late("on time", "2020-01-09T00:00:00Z")]
    assert run(releases, "[R030]") == {"OCID": {"late": {"R030": 1.0}}, "Tenderer": {"W": {"R030": 1.0}}}


def test_r030_ignores_a_late_bid_that_did_not_win() -> None:
    assert run([late("late loser", "2020-01-11T00:00:00Z", winner="L")], "[R030]") == {}


def test_r030_skips_processes_without_a_deadline() -> None:
    release = a_release("no end", bids=[a_bid("W", 1, date="2020-01-11T00:00:00Z")], awards=[an_award("W")])
    result = outcome([release], "[R030]", "R030")
    assert result.hits.is_empty()
    assert sum(result.skipped.values()) == 1


def test_cancelled_tenders_and_excluded_details_are_out_of_every_indicator() -> None:
    releases = [
        a_release("cancelled", tender={"status": "cancelled", "numberOfTenderers": 1, "procurementMethod": "open"}),
        a_release(
            "excluded", tender={"procurementMethodDetails": "EXC", "numberOfTenderers": 1, "procurementMethod": "open"}
        ),
        a_release(42, tender={"numberOfTenderers": 1, "procurementMethod": "open"}),  # type: ignore[arg-type]
    ]
    assert run(releases, "[R018]\n[exclusions]\nprocurement_method_details = EXC") == {}
