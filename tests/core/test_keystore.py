"""Key holders' wrapped keys and share delivery: the password opens, nothing else does, and the whole flow works."""

from __future__ import annotations

import io
import json

import pytest

from ggzy import sealing
from ggzy.sealing import BidFile, SealContext, keystore, p256, shamir
from ggzy.sealing.keystore import BadRecord, ScryptParams, ShareUnreadable, WrappedKey, WrongPassword

FAST = ScryptParams(n=2**10, r=8, p=1)  # the production default is 2^17; the format is the same
PASSWORD = "Key-Holder-Pass-2026"
USER = "01HOLDERUSER00000000000001"
SECTION = "XX-2026-0042-01"


@pytest.fixture(scope="module")
def wrapped() -> WrappedKey:
    return keystore.create(PASSWORD, USER, FAST)


def test_the_right_password_unwraps_a_key_matching_the_public_half(wrapped: WrappedKey) -> None:
    with keystore.unwrap(wrapped, PASSWORD, USER) as private:
        assert p256.public_from_private(private) == wrapped.public


def test_a_wrong_password_or_another_user_id_is_refused(wrapped: WrappedKey) -> None:
    for password, user in [("key-holder-pass-2026", USER), (PASSWORD, "01HOLDERUSER00000000000002"), ("", USER)]:
        with pytest.raises(WrongPassword):
            keystore.unwrap(wrapped, password, user)


def test_the_password_is_taken_in_nfc_so_either_input_form_works() -> None:
    rec = keystore.create("Caf\u00e9-密码", USER, FAST)
    keystore.unwrap(rec, "Cafe\u0301-密码", USER).wipe()


def test_a_record_with_a_swapped_public_key_or_cheaper_params_is_refused(wrapped: WrappedKey) -> None:
    other = keystore.create(PASSWORD, USER, FAST)
    with pytest.raises(WrongPassword):  # the public key is in the AAD
        keystore.unwrap(WrappedKey(other.public, wrapped.salt, wrapped.blob, FAST), PASSWORD, USER)
    with pytest.raises(WrongPassword):
        keystore.unwrap(
            WrappedKey(wrapped.public, wrapped.salt, wrapped.blob, ScryptParams(2**11, 8, 1)), PASSWORD, USER
        )


def test_a_doctored_record_cannot_ask_for_unbounded_memory(wrapped: WrappedKey) -> None:
    for params in (
        ScryptParams(2**30, 8, 1),
        ScryptParams(2**10, 1024, 1),
        ScryptParams(1000, 8, 1),
        ScryptParams(2**20, 16, 1),  # each bound alone is fine; together 2 GiB
    ):
        with pytest.raises(BadRecord):
            keystore.unwrap(WrappedKey(wrapped.public, wrapped.salt, wrapped.blob, params), PASSWORD, USER)


def test_records_round_trip_through_json_and_bad_json_is_refused(wrapped: WrappedKey) -> None:
    text = wrapped.to_json()
    assert WrappedKey.from_json(text) == wrapped
    doc = json.loads(text)
    assert set(doc) == {"v", "kdf", "n", "r", "p", "public", "salt", "blob"}
    for bad in ("", "[]", text.replace('"v":1', '"v":2'), text.replace('"kdf":"scrypt"', '"kdf":"md5"'), '{"v":1}'):
        with pytest.raises(BadRecord):
            WrappedKey.from_json(bad)


def test_rewrap_keeps_the_key_pair_and_retires_the_old_password(wrapped: WrappedKey) -> None:
    new = keystore.rewrap(wrapped, PASSWORD, "A-New-Pass-2027", USER)
    assert new.public == wrapped.public and new.salt != wrapped.salt
    with pytest.raises(WrongPassword):
        keystore.unwrap(new, PASSWORD, USER)
    with keystore.unwrap(new, "A-New-Pass-2027", USER) as a, keystore.unwrap(wrapped, PASSWORD, USER) as b:
        assert a == b
    with pytest.raises(WrongPassword):
        keystore.rewrap(wrapped, "wrong", "x", USER)


