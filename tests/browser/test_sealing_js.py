"""sealing.js and keyholder.js in Chromium under a strict CSP: a bid sealed in the browser opens with two
holders whose keys never left their browsers; browser and CLI holders open each other's bids; the browser
reproduces and opens the published known-answer envelope (tests/vectors/sealed_envelope_v2.json)."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from ggzy import sealing
from ggzy.bidding import keyholder
from ggzy.core import canonical
from ggzy.sealing import (
    BidFile,
    KeyMismatch,
    Recipient,
    SealContext,
    Tampered,
    WrongContext,
    keyfile,
    open_envelope,
    p256,
    read_header,
    scan,
)
from tests.core.sealing_helpers import DEADLINE, HOLDERS, RECIPIENTS, content_key
from tests.vectors.make_sealed_envelope_v2 import PATH as VECTOR_PATH

pytestmark = pytest.mark.browser

JS = Path(__file__).resolve().parents[2] / "ggzy" / "web" / "static" / "js"
SEALING_JS = JS / "sealing.js"
PASS = "Holder-Pass-2026"
STRICT_CSP = (
    "default-src 'none'; script-src 'self'; connect-src 'none'; base-uri 'none'; form-action 'none'; "
    "require-trusted-types-for 'script'"
)
PAGE = (
    b"<!doctype html><meta charset=utf-8><title>sealing</title>"
    b"<script src=/sealing.js></script><script src=/keyholder.js></script>"
)
CTX = SealContext("XX-2026-0042-01", "91410700MA44AB1C2D", 3)
FORM = {
    "price": "1234567.89",
    "currency": "CNY",
    "duration_days": 180,
    "质量标准": "合格",
    "notes": 'a "quoted" \\ line\n',
}

# Runs in the page: seal files given as base64, hand the envelope back as base64.
SEAL_JS = """async ({keySet, context, form, files, segmentSize}) => {
  const fromB64 = (t) => Uint8Array.from(atob(t), (c) => c.charCodeAt(0));
  const list = files.map((f) => ({name: f.name, bytes: fromB64(f.b64)}));
  const blob = await GgzySealing.seal(keySet, context, form, list, segmentSize ? {segmentSize} : undefined);
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return {envelope: btoa(bin), digest: await GgzySealing.envelopeDigestHex(blob)};
}"""


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        scripts = {"/sealing.js": JS / "sealing.js", "/keyholder.js": JS / "keyholder.js"}
        body, ctype = (
            (scripts[self.path].read_bytes(), "text/javascript") if self.path in scripts else (PAGE, "text/html")
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


def _open_page(browser: Browser, origin: str) -> tuple[Any, Page, list[str]]:
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{origin}/")
    assert page.evaluate("typeof GgzySealing.seal + typeof GgzyKeyholder.createKey") == "functionfunction"
    return context, page, errors


@pytest.fixture
def sealing_page(browser: Browser, origin: str) -> Iterator[Page]:
    """A page whose only scripts are sealing.js and keyholder.js, under a CSP with no eval, inline script or network."""
    context, page, errors = _open_page(browser, origin)
    yield page
    assert errors == []  # a CSP violation (eval, inline code) would show here
    context.close()


@pytest.fixture
def holder_browsers(browser: Browser, origin: str) -> Iterator[list[Page]]:
    """Three key holders, each in a browser of their own (own IndexedDB), each with a key made there."""
    opened = [_open_page(browser, origin) for _ in range(3)]
    yield [page for _, page, _ in opened]
    for context, _, errors in opened:
        assert errors == []
        context.close()


def _key_set(publics: list[bytes]) -> dict[str, Any]:
    return {
        "threshold": 2,
        "deadline": DEADLINE,
        "recipients": [{"index": i + 1, "public_key": p256.b64encode(pub)} for i, pub in enumerate(publics)],
    }


def _make_browser_keys(pages: list[Page]) -> list[dict[str, str]]:
    made = []
    for i, page in enumerate(pages):
        out = page.evaluate(
            """async ({user, pass}) => {
              const made = await GgzyKeyholder.createKey(user, pass, {iterations: 1000});
              const stored = await GgzyKeyholder.loadKey(user);
              const refused = await crypto.subtle.exportKey("jwk", stored.privateKey)
                .then(() => "exported", () => "refused");
              return {...made, refused, extractable: stored.privateKey.extractable};
            }""",
            {"user": f"holder-{i + 1}", "pass": PASS},
        )
        assert out["refused"] == "refused" and out["extractable"] is False  # the private key cannot leave
        made.append(out)
    return made


UNWRAP_JS = """async ({user, index, bids, deadline, now}) =>
  GgzyKeyholder.unwrapShares({index, deadline, bids}, user, now)"""


def _unwrap_in_browser(page: Page, user: str, index: int, envelope: bytes) -> dict[int, bytes]:
    header = read_header(io.BytesIO(envelope)).raw
    got = page.evaluate(
        UNWRAP_JS,
        {
            "user": user,
            "index": index,
            "bids": [{"bid_id": "b1", "header": base64.b64encode(header).decode()}],
            "deadline": "2027-01-01T00:00:00+00:00",
            "now": DEADLINE + 1,
        },
    )
    assert got["b1"] is not None
    return {index: base64.b64decode(got["b1"])}


def _seal_in_browser(
    page: Page, files: dict[str, bytes], publics: list[bytes] | None = None, **kw: Any
) -> tuple[bytes, str]:
    arg = {
        "keySet": _key_set(publics or [r.public for r in RECIPIENTS]),
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
    files = {"商务标.pdf": _pdf("Li Si"), "技术标.bin": os.urandom(5000), "空文件.txt": b""}
    envelope, digest = _seal_in_browser(sealing_page, files, segment_size=1024)
    assert hashlib.sha256(envelope).hexdigest() == digest
    opened = open_envelope(content_key(envelope), io.BytesIO(envelope), CTX, expected_digest=bytes.fromhex(digest))
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


def test_a_bid_sealed_in_chromium_opens_with_two_holders_whose_keys_never_left_their_browsers(
    sealing_page: Page, holder_browsers: list[Page]
) -> None:
    made = _make_browser_keys(holder_browsers)
    publics = [base64.b64decode(m["publicKey"]) for m in made]
    files = {"投标文件.pdf": _pdf("Wang Wu"), "报价.bin": os.urandom(3000)}
    envelope, _ = _seal_in_browser(sealing_page, files, publics, segment_size=1024)
    header = read_header(io.BytesIO(envelope))
    assert [k for _, k in header.recipients] == [p256.key_id(pub) for pub in publics]
    shares = _unwrap_in_browser(holder_browsers[0], "holder-1", 1, envelope)
    with pytest.raises(KeyMismatch):  # one holder alone (with the platform) cannot open it
        sealing.recover_key(header, shares)
    shares |= _unwrap_in_browser(holder_browsers[2], "holder-3", 3, envelope)  # the second holder is away
    with sealing.recover_key(header, shares) as key:
        _, opened = sealing.open_all(key, envelope, CTX)
    assert dict(opened) == files
    early = holder_browsers[1].evaluate(
        """async ({header}) => GgzyKeyholder.unwrapShares(
             {index: 2, deadline: "2027-01-01T00:00:00+00:00", bids: [{bid_id: "b1", header}]}, "holder-2")
           .then(() => "unwrapped", (e) => e.message)""",
        {"header": base64.b64encode(header.raw).decode()},
    )
    assert "截止时间未到" in early  # today is before the bid's deadline: the holder's browser refuses


def test_browser_and_cli_holders_open_each_others_bids_and_share_one_key_file_format(
    sealing_page: Page, holder_browsers: list[Page], browser: Browser, origin: str
) -> None:
    # CLI holders (`ggzy keyholder init` key files) open a bid sealed in Chromium
    cli = [keyfile.create(PASS, iterations=1000, label=f"cli {i}") for i in (1, 2, 3)]
    envelope, _ = _seal_in_browser(sealing_page, {"a.txt": b"from chromium"}, [k.public for k in cli])
    header = read_header(io.BytesIO(envelope))
    shares = {}
    for index, rec in ((1, cli[0]), (2, cli[1])):
        with keyfile.unwrap(rec, PASS) as private:
            got = keyholder.unwrap_shares(
                {"b1": header.raw}, private, index=index, now=_after_deadline(), deadline=_after_deadline()
            )
        shares[index] = base64.b64decode(got["b1"] or "")
    with sealing.recover_key(header, shares) as key:
        assert sealing.open_all(key, envelope, CTX)[1] == [("a.txt", b"from chromium")]
    # browser holders open a bid sealed by the command line (`ggzy bid seal` uses sealing.seal)
    made = _make_browser_keys(holder_browsers)
    out = io.BytesIO()
    sealing.seal(
        [Recipient(i + 1, base64.b64decode(m["publicKey"])) for i, m in enumerate(made)],
        CTX,
        FORM,
        [BidFile("b.txt", b"from the cli")],
        out,
        threshold=2,
        deadline=DEADLINE,
    )
    cli_bid = out.getvalue()
    shares = _unwrap_in_browser(holder_browsers[1], "holder-2", 2, cli_bid)
    shares |= _unwrap_in_browser(holder_browsers[2], "holder-3", 3, cli_bid)
    with sealing.recover_key(read_header(io.BytesIO(cli_bid)), shares) as key:
        assert sealing.open_all(key, cli_bid, CTX)[1] == [("b.txt", b"from the cli")]
    # one file format: the browser's backup unwraps with the CLI, a CLI key file restores into a browser
    backup = keyfile.KeyFile.from_json(made[0]["backup"])
    with keyfile.unwrap(backup, PASS) as private:
        assert p256.public_from_private(private) == base64.b64decode(made[0]["publicKey"])
    context, page, errors = _open_page(browser, origin)
    restored = page.evaluate(
        "async ({text, pass}) => GgzyKeyholder.restoreKey('cli-1', text, pass)",
        {"text": cli[0].to_json(), "pass": PASS},
    )
    assert restored["keyId"] == cli[0].key_id.hex()
    assert _unwrap_in_browser(page, "cli-1", 1, envelope)[1] == shares_of(envelope, cli[0], 1)
    assert errors == []
    context.close()


def _after_deadline() -> Any:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(DEADLINE + 1, UTC)


def shares_of(envelope: bytes, rec: keyfile.KeyFile, index: int) -> bytes:
    with keyfile.unwrap(rec, PASS) as private:
        _, y = sealing.unwrap_share(read_header(io.BytesIO(envelope)), private)
        return bytes(y.buffer)


def test_the_known_answer_vector_is_reproduced_and_opened_in_chromium(sealing_page: Page) -> None:
    vector = json.loads(VECTOR_PATH.read_text(encoding="utf-8"))
    out = sealing_page.evaluate(
        """async (v) => {
          const fromB64 = (t) => Uint8Array.from(atob(t), (c) => c.charCodeAt(0));
          const toB64 = (u) => { let s = ""; for (const b of u) s += String.fromCharCode(b); return btoa(s); };
          const hexBytes = (h) => Uint8Array.from(h.match(/../g), (x) => parseInt(x, 16));
          const files = v.files.map((f) => ({name: f.name, bytes: fromB64(f.b64)}));
          const knownAnswer = {contentKey: hexBytes(v.content_key_hex), coefficients: v.coefficients_hex,
            ephemeral: v.ephemeral.map((e) => ({d: e.d, x: e.x, y: e.y, publicRaw: e.public_raw}))};
          const blob = await GgzySealing.seal(v.key_set,
            {sectionId: v.context.section_id, bidderId: v.context.bidder_id, version: v.context.version},
            v.form, files, {segmentSize: v.segment_size, supervision: v.supervision, knownAnswer});
          const sealed = new Uint8Array(await blob.arrayBuffer());
          const envelope = fromB64(v.envelope_b64);
          const shares = {};
          for (const h of v.holders.slice(1)) {  // holders 2 and 3, keys imported non-extractable
            const privateKey = await crypto.subtle.importKey("jwk", {...h.jwk, ext: false},
              {name: "ECDH", namedCurve: "P-256"}, false, ["deriveBits"]);
            const got = await GgzySealing.unwrapShare(envelope, {privateKey, publicRaw: fromB64(h.public_key)});
            shares[got.index] = got.share;
          }
          const opened = await GgzySealing.openWithShares(envelope, shares);
          return {sealed: toB64(sealed), manifest: opened.manifest,
                  files: opened.files.map((f) => ({name: f.name, b64: toB64(f.bytes)}))};
        }""",
        vector,
    )
    assert out["sealed"] == vector["envelope_b64"]  # byte for byte the Python seal of the same inputs
    assert out["manifest"]["form"] == vector["form"] and out["files"] == vector["files"]


def test_the_browser_hpke_matches_rfc_9180_vector_a31(sealing_page: Page) -> None:
    from tests.core import test_hpke as rfc

    jwk = {
        "kty": "EC",
        "crv": "P-256",
        "d": base64.urlsafe_b64encode(rfc.SK_EM).rstrip(b"=").decode(),
        "x": base64.urlsafe_b64encode(rfc.PK_EM[1:33]).rstrip(b"=").decode(),
        "y": base64.urlsafe_b64encode(rfc.PK_EM[33:]).rstrip(b"=").decode(),
    }
    sk_r = {**jwk, "d": base64.urlsafe_b64encode(rfc.SK_RM).rstrip(b"=").decode()}
    sk_r |= {
        "x": base64.urlsafe_b64encode(rfc.PK_RM[1:33]).rstrip(b"=").decode(),
        "y": base64.urlsafe_b64encode(rfc.PK_RM[33:]).rstrip(b"=").decode(),
    }
    out = sealing_page.evaluate(
        """async ({jwk, skR, pkE, pkR, pt, info, aad, ct}) => {
          const h = (x) => Uint8Array.from(x.match(/../g), (c) => parseInt(c, 16));
          const alg = {name: "ECDH", namedCurve: "P-256"};
          const imp = (k) => crypto.subtle.importKey("jwk", k, alg, false, ["deriveBits"]);
          const eph = {privateKey: await imp(jwk), publicRaw: h(pkE)};
          const sealed = await GgzySealing.hpkeSeal(h(pkR), h(pt), h(info), h(aad), eph);
          const holder = {privateKey: await imp(skR), publicRaw: h(pkR)};
          const opened = await GgzySealing.hpkeOpen(holder, h(pkE + ct), h(info), h(aad));
          return {sealed: GgzySealing.hex(sealed), opened: GgzySealing.hex(opened)};
        }""",
        {
            "jwk": jwk,
            "skR": sk_r,
            "pkE": rfc.PK_EM.hex(),
            "pkR": rfc.PK_RM.hex(),
            "pt": rfc.PT.hex(),
            "info": rfc.INFO.hex(),
            "aad": rfc.AAD0.hex(),
            "ct": rfc.CT0.hex(),
        },
    )
    assert out == {"sealed": (rfc.PK_EM + rfc.CT0).hex(), "opened": rfc.PT.hex()}


def test_the_header_the_browser_writes_parses_and_names_the_context_and_keys(sealing_page: Page) -> None:
    envelope, _ = _seal_in_browser(sealing_page, {"a.txt": b"x" * 3000}, segment_size=1024)
    header = read_header(io.BytesIO(envelope))
    assert header.context == CTX and header.deadline == DEADLINE and header.threshold == 2
    assert header.recipients == [(r.index, r.key_id) for r in RECIPIENTS]
    assert header.segment_size == 1024
    assert scan(io.BytesIO(envelope)).segments == 4  # 4-byte length, manifest and 3000 bytes over 1 KiB segments
    key_id = sealing_page.evaluate("(k) => GgzySealing.keyIdHex(k)", p256.b64encode(HOLDERS[0].public))
    assert key_id == RECIPIENTS[0].key_id.hex()


def test_a_tampered_browser_envelope_is_refused(sealing_page: Page) -> None:
    envelope, _ = _seal_in_browser(sealing_page, {"a.bin": os.urandom(2500)}, segment_size=512)
    key = content_key(envelope)
    header_size = read_header(io.BytesIO(envelope)).size
    for pos in (header_size + 5, (header_size + len(envelope)) // 2, len(envelope) - 1):
        bad = bytearray(envelope)
        bad[pos] ^= 0x01
        with pytest.raises(Tampered):
            sealing.open_all(key, bytes(bad), CTX)
    with pytest.raises(Tampered):
        sealing.open_all(key, envelope[: header_size + 528], CTX)  # cut after the first segment


def test_a_browser_bid_for_another_version_is_refused_as_wrong_context(sealing_page: Page) -> None:
    ctx = {"section_id": CTX.section_id, "bidder_id": CTX.bidder_id, "version": 2}
    envelope, _ = _seal_in_browser(sealing_page, {"a.txt": b"hello"}, context=ctx)
    with pytest.raises(WrongContext):
        sealing.open_all(content_key(envelope), envelope, CTX)


def test_the_browser_refuses_floats_and_bad_keys_before_sealing(sealing_page: Page) -> None:
    key_set = _key_set([r.public for r in RECIPIENTS])
    float_price = sealing_page.evaluate(
        """(k) => GgzySealing.seal(k, {sectionId: "S", bidderId: "B", version: 1}, {price: 1.5}, [])
                 .then(() => "sealed", (e) => e.code)""",
        key_set,
    )
    assert float_price == "float"
    bad = key_set | {"recipients": [{"index": 1, "public_key": "AAAA"}]}
    for doc in (bad, key_set | {"threshold": 4}, key_set | {"recipients": key_set["recipients"][1:]}):
        code = sealing_page.evaluate(
            """(k) => GgzySealing.seal(k, {sectionId: "S", bidderId: "B", version: 1}, {}, [])
                     .then(() => "sealed", (e) => e.code)""",
            doc,
        )
        assert code == "bad-key"


def test_canonical_json_in_the_browser_matches_python(sealing_page: Page) -> None:
    doc = {"b": [1, "二", None, True], "a": {"\U0001f600": 1, "\uffff": 2, "z": "\x01\t\u2028"}, "": -7}
    assert sealing_page.evaluate("(d) => GgzySealing.canonicalJSON(d)", doc) == canonical.dumps(doc)


def test_a_multi_megabyte_browser_bid_with_default_segments_opens_in_python(sealing_page: Page) -> None:
    out = sealing_page.evaluate(
        """async ({keySet, size}) => {
          const bytes = new Uint8Array(size);
          for (let i = 0; i < size; i += 65536) crypto.getRandomValues(bytes.subarray(i, Math.min(i + 65536, size)));
          const blob = await GgzySealing.seal(keySet, {sectionId: "S-1", bidderId: "B-1", version: 1}, {price: "9.99"},
                                              [{name: "big.bin", bytes}]);
          const env = new Uint8Array(await blob.arrayBuffer());
          let bin = "";
          for (let i = 0; i < env.length; i += 0x8000) {
            bin += String.fromCharCode.apply(null, env.subarray(i, i + 0x8000));
          }
          return {envelope: btoa(bin), fileDigest: await GgzySealing.sha256Hex(bytes)};
        }""",
        {"keySet": _key_set([r.public for r in RECIPIENTS]), "size": 2_500_000},
    )
    envelope = base64.b64decode(out["envelope"])
    assert read_header(io.BytesIO(envelope)).segment_size == 1024 * 1024
    opened = open_envelope(content_key(envelope), io.BytesIO(envelope), SealContext("S-1", "B-1", 1))
    ((entry, digest),) = [(e, hashlib.sha256(b"".join(c)).hexdigest()) for e, c in opened.files()]
    assert entry.size == 2_500_000 and digest == entry.sha256 == out["fileDigest"]
