"""sealing.js in Chromium under a strict CSP: what the browser seals, Python opens, and nothing else."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from ggzy.core import canonical
from ggzy.sealing import (
    OpeningKey,
    SealContext,
    Tampered,
    WrongContext,
    generate_opening_key,
    open_all,
    open_envelope,
    read_header,
    scan,
)

pytestmark = pytest.mark.browser

SEALING_JS = Path(__file__).resolve().parents[2] / "ggzy" / "web" / "static" / "js" / "sealing.js"
STRICT_CSP = (
    "default-src 'none'; script-src 'self'; connect-src 'none'; base-uri 'none'; form-action 'none'; "
    "require-trusted-types-for 'script'"
)
PAGE = b"<!doctype html><meta charset=utf-8><title>sealing</title><script src=/sealing.js></script>"
CTX = SealContext("XX-2026-0042-01", "91410700MA44AB1C2D", 3)
FORM = {
    "price": "1234567.89",
    "currency": "CNY",
    "duration_days": 180,
    "质量标准": "合格",
    "notes": 'a "quoted" \\ line\n',
}

# Runs in the page: seal files given as base64, hand the envelope back as base64.
SEAL_JS = """async ({key, context, form, files, segmentSize}) => {
  const fromB64 = (t) => Uint8Array.from(atob(t), (c) => c.charCodeAt(0));
  const list = files.map((f) => ({name: f.name, bytes: fromB64(f.b64)}));
  const blob = await GgzySealing.seal(key, context, form, list, segmentSize ? {segmentSize} : undefined);
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return {envelope: btoa(bin), digest: await GgzySealing.envelopeDigestHex(blob)};
}"""


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body, ctype = (
            (SEALING_JS.read_bytes(), "text/javascript") if self.path == "/sealing.js" else (PAGE, "text/html")
        )
        self.send_response(200)
        self.send_header("Content-Type", f"{ctype}; charset=utf-8")
        self.send_header("Content-Security-Policy", STRICT_CSP)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def origin() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def sealing_page(browser: Browser, origin: str) -> Iterator[Page]:
    """A page whose only script is sealing.js, under a CSP with no eval, no inline script and no network."""
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{origin}/")
    assert page.evaluate("typeof GgzySealing.seal") == "function"
    yield page
    assert errors == []  # a CSP violation (eval, inline code) would show here
    context.close()


def _seal_in_browser(page: Page, key: OpeningKey, files: dict[str, bytes], **kw: Any) -> tuple[bytes, str]:
    arg = {
        "key": key.public_b64(),
        "context": kw.get("context", {"sectionId": CTX.section_id, "bidderId": CTX.bidder_id, "version": CTX.version}),
        "form": FORM,
        "files": [{"name": n, "b64": base64.b64encode(b).decode()} for n, b in files.items()],
        "segmentSize": kw.get("segment_size"),
    }
    out = page.evaluate(SEAL_JS, arg)
    return base64.b64decode(out["envelope"]), out["digest"]


def _pdf(author: str) -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj\n<< /Author ("
        + author.encode()
        + b") /Creator <FEFF5F204E09> /Producer (WPS\\040Office) >>"
        b"\nendobj\ntrailer\n<< /Info 1 0 R >>\n%%EOF\n"
    )


def test_a_bid_sealed_in_the_browser_opens_in_python_with_identical_manifest_and_files(sealing_page: Page) -> None:
    key = generate_opening_key()
    files = {"商务标.pdf": _pdf("Li Si"), "技术标.bin": os.urandom(5000), "空文件.txt": b""}
    envelope, digest = _seal_in_browser(sealing_page, key, files, segment_size=1024)
    assert hashlib.sha256(envelope).hexdigest() == digest
    opened = open_envelope(key, io.BytesIO(envelope), CTX, expected_digest=bytes.fromhex(digest))
    got = {entry.name: b"".join(chunks) for entry, chunks in opened.files()}
    assert got == files
    assert opened.form == FORM
    assert opened.manifest_bytes == canonical.dumpb(opened.manifest)  # the browser writes canonical JSON too
    assert [e.sha256 for e in opened.entries] == [hashlib.sha256(b).hexdigest() for b in files.values()]
    sup = opened.supervision
    assert sup["machine"]["kind"] == "browser" and len(sup["machine"]["fingerprint"]) == 64
    pdf_meta = sup["files"][0]
    assert (pdf_meta["author"], pdf_meta["application"], pdf_meta["producer"]) == ("Li Si", "张三", "WPS Office")
    assert sup["files"][1]["kind"] == "other"


def test_the_header_the_browser_writes_parses_and_names_the_context_and_key(sealing_page: Page) -> None:
    key = generate_opening_key()
    envelope, _ = _seal_in_browser(sealing_page, key, {"a.txt": b"x" * 3000}, segment_size=1024)
    header = read_header(io.BytesIO(envelope))
    assert header.context == CTX
    assert header.recipient_key_id == key.key_id
    assert header.segment_size == 1024
    assert scan(io.BytesIO(envelope)).segments == 4  # 4-byte length, manifest and 3000 bytes over 1 KiB segments
    key_id = sealing_page.evaluate("(k) => GgzySealing.keyIdHex(k)", key.public_b64())
    assert key_id == key.key_id.hex()


def test_a_tampered_browser_envelope_is_refused(sealing_page: Page) -> None:
    key = generate_opening_key()
    envelope, _ = _seal_in_browser(sealing_page, key, {"a.bin": os.urandom(2500)}, segment_size=512)
    header_size = read_header(io.BytesIO(envelope)).size
    for pos in (header_size + 5, len(envelope) // 2, len(envelope) - 1):
        bad = bytearray(envelope)
        bad[pos] ^= 0x01
        with pytest.raises(Tampered):
            open_all(key, bytes(bad), CTX)
    with pytest.raises(Tampered):
        open_all(key, envelope[: header_size + 528], CTX)  # cut after the first segment


def test_a_browser_bid_for_another_version_is_refused_as_wrong_context(sealing_page: Page) -> None:
    key = generate_opening_key()
    ctx = {"section_id": CTX.section_id, "bidder_id": CTX.bidder_id, "version": 2}
    envelope, _ = _seal_in_browser(sealing_page, key, {"a.txt": b"hello"}, context=ctx)
    with pytest.raises(WrongContext):
        open_all(key, envelope, CTX)


def test_the_browser_refuses_floats_and_bad_keys_before_sealing(sealing_page: Page) -> None:
    key = generate_opening_key()
    float_price = sealing_page.evaluate(
        """(k) => GgzySealing.seal(k, {sectionId: "S", bidderId: "B", version: 1}, {price: 1.5}, [])
                 .then(() => "sealed", (e) => e.code)""",
        key.public_b64(),
    )
    assert float_price == "float"
    bad_key = sealing_page.evaluate(
        """() => GgzySealing.seal("AAAA", {sectionId: "S", bidderId: "B", version: 1}, {}, [])
                 .then(() => "sealed", (e) => e.code)"""
    )
    assert bad_key == "bad-key"


def test_canonical_json_in_the_browser_matches_python(sealing_page: Page) -> None:
    doc = {"b": [1, "二", None, True], "a": {"\U0001f600": 1, "\uffff": 2, "z": "\x01\t\u2028"}, "": -7}
    assert sealing_page.evaluate("(d) => GgzySealing.canonicalJSON(d)", doc) == canonical.dumps(doc)


def test_a_multi_megabyte_browser_bid_with_default_segments_opens_in_python(sealing_page: Page) -> None:
    key = generate_opening_key()
    out = sealing_page.evaluate(
        """async ({key, size}) => {
          const bytes = new Uint8Array(size);
          for (let i = 0; i < size; i += 65536) crypto.getRandomValues(bytes.subarray(i, Math.min(i + 65536, size)));
          const blob = await GgzySealing.seal(key, {sectionId: "S-1", bidderId: "B-1", version: 1}, {price: "9.99"},
                                              [{name: "big.bin", bytes}]);
          const env = new Uint8Array(await blob.arrayBuffer());
          let bin = "";
          for (let i = 0; i < env.length; i += 0x8000) {
            bin += String.fromCharCode.apply(null, env.subarray(i, i + 0x8000));
          }
          return {envelope: btoa(bin), fileDigest: await GgzySealing.sha256Hex(bytes)};
        }""",
        {"key": key.public_b64(), "size": 2_500_000},
    )
    envelope = base64.b64decode(out["envelope"])
    assert read_header(io.BytesIO(envelope)).segment_size == 1024 * 1024
    opened = open_envelope(key, io.BytesIO(envelope), SealContext("S-1", "B-1", 1))
    ((entry, digest),) = [(e, hashlib.sha256(b"".join(c)).hexdigest()) for e, c in opened.files()]
    assert entry.size == 2_500_000 and digest == entry.sha256 == out["fileDigest"]
