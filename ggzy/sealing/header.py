"""密封投标文件的公开头 — the envelope's public header: one canonical binary form, parsed strictly.

Layout, format 2 (all integers big-endian; `lp` = 2-byte length || UTF-8):

    offset  size    field
    0       8       magic "GGZYBID\\0"
    8       1       format version (2)
    9       1       algorithm (2 = content key shared t-of-n, shares in HPKE P-256/HKDF-SHA256/AES-128-GCM,
                    body HKDF-SHA256 → AES-256-GCM STREAM)
    10      2       header length H (this whole header)
    12      4       segment size in plaintext bytes
    16      1       threshold t
    17      1       share count n (indices 1..n)
    18      1       block count m (one per recipient key; several keys may hold the same index)
    19      8       bid deadline, seconds since the Unix epoch (UTC): no holder unwraps a share before it
    27      32      content-key check = SHA-256("ggzy/content-key-check/v2\\0" || K)
    59      2+s     section id (lp)
    ...     2+b     bidder organisation id (lp)
    ...     4       bid version number
    ...     32·n    share commitments c_1..c_n
    ...     180·m   share blocks: index x (1) || recipient key id (32) || HPKE enc (65) || ct (66 + 16)

Everything before the blocks is the *prefix*; each block's HPKE `info` names the prefix's digest, the
index and the recipient key id, and the body's key schedule and every segment's AAD name the digest of
the whole header, so no byte of it can change unnoticed.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from typing import BinaryIO

from ggzy.sealing import hpke
from ggzy.sealing.errors import Malformed
from ggzy.sealing.stream_aead import read_up_to

MAGIC = b"GGZYBID\x00"
FORMAT_VERSION = 2
ALG_SHARED_KEY_HPKE_P256_AES256GCM_STREAM = 2
MIN_SEGMENT = 64
MAX_SEGMENT = 16 * 1024 * 1024
DEFAULT_SEGMENT = 1024 * 1024
MAX_ID_BYTES = 200
MAX_VERSION = 2**32 - 1
MAX_SHARES = 16
MAX_BLOCKS = 64
MAX_DEADLINE = 253402300799  # 9999-12-31T23:59:59Z
Y_LEN = 66  # a share's value f(x) in GF(2^521 − 1)
KEY_ID_LEN = 32
SEALED_SHARE_LEN = hpke.ENC_LEN + Y_LEN + hpke.TAG_LEN
BLOCK_LEN = 1 + KEY_ID_LEN + SEALED_SHARE_LEN
_FIXED = struct.Struct(">8sBBHIBBBQ32s")
_PREFIX_LEN = 12  # magic, version, algorithm, header length: enough to know how much more to read
MAX_HEADER = _FIXED.size + 2 * (2 + MAX_ID_BYTES) + 4 + 32 * MAX_SHARES + BLOCK_LEN * MAX_BLOCKS


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
class ShareBlock:
    """One share sealed to one key holder's public key."""

    index: int
    recipient_key_id: bytes
    sealed: bytes  # HPKE enc || ciphertext of the 66-byte share value

    def encode(self) -> bytes:
        return bytes([self.index]) + self.recipient_key_id + self.sealed


@dataclass(frozen=True)
class EnvelopeHeader:
    """The public header as parsed; `raw` is its exact bytes and `digest` their SHA-256."""

    segment_size: int
    threshold: int
    shares: int
    deadline: int
    key_check: bytes
    context: SealContext
    commitments: tuple[bytes, ...]
    blocks: tuple[ShareBlock, ...]
    raw: bytes
    version: int = FORMAT_VERSION
    algorithm: int = ALG_SHARED_KEY_HPKE_P256_AES256GCM_STREAM

    @property
    def digest(self) -> bytes:
        return hashlib.sha256(self.raw).digest()

    @property
    def prefix(self) -> bytes:
        return self.raw[: len(self.raw) - BLOCK_LEN * len(self.blocks)]

    @property
    def size(self) -> int:
        return len(self.raw)

    @property
    def recipients(self) -> list[tuple[int, bytes]]:
        """(share index, recipient key id) of every block, in header order."""
        return [(b.index, b.recipient_key_id) for b in self.blocks]

    def __repr__(self) -> str:
        return (
            f"EnvelopeHeader({self.context!r}, {self.threshold}-of-{self.shares}, blocks={len(self.blocks)}, "
            f"segment_size={self.segment_size})"
        )


