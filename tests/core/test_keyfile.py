"""Key holders' key files (CLI) and browser backups: one format, passphrase-encrypted, never the server's."""

from __future__ import annotations

import json

import pytest

from ggzy.sealing import keyfile, p256
from ggzy.sealing.keyfile import BadKeyFile, KeyFile, KeyFileError, WrongPassphrase

FAST = 1000
PASS = "Holder-Pass-2026"


def test_a_key_file_unwraps_with_its_passphrase_and_names_its_public_key() -> None:
    rec = keyfile.create(PASS, iterations=FAST, label="交易中心 张三")
    with keyfile.unwrap(KeyFile.from_json(rec.to_json()), PASS) as private:
        assert p256.public_from_private(private) == rec.public
    doc = json.loads(rec.to_json())
    assert set(doc) == {"format", "kdf", "iterations", "label", "public", "salt", "blob"}
    assert doc["format"] == "ggzy-keyholder-key/1" and doc["kdf"] == "pbkdf2-sha256" and doc["label"] == "交易中心 张三"


def test_a_wrong_passphrase_or_an_altered_file_is_refused() -> None:
    rec = keyfile.create(PASS, iterations=FAST)
    with pytest.raises(WrongPassphrase):
        keyfile.unwrap(rec, PASS + "x")
    other = keyfile.create(PASS, iterations=FAST)
    for forged in (
        KeyFile(other.public, rec.salt, rec.blob, rec.iterations),  # someone else's public key
        KeyFile(rec.public, rec.salt, rec.blob, rec.iterations + 1),  # a cheaper or dearer KDF claimed
        KeyFile(rec.public, other.salt, rec.blob, rec.iterations),
    ):
        with pytest.raises(WrongPassphrase):
            keyfile.unwrap(forged, PASS)


def test_nfc_and_nfd_passphrases_are_the_same() -> None:
    rec = keyfile.create("Caf\u00e9-密码-2026", iterations=FAST)
    keyfile.unwrap(rec, "Cafe\u0301-密码-2026").wipe()


def test_rewrap_keeps_the_key_pair_under_a_new_passphrase() -> None:
    rec = keyfile.create(PASS, iterations=FAST)
    backup = keyfile.rewrap(rec, PASS, "Backup-Pass-2026")
    assert backup.public == rec.public and backup.salt != rec.salt
    with pytest.raises(WrongPassphrase):
        keyfile.unwrap(backup, PASS)
    with keyfile.unwrap(backup, "Backup-Pass-2026") as a, keyfile.unwrap(rec, PASS) as b:
        assert a == b


@pytest.mark.parametrize(
    "change",
    [
        {"format": "ggzy-keyholder-key/0"},
        {"kdf": "scrypt"},
        {"iterations": 1},
        {"iterations": 10**9},
        {"iterations": "1000"},
        {"public": "AAAA"},
        {"salt": "AAAA"},
        {"blob": "not base64!"},
    ],
)
def test_a_malformed_key_file_is_refused_before_any_work(change: dict[str, object]) -> None:
    doc = json.loads(keyfile.create(PASS, iterations=FAST).to_json()) | change
    with pytest.raises(BadKeyFile):
        KeyFile.from_json(json.dumps(doc))
    with pytest.raises(BadKeyFile):
        KeyFile.from_json("[]")


def test_short_passphrases_are_refused_and_secrets_never_show() -> None:
    with pytest.raises(KeyFileError):
        keyfile.create("short", iterations=FAST)
    rec = keyfile.create(PASS, iterations=FAST)
    assert rec.blob.hex() not in repr(rec) and rec.salt.hex() not in repr(rec)
