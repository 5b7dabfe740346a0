"""密封投标 — the sealed-bid envelope: a fresh content key per bid, shared 2-of-3 among the key holders by the
bidder's own client, each share sealed to a holder's public key with HPKE; the body streamed in segments.

    K            = 32 random bytes (the content key), made by the bidder's client
    f            = K + a_1·x + … + a_{t−1}·x^{t−1} over GF(2^521 − 1);  y_x = f(x), 66 bytes
    check        = SHA-256("ggzy/content-key-check/v2\\0" || K)
    c_x          = SHA-256("ggzy/share-commitment/v2\\0" || check || x || y_x)
    prefix       = header up to the share blocks (header.py), with check and c_1..c_n
    info_x       = "ggzy/bid-share/v2\\0" || SHA-256(prefix) || x || key id
    block        = x || key id || HPKE-SealBase(holder public, info = info_x, aad = "", pt = y_x)   # RFC 9180
    okm          = HKDF-SHA256(ikm = K, salt = "", info = "ggzy/bid-envelope/v2\\0" || SHA-256(header), L = 44)
    key, nonce   = okm[:32], okm[32:]                  # AES-256-GCM key and STREAM base nonce

The platform stores only holders' public keys: it can check a bid's header (context, deadline, recipients)
but cannot rebuild K until t holders have unwrapped their shares on their own machines and handed them in.
The same bytes are produced by `ggzy/web/static/js/sealing.js` with Web Crypto. See docs/sealed-bids.md.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import secrets
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from ggzy.sealing import hpke, p256, shamir
from ggzy.sealing.errors import (
    BadShare,
    EnvelopeError,
    KeyMismatch,
    Malformed,
    NotARecipient,
    SealingFailed,
    ShareUnreadable,
    Tampered,
    TooLarge,
    WrongContext,
    WrongKey,
)
from ggzy.sealing.header import (
    DEFAULT_SEGMENT,
    MAX_BLOCKS,
    MAX_DEADLINE,
    MAX_HEADER,
    MAX_SEGMENT,
    MAX_SHARES,
    MIN_SEGMENT,
    EnvelopeHeader,
    SealContext,
    ShareBlock,
    encode_prefix,
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
    "BadShare",
    "BidFile",
    "EnvelopeError",
    "EnvelopeHeader",
    "FileEntry",
    "KeyMismatch",
    "Malformed",
    "NotARecipient",
    "Opened",
    "Recipient",
    "Scan",
    "SealContext",
    "SealResult",
    "SealingFailed",
    "ShareUnreadable",
    "Tampered",
    "TooLarge",
    "WrongContext",
    "WrongKey",
    "check_header",
    "check_share",
    "envelope_digest",
    "key_id",
    "open_all",
    "open_envelope",
    "public_key_b64",
    "public_key_from_b64",
    "read_header",
    "recover_key",
    "scan",
    "seal",
    "unwrap_share",
]

BODY_LABEL = b"ggzy/bid-envelope/v2\x00"
SHARE_LABEL = b"ggzy/bid-share/v2\x00"
CHECK_LABEL = b"ggzy/content-key-check/v2\x00"
COMMIT_LABEL = b"ggzy/share-commitment/v2\x00"
DEFAULT_MAX_SIZE = 2 * 1024**3
CHUNK = 1024 * 1024
ShareSealer = Callable[[bytes, bytes, bytes], bytes]  # (public key, plaintext, info) -> enc || ct


def key_id(public_key: bytes) -> bytes:
    """The 32-byte id of a key holder's public key, as written in the share blocks sealed to it."""
    return p256.key_id(public_key)


def public_key_b64(public_key: bytes) -> str:
    """The form the browser and the command line exchange: base64 of the 65-byte uncompressed point."""
    p256.load_public(public_key)
    return p256.b64encode(public_key)


def public_key_from_b64(text: str) -> bytes:
    """Inverse of `public_key_b64`; raises ValueError for anything but a valid P-256 point."""
    raw = p256.b64decode(text)
    p256.load_public(raw)
    return raw


@dataclass(frozen=True)
class Recipient:
    """A key holder's public key and the share index it receives (one index per key-holding body)."""

    index: int
    public: bytes = field(repr=False)

    @property
    def key_id(self) -> bytes:
        return p256.key_id(self.public)


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


def key_check(content_key: Sensitive) -> bytes:
    return hashlib.sha256(CHECK_LABEL + bytes(content_key.buffer)).digest()


