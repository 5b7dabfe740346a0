"""`ggzy bid seal | inspect | submit`: a bid sealed offline opens with two holders' keys, and uploads as a stream."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from ggzy.bidding import client
from ggzy.bidding.client import bid
from ggzy.sealing import SealContext, p256
from tests.bidding.files import docx, pdf
from tests.core.sealing_helpers import DEADLINE, RECIPIENTS, open_all

CTX = SealContext("XX-2026-0042-01", "91410700MA44AB1C2D", 2)
KEY_SET = {  # what GET /api/v1/sections/{id} returns, in part
    "id": CTX.section_id,
    "threshold": 2,
    "deadline_unix": DEADLINE,
    "recipients": [{"index": r.index, "holder": "x", "public_key": p256.b64encode(r.public)} for r in RECIPIENTS],
}
TOKEN = "tok-7Hq2-do-not-print"


def _seal(tmp_path: Path, *extra: str, out: str = "bid.ggzybid") -> Result:
    (tmp_path / "商务标.pdf").write_bytes(pdf(b"/Author (Zhang San) /Creator (WPS Writer) /Producer (WPS PDF)"))
    (tmp_path / "技术标.docx").write_bytes(docx())
    (tmp_path / "section.json").write_text(json.dumps(KEY_SET))
    args = ["seal", "--key-set", str(tmp_path / "section.json"), "--section", CTX.section_id, "--bidder", CTX.bidder_id]
    args += ["--version", str(CTX.version), "--out", str(tmp_path / out), *extra]
    if "--file" not in extra:
        args += ["--file", str(tmp_path / "商务标.pdf"), "--file", str(tmp_path / "技术标.docx")]
    return CliRunner().invoke(bid, args)


def test_a_sealed_bid_opens_with_two_holders_keys_and_carries_the_form_files_and_art49_record(tmp_path: Path) -> None:
    r = _seal(tmp_path, "--price", "1234567.8", "--duration-days", "180", "--form-field", "质量=合格")
    assert r.exit_code == 0, r.output
    envelope = (tmp_path / "bid.ggzybid").read_bytes()
    assert f"摘要 SHA-256：{hashlib.sha256(envelope).hexdigest()}" in r.output
    manifest, files = open_all(envelope, CTX)
    assert manifest["form"] == {"price": "1234567.80", "currency": "CNY", "duration_days": 180, "质量": "合格"}
    assert dict(files) == {"商务标.pdf": (tmp_path / "商务标.pdf").read_bytes(), "技术标.docx": docx()}
    sup = manifest["supervision"]
    assert len(sup["machine"]["fingerprint"]) == 64 and sup["client"]["name"] == "ggzy-bid"
    pdf_meta, docx_meta = sup["files"]
    assert (pdf_meta["author"], pdf_meta["application"], pdf_meta["producer"]) == ("Zhang San", "WPS Writer", "WPS PDF")
    assert (docx_meta["author"], docx_meta["last_modified_by"], docx_meta["company"]) == ("张三", "李四", "某建设集团")
    assert [f["sha256"] for f in manifest["files"]] == [hashlib.sha256(b).hexdigest() for _, b in files]


@pytest.mark.parametrize("price", ["-1", "0", "1.234", "abc", "NaN", "Infinity", "1,000"])
def test_a_price_that_is_not_a_positive_amount_in_fen_is_refused(tmp_path: Path, price: str) -> None:
    r = _seal(tmp_path, "--price", price)
    assert r.exit_code == 2 and "报价" in r.output
    assert not (tmp_path / "bid.ggzybid").exists()


def test_form_fields_cannot_override_the_price_or_be_malformed(tmp_path: Path) -> None:
    for field_arg in ("price=1", "novalue", "=x", "a=1 --form-field a=2"):
        r = _seal(tmp_path, "--price", "1.00", *("--form-field " + field_arg).split())
        assert r.exit_code == 2, field_arg


def test_a_bad_key_or_context_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    runner = CliRunner()
    base = ["seal", "--section", "S", "--bidder", "B", "--version", "1", "--price", "1", "--out", str(tmp_path / "o")]
    bad_key = KEY_SET | {"id": "S", "recipients": [{"index": 1, "public_key": "not-base64!"}]}
    off_curve = p256.b64encode(RECIPIENTS[0].public[:-1] + b"\x00")
    for i, doc in enumerate((bad_key, KEY_SET | {"id": "S", "recipients": [{"index": 1, "public_key": off_curve}]})):
        (tmp_path / f"k{i}.json").write_text(json.dumps(doc))
        assert runner.invoke(bid, [*base, "--key-set", str(tmp_path / f"k{i}.json")]).exit_code == 2
    (tmp_path / "other.json").write_text(json.dumps(KEY_SET))  # the key set of another section
    assert runner.invoke(bid, [*base, "--key-set", str(tmp_path / "other.json")]).exit_code == 2
    good = tmp_path / "good.json"
    good.write_text(json.dumps(KEY_SET | {"id": " S"}))
    assert runner.invoke(bid, [*base[:2], " S", *base[3:], "--key-set", str(good)]).exit_code == 2
    assert not (tmp_path / "o").exists()


def test_an_existing_envelope_is_not_overwritten_without_force(tmp_path: Path) -> None:
    assert _seal(tmp_path, "--price", "1.00").exit_code == 0
    first = (tmp_path / "bid.ggzybid").read_bytes()
    r = _seal(tmp_path, "--price", "2.00")
    assert r.exit_code == 2 and (tmp_path / "bid.ggzybid").read_bytes() == first
    assert _seal(tmp_path, "--price", "2.00", "--force").exit_code == 0
    assert open_all((tmp_path / "bid.ggzybid").read_bytes(), CTX)[0]["form"]["price"] == "2.00"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary file left behind


def test_inspect_shows_the_public_header_only(tmp_path: Path) -> None:
    _seal(tmp_path, "--price", "7654321.00")
    path = str(tmp_path / "bid.ggzybid")
    r = CliRunner().invoke(bid, ["inspect", "--json", path])
    info = json.loads(r.output)
    assert (info["section_id"], info["bidder_id"], info["bid_version"]) == (CTX.section_id, CTX.bidder_id, 2)
    assert info["recipients"] == [f"{r.index}:{r.key_id.hex()[:16]}" for r in RECIPIENTS]
    assert info["threshold"] == "2/3"
    assert info["sha256"] == hashlib.sha256(Path(path).read_bytes()).hexdigest()
    text = CliRunner().invoke(bid, ["inspect", path]).output
    assert "标段：XX-2026-0042-01" in text and "7654321" not in text and "商务标" not in text
    (tmp_path / "junk").write_bytes(b"not an envelope")
    r = CliRunner().invoke(bid, ["inspect", str(tmp_path / "junk")])
    assert r.exit_code == 1 and "不是本平台的密封投标文件" in r.output


@dataclass
class FakePlatform:
    """Stands in for the lead's `PUT /api/v1/sections/{section}/bid`; records what arrived."""

    status: int = 201
    receipt: dict[str, Any] | None = None
    requests: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""


