"""How heavy each page of the built site is, and how fast its math is typeset.

Serves `_build/html` (build it first: `make html`) on localhost the way a static host such
as GitHub Pages does (text files gzip-compressed), opens every page of the table of
contents in headless Chromium with a cold cache, and prints per page: the bytes transferred
(HTML, scripts, styles, fonts, figures: everything the page loads), the same uncompressed,
the bytes of its figures, and the time from navigation until MathJax is ready and every
formula in view is drawn (formulas further down are drawn as they scroll into view).
Targets (issue "A site you can trust"): every chapter page at most 1.5 MB, typeset within
1 s on localhost.

    .venv/bin/python benchmarks/page_load.py [--repeats 3]

Each page is loaded ``--repeats`` times, each time with a cold cache; the row shows the
median run (by time to typeset).
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import mimetypes
import os
import shutil
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.pages import toc_docnames  # noqa: E402

HTML = ROOT / "_build" / "html"
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]  # fmt: skip

MEASURE = """async () => {
  const ready = () => window.MathJax && MathJax.startup && MathJax.startup.promise;
  if (document.querySelector('.math')) {  // wait for MathJax to start, then to draw what is in view
    while (!ready()) { await new Promise(resolve => setTimeout(resolve, 5)); }
    await MathJax.startup.promise;
  }
  const typeset = performance.now();
  const entries = performance.getEntriesByType('resource');
  const nav = performance.getEntriesByType('navigation')[0];
  const all = entries.concat([nav]);
  const bytes = all.reduce((sum, e) => sum + (e.encodedBodySize || 0), 0);
  const raw = all.reduce((sum, e) => sum + (e.decodedBodySize || 0), 0);
  const images = entries.filter(e => e.initiatorType === 'img').reduce((sum, e) => sum + (e.encodedBodySize || 0), 0);
  return {bytes, raw, images, typeset, math: document.querySelectorAll('mjx-container').length};
}"""


class StaticHost(http.server.SimpleHTTPRequestHandler):
    """Serves files like a static host: text types gzip-compressed when the browser accepts it."""

    COMPRESSED = {".html", ".css", ".js", ".svg", ".json", ".txt", ".ipynb", ".md"}

    def do_GET(self):
        path = Path(self.translate_path(self.path))
        if path.is_file() and path.suffix in self.COMPRESSED and "gzip" in self.headers.get("Accept-Encoding", ""):
            body = gzip.compress(path.read_bytes(), compresslevel=6)
            self.send_response(200)
            self.send_header("Content-Type", mimetypes.guess_type(path.name)[0] or "application/octet-stream")
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            super().do_GET()

    def log_message(self, *args):
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="loads per page; the median is shown")
    args = parser.parse_args()
    if not (HTML / "index.html").exists():
        sys.exit("no _build/html: run `make html` first")
    from playwright.sync_api import sync_playwright

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(StaticHost, directory=str(HTML)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        for docname in toc_docnames():
            runs = []
            for _ in range(args.repeats):
                context = browser.new_context()  # a cold cache every time
                page = context.new_page()
                page.goto(f"{base}/{docname}.html", wait_until="load")
                runs.append(page.evaluate(MEASURE))
                context.close()
            median = sorted(runs, key=lambda m: m["typeset"])[len(runs) // 2]
            rows.append((docname, median))
        browser.close()
    server.shutdown()

    print(f"{'page':<40} {'sent KB':>8} {'unzipped KB':>12} {'figures KB':>11} {'typeset ms':>11} {'formulas':>9}")
    for docname, m in rows:
        print(f"{docname:<40} {m['bytes'] / 1e3:8.0f} {m['raw'] / 1e3:12.0f} {m['images'] / 1e3:11.0f} {m['typeset']:11.0f} {m['math']:9d}")
    heaviest = max(rows, key=lambda r: r[1]["bytes"])
    slowest = max(rows, key=lambda r: r[1]["typeset"])
    print(f"\nheaviest: {heaviest[0]} {heaviest[1]['bytes'] / 1e6:.2f} MB sent, {heaviest[1]['raw'] / 1e6:.2f} MB unzipped (target <= 1.5 MB)")
    print(f"slowest to typeset: {slowest[0]} {slowest[1]['typeset']:.0f} ms (target <= 1000 ms)")


if __name__ == "__main__":
    main()
