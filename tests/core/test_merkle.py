"""RFC 6962 / 9162 hashing and proofs against the published vectors, plus properties over random trees."""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ggzy.core import merkle
from ggzy.core.merkle import Frontier, leaf_hash, node_hash
from tests.conftest import SHARED

VECTORS = json.loads((SHARED / "testvectors" / "rfc6962_transparency_dev.json").read_text())
LEAVES = [bytes.fromhex(h) for h in VECTORS["rfc6962_tree_8_leaves_hex"]]
ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


# --- an independent, slow oracle written straight from RFC 6962 §2.1 ---------------------------


def mth(d: Sequence[bytes]) -> bytes:
    if not d:
        return merkle.EMPTY_ROOT
    if len(d) == 1:
        return leaf_hash(d[0])
    k = merkle.split_point(len(d))
    return node_hash(mth(d[:k]), mth(d[k:]))


def path(m: int, d: Sequence[bytes]) -> list[bytes]:
    if len(d) == 1:
        return []
    k = merkle.split_point(len(d))
    return path(m, d[:k]) + [mth(d[k:])] if m < k else path(m - k, d[k:]) + [mth(d[:k])]


def subproof(m: int, d: Sequence[bytes], b: bool) -> list[bytes]:
    if m == len(d):
        return [] if b else [mth(d)]
    k = merkle.split_point(len(d))
    if m <= k:
        return subproof(m, d[:k], b) + [mth(d[k:])]
    return subproof(m - k, d[k:], False) + [mth(d[:k])]


class Store:
    """Perfect subtrees as the database stores them, filled by the frontier."""

    def __init__(self, leaves: Sequence[bytes]) -> None:
        self.nodes: dict[tuple[int, int], bytes] = {}
        self.frontier = Frontier()
        for d in leaves:
            for level, idx, h in self.frontier.append(leaf_hash(d)):
                self.nodes[(level, idx)] = h

    def fetch(self, coords: set[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        return {c: self.nodes[c] for c in coords if c in self.nodes}


def test_hasher_known_answers() -> None:
    assert merkle.EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert leaf_hash(b"").hex() == ROOTS[0]
    assert leaf_hash(b"L123456").hex() == "395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56"
    assert node_hash(b"N123", b"N456").hex() == "aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb"


@pytest.mark.parametrize("size", range(1, 9))
def test_rfc6962_roots_of_the_eight_leaf_tree(size: int) -> None:
    assert Store(LEAVES[:size]).frontier.root().hex() == ROOTS[size - 1]
    assert mth(LEAVES[:size]).hex() == ROOTS[size - 1]


def test_rfc6962_path_and_proof_examples() -> None:
    store = Store(LEAVES)
    p = merkle.build_proof(merkle.inclusion_ranges(5, 8), store.fetch)
    assert [h.hex()[:8] for h in p] == ["bc1a0643", "ca854ea1", "d37ee418"]
    c = merkle.build_proof(merkle.consistency_ranges(6, 8), store.fetch)
    assert [h.hex()[:8] for h in c] == ["0ebc5d34", "ca854ea1", "d37ee418"]
    c = merkle.build_proof(merkle.consistency_ranges(2, 5), Store(LEAVES[:5]).fetch)
    assert [h.hex()[:8] for h in c] == ["5f083f0a", "bc1a0643"]


def _b(v: str | None) -> bytes:
    return base64.b64decode(v) if v else b""


@pytest.mark.parametrize("case", VECTORS["cases"], ids=lambda c: c["file"])
def test_transparency_dev_vectors(case: dict) -> None:
    """All 196 published cases: every good proof accepted, every bad one refused."""
    proof = [_b(p) for p in (case.get("proof") or [])]
    if "leafIdx" in case:
        ok = merkle.verify_inclusion(case["leafIdx"], case["treeSize"], _b(case["leafHash"]), proof, _b(case["root"]))
    else:
        ok = merkle.verify_consistency(case["size1"], case["size2"], _b(case["root1"]), _b(case["root2"]), proof)
    assert ok is not case["wantErr"]


def test_there_are_196_published_cases() -> None:
    assert len(VECTORS["cases"]) == 196
    assert sum(1 for c in VECTORS["cases"] if c["wantErr"]) > 50


trees = st.lists(st.binary(max_size=8), min_size=1, max_size=300)
special_sizes = st.sampled_from([1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129])


@given(trees)
def test_frontier_root_equals_the_recursive_definition(leaves: list[bytes]) -> None:
    assert Store(leaves).frontier.root() == mth(leaves)


@given(st.one_of(trees, special_sizes.map(lambda n: [bytes([i % 256]) for i in range(n)])), st.data())
def test_stored_subtree_proofs_equal_the_rfc_and_verify(leaves: list[bytes], data: st.DataObject) -> None:
    store = Store(leaves)
    n = len(leaves)
    size = data.draw(st.integers(1, n))
    index = data.draw(st.integers(0, size - 1))
    root = mth(leaves[:size])
    proof = merkle.build_proof(merkle.inclusion_ranges(index, size), store.fetch)
    assert proof == path(index, leaves[:size])
    assert merkle.verify_inclusion(index, size, leaf_hash(leaves[index]), proof, root)
    first = data.draw(st.integers(1, size))
    cproof = merkle.build_proof(merkle.consistency_ranges(first, size), store.fetch)
    assert cproof == subproof(first, leaves[:size], True)
    assert merkle.verify_consistency(first, size, mth(leaves[:first]), root, cproof)


@given(st.lists(st.binary(max_size=4), min_size=2, max_size=64, unique=True), st.data())
def test_any_mutation_of_a_proof_is_refused(leaves: list[bytes], data: st.DataObject) -> None:
    n = len(leaves)
    index = data.draw(st.integers(0, n - 1))
    root = mth(leaves)
    leaf = leaf_hash(leaves[index])
    proof = path(index, leaves)
    mutation = data.draw(st.sampled_from(["flip", "index", "drop", "append", "root"]))
    if mutation == "flip" and proof:
        i = data.draw(st.integers(0, len(proof) - 1))
        bit = data.draw(st.integers(0, 255))
        p = bytearray(proof[i])
        p[bit // 8] ^= 1 << (bit % 8)
        proof = [*proof[:i], bytes(p), *proof[i + 1 :]]
    elif mutation == "index":
        index = index + 1 if index + 1 < n else index - 1
    elif mutation == "drop" and proof:
        proof = proof[:-1]
    elif mutation == "append":
        proof = [*proof, root]
    elif mutation == "root":
        root = bytes([root[0] ^ 1]) + root[1:]
    else:
        return
    assert not merkle.verify_inclusion(index, n, leaf, proof, root)


def test_consistency_from_the_empty_tree_is_refused() -> None:
    assert not merkle.verify_consistency(0, 3, merkle.EMPTY_ROOT, mth(LEAVES[:3]), [])


def test_proof_ranges_refuse_impossible_requests() -> None:
    with pytest.raises(ValueError, match="outside"):
        merkle.inclusion_ranges(3, 3)
    with pytest.raises(ValueError, match="order"):
        merkle.consistency_ranges(4, 3)
