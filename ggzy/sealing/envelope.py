"""密封投标 — the sealed-bid envelope: hybrid encryption to a section's opening key, streamed in segments.

Envelope = public header (`sealing_header`) || sealed segments (`stream_aead`). The key schedule:

    shared     = ECDH(ephemeral private, recipient public)              # 32-byte X coordinate
    okm        = HKDF-SHA256(ikm=shared, salt=ephemeral_public || recipient_key_id,
                             info="ggzy/bid-envelope/v1\\0" || SHA-256(header), L=44)
    key, nonce = okm[:32], okm[32:]                                     # AES-256-GCM key, STREAM base nonce

The header digest is also every segment's AAD, so a header changed in any bit (another section, bidder or
version; another key id) yields another key and fails authentication. The same bytes are produced by
`ggzy/web/static/js/sealing.js` with Web Crypto. See docs/sealed-bids.md.
"""

from __future__ import annotations

import hashlib
import hmac
import io
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from ggzy.sealing import p256
from ggzy.sealing.errors import (
    EnvelopeError,
    Malformed,
    SealingFailed,
    Tampered,
    TooLarge,
    WrongContext,
    WrongKey,
)
from ggzy.sealing.header import (
    DEFAULT_SEGMENT,
    MAX_HEADER,
    MAX_SEGMENT,
    MIN_SEGMENT,
    EnvelopeHeader,
    SealContext,
    encode_header,
    parse_header,
    read_header,
)
from ggzy.sealing.manifest import (
    MAX_MANIFEST,
    FileEntry,
    PlainReader,
    build_manifest,
    check_file_name,
    parse_manifest,
)
from ggzy.sealing.sensitive import Sensitive
from ggzy.sealing.stream_aead import KEY_LEN, NONCE_LEN, TAG_LEN, SegmentReader, SegmentWriter, read_up_to

__all__ = [
    "DEFAULT_MAX_SIZE",
    "DEFAULT_SEGMENT",
    "BidFile",
    "EnvelopeError",
    "EnvelopeHeader",
    "FileEntry",
    "Malformed",
    "Opened",
    "OpeningKey",
    "Scan",
    "SealContext",
    "SealResult",
    "SealingFailed",
    "Tampered",
    "TooLarge",
    "WrongContext",
    "WrongKey",
    "check_header",
    "envelope_digest",
    "generate_opening_key",
    "key_id",
    "open_all",
    "open_envelope",
    "public_key_b64",
    "public_key_from_b64",
    "read_header",
    "scan",
    "seal",
]

OpeningKey = p256.KeyPair
INFO_LABEL = b"ggzy/bid-envelope/v1\x00"
DEFAULT_MAX_SIZE = 2 * 1024**3
CHUNK = 1024 * 1024


def generate_opening_key() -> OpeningKey:
    """A fresh P-256 key pair for one section; split `.private` with `shamir.split`, then wipe it."""
    return p256.generate()


def key_id(public_key: bytes) -> bytes:
    """The 32-byte id of an opening public key, as written in every envelope header sealed to it."""
    return p256.key_id(public_key)


def public_key_b64(public_key: bytes) -> str:
    """The form the browser and `ggzy bid seal --key` take: base64 of the 65-byte uncompressed point."""
    p256.load_public(public_key)
    return p256.b64encode(public_key)


def public_key_from_b64(text: str) -> bytes:
    """Inverse of `public_key_b64`; raises ValueError for anything but a valid P-256 point."""
    raw = p256.b64decode(text)
    p256.load_public(raw)
    return raw


@dataclass(frozen=True)
class BidFile:
    """A file to seal: its plain name and either its bytes or a path to read (twice: digest, then encryption)."""

    name: str
    source: Path | bytes = field(repr=False)


@dataclass(frozen=True)
class SealResult:
    header: EnvelopeHeader
    size: int
    digest: bytes  # SHA-256 of the exact envelope bytes: the receipt digest


def _schedule(shared: Sensitive, header: EnvelopeHeader) -> tuple[Sensitive, bytes]:
    with shared:
        okm = p256.hkdf(
            shared,
            salt=header.ephemeral_public + header.recipient_key_id,
            info=INFO_LABEL + header.digest,
            length=KEY_LEN + NONCE_LEN,
        )
    with okm:
        return Sensitive(okm.buffer[:KEY_LEN]), bytes(okm.buffer[KEY_LEN:])