def share_commitment(check: bytes, index: int, y: bytes | bytearray) -> bytes:
    return hashlib.sha256(COMMIT_LABEL + check + bytes([index]) + bytes(y)).digest()


def share_info(prefix: bytes, index: int, recipient_key_id: bytes) -> bytes:
    return SHARE_LABEL + hashlib.sha256(prefix).digest() + bytes([index]) + recipient_key_id


def _body_key(content_key: Sensitive, header: EnvelopeHeader) -> tuple[Sensitive, bytes]:
    with p256.hkdf(content_key, salt=b"", info=BODY_LABEL + header.digest, length=KEY_LEN + NONCE_LEN) as okm:
        return Sensitive(okm.buffer[:KEY_LEN]), bytes(okm.buffer[KEY_LEN:])


def _check_recipients(recipients: Sequence[Recipient], threshold: int) -> int:
    if not recipients or len(recipients) > MAX_BLOCKS:
        raise SealingFailed(f"密钥持有人公钥应为 1 到 {MAX_BLOCKS} 个")
    n = max(r.index for r in recipients)
    if {r.index for r in recipients} != set(range(1, n + 1)) or n > MAX_SHARES:
        raise SealingFailed("密钥持有人的分片序号应从 1 起连续编号")
    if not 1 <= threshold <= n:
        raise SealingFailed("门限应在 1 到持有人单位数之间")
    try:
        ids = [r.key_id for r in recipients]
        for r in recipients:
            p256.load_public(r.public)
    except ValueError:
        raise SealingFailed("密钥持有人公钥无效") from None
    if len(set(ids)) != len(ids):
        raise SealingFailed("密钥持有人公钥重复")
    return n


def seal(
    recipients: Sequence[Recipient],
    context: SealContext,
    form: Mapping[str, Any],
    files: Sequence[BidFile],
    out: BinaryIO,
    *,
    threshold: int,
    deadline: int,
    supervision: Mapping[str, Any] | None = None,
    segment_size: int = DEFAULT_SEGMENT,
    random_bytes: Callable[[int], bytes] = secrets.token_bytes,
    randbelow: Callable[[int], int] = secrets.randbelow,
    share_sealer: ShareSealer = hpke.seal,
) -> SealResult:
    """Encrypt the price form, the files and the supervision metadata, its key shared t-of-n to `recipients`.

    `random_bytes`, `randbelow` and `share_sealer` are for known-answer vectors only (tests/vectors/).
    """
    n = _check_recipients(recipients, threshold)
    if not MIN_SEGMENT <= segment_size <= MAX_SEGMENT:
        raise SealingFailed(f"分段大小应在 {MIN_SEGMENT} 到 {MAX_SEGMENT} 字节之间")
    if type(deadline) is not int or not 0 < deadline <= MAX_DEADLINE:
        raise SealingFailed("投标截止时间无效")
    entries = [_measure(f) for f in files]
    manifest = build_manifest(form, entries, supervision)
    with Sensitive.adopt(bytearray(random_bytes(shamir.SECRET_LEN))) as content_key:
        check = key_check(content_key)
        ys = shamir.split(content_key, threshold=threshold, count=n, randbelow=randbelow)
        try:
            commitments = [share_commitment(check, x, y.buffer) for x, y in enumerate(ys, start=1)]
            prefix = encode_prefix(
                segment_size=segment_size,
                threshold=threshold,
                blocks=len(recipients),
                deadline=deadline,
                key_check=check,
                context=context,
                commitments=commitments,
            )
            blocks = [
                ShareBlock(
                    r.index,
                    r.key_id,
                    share_sealer(r.public, bytes(ys[r.index - 1].buffer), share_info(prefix, r.index, r.key_id)),
                )
                for r in recipients
            ]
        finally:
            for y in ys:
                y.wipe()
        header = parse_header(prefix + b"".join(b.encode() for b in blocks))
        digest, size = hashlib.sha256(), 0

        def sink(data: bytes) -> None:
            nonlocal size
            out.write(data)
            digest.update(data)
            size += len(data)

        sink(header.raw)
        key, nonce = _body_key(content_key, header)
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