def test_a_sealed_share_opens_only_for_its_holder_section_and_unchanged(wrapped: WrappedKey) -> None:
    opening = sealing.generate_opening_key()
    share = shamir.split(opening.private, public=opening.public, threshold=2, count=3)[0]
    blob = keystore.seal_share(share, wrapped.public, section_id=SECTION, holder_id=USER)
    with keystore.unwrap(wrapped, PASSWORD, USER) as holder:
        with keystore.open_share(blob, holder, section_id=SECTION, holder_id=USER) as opened:
            assert opened == share
        for section, user in [("XX-2026-0042-02", USER), (SECTION, "01HOLDERUSER00000000000002")]:
            with pytest.raises(ShareUnreadable):
                keystore.open_share(blob, holder, section_id=section, holder_id=user)
        for pos in (0, 1, 40, 70, len(blob) - 1):
            bad = bytearray(blob)
            bad[pos] ^= 1
            with pytest.raises(ShareUnreadable):
                keystore.open_share(bytes(bad), holder, section_id=SECTION, holder_id=USER)
        with pytest.raises(ShareUnreadable):
            keystore.open_share(blob[:50], holder, section_id=SECTION, holder_id=USER)
    other = keystore.create(PASSWORD, USER, FAST)
    with keystore.unwrap(other, PASSWORD, USER) as stranger, pytest.raises(ShareUnreadable):
        keystore.open_share(blob, stranger, section_id=SECTION, holder_id=USER)


def test_the_whole_flow_from_publication_to_opening() -> None:
    """Publication: split, commit, seal shares to holders. Opening: unwrap, open shares, check, combine, open."""
    holders = {f"holder{i}": keystore.create(f"Pass-{i}-2026", f"holder{i}", FAST) for i in range(1, 6)}
    opening = sealing.generate_opening_key()
    public = opening.public
    shares = shamir.split(opening.private, public=public, threshold=3, count=5)
    logged = shamir.commitments(shares, SECTION)
    delivered = {
        uid: keystore.seal_share(s, rec.public, section_id=SECTION, holder_id=uid)
        for (uid, rec), s in zip(holders.items(), shares, strict=True)
    }
    secrets_at_rest = [bytes(opening.private.buffer), *(bytes(s.buffer) for s in shares)]
    opening.wipe()
    for s in shares:
        s.wipe()

    ctx = SealContext(SECTION, "91410700MA44AB1C2D", 1)
    out = io.BytesIO()
    sealing.seal(public, ctx, {"price": "88.00"}, [BidFile("bid.pdf", b"%PDF-1.4 ...")], out)

    recovered = []
    for uid in ("holder2", "holder5", "holder4"):
        with keystore.unwrap(holders[uid], f"Pass-{uid[-1]}-2026", uid) as holder_key:
            raw = keystore.open_share(delivered[uid], holder_key, section_id=SECTION, holder_id=uid)
        with raw:
            recovered.append(shamir.Share.decode(raw.buffer))
    shamir.check_shares(recovered, SECTION, logged)
    with shamir.combine(recovered, public=public) as private:
        manifest, files = sealing.open_all(private, out.getvalue(), ctx)
    assert manifest["form"] == {"price": "88.00"} and files == [("bid.pdf", b"%PDF-1.4 ...")]
    assert private.wiped

    # B2 for these artefacts: what the server stores holds no key, share or bid plaintext
    stored = b"".join([out.getvalue(), *delivered.values(), *logged.values()])
    stored += "".join(rec.to_json() for rec in holders.values()).encode()
    leaked = [i for i, secret in enumerate([*secrets_at_rest, b"88.00", b"bid.pdf", b"%PDF"]) if secret in stored]
    assert leaked == []  # indices only: a failure must not print the secret itself
