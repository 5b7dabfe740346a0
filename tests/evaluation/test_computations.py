"""The pure computations: bills, clearing, price scores, the qualification majority, outliers, ranking."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ggzy.core.errors import Invalid
from ggzy.evaluation import bills, clearing, methods, scoring
from ggzy.evaluation.methods import Base, PriceFormula, Style
from ggzy.evaluation.scoring import Row, Sheet
from tests.evaluation.builders import a_bill, a_sheet, tender_bill

money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("100000000"), places=2)


def test_a_csv_bill_reads_like_its_json() -> None:
    csv_text = "code,name,unit,quantity,unit_price,total\nA1,挖土方,m3,10,2.50,25.00\nA2,回填,m3,4,1.25,5.00\n"
    bill = bills.parse(csv_text, name="报价清单.csv")
    assert [i.code for i in bill.items] == ["A1", "A2"]
    assert bills.check(bill).corrected_total == Decimal("30.00")
    assert bills.parse(bill.to_json()) == bill


def test_an_unreadable_bill_says_why_in_chinese() -> None:
    with pytest.raises(bills.BillUnreadable, match="缺少项目编码"):
        bills.parse({"format": bills.FORMAT, "items": [{"quantity": "1"}]})
    with pytest.raises(bills.BillUnreadable, match="不是数字"):
        bills.parse({"format": bills.FORMAT, "items": [{"code": "A", "quantity": "x"}]})


@given(st.lists(st.tuples(st.decimals(0, 10000, places=3), st.decimals(0, 10000, places=2)), min_size=1, max_size=20))
def test_a_bill_whose_lines_are_right_has_no_error_and_its_sum_is_the_corrected_total(
    lines: list[tuple[Decimal, Decimal]],
) -> None:
    items = [
        {
            "code": f"C{i}",
            "quantity": str(q),
            "unit_price": str(p),
            "total": str((q * p).quantize(Decimal("0.01"), ROUND_HALF_UP)),
        }
        for i, (q, p) in enumerate(lines)
    ]
    bill = bills.parse({"format": bills.FORMAT, "items": items})
    chk = bills.check(bill)
    assert chk.errors == ()
    assert chk.corrected_total == sum((Decimal(i["total"]) for i in items), Decimal(0))


def test_the_same_unusual_unit_price_in_two_bids_is_a_sign() -> None:
    bids = [
        clearing.BidIn("a", "甲", None, bills.parse(a_bill(("3.50", "420.00", "510.00")))),
        clearing.BidIn("b", "乙", None, bills.parse(a_bill(("3.60", "800.00", "505.00")))),
        clearing.BidIn("c", "丙", None, bills.parse(a_bill(("3.40", "800.00", "500.00")))),
        clearing.BidIn("d", "丁", None, bills.parse(a_bill(("3.45", "425.00", "508.00")))),
        clearing.BidIn("e", "戊", None, bills.parse(a_bill(("3.55", "419.00", "507.00")))),
    ]
    out = clearing.clear(bids, tender=tender_bill(), ceiling=None)
    assert [(s.kind, s.org_ids) for s in out.signs] == [("same-price", ("b", "c"))]


@given(st.lists(money, min_size=1, max_size=30), money)
def test_price_scores_stay_between_zero_and_the_maximum(prices: list[Decimal], price: Decimal) -> None:
    for formula in (
        PriceFormula(Decimal(40)),
        PriceFormula(Decimal(30), base=Base.LOWEST, style=Style.RATIO),
        PriceFormula(Decimal(50), base=Base.TRIMMED_MEAN, factor=Decimal("0.97")),
    ):
        base = scoring.base_price(formula, prices)
        assert base is not None
        s = scoring.price_score(formula, base, price)
        assert 0 <= s <= formula.max_score


def test_the_base_price_and_the_deviation_penalty() -> None:
    f = PriceFormula(Decimal(40), above=Decimal(1), below=Decimal("0.5"))
    assert scoring.base_price(f, [Decimal(90), Decimal(100), Decimal(110)]) == Decimal(100)
    assert scoring.price_score(f, Decimal(100), Decimal(100)) == Decimal(40)
    assert scoring.price_score(f, Decimal(100), Decimal(110)) == Decimal(30)  # 10 % above: −10
    assert scoring.price_score(f, Decimal(100), Decimal(90)) == Decimal(35)  # 10 % below: −5
    gp = PriceFormula(Decimal(30), base=Base.LOWEST, style=Style.RATIO)
    assert scoring.price_score(gp, Decimal(80), Decimal(100)) == Decimal(24)
    trimmed = PriceFormula(Decimal(40), base=Base.TRIMMED_MEAN)
    assert scoring.base_price(trimmed, [Decimal(x) for x in (1, 100, 100, 100, 1000)]) == Decimal(100)


def test_a_bid_most_members_fail_is_rejected_with_their_reasons_and_the_rest_are_ranked() -> None:
    m = methods.preset(methods.Kind.COMPREHENSIVE)
    orgs = ["a", "b", "c"]
    sheets = {
        "e1": a_sheet(m, orgs, {"a": "9", "b": "8", "c": "7"}, fail={"c": "资质过期"}),
        "e2": a_sheet(m, orgs, {"a": "9", "b": "8", "c": "7"}, fail={"c": "资质过期"}),
        "e3": a_sheet(m, orgs, {"a": "9", "b": "8", "c": "7"}),
    }
    rows = [Row("a", Decimal(100)), Row("b", Decimal(90)), Row("c", Decimal(80))]
    out = scoring.evaluate(m, rows, sheets)
    assert [(r.org_id, r.rank) for r in out.rows] == [("a", 1), ("b", 2), ("c", None)]
    c = out.rows[2]
    assert c.rejected and c.ground == "art51.三" and "资质过期" in c.reasons[0] and "2/3" in c.reasons[0]
    assert out.base == Decimal(95)


@given(st.lists(money, min_size=1, max_size=15, unique=True))
def test_lowest_price_ranks_by_price(prices: list[Decimal]) -> None:
    m = methods.preset(methods.Kind.LOWEST_PRICE)
    rows = [Row(f"o{i}", p) for i, p in enumerate(prices)]
    out = scoring.evaluate(m, rows, {})
    assert [r.price for r in out.rows] == sorted(prices)
    assert [r.rank for r in out.rows] == list(range(1, len(prices) + 1))


def test_a_sheet_out_of_range_incomplete_or_failing_without_reason_is_refused() -> None:
    m = methods.preset(methods.Kind.COMPREHENSIVE)
    good = a_sheet(m, ["a"])
    scoring.check_sheet(m, ["a"], good)
    for change, message in (
        (lambda s: s.scores["a"].__setitem__("t1", Decimal(-1)), "超出范围"),
        (lambda s: s.scores["a"].pop("t2"), "未对"),
        (lambda s: s.scores["a"].__setitem__("t1", Decimal("1.234")), "两位小数"),
        (lambda s: s.passes["a"].__setitem__("q1", (False, "")), "须写明理由"),
    ):
        s = Sheet.from_json(good.to_json())
        change(s)
        with pytest.raises(Invalid, match=message):
            scoring.check_sheet(m, ["a"], s)


def test_an_expert_far_from_the_others_is_an_outlier() -> None:
    m = methods.preset(methods.Kind.COMPREHENSIVE)  # 60 subjective points: 20 % = 12
    totals = {"e1": {"a": Decimal(50)}, "e2": {"a": Decimal(52)}, "e3": {"a": Decimal(30)}}
    assert [(o.expert, o.org_id) for o in scoring.outliers(m, totals)] == [("e3", "a")]


def test_a_method_whose_points_do_not_add_up_to_100_is_refused() -> None:
    data = methods.preset(methods.Kind.COMPREHENSIVE).to_json()
    data["price"]["max_score"] = "50"
    with pytest.raises(Invalid, match="100分"):
        methods.from_json(data)
    assert methods.from_json(methods.preset(methods.Kind.CONSULTATION).to_json()).kind is methods.Kind.CONSULTATION
