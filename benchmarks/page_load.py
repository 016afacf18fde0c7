"""How heavy each page of the built site is, and how soon its first screen can be read.

Serves `_build/html` (build it first: `make html`) on localhost the way a static host such
as GitHub Pages does (text files gzip-compressed, from a process of its own), opens every
page of the table of contents in headless Chromium with a cold cache, and prints per page:

- **first screen ms**: the time from navigation until the reader can read what is in view:
  MathJax has made its first pass, every formula in view is drawn and every font the page
  asked for has arrived (figures and formulas further down follow as the reader scrolls);
- the bytes transferred for the whole page once it has been read to the end (HTML, scripts,
  styles, fonts, every figure), the same uncompressed, and the bytes of its figures.

Targets (issue "A site you can trust"): every chapter page at most 1.5 MB, typeset within
1 s on localhost.

    .venv/bin/python benchmarks/page_load.py [--repeats 5] [book/06-more-linear-algebra ...]

Each page is loaded ``--repeats`` times, each time with a cold cache; the row shows the
median run (by time to the first screen).
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import mimetypes
import multiprocessing
import os
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.pages import toc_docnames  # noqa: E402

HTML = ROOT / "_build" / "html"
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]  # fmt: skip

#: Runs in the page before its own scripts: records when the reader can read the first screen,
#: that is when MathJax has made its first pass, every formula in view is drawn (no TeX, no
#: placeholder) and every font the page asked for has arrived. Which formulas are in view is
#: told by an IntersectionObserver, so the check, once per frame, forces no layout and does
#: not slow the page down.
FIRST_SCREEN = """(() => {
  let mathjaxDone = false;
  const hook = setInterval(() => {
    if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
      clearInterval(hook);
      MathJax.startup.promise.then(() => { mathjaxDone = true; });
    }
  }, 5);
  const inView = new Set();
  let observed = false;
  const observer = new IntersectionObserver((entries) => {
    for (const entry of entries) entry.isIntersecting ? inView.add(entry.target) : inView.delete(entry.target);
    observed = true;
  });
  const readable = () => {
    if (!formulas.length) return document.fonts.status === 'loaded';
    if (!mathjaxDone || !observed) return false;
    for (const formula of inView) {
      const drawn = formula.querySelector('mjx-container');
      if (!drawn || drawn.querySelector('mjx-lazy')) return false;
    }
    return document.fonts.status === 'loaded';
  };
  let formulas = [];
  const check = () => {
    if (readable()) { window.courseFirstScreen = performance.now(); clearInterval(hook); observer.disconnect(); }
    else requestAnimationFrame(check);
  };
  document.addEventListener('DOMContentLoaded', () => {
    formulas = document.querySelectorAll('.math');
    formulas.forEach(formula => observer.observe(formula));
    requestAnimationFrame(check);
  });
})();"""

#: Loads what a reader who reads to the end would: every figure and every formula's fonts.
READ_TO_THE_END = """async () => {
  for (const image of document.images) image.loading = 'eager';
  await Promise.all(Array.from(document.images, image => image.decode().catch(() => null)));
  await window.courseMathDone;  // set by course.js when the page loads
  await document.fonts.ready;
}"""

MEASURE = """() => {
  const entries = performance.getEntriesByType('resource');
  const all = entries.concat(performance.getEntriesByType('navigation'));
  const bytes = all.reduce((sum, e) => sum + (e.encodedBodySize || 0), 0);
  const raw = all.reduce((sum, e) => sum + (e.decodedBodySize || 0), 0);
  const images = entries.filter(e => e.initiatorType === 'img').reduce((sum, e) => sum + (e.encodedBodySize || 0), 0);
  return {bytes, raw, images, typeset: window.courseFirstScreen, math: document.querySelectorAll('.math').length};
}"""


class StaticHost(http.server.SimpleHTTPRequestHandler):
    """Serves files like a static host: text types gzip-compressed (once) when the browser accepts it."""

    COMPRESSED = {".html", ".css", ".js", ".svg", ".json", ".txt", ".ipynb", ".md"}
    protocol_version = "HTTP/1.0"

    @staticmethod
    @functools.lru_cache(maxsize=None)
    def gzipped(path: Path) -> bytes:
        return gzip.compress(path.read_bytes(), compresslevel=6)

    def do_GET(self):
        path = Path(self.translate_path(self.path))
        if path.is_file() and path.suffix in self.COMPRESSED and "gzip" in self.headers.get("Accept-Encoding", ""):
            body = self.gzipped(path)
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


def serve(folder: Path, port) -> None:
    """Serve ``folder`` on a free localhost port (written to ``port.value``) until stopped."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(StaticHost, directory=str(folder)))
    port.value = server.server_address[1]
    server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="loads per page; the median is shown")
    parser.add_argument("--site", type=Path, default=HTML, help="the built site to serve (default: _build/html)")
    parser.add_argument("pages", nargs="*", help="pages to load, e.g. book/06-more-linear-algebra (default: all)")
    args = parser.parse_args()
    if not (args.site / "index.html").exists():
        sys.exit("no _build/html: run `make html` first")
    from playwright.sync_api import sync_playwright

    # the server has a process of its own, so the browser driver does not slow it down
    port = multiprocessing.Value("i", 0)
    server = multiprocessing.Process(target=serve, args=(args.site, port), daemon=True)
    server.start()
    while not port.value:
        time.sleep(0.01)
    base = f"http://127.0.0.1:{port.value}"
    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        for docname in args.pages or toc_docnames():
            runs = []
            for _ in range(args.repeats):
                context = browser.new_context()  # a cold cache every time
                context.add_init_script(FIRST_SCREEN)
                page = context.new_page()
                page.goto(f"{base}/{docname}.html", wait_until="load")
                page.wait_for_function("() => window.courseFirstScreen !== undefined", timeout=30_000)
                page.evaluate(READ_TO_THE_END)
                runs.append(page.evaluate(MEASURE))
                context.close()
            median = sorted(runs, key=lambda m: m["typeset"])[len(runs) // 2]
            rows.append((docname, median))
        browser.close()
    server.terminate()

    print(f"{'page':<40} {'sent KB':>8} {'unzipped KB':>12} {'figures KB':>11} {'first screen ms':>16} {'formulas':>9}")
    for docname, m in rows:
        print(
            f"{docname:<40} {m['bytes'] / 1e3:8.0f} {m['raw'] / 1e3:12.0f} {m['images'] / 1e3:11.0f}"
            f" {m['typeset']:16.0f} {m['math']:9d}"
        )
    heaviest = max(rows, key=lambda r: r[1]["bytes"])
    slowest = max(rows, key=lambda r: r[1]["typeset"])
    print(
        f"\nheaviest: {heaviest[0]} {heaviest[1]['bytes'] / 1e6:.2f} MB sent, "
        f"{heaviest[1]['raw'] / 1e6:.2f} MB unzipped (target <= 1.5 MB)"
    )
    print(f"slowest first screen: {slowest[0]} {slowest[1]['typeset']:.0f} ms (target <= 1000 ms)")


if __name__ == "__main__":
    main()
