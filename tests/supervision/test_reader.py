"""Reading OCDS: JSON Lines, release packages, record packages, gzip, malformed lines and empty files."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from ggzy.supervision.analyze.pipeline import read_tables
from ggzy.supervision.ocds.reader import InputError, ReadStats, Shape, iter_releases

RELEASES = [{"ocid": "A", "tender": {"numberOfTenderers": 1}}, {"ocid": "B", "bids": {"details": []}}]


def write(path: Path, text: str, *, zipped: bool = False) -> Path:
    data = text.encode()
    path.write_bytes(gzip.compress(data) if zipped else data)
    return path


def read(path: Path) -> tuple[list[str], ReadStats]:
    stats = ReadStats()
    ocids = [release["ocid"] for _, release in iter_releases(path, stats)]
    return ocids, stats


def test_json_lines_are_read_line_by_line(tmp_path: Path) -> None:
    ocids, stats = read(write(tmp_path / "r.jsonl", "\n".join(json.dumps(r) for r in RELEASES) + "\n"))
    assert ocids == ["A", "B"]
    assert stats.shape is Shape.JSON_LINES


def test_gzip_is_detected_by_its_magic_bytes_not_its_name(tmp_path: Path) -> None:
    ocids, stats = read(write(tmp_path / "r.jsonl", "\n".join(json.dumps(r) for r in RELEASES), zipped=True))
    assert ocids == ["A", "B"]
    assert stats.gzip


def test_a_pretty_printed_release_package_is_streamed(tmp_path: Path) -> None:
    package = {"uri": "x", "version": "1.1", "releases": RELEASES}
    ocids, stats = read(write(tmp_path / "p.json", json.dumps(package, indent=2)))
    assert ocids == ["A", "B"]
    assert stats.shape is Shape.RELEASE_PACKAGE


def test_a_one_line_gzipped_release_package_is_streamed(tmp_path: Path) -> None:
    package = {"releases": RELEASES, "publisher": {"name": "p"}}
    ocids, stats = read(write(tmp_path / "p.json.gz", json.dumps(package), zipped=True))
    assert ocids == ["A", "B"]
    assert stats.shape is Shape.RELEASE_PACKAGE


def test_record_packages_yield_compiled_releases_and_count_records_without_one(tmp_path: Path) -> None:
    records = [{"ocid": r["ocid"], "compiledRelease": r} for r in RELEASES] + [{"ocid": "C", "releases": []}]
    ocids, stats = read(write(tmp_path / "rec.json", json.dumps({"records": records}, indent=1)))
    assert ocids == ["A", "B"]
    assert stats.shape is Shape.RECORD_PACKAGE
    assert stats.records_without_compiled_release == 1


def test_malformed_lines_are_reported_with_their_number_and_skipped(tmp_path: Path) -> None:
    text = '{"ocid": "A"}\n{"ocid": \n\n[1, 2]\n{"ocid": "B"}\n'
    ocids, stats = read(write(tmp_path / "bad.jsonl", text))
    assert ocids == ["A", "B"]
    assert stats.malformed == 1
    assert stats.not_objects == 1
    assert stats.blank_lines == 1
    assert any("第 2 行" in e and "line 2" in e for e in stats.errors)


def test_integers_beyond_64_bits_still_parse(tmp_path: Path) -> None:
    ocids, stats = read(write(tmp_path / "big.jsonl", '{"ocid": "A", "x": 123456789012345678901234567890}\n'))
    assert ocids == ["A"]
    assert stats.malformed == 0


def test_an_empty_file_is_unusable_input(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="empty"):
        read(write(tmp_path / "empty.jsonl", "\n  \n"))


def test_a_missing_file_is_unusable_input(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        read(tmp_path / "nothing.jsonl")


def test_tables_keep_release_order_and_typed_columns_across_batches(tmp_path: Path) -> None:
    lines = [
        json.dumps({"ocid": str(i), "bids": {"details": [{"status": "valid", "value": {"amount": i}}]}})
        for i in range(7)
    ]
    tables, stats = read_tables(write(tmp_path / "r.jsonl", "\n".join(lines)), progress=False, batch=3)
    assert tables.processes["ocid"].to_list() == [str(i) for i in range(7)]
    assert tables.bids["amount"].to_list() == [float(i) for i in range(7)]
    assert stats.releases == 7


def test_worker_processes_read_chunks_in_order_with_line_numbers(tmp_path: Path) -> None:
    from ggzy.supervision.ocds.parallel import read_parallel
    from ggzy.supervision.ocds.tables import Tables

    lines = [json.dumps({"ocid": f"r{i}", "bids": {"details": [{"status": "valid"}]}}) for i in range(40)]
    lines[5] = "{broken"
    source = write(tmp_path / "r.jsonl", "\n".join(lines) + "\n")
    stats = ReadStats()
    parts = read_parallel(source, stats, workers=2, chunk_bytes=200)
    assert parts is not None and len(parts) > 4
    tables = Tables.concat(parts)
    assert tables.processes["ocid"].to_list() == [f"r{i}" for i in range(40) if i != 5]
    assert tables.processes["rid"].to_list() == [i + 1 for i in range(40) if i != 5]
    assert tables.bids.height == 39
    assert stats.malformed == 1 and "line 6" in stats.errors[0]


def test_worker_processes_leave_packages_to_the_streaming_reader(tmp_path: Path) -> None:
    from ggzy.supervision.ocds.parallel import read_parallel

    source = write(tmp_path / "p.json", json.dumps({"releases": RELEASES}, indent=2))
    assert read_parallel(source, ReadStats(), workers=2) is None


def test_chunks_never_split_a_line() -> None:
    import io

    from ggzy.supervision.ocds.parallel import chunks

    text = b"aaaa\nbb\ncccccc\nd"
    found = list(chunks(io.BytesIO(text), 3))
    assert b"".join(blob for _, blob in found) == text
    assert all(blob.endswith(b"\n") for _, blob in found[:-1])
    assert [first for first, _ in found] == [1, 2, 3, 4]
