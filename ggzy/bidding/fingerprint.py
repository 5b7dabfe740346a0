"""机器特征码 — a fingerprint of the sealing machine (MAC addresses, machine id, disk serials), 电子办法 art. 49.

The supervision platform compares fingerprints across bidders: several bids from one machine are a sign
of collusion (条例 art. 40). Each identifier is hashed on its own (domain-separated SHA-256), and all of
them together give one `fingerprint`, so a second network card or a USB disk changes the whole but
leaves the parts comparable. Hashing is pseudonymisation, not anonymity: a MAC address has few enough
values to be found again from its hash.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ggzy.core import canonical

LABEL = "ggzy/machine/v1"
_MAC = re.compile(r"[0-9a-f]{2}(:[0-9a-f]{2}){5}")
_VIRTUAL_DISKS = ("loop", "ram", "zram", "dm-", "md", "sr", "nbd")


@dataclass(frozen=True)
class MachineIds:
    macs: tuple[str, ...] = ()
    machine_id: str | None = None
    disk_serials: tuple[str, ...] = ()

    def normalised(self) -> MachineIds:
        macs = sorted({m.strip().lower().replace("-", ":") for m in self.macs} - {"00:00:00:00:00:00"})
        disks = sorted({d.strip() for d in self.disk_serials if d.strip()})
        mid = (self.machine_id or "").strip().lower() or None
        return MachineIds(tuple(m for m in macs if _MAC.fullmatch(m)), mid, tuple(disks))


def _h(kind: str, value: str) -> str:
    return hashlib.sha256(f"{LABEL}\x00{kind}\x00{value}".encode()).hexdigest()


def fingerprint(ids: MachineIds) -> dict[str, Any]:
    """Pure: the hashes recorded in the sealed manifest's supervision block."""
    n = ids.normalised()
    whole = canonical.dumpb({"macs": list(n.macs), "machine_id": n.machine_id, "disks": list(n.disk_serials)})
    return {
        "algorithm": "sha256",
        "fingerprint": hashlib.sha256(LABEL.encode() + b"\x00all\x00" + whole).hexdigest(),
        "macs": [_h("mac", m) for m in n.macs],
        "machine_id": _h("machine-id", n.machine_id) if n.machine_id else None,
        "disks": [_h("disk", d) for d in n.disk_serials],
    }


def mac_from_node(node: int) -> str | None:
    """`uuid.getnode()` as a MAC address, or None when it is a random number (multicast bit set)."""
    if node >> 40 & 1:
        return None
    return ":".join(f"{b:02x}" for b in node.to_bytes(6, "big"))


def collect(
    root: Path = Path("/"),
    *,
    node: Callable[[], int] = uuid.getnode,
    lsblk: Callable[[], list[str]] | None = None,
) -> MachineIds:
    """Read what this machine exposes without privileges (Linux paths; elsewhere the MAC from `uuid.getnode`)."""
    macs = _physical_macs(root)
    if not macs and (mac := mac_from_node(node())):
        macs = [mac]
    disks = _read_all(root.glob("sys/block/*/device/serial"), skip_virtual=True)
    if not disks:
        disks = (lsblk or _lsblk_serials)()
    return MachineIds(tuple(macs), _machine_id(root), tuple(disks))


def _physical_macs(root: Path) -> list[str]:
    """Interfaces backed by a device (not lo, bridges, veth or tunnels, which come and go)."""
    return [
        text
        for addr in sorted(root.glob("sys/class/net/*/address"))
        if (addr.parent / "device").exists() and (text := _read(addr))
    ]


def _machine_id(root: Path) -> str | None:
    for rel in ("etc/machine-id", "var/lib/dbus/machine-id"):
        if value := _read(root / rel):
            return value
    return None


def _read_all(paths: Iterable[Path], *, skip_virtual: bool) -> list[str]:
    out = []
    for p in sorted(paths):
        if skip_virtual and p.parent.parent.name.startswith(_VIRTUAL_DISKS):
            continue
        if value := _read(p):
            out.append(value)
    return out


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8", errors="replace").strip()[:200] or None
    except OSError:
        return None


def _lsblk_serials() -> list[str]:
    exe = shutil.which("lsblk")
    if exe is None:
        return []
    try:
        done = subprocess.run([exe, "-dno", "NAME,SERIAL"], capture_output=True, text=True, timeout=5, check=False)  # noqa: S603
    except (OSError, subprocess.SubprocessError):
        return []
    serials = []
    for line in done.stdout.splitlines():
        parts = line.split(None, 1)
        if len(parts) == 2 and not parts[0].startswith(_VIRTUAL_DISKS):
            serials.append(parts[1].strip())
    return serials
