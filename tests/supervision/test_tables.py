"""Flattening: wrong types read as missing, so that indicators skip instead of crashing."""

from __future__ import annotations

from ggzy.supervision.ocds.tables import build_tables


def test_values_of_the_wrong_type_become_nulls() -> None:
    release = {
        "ocid": 7,
        "tender": {"tenderPeriod": "soon", "numberOfTenderers": "1", "procuringEntity": {"id": 3}},
        "buyer": "B",
        "bids": {"details": [{"status": 1, "value": {"amount": "10", "currency": 5}, "tenderers": {"id": "x"}}, "x"]},
        "awards": {"status": "active"},
    }
    tables = build_tables([release])
    row = tables.processes.row(0, named=True)
    assert row["ocid"] is None
    assert row["tender_start"] is None
    assert row["number_of_tenderers"] is None
    assert row["procuring_entity_id"] is None
    assert row["buyer_id"] is None
    assert row["awards_is_array"] is False
    bid = tables.bids.row(0, named=True)
    assert (bid["status"], bid["amount"], bid["currency"], bid["n_tenderers"]) == (None, None, None, None)
    assert tables.bids.height == 1  # the string "x" is no bid


def test_integer_and_float_counts_are_told_apart() -> None:
    tables = build_tables(
        [{"ocid": "a", "tender": {"numberOfTenderers": 1}}, {"ocid": "b", "tender": {"numberOfTenderers": 1.0}}]
    )
    assert tables.processes["number_of_tenderers_is_int"].to_list() == [True, False]


def test_tenderers_and_suppliers_are_exploded_with_their_positions() -> None:
    release = {
        "ocid": "a",
        "bids": {"details": [{"tenderers": [{"id": "A"}, {"name": "no id"}, {"id": "B"}]}]},
        "awards": [{"suppliers": [{"id": "A"}], "items": [{"classification": {"id": "45"}}, {}]}],
    }
    tables = build_tables([release])
    assert tables.bid_tenderers["tenderer_id"].to_list() == ["A", None, "B"]
    assert tables.bids["n_tenderers"].to_list() == [3]
    assert tables.award_suppliers["supplier_id"].to_list() == ["A"]
    assert tables.award_items["classification_id"].to_list() == ["45", None]
