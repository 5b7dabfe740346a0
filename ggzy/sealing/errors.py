"""密封投标文件的错误 — why an envelope was refused, each with a Chinese message and no secret in it."""

from __future__ import annotations

from typing import Any

from ggzy.core.errors import DomainError


class EnvelopeError(DomainError):
    """Base class: the envelope cannot be accepted or opened."""

    status = 422
    code = "envelope-error"
    title = "投标文件无法处理"

    def __init__(self, message: str | None = None, **details: Any) -> None:
        super().__init__(message or self.title, **details)


class Malformed(EnvelopeError):
    """Not an envelope of a format we know, or its structure breaks the format's rules."""

    code = "envelope-malformed"
    title = "投标文件格式不正确"

    def __init__(self, detail: str, **details: Any) -> None:
        super().__init__(f"{self.title}：{detail}", **details)


class TooLarge(Malformed):
    status = 413
    code = "envelope-too-large"
    title = "投标文件超过大小上限"


class WrongKey(EnvelopeError):
    """Sealed to another public key than the one offered for opening (or expected at upload)."""

    code = "envelope-wrong-key"
    title = "投标文件的内容密钥不是分给本标段开标密钥持有人的"


class WrongContext(EnvelopeError):
    """The header names another section, bidder or bid version: a copied or replayed bid."""

    code = "envelope-wrong-context"
    title = "投标文件不属于本标段、本投标人或本次递交的版本"


class Tampered(EnvelopeError):
    """Authentication failed: a changed, reordered, truncated or extended envelope."""

    code = "envelope-tampered"
    title = "投标文件已被篡改或不完整，解密失败"


class SealingFailed(EnvelopeError):
    """The bidder's side could not build an envelope (bad input, a file changed while being read)."""

    code = "envelope-sealing-failed"
    title = "投标文件加密失败"

    def __init__(self, detail: str, **details: Any) -> None:
        super().__init__(f"{self.title}：{detail}", **details)


class NotARecipient(EnvelopeError):
    """The envelope holds no share sealed to this key holder's key."""

    status = 403
    code = "envelope-not-a-recipient"
    title = "投标文件中没有发给本密钥的分片"


class ShareUnreadable(EnvelopeError):
    """A share block does not open with the holder's key, or opens to a value that is not the committed share."""

    code = "envelope-share-unreadable"
    title = "无法解开投标文件中的密钥分片"


class BadShare(EnvelopeError):
    """A share handed in does not match the commitment in the envelope header."""

    code = "envelope-bad-share"
    title = "提交的密钥分片与投标文件中的承诺值不符"


class KeyMismatch(EnvelopeError):
    """Shares that match their commitments rebuild a key that is not the one the header's check names."""

    code = "envelope-key-mismatch"
    title = "密钥分片恢复出的内容密钥与投标文件不符"
