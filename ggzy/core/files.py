"""文件存储 — files on disk under server-generated names, written by streaming, with their SHA-256.

Names never come from users (no traversal); a file is written to a temporary name and renamed
into place only when complete, so a failed upload leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ggzy.core.errors import DomainError
from ggzy.core.ids import new_id


class TooLarge(DomainError):
    status = 413
    code = "too-large"
    title = "文件过大"


@dataclass(frozen=True)
class Stored:
    path: str  # relative to the store's root
    size: int
    sha256: str


class FileStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _new(self, area: str) -> tuple[Path, str]:
        rel = f"{area}/{new_id()}"
        full = self.root / rel
        full.parent.mkdir(parents=True, exist_ok=True)
        return full, rel

    def save(self, area: str, chunks: Iterable[bytes], *, max_bytes: int) -> Stored:
        full, rel = self._new(area)
        tmp = full.with_suffix(".part")
        h, size = hashlib.sha256(), 0
        try:
            with open(tmp, "wb") as f:
                for chunk in chunks:
                    size += len(chunk)
                    if size > max_bytes:
                        raise TooLarge(f"文件超过上限 {max_bytes // 1_048_576} MB", limit=max_bytes)
                    h.update(chunk)
                    f.write(chunk)
            os.replace(tmp, full)
        finally:
            tmp.unlink(missing_ok=True)
        return Stored(rel, size, h.hexdigest())

    async def save_async(self, area: str, chunks: AsyncIterator[bytes], *, max_bytes: int) -> Stored:
        full, rel = self._new(area)
        tmp = full.with_suffix(".part")
        h, size = hashlib.sha256(), 0
        try:
            with open(tmp, "wb") as f:
                async for chunk in chunks:
                    size += len(chunk)
                    if size > max_bytes:
                        raise TooLarge(f"文件超过上限 {max_bytes // 1_048_576} MB", limit=max_bytes)
                    h.update(chunk)
                    f.write(chunk)
            os.replace(tmp, full)
        finally:
            tmp.unlink(missing_ok=True)
        return Stored(rel, size, h.hexdigest())

    def sweep_partials(self, *, older_than: float, now: float | None = None) -> int:
        """Remove the `.part` files a killed server left behind; returns how many.

        Only files not written for `older_than` seconds go, so an upload still streaming on another node
        that shares the store is left alone (it writes every few milliseconds).
        """
        if not self.root.is_dir():
            return 0
        cutoff = (time.time() if now is None else now) - older_than  # file ages are wall-clock, not the Clock
        removed = 0
        for part in self.root.rglob("*.part"):
            try:
                if part.is_file() and part.stat().st_mtime <= cutoff:
                    part.unlink()
                    removed += 1
            except FileNotFoundError:  # finished or removed meanwhile
                continue
        return removed

    def path(self, rel: str) -> Path:
        full = (self.root / rel).resolve()
        if not str(full).startswith(str(self.root.resolve()) + os.sep):
            raise ValueError("path outside the store")
        return full

    def read(self, rel: str, chunk: int = 1 << 20) -> Iterator[bytes]:
        with open(self.path(rel), "rb") as f:
            while block := f.read(chunk):
                yield block

    def delete(self, rel: str) -> None:
        self.path(rel).unlink(missing_ok=True)
