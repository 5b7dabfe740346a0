"""并行读取 — JSON Lines parsed and flattened in worker processes, chunk by chunk, in input order."""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterator
from multiprocessing.pool import AsyncResult
from pathlib import Path
from typing import IO, Any

import polars as pl

from ggzy.supervision.ocds.check import check_release
from ggzy.supervision.ocds.reader import (
    READ_ERRORS,
    ReadStats,
    Shape,
    _loads,
    detect_shape,
    open_binary,
    truncated_message,
)
from ggzy.supervision.ocds.tables import TableBuilder

CHUNK_BYTES = 8 << 20
Frames = dict[str, pl.DataFrame]


def chunks(stream: IO[bytes], size: int) -> Iterator[tuple[int, bytes]]:
    """(first line number, whole lines) — a chunk never splits a line."""
    first, rest = 1, b""
    while True:
        block = stream.read(size)
        if not block:
            break
        data = rest + block
        cut = data.rfind(b"\n") + 1
        if cut == 0:
            rest = data
            continue
        yield first, data[:cut]
        first += data.count(b"\n", 0, cut)
        rest = data[cut:]
    if rest:
        yield first, rest


def flatten_chunk(first: int, blob: bytes) -> tuple[Frames, ReadStats]:
    """Parse and flatten one chunk of lines; `rid` is the line number, so order survives the workers."""
    builder = TableBuilder()
    stats = ReadStats()
    lines = blob.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    for number, line in enumerate(lines, start=first):
        stats.items += 1
        if not line.strip():
            stats.blank(number)
            continue
        try:
            value: Any = _loads(line)
        except ValueError as error:
            if number == first + len(lines) - 1 and not blob.endswith(b"\n"):
                stats.truncated = truncated_message(f"最后一行（第 {number} 行）被截断", number - 1, error)
                break
            stats.malformed += 1
            stats.problem(f"第 {number} 行不是有效的 JSON，已跳过 (line {number} is invalid JSON, skipped): {error}")
            continue
        if type(value) is not dict:
            stats.not_objects += 1
            stats.problem(f"第 {number} 项不是 JSON 对象，已跳过 (item {number} is not an object, skipped)")
            continue
        stats.releases += 1
        check_release(value, f"line {number}:", stats.schema)
        builder.add(number, number, value)
    return builder.frames(), stats


def merge(total: ReadStats, part: ReadStats) -> None:
    for name in ("items", "releases", "blank_lines", "malformed", "not_objects"):
        setattr(total, name, getattr(total, name) + getattr(part, name))
    for message in part.errors:
        total.problem(message)
    for number in part.blank_line_numbers:
        if len(total.blank_line_numbers) < len(part.blank_line_numbers) + 20:
            total.blank_line_numbers.append(number)
    del total.blank_line_numbers[20:]
    total.schema.merge(part.schema)
    total.truncated = total.truncated or part.truncated


def read_parallel(
    path: Path,
    stats: ReadStats,
    *,
    workers: int = 2,
    chunk_bytes: int = CHUNK_BYTES,
    progress: Callable[[int], None] | None = None,
) -> list[Frames] | None:
    """Flatten a JSON Lines file with `workers` processes; None when the file is a package (read it serially)."""
    stream, raw, gzipped = open_binary(path)
    with raw, stream:
        stats.gzip = gzipped
        stats.shape = detect_shape(stream)
        if stats.shape is not Shape.JSON_LINES:
            return None
        parts: list[Frames] = []
        pending: deque[AsyncResult[tuple[Frames, ReadStats]]] = deque()
        context = multiprocessing.get_context("spawn")  # fork is unsafe once Polars' threads run
        with context.Pool(workers) as pool:
            try:
                for first, blob in chunks(stream, chunk_bytes):
                    pending.append(pool.apply_async(flatten_chunk, (first, blob)))
                    if progress is not None:
                        progress(raw.tell())
                    while len(pending) > workers * 2:
                        _collect(pending.popleft(), parts, stats)
            except READ_ERRORS as error:
                stats.truncated = truncated_message("文件无法继续读取", stats.items, error)
            while pending:
                _collect(pending.popleft(), parts, stats)
        return parts


def _collect(job: AsyncResult[tuple[Frames, ReadStats]], parts: list[Frames], stats: ReadStats) -> None:
    frames, part = job.get()
    parts.append(frames)
    merge(stats, part)
