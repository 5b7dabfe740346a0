"""OCDS 导出 — a section as an OCDS 1.1 compiled release, with the bids extension and ggzy's
`ggzySupervision` objects (docs/analyze.md), so the same red flags run on our trades and on anyone's.

Who bid and what they offered appear only for opened sections: before the opening the release carries
the tender alone. Amounts become JSON numbers here, for analysis; the ledger keeps Decimal.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import orjson
from sqlalchemy.orm import Session

from ggzy.award import queries as awards
from ggzy.bidding import queries as bids
from ggzy.bidding.models import Bid
from ggzy.bidding.states import BidStatus
from ggzy.core.clock import Clock
from ggzy.deposits import queries as deposits
from ggzy.entities import queries as entities
from ggzy.entities.models import Organisation
from ggzy.projects import queries as projects
from ggzy.projects.models import Project, Section
from ggzy.projects.states import SectionStatus
from ggzy.rules.catalog import Category
from ggzy.rules.procedures import procedure

DEFAULT_PREFIX = "ocds-ggzy00"  # a placeholder of the valid shape; a real platform registers its own with OCP
PREFIX = DEFAULT_PREFIX  # what supervision's own (internal) releases use; the public export reads Settings.ocds_prefix
METHODS = {
    "open_tender": "open",
    "gp_open_tender": "open",
    "invited_tender": "selective",
    "gp_invited_tender": "selective",
    "negotiation": "limited",
    "consultation": "limited",
    "quotation": "limited",
    "single_source": "direct",
}
CATEGORY = {
    Category.CONSTRUCTION: "works",
    Category.GP_WORKS: "works",
    Category.WORKS_GOODS: "goods",
    Category.GP_GOODS: "goods",
    Category.WORKS_SERVICES: "services",
    Category.GP_SERVICES: "services",
}


def tender_status(section_status: str, *, opened: bool, awarded: bool = False) -> str:
    """OCDS tenderStatus of a section as it stands: an opened tender stays `active` until an award exists."""
    if awarded:
        return "complete"
    if opened:
        return "active"
    return {
        SectionStatus.PREPARING.value: "planning",
        SectionStatus.FAILED.value: "unsuccessful",
        SectionStatus.TERMINATED.value: "cancelled",
    }.get(section_status, "active")


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at else None


def party(org: Organisation, roles: list[str]) -> dict[str, Any]:
    return {
        "id": org.credit_code,
        "name": org.name,
        "roles": roles,
        "identifier": {"scheme": "CN-USCC", "id": org.credit_code, "legalName": org.name},
        "address": {"streetAddress": org.address, "region": org.region, "countryName": "中国"},
        "contactPoint": {"name": org.contact_name, "telephone": org.contact_phone, "email": org.contact_email},
        "ggzySupervision": {"legalRepresentative": org.legal_representative},
    }


def _bid_details(session: Session, section: Section) -> tuple[list[dict[str, Any]], list[Organisation]]:
    details, tenderers = [], []
    paid_from = deposits.payer_accounts(session, section.id)  # what the bank saw, over what the bid declares
    for bid in bids.opened_bids(session, section.id, section.round):
        org = entities.get_org(session, bid.bidder_org_id)
        tenderers.append(org)
        manifest = json.loads(bid.manifest) if bid.manifest else {}
        sup = manifest.get("supervision") or {}
        files = {f.get("name"): f for f in sup.get("files") or []}
        detail: dict[str, Any] = {
            "id": bid.id,
            "date": _iso(bid.submitted_at),
            "tenderers": [{"id": org.credit_code, "name": org.name}],
            "status": "valid" if bid.status == BidStatus.OPENED.value else "invalid",
            "ggzySupervision": {
                "machineFingerprint": (sup.get("machine") or {}).get("fingerprint"),
                "uploadAddress": bid.ip,
                "depositAccount": paid_from.get(bid.bidder_org_id)
                or (manifest.get("form") or {}).get("deposit_account"),
                "documents": [
                    {
                        "sha256": f.get("sha256"),
                        "author": (files.get(f.get("name")) or {}).get("author"),
                        "application": (files.get(f.get("name")) or {}).get("application"),
                    }
                    for f in manifest.get("files") or []
                ],
            },
        }
        if bid.price is not None:
            detail["value"] = {"amount": float(bid.price), "currency": "CNY"}
        details.append(detail)
    return details, tenderers


def release(session: Session, section: Section, *, clock: Clock) -> dict[str, Any]:
    project: Project = projects.get_project(session, section.project_id)
    buyer = entities.get_org(session, project.tenderer_org_id)
    parties = [party(buyer, ["buyer"])]
    if project.agency_org_id:
        parties.append(party(entities.get_org(session, project.agency_org_id), ["procuringEntity"]))
    opened = section.opened_at is not None  # from the opening on, whatever the section's later state
    details, tenderers = _bid_details(session, section) if opened else ([], [])
    parties += [party(o, ["tenderer"]) for o in tenderers]
    out: dict[str, Any] = {
        "ocid": f"{PREFIX}-{section.code}",
        "id": f"{section.code}-{clock.now():%Y%m%d%H%M%S}",
        "date": _iso(clock.now()),
        "tag": ["compiled"],
        "initiationType": "tender",
        "language": "zh",
        "buyer": {"id": buyer.credit_code, "name": buyer.name},
        "planning": {"budget": {"projectID": project.approval_code, "project": project.name}},
        "parties": parties,
        "tender": {
            "id": section.code,
            "title": f"{project.name}（{section.name}）",
            "status": tender_status(section.status, opened=opened),
            "procurementMethod": METHODS.get(project.method, "open"),
            "procurementMethodDetails": procedure(project.method).name,
            "mainProcurementCategory": CATEGORY.get(Category(project.category), "works"),
            "value": {"amount": float(section.estimate), "currency": "CNY"},
            "tenderPeriod": {"startDate": _iso(section.documents_issued_at), "endDate": _iso(section.bid_deadline)},
            "ggzySupervision": {
                "category": project.category,
                "stateFunds": {"share": float(project.state_funds_share), "amount": float(project.state_funds_amount)},
            },
        },
    }
    if opened:
        out["tender"]["numberOfTenderers"] = len({o.id for o in tenderers})
        out["bids"] = {"details": details}
        _award(session, section, out)
    return out


def _award(session: Session, section: Section, out: dict[str, Any]) -> None:
    """The award (中标) and the signed contract, once they exist; the winner's party gains the supplier role."""
    a = awards.award_of(session, section.id, section.round)
    if a is None or a.awarded_at is None or a.winner_org_id is None:
        return
    winner = entities.get_org(session, a.winner_org_id)
    award: dict[str, Any] = {
        "id": a.id,
        "status": "active",
        "date": _iso(a.awarded_at),
        "suppliers": [{"id": winner.credit_code, "name": winner.name}],
    }
    if a.winner_price is not None:
        award["value"] = {"amount": float(a.winner_price), "currency": "CNY"}
    out["awards"] = [award]
    for p in out["parties"]:
        if p["id"] == winner.credit_code and "supplier" not in p["roles"]:
            p["roles"].append("supplier")
    c = awards.contract_of(session, a.id)
    if c is not None and c.signed_at is not None:
        out["contracts"] = [
            {
                "id": c.id,
                "awardID": a.id,
                "status": "active",
                "dateSigned": _iso(c.signed_at),
                "value": {"amount": float(c.amount), "currency": "CNY"},
            }
        ]


