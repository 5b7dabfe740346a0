"""准备 — one release or compiled release checked and made ready to store, with no database: what the import's
worker processes run on chunks of a large JSON Lines file (ocds.py writes what they prepared)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import orjson

from ggzy.supervision.ocds.check import Problems, check_extensions, check_release
from ggzy.supervision.ocds.reader import ReadStats, _loads, truncated_message


@dataclass
class Item:
    where: str  # releases[3], records[0].releases[2], line 12:
    kind: str  # release | compiled
    value: Any
    raw: bytes | None = None  # the JSON text as read (a JSON Lines line): stored as it came, not written again


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal) and value.is_finite():  # exact digits as a JSON number (as exchange.ocds.dumps)
        return orjson.Fragment(str(value).encode())
    raise TypeError(f"cannot write a {type(value).__name__} as JSON")


def dumps(value: Any, *, sort: bool = False) -> bytes:
    return orjson.dumps(value, default=_json_default, option=orjson.OPT_SORT_KEYS if sort else 0)


def _digest(text: bytes) -> str:
    return hashlib.sha256(text).hexdigest()


def _jsonl_kind(value: dict[str, Any]) -> str:
    """A JSON Lines line is a compiled release (Cardinal's and ocdskit's bulk form) unless its `tag` says it is a
    release (the platform's own bulk files hold releases)."""
    tag = value.get("tag")
    if isinstance(tag, list) and tag and "compiled" not in tag:
        return "release"
    return "compiled"


@dataclass(slots=True)
class Prepared:
    """A release or compiled release checked and ready to store (made where it was parsed: in a worker for large
    JSON Lines files)."""

    where: str
    kind: str
    ocid: str
    rid: str
    date: str
    digest: str
    text: str  # the JSON text to store
    errors: int


def prepare(item: Item, problems: Problems, *, strict: bool) -> Prepared | str:
    """Check one item; the prepared row, or why it is refused."""
    value = item.value
    if not isinstance(value, dict):
        return f"不是 JSON 对象 (not an object: {type(value).__name__})"
    errors = check_release(value, item.where, problems)
    ocid = value.get("ocid")
    if not isinstance(ocid, str) or not ocid.strip():
        return "缺少字符串 ocid (no string ocid)"
    if len(ocid) > 255:
        return "ocid 超过 255 个字符 (ocid longer than 255 characters)"
    stated = value.get("date")
    date = stated if isinstance(stated, str) else ""
    rid: str = ""
    if item.kind == "release":
        release_id = value.get("id")
        if not isinstance(release_id, str | int) or isinstance(release_id, bool) or str(release_id) == "":
            return "缺少 release id (no release id)"
        if not date:
            return "缺少字符串 date，无法按时间合并 (no string date: cannot be merged in order)"
        rid = str(release_id)
    if strict and errors:
        return f"有 {errors} 处模式错误（--strict）(schema errors, strict)"
    text = item.raw if item.raw is not None else dumps(value)
    digest = _digest(dumps(value, sort=True)) if item.kind == "release" else _digest(text)
    return Prepared(item.where, item.kind, ocid, rid, date, digest, text.decode(), errors)


def prepare_chunk(first: int, blob: bytes, strict: bool) -> tuple[list[tuple[str, Prepared | str]], ReadStats]:
    """Parse and prepare whole lines of a JSON Lines file (a worker's job); `first` is the first line's number."""
    stats = ReadStats()
    out: list[tuple[str, Prepared | str]] = []
    lines = blob.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    last = first + len(lines) - 1
    for number, line in enumerate(lines, start=first):
        stats.items += 1
        if not line.strip():
            stats.blank(number)
            continue
        try:
            value = _loads(line)
        except ValueError as error:
            if number == last and not blob.endswith(b"\n"):
                stats.truncated = truncated_message(f"最后一行（第 {number} 行）被截断", number - 1, error)
                break
            stats.malformed += 1
            stats.problem(f"第 {number} 行不是有效的 JSON (line {number} is invalid JSON): {str(error)[:100]}")
            continue
        if isinstance(value, dict) and ("releases" in value or "records" in value) and "ocid" not in value:
            for item in _package_object(value, f"line {number}:", stats):
                out.append((item.where, prepare(item, stats.schema, strict=strict)))
            continue
        kind = _jsonl_kind(value) if isinstance(value, dict) else "compiled"
        item = Item(f"line {number}:", kind, value, line.strip())
        out.append((item.where, prepare(item, stats.schema, strict=strict)))
    return out, stats


def _record_items(record: Any, where: str) -> Iterator[Item]:
    if not isinstance(record, dict):
        yield Item(where, "release", record)
        return
    releases = record.get("releases")
    embedded = (
        [r for r in releases if isinstance(r, dict) and "date" in r and "id" in r] if isinstance(releases, list) else []
    )
    if embedded:
        for index, release in enumerate(releases or []):
            if isinstance(release, dict) and "id" in release:
                yield Item(f"{where}.releases[{index}]", "release", release)
        return
    compiled = record.get("compiledRelease")
    yield Item(f"{where}.compiledRelease", "compiled", compiled)


def _package_object(package: dict[str, Any], where: str, stats: ReadStats) -> Iterator[Item]:
    check_extensions(package.get("extensions"), stats.schema)
    for index, release in enumerate(package.get("releases") or []):
        yield Item(f"{where}releases[{index}]", "release", release)
    for index, record in enumerate(package.get("records") or []):
        yield from _record_items(record, f"{where}records[{index}]")
