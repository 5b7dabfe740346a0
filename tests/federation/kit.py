"""A market-run platform's side in tests: its key, its releases of a whole tender, signed pushes."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ggzy.federation import signing

PREFIX = "ocds-mkt001"


@dataclass
class Market:
    code: str = "mkt001"
    prefix: str = PREFIX
    key: Ed25519PrivateKey = field(default_factory=Ed25519PrivateKey.generate)
    token: str = ""

    @property
    def public(self) -> str:
        return signing.public_hex(self.key)

    def headers(self, body: bytes, at: datetime, *, key: Ed25519PrivateKey | None = None) -> dict[str, str]:
        stamp = at.astimezone(UTC).isoformat(timespec="seconds")
        return {
            "content-type": "application/json",
            "x-platform": self.code,
            "x-platform-token": self.token,
            "x-timestamp": stamp,
            "x-signature": signing.sign(key or self.key, self.code, stamp, body),
        }


def party(code: str, name: str, role: str) -> dict[str, Any]:
    return {
        "id": f"CN-USCC-{code}",
        "name": name,
        "roles": [role],
        "identifier": {"scheme": "CN-USCC", "id": code, "legalName": name},
    }


def whole_tender(
    prefix: str, number: str, at: datetime, *, bidders: list[tuple[str, str]], winner: int = 0
) -> list[dict[str, Any]]:
    """Tender, opening record (tenderUpdate with bids), award and contract of one trade, a day apart."""
    ocid = f"{prefix}-{number}"
    buyer = party("91410700MA00000001", "新乡市某国有企业", "buyer")
    tender = {
        "id": number,
        "title": f"市场化平台测试工程（{number}）",
        "status": "active",
        "procurementMethod": "open",
        "mainProcurementCategory": "works",
        "value": {"amount": 1000000, "currency": "CNY"},
        "items": [{"id": "1", "classification": {"scheme": "CN-GGZY-CATALOG", "id": "construction"}}],
    }
    base = {
        "ocid": ocid,
        "initiationType": "tender",
        "language": "zh",
        "buyer": {"id": buyer["id"], "name": buyer["name"]},
    }

    def rel(n: int, tag: str, **more: Any) -> dict[str, Any]:
        return {**base, "id": f"{ocid}-{n}", "date": (at + timedelta(days=n)).isoformat(), "tag": [tag], **more}

    tenderers = [party(c, name, "tenderer") for c, name in bidders]
    bids = {
        "details": [
            {
                "id": f"b{i}",
                "status": "valid",
                "value": {"amount": 900000 + i * 12345, "currency": "CNY"},
                "tenderers": [{"id": t["id"], "name": t["name"]}],
            }
            for i, t in enumerate(tenderers)
        ]
    }
    win = bidders[winner]
    supplier = party(win[0], win[1], "supplier")
    award = {"id": "a1", "status": "active", "value": {"amount": 900000 + winner * 12345, "currency": "CNY"},
             "suppliers": [{"id": supplier["id"], "name": supplier["name"]}]}  # fmt: skip
    opened = {**tender, "numberOfTenderers": len(tenderers)}
    return [
        rel(0, "tender", parties=[buyer], tender=tender),
        rel(1, "tenderUpdate", parties=[buyer, *tenderers], tender=opened, bids=bids),
        rel(2, "award", parties=[buyer, *tenderers, supplier], tender={**opened, "status": "complete"}, awards=[award]),
        rel(
            3,
            "contract",
            parties=[buyer, *tenderers, supplier],
            tender={**opened, "status": "complete"},
            awards=[award],
            contracts=[{"id": "c1", "awardID": "a1", "status": "active", "value": award["value"]}],
        ),
    ]


def package(releases: list[dict[str, Any]]) -> bytes:
    return json.dumps(
        {
            "uri": "https://market.example/ocds",
            "version": "1.1",
            "publishedDate": "2026-12-01T00:00:00+00:00",
            "publisher": {"name": "market"},
            "releases": releases,
        },
        ensure_ascii=False,
    ).encode()