# --- the public export (P3): one release per published step ------------------------------------------------
#
# `release()` above is supervision's own compiled view (with `ggzySupervision`: machine fingerprints, upload
# addresses, deposit accounts — evidence for the regulators, never published). What follows is what the open
# data routes, the bulk files and `ggzy export ocds` publish: releases built from loaded rows by pure functions,
# money kept as Decimal until the JSON edge (`dumps`), no field that only supervision may see.

BIDS_EXTENSION = (
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/v1.1.5/extension.json"
)
EXTENSIONS = (BIDS_EXTENSION,)
ORG_SCHEME = "CN-USCC"  # org-id.guide: 统一社会信用代码 (GB 32100-2015)
ITEM_SCHEME = "CN-GGZY-CATALOG"  # the must-enter catalog's categories (ggzy/rules/catalog.py)
PREFIX_SHAPE = r"^ocds-[a-z0-9]{6}$"


@dataclass(frozen=True)
class Trade:
    """One section with what its releases need, loaded in batches by exchange.queries."""

    section: Section
    project: Project
    buyer: Organisation
    agency: Organisation | None
    bids: tuple[tuple[Bid, Organisation], ...] = ()  # opened bids of the current round (empty before the opening)


@dataclass(frozen=True)
class Step:
    """A published step of one section: the public event that made it and the kind of release it is."""

    seq: int
    pos: int  # several sections can share one event (a project's acceptance): their order inside it
    at: datetime
    kind: str
    section_id: str


