"""RFC 3797 — publicly verifiable random selection (Eastlake, 2004), §4's algorithm.

The seed sources are written canonically (§4: each value a decimal integer without leading zeros followed by
".", the values of one source sorted, each source ended by "/"); the i-th selection hashes the two-byte
big-endian index, the key string and the index again with MD5, reads the 128 bits as a big-endian unsigned
integer, and takes it modulo the number still in the pool: that many places into what is left (0-based) is the
one selected, and it leaves the pool. MD5 is what the RFC fixes, so anyone can replay a draw with its published
reference code or this module; the unpredictability comes from the seed, not from the hash.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import TypeVar

T = TypeVar("T")
MAX_INDEX = 0xFFFF  # the index is two octets


def key_string(sources: Iterable[int | Iterable[int]]) -> str:
    """The canonical key string of the seed sources, in their published order."""
    out = []
    for src in sources:
        values = [src] if isinstance(src, int) else sorted(src)
        if any(v < 0 for v in values):
            raise ValueError("RFC 3797 seed values are non-negative integers")
        out.append("".join(f"{v}." for v in values) + "/")
    return "".join(out)


def digest(key: str, index: int) -> bytes:
    if not 0 <= index <= MAX_INDEX:
        raise ValueError(f"RFC 3797 index {index} outside 0..{MAX_INDEX}")
    i = index.to_bytes(2, "big")
    return hashlib.md5(i + key.encode("ascii") + i, usedforsecurity=False).digest()


def position(key: str, index: int, remaining: int) -> int:
    """Where the `index`-th selection falls among `remaining` candidates (0-based)."""
    if remaining <= 0:
        raise ValueError("nothing left to select from")
    return int.from_bytes(digest(key, index), "big") % remaining


def select(key: str, pool: Sequence[T], count: int, *, start: int = 0) -> list[T]:
    """The first `count` selections from `pool` (in its published order), the sequence starting at `start`."""
    left = list(pool)
    chosen = []
    for n in range(min(count, len(left))):
        chosen.append(left.pop(position(key, start + n, len(left))))
    return chosen


ANY = "*"  # a seat open to every eligible expert


class Drawing:
    """One sequence of selections over a published list grouped by speciality: each seat draws from the
    candidates of its group not yet taken, and every selection (first seats and replacements alike) uses the
    next index, so the whole draw, with its replacements, replays from the key and the list alone."""

    def __init__(self, key: str, groups: dict[str, list[str]], *, start: int = 0, taken: Iterable[str] = ()) -> None:
        self.key = key
        self.groups = groups
        self.index = start
        self.taken = set(taken)

    def candidates(self, group: str) -> list[str]:
        return [p for p in self.groups.get(group, []) if p not in self.taken]

    def pick(self, group: str) -> tuple[int, str] | None:
        left = self.candidates(group)
        if not left:
            return None
        index = self.index
        chosen = left[position(self.key, index, len(left))]
        self.index += 1
        self.taken.add(chosen)
        return index, chosen
