"""Build-time glue for the course: a local Sphinx extension named in ``_config.yml``.

It does three things that Jupyter Book 1 does not do by itself:

1. **Strict answer checks.** It sets ``DLMATH_STRICT=1`` before any notebook runs, so a
   wrong published solution raises inside ``dlmath.exercises.check`` and the build fails.
2. **Re-execution when dlmath changes.** MyST-NB's execution cache is keyed on the text of
   a page's code cells only, so editing ``code/dlmath`` would leave stale outputs. We keep a
   fingerprint of the package next to the cache; when it changes, the cache is cleared and
   every page is re-read (and so re-executed).
3. **A download of the executed notebook.** For every page that ran, the executed
   ``.ipynb`` (written by MyST-NB to ``_build/jupyter_execute``) is published under
   ``_sources/`` and offered by the theme's download button next to the ``.md`` source.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

from sphinx.util import logging

LOGGER = logging.getLogger(__name__)
PACKAGE = Path(__file__).resolve().parents[2] / "code" / "dlmath"
FINGERPRINT_FILE = "dlmath-fingerprint.txt"


def package_fingerprint(package: Path = PACKAGE) -> str:
    """A hash of every file of the dlmath package (its code and its data)."""
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(package).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def set_environment(app, config) -> None:
    """Environment for the kernels the build starts (they inherit it)."""
    os.environ["DLMATH_STRICT"] = "1"
    os.environ["PYTHONHASHSEED"] = "0"


def _cache_path(app) -> Path:
    configured = app.env.mystnb_config.execution_cache_path
    return Path(configured) if configured else Path(app.outdir).parent / ".jupyter_cache"


def outdated_when_package_changed(app, env, added, changed, removed) -> list[str]:
    """Clear the execution cache and re-read every page if dlmath changed since the last build."""
    cache = _cache_path(app)
    stamp = cache.parent / FINGERPRINT_FILE
    fingerprint = package_fingerprint()
    if stamp.exists() and stamp.read_text().strip() == fingerprint:
        return []
    if cache.exists():
        LOGGER.info("dlmath changed since the last build: clearing the execution cache %s", cache)
        shutil.rmtree(cache)
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(fingerprint + "\n")
    return sorted(env.found_docs - set(added))


def offer_executed_notebook(app, pagename, templatename, context, doctree) -> None:
    """Publish ``_sources/<page>.ipynb`` and tell the theme to offer it for download."""
    executed = Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb"
    if doctree is None or not executed.exists() or "kernelspec" not in app.env.metadata.get(pagename, {}):
        return
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(executed, target)
    context["ipynb_source"] = f"{pagename}.ipynb"


def setup(app):
    app.connect("config-inited", set_environment)
    app.connect("env-get-outdated", outdated_when_package_changed)
    # before sphinx-book-theme builds its header buttons (priority 500)
    app.connect("html-page-context", offer_executed_notebook, priority=400)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
