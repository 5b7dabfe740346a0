"""A second, deterministic HPKE (RFC 9180 §4–5, base mode) for DHKEM(P-256, HKDF-SHA256) / HKDF-SHA256 /
AES-128-GCM, written from the RFC's pseudocode. Test-only: it lets the known-answer vectors fix the
ephemeral key, which `cryptography`'s HPKE (what the platform uses) rightly does not allow. Checked against
RFC 9180 A.3.1 in tests/core/test_hpke.py.
"""

from __future__ import annotations

import hashlib
import hmac

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEM_ID, KDF_ID, AEAD_ID = 0x0010, 0x0001, 0x0001
KEM_SUITE = b"KEM" + KEM_ID.to_bytes(2, "big")
HPKE_SUITE = b"HPKE" + KEM_ID.to_bytes(2, "big") + KDF_ID.to_bytes(2, "big") + AEAD_ID.to_bytes(2, "big")


def extract(salt: bytes, ikm: bytes) -> bytes:
    return hmac.new(salt or bytes(32), ikm, hashlib.sha256).digest()


def expand(prk: bytes, info: bytes, length: int) -> bytes:
    out, t, i = b"", b"", 1
    while len(out) < length:
        t = hmac.new(prk, t + info + bytes([i]), hashlib.sha256).digest()
        out, i = out + t, i + 1
    return out[:length]


def labeled_extract(suite: bytes, salt: bytes, label: bytes, ikm: bytes) -> bytes:
    return extract(salt, b"HPKE-v1" + suite + label + ikm)


def labeled_expand(suite: bytes, prk: bytes, label: bytes, info: bytes, length: int) -> bytes:
    return expand(prk, length.to_bytes(2, "big") + b"HPKE-v1" + suite + label + info, length)


def _raw(key: ec.EllipticCurvePublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)


def encap(pk_r: bytes, sk_e: bytes) -> tuple[bytes, bytes]:
    """(shared_secret, enc) with the ephemeral private scalar given."""
    eph = ec.derive_private_key(int.from_bytes(sk_e, "big"), ec.SECP256R1())
    enc = _raw(eph.public_key())
    dh = eph.exchange(ec.ECDH(), ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), pk_r))
    kem_context = enc + pk_r
    eae_prk = labeled_extract(KEM_SUITE, b"", b"eae_prk", dh)
    return labeled_expand(KEM_SUITE, eae_prk, b"shared_secret", kem_context, 32), enc


def key_schedule(shared_secret: bytes, info: bytes) -> tuple[bytes, bytes]:
    """(key, base_nonce) for mode_base with no PSK."""
    psk_id_hash = labeled_extract(HPKE_SUITE, b"", b"psk_id_hash", b"")
    info_hash = labeled_extract(HPKE_SUITE, b"", b"info_hash", info)
    context = b"\x00" + psk_id_hash + info_hash
    secret = labeled_extract(HPKE_SUITE, shared_secret, b"secret", b"")
    key = labeled_expand(HPKE_SUITE, secret, b"key", context, 16)
    base_nonce = labeled_expand(HPKE_SUITE, secret, b"base_nonce", context, 12)
    return key, base_nonce


def seal(pk_r: bytes, sk_e: bytes, plaintext: bytes, info: bytes, aad: bytes = b"") -> bytes:
    """Single-shot SealBase with a fixed ephemeral key: `enc || ct` (sequence number 0)."""
    shared, enc = encap(pk_r, sk_e)
    key, nonce = key_schedule(shared, info)
    return enc + AESGCM(key).encrypt(nonce, plaintext, aad)
