"""Write tests/vectors/sealed_envelope_v2.json: a known-answer sealed bid (format 2) for any implementation.

Run `python -m tests.vectors.make_sealed_envelope_v2` from the repository root. Everything random in a seal —
the content key, the Shamir coefficient, each HPKE ephemeral key — is derived here from fixed labels, so the
file is the same on every run (tests/core/test_vectors.py checks that, and the browser test seals it again).
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ggzy import sealing
from ggzy.sealing import BidFile, Recipient, SealContext, p256, shamir
from tests.vectors import hpke_reference

PATH = Path(__file__).with_name("sealed_envelope_v2.json")
CONTEXT = SealContext("KAT-2026-0001-01", "91410700KAT0000001", 1)
DEADLINE = 1_798_761_600  # 2027-01-01T00:00:00Z
SEGMENT = 64
FORM = {"currency": "CNY", "duration_days": 180, "price": "1234567.89"}
SUPERVISION = {"machine": {"algorithm": "sha256", "fingerprint": "0" * 64, "kind": "vector"}}
FILES = [("商务标.txt", "known answer 已知答案 ".encode() * 5), ("空文件.bin", b"")]


def _scalar(label: str) -> int:
    return int.from_bytes(hashlib.sha256(f"ggzy vector/{label}".encode()).digest(), "big") % (p256.ORDER - 1) + 1


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def build() -> dict[str, Any]:
    holders = [p256.derive(_scalar(f"holder {i}").to_bytes(32, "big")) for i in (1, 2, 3)]
    recipients = [Recipient(i + 1, h.public) for i, h in enumerate(holders)]
    content_key = hashlib.sha256(b"ggzy vector/content key").digest()
    coefficient = int.from_bytes(hashlib.sha512(b"ggzy vector/coefficient 1").digest(), "big") % shamir.PRIME
    ephemeral = [p256.derive(_scalar(f"ephemeral {i}").to_bytes(32, "big")) for i in (1, 2, 3)]
    eph: Iterator[p256.KeyPair] = iter(ephemeral)

    def sealer(public: bytes, plaintext: bytes, info: bytes) -> bytes:
        return hpke_reference.seal(public, bytes(next(eph).private.buffer), plaintext, info)

    out = io.BytesIO()
    result = sealing.seal(
        recipients,
        CONTEXT,
        FORM,
        [BidFile(n, b) for n, b in FILES],
        out,
        threshold=2,
        deadline=DEADLINE,
        supervision=SUPERVISION,
        segment_size=SEGMENT,
        random_bytes=lambda n: content_key[:n],
        randbelow=lambda _bound: coefficient,
        share_sealer=sealer,
    )
    envelope = out.getvalue()
    header = sealing.read_header(io.BytesIO(envelope))
    shares = {}
    for h in holders:
        index, y = sealing.unwrap_share(header, h.private)
        shares[str(index)] = bytes(y.buffer).hex()
    return {
        "description": "A sealed bid in ggzy envelope format 2 (docs/sealed-bids.md), with every secret that made it. "
        "Any two holders' private keys open it; an implementation that seals the same inputs with the same "
        "content key, coefficient and HPKE ephemeral keys must produce exactly `envelope`.",
        "generator": "tests/vectors/make_sealed_envelope_v2.py",
        "hpke_suite": {
            "kem": "DHKEM(P-256, HKDF-SHA256) 0x0010",
            "kdf": "HKDF-SHA256 0x0001",
            "aead": "AES-128-GCM 0x0001",
        },
        "context": {"section_id": CONTEXT.section_id, "bidder_id": CONTEXT.bidder_id, "version": CONTEXT.version},
        "key_set": {
            "threshold": 2,
            "deadline": DEADLINE,
            "recipients": [{"index": r.index, "public_key": p256.b64encode(r.public)} for r in recipients],
        },
        "holders": [
            {
                "index": i + 1,
                "private_hex": bytes(h.private.buffer).hex(),
                "jwk": {
                    "kty": "EC",
                    "crv": "P-256",
                    "d": _b64url(bytes(h.private.buffer)),
                    "x": _b64url(h.public[1:33]),
                    "y": _b64url(h.public[33:]),
                },
                "public_key": p256.b64encode(h.public),
                "key_id": h.key_id.hex(),
            }
            for i, h in enumerate(holders)
        ],
        "segment_size": SEGMENT,
        "form": FORM,
        "supervision": SUPERVISION,
        "files": [{"name": n, "b64": base64.b64encode(b).decode()} for n, b in FILES],
        "content_key_hex": content_key.hex(),
        "coefficients_hex": [f"{coefficient:x}"],
        "ephemeral": [
            {
                "d": _b64url(bytes(e.private.buffer)),
                "x": _b64url(e.public[1:33]),
                "y": _b64url(e.public[33:]),
                "public_raw": p256.b64encode(e.public),
            }
            for e in ephemeral
        ],
        "shares_hex": shares,
        "envelope_b64": base64.b64encode(envelope).decode(),
        "envelope_sha256": result.digest.hex(),
    }


def main() -> None:
    PATH.write_text(json.dumps(build(), ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {PATH}")


if __name__ == "__main__":
    main()
