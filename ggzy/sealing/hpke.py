"""HPKE — RFC 9180 base mode with one suite, DHKEM(P-256, HKDF-SHA256) / HKDF-SHA256 / AES-128-GCM
(kem 0x0010, kdf 0x0001, aead 0x0001), from `cryptography` (≥ 47). Single-shot: `enc (65) || ct`, empty AAD,
everything the ciphertext belongs to goes into `info`.

The browser does the same with Web Crypto (ECDH P-256, HMAC-SHA256 for LabeledExtract/Expand, AES-GCM):
`ggzy/web/static/js/sealing.js`. Both are checked against the RFC's test vector A.3.1.
"""

from __future__ import annotations

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hpke

from ggzy.sealing import p256
from ggzy.sealing.sensitive import Sensitive

SUITE = hpke.Suite(hpke.KEM.P256, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_128_GCM)
SUITE_IDS = (0x0010, 0x0001, 0x0001)
ENC_LEN = p256.PUBLIC_LEN
TAG_LEN = 16


class Unreadable(ValueError):
    """Not sealed to this key with this `info`, or changed (HPKE cannot tell which)."""


def seal(public: bytes, plaintext: bytes | bytearray, info: bytes) -> bytes:
    """Encrypt to a P-256 public key (65-byte uncompressed point): `enc || ciphertext`."""
    return SUITE.encrypt(bytes(plaintext), p256.load_public(public), info)


def open_sealed(private: Sensitive, sealed: bytes, info: bytes) -> Sensitive:
    """Decrypt what `seal` produced for this private key and `info`; `Unreadable` otherwise."""
    if len(sealed) < ENC_LEN + TAG_LEN:
        raise Unreadable("too short")
    try:
        key = p256.private_key(private)
        p256.load_public(sealed[:ENC_LEN])
    except ValueError:
        raise Unreadable("bad key") from None
    try:
        return Sensitive.adopt(bytearray(SUITE.decrypt(sealed, key, info)))
    except (InvalidTag, ValueError):
        raise Unreadable("authentication failed") from None
