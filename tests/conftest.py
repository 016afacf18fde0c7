"""Fixtures shared by the tests: the built book (built once per session) and a local web server."""

from __future__ import annotations

import functools
import http.server
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "_build"
HTML = BUILD / "html"
BIN = Path(sys.executable).parent


def jupyter_book(*args: str, cwd: Path = ROOT, timeout: int = 3600) -> subprocess.CompletedProcess:
    """Run the jupyter-book command of this environment; output captured, never raises."""
    return subprocess.run(
        [str(BIN / "jupyter-book"), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "PYTHONWARNINGS": "ignore::DeprecationWarning"},
    )


def problems(output: str) -> list[str]:
    """The warning and error lines of a Sphinx build log, without colour codes."""
    clean = re.sub(r"\x1b\[[0-9;]*m", "", output)
    return [line for line in clean.splitlines() if re.search(r"WARNING|ERROR|Error|Traceback", line)]


@pytest.fixture(scope="session")
def built_book() -> Path:
    """The whole book, built once with warnings as errors (`-n -W --keep-going`, every page re-read).

    Execution results come from the cache in `_build/.jupyter_cache`, so after `make html`
    nothing runs twice. Set DLMATH_REUSE_BUILD=1 to test an existing `_build/html` as is.
    """
    if os.environ.get("DLMATH_REUSE_BUILD") == "1" and (HTML / "index.html").exists():
        return HTML
    result = jupyter_book("build", ".", "--all", "-n", "-W", "--keep-going")
    if result.returncode != 0:
        lines = problems(result.stdout + result.stderr) or (result.stdout + result.stderr).splitlines()[-40:]
        pytest.fail("the book does not build cleanly with -n -W:\n" + "\n".join(lines[:80]), pytrace=False)
    return HTML


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output clean
        pass


@pytest.fixture(scope="session")
def site_url(built_book) -> str:
    """The built site served over HTTP on a free localhost port."""
    handler = functools.partial(_QuietHandler, directory=str(built_book))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
