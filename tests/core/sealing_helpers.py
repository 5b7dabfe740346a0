"""Shared helpers for the envelope tests: a key, a context, and a sealer of arbitrary (even dishonest) plaintext."""

from __future__ import annotations

import io
from typing import Any, BinaryIO

from ggzy.sealing import BidFile, OpeningKey, SealContext, generate_opening_key, p256, seal
from ggzy.sealing import envelope as sealing
from ggzy.sealing.header import encode_header, parse_header
from ggzy.sealing.stream_aead import SegmentWriter

SEG = 64
CTX = SealContext("XX-2026-0042-01", "91410700MA44AB1C2D", 3)
FORM = {"price": "1234567.89", "currency": "CNY", "duration_days": 180}
KEY: OpeningKey = generate_opening_key()


def sealed(
    files: dict[str, bytes], *, ctx: SealContext = CTX, key: OpeningKey = KEY, seg: int = SEG, **kw: Any
) -> bytes:
    out = io.BytesIO()
    seal(key.public, ctx, kw.pop("form", FORM), [BidFile(n, b) for n, b in files.items()], out, segment_size=seg, **kw)
    return out.getvalue()


def seal_plaintext(plaintext: bytes, *, ctx: SealContext = CTX, key: OpeningKey = KEY, seg: int = SEG) -> bytes:
    """An envelope around any plaintext container: what a buggy or hostile bidder client could produce."""
    eph, eph_public = p256.ephemeral()
    raw = encode_header(segment_size=seg, ephemeral_public=eph_public, recipient_key_id=key.key_id, context=ctx)
    header = parse_header(raw)
    out = io.BytesIO(raw)
    out.seek(0, io.SEEK_END)
    k, nonce = sealing._schedule(p256.ecdh(eph, p256.load_public(key.public)), header)
    writer = SegmentWriter(k, nonce, header.digest, seg, out.write)
    writer.write(plaintext)
    writer.close()
    return out.getvalue()


def segments(envelope: bytes, seg: int = SEG) -> tuple[bytes, list[bytes]]:
    """Split an envelope into its header and its sealed segments."""
    size = sealing.read_header(io.BytesIO(envelope)).size
    body = envelope[size:]
    step = seg + 16
    return envelope[:size], [body[i : i + step] for i in range(0, len(body), step)]


class CountingStream(io.RawIOBase):
    """A readable stream that records every read size and the furthest position read."""

    def __init__(self, data: bytes | None = None, *, endless: bool = False) -> None:
        self._data = data or b""
        self._pos = 0
        self._endless = endless
        self.reads: list[int] = []

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        self.reads.append(n)
        if self._pos < len(self._data):
            chunk = self._data[self._pos : self._pos + n]
        else:
            chunk = b"\x00" * n if self._endless else b""
        self._pos += len(chunk)
        return chunk

    @property
    def position(self) -> int:
        return self._pos


def as_stream(data: bytes) -> BinaryIO:
    return io.BytesIO(data)
