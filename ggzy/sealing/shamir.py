"""门限分享 — Shamir t-of-n sharing of a section's opening key over GF(2^521 − 1), with share commitments.

A share is 108 bytes: magic "GGZYSHR" (7) || version 1 (1) || index x (1) || threshold t (1) ||
key id of the section's public key (32) || y = f(x) mod p (66, big-endian). `f` has degree t−1, f(0) is the
P-256 private scalar and the other coefficients are uniform in GF(p) from `secrets`. Fewer than t shares
say nothing about f(0); plain Shamir has no integrity of its own, so every share gets a public
commitment at split time, `SHA-256("ggzy/share-commitment/v1\\0" || share || len(section) (2) || section || x (1))`,
to be logged: a forged, corrupted or reused share is named before anything is combined.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from ggzy.core.errors import DomainError
from ggzy.sealing import p256
from ggzy.sealing.sensitive import Sensitive

PRIME = 2**521 - 1
MAGIC = b"GGZYSHR"
SHARE_VERSION = 1
Y_LEN = 66
SHARE_LEN = len(MAGIC) + 3 + p256.KEY_ID_LEN + Y_LEN
MAX_SHARES = 255
COMMIT_LABEL = b"ggzy/share-commitment/v1\x00"


class ShareError(DomainError):
    status = 422
    code = "share-error"
    title = "密钥分片无效"

    def __init__(self, message: str | None = None, **details: Any) -> None:
        super().__init__(message or self.title, **details)


class MalformedShare(ShareError):
    code = "share-malformed"
    title = "密钥分片格式不正确"


class NotEnoughShares(ShareError):
    code = "share-not-enough"
    title = "密钥分片数量不足，无法恢复开标私钥"


class DuplicateShares(ShareError):
    code = "share-duplicate"
    title = "提交了重复的密钥分片"


class MixedShares(ShareError):
    code = "share-mixed"
    title = "密钥分片不属于同一个开标密钥"


class BadShares(ShareError):
    """Shares whose commitment does not match: `indices` names them (the holders to ask again)."""

    code = "share-bad"
    title = "密钥分片与登记的承诺值不符"

    def __init__(self, indices: Sequence[int]) -> None:
        super().__init__(f"{self.title}（分片序号 {', '.join(map(str, indices))}）", indices=list(indices))
        self.indices = list(indices)


class KeyMismatch(ShareError):
    code = "share-key-mismatch"
    title = "恢复出的私钥与本标段的开标公钥不符"


class Share(Sensitive):
    """One encoded share; the index, threshold and key id are public, the rest is secret."""

    __slots__ = ()

    @classmethod
    def decode(cls, data: bytes | bytearray) -> Share:
        if len(data) != SHARE_LEN or bytes(data[: len(MAGIC)]) != MAGIC or data[len(MAGIC)] != SHARE_VERSION:
            raise MalformedShare()
        share = cls(data)
        if not (share.index >= 1 and 2 <= share.threshold <= MAX_SHARES and _y(share) < PRIME):
            share.wipe()
            raise MalformedShare()
        return share

    @property
    def index(self) -> int:
        return self.buffer[len(MAGIC) + 1]

    @property
    def threshold(self) -> int:
        return self.buffer[len(MAGIC) + 2]

    @property
    def key_id(self) -> bytes:
        start = len(MAGIC) + 3
        return bytes(self.buffer[start : start + p256.KEY_ID_LEN])

    def __repr__(self) -> str:
        if self.wiped:
            return "Share(<wiped>)"
        return f"Share(index={self.index}, threshold={self.threshold}, key_id={self.key_id.hex()[:16]}…)"

    __str__ = __repr__


def _y(share: Share) -> int:
    return int.from_bytes(share.buffer[-Y_LEN:], "big")


def _encode(index: int, threshold: int, kid: bytes, y: int) -> Share:
    head = MAGIC + bytes([SHARE_VERSION, index, threshold]) + kid
    return Share.adopt(bytearray(head + y.to_bytes(Y_LEN, "big")))


def split_int(secret: int, threshold: int, count: int, prime: int, rand: Callable[[int], int]) -> list[int]:
    """f(1..count) for a random f of degree threshold−1 with f(0) = secret (Horner's rule, mod prime)."""
    coefficients = [secret] + [rand(prime) for _ in range(threshold - 1)]
    values = []
    for x in range(1, count + 1):
        acc = 0
        for c in reversed(coefficients):
            acc = (acc * x + c) % prime
        values.append(acc)
    coefficients.clear()
    return values


def interpolate_at_zero(points: Iterable[tuple[int, int]], prime: int) -> int:
    """Lagrange interpolation of f(0) from distinct (x, y) points."""
    pts = list(points)
    total = 0
    for j, (xj, yj) in enumerate(pts):
        num, den = 1, 1
        for m, (xm, _) in enumerate(pts):
            if m != j:
                num = num * xm % prime
                den = den * (xm - xj) % prime
        total = (total + yj * num * pow(den, -1, prime)) % prime
    return total


def split(private: Sensitive, *, public: bytes, threshold: int, count: int) -> list[Share]:
    """Split a P-256 private scalar into `count` shares, any `threshold` of which rebuild it."""
    if not 2 <= threshold <= count <= MAX_SHARES:
        raise ValueError(f"need 2 <= threshold <= count <= {MAX_SHARES}")
    if not p256.matches(private, public):
        raise KeyMismatch()
    kid = p256.key_id(public)
    values = split_int(private.to_int(), threshold, count, PRIME, secrets.randbelow)
    return [_encode(x, threshold, kid, y) for x, y in enumerate(values, start=1)]


def commitment(share: Share, section_id: str) -> bytes:
    section = section_id.encode("utf-8")
    return hashlib.sha256(
        COMMIT_LABEL + bytes(share.buffer) + len(section).to_bytes(2, "big") + section + bytes([share.index])
    ).digest()


def commitments(shares: Iterable[Share], section_id: str) -> dict[int, bytes]:
    """Index → commitment, computed at split time and published in the event log."""
    return {s.index: commitment(s, section_id) for s in shares}


def check_shares(shares: Iterable[Share], section_id: str, logged: Mapping[int, bytes]) -> None:
    """Raise `BadShares` naming every share that does not match the commitment logged for its index."""
    bad = sorted(
        s.index for s in shares if not hmac.compare_digest(commitment(s, section_id), logged.get(s.index, b""))
    )
    if bad:
        raise BadShares(bad)


def combine(shares: Sequence[Share], *, public: bytes) -> Sensitive:
    """Rebuild the private scalar from at least `threshold` shares and prove it matches `public`."""
    if not shares:
        raise NotEnoughShares()
    first = shares[0]
    if any(s.key_id != first.key_id or s.threshold != first.threshold for s in shares):
        raise MixedShares()
    if first.key_id != p256.key_id(public):
        raise MixedShares("密钥分片不属于本标段的开标公钥")
    indices = [s.index for s in shares]
    if len(set(indices)) != len(indices):
        raise DuplicateShares()
    if len(shares) < first.threshold:
        raise NotEnoughShares(needed=first.threshold, given=len(shares))
    chosen = sorted(shares, key=lambda s: s.index)[: first.threshold]
    d = interpolate_at_zero(((s.index, _y(s)) for s in chosen), PRIME)
    if not 0 < d < p256.ORDER:
        raise KeyMismatch()
    private = Sensitive.adopt(bytearray(d.to_bytes(p256.SCALAR_LEN, "big")))
    if not p256.matches(private, public):
        private.wipe()
        raise KeyMismatch()
    return private
