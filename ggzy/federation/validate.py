"""发布校验 — the checks a pushed OCDS release must pass before anything is stored: the shape OCDS 1.1 requires
(ocid, id, date, tag, initiationType), the fields the platform reads (tender, awards, contracts, parties, bids) with
the types and codelists of the standard, every error reported with its JSON path. Pure: no schema file is read at run
time (the release schema's rules that matter here are written down below, tests/federation checks them against it).
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Any

RELEASE_TAGS = frozenset(
    {
        "planning", "planningUpdate", "tender", "tenderAmendment", "tenderUpdate", "tenderCancellation", "award",
        "awardUpdate", "awardCancellation", "contract", "contractUpdate", "contractAmendment", "implementation",
        "implementationUpdate", "contractTermination", "compiled",
    }
)  # fmt: skip
TENDER_STATUS = frozenset({"planning", "planned", "active", "cancelled", "unsuccessful", "complete", "withdrawn"})
AWARD_STATUS = frozenset({"pending", "active", "cancelled", "unsuccessful"})
CONTRACT_STATUS = frozenset({"pending", "active", "cancelled", "terminated"})
METHODS = frozenset({"open", "selective", "limited", "direct"})
CATEGORIES = frozenset({"goods", "works", "services"})
BID_STATUS = frozenset({"invited", "pending", "valid", "disqualified", "withdrawn"})
CURRENCY = re.compile(r"^[A-Z]{3}$")
OCID = re.compile(r"^ocds-[a-z0-9]{6}-\S{1,100}$")
MAX_ERRORS = 100


class Errors:
    def __init__(self) -> None:
        self.items: list[tuple[str, str]] = []

    def add(self, path: str, message: str) -> None:
        if len(self.items) < MAX_ERRORS:
            self.items.append((path, message))

    def __bool__(self) -> bool:
        return bool(self.items)


def _date(v: Any) -> datetime | None:
    if not isinstance(v, str):
        return None
    try:
        d = datetime.fromisoformat(v.replace("Z", "+00:00"))
    except ValueError:
        return None
    return d if d.tzinfo is not None else None


def _str(e: Errors, obj: dict[str, Any], key: str, path: str, *, required: bool = False, max_len: int = 1000) -> None:
    v = obj.get(key)
    if v is None:
        if required:
            e.add(f"{path}/{key}", "缺少必填字段")
        return
    if not isinstance(v, str) or (required and not v.strip()):
        e.add(f"{path}/{key}", "应为非空字符串")
    elif len(v) > max_len:
        e.add(f"{path}/{key}", f"超过 {max_len} 个字符")


def _code(e: Errors, obj: dict[str, Any], key: str, path: str, allowed: frozenset[str]) -> None:
    v = obj.get(key)
    if v is not None and v not in allowed:
        e.add(f"{path}/{key}", f"不在代码表中：{str(v)[:40]}")


def _value(e: Errors, v: Any, path: str) -> None:
    if v is None:
        return
    if not isinstance(v, dict):
        e.add(path, "应为对象（amount, currency）")
        return
    amount = v.get("amount")
    if amount is not None and (isinstance(amount, bool) or not isinstance(amount, int | Decimal | float)):
        e.add(f"{path}/amount", "应为数字")
    elif isinstance(amount, Decimal) and not amount.is_finite():
        e.add(f"{path}/amount", "应为有限数字")
    cur = v.get("currency")
    if cur is not None and (not isinstance(cur, str) or not CURRENCY.match(cur)):
        e.add(f"{path}/currency", "应为 ISO 4217 币种代码")


def _objects(e: Errors, obj: dict[str, Any], key: str, path: str) -> list[tuple[str, dict[str, Any]]]:
    v = obj.get(key)
    if v is None:
        return []
    if not isinstance(v, list):
        e.add(f"{path}/{key}", "应为数组")
        return []
    out = []
    for i, item in enumerate(v):
        if not isinstance(item, dict):
            e.add(f"{path}/{key}/{i}", "应为对象")
        else:
            out.append((f"{path}/{key}/{i}", item))
    return out


def _org_ref(e: Errors, v: Any, path: str) -> None:
    if v is None:
        return
    if not isinstance(v, dict):
        e.add(path, "应为对象（id, name）")
        return
    _str(e, v, "id", path, max_len=200)
    _str(e, v, "name", path, max_len=300)


def release(e: Errors, r: Any, path: str) -> None:
    if not isinstance(r, dict):
        e.add(path, "发布应为对象")
        return
    _str(e, r, "ocid", path, required=True, max_len=120)
    if isinstance(r.get("ocid"), str) and not OCID.match(r["ocid"]):
        e.add(f"{path}/ocid", "ocid 应为 ocds-<6位前缀>-<编号>")
    _str(e, r, "id", path, required=True, max_len=160)
    if _date(r.get("date")) is None:
        e.add(f"{path}/date", "缺少或不是带时区的 ISO 8601 时间")
    tags = r.get("tag")
    if not isinstance(tags, list) or not tags:
        e.add(f"{path}/tag", "应为非空数组")
    else:
        for i, t in enumerate(tags):
            if t not in RELEASE_TAGS or t == "compiled":
                e.add(f"{path}/tag/{i}", f"不在发布标签代码表中：{str(t)[:40]}")
    if r.get("initiationType") != "tender":
        e.add(f"{path}/initiationType", "应为 tender")
    _org_ref(e, r.get("buyer"), f"{path}/buyer")
    for p, party in _objects(e, r, "parties", path):
        _str(e, party, "id", p, required=True, max_len=200)
        _str(e, party, "name", p, max_len=300)
        roles = party.get("roles")
        if roles is not None and (not isinstance(roles, list) or not all(isinstance(x, str) for x in roles)):
            e.add(f"{p}/roles", "应为字符串数组")
        ident = party.get("identifier")
        if ident is not None and not isinstance(ident, dict):
            e.add(f"{p}/identifier", "应为对象")
    tender = r.get("tender")
    if tender is not None:
        t_path = f"{path}/tender"
        if not isinstance(tender, dict):
            e.add(t_path, "应为对象")
        else:
            _str(e, tender, "id", t_path, required=True, max_len=160)
            _str(e, tender, "title", t_path, max_len=300)
            _code(e, tender, "status", t_path, TENDER_STATUS)
            _code(e, tender, "procurementMethod", t_path, METHODS)
            _code(e, tender, "mainProcurementCategory", t_path, CATEGORIES)
            _value(e, tender.get("value"), f"{t_path}/value")
            n = tender.get("numberOfTenderers")
            if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 0):
                e.add(f"{t_path}/numberOfTenderers", "应为非负整数")
            for p, item in _objects(e, tender, "items", t_path):
                _str(e, item, "id", p, required=True)
            for p, ref in _objects(e, tender, "tenderers", t_path):
                _org_ref(e, ref, p)
    bids = r.get("bids")
    if bids is not None:
        if not isinstance(bids, dict):
            e.add(f"{path}/bids", "应为对象（bids 扩展）")
        else:
            for p, d in _objects(e, bids, "details", f"{path}/bids"):
                _str(e, d, "id", p, required=True, max_len=160)
                _code(e, d, "status", p, BID_STATUS)
                _value(e, d.get("value"), f"{p}/value")
                for q, ref in _objects(e, d, "tenderers", p):
                    _org_ref(e, ref, q)
    for p, a in _objects(e, r, "awards", path):
        _str(e, a, "id", p, required=True, max_len=160)
        _code(e, a, "status", p, AWARD_STATUS)
        _value(e, a.get("value"), f"{p}/value")
        for q, ref in _objects(e, a, "suppliers", p):
            _org_ref(e, ref, q)
    for p, c in _objects(e, r, "contracts", path):
        _str(e, c, "id", p, required=True, max_len=160)
        _str(e, c, "awardID", p, required=True, max_len=160)
        _code(e, c, "status", p, CONTRACT_STATUS)
        _value(e, c.get("value"), f"{p}/value")


def package(body: Any, *, max_releases: int) -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
    """The releases of a release package, and the errors by JSON pointer (none: all may be stored)."""
    e = Errors()
    if not isinstance(body, dict) or not isinstance(body.get("releases"), list):
        e.add("", "应为 OCDS 发布包（含 releases 数组）")
        return [], e.items
    rels = body["releases"]
    if not rels:
        e.add("/releases", "发布包为空")
    if len(rels) > max_releases:
        e.add("/releases", f"一次最多推送 {max_releases} 个发布")
        return [], e.items
    seen: set[tuple[Any, Any]] = set()
    for i, r in enumerate(rels):
        release(e, r, f"/releases/{i}")
        if isinstance(r, dict):
            key = (r.get("ocid"), r.get("id"))
            if key in seen:
                e.add(f"/releases/{i}/id", "同一发布包中发布编号重复")
            seen.add(key)
    return rels, e.items


def released_at(r: dict[str, Any]) -> datetime:
    d = _date(r.get("date"))
    assert d is not None  # checked by release()
    return d
