"""Avoidance flags: splitting (A01), bunching below a threshold (A02) and 应进未进 against an approvals list (A03)."""

from __future__ import annotations

from typing import Any

from ggzy.supervision.flags.avoidance.approvals import parse_rows
from tests.supervision.builders import a_tender, evidence, flagged, run_family, skipped


def purchase(
    ocid: str,
    amount: float,
    date: str = "2024-03-01",
    *,
    buyer: str | None = "CITY",
    details: str = "竞争性谈判",
    item: str = "30190000",
) -> dict[str, Any]:
    fields: dict[str, Any] = {"buyer": {"id": buyer, "name": "某市某局"}} if buyer else {}
    return a_tender(
        ocid,
        details,
        "goods",
        start=f"{date}T09:00:00+08:00",
        end=None,
        amount=amount,
        tender={"items": [{"classification": {"id": item}}]},
        **fields,
    )


def test_a01_three_negotiations_that_together_reach_the_open_tender_threshold() -> None:
    parts = [purchase(f"p{i}", 1_500_000, f"2024-0{i + 1}-10") for i in range(3)]
    assert flagged(parts, "A01", "Buyer") == {"CITY": 4_500_000.0}
    assert set(flagged(parts, "A01")) == {"p0", "p1", "p2"}
    assert "第27条" in evidence(parts, "A01")[0]


def test_a01_parts_below_the_threshold_together_or_in_different_years_or_classes_are_not_flagged() -> None:
    two = [purchase("a", 1_500_000), purchase("b", 1_500_000)]
    years = [purchase("y1", 2_500_000, "2023-12-20"), purchase("y2", 2_500_000, "2024-01-05")]
    classes = [purchase("c1", 2_500_000, item="30190000"), purchase("c2", 2_500_000, item="45000000")]
    opened = [purchase(f"o{i}", 2_500_000, details="公开招标") for i in range(2)]
    for releases in (two, years, classes, opened):
        assert flagged(releases, "A01", "Buyer") == {}


def test_a01_rolling_window_catches_parts_across_the_new_year() -> None:
    years = [purchase("y1", 2_500_000, "2023-12-20"), purchase("y2", 2_500_000, "2024-01-05")]
    assert flagged(years, "A01", "Buyer", ini="window_days = 30\n") == {"CITY": 5_000_000.0}


def test_a01_skips_purchases_without_buyer_or_procedure() -> None:
    releases = [purchase("nobuyer", 1_500_000, buyer=None), purchase("odd", 1_500_000, details="特殊")]
    assert flagged(releases, "A01", "Buyer") == {} and skipped(releases, "A01") == 2


def test_a02_awards_bunched_just_below_four_million() -> None:
    bunched = [purchase(f"b{i}", 3_700_000 + i * 10_000, buyer="BUNCH") for i in range(12)]
    bunched += [purchase(f"n{i}", 3_300_000, buyer="BUNCH") for i in range(2)]
    smooth = [purchase(f"s{i}", 3_250_000 + i * 50_000, buyer="SMOOTH") for i in range(14)]
    assert flagged(bunched + smooth, "A02", "Buyer") == {"BUNCH": 12 / 14}
    assert set(flagged(bunched + smooth, "A02")) == {f"b{i}" for i in range(12)}


def test_a02_needs_enough_purchases_and_skips_missing_amounts() -> None:
    few = [purchase(f"b{i}", 3_900_000) for i in range(5)]
    assert flagged(few, "A02", "Buyer") == {}
    assert flagged(few, "A02", "Buyer", ini="min_count = 5\n") == {"CITY": 1.0}
    assert skipped([a_tender("none", amount=None)], "A02") == 1


HEAD = ["项目代码", "项目名称", "项目单位", "项目类别", "估算投资（万元）", "国有资金占比（%）", "国有资金（万元）"]


def approvals(*rows: list[Any]) -> Any:
    frame, problems = parse_rows([HEAD, *rows])
    assert problems == []
    return frame


def test_a03_must_enter_project_missing_from_the_data() -> None:
    releases = [
        a_tender("in", buyer={"name": "某某公司"}, planning={"budget": {"projectID": "2024-01"}}),
        a_tender("named", buyer={"name": "交通局"}, tender={"title": "东环路（一期）工程"}),
    ]
    listed = approvals(
        ["2024-01", "道路", "某某公司", "工程施工", 500, 100, 500],  # matched by code
        ["2024-02", "东环路 (一期) 工程", "交通局", "工程施工", 500, 100, 500],  # matched by name and owner
        ["2024-03", "桥梁", "某某公司", "工程施工", 800, 100, 800],  # missing
        ["2024-04", "小修", "某某公司", "工程施工", 100, 100, 100],  # below the catalog threshold
    )
    assert flagged(releases, "A03", "Project", approvals=listed) == {"2024-03": 8_000_000.0}


def test_a03_skips_projects_whose_state_funds_decide_and_are_unknown() -> None:
    listed = approvals(["2024-05", "绿化", "乙", "工程施工", 900, None, None])
    outcomes, _ = run_family([], "[A03]", listed)
    assert outcomes["A03"].hits.is_empty() and sum(outcomes["A03"].skipped.values()) == 1


def test_a03_does_nothing_without_an_approvals_list() -> None:
    outcomes, _ = run_family([a_tender("x")], "[A03]")
    assert outcomes["A03"].evaluated == 0 and outcomes["A03"].hits.is_empty()