@pytest.fixture
def platform() -> Iterator[FakePlatform]:
    fake = FakePlatform()

    class Handler(BaseHTTPRequestHandler):
        def do_PUT(self) -> None:
            length = int(self.headers["Content-Length"])
            body = self.rfile.read(length)
            fake.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
            digest = hashlib.sha256(body).hexdigest()
            receipt = fake.receipt if fake.receipt is not None else {"receipt_no": "R-1", "envelope_digest": digest}
            if fake.status >= 400:
                receipt = {"title": "拒绝", "status": fake.status, "detail": "已过投标截止时间"}
            payload = json.dumps(receipt, ensure_ascii=False).encode()
            self.send_response(fake.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield fake
    server.shutdown()
    server.server_close()


def _submit(platform: FakePlatform, path: Path, section: str = CTX.section_id) -> Result:
    args = ["submit", "--server", platform.url + "/", "--token", TOKEN, "--section", section, str(path)]
    return CliRunner().invoke(bid, args)


def test_submit_streams_the_envelope_with_the_token_and_prints_the_receipt(
    tmp_path: Path, platform: FakePlatform
) -> None:
    _seal(tmp_path, "--price", "1.00")
    path = tmp_path / "bid.ggzybid"
    r = _submit(platform, path)
    assert r.exit_code == 0, r.output
    (req,) = platform.requests
    assert req["path"] == "/api/v1/sections/XX-2026-0042-01/bid"
    assert req["headers"]["Authorization"] == f"Bearer {TOKEN}"
    assert req["headers"]["Content-Type"] == "application/octet-stream"
    assert req["headers"]["Content-Length"] == str(path.stat().st_size) and "Transfer-Encoding" not in req["headers"]
    assert req["body"] == path.read_bytes()
    assert '"receipt_no": "R-1"' in r.output and TOKEN not in r.output


def test_the_upload_body_is_read_in_bounded_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "big"
    path.write_bytes(b"z" * 1000)
    monkeypatch.setattr(client, "UPLOAD_CHUNK", 64)
    sizes = [len(c) for c in client.file_chunks(path)]
    assert sum(sizes) == 1000 and max(sizes) == 64


def test_submit_refuses_an_envelope_for_another_section_without_uploading(
    tmp_path: Path, platform: FakePlatform
) -> None:
    _seal(tmp_path, "--price", "1.00")
    r = _submit(platform, tmp_path / "bid.ggzybid", section="XX-2026-0042-02")
    assert r.exit_code == 1 and "未递交" in r.output and platform.requests == []


def test_a_receipt_naming_another_digest_is_an_error(tmp_path: Path, platform: FakePlatform) -> None:
    _seal(tmp_path, "--price", "1.00")
    platform.receipt = {"envelope_digest": "00" * 32}
    r = _submit(platform, tmp_path / "bid.ggzybid")
    assert r.exit_code == 1 and "不一致" in r.output


def test_a_refusal_by_the_platform_shows_its_reason(tmp_path: Path, platform: FakePlatform) -> None:
    _seal(tmp_path, "--price", "1.00")
    platform.status = 409
    r = _submit(platform, tmp_path / "bid.ggzybid")
    assert r.exit_code == 1 and "HTTP 409" in r.output and "已过投标截止时间" in r.output and TOKEN not in r.output


def test_an_unreachable_platform_is_reported_without_the_token(tmp_path: Path) -> None:
    _seal(tmp_path, "--price", "1.00")
    args = ["submit", "--server", "http://127.0.0.1:9", "--token", TOKEN, "--section", CTX.section_id]
    r = CliRunner().invoke(bid, [*args, str(tmp_path / "bid.ggzybid")])
    assert r.exit_code == 1 and "无法连接平台" in r.output and TOKEN not in r.output


def test_the_bid_command_is_reachable_from_the_main_cli() -> None:
    from ggzy.cli import main

    r = CliRunner().invoke(main, ["bid", "--help"])
    assert r.exit_code == 0 and "seal" in r.output and "submit" in r.output
