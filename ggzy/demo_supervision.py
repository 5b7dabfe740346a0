"""演示监管 — planted cases the supervision platform must find: a ring of bidders on one machine and one
deposit account (on our platform), a cover bidder and a split purchase (in a county platform's OCDS data),
and an approved project that never entered the platform (from the approval platform's list)."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from ggzy.core.clock import Clock
from ggzy.entities import queries
from ggzy.entities.models import Organisation
from ggzy.supervision.models import ScanMark

COUNTY = "ocds-xxcnty"  # the county platform's prefix: the registered shape (ocds- + 6 characters)
NEVER_ENTERED = {
    "项目代码": "2026-410700-48-01-777777",
    "项目名称": "新乡市北站综合交通枢纽工程",
    "项目单位": "新乡市交通建设投资有限公司",
    "项目类别": "工程施工",
    "估算投资（万元）": "30000",
    "国有资金占比": "100",
    "国有资金（万元）": "30000",
}


def _org(session: Session, name: str) -> Organisation:
    orgs, _ = queries.list_orgs(session, q=name, limit=1)
    assert orgs, name
    return orgs[0]


def _party(o: Organisation, role: str) -> dict[str, Any]:
    return {
        "id": o.credit_code,
        "name": o.name,
        "roles": [role],
        "address": {"streetAddress": o.address},
        "contactPoint": {"name": o.contact_name, "telephone": o.contact_phone, "email": o.contact_email},
    }


def _release(
    n: int,
    when: datetime,
    buyer: Organisation,
    bidders: list[tuple[Organisation, float]],
    winner: Organisation,
    *,
    title: str,
    method: str,
    details: str,
    category: str,
    amount: float,
    item: str,
    state_share: float = 100.0,
) -> dict[str, Any]:
    ocid = f"{COUNTY}-{when:%Y}-{n:04d}"
    return {
        "ocid": ocid,
        "id": f"{ocid}-1",
        "date": when.isoformat(),
        "tag": ["compiled"],
        "initiationType": "tender",  # required by OCDS 1.1 (its absence was 17 schema errors, issue 14)
        "language": "zh",
        "buyer": {"id": buyer.credit_code, "name": buyer.name},
        "parties": [_party(buyer, "buyer"), *(_party(o, "tenderer") for o, _ in bidders)],
        "tender": {
            "id": ocid,
            "title": title,
            "procurementMethod": method,
            "procurementMethodDetails": details,
            "mainProcurementCategory": category,
            "value": {"amount": amount, "currency": "CNY"},
            "tenderPeriod": {"startDate": (when - timedelta(days=25)).isoformat(), "endDate": when.isoformat()},
            "items": [{"id": "1", "classification": {"scheme": "CPV", "id": item}}],
            "ggzySupervision": {"stateFunds": {"share": state_share, "amount": amount * state_share / 100}},
        },
        "bids": {
            "details": [
                {
                    "id": f"{ocid}-b{i}",
                    "status": "valid",
                    "tenderers": [{"id": o.credit_code, "name": o.name}],
                    "value": {"amount": v, "currency": "CNY"},
                }
                for i, (o, v) in enumerate(bidders)
            ]
        },
        "awards": [
            {
                "id": f"{ocid}-a",
                "status": "active",
                "date": (when + timedelta(days=5)).isoformat(),
                "value": {"amount": {o.id: v for o, v in bidders}[winner.id], "currency": "CNY"},
                "suppliers": [{"id": winner.credit_code, "name": winner.name}],
            }
        ],
    }


def county_releases(session: Session) -> list[dict[str, Any]]:
    """The demo county's history, with the demo city's organisations."""
    names = ("长垣起重设备", "卫辉环保科技", "延津物业服务", "辉县石材", "新乡市城市建设投资开发有限公司")
    cover, a, b, other, buyer = (_org(session, n) for n in names)
    school, supplier = _org(session, "新乡市红旗区教育局"), _org(session, "博文教学设备")
    return planted_releases(cover=cover, winners=(a, b), other=other, buyer=buyer, school=school, supplier=supplier)


def planted_releases(
    *,
    cover: Organisation,
    winners: tuple[Organisation, Organisation],
    other: Organisation,
    buyer: Organisation,
    school: Organisation,
    supplier: Organisation,
) -> list[dict[str, Any]]:
    """A county platform's 2026: `cover` bids twelve times against the same two `winners`, who take turns to
    win, and never wins (陪标); `school` buys teaching equipment five times by 询价, each ¥900,000 under the
    ¥1,000,000 limit, ¥4,500,000 together over the ¥4,000,000 open-tender standard (化整为零)."""
    a, b = winners
    start = datetime(2026, 1, 15, 10, tzinfo=UTC)
    out = []
    for i in range(12):
        winner = a if i % 2 == 0 else b
        prices = {
            a.id: 2_480_000.0 + i * 1000,
            b.id: 2_495_000.0 + i * 900,
            cover.id: 2_560_000.0 + i * 700,
            other.id: 2_590_000.0,
        }
        prices[winner.id] -= 60_000
        bidders = [(o, prices[o.id]) for o in (a, b, cover) + ((other,) if i % 3 == 0 else ())]
        out.append(
            _release(
                i + 1,
                start + timedelta(days=14 * i),
                buyer,
                bidders,
                winner,
                title=f"城区道路维修工程（第{i + 1}批）",
                method="open",
                details="公开招标",
                category="works",
                amount=2_700_000.0,
                item="45233142",
            )
        )
    for j in range(5):
        out.append(
            _release(
                100 + j,
                start + timedelta(days=30 * j + 60),  # one budget year, March to July
                school,
                [(supplier, 885_000.0)],
                supplier,
                title=f"中小学多媒体教学设备采购（第{j + 1}包）",
                method="limited",
                details="询价",
                category="goods",
                amount=900_000.0,
                item="30213000",
            )
        )
    return out


def write_files(var: Path, releases: list[dict[str, Any]]) -> tuple[Path, Path]:
    data = var / "demo-county-ocds.jsonl"
    data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in releases), encoding="utf-8")
    approvals = var / "demo-approvals.csv"
    with open(approvals, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(NEVER_ENTERED))
        writer.writeheader()
        writer.writerow(NEVER_ENTERED)
        writer.writerow(
            {
                **NEVER_ENTERED,
                "项目代码": "2026-410702-47-01-000123",
                "项目名称": "新乡市第一中学综合教学楼建设工程",
                "项目单位": "新乡市第一中学",
                "估算投资（万元）": "860",
                "国有资金（万元）": "860",
            }
        )
    return data, approvals


def screen(session: Session, *, clock: Clock, var: Path) -> int:
    """Compare every section (live flags) and screen the history with the county data and the approvals."""
    from ggzy.supervision import history, live
    from ggzy.supervision.flags.avoidance.approvals import read_approvals

    new = 0
    for section_id, stage in live.due(session, clock.now()):
        live.apply(session, (section_id, stage), clock.now())
        mark = session.get(ScanMark, (section_id, stage))
        new += mark.alerts if mark is not None else 0
    data, approvals_file = write_files(var, county_releases(session))
    approvals, _ = read_approvals(approvals_file)
    report = history.screen(
        session,
        clock=clock,
        external=history.external_releases([data]),
        approvals=approvals,
        source="新乡县公共资源交易分中心",
    )
    new += report.new_alerts
    return new
