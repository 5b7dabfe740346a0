"""The sealed dossier: every file with the event that recorded it, one manifest digest in the log, an export an
auditor verifies offline, and a changed byte that fails it naming the file."""

from __future__ import annotations

import json
import struct
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy.orm import Session

from ggzy.award import archive, contracts, queries, service
from ggzy.award.cli import archive as archive_cli
from ggzy.award.verify import verify
from ggzy.bidding import keys as opening_keys
from ggzy.core import transparency
from ggzy.core.actor import system
from ggzy.core.clock import FixedClock
from ggzy.core.errors import Forbidden, RuleViolation
from ggzy.core.files import FileStore
from ggzy.core.keys import Keys
from ggzy.core.notify import MemoryNotifier
from ggzy.core.roles import Role
from ggzy.entities.service import Identity
from ggzy.projects import queries as projects
from ggzy.projects.states import SectionStatus
from tests.award.builders import Trade, a_reported_section, after_publicity, published
from tests.builders import a_user

ORIGIN = "test.ggzy/log/v1"


def signed(session: Session, clock: FixedClock, trade: Trade, files: FileStore) -> None:
    a = published(session, clock, trade)
    objection = service.file_objection(
        session, trade.candidate(2).actor, section_id=trade.section_id, text="异议", clock=clock
    )
    service.answer_objection(session, trade.tenderer.actor, objection_id=objection.id, answer="答复", clock=clock)
    after_publicity(clock, a)
    winner = trade.candidate(1)
    service.award(
        session,
        trade.tenderer.actor,
        section_id=trade.section_id,
        winner_org_id=winner.user.org_id,
        clock=clock,
        files=files,
        notifier=MemoryNotifier(),
    )
    contracts.create_contract(
        session,
        trade.tenderer.actor,
        section_id=trade.section_id,
        amount=str(a.candidates and queries.candidates(a)[0]["price"]),
        security="0",
        clock=clock,
        files=files,
    )
    contracts.sign_contract(session, winner.actor, section_id=trade.section_id, clock=clock)
    contracts.sign_contract(session, trade.tenderer.actor, section_id=trade.section_id, clock=clock)


@pytest.fixture
def trade(
    session: Session, clock: FixedClock, ident: Identity, files: FileStore, opening_env: opening_keys.KeyEnv, keys: Keys
) -> Trade:
    return a_reported_section(session, clock, ident, files, opening_env, keys, bidders=3)


def export(
    session: Session, clock: FixedClock, trade: Trade, files: FileStore, env: opening_keys.KeyEnv, keys: Keys, out: Path
) -> None:
    code = projects.get_project(session, trade.room.section.project_id).code
    archive.export(session, project_code=code, out=out, files=files, env=env, keys=keys, origin=ORIGIN, clock=clock)


def test_a_running_trade_cannot_be_sealed_or_exported(
    session: Session,
    clock: FixedClock,
    trade: Trade,
    files: FileStore,
    opening_env: opening_keys.KeyEnv,
    keys: Keys,
    tmp_path: Path,
) -> None:
    published(session, clock, trade)
    with pytest.raises(RuleViolation, match="交易结束"):
        archive.seal(session, system(), section_id=trade.section_id, clock=clock, files=files, env=opening_env)
    with pytest.raises(RuleViolation, match="交易尚未结束"):
        export(session, clock, trade, files, opening_env, keys, tmp_path / "x.zip")
    assert queries.dossier_of(session, trade.section_id) is None
    assert not (tmp_path / "x.zip").exists()


def test_the_dossier_is_sealed_exported_and_verified_offline_and_one_flipped_byte_fails_naming_the_file(
    session: Session,
    clock: FixedClock,
    trade: Trade,
    files: FileStore,
    opening_env: opening_keys.KeyEnv,
    keys: Keys,
    tmp_path: Path,
) -> None:
    signed(session, clock, trade, files)
    d = archive.seal(session, system(), section_id=trade.section_id, clock=clock, files=files, env=opening_env)
    assert SectionStatus(projects.get_section(session, trade.section_id).status) is SectionStatus.ARCHIVED
    assert d.retention_years >= 15 and d.retain_until.year - d.sealed_at.year >= 15 and "第56条" in d.retention_basis
    manifest = archive.manifest_of(files, d)
    kinds = {f["kind"] for f in manifest["files"]}
    assert {
        "notice",
        "document",
        "bid",
        "bid-form",
        "opening",
        "sheet",
        "report",
        "objection",
        "award",
        "contract",
    } <= kinds
    assert all(f["event"] is not None for f in manifest["files"])
    out = tmp_path / "dossier.zip"
    export(session, clock, trade, files, opening_env, keys, out)
    report = verify(out)
    assert report.ok, report.problems
    assert report.files == len(manifest["files"]) and report.sections == 1
    result = CliRunner().invoke(archive_cli, ["verify", str(out)])
    assert result.exit_code == 0 and "核验通过" in result.output

    bid = next(f for f in manifest["files"] if f["kind"] == "bid")
    name = f"{projects.get_section(session, trade.section_id).code}/files/{bid['path']}"
    with zipfile.ZipFile(out) as z:
        start = z.getinfo(name).header_offset
    data = bytearray(out.read_bytes())
    name_len, extra_len = struct.unpack("<HH", data[start + 26 : start + 30])  # the local header's own lengths
    offset = start + 30 + name_len + extra_len
    data[offset + 3] ^= 0x01
    tampered = tmp_path / "tampered.zip"
    tampered.write_bytes(bytes(data))
    result = CliRunner().invoke(archive_cli, ["verify", str(tampered)])
    assert result.exit_code != 0
    assert name in result.output and "核验通过" not in result.output