def seal(
    public_key: bytes,
    context: SealContext,
    form: Mapping[str, Any],
    files: Sequence[BidFile],
    out: BinaryIO,
    *,
    supervision: Mapping[str, Any] | None = None,
    segment_size: int = DEFAULT_SEGMENT,
) -> SealResult:
    """Encrypt the price form, the files and the supervision metadata to `public_key`, writing to `out`."""
    try:
        recipient = p256.load_public(public_key)
    except ValueError:
        raise SealingFailed("开标公钥无效") from None
    entries = [_measure(f) for f in files]
    manifest = build_manifest(form, entries, supervision)
    eph, eph_public = p256.ephemeral()
    try:
        raw = encode_header(
            segment_size=segment_size,
            ephemeral_public=eph_public,
            recipient_key_id=p256.key_id(public_key),
            context=context,
        )
    except ValueError:
        raise SealingFailed(f"分段大小应在 {MIN_SEGMENT} 到 {MAX_SEGMENT} 字节之间") from None
    header = parse_header(raw)
    digest, size = hashlib.sha256(), 0

    def sink(data: bytes) -> None:
        nonlocal size
        out.write(data)
        digest.update(data)
        size += len(data)

    sink(raw)
    key, nonce = _schedule(p256.ecdh(eph, recipient), header)
    with key:
        writer = SegmentWriter(key, nonce, header.digest, segment_size, sink)
        writer.write(len(manifest).to_bytes(4, "big") + manifest)
        for f, entry in zip(files, entries, strict=True):
            _copy_checked(f, entry, writer.write)
        writer.close()
    return SealResult(header=header, size=size, digest=digest.digest())


@contextmanager
def _source(f: BidFile) -> Iterator[BinaryIO]:
    if isinstance(f.source, bytes | bytearray):
        yield io.BytesIO(f.source)
    else:
        with open(f.source, "rb") as fh:
            yield fh


def _measure(f: BidFile) -> FileEntry:
    try:
        check_file_name(f.name)
    except ValueError:
        raise SealingFailed("文件名不能为空、不能含路径分隔符或控制字符、不能超过 255 字节", file=f.name) from None
    h, n = hashlib.sha256(), 0
    with _source(f) as fh:
        while chunk := fh.read(CHUNK):
            h.update(chunk)
            n += len(chunk)
    return FileEntry(f.name, n, h.hexdigest())


def _copy_checked(f: BidFile, entry: FileEntry, write: Callable[[bytes], None]) -> None:
    h, n = hashlib.sha256(), 0
    with _source(f) as fh:
        while chunk := fh.read(CHUNK):
            h.update(chunk)
            n += len(chunk)
            if n > entry.size:
                break
            write(chunk)
    if n != entry.size or h.hexdigest() != entry.sha256:
        raise SealingFailed(f"文件“{entry.name}”在加密过程中被修改，请重新加密")


def check_header(header: EnvelopeHeader, *, expected_context: SealContext, recipient_key_id: bytes) -> None:
    """At upload or opening: the bid names this section, bidder and version, and is sealed to this key."""
    if header.context != expected_context:
        differs = [
            k
            for k in ("section_id", "bidder_id", "version")
            if getattr(header.context, k) != getattr(expected_context, k)
        ]
        raise WrongContext(fields=differs)
    if not hmac.compare_digest(header.recipient_key_id, recipient_key_id):
        raise WrongKey()


class Opened:
    """An envelope being opened: the manifest is read and authenticated; files stream out in order.

    Iterate `files()` to the end and only then trust the result: refusal of truncation, extension and a
    receipt-digest mismatch can only be known at the end. Consumers should write files to a staging
    place and discard them if any `EnvelopeError` is raised.
    """

    def __init__(self, header: EnvelopeHeader, plain: PlainReader, finish: Callable[[], bytes]) -> None:
        self.header = header
        length = int.from_bytes(plain.read_exact(4), "big")
        if length > MAX_MANIFEST:
            raise Malformed("清单过大", reason="manifest-size")
        self.manifest_bytes = plain.read_exact(length)
        self.manifest, self.entries = parse_manifest(self.manifest_bytes)
        self._plain: PlainReader | None = plain
        self._finish = finish
        self.digest: bytes | None = None  # set once files() has run to the end

    @property
    def form(self) -> dict[str, Any]:
        return dict(self.manifest["form"])

    @property
    def supervision(self) -> dict[str, Any]:
        return dict(self.manifest["supervision"])

    def files(self) -> Iterator[tuple[FileEntry, Iterator[bytes]]]:
        """Yield `(entry, chunks)` per file; the chunks of one file must be used before asking for the next."""
        plain, self._plain = self._plain, None
        if plain is None:
            raise RuntimeError("files() can be iterated only once")
        for entry in self.entries:
            chunks = _checked_chunks(plain, entry)
            yield entry, chunks
            for _ in chunks:  # drain whatever the consumer skipped, so the next file starts in the right place
                pass
        plain.ensure_end()
        self.digest = self._finish()


