"""The sealed-bid envelope: round trips, and refusal of every change, cut, splice, copy and wrong key (B4)."""

from __future__ import annotations

import hashlib
import io
import os
import pickle
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ggzy import sealing
from ggzy.sealing import (
    BidFile,
    EnvelopeError,
    KeyMismatch,
    NotARecipient,
    Recipient,
    SealContext,
    SealingFailed,
    ShareUnreadable,
    Tampered,
    WrongContext,
    WrongKey,
    check_header,
    envelope_digest,
    open_envelope,
    p256,
    read_header,
    recover_key,
    scan,
    seal,
    unwrap_share,
)
from ggzy.sealing.header import encode_prefix
from ggzy.sealing.manifest import FileEntry, build_manifest
from ggzy.sealing.sensitive import Sensitive
from tests.core.sealing_helpers import (
    CTX,
    DEADLINE,
    EXPECTED,
    FORM,
    HOLDERS,
    RECIPIENTS,
    SEG,
    CountingStream,
    as_stream,
    content_key,
    open_all,
    sealed,
    segments,
)

LARGE = sealed({"a.bin": os.urandom(20 * SEG), "b.bin": os.urandom(7 * SEG + 5)})
LARGE_KEY = content_key(LARGE)


def _file_size_for_plaintext(total: int, name: str = "f.bin") -> int:
    """The file size that makes the plaintext container (length, manifest, file) exactly `total` bytes."""
    size = 0
    for _ in range(5):
        manifest = build_manifest(FORM, [_entry(name, size)], None)
        size = total - 4 - len(manifest)
    return size


def _entry(name: str, size: int) -> FileEntry:
    return FileEntry(name, max(size, 0), "0" * 64)