def check_header(
    header: EnvelopeHeader,
    *,
    expected_context: SealContext,
    recipients: Sequence[tuple[int, bytes]],
    threshold: int,
    deadline: int,
) -> None:
    """At upload: the bid names this section, bidder, version and deadline, and shares its key t-of-n to
    exactly the section's published holder keys (index, key id)."""
    if header.context != expected_context or header.deadline != deadline:
        differs = [
            k
            for k in ("section_id", "bidder_id", "version")
            if getattr(header.context, k) != getattr(expected_context, k)
        ] + (["deadline"] if header.deadline != deadline else [])
        raise WrongContext(fields=differs)
    got = sorted((i, bytes(k)) for i, k in header.recipients)
    want = sorted((i, bytes(k)) for i, k in recipients)
    if header.threshold != threshold or got != want:
        raise WrongKey()


def unwrap_share(header: EnvelopeHeader, holder_private: Sensitive) -> tuple[int, Sensitive]:
    """On the key holder's side: open the share sealed to this key and check it against its commitment.

    Returns (index, 66-byte share value). `NotARecipient` if no block names this key; `ShareUnreadable` if the
    block does not open or opens to a value that is not the committed one (the bidder's client sealed garbage).
    """
    try:
        public = p256.public_from_private(holder_private)
    except ValueError:
        raise ShareUnreadable(reason="holder-key") from None
    kid = p256.key_id(public)
    block = next((b for b in header.blocks if hmac.compare_digest(b.recipient_key_id, kid)), None)
    if block is None:
        raise NotARecipient()
    try:
        y = hpke.open_sealed(holder_private, block.sealed, share_info(header.prefix, block.index, kid))
    except hpke.Unreadable:
        raise ShareUnreadable(reason="hpke") from None
    try:
        check_share(header, block.index, y.buffer)
    except BadShare:
        y.wipe()
        raise ShareUnreadable(reason="commitment") from None
    return block.index, y


def check_share(header: EnvelopeHeader, index: int, y: bytes | bytearray) -> None:
    """`BadShare` unless `y` is the share the bidder committed to for `index` in this header."""
    if not 1 <= index <= header.shares or len(y) != shamir.Y_LEN:
        raise BadShare(index=index)
    if not hmac.compare_digest(share_commitment(header.key_check, index, y), header.commitments[index - 1]):
        raise BadShare(index=index)


def recover_key(header: EnvelopeHeader, shares: Mapping[int, Sensitive | bytes | bytearray]) -> Sensitive:
    """The content key from at least `threshold` committed shares; `KeyMismatch` if they do not rebuild it."""
    for index, y in shares.items():
        check_share(header, index, y.buffer if isinstance(y, Sensitive) else y)
    if len(shares) < header.threshold:
        raise KeyMismatch("密钥分片数量不足", reason="not-enough-shares")
    try:
        key = shamir.combine(shares, header.threshold)
    except ValueError:
        raise KeyMismatch(reason="combine") from None
    if not hmac.compare_digest(key_check(key), header.key_check):
        key.wipe()
        raise KeyMismatch(reason="check")
    return key


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
    content_key: Sensitive,
    stream: BinaryIO,
    expected_context: SealContext,
    *,
    max_size: int = DEFAULT_MAX_SIZE,
    expected_digest: bytes | None = None,
) -> Opened:
    """Check the header against the context and the key, decrypt the manifest, return an `Opened` to stream files.

    Raises `Malformed`/`TooLarge` (not an envelope, or too big), `WrongContext`, `WrongKey` (not this bid's
    content key), `Tampered`. With `expected_digest` (the receipt), another envelope is refused as `Tampered`
    at the end of files().
    """
    digest = hashlib.sha256()
    header = read_header(stream)
    digest.update(header.raw)
    if header.size >= max_size:
        raise TooLarge(f"不得超过 {max_size} 字节")
    if header.context != expected_context:
        differs = [
            k
            for k in ("section_id", "bidder_id", "version")
            if getattr(header.context, k) != getattr(expected_context, k)
        ]
        raise WrongContext(fields=differs)
    if len(content_key) != shamir.SECRET_LEN or not hmac.compare_digest(key_check(content_key), header.key_check):
        raise WrongKey()
    key, nonce = _body_key(content_key, header)
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
    content_key: Sensitive, data: bytes, expected_context: SealContext, **kwargs: Any
) -> tuple[dict[str, Any], list[tuple[str, bytes]]]:
    """Open a small envelope held in memory: `(manifest, [(name, bytes), ...])`. Prefer `open_envelope` for files."""
    opened = open_envelope(content_key, io.BytesIO(data), expected_context, **kwargs)
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
