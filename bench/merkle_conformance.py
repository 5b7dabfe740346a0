"""Conformance: run all 196 transparency-dev/merkle proof cases through the log's verifiers.

    python -m bench.merkle_conformance

Reads `../shared/testvectors/rfc6962_transparency_dev.json` in place (never copied; `GGZY_SHARED` overrides the
folder): transparency-dev/merkle `testdata/inclusion/**` and `testdata/consistency/**` @417fb0c3, one object per
original file. Every `wantErr=false` case must verify and every `wantErr=true` case must be refused; the file's
RFC 6962 eight-leaf tree must give the published roots. Prints PASS/FAIL per case and exits non-zero on any
failure. The unit tests (tests/core/test_merkle.py) carry a representative subset as literals.
"""

from __future__ import annotations

import base64
import json
import os
import sys
from pathlib import Path
from typing import Any

from ggzy.core import merkle

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("GGZY_SHARED", ROOT.parent / "shared")) / "testvectors" / "rfc6962_transparency_dev.json"
EXPECTED_CASES = 196
EIGHT_LEAF_ROOT = "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"  # RFC 6962, D[8]


def _b(v: str | None) -> bytes:
    return base64.b64decode(v) if v else b""


def verdict(case: dict[str, Any]) -> bool:
    """True when the verifier accepts the case."""
    proof = [_b(p) for p in (case.get("proof") or [])]
    if "leafIdx" in case:
        return merkle.verify_inclusion(case["leafIdx"], case["treeSize"], _b(case["leafHash"]), proof, _b(case["root"]))
    return merkle.verify_consistency(case["size1"], case["size2"], _b(case["root1"]), _b(case["root2"]), proof)


def main() -> None:
    if not DATA.is_file():
        print(f"FAIL no vectors at {DATA}")
        sys.exit(1)
    vectors = json.loads(DATA.read_text(encoding="utf-8"))
    results = []
    for case in vectors["cases"]:
        ok = verdict(case) is not case["wantErr"]
        print(f"{'PASS' if ok else 'FAIL'} {case['file']} (wantErr={case['wantErr']})")
        results.append(ok)
    frontier = merkle.Frontier()
    for leaf in vectors["rfc6962_tree_8_leaves_hex"]:
        frontier.append(merkle.leaf_hash(bytes.fromhex(leaf)))
    tree_ok = frontier.root().hex() == EIGHT_LEAF_ROOT
    print(f"{'PASS' if tree_ok else 'FAIL'} rfc6962 eight-leaf root")
    count_ok = len(results) == EXPECTED_CASES
    if not count_ok:
        print(f"FAIL expected {EXPECTED_CASES} cases, found {len(results)}")
    print(
        f"{sum(results)}/{len(results)} cases pass (source {vectors.get('source')} @{vectors.get('commit', '?')[:8]})"
    )
    if not (all(results) and tree_ok and count_ok):
        sys.exit(1)


if __name__ == "__main__":
    main()
