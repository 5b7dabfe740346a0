"""The columnar use of ggzy.rules gives the same answers as the rules themselves: periods, procedures, catalog."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ggzy.core.clock import SHANGHAI
from ggzy.rules.catalog import DEFAULT, Category, Facts, decide, violations
from ggzy.rules.procedures import PROCEDURES, Method, procedure
from ggzy.supervision.flags.cardinal.settings import SettingsError, load_settings
from ggzy.supervision.flags.legal import counted_days, with_decisions

EPOCH = dt.date(1970, 1, 1)


@given(st.dates(dt.date(2023, 1, 1), dt.date(2025, 12, 31)), st.integers(0, 40), st.sampled_from(list(Method)))
def test_counted_days_is_short_exactly_when_the_end_is_before_period_earliest(
    start: dt.date, length: int, method: Method
) -> None:
    period = procedure(method).bid_period
    end = start + dt.timedelta(days=length)
    frame = pl.DataFrame({"s": [(start - EPOCH).days], "e": [(end - EPOCH).days], "working": [period.working]})
    counted = counted_days(frame, "s", "e")["counted"][0]
    earliest = period.earliest(dt.datetime.combine(start, dt.time(9), tzinfo=SHANGHAI))
    assert (counted < period.days) == (end < earliest)


AMOUNTS = st.sampled_from([0, 999_999, 1_000_000, 1_999_999, 2_000_000, 3_999_999, 4_000_000, 9_000_000])
SHARES = st.sampled_from([0, 5, 10, 49, 50, 100])


@given(st.sampled_from(list(Category)), AMOUNTS, SHARES, AMOUNTS, st.sampled_from(list(Method)))
def test_decision_table_agrees_with_decide_and_violations(
    category: Category, estimate: int, share: int, amount: int, method: Method
) -> None:
    facts = Facts(category, Decimal(estimate), Decimal(share), Decimal(amount))
    frame = pl.DataFrame(
        {
            "category": [category.value],
            "estimate": [float(estimate)],
            "share": [float(share)],
            "amount": [float(amount)],
            "proc": [method.value],
        }
    )
    row = with_decisions(frame, "estimate").row(0, named=True)
    d = decide(facts, DEFAULT)
    assert (row["must_trade"], row["must_tender"], row["must_open"]) == (d.must_trade, d.must_tender, d.must_open)
    assert row["violation"] == ("；".join(violations(facts, procedure(method), DEFAULT)) or None)
    assert row["decided"]


def test_unknown_state_funds_decide_only_where_they_cannot_matter() -> None:
    frame = pl.DataFrame(
        {
            "category": ["gp_goods", "construction", "construction"],
            "estimate": [5e6, 5e6, 1e5],
            "share": [None, None, None],
            "amount": [None, None, None],
        },
        schema_overrides={"share": pl.Float64, "amount": pl.Float64},
    )
    decided = with_decisions(frame, "estimate")
    assert decided["decided"].to_list() == [True, False, True]
    assert decided["must_open"].to_list()[0] is True


def test_procedures_mapping_in_settings_is_checked() -> None:
    settings = load_settings("[procedures]\n比选 = negotiation\n")
    assert settings.procedures == {"比选": "negotiation"}
    with pytest.raises(SettingsError, match="采购方式"):
        load_settings("[procedures]\n比选 = haggling\n")


def test_every_procedure_row_has_a_bid_period() -> None:
    assert all(row.bid_period.days > 0 for row in PROCEDURES.values())
