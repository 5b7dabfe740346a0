"""门限分享 — Shamir t-of-n sharing of a bid's 32-byte content key over GF(2^521 − 1).

`f` has degree t−1, f(0) = K (as a 256-bit integer, so every K fits the field) and the other coefficients
are uniform in GF(p), drawn by the bidder's client. Share x is `y = f(x)`, written as 66 big-endian bytes.
Fewer than t shares say nothing about K (tested exhaustively over GF(11)); plain Shamir has no integrity
of its own, so the envelope header carries a commitment per share and a check value of K (envelope.py).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Mapping

from ggzy.sealing.sensitive import Sensitive

PRIME = 2**521 - 1
Y_LEN = 66
SECRET_LEN = 32


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


def split(
    secret: Sensitive, *, threshold: int, count: int, randbelow: Callable[[int], int] = secrets.randbelow
) -> list[Sensitive]:
    """Shares 1..count of a 32-byte secret, as 66-byte values; any `threshold` of them rebuild it."""
    if len(secret) != SECRET_LEN:
        raise ValueError("the content key is 32 bytes")
    if not 1 <= threshold <= count <= 255:
        raise ValueError("need 1 <= threshold <= count <= 255")
    values = split_int(secret.to_int(), threshold, count, PRIME, randbelow)
    return [Sensitive.adopt(bytearray(y.to_bytes(Y_LEN, "big"))) for y in values]


def combine(shares: Mapping[int, Sensitive | bytes | bytearray], threshold: int) -> Sensitive:
    """The secret from `threshold` of the shares (index → 66-byte value); ValueError if it cannot be one."""
    if len(shares) < threshold:
        raise ValueError("not enough shares")
    points = []
    for x in sorted(shares)[:threshold]:
        raw = shares[x]
        data = raw.buffer if isinstance(raw, Sensitive) else raw
        if len(data) != Y_LEN or not 1 <= x <= 255:
            raise ValueError("malformed share")
        y = int.from_bytes(data, "big")
        if y >= PRIME:
            raise ValueError("malformed share")
        points.append((x, y))
    d = interpolate_at_zero(points, PRIME)
    if d >= 2 ** (8 * SECRET_LEN):
        raise ValueError("the shares do not rebuild a 32-byte key")
    return Sensitive.adopt(bytearray(d.to_bytes(SECRET_LEN, "big")))
