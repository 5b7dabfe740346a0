"""读取 OCDS — stream compiled releases from JSON Lines, release packages or record packages, gzip or not."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import IO, Any, cast

import ijson
import orjson

GZIP_MAGIC = b"\x1f\x8b"
PEEK_LIMIT = 1 << 20  # a first line longer than this is read as a package, never loaded whole
MAX_REPORTED_ERRORS = 20


class Shape(StrEnum):
    JSON_LINES = "json-lines"
    RELEASE_PACKAGE = "release-package"
    RECORD_PACKAGE = "record-package"


class InputError(Exception):
    """The input cannot be used at all (missing, empty, not OCDS)."""


@dataclass
class ReadStats:
    """What the reader saw: counts and the first few problems, with line numbers."""

    shape: Shape = Shape.JSON_LINES
    gzip: bool = False
    items: int = 0  # lines (JSON Lines) or package entries
    releases: int = 0  # JSON objects handed on
    blank_lines: int = 0
    malformed: int = 0
    not_objects: int = 0
    records_without_compiled_release: int = 0
    errors: list[str] = field(default_factory=list)

    def problem(self, message: str) -> None:
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(message)


Progress = Callable[[int], None]


def open_binary(path: Path) -> tuple[IO[bytes], IO[bytes], bool]:
    """Open a file, transparently un-gzipping it; return (stream, raw file for progress, gzipped?)."""
    if not path.exists():
        raise InputError(f"输入文件不存在 (input file not found): {path}")
    if path.is_dir():
        raise InputError(f"输入路径是目录而不是文件 (input is a directory): {path}")
    raw = path.open("rb")
    magic = raw.read(2)
    raw.seek(0)
    if magic == GZIP_MAGIC:
        return cast(IO[bytes], gzip.GzipFile(fileobj=raw, mode="rb")), raw, True
    return raw, raw, False


def _loads(line: bytes) -> Any:
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError:
        # orjson refuses integers beyond 64 bits; the standard library accepts them (NaN/Infinity stay invalid).
        return json.loads(line, parse_constant=_reject_constant)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"invalid JSON constant {name}")


def detect_shape(stream: IO[bytes]) -> Shape:
    """Peek at the start of a seekable stream: a first line holding a release means JSON Lines."""
    head = stream.readline(PEEK_LIMIT)
    while head and not head.strip():
        head = stream.readline(PEEK_LIMIT)
    stream.seek(0)
    if not head.strip():
        raise InputError("输入文件为空 (input file is empty)")
    if head.endswith(b"\n") or len(head) < PEEK_LIMIT:
        try:
            value = _loads(head)
        except ValueError:
            value = None
        if isinstance(value, dict) and "ocid" in value:
            return Shape.JSON_LINES
    if not head.lstrip().startswith(b"{"):
        return Shape.JSON_LINES
    shape = _package_key(stream)
    stream.seek(0)
    return shape


def _package_key(stream: IO[bytes]) -> Shape:
    try:
        for prefix, event, value in ijson.parse(stream):
            if prefix == "" and event == "map_key":
                if value == "releases":
                    return Shape.RELEASE_PACKAGE
                if value == "records":
                    return Shape.RECORD_PACKAGE
    except ijson.JSONError:
        pass
    return Shape.JSON_LINES


def iter_json_lines(stream: IO[bytes], stats: ReadStats) -> Iterator[tuple[int, Any]]:
    """Yield (line number, parsed value) for every non-blank line; malformed lines are counted and skipped."""
    for number, line in enumerate(stream, start=1):
        stats.items += 1
        if not line.strip():
            stats.blank_lines += 1
            continue
        try:
            value = _loads(line)
        except ValueError as error:
            stats.malformed += 1
            stats.problem(f"第 {number} 行不是有效的 JSON，已跳过 (line {number} is invalid JSON, skipped): {error}")
            continue
        yield number, value


def iter_package(stream: IO[bytes], shape: Shape, stats: ReadStats) -> Iterator[tuple[int, Any]]:
    """Yield (1-based position, compiled release) from a release or record package, streamed with ijson."""
    prefix = "releases.item" if shape is Shape.RELEASE_PACKAGE else "records.item"
    try:
        for number, item in enumerate(ijson.items(stream, prefix, use_float=True), start=1):
            stats.items += 1
            if shape is Shape.RECORD_PACKAGE:
                compiled = item.get("compiledRelease") if isinstance(item, dict) else None
                if not isinstance(compiled, dict):
                    stats.records_without_compiled_release += 1
                    stats.problem(f"第 {number} 条记录没有 compiledRelease (record {number} has no compiledRelease)")
                    continue
                item = compiled
            yield number, item
    except (ijson.JSONError, ValueError) as error:
        stats.malformed += 1
        stats.problem(
            f"数据包在第 {stats.items + 1} 项处损坏，其后内容已忽略 (package broken after item {stats.items}): {error}"
        )


def iter_releases(
    path: Path, stats: ReadStats, progress: Progress | None = None
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield (line or position, release object) from any supported file; `progress` gets bytes read so far."""
    stream, raw, gzipped = open_binary(path)
    with raw, stream:
        stats.gzip = gzipped
        stats.shape = detect_shape(stream)
        source = (
            iter_json_lines(stream, stats)
            if stats.shape is Shape.JSON_LINES
            else iter_package(stream, stats.shape, stats)
        )
        for count, (number, value) in enumerate(source):
            if progress is not None and count % 4096 == 0:
                progress(raw.tell())
            if not isinstance(value, dict):
                stats.not_objects += 1
                stats.problem(f"第 {number} 项不是 JSON 对象，已跳过 (item {number} is not an object, skipped)")
                continue
            stats.releases += 1
            yield number, value
        if progress is not None:
            progress(raw.tell())
