"""OCDS 导入 — release packages, record packages and JSON Lines of any size, streamed into the store of imported
data (docs/ocds.md "Import"): each release checked (ocds.check), kept as published, merged per ocid into its compiled
release (ocds.merge: ocdsmerge, as `ocdskit compile`); compiled releases kept as they come. What was read, kept,
refused and why is the import's report (terminal, `ocds_import.report`).

A release is refused — nothing of it stored — when it is not an object, has no string `ocid`, no `id`, no string
`date` (merging orders by it), repeats a stored release id with other content, or cannot be merged with the other
releases of its ocid (then every release this import brought for that ocid is taken out again); with `strict`, also
when it has any schema error. Otherwise schema errors are reported by JSON path and the release is used.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing.pool import AsyncResult
from pathlib import Path
from typing import IO, Any

import ijson
import orjson

from ggzy.core.clock import Clock
from ggzy.core.db import Database
from ggzy.core.ids import new_id
from ggzy.supervision.imports import store
from ggzy.supervision.imports.prepare import (
    Item,
    Prepared,
    _digest,
    _jsonl_kind,
    _package_object,
    _record_items,
    dumps,
    prepare,
    prepare_chunk,
)
from ggzy.supervision.models import ImportRun
from ggzy.supervision.ocds.check import Problems, check_extensions
from ggzy.supervision.ocds.merge import MergeFailed, compile_releases
from ggzy.supervision.ocds.parallel import chunks, merge
from ggzy.supervision.ocds.reader import (
    READ_ERRORS,
    ReadStats,
    Shape,
    _loads,
    detect_shape,
    open_binary,
    package_extensions,
    truncated_message,
)

BATCH = 5000
CHUNK_BYTES = 4 << 20
PARALLEL_MIN_BYTES = 32 << 20  # smaller files are read in this process: starting workers costs a second or two
MAX_LISTED = 20
Progress = Callable[[int], None]


@dataclass
class ImportReport:
    import_id: str = ""
    source: str = ""
    shape: str = ""
    read: int = 0
    releases_stored: int = 0
    compiled_stored: int = 0
    rejected: int = 0
    duplicates: int = 0
    out_of_order: int = 0
    older_compiled: int = 0
    records: int = 0
    rejections: list[str] = field(default_factory=list)
    merge_warnings: list[str] = field(default_factory=list)
    problems: Problems = field(default_factory=Problems)
    stats: ReadStats = field(default_factory=ReadStats)

    @property
    def truncated(self) -> str:
        return self.stats.truncated

    @property
    def stored(self) -> int:
        return self.releases_stored + self.compiled_stored

    def reject(self, where: str, reason: str, count: int = 1) -> None:
        self.rejected += count
        if len(self.rejections) < MAX_LISTED:
            self.rejections.append(f"{where}: {reason}")

    def lines(self) -> list[str]:
        s = self.stats
        out = [
            f"输入 input: {self.source} ({self.shape}{', gzip' if s.gzip else ''})",
            f"读取 read {self.read} 项 · 存入 stored: release {self.releases_stored}, compiled release "
            f"{self.compiled_stored} · 合并为记录 records {self.records} · 拒绝 rejected {self.rejected} · "
            f"重复 duplicates {self.duplicates} · 乱序 out of order {self.out_of_order}"
            + (
                f" · 旧于已存的 compiled release older than stored {self.older_compiled}" if self.older_compiled else ""
            ),
        ]
        if s.blank_lines:
            numbers = ", ".join(map(str, s.blank_line_numbers))
            out.append(f"空行 blank lines: {s.blank_lines}（第 {numbers} 行 lines）")
        if s.malformed:
            out.append(f"无法解析 unparseable: {s.malformed}")
        out += [f"  {m}" for m in s.errors if m != s.truncated]
        out += [f"拒绝 rejected — {r}" for r in self.rejections]
        if self.rejected > len(self.rejections):
            out.append(f"  …… 共拒绝 {self.rejected} 项 (rejected in all)")
        out += [f"合并警告 merge warning — {w}" for w in self.merge_warnings]
        out += self.problems.lines()
        if self.truncated:
            out.append(f"输入不完整 INPUT TRUNCATED — {self.truncated}；已读完的 {self.read} 项已处理，其余未读到")
        return out

    def as_json(self) -> dict[str, Any]:
        s = self.stats
        return {
            "source": self.source,
            "shape": self.shape,
            "read": self.read,
            "releases_stored": self.releases_stored,
            "compiled_stored": self.compiled_stored,
            "records": self.records,
            "rejected": self.rejected,
            "duplicates": self.duplicates,
            "out_of_order": self.out_of_order,
            "older_compiled": self.older_compiled,
            "rejections": self.rejections,
            "merge_warnings": self.merge_warnings,
            "blank_lines": s.blank_lines,
            "blank_line_numbers": s.blank_line_numbers,
            "unparseable": s.malformed,
            "truncated": s.truncated,
            "schema": self.problems.as_json(),
        }


def iter_items(path: Path, stats: ReadStats, progress: Progress | None = None) -> Iterator[Item]:
    stream, raw, gzipped = open_binary(path)
    with raw, stream:
        stats.gzip = gzipped
        stats.shape = detect_shape(stream)
        source = _lines(stream, stats) if stats.shape is Shape.JSON_LINES else _package(stream, stats)
        for count, item in enumerate(source):
            if progress is not None and count % 4096 == 0:
                progress(raw.tell())
            yield item
        if progress is not None:
            progress(raw.tell())


def _lines(stream: IO[bytes], stats: ReadStats) -> Iterator[Item]:
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
                stats.problem(f"第 {number} 行不是有效的 JSON (line {number} is invalid JSON): {str(error)[:100]}")
                continue
            if isinstance(value, dict) and ("releases" in value or "records" in value) and "ocid" not in value:
                yield from _package_object(value, f"line {number}:", stats)
                continue
            kind = _jsonl_kind(value) if isinstance(value, dict) else "compiled"
            yield Item(f"line {number}:", kind, value, line.strip())
    except READ_ERRORS as error:
        stats.truncated = truncated_message(f"第 {number + 1} 行处无法读取", number, error)


def _package(stream: IO[bytes], stats: ReadStats) -> Iterator[Item]:
    shape = stats.shape
    prefix = "releases.item" if shape is Shape.RELEASE_PACKAGE else "records.item"
    try:
        check_extensions(package_extensions(stream), stats.schema)
        for index, item in enumerate(ijson.items(stream, prefix, use_float=True)):
            stats.items += 1
            if shape is Shape.RELEASE_PACKAGE:
                yield Item(f"releases[{index}]", "release", item)
            else:
                yield from _record_items(item, f"records[{index}]")
    except (ijson.JSONError, ValueError, *READ_ERRORS) as error:
        stats.truncated = truncated_message(f"数据包在第 {stats.items + 1} 项处损坏或被截断", stats.items, error)


class _Importer:
    def __init__(self, db: Database, report: ImportReport, *, strict: bool, batch: int) -> None:
        self.db = db
        self.report = report
        self.strict = strict
        self.batch = batch
        self.releases: list[Prepared] = []
        self.compiled: list[Prepared] = []
        self.dirty: set[str] = set()

    def add(self, item: Item) -> None:
        self.accept(item.where, prepare(item, self.report.problems, strict=self.strict))

    def accept(self, where: str, prepared: Prepared | str) -> None:
        r = self.report
        r.read += 1
        if isinstance(prepared, str):
            r.reject(where, prepared)
            return
        (self.releases if prepared.kind == "release" else self.compiled).append(prepared)
        if len(self.releases) >= self.batch:
            self.flush_releases()
        if len(self.compiled) >= self.batch:
            self.flush_compiled()

    def flush_releases(self) -> None:
        batch, self.releases = self.releases, []
        if not batch:
            return
        r = self.report
        with self.db.unit_of_work() as s:
            known = store.stored_releases(s, (p.ocid for p in batch))
            latest: dict[str, str] = {}
            for (ocid, _rid), (_seen, date) in known.items():
                latest[ocid] = max(latest.get(ocid, ""), date)
            rows = []
            for p in batch:
                seen = known.get((p.ocid, p.rid))
                if seen is not None:
                    if seen[0] == p.digest:
                        r.duplicates += 1
                    else:
                        r.reject(
                            p.where,
                            f"release id {p.rid[:60]} 已存在且内容不同，保留已存的 (same release id, other content: "
                            "the stored one is kept)",
                        )
                    continue
                if p.date < latest.get(p.ocid, ""):
                    r.out_of_order += 1
                latest[p.ocid] = max(latest.get(p.ocid, ""), p.date)
                known[(p.ocid, p.rid)] = (p.digest, p.date)
                rows.append((p.ocid, p.rid[:255], p.date[:40], r.import_id, p.digest, p.text))
                self.dirty.add(p.ocid)
            store.insert_releases(s, rows)
            r.releases_stored += len(rows)

    def flush_compiled(self) -> None:
        batch, self.compiled = self.compiled, []
        if not batch:
            return
        r = self.report
        with self.db.unit_of_work() as s:
            known = store.stored_records(s, (p.ocid for p in batch))
            rows: dict[str, tuple[str, str, int, str, str, str, str]] = {}
            for p in batch:
                seen = known.get(p.ocid)
                if seen is not None:
                    if seen[0] == p.digest:
                        r.duplicates += 1
                        continue
                    if p.date < seen[1]:
                        r.older_compiled += 1
                        continue
                known[p.ocid] = (p.digest, p.date)
                rows[p.ocid] = (p.ocid, p.date[:40], 0, "compiled", r.import_id, p.digest, p.text)
            store.upsert_records(s, list(rows.values()))
            r.compiled_stored += len(rows)
            r.records += len(rows)

    def compile_dirty(self) -> None:
        r = self.report
        for part in store.chunks(sorted(self.dirty)):
            with self.db.unit_of_work() as s:
                found = store.releases_of(s, part)
                rows = []
                for ocid in part:
                    releases = [rel for _, rel in found[ocid]]
                    try:
                        compiled, warnings = compile_releases(releases)
                    except MergeFailed as error:
                        mine = sum(1 for imp, _ in found[ocid] if imp == r.import_id)
                        store.drop_releases(s, ocid, r.import_id)
                        r.releases_stored -= mine
                        r.reject(
                            f"ocid {ocid[:80]}", f"{mine} 个 release 无法合并，已撤回 (cannot be merged: {error})", mine
                        )
                        releases = [rel for imp, rel in found[ocid] if imp != r.import_id]
                        if not releases:
                            continue
                        compiled, warnings = compile_releases(releases)
                    for w in warnings:
                        if len(r.merge_warnings) < MAX_LISTED:
                            r.merge_warnings.append(f"{ocid[:80]}: {w}")
                    text = dumps(compiled)
                    date = str(compiled.get("date") or "")[:40]
                    rows.append((ocid, date, len(releases), "releases", r.import_id, _digest(text), text.decode()))
                store.upsert_records(s, rows)
                r.records += len(rows)


def import_ocds(
    db: Database,
    paths: list[Path],
    *,
    clock: Clock,
    strict: bool = False,
    batch: int = BATCH,
    progress: Progress | None = None,
    kind: str = "ocds",
    workers: int | None = None,
) -> ImportReport:
    """Import the files into the store; the report says what was kept and refused, by JSON path. JSON Lines files of
    at least PARALLEL_MIN_BYTES are parsed and checked by `workers` processes (default: one per core) while this one
    writes; packages are streamed here."""
    report = start(db, ", ".join(p.name for p in paths), kind=kind, clock=clock)
    importer = _Importer(db, report, strict=strict, batch=batch)
    shapes = []
    for path in paths:
        stats = ReadStats()
        if not _import_parallel(importer, path, stats, workers=workers, progress=progress):
            for item in iter_items(path, stats, progress):
                importer.add(item)
        shapes.append(str(stats.shape))
        _merge_stats(report.stats, stats)
        report.problems.merge(stats.schema)
        if stats.truncated:
            break
    report.shape = ", ".join(shapes)
    importer.flush_releases()
    importer.flush_compiled()
    importer.compile_dirty()
    finish(db, report, clock=clock)
    return report


def _import_parallel(
    importer: _Importer, path: Path, stats: ReadStats, *, workers: int | None, progress: Progress | None
) -> bool:
    """Import a large JSON Lines file with worker processes preparing chunks in order; False when not used."""
    size = path.stat().st_size if path.is_file() else 0
    count = workers if workers is not None else (os.cpu_count() or 1) if size >= PARALLEL_MIN_BYTES else 1
    if count <= 1:
        return False
    stream, raw, gzipped = open_binary(path)
    with raw, stream:
        stats.gzip = gzipped
        stats.shape = detect_shape(stream)
        if stats.shape is not Shape.JSON_LINES:
            return False
        pending: deque[AsyncResult[tuple[list[tuple[str, Prepared | str]], ReadStats]]] = deque()

        def collect() -> None:
            prepared, part = pending.popleft().get()
            for where, one in prepared:
                importer.accept(where, one)
            found, part.schema = part.schema, Problems()  # counted once: in the report, not again through `stats`
            merge(stats, part)
            importer.report.problems.merge(found)

        context = multiprocessing.get_context("spawn")
        with context.Pool(count) as pool:
            try:
                for first, blob in chunks(stream, CHUNK_BYTES):
                    pending.append(pool.apply_async(prepare_chunk, (first, blob, importer.strict)))
                    if progress is not None:
                        progress(raw.tell())
                    while len(pending) > count * 2:
                        collect()
            except READ_ERRORS as error:
                stats.truncated = truncated_message("文件无法继续读取", stats.items, error)
            while pending:
                collect()
    return True


def start(db: Database, source: str, *, kind: str, clock: Clock) -> ImportReport:
    """The import's row, written first (status `running`), so that an import that dies is seen as such."""
    report = ImportReport(import_id=new_id(), source=source[:500])
    with db.unit_of_work() as s:
        s.add(ImportRun(id=report.import_id, kind=kind, source=report.source, status="running", started_at=clock.now()))
    return report


