"""密封投标文件的明文容器 — the manifest (price form, file list, supervision metadata) and the file bytes after it.

Plaintext inside the envelope: `I2OSP(len(manifest), 4) || manifest || file_1 || file_2 || ...`, where
`manifest` is canonical JSON (`ggzy.core.canonical`):

    {"files": [{"name": ..., "sha256": <hex>, "size": <int>}, ...], "form": {...},
     "format": "ggzy-bid-manifest/1", "supervision": {...}}
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

from ggzy.core import canonical
from ggzy.sealing.errors import Malformed, SealingFailed

MANIFEST_FORMAT = "ggzy-bid-manifest/1"
MAX_MANIFEST = 1024 * 1024
MAX_FILES = 1000
MAX_NAME_BYTES = 255
_HEX64 = re.compile(r"[0-9a-f]{64}")
_FORBIDDEN_IN_NAMES = re.compile(r"[\x00-\x1f\x7f/\\]")


@dataclass(frozen=True)
class FileEntry:
    name: str
    size: int
    sha256: str


def check_file_name(name: object) -> str:
    """A plain file name: no directories, no control characters, not `.` or `..`, at most 255 UTF-8 bytes."""
    if not isinstance(name, str) or not name or name in {".", ".."}:
        raise ValueError("file name is empty or a directory reference")
    if _FORBIDDEN_IN_NAMES.search(name) or name != name.strip():
        raise ValueError("file name holds a path separator, a control character or surrounding spaces")
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        raise ValueError(f"file name is longer than {MAX_NAME_BYTES} bytes")
    return name


def build_manifest(form: Mapping[str, Any], files: Sequence[FileEntry], supervision: Mapping[str, Any] | None) -> bytes:
    if len(files) > MAX_FILES:
        raise SealingFailed(f"文件数超过 {MAX_FILES} 个")
    names = [f.name for f in files]
    if len(set(names)) != len(names):
        raise SealingFailed("文件名重复")
    doc = {
        "format": MANIFEST_FORMAT,
        "form": dict(form),
        "files": [{"name": f.name, "size": f.size, "sha256": f.sha256} for f in files],
        "supervision": dict(supervision or {}),
    }
    try:
        raw = canonical.dumpb(doc)
    except (TypeError, ValueError) as exc:
        raise SealingFailed("报价表或监管信息含有无法编码的值（不允许浮点数，请用字符串表示金额）") from exc
    if len(raw) > MAX_MANIFEST:
        raise SealingFailed("清单过大")
    return raw


def parse_manifest(raw: bytes) -> tuple[dict[str, Any], list[FileEntry]]:
    """Strict JSON (no duplicate keys, floats, NaN) and the shape above; every failure is `Malformed`."""
    try:
        doc = json.loads(
            raw.decode("utf-8"), object_pairs_hook=_no_duplicates, parse_float=_refuse, parse_constant=_refuse
        )
    except (ValueError, RecursionError):
        raise Malformed("清单不是有效的 JSON", reason="manifest-json") from None
    if not isinstance(doc, dict) or doc.get("format") != MANIFEST_FORMAT:
        raise Malformed("清单格式不符", reason="manifest-format")
    if set(doc) != {"format", "form", "files", "supervision"}:
        raise Malformed("清单字段不符", reason="manifest-fields")
    if not isinstance(doc["form"], dict) or not isinstance(doc["supervision"], dict):
        raise Malformed("报价表或监管信息不是对象", reason="manifest-fields")
    files = doc["files"]
    if not isinstance(files, list) or len(files) > MAX_FILES:
        raise Malformed("文件列表无效", reason="manifest-files")
    entries = [_entry(f) for f in files]
    if len({e.name for e in entries}) != len(entries):
        raise Malformed("文件名重复", reason="manifest-files")
    return doc, entries


def _entry(item: object) -> FileEntry:
    if not isinstance(item, dict) or set(item) != {"name", "size", "sha256"}:
        raise Malformed("文件条目字段不符", reason="manifest-files")
    size, digest = item["size"], item["sha256"]
    try:
        name = check_file_name(item["name"])
    except ValueError:
        raise Malformed("文件名无效", reason="manifest-files") from None
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        raise Malformed("文件大小无效", reason="manifest-files")
    if not isinstance(digest, str) or not _HEX64.fullmatch(digest):
        raise Malformed("文件摘要无效", reason="manifest-files")
    return FileEntry(name, size, digest)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise ValueError("duplicate key")
        out[k] = v
    return out


def _refuse(_value: str) -> NoReturn:
    raise ValueError("floats and non-finite numbers are not allowed")


class PlainReader:
    """Reads the plaintext container from decrypted segments without holding more than one segment."""

    def __init__(self, segments: Iterator[bytes]) -> None:
        self._segments = segments
        self._buf = b""
        self._pos = 0

    def read_exact(self, n: int) -> bytes:
        parts = list(self.chunks(n))
        data = b"".join(parts)
        if len(data) != n:
            raise Malformed("明文提前结束", reason="short-plaintext")
        return data

    def chunks(self, n: int) -> Iterator[bytes]:
        """Yield the next `n` plaintext bytes as they are decrypted; stops early only at the end of the stream."""
        while n > 0:
            if self._pos == len(self._buf):
                nxt = next(self._segments, None)
                if nxt is None:
                    return
                self._buf, self._pos = nxt, 0
                continue
            take = min(n, len(self._buf) - self._pos)
            yield self._buf[self._pos : self._pos + take]
            self._pos += take
            n -= take

    def ensure_end(self) -> None:
        """Nothing may follow the last file; draining the segments also proves the last one was marked last."""
        if self._pos != len(self._buf) or next(self._segments, None) is not None:
            raise Malformed("文件之后还有多余的数据", reason="trailing-plaintext")
