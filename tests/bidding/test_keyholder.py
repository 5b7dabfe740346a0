"""`ggzy keyholder init | show | backup`: a holder's key is made and kept on the holder's side; two CLI key
files open a bid that was sealed to their public keys."""

from __future__ import annotations

import base64
import io
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from ggzy import sealing
from ggzy.bidding import keyholder
from ggzy.sealing import BidFile, Recipient, SealContext, keyfile, p256

PASS, BACKUP = "Holder-Pass-2026", "Backup-Pass-2026"
CTX = SealContext("XX-2026-0042-01", "91410700MA44AB1C2D", 1)
DEADLINE = datetime(2027, 1, 1, tzinfo=UTC)


def _init(tmp_path: Path, name: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("GGZY_KEYHOLDER_PASSPHRASE", PASS)
    path = tmp_path / f"{name}.json"
    r = CliRunner().invoke(keyholder.keyholder, ["init", str(path), "--label", name, "--iterations", "1000"])
    assert r.exit_code == 0, r.output
    return path


def test_init_writes_a_private_key_file_and_shows_only_the_public_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _init(tmp_path, "centre", monkeypatch)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    rec = keyfile.KeyFile.from_json(path.read_text())
    shown = CliRunner().invoke(keyholder.keyholder, ["show", str(path)]).output
    assert p256.b64encode(rec.public) in shown and rec.key_id.hex() in shown
    with keyfile.unwrap(rec, PASS) as private:
        assert bytes(private.buffer).hex() not in shown and p256.b64encode(bytes(private.buffer)) not in shown
    again = CliRunner().invoke(keyholder.keyholder, ["init", str(path), "--iterations", "1000"])
    assert again.exit_code == 2 and keyfile.KeyFile.from_json(path.read_text()).public == rec.public


def test_backup_is_the_same_key_under_another_passphrase(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _init(tmp_path, "centre", monkeypatch)
    monkeypatch.setenv("GGZY_KEYHOLDER_BACKUP_PASSPHRASE", BACKUP)
    r = CliRunner().invoke(keyholder.keyholder, ["backup", str(path), str(tmp_path / "backup.json")])
    assert r.exit_code == 0, r.output
    original, backup = (keyfile.KeyFile.from_json(p.read_text()) for p in (path, tmp_path / "backup.json"))
    with keyfile.unwrap(original, PASS) as a, keyfile.unwrap(backup, BACKUP) as b:
        assert a == b
    with pytest.raises(keyfile.WrongPassphrase):
        keyfile.unwrap(backup, PASS)


def test_two_cli_key_files_open_a_bid_and_the_third_is_not_needed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = [keyfile.KeyFile.from_json(_init(tmp_path, n, monkeypatch).read_text()) for n in ("c", "s", "t")]
    out = io.BytesIO()
    sealing.seal(
        [Recipient(i + 1, f.public) for i, f in enumerate(files)],
        CTX,
        {"price": "1.00"},
        [BidFile("a.txt", b"hello")],
        out,
        threshold=2,
        deadline=int(DEADLINE.timestamp()),
    )
    header = sealing.read_header(io.BytesIO(out.getvalue()))
    shares = {}
    for index, rec in ((2, files[1]), (3, files[2])):  # the centre's key file is lost
        with keyfile.unwrap(rec, PASS) as private:
            got = keyholder.unwrap_shares({"b1": header.raw}, private, index=index, now=DEADLINE, deadline=DEADLINE)
        shares[index] = base64.b64decode(got["b1"] or "")
    with sealing.recover_key(header, shares) as key:
        assert sealing.open_all(key, out.getvalue(), CTX)[1] == [("a.txt", b"hello")]