@pytest.mark.parametrize("extra", [1, SEG - 1, SEG, SEG + 1, 2 * SEG, 5 * SEG - 1, 5 * SEG, 5 * SEG + 1])
def test_round_trip_at_every_segment_boundary(extra: int) -> None:
    base = 4 + len(build_manifest(FORM, [_entry("f.bin", 0)], None))
    total = (base // SEG + 1) * SEG + extra  # plaintext ending exactly at, before and after a boundary
    data = os.urandom(_file_size_for_plaintext(total))
    envelope = sealed({"f.bin": data})
    manifest, files = open_all(envelope)
    assert files == [("f.bin", data)]
    assert manifest["form"] == FORM
    _, segs = segments(envelope)
    assert len(segs) == -(-total // SEG)  # ceil: no empty trailing segment, ever


@settings(max_examples=40)
@given(st.lists(st.binary(max_size=5 * SEG + 3), max_size=4), st.sampled_from([64, 65, 100, 1024]))
def test_round_trip_for_random_files_and_segment_sizes(contents: list[bytes], seg: int) -> None:
    files = {f"文件{i}.bin": c for i, c in enumerate(contents)}
    manifest, opened = open_all(sealed(files, seg=seg))
    assert dict(opened) == files
    assert [f["size"] for f in manifest["files"]] == [len(c) for c in contents]


def test_the_receipt_digest_is_the_sha256_of_the_exact_bytes() -> None:
    out = io.BytesIO()
    result = seal(
        RECIPIENTS, CTX, FORM, [BidFile("a", b"x" * 500)], out, segment_size=SEG, threshold=2, deadline=DEADLINE
    )
    data = out.getvalue()
    assert result.digest == hashlib.sha256(data).digest() == envelope_digest(as_stream(data))
    assert scan(as_stream(data)).digest == result.digest and result.size == len(data)


def test_any_single_flipped_bit_anywhere_is_refused() -> None:
    envelope = sealed({"a.txt": b"price 1234567.89"}, seg=SEG)
    key = content_key(envelope)
    for pos in range(len(envelope)):
        for bit in range(8):
            bad = bytearray(envelope)
            bad[pos] ^= 1 << bit
            with pytest.raises(EnvelopeError):  # holders cannot unwrap, or the body does not decrypt
                open_all(bytes(bad))
            with pytest.raises(EnvelopeError):  # even for someone who already holds the content key
                open_all(bytes(bad), key=key)


@settings(max_examples=60)
@given(st.data())
def test_a_flipped_bit_in_a_larger_envelope_is_refused_as_tampering(data: st.DataObject) -> None:
    envelope = LARGE
    size = read_header(as_stream(envelope)).size
    pos = data.draw(st.integers(size, len(envelope) - 1))
    bad = bytearray(envelope)
    bad[pos] ^= 1 << data.draw(st.integers(0, 7))
    with pytest.raises(Tampered):
        open_all(bytes(bad), key=LARGE_KEY)


def test_swapping_two_segments_is_refused() -> None:
    header, segs = segments(LARGE)
    for i, j in [(0, 1), (3, 7), (len(segs) - 2, len(segs) - 1)]:
        swapped = list(segs)
        swapped[i], swapped[j] = swapped[j], swapped[i]
        with pytest.raises(Tampered):
            open_all(header + b"".join(swapped), key=LARGE_KEY)


def test_truncation_at_any_segment_boundary_or_inside_a_segment_is_refused() -> None:
    header, segs = segments(LARGE)
    for keep in range(len(segs)):
        with pytest.raises(Tampered):
            open_all(header + b"".join(segs[:keep]), key=LARGE_KEY)
    for cut in (1, 15, 16, 17, SEG + 15):
        with pytest.raises(Tampered):
            open_all(LARGE[:-cut], key=LARGE_KEY)


def test_appending_or_dropping_segments_is_refused() -> None:
    header, segs = segments(LARGE)
    for bad in (LARGE + segs[-1], LARGE + segs[0], LARGE + b"\x00", LARGE + os.urandom(SEG + 16)):
        with pytest.raises(Tampered):
            open_all(bad, key=LARGE_KEY)
    with pytest.raises(Tampered):
        open_all(header + b"".join(segs[:3] + segs[4:]), key=LARGE_KEY)


def test_a_bid_copied_to_another_section_bidder_or_version_is_refused() -> None:
    envelope = sealed({"a.txt": b"x"})
    key = content_key(envelope)
    for other in (
        SealContext("XX-2026-0042-02", CTX.bidder_id, CTX.version),
        SealContext(CTX.section_id, "91410700MA44AB1C2E", CTX.version),
        SealContext(CTX.section_id, CTX.bidder_id, CTX.version + 1),
    ):
        with pytest.raises(WrongContext):
            open_all(envelope, other, key=key)


def _forge(envelope: bytes, **changes: object) -> bytes:
    """The same share blocks and body under a header rewritten to claim something else."""
    h = read_header(as_stream(envelope))
    fields: dict[str, object] = {
        "segment_size": h.segment_size,
        "threshold": h.threshold,
        "blocks": len(h.blocks),
        "deadline": h.deadline,
        "key_check": h.key_check,
        "context": h.context,
        "commitments": h.commitments,
    }
    fields |= changes
    prefix = encode_prefix(**fields)  # type: ignore[arg-type]
    return prefix + b"".join(b.encode() for b in h.blocks) + envelope[h.size :]


def test_rewriting_the_header_to_claim_another_context_or_deadline_breaks_it() -> None:
    envelope = sealed({"a.txt": b"price"})
    key = content_key(envelope)
    other = SealContext(CTX.section_id, "ANOTHER-BIDDER", CTX.version)
    for forged, ctx in ((_forge(envelope, context=other), other), (_forge(envelope, deadline=DEADLINE - 3600), CTX)):
        header = read_header(as_stream(forged))
        with pytest.raises(ShareUnreadable):  # the holders' shares are bound to the original header
            unwrap_share(header, HOLDERS[0].private)
        with pytest.raises(Tampered):  # and the body too, even for whoever already has the key
            open_all(forged, ctx, key=key)


def test_segments_spliced_between_two_bids_of_the_same_context_are_refused() -> None:
    a = sealed({"a.bin": os.urandom(300)})
    a_header, a_segs = segments(a)
    a_key = content_key(a)
    _, b_segs = segments(sealed({"a.bin": os.urandom(300)}))
    with pytest.raises(Tampered):
        open_all(a_header + b"".join(b_segs), key=a_key)
    with pytest.raises(Tampered):
        open_all(a_header + a_segs[0] + b"".join(b_segs[1:]), key=a_key)


def test_the_wrong_content_key_is_named_as_such() -> None:
    envelope = sealed({"a.txt": b"x"})
    with pytest.raises(WrongKey):
        open_all(envelope, key=content_key(sealed({"a.txt": b"x"})))
    with pytest.raises(WrongKey):
        open_all(envelope, key=Sensitive(b"\x00" * 32))


def test_any_two_of_the_three_holders_open_and_one_alone_cannot() -> None:
    envelope = sealed({"a.txt": b"x" * 300})
    header = read_header(as_stream(envelope))
    keys = [content_key(envelope, pair) for pair in ((0, 1), (0, 2), (1, 2))]
    assert keys[0] == keys[1] == keys[2]
    assert open_all(envelope, key=keys[2])[1] == [("a.txt", b"x" * 300)]
    index, share = unwrap_share(header, HOLDERS[2].private)
    assert index == 3
    with pytest.raises(KeyMismatch):
        recover_key(header, {index: share})
    with pytest.raises(NotARecipient):
        unwrap_share(header, p256.generate().private)


def test_a_share_handed_in_wrong_is_named_before_anything_is_combined() -> None:
    envelope = sealed({"a.txt": b"x"})
    header = read_header(as_stream(envelope))
    shares = dict(unwrap_share(header, h.private) for h in HOLDERS[:2])
    bad = bytearray(shares[2].buffer)
    bad[-1] ^= 1
    with pytest.raises(sealing.BadShare) as err:
        recover_key(header, {1: shares[1], 2: bytes(bad)})
    assert err.value.details["index"] == 2
    with pytest.raises(sealing.BadShare):
        recover_key(header, {1: shares[1], 3: bytes(shares[2].buffer)})  # a share under another index


def test_several_keys_of_one_holder_body_receive_the_same_share() -> None:
    spare = p256.generate()
    envelope = sealed({"a.txt": b"x"}, recipients=[*RECIPIENTS, Recipient(3, spare.public)])
    header = read_header(as_stream(envelope))
    one, two = unwrap_share(header, HOLDERS[2].private), unwrap_share(header, spare.private)
    assert one[0] == two[0] == 3 and one[1] == two[1]
    first = unwrap_share(header, HOLDERS[0].private)
    assert open_all(envelope, key=recover_key(header, dict([first, two])))[1] == [("a.txt", b"x")]


def test_an_envelope_other_than_the_receipt_names_is_refused() -> None:
    first, second = sealed({"a": b"1"}), sealed({"a": b"1"})
    with pytest.raises(Tampered):
        open_all(second, expected_digest=hashlib.sha256(first).digest())
    open_all(first, expected_digest=hashlib.sha256(first).digest())


def test_upload_check_refuses_a_bid_for_other_keys_threshold_context_or_deadline() -> None:
    header = read_header(as_stream(sealed({"a": b"1"})))
    ok: dict[str, object] = {"expected_context": CTX, "recipients": EXPECTED, "threshold": 2, "deadline": DEADLINE}
    check_header(header, **ok)  # type: ignore[arg-type]
    for changes in (
        {"recipients": EXPECTED[:2]},
        {"recipients": [*EXPECTED[:2], (3, p256.generate().key_id)]},
        {"recipients": [(2, EXPECTED[0][1]), (1, EXPECTED[1][1]), EXPECTED[2]]},
        {"threshold": 3},
    ):
        with pytest.raises(WrongKey):
            check_header(header, **(ok | changes))  # type: ignore[arg-type]
    with pytest.raises(WrongContext) as err:
        check_header(header, **(ok | {"expected_context": SealContext("S", CTX.bidder_id, 1)}))  # type: ignore[arg-type]
    assert err.value.details["fields"] == ["section_id", "version"]
    with pytest.raises(WrongContext) as err:
        check_header(header, **(ok | {"deadline": DEADLINE + 60}))  # type: ignore[arg-type]
    assert err.value.details["fields"] == ["deadline"]


def test_files_stream_out_before_the_whole_envelope_is_read() -> None:
    stream = CountingStream(LARGE)
    opened = open_envelope(LARGE_KEY, stream, CTX)  # type: ignore[arg-type]
    entry, chunks = next(opened.files())
    assert entry.name == "a.bin"
    next(chunks)
    assert stream.position < len(LARGE) // 2
    header_reads, segment_reads = stream.reads[:2], stream.reads[2:]
    assert sum(header_reads) == read_header(as_stream(LARGE)).size
    assert max(segment_reads) <= SEG + 16  # one sealed segment at a time


def test_a_skipped_file_is_still_checked_and_the_next_one_starts_in_the_right_place() -> None:
    a, b = os.urandom(1000), os.urandom(333)
    envelope = sealed({"a": a, "b": b})
    opened = open_envelope(content_key(envelope), as_stream(envelope), CTX)
    got = {entry.name: b"".join(chunks) if entry.name == "b" else None for entry, chunks in opened.files()}
    assert got == {"a": None, "b": b}
    assert opened.digest is not None
    with pytest.raises(RuntimeError):
        next(opened.files())


def test_sealing_refuses_floats_bad_names_duplicates_and_bad_keys() -> None:
    with pytest.raises(SealingFailed):
        sealed({"a": b""}, form={"price": 1.5})
    for name in ("", ".", "..", "a/b", "a\\b", "a\x00b", " a", "x" * 256):
        with pytest.raises(SealingFailed):
            sealed({name: b""})
    with pytest.raises(SealingFailed):
        seal(RECIPIENTS, CTX, FORM, [BidFile("a", b""), BidFile("a", b"1")], io.BytesIO(), threshold=2, deadline=1)
    pub = RECIPIENTS[0].public
    for recipients in (
        [Recipient(1, pub[:-1] + bytes([pub[-1] ^ 1])), *RECIPIENTS[1:]],
        RECIPIENTS[1:],  # indices must start at 1
        [*RECIPIENTS, RECIPIENTS[0]],  # the same key twice
        [],
    ):
        with pytest.raises(SealingFailed):
            sealed({}, recipients=recipients)
    for kw in ({"threshold": 4}, {"threshold": 0}, {"deadline": 0}, {"deadline": 10**12}):
        with pytest.raises(SealingFailed):
            sealed({}, **kw)


def test_a_file_changed_while_being_sealed_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bid.pdf"
    path.write_bytes(b"price 100")

    class ChangesFileOnFirstWrite(io.BytesIO):
        def write(self, data: object) -> int:
            path.write_bytes(b"price 999")
            return super().write(data)  # type: ignore[arg-type]

    with pytest.raises(SealingFailed):
        seal(
            RECIPIENTS,
            CTX,
            FORM,
            [BidFile("bid.pdf", path)],
            ChangesFileOnFirstWrite(),
            segment_size=SEG,
            threshold=2,
            deadline=DEADLINE,
        )


def test_secrets_do_not_show_in_reprs_or_pickles() -> None:
    key = p256.generate()
    scalar_hex = key.private.buffer.hex()
    assert scalar_hex not in repr(key) and scalar_hex not in str(key.private)
    with pytest.raises(TypeError):
        pickle.dumps(key.private)
    key.wipe()
    assert key.private.wiped and len(key.private) == 0


def test_errors_carry_chinese_messages_and_no_plaintext() -> None:
    envelope = bytearray(sealed({"a.txt": b"secret price 777"}, form={"price": "777.00"}))
    envelope[-1] ^= 1
    with pytest.raises(Tampered) as err:
        open_all(bytes(envelope))
    text = f"{err.value} {err.value.details!r} {err.value!r}"
    assert "篡改" in text and "777" not in text