Fill = Callable[[Session | None, Trade, Step, dict[str, Any]], None]


@dataclass(frozen=True)
class StepKind:
    """How a kind of step becomes a release: its tag, the tender status it states, whether bids are shown."""

    name: str
    tag: str
    status: str | None  # None: the section's status as it stands
    after_opening: bool = False  # bids (and everything learnt at the opening) belong in the release
    fill: Fill | None = None  # adds what only this kind of step carries (awards, contracts …)


# Public event type → the kind of release it makes. The event is found in the public log, so the feed follows the
# log's order; a clarification is a notice, kept only when the notice is of that kind (queries.expand).
STEPS: dict[str, StepKind] = {
    "projects.accepted": StepKind("planning", "planning", "planning"),
    "projects.section_published": StepKind("tender", "tender", "active"),
    "notices.published": StepKind("clarification", "tenderUpdate", "active"),
    "projects.section_retendered": StepKind("retender", "tenderUpdate", "planning"),
    "projects.tender_failed": StepKind("failed", "tenderUpdate", "unsuccessful"),
    "projects.section_terminated": StepKind("terminated", "tenderCancellation", "cancelled"),
    "bidding.section_opened": StepKind("opening", "tenderUpdate", "active", after_opening=True),
}


def register_step(event_type: str, kind: StepKind) -> None:
    """THE HOOK for the award and contract steps: `register_step("award.decided", StepKind("award", "award",
    "complete", after_opening=True, fill=add_awards))` — the event must be public and scoped by the section
    (`scope=section.id`); `fill(session, trade, step, release)` adds `awards`/`contracts` to the release."""
    existing = STEPS.get(event_type)
    if existing is not None and existing != kind:
        raise ValueError(f"step for {event_type} registered twice differently")
    STEPS[event_type] = kind


def ocid(prefix: str, section_code: str) -> str:
    return f"{prefix}-{section_code}"


def release_id(ocid_: str, step: Step) -> str:
    return f"{ocid_}-{step.seq}" if step.pos == 0 else f"{ocid_}-{step.seq}.{step.pos}"


def _org_ref(org: Organisation) -> dict[str, Any]:
    return {"id": f"{ORG_SCHEME}-{org.credit_code}", "name": org.name}


def _public_party(org: Organisation, roles: list[str], *, contact: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        **_org_ref(org),
        "identifier": {"scheme": ORG_SCHEME, "id": org.credit_code, "legalName": org.name},
        "address": {"region": org.region, "countryName": "中国"},
        "roles": roles,
    }
    if org.address:
        out["address"]["streetAddress"] = org.address
    if contact and (org.contact_name or org.contact_phone or org.contact_email):  # as the notices publish it
        point = {"name": org.contact_name, "telephone": org.contact_phone, "email": org.contact_email}
        out["contactPoint"] = {k: v for k, v in point.items() if v}
    return out


def _money(amount: Decimal) -> dict[str, Any]:
    return {"amount": amount, "currency": "CNY"}


