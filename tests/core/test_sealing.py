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

from ggzy.sealing import (
    BidFile,
    EnvelopeError,
    SealContext,
    SealingFailed,
    Tampered,
    WrongContext,
    WrongKey,
    check_header,
    envelope_digest,
    generate_opening_key,
    open_all,
    open_envelope,
    p256,
    read_header,
    scan,
    seal,
)
from ggzy.sealing.header import encode_header
from ggzy.sealing.manifest import FileEntry, build_manifest
from ggzy.sealing.sensitive import Sensitive
from tests.core.sealing_helpers import CTX, FORM, KEY, SEG, CountingStream, as_stream, sealed, segments

# An envelope sealed by the first version of this code: every later version must still open it.
KAT_SCALAR = int.from_bytes(hashlib.sha256(b"ggzy known-answer opening key").digest(), "big") % p256.ORDER
KAT_ENVELOPE = bytes.fromhex(
    "47475a5942494400010100860000004004efe89a4abcec698214f77a2307d18d2c11fe1b32b1411c184ef18c67a7ad315062"
    "6d1ae62c5b41449ba38a57f1056e1fbbc1bbac2fcdce1b467b07e5abae533bc38fd9b4a28437f11d32d3faf42832766f56e3"
    "17babd57bfbf1c8d481f6211c200064b41542d303100074f52472d4b415400000001c4ca5e5f483e6d0566df8914a489ca2a"
    "bb18765a16eff7f19a6bcd37c32de85d98e9d8ed3175a44680c8e7b34dfb3744d3813dee727b9732ed5a02c815bb031913c3"
    "c1746795ae7686296e4bd4cbd19e96af723a2d3c94e43d85fa8bd5a0bf9a6ee0c900b4bf2c141a02271f44baf2d55540c280"
    "149e790c0939655a031815965eca71325555f4e3ca00c2c0204da05f9a78d41e63a40803e57dd27cf6d495da6a2d5cbd9454"
    "e095237545d8494b769713f9f9e12c0481b3c1682dc95936f905543e954d41d8cc8f6ebfc35058198b17cae0aa6ed30af894"
    "724913626112238e1adaa3c06a7d45d744ca4f3c69fc1ba1f35b36a8a3fcbe1a4f0b0bfb43af9e66c99ac9eaa20f779acb34"
    "8f26cc0b201f35d3c15fc521ec821c38934613"
)

LARGE = sealed({"a.bin": os.urandom(20 * SEG), "b.bin": os.urandom(7 * SEG + 5)})


def _file_size_for_plaintext(total: int, name: str = "f.bin") -> int:
    """The file size that makes the plaintext container (length, manifest, file) exactly `total` bytes."""
    size = 0
    for _ in range(5):
        manifest = build_manifest(FORM, [_entry(name, size)], None)
        size = total - 4 - len(manifest)
    return size


def _entry(name: str, size: int) -> FileEntry:
    return FileEntry(name, max(size, 0), "0" * 64)


def test_the_known_answer_envelope_still_opens() -> None:
    private = Sensitive(KAT_SCALAR.to_bytes(32, "big"))
    manifest, files = open_all(private, KAT_ENVELOPE, SealContext("KAT-01", "ORG-KAT", 1))
    assert manifest["form"] == {"price": "100.00", "currency": "CNY"}
    assert files == [("a.txt", b"known answer")]


