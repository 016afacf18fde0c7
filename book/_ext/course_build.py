"""Build-time glue for the course: a local Sphinx extension named in ``_config.yml``.

It does what Jupyter Book 1 does not do by itself:

1. **Strict answer checks.** It sets ``DLMATH_STRICT=1`` before any notebook runs, so a
   wrong published solution raises inside ``dlmath.exercises.check`` and the build fails.
   (It also restores ``mathjax_path`` from ``_config.yml``, which sphinx-mathjax-offline
   overwrites when it loads.)
2. **Re-execution when dlmath changes.** MyST-NB's execution cache is keyed on the text of
   a page's code cells only, so editing ``code/dlmath`` would leave stale outputs. We keep a
   fingerprint of the package next to the cache; when it changes, the cache is cleared and
   every page is re-read (and so re-executed). Likewise a change to the site's own CSS,
   JavaScript, templates or this extension rewrites every page (without executing).
3. **A download of the executed notebook.** The theme's download button offers
   ``_sources/<page>.ipynb``, a copy of MyST-NB's notebook in ``_build/jupyter_execute``;
   but when the outputs come from the execution cache (every build after the first),
   MyST-NB writes that notebook without outputs. We publish the page with the outputs from
   the cache instead, its printed output merged as the page shows it.
4. **No duplicated inline scripts.** With Sphinx 7, inline scripts that extensions add
   after the builder starts (sphinx-togglebutton's selector, sphinx-thebe's settings)
   are written twice into every page; the second ``const THEBE_JS_URL`` is a JavaScript
   error in the console. We drop the repeats from each page's script list.
5. **Accessibility fixes** to HTML that Sphinx and its extensions write (axe-core finds
   them): see ``ACCESSIBILITY_FIXES``. Colours are fixed in ``book/_static/course.css``
   and theme components in ``book/_templates``.
6. **Parallel execution.** MyST-NB executes pages one after another as Sphinx reads them.
   Before reading starts, we execute every page whose outputs are not in the cache, several
   at a time (one per CPU core), and store the results in the same cache exactly as MyST-NB
   would; MyST-NB then finds them there. A page that fails is left to MyST-NB, which runs it
   again and reports the error as usual.
7. **Quiet one-page builds.** ``make page`` builds one chapter with the intro and the
   shared appendices; there, links to the other chapters cannot resolve, and we do not
   warn about them (``DLMATH_PAGE_BUILD=1``). The full build still checks every link.
8. **Rebuilds that do nothing when nothing changed.** See ``date_outputs_before_reading``.
9. **Printed output as printed.** See ``merge_streams``: MyST-NB could break a printed line in
   two where the kernel happened to send it in two chunks.
"""

from __future__ import annotations

import copy
import hashlib
import os
import shutil
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat
from sphinx.util import logging

LOGGER = logging.getLogger(__name__)
BOOK = Path(__file__).resolve().parents[1]
PACKAGE = BOOK.parent / "code" / "dlmath"
FINGERPRINT_FILE = "dlmath-fingerprint.txt"
SITE_FOLDERS = ("_static", "_templates", "_ext")
SITE_FINGERPRINT_FILE = "site-fingerprint.txt"


def fingerprint(folder: Path) -> str:
    """A hash of every file below ``folder`` (names and contents)."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(folder).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _changed(stamp: Path, value: str) -> bool:
    """Whether ``value`` differs from the one recorded in ``stamp``; record it."""
    if stamp.exists() and stamp.read_text().strip() == value:
        return False
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(value + "\n")
    return True


#: The environment of every kernel the build starts. Strict answer checks; a fixed hash
#: seed; one BLAS thread per kernel, since pages run side by side (one per core) and a
#: fixed thread count keeps floating-point sums in the same order on every build.
KERNEL_ENVIRONMENT = {
    "DLMATH_STRICT": "1",
    "PYTHONHASHSEED": "0",
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}


def set_environment(app, config) -> None:
    """Environment for the kernels the build starts (they inherit it), and MathJax's path."""
    os.environ.update(KERNEL_ENVIRONMENT)
    # sphinx-mathjax-offline sets mathjax_path in its setup(), over the value in _config.yml
    configured = config._overrides.get("mathjax_path") or config._raw_config.get("mathjax_path")
    if configured:
        config.mathjax_path = configured


def _cache_path(app) -> Path:
    configured = app.env.mystnb_config.execution_cache_path
    return Path(configured) if configured else Path(app.outdir).parent / ".jupyter_cache"


