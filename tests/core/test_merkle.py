"""RFC 6962 / 9162 hashing and proofs against the published vectors, plus properties over random trees.

The published facts are literals here, so the suite needs nothing beside the repository: the RFC 6962 eight-leaf
tree and its roots (RFC 6962 §2.1.3 examples as reproduced in transparency-dev/merkle `cmd/proofgen/main.go`
@417fb0c3), the hasher known answers (transparency-dev `rfc6962/rfc6962_test.go`), and a representative set of
transparency-dev/merkle `testdata/inclusion` and `testdata/consistency` cases @417fb0c3 (Apache-2.0): the happy
paths of every tree and the policy and mutation cases. All 196 cases run as a conformance step in `.ci/run`
(`python -m bench.merkle_conformance`, reading `../shared/testvectors/rfc6962_transparency_dev.json` in place).
"""

from __future__ import annotations

import base64
from collections.abc import Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ggzy.core import merkle
from ggzy.core.merkle import Frontier, leaf_hash, node_hash

LEAVES = [
    bytes.fromhex(h)
    for h in ("", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f")
]
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

# transparency-dev/merkle testdata @417fb0c3, hashes in standard base64 as published:
# (file, leafIdx, treeSize, leafHash, root, proof, wantErr) and (file, size1, size2, root1, root2, proof, wantErr).
INCLUSION_CASES = [
    (
        "inclusion/1/happy-path",
        0,
        8,
        "bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=",
        "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=",
        [
            "lqKW0iTyhcZ77pPDD4owkVfw2qNdxbh+QQt4YwoJz8c=",
            "Xwg/ChozygdqlSeYMlgNs+DvRYS9/x9UyKNg9Q3jAx4=",
            "a0eq8p7jwq+a+Im8H7klTavTEXfxYjLdaqsDXKOb9uQ=",
        ],
        False,
    ),
    (
        "inclusion/2/empty-root",
        5,
        8,
        "QnGia+DYqE8L1UyMMC58s6O10fpngKQLzOKHNHfatlg=",
        "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
        [
            "vBoGQ7EuTS18d5GPROD095qDi2z57FtcKD4fTYhZnms=",
            "yoVOoSjtBQtBs1/8G4e46yveRh6eO1WW7Oa51ZdaCuA=",
            "037kGJdt2VdTwcc4Yrk5j6Kiz5tP8P3+izDNlSCWFLc=",
        ],
        True,
    ),
    (
        "inclusion/2/happy-path",
        5,
        8,
        "QnGia+DYqE8L1UyMMC58s6O10fpngKQLzOKHNHfatlg=",
        "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=",
        [
            "vBoGQ7EuTS18d5GPROD095qDi2z57FtcKD4fTYhZnms=",
            "yoVOoSjtBQtBs1/8G4e46yveRh6eO1WW7Oa51ZdaCuA=",
            "037kGJdt2VdTwcc4Yrk5j6Kiz5tP8P3+izDNlSCWFLc=",
        ],
        False,
    ),
    (
        "inclusion/2/inserted-component",
        5,
        8,
        "QnGia+DYqE8L1UyMMC58s6O10fpngKQLzOKHNHfatlg=",
        "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=",
        [
            "vBoGQ7EuTS18d5GPROD095qDi2z57FtcKD4fTYhZnms=",
            "q6yroAAAAAAAAAAAAAAAAAAAAAAAAAAAAGAGHgASNFY=",
            "yoVOoSjtBQtBs1/8G4e46yveRh6eO1WW7Oa51ZdaCuA=",
            "037kGJdt2VdTwcc4Yrk5j6Kiz5tP8P3+izDNlSCWFLc=",
        ],
        True,
    ),
    (
        "inclusion/2/leafIdx-plus-@1",
        6,
        8,
        "QnGia+DYqE8L1UyMMC58s6O10fpngKQLzOKHNHfatlg=",
        "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=",
        [
            "vBoGQ7EuTS18d5GPROD095qDi2z57FtcKD4fTYhZnms=",
            "yoVOoSjtBQtBs1/8G4e46yveRh6eO1WW7Oa51ZdaCuA=",
            "037kGJdt2VdTwcc4Yrk5j6Kiz5tP8P3+izDNlSCWFLc=",
        ],
        True,
    ),
    (
        "inclusion/2/modified-proof[1]-bit-@3",
        5,
        8,
        "QnGia+DYqE8L1UyMMC58s6O10fpngKQLzOKHNHfatlg=",
        "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=",
        [
            "vBoGQ7EuTS18d5GPROD095qDi2z57FtcKD4fTYhZnms=",
            "woVOoSjtBQtBs1/8G4e46yveRh6eO1WW7Oa51ZdaCuA=",
            "037kGJdt2VdTwcc4Yrk5j6Kiz5tP8P3+izDNlSCWFLc=",
        ],
        True,
    ),
    (
        "inclusion/2/preceding-garbage",
        5,
        8,
        "QnGia+DYqE8L1UyMMC58s6O10fpngKQLzOKHNHfatlg=",
        "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=",
        [
            "",
            "vBoGQ7EuTS18d5GPROD095qDi2z57FtcKD4fTYhZnms=",
            "yoVOoSjtBQtBs1/8G4e46yveRh6eO1WW7Oa51ZdaCuA=",
            "037kGJdt2VdTwcc4Yrk5j6Kiz5tP8P3+izDNlSCWFLc=",
        ],
        True,
    ),
    (
        "inclusion/2/removed-component",
        5,
        8,
        "QnGia+DYqE8L1UyMMC58s6O10fpngKQLzOKHNHfatlg=",
        "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=",
        ["vBoGQ7EuTS18d5GPROD095qDi2z57FtcKD4fTYhZnms=", "yoVOoSjtBQtBs1/8G4e46yveRh6eO1WW7Oa51ZdaCuA="],
        True,
    ),
    (
        "inclusion/2/trailing-garbage",
        5,
        8,
        "QnGia+DYqE8L1UyMMC58s6O10fpngKQLzOKHNHfatlg=",
        "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=",
        [
            "vBoGQ7EuTS18d5GPROD095qDi2z57FtcKD4fTYhZnms=",
            "yoVOoSjtBQtBs1/8G4e46yveRh6eO1WW7Oa51ZdaCuA=",
            "037kGJdt2VdTwcc4Yrk5j6Kiz5tP8P3+izDNlSCWFLc=",
            "",
        ],
        True,
    ),
    (
        "inclusion/2/treeSize-mul-@2",
        5,
        16,
        "QnGia+DYqE8L1UyMMC58s6O10fpngKQLzOKHNHfatlg=",
        "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=",
        [
            "vBoGQ7EuTS18d5GPROD095qDi2z57FtcKD4fTYhZnms=",
            "yoVOoSjtBQtBs1/8G4e46yveRh6eO1WW7Oa51ZdaCuA=",
            "037kGJdt2VdTwcc4Yrk5j6Kiz5tP8P3+izDNlSCWFLc=",
        ],
        True,
    ),
    (
        "inclusion/2/wrong-leaf",
        5,
        8,
        "V3JvbmdMZWFm",
        "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=",
        [
            "vBoGQ7EuTS18d5GPROD095qDi2z57FtcKD4fTYhZnms=",
            "yoVOoSjtBQtBs1/8G4e46yveRh6eO1WW7Oa51ZdaCuA=",
            "037kGJdt2VdTwcc4Yrk5j6Kiz5tP8P3+izDNlSCWFLc=",
        ],
        True,
    ),
    (
        "inclusion/3/happy-path",
        2,
        3,
        "ApjRIpBtz8EIkstTpzmS/FufST6kybrbJ7eRtBJ6f+c=",
        "rra8/idLcKFPsGel5VeCZNsPqbUa9eC6FZFY8yngbnc=",
        ["+sVCA+fMaWzw38tCySodnbr3CtnmIfS9jZhmLwDjwSU="],
        False,
    ),
    (
        "inclusion/4/happy-path",
        1,
        5,
        "lqKW0iTyhcZ77pPDD4owkVfw2qNdxbh+QQt4YwoJz8c=",
        "Tju7H3tHjc/nH7YxYxUZo7yhLJrvyhYSv85ME6hiZNQ=",
        [
            "bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=",
            "Xwg/ChozygdqlSeYMlgNs+DvRYS9/x9UyKNg9Q3jAx4=",
            "vBoGQ7EuTS18d5GPROD095qDi2z57FtcKD4fTYhZnms=",
        ],
        False,
    ),
    ("inclusion/single-entry/empty-leaf", 0, 1, "", "DTrtAjFI/9KiWfvQzcf7PPl1ZYdg03dbgq9vkKrMLfw=", [], True),
    ("inclusion/single-entry/empty-root-and-leaf", 0, 1, "", "", [], True),
    ("inclusion/single-entry/empty-root", 0, 1, "DTrtAjFI/9KiWfvQzcf7PPl1ZYdg03dbgq9vkKrMLfw=", "", [], True),
    (
        "inclusion/single-entry/matching-root-and-leaf",
        0,
        1,
        "DTrtAjFI/9KiWfvQzcf7PPl1ZYdg03dbgq9vkKrMLfw=",
        "DTrtAjFI/9KiWfvQzcf7PPl1ZYdg03dbgq9vkKrMLfw=",
        [],
        False,
    ),
]
CONSISTENCY_CASES = [
    (
        "consistency/0/happy-path",
        1,
        1,
        "bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=",
        "bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=",
        [],
        False,
    ),
    (
        "consistency/1/happy-path",
        1,
        8,
        "bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=",
        "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=",
        [
            "lqKW0iTyhcZ77pPDD4owkVfw2qNdxbh+QQt4YwoJz8c=",
            "Xwg/ChozygdqlSeYMlgNs+DvRYS9/x9UyKNg9Q3jAx4=",
            "a0eq8p7jwq+a+Im8H7klTavTEXfxYjLdaqsDXKOb9uQ=",
        ],
        False,
    ),
    (
        "consistency/2/happy-path",
        6,
        8,
        "duZ9rbzfHhDht03cYIq9L5jfsW+851J3tSMqEn8gh+8=",
        "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=",
        [
            "DrxdNDf74tsVi58Sah0RjjCBgQMdCpSfje3t68VY72o=",
            "yoVOoSjtBQtBs1/8G4e46yveRh6eO1WW7Oa51ZdaCuA=",
            "037kGJdt2VdTwcc4Yrk5j6Kiz5tP8P3+izDNlSCWFLc=",
        ],
        False,
    ),
    (
        "consistency/2/preceding-root1",
        6,
        8,
        "duZ9rbzfHhDht03cYIq9L5jfsW+851J3tSMqEn8gh+8=",
        "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=",
        [
            "duZ9rbzfHhDht03cYIq9L5jfsW+851J3tSMqEn8gh+8=",
            "DrxdNDf74tsVi58Sah0RjjCBgQMdCpSfje3t68VY72o=",
            "yoVOoSjtBQtBs1/8G4e46yveRh6eO1WW7Oa51ZdaCuA=",
            "037kGJdt2VdTwcc4Yrk5j6Kiz5tP8P3+izDNlSCWFLc=",
        ],
        True,
    ),
    (
        "consistency/2/size1-plus-@1",
        7,
        8,
        "duZ9rbzfHhDht03cYIq9L5jfsW+851J3tSMqEn8gh+8=",
        "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=",
        [
            "DrxdNDf74tsVi58Sah0RjjCBgQMdCpSfje3t68VY72o=",
            "yoVOoSjtBQtBs1/8G4e46yveRh6eO1WW7Oa51ZdaCuA=",
            "037kGJdt2VdTwcc4Yrk5j6Kiz5tP8P3+izDNlSCWFLc=",
        ],
        True,
    ),
    (
        "consistency/2/size2-div-@2",
        6,
        4,
        "duZ9rbzfHhDht03cYIq9L5jfsW+851J3tSMqEn8gh+8=",
        "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=",
        [
            "DrxdNDf74tsVi58Sah0RjjCBgQMdCpSfje3t68VY72o=",
            "yoVOoSjtBQtBs1/8G4e46yveRh6eO1WW7Oa51ZdaCuA=",
            "037kGJdt2VdTwcc4Yrk5j6Kiz5tP8P3+izDNlSCWFLc=",
        ],
        True,
    ),
    (
        "consistency/2/swapped-roots",
        6,
        8,
        "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=",
        "duZ9rbzfHhDht03cYIq9L5jfsW+851J3tSMqEn8gh+8=",
        [
            "DrxdNDf74tsVi58Sah0RjjCBgQMdCpSfje3t68VY72o=",
            "yoVOoSjtBQtBs1/8G4e46yveRh6eO1WW7Oa51ZdaCuA=",
            "037kGJdt2VdTwcc4Yrk5j6Kiz5tP8P3+izDNlSCWFLc=",
        ],
        True,
    ),
    (
        "consistency/2/trailing-garbage",
        6,
        8,
        "duZ9rbzfHhDht03cYIq9L5jfsW+851J3tSMqEn8gh+8=",
        "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=",
        [
            "DrxdNDf74tsVi58Sah0RjjCBgQMdCpSfje3t68VY72o=",
            "yoVOoSjtBQtBs1/8G4e46yveRh6eO1WW7Oa51ZdaCuA=",
            "037kGJdt2VdTwcc4Yrk5j6Kiz5tP8P3+izDNlSCWFLc=",
            "",
        ],
        True,
    ),
    (
        "consistency/2/truncated-proof",
        6,
        8,
        "duZ9rbzfHhDht03cYIq9L5jfsW+851J3tSMqEn8gh+8=",
        "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=",
        ["DrxdNDf74tsVi58Sah0RjjCBgQMdCpSfje3t68VY72o=", "yoVOoSjtBQtBs1/8G4e46yveRh6eO1WW7Oa51ZdaCuA="],
        True,
    ),
    (
        "consistency/3/happy-path",
        2,
        5,
        "+sVCA+fMaWzw38tCySodnbr3CtnmIfS9jZhmLwDjwSU=",
        "Tju7H3tHjc/nH7YxYxUZo7yhLJrvyhYSv85ME6hiZNQ=",
        ["Xwg/ChozygdqlSeYMlgNs+DvRYS9/x9UyKNg9Q3jAx4=", "vBoGQ7EuTS18d5GPROD095qDi2z57FtcKD4fTYhZnms="],
        False,
    ),
    (
        "consistency/4/happy-path",
        6,
        7,
        "duZ9rbzfHhDht03cYIq9L5jfsW+851J3tSMqEn8gh+8=",
        "3bib5AOAnjJXUNPSY814kpwpQreUKjS3fhIslZSnTIw=",
        [
            "DrxdNDf74tsVi58Sah0RjjCBgQMdCpSfje3t68VY72o=",
            "sIaT7C5yFZcTBkHoIR5+7cy0wmQTlj7ubB4u0W/7Gl8=",
            "037kGJdt2VdTwcc4Yrk5j6Kiz5tP8P3+izDNlSCWFLc=",
        ],
        False,
    ),
    (
        "consistency/additional/consistency-check-on-empty-tree-size1-is-zero-is-useless",
        0,
        1,
        "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
        "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
        ["47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="],
        True,
    ),
    (
        "consistency/additional/roots-do-not-match-and-sizes-are-zero",
        0,
        0,
        "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
        "ZG9uJ3QgY2FyZSAy",
        [],
        True,
    ),
    (
        "consistency/additional/roots-do-not-not-match-and-sizes-are-one",
        1,
        1,
        "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
        "ZG9uJ3QgY2FyZSAy",
        [],
        True,
    ),
    (
        "consistency/additional/size1-is-zero-and-does-not-equal-size2",
        0,
        1,
        "ZG9uJ3QgY2FyZSAx",
        "ZG9uJ3QgY2FyZSAy",
        [],
        True,
    ),
    (
        "consistency/additional/size1-is-zero-and-size2-is-not-zero",
        0,
        1,
        "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
        "ZG9uJ3QgY2FyZSAy",
        [],
        True,
    ),
    (
        "consistency/additional/sizes-are-equal-one-and-proof-is-empty",
        1,
        1,
        "ZG9uJ3QgY2FyZSAy",
        "ZG9uJ3QgY2FyZSAy",
        [],
        False,
    ),
    (
        "consistency/additional/sizes-are-equal-one-but-roots-are-not",
        1,
        1,
        "ZG9uJ3QgY2FyZSAx",
        "ZG9uJ3QgY2FyZSAy",
        [],
        True,
    ),
    (
        "consistency/additional/sizes-are-equal-zero-and-proof-is-empty",
        0,
        0,
        "ZG9uJ3QgY2FyZSAx",
        "ZG9uJ3QgY2FyZSAx",
        [],
        True,
    ),
    (
        "consistency/additional/sizes-are-equal-zero-but-roots-are-not",
        0,
        0,
        "ZG9uJ3QgY2FyZSAx",
        "ZG9uJ3QgY2FyZSAy",
        [],
        True,
    ),
    (
        "consistency/additional/sizes-match-but-proof-is-not-empty-and-sizes-are-one",
        1,
        1,
        "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
        "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
        ["47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="],
        True,
    ),
    (
        "consistency/additional/sizes-match-but-proof-is-not-empty-and-sizes-are-zero",
        0,
        0,
        "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
        "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
        ["47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="],
        True,
    ),
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


@pytest.mark.parametrize("case", INCLUSION_CASES, ids=lambda c: c[0])
def test_transparency_dev_inclusion_cases(case: tuple) -> None:
    """Every good proof accepted, every bad one refused."""
    _, index, size, leaf, root, proof, want_err = case
    assert merkle.verify_inclusion(index, size, _b(leaf), [_b(p) for p in proof], _b(root)) is not want_err


@pytest.mark.parametrize("case", CONSISTENCY_CASES, ids=lambda c: c[0])
def test_transparency_dev_consistency_cases(case: tuple) -> None:
    _, first, second, r1, r2, proof, want_err = case
    assert merkle.verify_consistency(first, second, _b(r1), _b(r2), [_b(p) for p in proof]) is not want_err


def test_the_happy_paths_are_the_rfc_tree() -> None:
    """The vectors' eight-leaf tree is the one built here: their roots and proofs come out of our store."""
    store = Store(LEAVES)
    for name, index, size, leaf, root, proof, _ in INCLUSION_CASES:
        if name.endswith("happy-path") and size <= 8:
            assert _b(root) == mth(LEAVES[:size]) and _b(leaf) == leaf_hash(LEAVES[index])
            assert merkle.build_proof(merkle.inclusion_ranges(index, size), store.fetch) == [_b(p) for p in proof]


def test_the_representative_set_covers_both_verdicts() -> None:
    for cases in (INCLUSION_CASES, CONSISTENCY_CASES):
        assert sum(1 for c in cases if c[-1]) >= 8 and sum(1 for c in cases if not c[-1]) >= 3


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