def _checked_chunks(plain: PlainReader, entry: FileEntry) -> Iterator[bytes]:
    h, n = hashlib.sha256(), 0
    for chunk in plain.chunks(entry.size):
        h.update(chunk)
        n += len(chunk)
        yield chunk
    if n != entry.size:
        raise Malformed("文件内容提前结束", reason="short-file", file=entry.name)
    if h.hexdigest() != entry.sha256:
        raise Malformed("文件摘要与清单不符", reason="file-digest", file=entry.name)


def open_envelope(
    private_key: OpeningKey | Sensitive,
    stream: BinaryIO,
    expected_context: SealContext,
    *,
    max_size: int = DEFAULT_MAX_SIZE,
    expected_digest: bytes | None = None,
) -> Opened:
    """Check the header against the context and key, decrypt the manifest, and return an `Opened` to stream files.

    Raises `Malformed`/`TooLarge` (not an envelope, or too big), `WrongContext`, `WrongKey`, `Tampered`.
    With `expected_digest` (the receipt), a different envelope is refused as `Tampered` at the end of files().
    """
    private = private_key.private if isinstance(private_key, p256.KeyPair) else private_key
    digest = hashlib.sha256()
    header = read_header(stream)
    digest.update(header.raw)
    if header.size >= max_size:
        raise TooLarge(f"不得超过 {max_size} 字节")
    try:
        key_obj = p256.private_key(private)
    except ValueError:
        raise WrongKey() from None
    public = p256.public_from_private(private)
    check_header(header, expected_context=expected_context, recipient_key_id=p256.key_id(public))
    shared = p256.ecdh(key_obj, p256.load_public(header.ephemeral_public))
    key, nonce = _schedule(shared, header)
    with key:
        reader = SegmentReader(
            key,
            nonce,
            header.digest,
            header.segment_size,
            stream,
            budget=max_size - header.size,
            on_read=digest.update,
        )

    def finish() -> bytes:
        final = digest.digest()
        if expected_digest is not None and not hmac.compare_digest(final, expected_digest):
            raise Tampered(reason="receipt-digest")
        return final

    return Opened(header, PlainReader(iter(reader)), finish)


def open_all(
    private_key: OpeningKey | Sensitive, data: bytes, expected_context: SealContext, **kwargs: Any
) -> tuple[dict[str, Any], list[tuple[str, bytes]]]:
    """Open a small envelope held in memory: `(manifest, [(name, bytes), ...])`. Prefer `open_envelope` for files."""
    opened = open_envelope(private_key, io.BytesIO(data), expected_context, **kwargs)
    files = [(entry.name, b"".join(chunks)) for entry, chunks in opened.files()]
    return opened.manifest, files


def envelope_digest(stream: BinaryIO) -> bytes:
    """SHA-256 of every byte of the envelope: the digest the receipt carries."""
    h = hashlib.sha256()
    while chunk := stream.read(CHUNK):
        h.update(chunk)
    return h.digest()


@dataclass(frozen=True)
class Scan:
    header: EnvelopeHeader
    size: int
    digest: bytes
    segments: int


def scan(stream: BinaryIO, *, max_size: int = DEFAULT_MAX_SIZE) -> Scan:
    """Without any key: parse the header, check the segment layout and size, and compute the receipt digest.

    The server runs this at upload. A layout that no honest sealer produces (a cut-off tag, an empty
    trailing segment) is `Malformed`; anything beyond `max_size` is `TooLarge` after reading at most one chunk more.
    """
    header = read_header(stream)
    h = hashlib.sha256(header.raw)
    size = header.size
    if size > max_size:
        raise TooLarge(f"不得超过 {max_size} 字节")
    while chunk := read_up_to(stream, min(CHUNK, max_size - size + 1)):
        size += len(chunk)
        if size > max_size:
            raise TooLarge(f"不得超过 {max_size} 字节")
        h.update(chunk)
    body = size - header.size
    sealed = header.segment_size + TAG_LEN
    full, rest = divmod(body, sealed)
    if body == 0 or 0 < rest <= TAG_LEN:
        raise Malformed("密文分段长度不符", reason="layout")
    return Scan(header=header, size=size, digest=h.digest(), segments=full + (1 if rest else 0))


assert MAX_HEADER < CHUNK  # read_header never reads past what scan() accounts for