def outdated_when_package_changed(app, env, added, changed, removed) -> list[str]:
    """Pages to rebuild although their text did not change.

    If dlmath changed since the last build, the execution cache is cleared and every page is
    re-read, so every page executes again. If only the site's own CSS, JavaScript or
    templates changed, every page is written again (from the cache): Sphinx would otherwise
    see no page to rebuild and not even copy the new files.
    """
    cache = _cache_path(app)
    site = hashlib.sha256("".join(fingerprint(BOOK / folder) for folder in SITE_FOLDERS).encode()).hexdigest()
    package_changed = _changed(cache.parent / FINGERPRINT_FILE, fingerprint(PACKAGE))
    site_changed = _changed(cache.parent / SITE_FINGERPRINT_FILE, site)  # both stamps recorded every time
    if package_changed and cache.exists():
        LOGGER.info("dlmath changed since the last build: clearing the execution cache %s", cache)
        shutil.rmtree(cache)
    return sorted(env.found_docs - set(added)) if package_changed or site_changed else []


def merge_streams(outputs: list) -> list:
    """MyST-NB's ``coalesce_streams`` (one stdout and one stderr output per cell), made exact.

    A kernel sends printed text in chunks, split wherever its output buffer happened to be
    flushed, even in the middle of a line. MyST-NB joins the chunks of a cell but puts a
    line break at every joint, so ``print("loss:", array)`` could come out on two lines,
    depending on timing. We join the chunks exactly first (on copies: the notebook itself
    is not changed), then let MyST-NB do the rest.
    """
    from myst_nb.core.utils import coalesce_streams

    joined, first = [], {}
    for output in outputs:
        if output["output_type"] == "stream":
            text = "".join(output["text"]) if isinstance(output["text"], list) else output["text"]
            if output["name"] in first:
                first[output["name"]]["text"] += text
                continue
            output = copy.copy(output)
            output["text"] = text
            first[output["name"]] = output
        joined.append(output)
    return coalesce_streams(joined)


def executed_notebook(app, docname: str):
    """The page as a notebook, with the outputs of its last execution (None for a page without code).

    The outputs come from the execution cache. (MyST-NB also writes a notebook per page to
    ``_build/jupyter_execute``, but when the outputs come from its cache, that copy has
    none.) Printed text is merged per cell as the page shows it (:func:`merge_streams`).
    """
    from jupyter_cache import get_cache
    from myst_nb.core.read import create_nb_reader

    path = Path(app.env.doc2path(docname))
    if path.suffix != ".md":
        return None
    text = path.read_text(encoding="utf-8")
    reader = create_nb_reader(str(path), app.env.myst_config, app.env.mystnb_config, text)
    if reader is None:
        return None
    notebook = reader.read(text)
    if not any(cell.cell_type == "code" for cell in notebook.cells):
        return None
    try:
        _, notebook = get_cache(str(_cache_path(app))).merge_match_into_notebook(notebook)
    except KeyError:  # not executed (execution switched off)
        return None
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = merge_streams(cell.outputs)
    return notebook


def offer_executed_notebook(app, pagename, templatename, context, doctree) -> None:
    """Publish ``_sources/<page>.ipynb``, the executed notebook, and offer it for download."""
    if doctree is None:
        return
    notebook = executed_notebook(app, pagename)
    if notebook is None:
        return
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, target)
    context["ipynb_source"] = f"{pagename}.ipynb"


def drop_repeated_scripts(app, pagename, templatename, context, doctree) -> None:
    """Keep the first of identical script entries (same file and same inline body)."""
    seen, unique = set(), []
    for script in context.get("script_files", []):
        key = (getattr(script, "filename", str(script)) or "", getattr(script, "attributes", {}).get("body"))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def _execute(notebook, cwd: str, timeout: int):
    """Run one notebook (in a worker process); return it executed, its run time and any error."""
    from jupyter_cache.executors.utils import single_nb_execution

    result = single_nb_execution(notebook, cwd=cwd, timeout=timeout, allow_errors=False, meta_override=True)
    return notebook, result.time, None if result.err is None else f"{type(result.err).__name__}: {result.err}"


