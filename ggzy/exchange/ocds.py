"""OCDS 导出 — a section as an OCDS 1.1 compiled release, with the bids extension and ggzy's
`ggzySupervision` objects (docs/analyze.md), so the same red flags run on our trades and on anyone's.

Who bid and what they offered appear only for opened sections: before the opening the release carries
the tender alone. Amounts become JSON numbers here, for analysis; the ledger keeps Decimal.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from ggzy.award import queries as awards
from ggzy.bidding import queries as bids
from ggzy.bidding.states import BidStatus
from ggzy.core.clock import Clock
from ggzy.deposits import queries as deposits
from ggzy.entities import queries as entities
from ggzy.entities.models import Organisation
from ggzy.projects import queries as projects
from ggzy.projects.models import Project, Section
from ggzy.rules.catalog import Category
from ggzy.rules.procedures import procedure

PREFIX = "ocds-ggzy"
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
            "status": "complete" if opened else "active",
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
