"""HPKE share delivery: RFC 9180 test vector A.3.1 (DHKEM(P-256, HKDF-SHA256), HKDF-SHA256, AES-128-GCM, base)."""

from __future__ import annotations

import pytest
from cryptography.hazmat.bindings._rust import openssl as rust_openssl
from cryptography.hazmat.primitives.asymmetric import ec

from ggzy.sealing import hpke, p256
from ggzy.sealing.sensitive import Sensitive
from tests.vectors import hpke_reference as ref

# RFC 9180, Appendix A.3.1 (https://www.rfc-editor.org/rfc/rfc9180#appendix-A.3.1), copied as published.
INFO = bytes.fromhex("4f6465206f6e2061204772656369616e2055726e")  # "Ode on a Grecian Urn"
SK_EM = bytes.fromhex("4995788ef4b9d6132b249ce59a77281493eb39af373d236a1fe415cb0c2d7beb")
PK_EM = bytes.fromhex(
    "04a92719c6195d5085104f469a8b9814d5838ff72b60501e2c4466e5e67b325ac98536d7b61a1af4b78e5b7f951c0900be863c403ce65c9bfcb9382657222d18c4"
)
PK_RM = bytes.fromhex(
    "04fe8c19ce0905191ebc298a9245792531f26f0cece2460639e8bc39cb7f706a826a779b4cf969b8a0e539c7f62fb3d30ad6aa8f80e30f1d128aafd68a2ce72ea0"
)
SK_RM = bytes.fromhex("f3ce7fdae57e1a310d87f1ebbde6f328be0a99cdbcadf4d6589cf29de4b8ffd2")
SHARED_SECRET = bytes.fromhex("c0d26aeab536609a572b07695d933b589dcf363ff9d93c93adea537aeabb8cb8")
KEY = bytes.fromhex("868c066ef58aae6dc589b6cfdd18f97e")
BASE_NONCE = bytes.fromhex("4e0bc5018beba4bf004cca59")
PT = bytes.fromhex("4265617574792069732074727574682c20747275746820626561757479")  # "Beauty is truth, truth beauty"
AAD0 = bytes.fromhex("436f756e742d30")  # "Count-0"
CT0 = bytes.fromhex("5ad590bb8baa577f8619db35a36311226a896e7342a6d836d8b7bcd2f20b6c7f9076ac232e3ab2523f39513434")


def test_the_suite_is_the_one_of_vector_a3() -> None:
    assert hpke.SUITE_IDS == (ref.KEM_ID, ref.KDF_ID, ref.AEAD_ID) == (0x0010, 0x0001, 0x0001)


def test_cryptography_opens_the_rfc_ciphertext() -> None:
    sk = ec.derive_private_key(int.from_bytes(SK_RM, "big"), ec.SECP256R1())
    opened = rust_openssl.hpke._decrypt_with_aad(hpke.SUITE, PK_EM + CT0, sk, INFO, AAD0)
    assert opened == PT


def test_the_reference_key_schedule_reproduces_every_published_value() -> None:
    shared, enc = ref.encap(PK_RM, SK_EM)
    assert (shared, enc) == (SHARED_SECRET, PK_EM)
    assert ref.key_schedule(shared, INFO) == (KEY, BASE_NONCE)
    assert ref.seal(PK_RM, SK_EM, PT, INFO, AAD0) == PK_EM + CT0


def test_the_platform_and_the_reference_read_each_other() -> None:
    holder = Sensitive(SK_RM)
    # what the reference seals with an empty AAD (the platform's use) opens with the platform's HPKE
    sealed = ref.seal(PK_RM, SK_EM, b"a share", INFO)
    assert bytes(hpke.open_sealed(holder, sealed, INFO).buffer) == b"a share"
    # and the platform's own sealing, with a fresh ephemeral key each time, opens too
    a, b = hpke.seal(PK_RM, b"a share", INFO), hpke.seal(PK_RM, b"a share", INFO)
    assert a != b and a[:1] == b"\x04" and len(a) == hpke.ENC_LEN + 7 + hpke.TAG_LEN
    assert bytes(hpke.open_sealed(holder, a, INFO).buffer) == b"a share"


def test_another_info_key_or_any_changed_byte_is_unreadable() -> None:
    holder = Sensitive(SK_RM)
    sealed = hpke.seal(PK_RM, b"share", INFO)
    with pytest.raises(hpke.Unreadable):
        hpke.open_sealed(holder, sealed, INFO + b"!")
    with pytest.raises(hpke.Unreadable):
        hpke.open_sealed(p256.generate().private, sealed, INFO)
    for pos in (0, 1, 64, 65, len(sealed) - 1):
        bad = bytearray(sealed)
        bad[pos] ^= 1
        with pytest.raises(hpke.Unreadable):
            hpke.open_sealed(holder, bytes(bad), INFO)
    with pytest.raises(hpke.Unreadable):
        hpke.open_sealed(holder, sealed[:70], INFO)
