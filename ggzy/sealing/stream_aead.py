"""分段认证加密 — AES-256-GCM over fixed-size segments, the STREAM construction (nonce and AAD carry
the segment index and a last-segment flag, so reordering, truncation and extension are all detected).

Segment i (from 0) is `AES-256-GCM(key, nonce_i, plaintext_i, aad_i)` with
`nonce_i = base_nonce XOR I2OSP(i, 12)` and `aad_i = header_digest || I2OSP(i, 8) || last_flag`.
Every segment holds exactly `segment_size` plaintext bytes except the last, which holds 1..segment_size;
a stream with no plaintext at all is one empty last segment.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ggzy.sealing.errors import Tampered, TooLarge
from ggzy.sealing.sensitive import Sensitive

TAG_LEN = 16
NONCE_LEN = 12
KEY_LEN = 32


def segment_nonce(base_nonce: bytes, index: int) -> bytes:
    return (int.from_bytes(base_nonce, "big") ^ index).to_bytes(NONCE_LEN, "big")


def segment_aad(header_digest: bytes, index: int, last: bool) -> bytes:
    return header_digest + index.to_bytes(8, "big") + (b"\x01" if last else b"\x00")


class SegmentWriter:
    """Buffers plaintext and writes sealed segments; the last full segment is held back until more comes."""

    def __init__(
        self, key: Sensitive, base_nonce: bytes, header_digest: bytes, segment_size: int, sink: Callable[[bytes], None]
    ) -> None:
        self._aead = AESGCM(key.buffer)
        self._nonce = base_nonce
        self._aad = header_digest
        self._size = segment_size
        self._sink = sink
        self._buf = bytearray()
        self._index = 0
        self._closed = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if self._closed:
            raise ValueError("segment writer is closed")
        self._buf += data
        while len(self._buf) > self._size:  # strictly more: a full segment may still turn out to be the last
            self._emit(bytes(self._buf[: self._size]), last=False)
            del self._buf[: self._size]

    def close(self) -> None:
        if not self._closed:
            self._emit(bytes(self._buf), last=True)
            self._buf.clear()
            self._closed = True

    def _emit(self, plain: bytes, *, last: bool) -> None:
        nonce = segment_nonce(self._nonce, self._index)
        self._sink(self._aead.encrypt(nonce, plain, segment_aad(self._aad, self._index, last)))
        self._index += 1


class SegmentReader:
    """Yields the plaintext of each segment in order, reading one segment ahead to know which is last.

    At most two sealed segments are held in memory; `budget` bounds the bytes read from `stream`.
    """

    def __init__(
        self,
        key: Sensitive,
        base_nonce: bytes,
        header_digest: bytes,
        segment_size: int,
        stream: BinaryIO,
        *,
        budget: int,
        on_read: Callable[[bytes], None],
    ) -> None:
        self._aead = AESGCM(key.buffer)
        self._nonce = base_nonce
        self._aad = header_digest
        self._sealed_size = segment_size + TAG_LEN
        self._stream = stream
        self._budget = budget
        self._on_read = on_read

    def __iter__(self) -> Iterator[bytes]:
        current = self._next_sealed()
        if not current:
            raise Tampered(reason="no-segments")
        index = 0
        while current:
            ahead = self._next_sealed() if len(current) == self._sealed_size else b""
            last = not ahead
            if len(current) <= TAG_LEN and not (last and index == 0 and len(current) == TAG_LEN):
                raise Tampered(reason="short-segment", segment=index)
            yield self._open(current, index, last)
            current, index = ahead, index + 1

    def _open(self, sealed: bytes, index: int, last: bool) -> bytes:
        try:
            return self._aead.decrypt(segment_nonce(self._nonce, index), sealed, segment_aad(self._aad, index, last))
        except InvalidTag:
            raise Tampered(reason="authentication", segment=index) from None

    def _next_sealed(self) -> bytes:
        want = min(self._sealed_size, self._budget + 1)
        data = read_up_to(self._stream, want)
        if len(data) > self._budget:
            raise TooLarge("超过调用方设定的上限")
        self._budget -= len(data)
        if data:
            self._on_read(data)
        return data


def read_up_to(stream: BinaryIO, n: int) -> bytes:
    """Read exactly `n` bytes, or fewer only at the end of the stream (raw streams may return short reads)."""
    parts: list[bytes] = []
    left = n
    while left > 0:
        chunk = stream.read(left)
        if not chunk:
            break
        parts.append(chunk)
        left -= len(chunk)
    return b"".join(parts)
