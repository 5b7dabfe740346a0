"""Signed notes and checkpoints: the Go and C2SP known answers, and refusal of what is not trusted."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ggzy.core import note

NEUMANN_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
NEUMANN_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
NEUMANN_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
NEUMANN_SIG = "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM="
EXAMPLE_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
EXAMPLE_NOTE = (
    "This is an example message.\n\n— example.com/foo "
    "Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n"
)


def neumann_key() -> Ed25519PrivateKey:
    seed = base64.b64decode(NEUMANN_SKEY.split("+", 4)[4])[1:]
    return Ed25519PrivateKey.from_private_bytes(seed)


def test_signing_reproduces_the_go_known_answer_byte_for_byte() -> None:
    signed = note.sign(NEUMANN_TEXT, "PeterNeumann", neumann_key())
    assert signed == NEUMANN_TEXT + "\n— PeterNeumann " + NEUMANN_SIG + "\n"
    raw = neumann_key().public_key().public_bytes_raw()
    assert note.verifier_key("PeterNeumann", raw) == NEUMANN_VKEY


def test_the_c2sp_example_verifies() -> None:
    assert note.open_note(EXAMPLE_NOTE, [EXAMPLE_VKEY]) == "This is an example message.\n"


def test_unknown_signers_are_ignored_but_one_trusted_signature_is_needed() -> None:
    signed = note.sign(NEUMANN_TEXT, "PeterNeumann", neumann_key())
    other = Ed25519PrivateKey.generate()
    cosigned = signed + note.sign(NEUMANN_TEXT, "Someone", other).split("\n\n", 1)[1]
    assert note.open_note(cosigned, [NEUMANN_VKEY]) == NEUMANN_TEXT
    with pytest.raises(note.NoteError, match="no trusted signature"):
        note.open_note(signed, [EXAMPLE_VKEY])


def test_a_bad_signature_from_a_known_key_rejects_the_note() -> None:
    signed = note.sign(NEUMANN_TEXT, "PeterNeumann", neumann_key())
    tampered = signed.replace("answer", "ANSWER")
    with pytest.raises(note.NoteError, match="bad signature"):
        note.open_note(tampered, [NEUMANN_VKEY])


def test_checkpoints_round_trip_and_refuse_malformed_sizes() -> None:
    cp = note.Checkpoint("ggzy.test/log", 42, bytes(range(32)))
    assert note.Checkpoint.parse(cp.text()) == cp
    for bad in ("o\n042\n" + base64.b64encode(bytes(32)).decode() + "\n", "o\n-1\nAA==\n", "o\n1\n"):
        with pytest.raises((note.NoteError, ValueError)):
            note.Checkpoint.parse(bad)
