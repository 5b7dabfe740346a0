"""默克尔树 — RFC 6962 / RFC 9162 hashing, the compact frontier, proofs from stored subtrees, verifiers.

Leaf hash `SHA-256(0x00 || entry)`, node hash `SHA-256(0x01 || left || right)`. The log stores the
hash of every complete (perfect, aligned) subtree once, keyed by (level, index), so any proof
needs only O(log n) stored hashes and one round trip.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence

HASH_SIZE = 32
Coord = tuple[int, int]  # (level, index): the perfect subtree over leaves [index·2^level, (index+1)·2^level)
Range = tuple[int, int]  # leaves [lo, hi)


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


EMPTY_ROOT = sha256(b"")


def leaf_hash(entry: bytes) -> bytes:
    return sha256(b"\x00" + entry)


def node_hash(left: bytes, right: bytes) -> bytes:
    return sha256(b"\x01" + left + right)


def split_point(n: int) -> int:
    """The largest power of two strictly smaller than n (n ≥ 2)."""
    return 1 << ((n - 1).bit_length() - 1)


# --- the compact range (frontier): O(log n) state that grows the tree -------------------


class Frontier:
    """The roots of the perfect subtrees that make up the tree, left to right."""

    __slots__ = ("nodes", "size")

    def __init__(self, size: int = 0, nodes: Sequence[bytes] = ()) -> None:
        if len(nodes) != size.bit_count():
            raise ValueError("a frontier holds one hash per set bit of the size")
        self.size = size
        self.nodes = list(nodes)

    def levels(self) -> list[int]:
        return [b for b in range(self.size.bit_length() - 1, -1, -1) if self.size >> b & 1]

    def append(self, leaf: bytes) -> list[tuple[int, int, bytes]]:
        """Add one leaf hash; return every subtree it completes as (level, index, hash), leaf first."""
        index = self.size
        done = [(0, index, leaf)]
        h, level = leaf, 0
        while index >> level & 1:  # the subtree to the left at this level is complete: merge
            h = node_hash(self.nodes.pop(), h)
            level += 1
            done.append((level, index >> level, h))
        self.nodes.append(h)
        self.size += 1
        return done

    def root(self) -> bytes:
        if not self.nodes:
            return EMPTY_ROOT
        r = self.nodes[-1]
        for h in reversed(self.nodes[:-1]):
            r = node_hash(h, r)
        return r

    def copy(self) -> Frontier:
        return Frontier(self.size, self.nodes)


# --- proofs built from stored perfect subtrees ---------------------------------------------


def decompose(lo: int, hi: int) -> list[Coord]:
    """Cover [lo, hi) with perfect aligned subtrees, largest first (lo must be aligned, as in RFC 6962)."""
    out: list[Coord] = []
    while lo < hi:
        level = (hi - lo).bit_length() - 1
        while lo & ((1 << level) - 1):
            level -= 1
        out.append((level, lo >> level))
        lo += 1 << level
    return out


def fold(hashes: Sequence[bytes]) -> bytes:
    """MTH of a range from the hashes of its decomposition (right fold, as the split rule implies)."""
    r = hashes[-1]
    for h in reversed(hashes[:-1]):
        r = node_hash(h, r)
    return r


def inclusion_ranges(index: int, size: int) -> list[Range]:
    """The ranges whose roots form PATH(index, D[size]) (RFC 6962 2.1.1), bottom first."""
    if not 0 <= index < size:
        raise ValueError("index outside the tree")
    top_down: list[Range] = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = split_point(hi - lo)
        if index < lo + k:
            top_down.append((lo + k, hi))
            hi = lo + k
        else:
            top_down.append((lo, lo + k))
            lo = lo + k
    return top_down[::-1]


def consistency_ranges(first: int, second: int) -> list[Range]:
    """The ranges whose roots form PROOF(first, D[second]) (RFC 6962 2.1.2), in proof order."""
    if not 0 < first <= second:
        raise ValueError("sizes out of order")
    suffix: list[Range] = []
    lo, hi, m, complete = 0, second, first, True
    while m != hi - lo:
        k = split_point(hi - lo)
        if m <= k:
            suffix.append((lo + k, hi))
            hi = lo + k
        else:
            suffix.append((lo, lo + k))
            lo, m, complete = lo + k, m - k, False
    head: list[Range] = [] if complete else [(lo, hi)]
    return head + suffix[::-1]


Fetch = Callable[[set[Coord]], dict[Coord, bytes]]


def build_proof(ranges: Iterable[Range], fetch: Fetch) -> list[bytes]:
    """Resolve ranges to hashes with a single fetch of the stored subtrees they need."""
    plans = [decompose(lo, hi) for lo, hi in ranges]
    wanted = {c for plan in plans for c in plan}
    got = fetch(wanted) if wanted else {}
    missing = wanted - got.keys()
    if missing:
        raise LookupError(f"stored subtrees missing: {sorted(missing)[:3]}")
    return [fold([got[c] for c in plan]) for plan in plans]


# --- verifiers (RFC 9162 2.1.3.2 and 2.1.4.2) ------------------------------------------------


def _sizes_ok(*hashes: bytes) -> bool:
    return all(len(h) == HASH_SIZE for h in hashes)


def root_from_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes | None:
    """The root implied by an inclusion proof, or None when the proof cannot be right."""
    if not 0 <= index < size or not _sizes_ok(leaf, *proof):
        return None
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return r if sn == 0 else None


def verify_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes) -> bool:
    return len(root) == HASH_SIZE and root_from_inclusion(index, size, leaf, proof) == root


def verify_consistency(first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]) -> bool:
    """True when the tree of size `second` is an append-only extension of the one of size `first`."""
    if first == 0 or first > second:  # a proof from the empty tree says nothing: refuse it
        return False
    if first == second:
        return not proof and first_root == second_root
    if not proof or not _sizes_ok(first_root, second_root, *proof):
        return False
    nodes = list(proof)
    if first & (first - 1) == 0:  # first is a power of two: its root is the proof's implicit start
        nodes.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = nodes[0]
    for c in nodes[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == first_root and sr == second_root
