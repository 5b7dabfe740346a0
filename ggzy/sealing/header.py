"""密封投标文件的公开头 — the envelope's public header: one canonical binary form, parsed strictly.

Layout (all integers big-endian):

    offset  size  field
    0       8     magic "GGZYBID\\0"
    8       1     format version (1)
    9       1     algorithm (1 = ECDH P-256, HKDF-SHA256, AES-256-GCM STREAM)
    10      2     header length H, this whole header included (113 + 10 + len(section) + len(bidder))
    12      4     segment size in plaintext bytes
    16      65    ephemeral public key, uncompressed P-256 point
    81      32    recipient key id (see p256.key_id)
    113     2+s   section id: length, UTF-8
    ...     2+b   bidder organisation id: length, UTF-8
    ...     4     bid version number
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from typing import BinaryIO

from ggzy.sealing import p256
from ggzy.sealing.errors import Malformed
from ggzy.sealing.stream_aead import read_up_to

MAGIC = b"GGZYBID\x00"
FORMAT_VERSION = 1
ALG_P256_HKDF_SHA256_AES256GCM_STREAM = 1
MIN_SEGMENT = 64
MAX_SEGMENT = 16 * 1024 * 1024
DEFAULT_SEGMENT = 1024 * 1024
MAX_ID_BYTES = 200
MAX_VERSION = 2**32 - 1
_FIXED = struct.Struct(">8sBBHI65s32s")
_PREFIX_LEN = 12  # magic, version, algorithm, header length: enough to know how much more to read
MAX_HEADER = _FIXED.size + 2 * (2 + MAX_ID_BYTES) + 4


@dataclass(frozen=True)
class SealContext:
    """What a bid is for: the section, the bidding organisation and the bid's version number."""

    section_id: str
    bidder_id: str
    version: int

    def __post_init__(self) -> None:
        for name in ("section_id", "bidder_id"):
            _check_id(name, getattr(self, name))
        if type(self.version) is not int or not 1 <= self.version <= MAX_VERSION:  # bool is not a version
            raise ValueError(f"version must be an integer in 1..{MAX_VERSION}")


def _check_id(name: str, value: object) -> None:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{name} must be a non-empty string")
    if len(value.encode("utf-8", "strict")) > MAX_ID_BYTES:
        raise ValueError(f"{name} is longer than {MAX_ID_BYTES} bytes")
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in value) or value != value.strip():
        raise ValueError(f"{name} holds control characters or surrounding spaces")


@dataclass(frozen=True)
class EnvelopeHeader:
    """The public header as parsed; `raw` is its exact bytes and `digest` their SHA-256."""

    segment_size: int
    ephemeral_public: bytes
    recipient_key_id: bytes
    context: SealContext
    raw: bytes
    version: int = FORMAT_VERSION
    algorithm: int = ALG_P256_HKDF_SHA256_AES256GCM_STREAM

    @property
    def digest(self) -> bytes:
        return hashlib.sha256(self.raw).digest()

    @property
    def size(self) -> int:
        return len(self.raw)

    def __repr__(self) -> str:
        return (
            f"EnvelopeHeader({self.context!r}, segment_size={self.segment_size}, "
            f"recipient_key_id={self.recipient_key_id.hex()[:16]}…)"
        )


def encode_header(
    *, segment_size: int, ephemeral_public: bytes, recipient_key_id: bytes, context: SealContext
) -> bytes:
    if not MIN_SEGMENT <= segment_size <= MAX_SEGMENT:
        raise ValueError(f"segment size must be in {MIN_SEGMENT}..{MAX_SEGMENT}")
    section, bidder = context.section_id.encode(), context.bidder_id.encode()
    length = _FIXED.size + 2 + len(section) + 2 + len(bidder) + 4
    fixed = _FIXED.pack(
        MAGIC,
        FORMAT_VERSION,
        ALG_P256_HKDF_SHA256_AES256GCM_STREAM,
        length,
        segment_size,
        ephemeral_public,
        recipient_key_id,
    )
    tail = struct.pack(">H", len(section)) + section + struct.pack(">H", len(bidder)) + bidder
    return fixed + tail + struct.pack(">I", context.version)


def read_header(stream: BinaryIO) -> EnvelopeHeader:
    """Read and check the public header at the start of `stream`; no key needed, never reads more than MAX_HEADER."""
    prefix = read_up_to(stream, _PREFIX_LEN)
    length = _check_prefix(prefix)
    rest = read_up_to(stream, length - _PREFIX_LEN)
    if len(rest) != length - _PREFIX_LEN:
        raise Malformed("文件头不完整", reason="short-header")
    return parse_header(prefix + rest)


def _check_prefix(prefix: bytes) -> int:
    if len(prefix) < _PREFIX_LEN or prefix[:8] != MAGIC:
        raise Malformed("不是本平台的密封投标文件", reason="magic")
    if prefix[8] != FORMAT_VERSION:
        raise Malformed(f"不支持的格式版本 {prefix[8]}", reason="version")
    if prefix[9] != ALG_P256_HKDF_SHA256_AES256GCM_STREAM:
        raise Malformed(f"不支持的算法 {prefix[9]}", reason="algorithm")
    length = int.from_bytes(prefix[10:12], "big")
    if not _FIXED.size + 8 <= length <= MAX_HEADER:
        raise Malformed("文件头长度超出范围", reason="header-length")
    return length


def parse_header(raw: bytes) -> EnvelopeHeader:
    """Parse exactly one header (`raw` must hold nothing else) and re-encode it to prove it is canonical."""
    length = _check_prefix(raw[:_PREFIX_LEN])
    if len(raw) != length:
        raise Malformed("文件头长度不符", reason="header-length")
    _, _, _, _, segment_size, ephemeral, kid = _FIXED.unpack_from(raw)
    pos = _FIXED.size
    try:
        section, pos = _take_str(raw, pos)
        bidder, pos = _take_str(raw, pos)
        if pos + 4 != length:
            raise ValueError("trailing bytes")
        context = SealContext(section, bidder, int.from_bytes(raw[pos:], "big"))
        p256.load_public(ephemeral)
        header = EnvelopeHeader(segment_size, ephemeral, kid, context, bytes(raw))
        if (
            encode_header(segment_size=segment_size, ephemeral_public=ephemeral, recipient_key_id=kid, context=context)
            != raw
        ):
            raise ValueError("not canonical")
    except (ValueError, UnicodeDecodeError) as exc:
        raise Malformed("文件头字段无效", reason="header-field", field=str(exc)) from None
    return header


def _take_str(raw: bytes, pos: int) -> tuple[str, int]:
    if pos + 2 > len(raw):
        raise ValueError("truncated field")
    n = int.from_bytes(raw[pos : pos + 2], "big")
    end = pos + 2 + n
    if end > len(raw) or n > MAX_ID_BYTES:
        raise ValueError("field length out of range")
    return raw[pos + 2 : end].decode("utf-8", "strict"), end
