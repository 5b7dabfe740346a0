"""Sealed-bid envelope throughput: Python seal and open (file to file) and the browser's Web Crypto seal.

    python -m bench.sealing [--sizes 5,200] [--no-browser]

Files are random bytes in a temporary directory; opening streams every file out to disk, as the server
would. The browser figure seals bytes generated in the page (no transfer), in headless Chromium.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from ggzy import sealing
from ggzy.sealing import BidFile, Recipient, SealContext, open_envelope, p256, seal

MB = 1_000_000
CTX = SealContext("BENCH-01", "BENCH-ORG", 1)
HOLDERS = [p256.generate() for _ in range(3)]
RECIPIENTS = [Recipient(i + 1, h.public) for i, h in enumerate(HOLDERS)]
DEADLINE = 1_798_761_600
KEY_SET = {
    "threshold": 2,
    "deadline": DEADLINE,
    "recipients": [{"index": r.index, "public_key": p256.b64encode(r.public)} for r in RECIPIENTS],
}
JS = Path(__file__).resolve().parents[1] / "ggzy" / "web" / "static" / "js" / "sealing.js"


def _random_file(path: Path, size: int) -> None:
    with open(path, "wb") as f:
        left = size
        while left:
            n = min(left, 4 * 1024 * 1024)
            f.write(os.urandom(n))
            left -= n


def python_figures(size: int, tmp: Path) -> tuple[float, float]:
    src = tmp / f"bid-{size}.bin"
    _random_file(src, size)
    env = tmp / f"bid-{size}.ggzybid"
    t0 = time.perf_counter()
    with open(env, "wb") as out:
        seal(RECIPIENTS, CTX, {"price": "1.00"}, [BidFile("bid.bin", src)], out, threshold=2, deadline=DEADLINE)
    t1 = time.perf_counter()
    with open(env, "rb") as f:
        header = sealing.read_header(f)
    key = sealing.recover_key(header, dict(sealing.unwrap_share(header, h.private) for h in HOLDERS[:2]))
    with open(env, "rb") as f:
        opened = open_envelope(key, f, CTX, max_size=size * 2)
        for entry, chunks in opened.files():
            with open(tmp / f"out-{entry.name}", "wb") as g:
                for chunk in chunks:
                    g.write(chunk)
    t2 = time.perf_counter()
    return t1 - t0, t2 - t1


def browser_figure(size: int) -> float:
    from playwright.sync_api import sync_playwright

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            is_js = self.path == "/sealing.js"
            body = JS.read_bytes() if is_js else b"<!doctype html><script src=/sealing.js></script>"
            self.send_response(200)
            self.send_header("Content-Type", "text/javascript" if is_js else "text/html")
            self.send_header("Content-Security-Policy", "default-src 'none'; script-src 'self'")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium",
                headless=True,
                args=[
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                ],
            )
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/")
            ms = page.evaluate(
                """async ({keySet, size}) => {
                  const bytes = new Uint8Array(size);
                  for (let i = 0; i < size; i += 65536) {
                    crypto.getRandomValues(bytes.subarray(i, Math.min(i + 65536, size)));
                  }
                  const t0 = performance.now();
                  const ctx = {sectionId: "BENCH-01", bidderId: "BENCH-ORG", version: 1};
                  const blob = await GgzySealing.seal(keySet, ctx, {price: "1.00"}, [{name: "bid.bin", bytes}]);
                  await blob.arrayBuffer();
                  return performance.now() - t0;
                }""",
                {"keySet": KEY_SET, "size": size},
            )
            browser.close()
    finally:
        server.shutdown()
    return float(ms) / 1000


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.sealing")
    parser.add_argument("--sizes", default="5,200", help="bid sizes in MB, comma-separated")
    parser.add_argument("--no-browser", action="store_true")
    args, _ = parser.parse_known_args()
    with tempfile.TemporaryDirectory(prefix="sealing-bench-") as d:
        for mb in (int(s) for s in args.sizes.split(",")):
            t_seal, t_open = python_figures(mb * MB, Path(d))
            sealing_rate, opening_rate = mb / t_seal, mb / t_open
            print(
                f"python {mb:>4} MB: seal {t_seal:6.2f} s ({sealing_rate:7.1f} MB/s), "
                f"open {t_open:6.2f} s ({opening_rate:7.1f} MB/s)"
            )
    if not args.no_browser:
        t = browser_figure(5 * MB)
        print(f"browser   5 MB: seal {t:6.2f} s ({5 / t:7.1f} MB/s)")


if __name__ == "__main__":
    main()
