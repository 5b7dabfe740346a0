"""档案核验 — `ggzy archive verify FILE`, offline: every file against the manifest, the manifest against the digest
the log recorded, every event's entry against its inclusion proof and the signed checkpoint in the zip.

Pure: reads the zip only (no database, no key but the verifier key, given or the one in the zip). A changed byte
anywhere fails it, naming the file.
"""

from __future__ import annotations

import base64
import hashlib
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ggzy.core import merkle, note

FORMAT = "ggzy-dossier/1"
CHUNK = 4 << 20


@dataclass
class Report:
    sections: int = 0
    files: int = 0
    bytes: int = 0
    events: int = 0
    problems: list[str] = field(default_factory=list)
    key_from_zip: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


def _hash_member(z: zipfile.ZipFile, name: str) -> tuple[str, int]:
    h, size = hashlib.sha256(), 0
    with z.open(name) as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


def _checkpoint(z: zipfile.ZipFile, verifier: str | None, report: Report) -> note.Checkpoint | None:
    try:
        text = z.read("log/checkpoint.txt").decode()
        key = verifier or z.read("log/verifier.txt").decode().strip()
        report.key_from_zip = verifier is None
        return note.Checkpoint.parse(note.open_note(text, [key]))
    except (KeyError, UnicodeDecodeError, ValueError, zipfile.BadZipFile) as exc:
        report.problems.append(f"log/checkpoint.txt：签名检查点无效（{exc}）")
        return None


def _events(
    z: zipfile.ZipFile, cp: note.Checkpoint, report: Report
) -> tuple[dict[int, dict[str, Any]], dict[str, int]]:
    """The events whose inclusion in the checkpoint's tree verifies, with their payloads (checked by digest)."""
    try:
        proofs = json.loads(z.read("log/proofs.json"))
    except (KeyError, ValueError, zipfile.BadZipFile) as exc:
        report.problems.append(f"log/proofs.json：无法读取（{exc}）")
        return {}, {}
    if proofs.get("size") != cp.size:
        report.problems.append("log/proofs.json：证明所用的树大小与签名检查点不符")
        return {}, {}
    good: dict[int, dict[str, Any]] = {}
    for key, ev in proofs.get("events", {}).items():
        seq = int(key)
        try:
            entry = base64.b64decode(ev["entry"], validate=True)
            proof = [base64.b64decode(h, validate=True) for h in ev["proof"]]
            fields = json.loads(entry)
        except (KeyError, ValueError, TypeError):
            report.problems.append(f"log/proofs.json：事件 {seq} 的记录格式不正确")
            continue
        if fields.get("seq") != seq or not merkle.verify_inclusion(
            seq, cp.size, merkle.leaf_hash(entry), proof, cp.root
        ):
            report.problems.append(f"log/proofs.json：事件 {seq} 的包含证明不成立")
            continue
        if hashlib.sha256(str(ev.get("payload", "")).encode()).hexdigest() != fields.get("digest"):
            report.problems.append(f"log/proofs.json：事件 {seq} 的内容与日志摘要不符")
            continue
        good[seq] = {**fields, "payload": json.loads(ev["payload"])}
        report.events += 1
    return good, {str(k): int(v) for k, v in proofs.get("dossiers", {}).items() if v is not None}


def verify(path: Path, *, verifier: str | None = None) -> Report:
    report = Report()
    try:
        z = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        report.problems.append(f"{path.name}：不是有效的档案文件（{exc}）")
        return report
    with z:
        cp = _checkpoint(z, verifier, report)
        if cp is None:
            return report
        logged, sealed = _events(z, cp, report)
        names = set(z.namelist())
        covered = {"log/checkpoint.txt", "log/verifier.txt", "log/proofs.json"}
        for manifest_name in sorted(n for n in names if n.endswith("/manifest.json") and n.count("/") == 1):
            code = manifest_name.split("/")[0]
            covered.add(manifest_name)
            report.sections += 1
            body = z.read(manifest_name)
            seal = logged.get(sealed.get(code, -1))
            if seal is None or seal["payload"].get("manifest_sha256") != hashlib.sha256(body).hexdigest():
                report.problems.append(f"{manifest_name}：档案清单的摘要与日志中封存时记录的不符")
                continue
            manifest = json.loads(body)
            if manifest.get("format") != FORMAT:
                report.problems.append(f"{manifest_name}：未知的档案格式")
                continue
            for f in manifest["files"]:
                name = f"{code}/files/{f['path']}"
                covered.add(name)
                if name not in names:
                    report.problems.append(f"{name}：档案中缺少该文件")
                    continue
                try:
                    digest, size = _hash_member(z, name)
                except zipfile.BadZipFile as exc:
                    report.problems.append(f"{name}：文件已被改动（{exc}）")
                    continue
                if digest != f["sha256"] or size != f["size"]:
                    report.problems.append(f"{name}：文件摘要与档案清单不符（已被改动）")
                    continue
                if f.get("event") is not None and f["event"] not in logged:
                    report.problems.append(f"{name}：记录它的日志事件 {f['event']} 没有有效的包含证明")
                    continue
                report.files += 1
                report.bytes += size
        for extra in sorted(names - covered):
            report.problems.append(f"{extra}：档案清单中没有该文件")
    return report