def import_items(
    db: Database, items: Iterable[Item], *, source: str, kind: str, clock: Clock, strict: bool = False
) -> ImportReport:
    """Import releases or compiled releases made in memory (imports.china) through the same checks and store."""
    report = start(db, source, kind=kind, clock=clock)
    report.shape = kind
    importer = _Importer(db, report, strict=strict, batch=BATCH)
    for item in items:
        importer.add(item)
    importer.flush_releases()
    importer.flush_compiled()
    importer.compile_dirty()
    finish(db, report, clock=clock)
    return report


def _merge_stats(total: ReadStats, part: ReadStats) -> None:
    total.gzip = total.gzip or part.gzip
    total.items += part.items
    total.blank_lines += part.blank_lines
    total.blank_line_numbers = (total.blank_line_numbers + part.blank_line_numbers)[:MAX_LISTED]
    total.malformed += part.malformed
    for message in part.errors:
        total.problem(message)
    total.truncated = total.truncated or part.truncated


def finish(db: Database, report: ImportReport, *, clock: Clock) -> None:
    with db.unit_of_work() as s:
        run = s.get(ImportRun, report.import_id)
        assert run is not None
        run.status = "truncated" if report.truncated else "complete"
        run.finished_at = clock.now()
        run.read = report.read
        run.stored = report.stored
        run.rejected = report.rejected
        run.duplicates = report.duplicates
        run.records = report.records
        run.report = orjson.dumps(report.as_json()).decode()