def test_a_changed_manifest_or_proof_fails_verification(
    session: Session,
    clock: FixedClock,
    trade: Trade,
    files: FileStore,
    opening_env: opening_keys.KeyEnv,
    keys: Keys,
    tmp_path: Path,
) -> None:
    signed(session, clock, trade, files)
    archive.seal(session, system(), section_id=trade.section_id, clock=clock, files=files, env=opening_env)
    out = tmp_path / "dossier.zip"
    export(session, clock, trade, files, opening_env, keys, out)
    with zipfile.ZipFile(out) as z:
        members = {n: z.read(n) for n in z.namelist()}
    manifest_name = next(n for n in members if n.endswith("manifest.json"))
    m = json.loads(members[manifest_name])
    m["files"] = m["files"][1:]
    for label, changed in (
        ("manifest", {**members, manifest_name: json.dumps(m).encode()}),
        (
            "proofs",
            {**members, "log/proofs.json": members["log/proofs.json"].replace(b'"proof":["', b'"proof":["AAAA', 1)},
        ),
        ("extra", {**members, "extra.txt": b"x"}),
    ):
        path = tmp_path / f"{label}.zip"
        with zipfile.ZipFile(path, "w") as z:
            for n, b in changed.items():
                z.writestr(n, b)
        assert not verify(path).ok, label


def test_auditors_open_any_dossier_and_others_only_their_own(
    session: Session,
    clock: FixedClock,
    ident: Identity,
    trade: Trade,
    files: FileStore,
    opening_env: opening_keys.KeyEnv,
) -> None:
    signed(session, clock, trade, files)
    archive.seal(session, system(), section_id=trade.section_id, clock=clock, files=files, env=opening_env)
    for role in (Role.AUDITOR, Role.INSPECTOR):
        assert archive.get_dossier(session, a_user(session, clock, ident, role=role).actor, trade.section_id)
    assert archive.get_dossier(session, trade.tenderer.actor, trade.section_id)
    for who in (a_user(session, clock, ident, role=Role.TENDERER).actor, trade.candidate(1).actor):
        with pytest.raises(Forbidden):
            archive.get_dossier(session, who, trade.section_id)


def test_the_ocds_release_carries_the_award_and_the_signed_contract(
    session: Session, clock: FixedClock, trade: Trade, files: FileStore
) -> None:
    from ggzy.exchange import ocds

    section = projects.get_section(session, trade.section_id)
    assert "awards" not in ocds.release(session, section, clock=clock)
    signed(session, clock, trade, files)
    release = ocds.release(session, section, clock=clock)
    winner = trade.candidate(1)
    (award,) = release["awards"]
    assert award["suppliers"][0]["name"] and award["value"]["currency"] == "CNY"
    (contract,) = release["contracts"]
    assert contract["awardID"] == award["id"] and contract["dateSigned"]
    suppliers = [p for p in release["parties"] if "supplier" in p["roles"]]
    from ggzy.entities import queries as entities

    name = entities.get_org(session, winner.user.org_id).name
    assert [p["name"] for p in suppliers] == [name] and award["suppliers"][0]["name"] == name


def test_verification_names_what_is_wrong_a_missing_file_a_bad_checkpoint_a_wrong_key_or_not_a_zip(
    session: Session,
    clock: FixedClock,
    trade: Trade,
    files: FileStore,
    opening_env: opening_keys.KeyEnv,
    keys: Keys,
    tmp_path: Path,
) -> None:
    signed(session, clock, trade, files)
    archive.seal(session, system(), section_id=trade.section_id, clock=clock, files=files, env=opening_env)
    out = tmp_path / "dossier.zip"
    export(session, clock, trade, files, opening_env, keys, out)
    with zipfile.ZipFile(out) as z:
        members = {n: z.read(n) for n in z.namelist()}
    bid = next(n for n in members if "/files/bids/" in n)

    def rezip(name: str, changed: dict[str, bytes]) -> Path:
        path = tmp_path / name
        with zipfile.ZipFile(path, "w") as z:
            for n, b in changed.items():
                z.writestr(n, b)
        return path

    missing = verify(rezip("missing.zip", {n: b for n, b in members.items() if n != bid}))
    assert any(bid in p and "缺少" in p for p in missing.problems)
    unsigned = verify(rezip("unsigned.zip", {**members, "log/checkpoint.txt": b"not a note"}))
    assert any("checkpoint" in p for p in unsigned.problems)
    other = "other/log+1234abcd+AaZ0bG9ndGVzdGtleWJ5dGVzMDAwMDAwMDAwMDAwMDAwMDA="
    assert not verify(out, verifier=other).ok
    assert verify(out, verifier=transparency.verifier_key(keys, ORIGIN)).ok
    (tmp_path / "junk.zip").write_bytes(b"PK junk")
    assert not verify(tmp_path / "junk.zip").ok
    proofs = json.loads(members["log/proofs.json"])
    proofs["size"] += 1
    assert not verify(rezip("size.zip", {**members, "log/proofs.json": json.dumps(proofs).encode()})).ok
    proofs = json.loads(members["log/proofs.json"])
    first = next(iter(proofs["events"]))
    proofs["events"][first]["payload"] = "{}"
    bad_payload = verify(rezip("payload.zip", {**members, "log/proofs.json": json.dumps(proofs).encode()}))
    assert any(f"事件 {first}" in p for p in bad_payload.problems)
