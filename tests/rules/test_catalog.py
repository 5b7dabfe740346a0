"""The must-enter catalog: what must be traded, tendered and openly tendered, and which choices break it."""

from __future__ import annotations

from decimal import Decimal as D  # noqa: N817 - short amounts read better in this table of cases

from ggzy.rules.catalog import DEFAULT, Category, Facts, decide, violations
from ggzy.rules.procedures import Method, procedure


def works(estimate: str, share: str = "100", amount: str | None = None) -> Facts:
    return Facts(Category.CONSTRUCTION, D(estimate), D(share), D(amount or estimate))


def test_state_funded_works_above_the_threshold_must_be_openly_tendered() -> None:
    d = decide(works("5000000"), DEFAULT)
    assert (d.must_trade, d.must_tender, d.must_open) == (True, True, True)
    assert any("第5条" in r for r in d.tender_reasons) and any("第8条" in r for r in d.tender_reasons)


def test_below_the_threshold_or_without_state_funds_nothing_is_forced() -> None:
    assert not decide(works("3999999.99"), DEFAULT).must_tender
    private = decide(works("9000000", share="5", amount="450000"), DEFAULT)
    assert (private.must_trade, private.must_tender) == (False, False)


def test_state_funds_below_control_need_tendering_but_may_be_invited() -> None:
    d = decide(works("5000000", share="30", amount="2500000"), DEFAULT)
    assert (d.must_tender, d.must_open) == (True, False)
    assert violations(works("5000000", share="30", amount="2500000"), procedure(Method.INVITED_TENDER), DEFAULT) == []


def test_government_procurement_above_the_open_tender_amount_must_be_open() -> None:
    f = Facts(Category.GP_GOODS, D("4500000"), D("100"), D("4500000"))
    d = decide(f, DEFAULT)
    assert d.must_open and any("第27条" in r for r in d.tender_reasons)
    assert violations(f, procedure(Method.NEGOTIATION), DEFAULT)
    assert violations(f, procedure(Method.GP_OPEN_TENDER), DEFAULT) == []
    small = Facts(Category.GP_GOODS, D("300000"), D("100"), D("300000"))
    assert violations(small, procedure(Method.QUOTATION), DEFAULT) == []


def test_single_source_for_works_that_must_be_tendered_is_refused_with_the_reason() -> None:
    problems = violations(works("5000000"), procedure(Method.SINGLE_SOURCE), DEFAULT)
    assert any("必须招标" in p and "第5条" in p for p in problems)


def test_an_invited_tender_where_open_is_required_needs_an_approval_reference() -> None:
    f = works("5000000")
    assert any("批准文号" in p for p in violations(f, procedure(Method.INVITED_TENDER), DEFAULT))
    assert violations(f, procedure(Method.INVITED_TENDER), DEFAULT, exception_ref="新发改招〔2026〕12号") == []


def test_a_procedure_of_the_other_regime_and_transfers_are_refused() -> None:
    assert any("程序" in p for p in violations(works("100000"), procedure(Method.GP_OPEN_TENDER), DEFAULT))
    land = Facts(Category.LAND, D("1"), D("0"), D("0"))
    assert any("拍卖、挂牌" in p for p in violations(land, procedure(Method.OPEN_TENDER), DEFAULT))
    assert decide(land, DEFAULT).must_trade
