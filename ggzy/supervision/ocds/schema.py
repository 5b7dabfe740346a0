"""扁平表的列 — the typed columns of the flattened tables (documented in tables.py) and the signal normalisation."""

from __future__ import annotations

import polars as pl

I64 = pl.Int64
F64 = pl.Float64
STR = pl.String
BOOL = pl.Boolean

SIGNAL_KINDS = ("machine", "address", "deposit_account", "author", "application", "sha256")
SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "processes": {
        "rid": I64(),
        "line": I64(),
        "ocid": STR(),
        "date": STR(),
        "tender_is_object": BOOL(),
        "tender_status": STR(),
        "procurement_method": STR(),
        "procurement_method_details": STR(),
        "tender_title": STR(),
        "tender_start": STR(),
        "tender_end": STR(),
        "tender_amount": F64(),
        "tender_currency": STR(),
        "number_of_tenderers": F64(),
        "number_of_tenderers_is_int": BOOL(),
        "buyer_id": STR(),
        "buyer_name": STR(),
        "procuring_entity_id": STR(),
        "awards_is_array": BOOL(),
        "bids_is_array": BOOL(),
        "main_category": STR(),
        "tender_classification": STR(),
        "project_id": STR(),
        "project_name": STR(),
        "catalog_category": STR(),
        "state_funds_share": F64(),
        "state_funds_amount": F64(),
        "deposit_amount": F64(),
        "deposit_currency": STR(),
        "publicity_start": STR(),
        "publicity_end": STR(),
        "committee_members": I64(),
        "committee_experts": I64(),
    },
    "bids": {
        "rid": I64(),
        "bid": I64(),
        "status": STR(),
        "date": STR(),
        "amount": F64(),
        "currency": STR(),
        "n_tenderers": I64(),
    },
    "bid_tenderers": {"rid": I64(), "bid": I64(), "pos": I64(), "tenderer_id": STR()},
    "awards": {
        "rid": I64(),
        "award": I64(),
        "status": STR(),
        "date": STR(),
        "amount": F64(),
        "currency": STR(),
        "n_suppliers": I64(),
        "items_is_array": BOOL(),
        "award_id": STR(),
        "contract_end": STR(),
    },
    "award_suppliers": {"rid": I64(), "award": I64(), "pos": I64(), "supplier_id": STR()},
    "award_items": {"rid": I64(), "award": I64(), "pos": I64(), "classification_id": STR()},
    "contracts": {
        "rid": I64(),
        "contract": I64(),
        "status": STR(),
        "award_id": STR(),
        "amount": F64(),
        "currency": STR(),
        "date_signed": STR(),
        "period_end": STR(),
    },
    "parties": {
        "rid": I64(),
        "party_id": STR(),
        "name": STR(),
        "roles": STR(),
        "contact_name": STR(),
        "telephone": STR(),
        "email": STR(),
        "address": STR(),
        "legal_rep": STR(),
    },
    "amendments": {"rid": I64(), "date": STR(), "kind": STR()},
    "bid_signals": {"rid": I64(), "bid": I64(), "kind": pl.Enum(SIGNAL_KINDS), "value": STR()},
    "bid_signal_kinds": {"rid": I64(), "kind": pl.Enum(SIGNAL_KINDS)},
}
_VALUE = pl.col("value")
SIGNAL_NORMAL: dict[str, pl.Expr] = {  # how values are compared: case, spaces, dashes and Unicode forms ignored
    "machine": _VALUE.str.strip_chars().str.to_lowercase(),
    "address": _VALUE.str.strip_chars().str.to_lowercase(),
    "deposit_account": _VALUE.str.replace_all(r"[\s\-]", ""),
    "author": _VALUE.str.normalize("NFKC").str.strip_chars(),
    "application": _VALUE.str.normalize("NFKC").str.strip_chars(),
    "sha256": _VALUE.str.strip_chars().str.to_lowercase(),
}
EXT_COLUMNS = (
    "catalog_category",
    "state_funds_share",
    "state_funds_amount",
    "deposit_amount",
    "deposit_currency",
    "publicity_start",
    "publicity_end",
    "committee_members",
    "committee_experts",
)
# Most releases carry no ggzy extension: its columns are gathered sparsely (only rows that have it) and joined.
BUILD_SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    **{name: dict(schema) for name, schema in SCHEMAS.items()},
    "processes": {k: v for k, v in SCHEMAS["processes"].items() if k not in EXT_COLUMNS},
    "tender_ext": {"rid": I64(), **{k: SCHEMAS["processes"][k] for k in EXT_COLUMNS}},
}
SIGNAL_KEYS = (("machineFingerprint", "machine"), ("uploadAddress", "address"), ("depositAccount", "deposit_account"))
DOCUMENT_KEYS = (("author", "author"), ("application", "application"), ("sha256", "sha256"))
ADDRESS_KEYS = ("streetAddress", "locality", "region", "countryName")


def _normalised(kind: pl.Expr) -> pl.Expr:
    """Each kind's own normalisation of `value` (the rules never turn a value into null)."""
    return pl.coalesce(*(pl.when(kind == name).then(rule) for name, rule in SIGNAL_NORMAL.items()), _VALUE)


def repeated_signals(signals: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(values repeated within a release after normalisation, the distinct kinds of each release)."""
    kinds = signals.select("rid", "kind").unique()
    normal = signals.with_columns(_normalised(pl.col("kind")).alias("value"))
    return normal.filter(pl.len().over("rid", "kind", "value") >= 2), kinds
