"""The envelope's public header and plaintext container: strict parsing, bounded reads, and the STREAM layer alone."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ggzy import sealing
from ggzy.sealing import (
    EnvelopeError,
    Malformed,
    SealContext,
    Tampered,
    TooLarge,
    open_envelope,
    p256,
    read_header,
    scan,
)
from ggzy.sealing.header import BLOCK_LEN, MAX_HEADER, MAX_SEGMENT, MIN_SEGMENT, encode_prefix, parse_header
from ggzy.sealing.sensitive import Sensitive
from ggzy.sealing.stream_aead import SegmentReader, SegmentWriter
from tests.core.sealing_helpers import (
    CTX,
    DEADLINE,
    RECIPIENTS,
    SEG,
    CountingStream,
    as_stream,
    content_key,
    open_all,
    seal_plaintext,
    sealed,
)

ENVELOPE = sealed({})
HEADER = read_header(as_stream(ENVELOPE))


def _header(**changes: object) -> bytes:
    """A header with the blocks of HEADER under a prefix with `changes` (the blocks no longer open, but it parses)."""
    fields: dict[str, object] = {
        "segment_size": SEG,
        "threshold": 2,
        "blocks": 3,
        "deadline": DEADLINE,
        "key_check": HEADER.key_check,
        "context": CTX,
        "commitments": HEADER.commitments,
    }
    fields |= changes
    return encode_prefix(**fields) + b"".join(b.encode() for b in HEADER.blocks)  # type: ignore[arg-type]


def _container(manifest: object, *files: bytes, raw: bytes | None = None) -> bytes:
    body = raw if raw is not None else json.dumps(manifest, separators=(",", ":")).encode()
    return struct.pack(">I", len(body)) + body + b"".join(files)


def _manifest(files: list[dict[str, object]]) -> dict[str, object]:
    return {"format": "ggzy-bid-manifest/1", "form": {"price": "1.00"}, "files": files, "supervision": {}}


def test_the_header_layout_is_the_documented_one() -> None:
    raw = HEADER.raw
    assert raw[:8] == b"GGZYBID\x00" and raw[8:10] == b"\x02\x02"
    assert struct.unpack(">HIBBBQ", raw[10:27]) == (len(raw), SEG, 2, 3, 3, DEADLINE)
    assert raw[27:59] == HEADER.key_check
    section, bidder = CTX.section_id.encode(), CTX.bidder_id.encode()
    pos = 59 + 2 + len(section) + 2 + len(bidder)
    assert raw[59:pos] == struct.pack(">H", len(section)) + section + struct.pack(">H", len(bidder)) + bidder
    assert raw[pos : pos + 4] == b"\x00\x00\x00\x03"
    assert b"".join(HEADER.commitments) == raw[pos + 4 : pos + 4 + 96]
    blocks = raw[pos + 100 :]
    assert len(blocks) == 3 * BLOCK_LEN == 3 * (1 + 32 + 65 + 66 + 16)
    for i, r in enumerate(RECIPIENTS):
        block = blocks[i * BLOCK_LEN : (i + 1) * BLOCK_LEN]
        assert block[0] == r.index and block[1:33] == r.key_id and block[33] == 0x04  # HPKE enc: a P-256 point
    assert HEADER.prefix == raw[: pos + 100]
    assert parse_header(raw).context == CTX


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda h: b"", "magic"),
        (lambda h: b"GGZYBIX\x00" + h[8:], "magic"),
        (lambda h: h[:8] + b"\x01" + h[9:], "version"),
        (lambda h: h[:9] + b"\x07" + h[10:], "algorithm"),
        (lambda h: h[:10] + struct.pack(">H", MAX_HEADER + 1) + h[12:], "header-length"),
        (lambda h: h[:10] + struct.pack(">H", 20) + h[12:], "header-length"),
        (lambda h: h[:-1], "short-header"),
        (lambda h: h[:10] + struct.pack(">H", len(h) + 1) + h[12:] + b"\x00", "header-field"),
        (lambda h: h[:12] + struct.pack(">I", MIN_SEGMENT - 1) + h[16:], "header-field"),
        (lambda h: h[:12] + struct.pack(">I", MAX_SEGMENT + 1) + h[16:], "header-field"),
        (lambda h: h[:16] + b"\x04" + h[17:], "header-field"),  # threshold above the share count
        (lambda h: h[:16] + b"\x00" + h[17:], "header-field"),  # threshold 0
        (lambda h: h[:19] + bytes(8) + h[27:], "header-field"),  # no deadline
        (lambda h: h[: -BLOCK_LEN * 3] + bytes([9]) + h[1 - BLOCK_LEN * 3 :], "header-field"),  # index out of range
        (lambda h: h[:-BLOCK_LEN] + h[-2 * BLOCK_LEN : -BLOCK_LEN], "header-field"),  # a key twice, index 3 missing
        (lambda h: h[: -BLOCK_LEN * 3 - 100] + b"\x00\x00\x00\x00" + h[-BLOCK_LEN * 3 - 96 :], "header-field"),
    ],
)
def test_a_malformed_header_is_refused_with_its_reason(mutate: object, reason: str) -> None:
    raw = mutate(_header())  # type: ignore[operator]
    with pytest.raises(Malformed) as err:
        read_header(as_stream(raw))
    assert err.value.details["reason"] == reason


@pytest.mark.parametrize("bad", ["", " S", "S ", "a\nb", "a\x7fb", "x" * 201])
def test_context_ids_must_be_plain_bounded_text(bad: str) -> None:
    with pytest.raises(ValueError, match="section_id"):
        SealContext(bad, "B", 1)
    with pytest.raises(ValueError, match="bidder_id"):
        SealContext("S", bad, 1)


def test_an_invalid_utf8_id_in_a_header_is_malformed() -> None:
    raw = bytearray(_header(context=SealContext("SS", "B", 1)))
    raw[61] = 0xFF
    with pytest.raises(Malformed):
        parse_header(bytes(raw))


@settings(max_examples=200)
@given(st.binary(max_size=400))
def test_random_bytes_never_crash_the_parser_nor_make_it_read_far(data: bytes) -> None:
    stream = CountingStream(b"GGZYBID\x00\x02\x02" + data if data[:1] == b"\x00" else data)
    with contextlib.suppress(Malformed):
        read_header(stream)  # type: ignore[arg-type]
    assert stream.position <= MAX_HEADER


def test_an_endless_stream_is_cut_off_at_the_callers_limit() -> None:
    envelope = sealed({"a": b"x" * 100})
    key = content_key(envelope)
    for reader in (
        lambda s: scan(s, max_size=4096),
        lambda s: open_all(s.read(), max_size=4096, key=key),
        lambda s: [b"".join(c) for _, c in open_envelope(key, s, CTX, max_size=4096).files()],
    ):
        stream = CountingStream(envelope, endless=True)
        with pytest.raises((TooLarge, Tampered)):
            reader(stream)
        assert stream.position <= 4096 + 1024 * 1024 + 1


def test_open_and_scan_refuse_more_than_max_size_even_below_the_header_size() -> None:
    envelope = sealed({"a": b"x" * 1000})
    for limit in (len(envelope) - 1, 50):
        with pytest.raises(TooLarge):
            open_all(envelope, max_size=limit)
        with pytest.raises(TooLarge):
            scan(as_stream(envelope), max_size=limit)
    open_all(envelope, max_size=len(envelope))
    assert scan(as_stream(envelope), max_size=len(envelope)).size == len(envelope)


def test_public_keys_travel_as_base64_of_the_uncompressed_point() -> None:
    key = p256.generate()
    text = sealing.public_key_b64(key.public)
    assert sealing.public_key_from_b64(text) == key.public and len(key.public) == 65
    assert sealing.key_id(RECIPIENTS[0].public) == HEADER.blocks[0].recipient_key_id
    off_curve = p256.b64encode(key.public[:-1] + bytes([key.public[-1] ^ 1]))
    for bad in ("", "AAAA", off_curve, text + "\n", "-" + text[1:]):
        with pytest.raises(ValueError, match=r"base64|P-256"):
            sealing.public_key_from_b64(bad)


def test_scan_checks_the_segment_layout_without_a_key() -> None:
    envelope = sealed({"a": b"x" * 1000})
    assert scan(as_stream(envelope)).segments == -(
        -(len(envelope) - read_header(as_stream(envelope)).size) // (SEG + 16)
    )
    size = read_header(as_stream(envelope)).size
    for bad in (envelope[:size], envelope[: size + SEG + 16 + 7], envelope[: size + 16]):
        with pytest.raises(Malformed):
            scan(as_stream(bad))


@pytest.mark.parametrize(
    "plaintext",
    [
        b"",
        b"\x00\x00",
        _container(None, raw=b"{"),
        _container(None, raw=b'{"a":1,"a":2}'),
        _container(None, raw=b'{"format":"ggzy-bid-manifest/1","form":{"p":1.5},"files":[],"supervision":{}}'),
        _container(None, raw=b'{"format":"ggzy-bid-manifest/1","form":{"p":NaN},"files":[],"supervision":{}}'),
        _container({"format": "other", "form": {}, "files": [], "supervision": {}}),
        _container({"format": "ggzy-bid-manifest/1", "form": {}, "files": []}),
        _container(_manifest([{"name": "../etc/passwd", "size": 0, "sha256": hashlib.sha256(b"").hexdigest()}])),
        _container(_manifest([{"name": "a", "size": -1, "sha256": "0" * 64}])),
        _container(_manifest([{"name": "a", "size": True, "sha256": "0" * 64}])),
        _container(_manifest([{"name": "a", "size": 0, "sha256": "X" * 64}])),
        _container(_manifest([{"name": "a", "size": 1, "sha256": "0" * 64}]), b"b"),  # digest does not match
        _container(_manifest([{"name": "a", "size": 5, "sha256": hashlib.sha256(b"abcde").hexdigest()}]), b"abc"),
        _container(_manifest([{"name": "a", "size": 1, "sha256": hashlib.sha256(b"a").hexdigest()}]), b"a", b"extra"),
        _container(_manifest([{"name": "a", "size": 0, "sha256": "0" * 64}] * 2)),
        struct.pack(">I", 2 * 1024 * 1024) + b"{}",
    ],
)
def test_a_dishonest_plaintext_container_is_malformed_never_opened(plaintext: bytes) -> None:
    envelope, key = seal_plaintext(plaintext)
    with pytest.raises(Malformed):
        open_all(envelope, key=key)


def test_an_honest_hand_built_container_opens() -> None:
    plaintext = _container(_manifest([{"name": "a", "size": 3, "sha256": hashlib.sha256(b"abc").hexdigest()}]), b"abc")
    envelope, key = seal_plaintext(plaintext)
    assert open_all(envelope, key=key)[1] == [("a", b"abc")]


@pytest.mark.parametrize("size", [0, 1, SEG - 1, SEG, SEG + 1, 2 * SEG, 3 * SEG + 7])
def test_stream_layer_round_trip_and_segment_count(size: int) -> None:
    key, nonce, digest = Sensitive(b"k" * 32), b"n" * 12, b"h" * 32
    out = io.BytesIO()
    writer = SegmentWriter(key, nonce, digest, SEG, out.write)
    data = bytes(range(256)) * (size // 256 + 1)
    for i in range(0, size, 7):  # many small writes
        writer.write(data[i : min(i + 7, size)])
    writer.close()
    sealed_bytes = out.getvalue()
    assert len(sealed_bytes) == size + 16 * max(1, -(-size // SEG))
    reader = SegmentReader(key, nonce, digest, SEG, io.BytesIO(sealed_bytes), budget=10**6, on_read=lambda _: None)
    assert b"".join(reader) == data[:size]


def test_stream_layer_refuses_an_empty_stream_and_an_empty_trailing_segment() -> None:
    key, nonce, digest = Sensitive(b"k" * 32), b"n" * 12, b"h" * 32
    with pytest.raises(Tampered):
        list(SegmentReader(key, nonce, digest, SEG, io.BytesIO(b""), budget=100, on_read=lambda _: None))
    out = io.BytesIO()
    w = SegmentWriter(key, nonce, digest, SEG, out.write)
    w.write(b"x" * SEG)
    w.close()
    with pytest.raises(EnvelopeError):
        list(
            SegmentReader(
                key, nonce, digest, SEG, io.BytesIO(out.getvalue() + b"\x00" * 16), budget=999, on_read=lambda _: None
            )
        )