@pytest.mark.parametrize("extra", [1, SEG - 1, SEG, SEG + 1, 2 * SEG, 5 * SEG - 1, 5 * SEG, 5 * SEG + 1])
def test_round_trip_at_every_segment_boundary(extra: int) -> None:
    base = 4 + len(build_manifest(FORM, [_entry("f.bin", 0)], None))
    total = (base // SEG + 1) * SEG + extra  # plaintext ending exactly at, before and after a boundary
    data = os.urandom(_file_size_for_plaintext(total))
    envelope = sealed({"f.bin": data})
    manifest, files = open_all(KEY, envelope, CTX)
    assert files == [("f.bin", data)]
    assert manifest["form"] == FORM
    _, segs = segments(envelope)
    assert len(segs) == -(-total // SEG)  # ceil: no empty trailing segment, ever


@settings(max_examples=40)
@given(st.lists(st.binary(max_size=5 * SEG + 3), max_size=4), st.sampled_from([64, 65, 100, 1024]))
def test_round_trip_for_random_files_and_segment_sizes(contents: list[bytes], seg: int) -> None:
    files = {f"文件{i}.bin": c for i, c in enumerate(contents)}
    manifest, opened = open_all(KEY, sealed(files, seg=seg), CTX)
    assert dict(opened) == files
    assert [f["size"] for f in manifest["files"]] == [len(c) for c in contents]


def test_the_receipt_digest_is_the_sha256_of_the_exact_bytes() -> None:
    out = io.BytesIO()
    result = seal(KEY.public, CTX, FORM, [BidFile("a", b"x" * 500)], out, segment_size=SEG)
    data = out.getvalue()
    assert result.digest == hashlib.sha256(data).digest() == envelope_digest(as_stream(data))
    assert scan(as_stream(data)).digest == result.digest and result.size == len(data)


def test_any_single_flipped_bit_anywhere_is_refused() -> None:
    envelope = sealed({"a.txt": b"price 1234567.89"}, seg=SEG)
    for pos in range(len(envelope)):
        for bit in range(8):
            bad = bytearray(envelope)
            bad[pos] ^= 1 << bit
            with pytest.raises(EnvelopeError):
                open_all(KEY, bytes(bad), CTX)


@settings(max_examples=60)
@given(st.data())
def test_a_flipped_bit_in_a_larger_envelope_is_refused_as_tampering(data: st.DataObject) -> None:
    envelope = LARGE
    size = read_header(as_stream(envelope)).size
    pos = data.draw(st.integers(size, len(envelope) - 1))
    bad = bytearray(envelope)
    bad[pos] ^= 1 << data.draw(st.integers(0, 7))
    with pytest.raises(Tampered):
        open_all(KEY, bytes(bad), CTX)


def test_swapping_two_segments_is_refused() -> None:
    header, segs = segments(LARGE)
    for i, j in [(0, 1), (3, 7), (len(segs) - 2, len(segs) - 1)]:
        swapped = list(segs)
        swapped[i], swapped[j] = swapped[j], swapped[i]
        with pytest.raises(Tampered):
            open_all(KEY, header + b"".join(swapped), CTX)


def test_truncation_at_any_segment_boundary_or_inside_a_segment_is_refused() -> None:
    header, segs = segments(LARGE)
    for keep in range(len(segs)):
        with pytest.raises(Tampered):
            open_all(KEY, header + b"".join(segs[:keep]), CTX)
    for cut in (1, 15, 16, 17, SEG + 15):
        with pytest.raises(Tampered):
            open_all(KEY, LARGE[:-cut], CTX)


def test_appending_or_dropping_segments_is_refused() -> None:
    header, segs = segments(LARGE)
    for bad in (LARGE + segs[-1], LARGE + segs[0], LARGE + b"\x00", LARGE + os.urandom(SEG + 16)):
        with pytest.raises(Tampered):
            open_all(KEY, bad, CTX)
    with pytest.raises(Tampered):
        open_all(KEY, header + b"".join(segs[:3] + segs[4:]), CTX)


def test_a_bid_copied_to_another_section_bidder_or_version_is_refused() -> None:
    envelope = sealed({"a.txt": b"x"})
    for other in (
        SealContext("XX-2026-0042-02", CTX.bidder_id, CTX.version),
        SealContext(CTX.section_id, "91410700MA44AB1C2E", CTX.version),
        SealContext(CTX.section_id, CTX.bidder_id, CTX.version + 1),
    ):
        with pytest.raises(WrongContext):
            open_all(KEY, envelope, other)


def test_rewriting_the_header_to_claim_another_context_breaks_decryption() -> None:
    envelope = sealed({"a.txt": b"price"})
    header = read_header(as_stream(envelope))
    other = SealContext(CTX.section_id, "ANOTHER-BIDDER", CTX.version)
    forged = encode_header(
        segment_size=header.segment_size,
        ephemeral_public=header.ephemeral_public,
        recipient_key_id=header.recipient_key_id,
        context=other,
    )
    with pytest.raises(Tampered):
        open_all(KEY, forged + envelope[header.size :], other)


def test_segments_spliced_between_two_bids_of_the_same_context_are_refused() -> None:
    a_header, a_segs = segments(sealed({"a.bin": os.urandom(300)}))
    _, b_segs = segments(sealed({"a.bin": os.urandom(300)}))
    with pytest.raises(Tampered):
        open_all(KEY, a_header + b"".join(b_segs), CTX)
    with pytest.raises(Tampered):
        open_all(KEY, a_header + a_segs[0] + b"".join(b_segs[1:]), CTX)


def test_the_wrong_opening_key_is_named_as_such() -> None:
    envelope = sealed({"a.txt": b"x"})
    with pytest.raises(WrongKey):
        open_all(generate_opening_key(), envelope, CTX)
    with pytest.raises(WrongKey):
        open_all(Sensitive(b"\x00" * 32), envelope, CTX)


def test_a_key_id_rewritten_to_the_openers_key_still_fails() -> None:
    other = generate_opening_key()
    envelope = sealed({"a.txt": b"x"})
    header = read_header(as_stream(envelope))
    forged = encode_header(
        segment_size=header.segment_size,
        ephemeral_public=header.ephemeral_public,
        recipient_key_id=other.key_id,
        context=CTX,
    )
    with pytest.raises(Tampered):
        open_all(other, forged + envelope[header.size :], CTX)


def test_an_envelope_other_than_the_receipt_names_is_refused() -> None:
    first, second = sealed({"a": b"1"}), sealed({"a": b"1"})
    with pytest.raises(Tampered):
        open_all(KEY, second, CTX, expected_digest=hashlib.sha256(first).digest())
    open_all(KEY, first, CTX, expected_digest=hashlib.sha256(first).digest())


def test_upload_check_refuses_a_bid_for_another_key_or_context() -> None:
    header = read_header(as_stream(sealed({"a": b"1"})))
    check_header(header, expected_context=CTX, recipient_key_id=KEY.key_id)
    with pytest.raises(WrongKey):
        check_header(header, expected_context=CTX, recipient_key_id=generate_opening_key().key_id)
    with pytest.raises(WrongContext) as err:
        check_header(header, expected_context=SealContext("S", CTX.bidder_id, 1), recipient_key_id=KEY.key_id)
    assert err.value.details["fields"] == ["section_id", "version"]


def test_files_stream_out_before_the_whole_envelope_is_read() -> None:
    stream = CountingStream(LARGE)
    opened = open_envelope(KEY, stream, CTX)  # type: ignore[arg-type]
    entry, chunks = next(opened.files())
    assert entry.name == "a.bin"
    next(chunks)
    assert stream.position < len(LARGE) // 2
    header_reads, segment_reads = stream.reads[:2], stream.reads[2:]
    assert sum(header_reads) == read_header(as_stream(LARGE)).size
    assert max(segment_reads) <= SEG + 16  # one sealed segment at a time


def test_a_skipped_file_is_still_checked_and_the_next_one_starts_in_the_right_place() -> None:
    a, b = os.urandom(1000), os.urandom(333)
    opened = open_envelope(KEY, as_stream(sealed({"a": a, "b": b})), CTX)
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
            seal(KEY.public, CTX, FORM, [BidFile(name, b"")], io.BytesIO())
    with pytest.raises(SealingFailed):
        seal(KEY.public, CTX, FORM, [BidFile("a", b""), BidFile("a", b"1")], io.BytesIO())
    with pytest.raises(SealingFailed):
        seal(KEY.public[:-1] + bytes([KEY.public[-1] ^ 1]), CTX, FORM, [], io.BytesIO())


def test_a_file_changed_while_being_sealed_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bid.pdf"
    path.write_bytes(b"price 100")

    class ChangesFileOnFirstWrite(io.BytesIO):
        def write(self, data: object) -> int:
            path.write_bytes(b"price 999")
            return super().write(data)  # type: ignore[arg-type]

    with pytest.raises(SealingFailed):
        seal(KEY.public, CTX, FORM, [BidFile("bid.pdf", path)], ChangesFileOnFirstWrite(), segment_size=SEG)


def test_secrets_do_not_show_in_reprs_or_pickles() -> None:
    key = generate_opening_key()
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
        open_all(KEY, bytes(envelope), CTX)
    text = f"{err.value} {err.value.details!r} {err.value!r}"
    assert "篡改" in text and "777" not in text