def execute_in_parallel(app, env, docnames) -> None:
    """Execute the pages about to be read whose outputs are not cached, one per CPU core."""
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn
    from myst_nb.core.read import create_nb_reader

    config = env.mystnb_config
    if config.execution_mode != "cache" or config.execution_in_temp or config.execution_allow_errors:
        return
    cache = get_cache(str(_cache_path(app)))
    pending = []
    for docname in sorted(docnames):
        path = Path(env.doc2path(docname))
        if path.suffix != ".md":
            continue
        text = path.read_text(encoding="utf-8")
        reader = create_nb_reader(str(path), env.myst_config, config, text)
        if reader is None:
            continue
        notebook = reader.read(text)
        if not any(cell.cell_type == "code" for cell in notebook.cells):
            continue
        try:
            cache.match_cache_notebook(notebook)
        except KeyError:
            pending.append((docname, path, notebook, reader.read_fmt))
    workers = min(len(pending), os.cpu_count() or 1)
    if workers < 2:
        return  # nothing to gain: MyST-NB executes the page while reading it
    LOGGER.info("executing %d pages, %d at a time: %s", len(pending), workers, ", ".join(p[0] for p in pending))
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = {
            pool.submit(_execute, notebook, str(path.parent), config.execution_timeout): (docname, path, read_fmt)
            for docname, path, notebook, read_fmt in pending
        }
        for future, (docname, path, read_fmt) in futures.items():
            notebook, seconds, error = future.result()
            if error:
                LOGGER.info("%s failed in parallel execution (%s); MyST-NB will run it again", docname, error)
                continue
            cache.add_nb_to_project(str(path), read_data=read_fmt)
            cache.cache_notebook_bundle(
                CacheBundleIn(notebook, str(path), data={"execution_seconds": seconds}), check_validity=False, overwrite=True
            )
            LOGGER.info("executed %s in %.1f s", docname, seconds)
    LOGGER.info("parallel execution took %.1f s", time.perf_counter() - start)


#: (what Sphinx or an extension writes, what we write instead, why)
ACCESSIBILITY_FIXES = [
    (
        'role="doc-biblioentry"',
        'role="listitem"',
        "doc-biblioentry is deprecated, so a citation list had no valid items (aria-required-children)",
    ),
    (
        '<summary aria-label="Toggle hidden content">',
        "<summary>",
        "the label hid the visible 'Show code cell source' text (label-content-name-mismatch)",
    ),
]


def fix_accessibility(app, pagename, templatename, context, doctree) -> None:
    """Apply ``ACCESSIBILITY_FIXES`` to the page body."""
    body = context.get("body")
    if body:
        for written, fixed, _why in ACCESSIBILITY_FIXES:
            body = body.replace(written, fixed)
        context["body"] = body


def quiet_links_to_pages_not_built(app, env, node, contnode):
    """In a one-page build (``make page``), show a link to a page outside it as plain text.

    Such links are expected there; returning the link's text resolves the reference, so
    Sphinx does not warn. The full build never takes this path and checks every link.
    """
    if os.environ.get("DLMATH_PAGE_BUILD") == "1" and node.get("reftype") in ("ref", "doc", "numref", "eq"):
        return contnode
    return None


def date_outputs_before_reading(app, doctree) -> None:
    """Give a page's output files (its figures) a time before the page was read.

    MyST-NB writes a page's figures while Sphinx reads the page and records them as the
    page's dependencies; being newer than the reading, they made Sphinx read every page again
    on the next build although nothing had changed. Their names are hashes of their content,
    so a changed figure is a new file anyway.
    """
    env = app.env
    read_at = env.all_docs.get(env.docname, 0) / 1e6 - 1.0  # all_docs holds microseconds
    outputs = Path(app.outdir).parent / "jupyter_execute"
    for dependency in env.dependencies.get(env.docname, ()):
        path = Path(app.srcdir) / dependency
        if outputs in path.parents and path.exists() and path.stat().st_mtime > read_at:
            os.utime(path, (read_at, read_at))


def setup(app):
    import myst_nb.core.render

    myst_nb.core.render.coalesce_streams = merge_streams  # exact joins on the pages (see merge_streams)
    app.connect("config-inited", set_environment)
    app.connect("env-get-outdated", outdated_when_package_changed)
    app.connect("env-before-read-docs", execute_in_parallel)
    app.connect("doctree-read", date_outputs_before_reading)
    # after sphinx-book-theme (priority 500), which copies MyST-NB's notebook there first
    app.connect("html-page-context", offer_executed_notebook, priority=600)
    app.connect("html-page-context", drop_repeated_scripts, priority=900)
    app.connect("html-page-context", fix_accessibility, priority=900)
    app.connect("missing-reference", quiet_links_to_pages_not_built)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
