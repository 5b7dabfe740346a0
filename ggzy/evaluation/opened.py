"""开标结果适配 — the one place that reads what the opening produced (price, form, files, the archived
bid), so that a change in how bids are decrypted touches only this file.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from ggzy import sealing
from ggzy.bidding import opening
from ggzy.bidding import queries as bids
from ggzy.bidding.keys import KeyEnv
from ggzy.bidding.states import BidStatus
from ggzy.core.files import FileStore
from ggzy.entities import queries as entities
from ggzy.evaluation import bills
from ggzy.projects.models import Section


@dataclass(frozen=True)
class OpenedBid:
    bid_id: str
    section_id: str
    org_id: str
    name: str
    version: int
    price: Decimal | None
    failed: bool
    failure: str
    form: dict[str, Any] = field(default_factory=dict)
    files: tuple[dict[str, Any], ...] = ()
    archive_path: str | None = None


FileReader = Callable[[OpenedBid, str], bytes]


def opened_bids(session: Session, section: Section) -> list[OpenedBid]:
    """The section's bids as opened (decrypted ones and those that failed), in submission order."""
    out = []
    for b in bids.opened_bids(session, section.id, section.round):
        manifest = json.loads(b.manifest) if b.manifest else {}
        out.append(
            OpenedBid(
                bid_id=b.id,
                section_id=b.section_id,
                org_id=b.bidder_org_id,
                name=entities.get_org(session, b.bidder_org_id).name,
                version=b.version,
                price=b.price,
                failed=b.status != BidStatus.OPENED.value,
                failure=b.failure,
                form=manifest.get("form") or {},
                files=tuple(manifest.get("files") or ()),
                archive_path=b.archive_path,
            )
        )
    return out


def archive_reader(files: FileStore, env: KeyEnv) -> FileReader:
    """Read one file of an opened bid from its archived copy (sealed to the platform's archive key)."""

    def read(bid: OpenedBid, name: str) -> bytes:
        if bid.archive_path is None:
            raise bills.BillUnreadable("投标文件未归档，无法读取清单")
        found = b""
        for entry, data in opening.open_archived(
            files,
            env,
            archive_path=bid.archive_path,
            section_id=bid.section_id,
            bidder_id=bid.org_id,
            version=bid.version,
        ):
            if entry == name:
                found = data
        return found

    return read


def bill_of(bid: OpenedBid, read: FileReader | None) -> tuple[bills.Bill | None, str]:
    """The bid's priced bill: the `bill` of its price form, else its `*清单*.json|csv` file."""
    try:
        if bid.form.get("bill"):
            return bills.parse(bid.form["bill"]), ""
        name = next((f["name"] for f in bid.files if bills.is_bill_name(str(f.get("name", "")))), None)
        if name is None:
            return None, ""
        if read is None:
            return None, "无法读取投标文件中的清单"
        return bills.parse(read(bid, name), name=name), ""
    except bills.BillUnreadable as exc:
        return None, f"已标价工程量清单无法识别：{exc}"
    except (sealing.EnvelopeError, OSError, UnicodeDecodeError):
        return None, "已标价工程量清单无法读取"
