"""Compliance flags C01–C08: each breach of a number in ggzy.rules is found, the lawful case is not, missing data is
skipped and counted."""

from __future__ import annotations

from typing import Any

import pytest

from ggzy.rules import procurement, tendering
from tests.supervision.builders import a_tender, evidence, flagged, run_family, skipped

DAY = "2024-03-{:02d}T09:00:00+08:00"


def test_c01_open_tender_one_day_short_of_twenty_is_flagged_with_its_article() -> None:
    releases = [a_tender("short", end=DAY.format(20)), a_tender("lawful", end=DAY.format(21))]
    assert flagged(releases, "C01") == {"short": 19.0}
    assert str(tendering.BID_PERIOD.citation) in evidence(releases, "C01")[0]


def test_c01_counts_working_days_for_negotiation_across_a_holiday() -> None:
    releases = [
        a_tender("two days", "竞争性谈判", "goods", start=DAY.format(4), end=DAY.format(6)),
        a_tender("three days", "竞争性谈判", "goods", start=DAY.format(4), end=DAY.format(7)),
        a_tender(
            "national day", "竞争性谈判", "goods", start="2024-09-30T09:00:00+08:00", end="2024-10-08T09:00:00+08:00"
        ),  # eight calendar days, one working day
    ]
    assert flagged(releases, "C01") == {"two days": 2.0, "national day": 1.0}


def test_c01_skips_missing_dates_and_unmapped_methods_and_the_mapping_is_configurable() -> None:
    releases = [a_tender("no end", end=None), a_tender("odd", "特殊方式", start=DAY.format(4), end=DAY.format(6))]
    assert flagged(releases, "C01") == {}
    assert skipped(releases, "C01") == 2
    assert flagged(releases, "C01", ini="[procedures]\n特殊方式 = negotiation\n") == {"odd": 2.0}


def test_c01_uses_procurement_method_when_details_are_absent() -> None:
    releases = [a_tender("code", None, "works", tender={"procurementMethod": "open"}, end=DAY.format(10))]
    assert flagged(releases, "C01") == {"code": 9.0}


def test_c02_deposit_above_two_percent_of_the_estimate() -> None:
    releases = [
        a_tender("over", ext={"bidDeposit": {"amount": 20_000.01}}),
        a_tender("at cap", ext={"bidDeposit": {"amount": 20_000, "currency": "CNY"}}),
        a_tender("gp over", category="goods", ext={"bidDeposit": {"amount": 30_000}}),
    ]
    assert set(flagged(releases, "C02")) == {"over", "gp over"}
    assert str(procurement.DEPOSIT_CAP.citation) in " ".join(evidence(releases, "C02"))


def test_c02_skips_releases_without_deposit_or_estimate() -> None:
    releases = [a_tender("none"), a_tender("no estimate", amount=None, ext={"bidDeposit": {"amount": 5}})]
    assert flagged(releases, "C02") == {}
    assert skipped(releases, "C02") == 2


def publicity(ocid: str, days: int, **kwargs: Any) -> dict[str, Any]:
    period = {"startDate": "2024-04-01T09:00:00+08:00", "endDate": f"2024-04-{1 + days:02d}T09:00:00+08:00"}
    return a_tender(ocid, ext={"candidatePublicity": period}, **kwargs)


def test_c03_candidate_publicity_shorter_than_three_days() -> None:
    releases = [publicity("two", 2), publicity("three", 3), publicity("gp", 1, category="goods")]
    assert flagged(releases, "C03") == {"two": 2.0}
    outcomes, _ = run_family(releases, "[C03]")
    assert sum(outcomes["C03"].excluded.values()) == 1  # government procurement: no such rule


def test_c03_skips_releases_without_publicity() -> None:
    assert skipped([a_tender("none")], "C03") == 1


def contract(
    ocid: str,
    signed: str,
    *,
    award: float = 100.0,
    value: float = 100.0,
    award_end: str | None = None,
    end: str | None = None,
) -> dict[str, Any]:
    a: dict[str, Any] = {
        "id": "a1",
        "status": "active",
        "date": "2024-01-01T10:00:00+08:00",
        "value": {"amount": award, "currency": "CNY"},
        "suppliers": [{"id": "W"}],
    }
    c: dict[str, Any] = {"awardID": "a1", "dateSigned": signed, "value": {"amount": value, "currency": "CNY"}}
    if award_end:
        a["contractPeriod"] = {"endDate": award_end}
    if end:
        c["period"] = {"endDate": end}
    return a_tender(ocid, awards=[a], contracts=[c])


