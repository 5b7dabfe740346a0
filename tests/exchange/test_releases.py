"""The OCDS export (issue 14 item 1): one release per published step, statuses as OCDS means them, the ocid under
a prefix of the registered shape, parties by credit code, Decimal amounts written as exact JSON numbers. The
codelists are written here as literals (the conformance test checks them against the published CSV files)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.orm import Session

from ggzy.core.clock import FixedClock
from ggzy.exchange import ocds, queries
from ggzy.projects.models import Section
from ggzy.rules.procedures import Method

PREFIX = "ocds-ab12cd"
OCID = re.compile(r"^ocds-[a-z0-9]{6}-")
# OCDS 1.1.5 closed codelists (releaseTag, initiationType, tenderStatus, method, procurementCategory) and the
# values of the open ones this mapping uses (partyRole, currency, bidStatus, bidStatistics), as literals.
RELEASE_TAGS = {
    "planning", "planningUpdate", "tender", "tenderAmendment", "tenderUpdate", "tenderCancellation", "award",
    "awardUpdate", "awardCancellation", "contract", "contractUpdate", "contractAmendment", "implementation",
    "implementationUpdate", "contractTermination", "compiled",
}  # fmt: skip
TENDER_STATUS = {"planning", "planned", "active", "cancelled", "unsuccessful", "complete", "withdrawn"}
METHOD = {"open", "selective", "limited", "direct"}
CATEGORY = {"goods", "works", "services"}
PARTY_ROLES = {"buyer", "procuringEntity", "tenderer"}
BID_STATUS = {"invited", "pending", "valid", "disqualified", "withdrawn"}
BID_STATISTICS = {"bids", "validBids"}


def of_section(session: Session, section: Section, prefix: str = PREFIX) -> list[dict[str, object]]:
    return queries.releases(session, queries.steps_of_section(session, section), prefix=prefix)


def check_shape(rel: dict) -> None:  # type: ignore[type-arg]
    for field in ("ocid", "id", "date", "tag", "initiationType"):
        assert rel[field], field
    assert OCID.match(rel["ocid"]) and rel["initiationType"] == "tender" and set(rel["tag"]) <= RELEASE_TAGS
    t = rel["tender"]
    assert (
        t["status"] in TENDER_STATUS and t["procurementMethod"] in METHOD and t["mainProcurementCategory"] in CATEGORY
    )
    assert isinstance(t["value"]["amount"], Decimal) and t["value"]["currency"] == "CNY"
    assert t["items"][0]["classification"]["scheme"] == ocds.ITEM_SCHEME and t["items"][0]["classification"]["id"]
    for p in rel["parties"]:
        assert p["identifier"]["scheme"] == "CN-USCC" and re.fullmatch(r"[0-9A-Z]{18}", p["identifier"]["id"])
        assert p["id"] == f"CN-USCC-{p['identifier']['id']}" and set(p["roles"]) <= PARTY_ROLES
    for d in rel.get("bids", {}).get("details", []):
        assert d["status"] in BID_STATUS
    for s in rel.get("bids", {}).get("statistics", []):
        assert s["measure"] in BID_STATISTICS


def test_an_opened_tender_is_planning_tender_and_opening_releases_and_stays_active_without_an_award(
    session: Session, trade: Callable[..., Section]
) -> None:
    section = trade(outcome="opened", bids=3)
    rels = of_section(session, section)
    for r in rels:
        check_shape(r)
    assert [(r["tag"], r["tender"]["status"]) for r in rels] == [  # type: ignore[index]
        (["planning"], "planning"),
        (["tender"], "active"),
        (["tenderUpdate"], "active"),  # opened with bids, no award yet: not complete
    ]
    assert {r["ocid"] for r in rels} == {f"{PREFIX}-{section.code}"}
    assert len({r["id"] for r in rels}) == 3
    assert "bids" not in rels[0] and "bids" not in rels[1]
    opening = rels[2]
    assert opening["tender"]["numberOfTenderers"] == 3  # type: ignore[index]
    assert len(opening["bids"]["details"]) == 3  # type: ignore[index]
    assert {"id": "1", "measure": "bids", "value": 3} in opening["bids"]["statistics"]  # type: ignore[index]
    assert [p["roles"] for p in opening["parties"]].count(["tenderer"]) == 3  # type: ignore[union-attr,index]
    assert "ggzySupervision" not in json.dumps(rels, default=str)  # supervision's evidence is never published


def test_failed_and_terminated_tenders_are_unsuccessful_and_cancelled_and_a_clarification_is_a_tender_update(
    session: Session, trade: Callable[..., Section], clock: FixedClock
) -> None:
    failed, ended, clarified = trade(outcome="failed"), trade(outcome="terminated"), trade(outcome="clarified")
    last = {s.id: of_section(session, s)[-1] for s in (failed, ended, clarified)}
    assert (last[failed.id]["tag"], last[failed.id]["tender"]["status"]) == (["tenderUpdate"], "unsuccessful")  # type: ignore[index]
    assert (last[ended.id]["tag"], last[ended.id]["tender"]["status"]) == (["tenderCancellation"], "cancelled")  # type: ignore[index]
    assert (last[clarified.id]["tag"], last[clarified.id]["tender"]["status"]) == (["tenderUpdate"], "active")  # type: ignore[index]
    assert "bids" not in last[failed.id]
    # supervision's own compiled view says the same
    assert ocds.release(session, failed, clock=clock)["tender"]["status"] == "unsuccessful"
    assert ocds.release(session, ended, clock=clock)["tender"]["status"] == "cancelled"


def test_every_procedure_maps_to_an_ocds_method_and_category(session: Session, trade: Callable[..., Section]) -> None:
    seen = {}
    for m in Method:
        rel = of_section(session, trade(method=m, outcome="bidding"))[-1]
        check_shape(rel)
        seen[m.value] = (rel["tender"]["procurementMethod"], rel["tender"]["mainProcurementCategory"])  # type: ignore[index]
    assert seen == {
        "open_tender": ("open", "works"),
        "invited_tender": ("selective", "works"),
        "gp_open_tender": ("open", "goods"),
        "gp_invited_tender": ("selective", "goods"),
        "negotiation": ("limited", "goods"),
        "consultation": ("limited", "goods"),
        "quotation": ("limited", "goods"),
        "single_source": ("direct", "goods"),
    }


def test_amounts_stay_decimal_and_are_written_as_exact_json_numbers() -> None:
    body = ocds.dumps({"value": {"amount": Decimal("12345678901234567.89"), "currency": "CNY"}})
    assert body == b'{"value":{"amount":12345678901234567.89,"currency":"CNY"}}'
    assert json.loads(body, parse_float=Decimal)["value"]["amount"] == Decimal("12345678901234567.89")


def test_an_award_step_joins_through_the_one_hook(
    session: Session, trade: Callable[..., Section], monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the award domain will do: register its public event (scoped by the section) and fill the awards."""

    def awards(_s: Session | None, t: ocds.Trade, step: ocds.Step, release: dict[str, Any]) -> None:
        release["awards"] = [{"id": f"{t.section.code}-{step.seq}", "status": "pending"}]

    monkeypatch.setattr(ocds, "STEPS", dict(ocds.STEPS))  # the registration is undone after the test
    kind = ocds.StepKind("award-stand-in", "award", "complete", after_opening=True, fill=awards)
    ocds.register_step("bidding.bid_opened", kind)  # stands in for the award's event: public, scope=section.id
    with pytest.raises(ValueError, match="twice"):
        ocds.register_step("bidding.bid_opened", ocds.StepKind("award-stand-in", "awardUpdate", None))
    rels = of_section(session, trade(outcome="opened", bids=3))
    awarded = [r for r in rels if r["tag"] == ["award"]]
    assert len(awarded) == 3 and all(r["tender"]["status"] == "complete" and r["awards"] for r in awarded)  # type: ignore[index]
    assert all(len(r["bids"]["details"]) == 3 for r in awarded)  # type: ignore[index]
    assert [r["tag"] for r in rels][:2] == [["planning"], ["tender"]]


def test_every_step_is_an_event_type_the_platform_declares() -> None:
    import ggzy.bidding.opening
    import ggzy.notices.service
    import ggzy.projects.publication
    import ggzy.projects.service
    import ggzy.projects.timers  # noqa: F401 - they declare the event types
    from ggzy.core import events

    assert set(ocds.STEPS) <= set(events.EVENT_TYPES)
