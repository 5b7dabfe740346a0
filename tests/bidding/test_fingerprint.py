"""The machine fingerprint recorded with each bid (电子办法 art. 49), from a fake /sys and /etc."""

from __future__ import annotations

from pathlib import Path

from ggzy.bidding import fingerprint
from ggzy.bidding.fingerprint import MachineIds

NO_NODE = 0x010000000000  # uuid.getnode()'s random fallback has the multicast bit set


def _root(tmp_path: Path) -> Path:
    def put(rel: str, text: str) -> None:
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)

    put("sys/class/net/eth0/address", "52:54:00:AB:CD:EF\n")
    (tmp_path / "sys/class/net/eth0/device").mkdir()
    put("sys/class/net/docker0/address", "02:42:ac:11:00:01\n")  # virtual: no device
    put("sys/class/net/lo/address", "00:00:00:00:00:00\n")
    put("etc/machine-id", "3d1219c7c4c5404aaa1f6d2a48adfda4\n")
    put("sys/block/sda/device/serial", "WD-WX12345678\n")
    put("sys/block/nvme0n1/device/serial", "S4EWNX0R123456 \n")
    put("sys/block/loop0/device/serial", "loopy\n")
    return tmp_path


def test_collect_reads_physical_macs_machine_id_and_disk_serials(tmp_path: Path) -> None:
    ids = fingerprint.collect(_root(tmp_path), node=lambda: NO_NODE, lsblk=lambda: ["never"])
    assert ids == MachineIds(
        ("52:54:00:AB:CD:EF",), "3d1219c7c4c5404aaa1f6d2a48adfda4", ("S4EWNX0R123456", "WD-WX12345678")
    )


def test_without_sysfs_the_mac_comes_from_getnode_and_disks_from_lsblk(tmp_path: Path) -> None:
    ids = fingerprint.collect(tmp_path, node=lambda: 0x525400ABCDEF, lsblk=lambda: ["SER1"])
    assert ids == MachineIds(("52:54:00:ab:cd:ef",), None, ("SER1",))
    assert fingerprint.collect(tmp_path, node=lambda: NO_NODE, lsblk=list).macs == ()


def test_the_fingerprint_ignores_order_case_and_separators() -> None:
    a = MachineIds(("52:54:00:AB:CD:EF", "52:54:00:00:00:01"), "ABC", ("d2", "d1"))
    b = MachineIds(("52-54-00-00-00-01", "52:54:00:ab:cd:ef"), "abc\n", ("d1", "d2", " "))
    assert fingerprint.fingerprint(a) == fingerprint.fingerprint(b)


def test_each_part_is_hashed_on_its_own_so_a_shared_part_is_still_visible() -> None:
    laptop = fingerprint.fingerprint(MachineIds(("52:54:00:ab:cd:ef",), "m1", ("disk-1",)))
    same_laptop_with_usb_disk = fingerprint.fingerprint(MachineIds(("52:54:00:ab:cd:ef",), "m1", ("disk-1", "usb-9")))
    assert laptop["fingerprint"] != same_laptop_with_usb_disk["fingerprint"]
    assert (
        laptop["macs"] == same_laptop_with_usb_disk["macs"]
        and laptop["machine_id"] == same_laptop_with_usb_disk["machine_id"]
    )
    assert set(laptop["disks"]) < set(same_laptop_with_usb_disk["disks"])


def test_the_record_holds_hashes_only() -> None:
    record = fingerprint.fingerprint(MachineIds(("52:54:00:ab:cd:ef",), "secret-machine-id", ("WD-1",)))
    text = repr(record)
    assert "52:54" not in text and "secret-machine-id" not in text and "WD-1" not in text
    assert all(len(h) == 64 for h in [record["fingerprint"], record["machine_id"], *record["macs"], *record["disks"]])


def test_a_machine_with_nothing_readable_still_gets_a_stable_fingerprint() -> None:
    empty = fingerprint.fingerprint(MachineIds())
    assert empty["macs"] == [] and empty["machine_id"] is None and len(empty["fingerprint"]) == 64
    assert empty == fingerprint.fingerprint(MachineIds(("00:00:00:00:00:00", "not-a-mac"), " ", ()))


def test_mac_from_node_refuses_the_random_fallback() -> None:
    assert fingerprint.mac_from_node(0x525400ABCDEF) == "52:54:00:ab:cd:ef"
    assert fingerprint.mac_from_node(NO_NODE | 0x1234) is None
