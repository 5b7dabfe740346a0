"""开标密钥文件 — a key holder's P-256 key pair, made and kept on the holder's side, encrypted under a passphrase.

One format for the command line's key file and the browser's backup (Web Crypto has PBKDF2, not scrypt):

    {"format": "ggzy-keyholder-key/1", "kdf": "pbkdf2-sha256", "iterations": N, "salt": b64(16 B),
     "public": b64(65 B), "blob": b64(nonce 12 B || AES-256-GCM ciphertext of the 32-byte scalar || tag 16 B),
     "label": "…"}
    kek = PBKDF2-HMAC-SHA256(NFC(passphrase), salt, N, 32)
    aad = "ggzy/keyholder-key/v1\\0" || public || I2OSP(N, 4)

The platform never sees this file: it stores only `public`. Losing it loses one holder's share of every
bid sealed to it; two other holders still open (2 of 3). See docs/sealed-bids.md, "Backing up a key".
"""

from __future__ import annotations

import json
import secrets
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

from ggzy.core.errors import DomainError
from ggzy.sealing import p256
from ggzy.sealing.sensitive import Sensitive

FORMAT = "ggzy-keyholder-key/1"
AAD_LABEL = b"ggzy/keyholder-key/v1\x00"
DEFAULT_ITERATIONS = 600_000  # OWASP 2023 for PBKDF2-HMAC-SHA256
MIN_ITERATIONS = 1_000
MAX_ITERATIONS = 10_000_000
SALT_LEN = 16
NONCE_LEN = 12


class KeyFileError(DomainError):
    status = 422
    code = "keyfile-error"
    title = "开标密钥文件无法使用"

    def __init__(self, message: str | None = None, **details: Any) -> None:
        super().__init__(message or self.title, **details)


class WrongPassphrase(KeyFileError):
    code = "keyfile-wrong-passphrase"
    title = "口令不正确，或密钥文件已被修改"


class BadKeyFile(KeyFileError):
    code = "keyfile-bad"
    title = "不是有效的开标密钥文件"


@dataclass(frozen=True)
class KeyFile:
    public: bytes
    salt: bytes = field(repr=False)
    blob: bytes = field(repr=False)
    iterations: int = DEFAULT_ITERATIONS
    label: str = ""

    @property
    def key_id(self) -> bytes:
        return p256.key_id(self.public)

    def to_json(self) -> str:
        b64 = p256.b64encode
        doc = {"format": FORMAT, "kdf": "pbkdf2-sha256", "iterations": self.iterations, "label": self.label}
        doc |= {"public": b64(self.public), "salt": b64(self.salt), "blob": b64(self.blob)}
        return json.dumps(doc, sort_keys=True, ensure_ascii=False, indent=1) + "\n"

    @classmethod
    def from_json(cls, text: str) -> KeyFile:
        try:
            d = json.loads(text)
            if d.get("format") != FORMAT or d.get("kdf") != "pbkdf2-sha256":
                raise ValueError("unknown format")
            iterations = d["iterations"]
            if type(iterations) is not int or not MIN_ITERATIONS <= iterations <= MAX_ITERATIONS:
                raise ValueError("iterations out of range")
            rec = cls(
                p256.b64decode(d["public"]),
                p256.b64decode(d["salt"]),
                p256.b64decode(d["blob"]),
                iterations,
                str(d.get("label", "")),
            )
            p256.load_public(rec.public)
            if len(rec.salt) != SALT_LEN or len(rec.blob) != NONCE_LEN + p256.SCALAR_LEN + 16:
                raise ValueError("field length")
        except (ValueError, KeyError, TypeError, AttributeError):
            raise BadKeyFile() from None
        return rec

    def __repr__(self) -> str:
        return f"KeyFile(key_id={self.key_id.hex()[:16]}…, iterations={self.iterations})"


def _kek(passphrase: str, salt: bytes, iterations: int) -> Sensitive:
    with Sensitive(unicodedata.normalize("NFC", passphrase).encode("utf-8")) as pw:
        kdf = PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=salt, iterations=iterations)
        return Sensitive.adopt(bytearray(kdf.derive(bytes(pw.buffer))))


def _aad(public: bytes, iterations: int) -> bytes:
    return AAD_LABEL + public + iterations.to_bytes(4, "big")


def wrap(private: Sensitive, passphrase: str, *, iterations: int = DEFAULT_ITERATIONS, label: str = "") -> KeyFile:
    """Encrypt a private scalar under a passphrase (a new salt and nonce every time)."""
    if len(passphrase) < 8:
        raise KeyFileError("密钥文件口令至少 8 个字符", code="keyfile-short-passphrase")
    if not MIN_ITERATIONS <= iterations <= MAX_ITERATIONS:
        raise ValueError("iterations out of range")
    public = p256.public_from_private(private)
    salt, nonce = secrets.token_bytes(SALT_LEN), secrets.token_bytes(NONCE_LEN)
    with _kek(passphrase, salt, iterations) as kek:
        ct = AESGCM(kek.buffer).encrypt(nonce, bytes(private.buffer), _aad(public, iterations))
    return KeyFile(public=public, salt=salt, blob=nonce + ct, iterations=iterations, label=label)


def create(passphrase: str, *, iterations: int = DEFAULT_ITERATIONS, label: str = "") -> KeyFile:
    """A fresh key pair, on the holder's machine; only `.public` ever goes to the platform."""
    with p256.generate().private as private:
        return wrap(private, passphrase, iterations=iterations, label=label)


def unwrap(record: KeyFile, passphrase: str) -> Sensitive:
    """The private scalar, in memory only (`with unwrap(...) as key:`)."""
    with _kek(passphrase, record.salt, record.iterations) as kek:
        out = bytearray(p256.SCALAR_LEN)
        try:
            AESGCM(kek.buffer).decrypt_into(
                record.blob[:NONCE_LEN], record.blob[NONCE_LEN:], _aad(record.public, record.iterations), out
            )
        except InvalidTag:
            raise WrongPassphrase() from None
    private = Sensitive.adopt(out)
    if not p256.matches(private, record.public):
        private.wipe()
        raise BadKeyFile(reason="public-key")
    return private


def rewrap(record: KeyFile, old: str, new: str, *, iterations: int | None = None) -> KeyFile:
    """The same key pair under a new passphrase: a backup copy, or a change of passphrase."""
    with unwrap(record, old) as private:
        return wrap(private, new, iterations=iterations or record.iterations, label=record.label)
