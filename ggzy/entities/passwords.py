"""口令 — Argon2id hashing and the password policy (等保 8.1.4.1 a, ASVS V6.2)."""

from __future__ import annotations

import string
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ggzy.core.errors import Invalid
from ggzy.core.i18n import N_
from ggzy.rules import security

MAX_LENGTH = 128
# Our own short list of the obvious; a deployment can extend it with a breached-password list.
OBVIOUS = frozenset(
    {
        "password",
        "passw0rd",
        "p@ssw0rd",
        "12345678",
        "123456789",
        "1234567890",
        "qwertyuiop",
        "qwerty123",
        "admin123",
        "administrator",
        "iloveyou",
        "abc123456",
        "a123456789",
        "woaini1314",
        "88888888",
        "11111111",
        "00000000",
        "1qaz2wsx",
        "1q2w3e4r",
        "zaq12wsx",
        "asdfghjkl",
    }
)


@dataclass(frozen=True)
class PasswordPolicy:
    min_length: int = int(security.PASSWORD_MIN.value)
    staff_classes: int = int(security.STAFF_CLASSES.value)

    def check(self, password: str, *, username: str, staff: bool) -> None:
        """Refuse a weak password with every reason at once, in Chinese."""
        reasons = []
        if len(password) < self.min_length:
            reasons.append(f"长度至少{self.min_length}位")
        if len(password) > MAX_LENGTH:
            reasons.append(f"长度不超过{MAX_LENGTH}位")
        lowered = password.lower()
        if username and username.lower() in lowered:
            reasons.append(N_("不得包含用户名"))
        if lowered in OBVIOUS or len(set(password)) <= 2:
            reasons.append(N_("过于简单，容易被猜中"))
        if staff:
            classes = sum(
                any(c in group for c in password)
                for group in (string.ascii_lowercase, string.ascii_uppercase, string.digits)
            ) + any(not c.isalnum() for c in password)
            if classes < self.staff_classes:
                reasons.append(f"工作人员口令须包含大写字母、小写字母、数字、符号中的至少{self.staff_classes}类")
        if reasons:
            raise Invalid(N_("口令不符合要求：") + "；".join(reasons), code="weak-password", reasons=reasons)


class Hasher:
    """Argon2id (RFC 9106); parameters are configurable so tests can be fast."""

    def __init__(self, *, memory_kib: int = 65536, time_cost: int = 3, parallelism: int = 4) -> None:
        self._ph = PasswordHasher(memory_cost=memory_kib, time_cost=time_cost, parallelism=parallelism)
        self._dummy = self._ph.hash("ggzy-timing-equaliser")

    def hash(self, password: str) -> str:
        return self._ph.hash(password)

    def verify(self, stored: str | None, password: str) -> bool:
        """Constant-ish time: an unknown user still costs one Argon2 verification."""
        try:
            matched = self._ph.verify(stored or self._dummy, password)
        except (VerificationError, InvalidHashError):
            return False
        return stored is not None and matched

    def needs_rehash(self, stored: str) -> bool:
        return self._ph.check_needs_rehash(stored)


def generate() -> str:
    """A random one-time password, easy to read aloud: four groups of four from an unambiguous alphabet.

    About 93 bits of entropy, and it always mixes upper case, lower case, digits and a symbol, so it
    meets every class rule (ASVS V6.4.1: initial passwords are random and must then be changed).
    """
    import secrets

    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"
    while True:
        pw = "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(4))
        if any(c.isupper() for c in pw) and any(c.islower() for c in pw) and any(c.isdigit() for c in pw):
            return pw