def test_c04_contract_signed_thirty_one_days_after_the_award() -> None:
    releases = [contract("late", "2024-02-01T10:00:00+08:00"), contract("in time", "2024-01-31T10:00:00+08:00")]
    assert flagged(releases, "C04") == {"late": 31.0}
    assert str(tendering.CONTRACT_WITHIN.citation) in evidence(releases, "C04")[0]


def test_c04_and_c05_skip_contracts_not_linked_to_an_award() -> None:
    unlinked = a_tender("unlinked", contracts=[{"dateSigned": "2024-02-01T10:00:00+08:00"}])
    assert flagged([unlinked], "C04") == {} and skipped([unlinked], "C04") == 1
    assert flagged([unlinked], "C05") == {} and skipped([unlinked], "C05") == 1


def test_c05_contract_value_or_period_departing_from_the_award() -> None:
    signed = "2024-01-10T10:00:00+08:00"
    releases = [
        contract("dearer", signed, value=120.0),
        contract("same", signed),
        contract("longer", signed, award_end="2024-06-30T00:00:00+08:00", end="2024-12-31T00:00:00+08:00"),
    ]
    assert flagged(releases, "C05") == {"dearer": pytest.approx(0.2), "longer": 1.0}
    assert flagged(releases, "C05", ini="tolerance = 0.25\n") == {"longer": 1.0}


def test_c06_non_open_procedure_above_the_open_tender_threshold() -> None:
    funds = {"stateFunds": {"share": 100, "amount": 5_000_000}}
    releases = [
        a_tender("negotiated", "竞争性谈判", "goods", amount=5_000_000),
        a_tender("small", "竞争性谈判", "goods", amount=3_000_000),
        a_tender("open", "公开招标", "goods", amount=5_000_000),
        a_tender("invited works", "邀请招标", "works", amount=5_000_000, ext=funds),
    ]
    assert set(flagged(releases, "C06")) == {"negotiated", "invited works"}
    assert any("第27条" in e for e in evidence(releases, "C06"))


def test_c06_skips_works_whose_state_funds_are_unknown_unless_assumed() -> None:
    releases = [a_tender("invited works", "邀请招标", "works", amount=5_000_000)]
    assert flagged(releases, "C06") == {} and skipped(releases, "C06") == 1
    assert set(flagged(releases, "C06", ini="assume_state_funds_share = 100\n")) == {"invited works"}


def changed(ocid: str, day: int, kind: str = "amendment") -> dict[str, Any]:
    date = DAY.format(day)
    if kind == "amendment":
        return a_tender(ocid, tender={"amendments": [{"date": date}]})
    return a_tender(ocid, tender={"documents": [{"documentType": "clarifications", "datePublished": date}]})


def test_c07_clarification_less_than_fifteen_days_before_an_unmoved_deadline() -> None:
    releases = [changed("late", 20), changed("early", 5), changed("late doc", 15, "clarification")]
    assert flagged(releases, "C07") == {"late": 5.0, "late doc": 10.0}


def test_c07_skips_tenders_without_changes() -> None:
    assert flagged([a_tender("plain")], "C07") == {} and skipped([a_tender("plain")], "C07") == 1


def test_c08_committee_too_small_or_even() -> None:
    releases = [a_tender(f"m{n}", ext={"evaluationCommittee": {"members": n}}) for n in (4, 5, 6)]
    releases.append(a_tender("gp", category="goods", ext={"evaluationCommittee": {"members": 2}}))
    assert flagged(releases, "C08") == {"m4": 4.0, "m6": 6.0}


def test_c08_fewer_experts_than_two_thirds_of_the_committee() -> None:
    def committee(name: str, members: int, experts: int | None, category: str = "works") -> dict[str, object]:
        body: dict[str, object] = {"members": members} | ({} if experts is None else {"experts": experts})
        return a_tender(name, category=category, ext={"evaluationCommittee": body})

    releases = [
        committee("5 of 7", 7, 5),  # 15 ≥ 14
        committee("4 of 7", 7, 4),  # 12 < 14
        committee("4 of 6", 6, 4),  # even, though the share is right
        committee("3 of 5", 5, 3),  # 9 < 10
        committee("unknown", 5, None),
    ]
    assert flagged(releases, "C08") == {"4 of 7": 7.0, "4 of 6": 6.0, "3 of 5": 5.0}
    texts = sorted(evidence(releases, "C08"))
    assert texts == [
        "评标委员会 5 人中技术、经济专家 3 人，不足 2/3（《招标投标法》第37条）",
        "评标委员会 6 人，应为不少于 5 人的单数（《招标投标法》第37条）",
        "评标委员会 7 人中技术、经济专家 4 人，不足 2/3（《招标投标法》第37条）",
    ]


def test_c08_skips_releases_without_committee_data() -> None:
    assert skipped([a_tender("none")], "C08") == 1
