"""密码原语 — authenticated encryption of sensitive columns, bound to their row (等保 8.1.4.8).

No domain knowledge here: the caller names the purpose and the row the value belongs to, so a
value copied into another row or column fails to decrypt.
"""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

VERSION = b"\x01"


class DecryptionError(ValueError):
    pass


class FieldCipher:
    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise ValueError("field key must be 32 bytes")
        self._aead = AESGCM(key)

    def seal(self, plaintext: str, *, aad: str) -> str:
        nonce = os.urandom(12)
        ct = self._aead.encrypt(nonce, plaintext.encode(), aad.encode())
        return base64.b64encode(VERSION + nonce + ct).decode()

    def open(self, token: str, *, aad: str) -> str:
        blob = base64.b64decode(token)
        if blob[:1] != VERSION or len(blob) < 1 + 12 + 16:
            raise DecryptionError("unknown ciphertext format")
        try:
            return self._aead.decrypt(blob[1:13], blob[13:], aad.encode()).decode()
        except InvalidTag as exc:
            raise DecryptionError("ciphertext does not belong to this row or was altered") from exc