def public_release(
    trade: Trade,
    step: Step,
    *,
    prefix: str,
    session: Session | None = None,
    parties_seen: dict[tuple[str, str], dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The release of one step of one section (OCDS 1.1, bids extension); values stay Decimal.

    `parties_seen` keeps each organisation's party object across the releases of one export (they are never
    changed once built, so releases may share them): most parties recur, and building them was a fifth of the time.
    """
    cache: dict[tuple[str, str], dict[str, Any]] = {} if parties_seen is None else parties_seen

    def party_of(org: Organisation, role: str) -> dict[str, Any]:
        key = (org.id, role)
        found = cache.get(key)
        if found is None:
            found = cache[key] = _public_party(org, [role], contact=role != "tenderer")
        return found

    kind = next(k for k in STEPS.values() if k.name == step.kind)
    project, section, buyer = trade.project, trade.section, trade.buyer
    the_ocid = ocid(prefix, section.code)
    category = Category(project.category)
    show_bids = kind.after_opening and section.opened_at is not None
    parties = [party_of(buyer, "buyer")]
    tender: dict[str, Any] = {
        "id": section.code,
        "title": f"{project.name}（{section.name}）",
        "status": kind.status or tender_status(section.status, opened=show_bids),
        "procurementMethod": METHODS.get(project.method, "open"),
        "procurementMethodDetails": procedure(project.method).name,
        "mainProcurementCategory": CATEGORY.get(category, "works"),
        "value": _money(section.estimate),
        "items": [
            {
                "id": "1",
                "description": section.name,
                "classification": {"scheme": ITEM_SCHEME, "id": category.value, "description": category.label},
                "quantity": 1,
            }
        ],
    }
    if trade.agency is not None:
        parties.append(party_of(trade.agency, "procuringEntity"))
        tender["procuringEntity"] = _org_ref(trade.agency)
    if step.kind != "planning" and section.bid_deadline is not None:
        period = {"startDate": _iso(section.documents_issued_at), "endDate": _iso(section.bid_deadline)}
        tender["tenderPeriod"] = {k: v for k, v in period.items() if v}
    out: dict[str, Any] = {
        "ocid": the_ocid,
        "id": release_id(the_ocid, step),
        "date": _iso(step.at),
        "tag": [kind.tag],
        "initiationType": "tender",
        "language": "zh",
        "buyer": _org_ref(buyer),
        "planning": {
            "budget": {
                "id": project.approval_code,
                "description": project.name,
                "amount": _money(project.estimate),
                "projectID": project.approval_code,
                "project": project.name,
            }
        },
        "parties": parties,
        "tender": tender,
    }
    if show_bids:  # learnt at the opening: never in a release of an earlier step, whenever it is built
        seen: dict[str, Organisation] = {}
        details = []
        for bid, org in trade.bids:
            seen.setdefault(org.id, org)
            detail: dict[str, Any] = {
                "id": bid.id,
                "date": _iso(bid.submitted_at),
                "status": "valid" if bid.status == BidStatus.OPENED.value else "disqualified",
                "tenderers": [_org_ref(org)],
            }
            if bid.price is not None:
                detail["value"] = _money(bid.price)
            details.append(detail)
        parties += [party_of(o, "tenderer") for o in seen.values()]
        tender["numberOfTenderers"] = len(seen)
        tender["tenderers"] = [_org_ref(o) for o in seen.values()]
        out["bids"] = {
            "statistics": [
                {"id": "1", "measure": "bids", "value": len(details)},
                {"id": "2", "measure": "validBids", "value": sum(d["status"] == "valid" for d in details)},
            ],
            "details": details,
        }
    if kind.fill is not None:
        kind.fill(session, trade, step, out)
    return out


def _public_awards(session: Session | None, trade: Trade, step: Step, out: dict[str, Any]) -> None:
    """The award (中标) and, once signed, the contract: what the result and contract notices publish."""
    if session is None:
        return
    a = awards.award_of(session, trade.section.id, trade.section.round)
    if a is None or a.awarded_at is None or a.winner_org_id is None:
        return
    winner = entities.get_org(session, a.winner_org_id)
    award: dict[str, Any] = {
        "id": a.id,
        "status": "active",
        "date": _iso(a.awarded_at),
        "suppliers": [_org_ref(winner)],
    }
    if a.winner_price is not None:
        award["value"] = _money(a.winner_price)
    out["awards"] = [award]
    if not any(p["id"] == _org_ref(winner)["id"] and "supplier" in p["roles"] for p in out["parties"]):
        out["parties"] = [*out["parties"], _public_party(winner, ["supplier"], contact=True)]
    c = awards.contract_of(session, a.id)
    if step.kind == "contract" and c is not None and c.signed_at is not None:
        out["contracts"] = [
            {
                "id": c.id,
                "awardID": a.id,
                "status": "active",
                "dateSigned": _iso(c.signed_at),
                "value": _money(c.amount),
            }
        ]


# the award domain's public events (ggzy/award): the result notice and the signed contract
STEPS["award.awarded"] = StepKind("award", "award", "complete", after_opening=True, fill=_public_awards)
STEPS["award.contract_signed"] = StepKind("contract", "contract", "complete", after_opening=True, fill=_public_awards)


def _json_default(o: Any) -> Any:
    if isinstance(o, Decimal):  # the exact decimal digits, written as a JSON number: no float on the way
        if not o.is_finite():
            raise TypeError("a non-finite amount cannot be published")
        return orjson.Fragment(str(o).encode())
    raise TypeError(f"cannot write a {type(o).__name__} as OCDS JSON")


def dumps(obj: Any) -> bytes:
    """OCDS JSON: Decimal amounts as JSON numbers with their exact digits (orjson fragments)."""
    return orjson.dumps(obj, default=_json_default)
