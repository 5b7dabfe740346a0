"""敏感数据 — a wipeable buffer for key material that never shows its bytes in a repr, log or pickle.

Python cannot promise that a secret leaves no copy behind: `bytes` and `int` objects are immutable,
the allocator may have moved a buffer, and OpenSSL keeps its own copies inside key objects. What we
can do, and do here, is keep the one long-lived copy in a `bytearray`, overwrite it as soon as it is
no longer needed, and make accidental disclosure (repr, str, pickling, equality by value) hard.
"""

from __future__ import annotations

import contextlib
import hmac
from types import TracebackType
from typing import NoReturn, Self


class Sensitive:
    """Secret bytes in a `bytearray` that is zeroed by `wipe()` or on leaving a `with` block."""

    __slots__ = ("_buf", "_wiped")

    def __init__(self, data: bytes | bytearray | memoryview) -> None:
        self._buf = bytearray(data)
        self._wiped = False

    @classmethod
    def adopt(cls, buf: bytearray) -> Self:
        """Take ownership of `buf` without copying it (the caller must not keep using it)."""
        obj = cls.__new__(cls)
        obj._buf = buf
        obj._wiped = False
        return obj

    @property
    def buffer(self) -> bytearray:
        """The live buffer, for APIs that accept bytes-like objects. Do not keep references to it."""
        if self.wiped:
            raise ValueError("secret was wiped")
        return self._buf

    @property
    def wiped(self) -> bool:
        return self._wiped

    def to_int(self) -> int:
        """Big-endian integer value (an immutable copy Python cannot wipe; keep its life short)."""
        return int.from_bytes(self.buffer, "big")

    def wipe(self) -> None:
        """Overwrite the buffer with zeros, then empty it (best effort, see the module docstring)."""
        self._buf[:] = bytes(len(self._buf))  # same length: overwritten in place, not reallocated
        with contextlib.suppress(BufferError):  # a live memoryview forbids resizing; the zeros stay
            self._buf.clear()
        self._wiped = True

    def __len__(self) -> int:
        return len(self._buf)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, t: type[BaseException] | None, v: BaseException | None, tb: TracebackType | None) -> None:
        self.wipe()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sensitive):
            return NotImplemented
        return hmac.compare_digest(self._buf, other._buf)

    __hash__ = None  # type: ignore[assignment]  # mutable and secret: never a dict key

    def __repr__(self) -> str:
        return f"{type(self).__name__}(<{len(self._buf)} bytes hidden>)"

    __str__ = __repr__

    def __reduce__(self) -> NoReturn:
        raise TypeError("secrets cannot be pickled")
