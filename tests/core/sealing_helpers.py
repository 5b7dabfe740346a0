"""Shared helpers for the envelope tests: three holders, a context, a sealer of any (even dishonest) plaintext."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any, BinaryIO

from ggzy import sealing
from ggzy.sealing import BidFile, Recipient, SealContext, p256, seal
from ggzy.sealing import envelope as envelope_mod
from ggzy.sealing.sensitive import Sensitive
from ggzy.sealing.stream_aead import SegmentWriter

SEG = 64
CTX = SealContext("XX-2026-0042-01", "91410700MA44AB1C2D", 3)
FORM = {"price": "1234567.89", "currency": "CNY", "duration_days": 180}
DEADLINE = 1_798_761_600  # 2027-01-01T00:00:00Z
HOLDERS: list[p256.KeyPair] = [p256.generate() for _ in range(3)]
RECIPIENTS = [Recipient(i + 1, h.public) for i, h in enumerate(HOLDERS)]
EXPECTED = [(r.index, r.key_id) for r in RECIPIENTS]


def sealed(
    files: dict[str, bytes],
    *,
    ctx: SealContext = CTX,
    seg: int = SEG,
    recipients: Sequence[Recipient] = RECIPIENTS,
    **kw: Any,
) -> bytes:
    out = io.BytesIO()
    seal(
        recipients,
        ctx,
        kw.pop("form", FORM),
        [BidFile(n, b) for n, b in files.items()],
        out,
        segment_size=seg,
        threshold=kw.pop("threshold", 2),
        deadline=kw.pop("deadline", DEADLINE),
        **kw,
    )
    return out.getvalue()


def content_key(envelope: bytes, holders: Sequence[int] = (0, 1)) -> Sensitive:
    """What two holders' clients and the platform do at the opening: unwrap two shares, rebuild K."""
    header = sealing.read_header(io.BytesIO(envelope))
    shares = dict(sealing.unwrap_share(header, HOLDERS[i].private) for i in holders)
    return sealing.recover_key(header, shares)


def open_all(envelope: bytes, ctx: SealContext = CTX, *, key: Sensitive | None = None, **kw: Any) -> Any:
    return sealing.open_all(key if key is not None else content_key(envelope), envelope, ctx, **kw)


def seal_plaintext(plaintext: bytes, *, ctx: SealContext = CTX, seg: int = SEG) -> tuple[bytes, Sensitive]:
    """An envelope around any plaintext container (what a buggy or hostile client could produce), and its key."""
    out = io.BytesIO()
    seal(RECIPIENTS, ctx, FORM, [], out, segment_size=seg, threshold=2, deadline=DEADLINE)
    honest = out.getvalue()
    key = content_key(honest)
    header = sealing.read_header(io.BytesIO(honest))
    body_key, nonce = envelope_mod._body_key(key, header)
    result = io.BytesIO()
    result.write(header.raw)
    writer = SegmentWriter(body_key, nonce, header.digest, seg, result.write)
    writer.write(plaintext)
    writer.close()
    return result.getvalue(), key


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
