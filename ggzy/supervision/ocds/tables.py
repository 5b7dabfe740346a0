"""扁平化 — OCDS compiled releases flattened into a few Polars tables that every flag family reuses.

Schema (one row per …; `rid` identifies the release and orders releases as in the input — its line number in
JSON Lines, its position in a package — and is the join key everywhere).
A field holds a value only when the JSON has the documented type there (a string id, a number amount);
otherwise it is null, so that "missing" and "wrong type" read the same to every indicator.

processes — one row per release:
    rid i64, line i64 (line or package position), ocid str, date str, tender_is_object bool,
    tender_status str, procurement_method str, procurement_method_details str, tender_title str,
    tender_start str, tender_end str (tender/tenderPeriod start and end, as written),
    tender_amount f64, tender_currency str, number_of_tenderers f64, number_of_tenderers_is_int bool,
    buyer_id str, buyer_name str, procuring_entity_id str, awards_is_array bool, bids_is_array bool
    (bids/details is an array inside a bids object), main_category str (tender/mainProcurementCategory),
    tender_classification str (tender/items[0]/classification/id), project_id str, project_name str
    (planning/budget/projectID — the approval code 项目代码 — and planning/budget/project), and from the
    ggzy extension `tender/ggzySupervision` (docs/analyze.md): catalog_category str (`category`),
    state_funds_share f64, state_funds_amount f64 (`stateFunds/share` in percent, `stateFunds/amount`),
    deposit_amount f64, deposit_currency str (`bidDeposit/amount`, `/currency`), publicity_start str,
    publicity_end str (`candidatePublicity/startDate`, `/endDate`), committee_members i64, committee_experts i64
    (`evaluationCommittee/members`, `/experts`, integers only)
bids — one row per object in bids/details:
    rid i64, bid i64 (position), status str, date str, amount f64, currency str,
    n_tenderers i64 (length of tenderers when it is an array, else null)
bid_tenderers — one row per element of bids/details[]/tenderers:
    rid i64, bid i64, pos i64, tenderer_id str (null when the element has no string id)
awards — one row per object in awards:
    rid i64, award i64, status str, date str, amount f64, currency str,
    n_suppliers i64 (length of suppliers when an array), items_is_array bool, award_id str (awards/id, string or
    integer as text), contract_end str (awards/contractPeriod/endDate)
award_suppliers — rid, award, pos, supplier_id str
award_items — one row per element of awards[]/items: rid, award, pos, classification_id str
contracts — one row per object in contracts: rid, contract i64, status str, award_id str, amount f64,
    currency str, date_signed str, period_end str (contracts/period/endDate)
parties — one row per object in parties: rid, party_id str, name str, roles str ("|"-joined), contact_name,
    telephone, email str (contactPoint/name, /telephone, /email), address str (address/streetAddress, locality,
    region, countryName joined by spaces), legal_rep str (ggzy extension parties/ggzySupervision/legalRepresentative)
amendments — tender changes before the deadline: rid, date str, kind str ("amendment": tender/amendments[]/date;
    "clarification": tender/documents[]/datePublished where documentType is "clarifications")
bid_signals — the bid-level supervision values (ggzy bids extension bids/details[]/ggzySupervision) that occur at
    least twice in one release, after normalisation (SIGNAL_NORMAL) — the only ones the art. 40 signs can use; kept
    so while reading, since the others are most of the data: rid, bid, kind enum (machine, address,
    deposit_account, author, application, sha256), value str (normalised)
bid_signal_kinds — which kinds of bid-level values each release has at all: rid, kind (distinct)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

import polars as pl

from ggzy.supervision.ocds.schema import (
    ADDRESS_KEYS,
    BUILD_SCHEMAS,
    DOCUMENT_KEYS,
    SCHEMAS,
    SIGNAL_KEYS,
    SIGNAL_NORMAL,
    repeated_signals,
)

__all__ = ["SCHEMAS", "SIGNAL_NORMAL", "TableBuilder", "Tables", "build_tables"]


def _str(value: Any) -> str | None:
    return value if type(value) is str else None


def _num(value: Any) -> float | None:
    kind = type(value)
    if kind is float:
        return value  # type: ignore[no-any-return]
    if kind is int:
        try:
            return float(value)
        except OverflowError:  # an integer beyond the float range is no usable amount
            return None
    return None


def _obj(value: Any) -> dict[str, Any]:
    return value if type(value) is dict else {}


def _id(value: Any) -> str | None:
    return _str(value.get("id")) if type(value) is dict else None


def _int(value: Any) -> int | None:
    return value if type(value) is int else None


def _text(value: Any) -> str | None:
    """A string, or an integer written as text (ids that some publishers give as numbers)."""
    return value if type(value) is str else str(value) if type(value) is int else None


def _address(value: Any) -> str | None:
    if type(value) is not dict:
        return None
    parts = [part for key in ADDRESS_KEYS if type(part := value.get(key)) is str and part]
    return " ".join(parts) if parts else None


@dataclass
class TableBuilder:
    """Accumulates releases as Python column lists; `frames()` turns them into typed Polars tables."""

    columns: dict[str, dict[str, list[Any]]] = field(
        default_factory=lambda: {name: {col: [] for col in schema} for name, schema in BUILD_SCHEMAS.items()}
    )
    rows: int = 0

    def add(self, rid: int, line: int, release: dict[str, Any]) -> None:
        self.rows += 1
        tender = release.get("tender")
        tender_ok = type(tender) is dict
        t: dict[str, Any] = tender if type(tender) is dict else {}
        period = _obj(t.get("tenderPeriod"))
        value = _obj(t.get("value"))
        count = t.get("numberOfTenderers")
        bids = release.get("bids")
        details = bids.get("details") if type(bids) is dict else None
        awards = release.get("awards")
        buyer = _obj(release.get("buyer"))
        p = self.columns["processes"]
        p["rid"].append(rid)
        p["line"].append(line)
        p["ocid"].append(_str(release.get("ocid")))
        p["date"].append(_str(release.get("date")))
        p["tender_is_object"].append(tender_ok)
        p["tender_status"].append(_str(t.get("status")))
        p["procurement_method"].append(_str(t.get("procurementMethod")))
        p["procurement_method_details"].append(_str(t.get("procurementMethodDetails")))
        p["tender_title"].append(_str(t.get("title")))
        p["tender_start"].append(_str(period.get("startDate")))
        p["tender_end"].append(_str(period.get("endDate")))
        p["tender_amount"].append(_num(value.get("amount")))
        p["tender_currency"].append(_str(value.get("currency")))
        p["number_of_tenderers"].append(_num(count))
        p["number_of_tenderers_is_int"].append(type(count) is int)
        p["buyer_id"].append(_str(buyer.get("id")))
        p["buyer_name"].append(_str(buyer.get("name")))
        p["procuring_entity_id"].append(_id(t.get("procuringEntity")))
        p["awards_is_array"].append(type(awards) is list)
        p["bids_is_array"].append(type(details) is list)
        self._add_process_extras(p, release, t)
        ext = t.get("ggzySupervision")
        if type(ext) is dict:
            self._add_tender_ext(rid, ext)
        if tender_ok:
            self._add_amendments(rid, t)
        if type(details) is list:
            self._add_bids(rid, details)
        if type(awards) is list:
            self._add_awards(rid, awards)
        contracts = release.get("contracts")
        if type(contracts) is list:
            self._add_contracts(rid, contracts)
        parties = release.get("parties")
        if type(parties) is list:
            self._add_parties(rid, parties)

    @staticmethod
    def _add_process_extras(p: dict[str, list[Any]], release: dict[str, Any], t: dict[str, Any]) -> None:
        items = t.get("items")
        first = items[0] if type(items) is list and items and type(items[0]) is dict else {}
        budget = _obj(_obj(release.get("planning")).get("budget"))
        p["main_category"].append(_str(t.get("mainProcurementCategory")))
        p["tender_classification"].append(_id(first.get("classification")))
        p["project_id"].append(_text(budget.get("projectID")))
        p["project_name"].append(_str(budget.get("project")))

    def _add_tender_ext(self, rid: int, ext: dict[str, Any]) -> None:
        p = self.columns["tender_ext"]
        funds, deposit = _obj(ext.get("stateFunds")), _obj(ext.get("bidDeposit"))
        publicity, committee = _obj(ext.get("candidatePublicity")), _obj(ext.get("evaluationCommittee"))
        p["rid"].append(rid)
        p["catalog_category"].append(_str(ext.get("category")))
        p["state_funds_share"].append(_num(funds.get("share")))
        p["state_funds_amount"].append(_num(funds.get("amount")))
        p["deposit_amount"].append(_num(deposit.get("amount")))
        p["deposit_currency"].append(_str(deposit.get("currency")))
        p["publicity_start"].append(_str(publicity.get("startDate")))
        p["publicity_end"].append(_str(publicity.get("endDate")))
        p["committee_members"].append(_int(committee.get("members")))
        p["committee_experts"].append(_int(committee.get("experts")))

    def _add_amendments(self, rid: int, t: dict[str, Any]) -> None:
        am = self.columns["amendments"]
        amendments, documents = t.get("amendments"), t.get("documents")
        if type(amendments) is list:
            for amendment in amendments:
                if type(amendment) is dict and type(date := amendment.get("date")) is str:
                    am["rid"].append(rid)
                    am["date"].append(date)
                    am["kind"].append("amendment")
        if type(documents) is list:
            for document in documents:
                if type(document) is not dict or document.get("documentType") != "clarifications":
                    continue
                if type(date := document.get("datePublished")) is str:
                    am["rid"].append(rid)
                    am["date"].append(date)
                    am["kind"].append("clarification")

    def _add_signals(self, rid: int, index: int, ext: dict[str, Any]) -> None:
        sig = self.columns["bid_signals"]
        found = [(kind, value) for key, kind in SIGNAL_KEYS if type(value := ext.get(key)) is str and value]
        documents = ext.get("documents")
        if type(documents) is list:
            for document in documents:
                if type(document) is dict:
                    found += [(kind, v) for key, kind in DOCUMENT_KEYS if type(v := document.get(key)) is str and v]
        for kind, value in found:
            sig["rid"].append(rid)
            sig["bid"].append(index)
            sig["kind"].append(kind)
            sig["value"].append(value)

    def _add_bids(self, rid: int, details: list[Any]) -> None:
        b = self.columns["bids"]
        bt = self.columns["bid_tenderers"]
        b_rid, b_bid, b_status, b_date = b["rid"], b["bid"], b["status"], b["date"]
        b_amount, b_currency, b_n = b["amount"], b["currency"], b["n_tenderers"]
        t_rid, t_bid, t_pos, t_id = bt["rid"], bt["bid"], bt["pos"], bt["tenderer_id"]
        for index, bid in enumerate(details):
            if type(bid) is not dict:
                continue
            value = bid.get("value")
            value = value if type(value) is dict else {}
            tenderers = bid.get("tenderers")
            b_rid.append(rid)
            b_bid.append(index)
            b_status.append(_str(bid.get("status")))
            b_date.append(_str(bid.get("date")))
            b_amount.append(_num(value.get("amount")))
            b_currency.append(_str(value.get("currency")))
            ext = bid.get("ggzySupervision")
            if type(ext) is dict:
                self._add_signals(rid, index, ext)
            if type(tenderers) is list:
                b_n.append(len(tenderers))
                for pos, tenderer in enumerate(tenderers):
                    t_rid.append(rid)
                    t_bid.append(index)
                    t_pos.append(pos)
                    t_id.append(_id(tenderer))
            else:
                b_n.append(None)

    def _add_awards(self, rid: int, awards: list[Any]) -> None:
        a = self.columns["awards"]
        sup = self.columns["award_suppliers"]
        itm = self.columns["award_items"]
        for index, award in enumerate(awards):
            if type(award) is not dict:
                continue
            value = _obj(award.get("value"))
            suppliers = award.get("suppliers")
            items = award.get("items")
            a["rid"].append(rid)
            a["award"].append(index)
            a["status"].append(_str(award.get("status")))
            a["date"].append(_str(award.get("date")))
            a["amount"].append(_num(value.get("amount")))
            a["currency"].append(_str(value.get("currency")))
            a["items_is_array"].append(type(items) is list)
            a["award_id"].append(_text(award.get("id")))
            a["contract_end"].append(_str(_obj(award.get("contractPeriod")).get("endDate")))
            if type(suppliers) is list:
                a["n_suppliers"].append(len(suppliers))
                for pos, supplier in enumerate(suppliers):
                    sup["rid"].append(rid)
                    sup["award"].append(index)
                    sup["pos"].append(pos)
                    sup["supplier_id"].append(_id(supplier))
            else:
                a["n_suppliers"].append(None)
            if type(items) is list:
                for pos, item in enumerate(items):
                    itm["rid"].append(rid)
                    itm["award"].append(index)
                    itm["pos"].append(pos)
                    itm["classification_id"].append(_id(item.get("classification")) if type(item) is dict else None)

    def _add_contracts(self, rid: int, contracts: list[Any]) -> None:
        c = self.columns["contracts"]
        for index, contract in enumerate(contracts):
            if type(contract) is not dict:
                continue
            value = _obj(contract.get("value"))
            award_id = contract.get("awardID")
            c["rid"].append(rid)
            c["contract"].append(index)
            c["status"].append(_str(contract.get("status")))
            c["award_id"].append(str(award_id) if type(award_id) in (str, int) else None)
            c["amount"].append(_num(value.get("amount")))
            c["currency"].append(_str(value.get("currency")))
            c["date_signed"].append(_str(contract.get("dateSigned")))
            c["period_end"].append(_str(_obj(contract.get("period")).get("endDate")))

    def _add_parties(self, rid: int, parties: list[Any]) -> None:
        pt = self.columns["parties"]
        for party in parties:
            if type(party) is not dict:
                continue
            roles = party.get("roles")
            pt["rid"].append(rid)
            pt["party_id"].append(_str(party.get("id")))
            pt["name"].append(_str(party.get("name")))
            pt["roles"].append("|".join(r for r in roles if type(r) is str) if type(roles) is list else None)
            contact = _obj(party.get("contactPoint"))
            pt["contact_name"].append(_str(contact.get("name")))
            pt["telephone"].append(_text(contact.get("telephone")))
            pt["email"].append(_str(contact.get("email")))
            pt["address"].append(_address(party.get("address")))
            pt["legal_rep"].append(_str(_obj(party.get("ggzySupervision")).get("legalRepresentative")))

    def frames(self) -> dict[str, pl.DataFrame]:
        """Typed tables for what was added so far; the builder is emptied."""
        built = {
            name: pl.DataFrame(self.columns[name], schema=schema, strict=False)
            for name, schema in BUILD_SCHEMAS.items()
        }
        self.columns = {name: {col: [] for col in schema} for name, schema in BUILD_SCHEMAS.items()}
        built["bid_signals"], built["bid_signal_kinds"] = repeated_signals(built["bid_signals"])
        ext = built.pop("tender_ext")
        processes = (
            built["processes"].join(ext, on="rid", how="left")
            if ext.height
            else built["processes"].with_columns(
                pl.lit(None, dtype).alias(name) for name, dtype in ext.schema.items() if name != "rid"
            )
        )
        built["processes"] = processes.select(list(SCHEMAS["processes"]))
        return built


@dataclass
class Tables:
    """The flattened input: one Polars frame per table in the module docstring (a table can be released once no one
    reads it any more: see `release`)."""

    processes: pl.DataFrame
    bids: pl.DataFrame
    bid_tenderers: pl.DataFrame
    awards: pl.DataFrame
    award_suppliers: pl.DataFrame
    award_items: pl.DataFrame
    contracts: pl.DataFrame
    parties: pl.DataFrame
    amendments: pl.DataFrame
    bid_signals: pl.DataFrame
    bid_signal_kinds: pl.DataFrame

    @classmethod
    def concat(cls, parts: list[dict[str, pl.DataFrame]]) -> Tables:
        """One frame per table from the parts; each part's frame is dropped as soon as it is copied (peak memory)."""

        def one(name: str) -> pl.DataFrame:
            frames = [f for p in parts if (f := p.pop(name)).height]
            return _broadcast_nulls(pl.concat(frames, rechunk=True)) if frames else pl.DataFrame(schema=SCHEMAS[name])

        return cls(**{name: one(name) for name in SCHEMAS})

    def release(self, name: str) -> None:
        """Free one table (peak memory); reading it afterwards raises an error instead of seeing an empty table."""
        setattr(self, name, cast(pl.DataFrame, _Released(name)))

    def slim(self) -> Tables:
        """The same tables with only `bid_tenderers` kept (for the report's network); the others emptied."""
        return Tables(**{name: self.bid_tenderers if name == "bid_tenderers" else _empty(name) for name in SCHEMAS})


class _Released:
    """What a released table reads as: any use fails loudly."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __getattr__(self, attribute: str) -> Any:
        raise RuntimeError(f"table {self.name!r} was released before this read (see analyze.pipeline.READERS)")


def _broadcast_nulls(frame: pl.DataFrame) -> pl.DataFrame:
    """Columns that are null in every row held as one null broadcast over the rows, not a value per row: a publisher
    that never writes a field (parties' names, contract statuses…) then costs nothing (a string costs 16 bytes a row
    even when null). Reading the column gives the same nulls."""
    empty = [name for name, count in frame.null_count().row(0, named=True).items() if count == frame.height]
    if not empty:
        return frame
    return frame.with_columns(pl.lit(None, frame.schema[name]).alias(name) for name in empty)


def _empty(name: str) -> pl.DataFrame:
    return pl.DataFrame(schema=SCHEMAS[name])


def build_tables(releases: list[dict[str, Any]]) -> Tables:
    """Flatten a small in-memory list of releases (tests, examples); files go through the streaming pipeline."""
    builder = TableBuilder()
    for line, release in enumerate(releases, start=1):
        builder.add(line, line, release)
    return Tables.concat([builder.frames()])