def encode_prefix(
    *,
    segment_size: int,
    threshold: int,
    blocks: int,
    deadline: int,
    key_check: bytes,
    context: SealContext,
    commitments: tuple[bytes, ...] | list[bytes],
) -> bytes:
    """Everything before the share blocks (what each block's HPKE `info` is bound to)."""
    if not MIN_SEGMENT <= segment_size <= MAX_SEGMENT:
        raise ValueError(f"segment size must be in {MIN_SEGMENT}..{MAX_SEGMENT}")
    n = len(commitments)
    if not 1 <= threshold <= n <= MAX_SHARES or not n <= blocks <= MAX_BLOCKS:
        raise ValueError(f"need 1 <= threshold <= shares <= {MAX_SHARES} and shares <= blocks <= {MAX_BLOCKS}")
    if not 0 < deadline <= MAX_DEADLINE:
        raise ValueError("deadline out of range")
    if len(key_check) != 32 or any(len(c) != 32 for c in commitments):
        raise ValueError("check value and commitments are 32 bytes")
    section, bidder = context.section_id.encode(), context.bidder_id.encode()
    length = _FIXED.size + 2 + len(section) + 2 + len(bidder) + 4 + 32 * n + BLOCK_LEN * blocks
    fixed = _FIXED.pack(
        MAGIC,
        FORMAT_VERSION,
        ALG_SHARED_KEY_HPKE_P256_AES256GCM_STREAM,
        length,
        segment_size,
        threshold,
        n,
        blocks,
        deadline,
        key_check,
    )
    tail = struct.pack(">H", len(section)) + section + struct.pack(">H", len(bidder)) + bidder
    return fixed + tail + struct.pack(">I", context.version) + b"".join(commitments)


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
    if prefix[9] != ALG_SHARED_KEY_HPKE_P256_AES256GCM_STREAM:
        raise Malformed(f"不支持的算法 {prefix[9]}", reason="algorithm")
    length = int.from_bytes(prefix[10:12], "big")
    if not _FIXED.size + 8 + 32 + BLOCK_LEN <= length <= MAX_HEADER:
        raise Malformed("文件头长度超出范围", reason="header-length")
    return length


def parse_header(raw: bytes) -> EnvelopeHeader:
    """Parse exactly one header (`raw` must hold nothing else) and re-encode it to prove it is canonical."""
    length = _check_prefix(raw[:_PREFIX_LEN])
    if len(raw) != length:
        raise Malformed("文件头长度不符", reason="header-length")
    try:
        _, _, _, _, segment_size, threshold, n, m, deadline, check = _FIXED.unpack_from(raw)
        pos = _FIXED.size
        section, pos = _take_str(raw, pos)
        bidder, pos = _take_str(raw, pos)
        if pos + 4 + 32 * n + BLOCK_LEN * m != length:
            raise ValueError("field lengths do not add up")
        context = SealContext(section, bidder, int.from_bytes(raw[pos : pos + 4], "big"))
        pos += 4
        commitments = tuple(raw[pos + 32 * i : pos + 32 * (i + 1)] for i in range(n))
        pos += 32 * n
        blocks = tuple(_block(raw[pos + BLOCK_LEN * i : pos + BLOCK_LEN * (i + 1)], n) for i in range(m))
        if {b.index for b in blocks} != set(range(1, n + 1)):
            raise ValueError("every share index needs at least one block")
        if len({b.recipient_key_id for b in blocks}) != m:
            raise ValueError("a recipient key appears twice")
        prefix = encode_prefix(
            segment_size=segment_size,
            threshold=threshold,
            blocks=m,
            deadline=deadline,
            key_check=check,
            context=context,
            commitments=commitments,
        )
        if prefix + b"".join(b.encode() for b in blocks) != raw:
            raise ValueError("not canonical")
    except (ValueError, UnicodeDecodeError, struct.error) as exc:
        raise Malformed("文件头字段无效", reason="header-field", field=str(exc)) from None
    return EnvelopeHeader(segment_size, threshold, n, deadline, check, context, commitments, blocks, bytes(raw))


def _block(raw: bytes, n: int) -> ShareBlock:
    index = raw[0]
    if not 1 <= index <= n:
        raise ValueError("share index out of range")
    return ShareBlock(index, raw[1 : 1 + KEY_ID_LEN], raw[1 + KEY_ID_LEN :])


def _take_str(raw: bytes, pos: int) -> tuple[str, int]:
    if pos + 2 > len(raw):
        raise ValueError("truncated field")
    n = int.from_bytes(raw[pos : pos + 2], "big")
    end = pos + 2 + n
    if end > len(raw) or n > MAX_ID_BYTES:
        raise ValueError("field length out of range")
    return raw[pos + 2 : end].decode("utf-8", "strict"), end
