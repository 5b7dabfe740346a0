"""读取 OCDS — stream compiled releases from JSON Lines, release packages or record packages, gzip or not."""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import IO, Any, cast

import ijson
import orjson

from ggzy.supervision.ocds.check import Problems, check_extensions

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
    blank_line_numbers: list[int] = field(default_factory=list)  # the first few
    truncated: str = ""  # why the input stopped before its end (cut, corrupt gzip, broken package): not usable whole
    schema: Problems = field(default_factory=Problems)  # schema problems by JSON path (ocds.check)

    def blank(self, number: int) -> None:
        self.blank_lines += 1
        if len(self.blank_line_numbers) < MAX_REPORTED_ERRORS:
            self.blank_line_numbers.append(number)

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


READ_ERRORS = (EOFError, OSError, zlib.error)  # a gzip stream cut or corrupt, a file that cannot be read


def truncated_message(what: str, items: int, error: BaseException) -> str:
    detail = (str(error).strip().splitlines() or [""])[0][:200]
    return f"输入在读完 {items} 项后中断：{what} (input broken after {items} items: {type(error).__name__}: {detail})"


def iter_json_lines(stream: IO[bytes], stats: ReadStats) -> Iterator[tuple[int, Any]]:
    """Yield (line number, parsed value) for every non-blank line; malformed lines are counted and skipped; a last
    line that is cut (no newline, not JSON) or an unreadable stream marks the input truncated."""
    number = 0
    try:
        for number, line in enumerate(stream, start=1):
            stats.items += 1
            if not line.strip():
                stats.blank(number)
                continue
            try:
                value = _loads(line)
            except ValueError as error:
                if not line.endswith(b"\n"):
                    stats.truncated = truncated_message(f"最后一行（第 {number} 行）被截断", number - 1, error)
                    return
                stats.malformed += 1
                stats.problem(
                    f"第 {number} 行不是有效的 JSON，已跳过 (line {number} is invalid JSON, skipped): {error}"
                )
                continue
            yield number, value
    except READ_ERRORS as error:
        stats.truncated = truncated_message(f"第 {number + 1} 行处无法读取", number, error)


def iter_package(stream: IO[bytes], shape: Shape, stats: ReadStats) -> Iterator[tuple[int, Any]]:
    """Yield (1-based position, compiled release) from a release or record package, streamed with ijson."""
    prefix = "releases.item" if shape is Shape.RELEASE_PACKAGE else "records.item"
    try:
        check_extensions(package_extensions(stream), stats.schema)
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
    except (ijson.JSONError, ValueError, *READ_ERRORS) as error:
        stats.malformed += 1
        stats.truncated = truncated_message(f"数据包在第 {stats.items + 1} 项处损坏或被截断", stats.items, error)
        stats.problem(stats.truncated)


def package_extensions(stream: IO[bytes]) -> list[Any]:
    """The package's `extensions`, read from its start up to `releases`/`records` (then the stream is rewound)."""
    found: list[Any] = []
    try:
        for prefix, event, value in ijson.parse(stream):
            if prefix == "extensions.item" and event in ("string", "number"):
                found.append(value)
            elif prefix == "" and event == "map_key" and value in ("releases", "records"):
                break
    except (ijson.JSONError, ValueError, *READ_ERRORS):
        pass
    stream.seek(0)
    return found


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
