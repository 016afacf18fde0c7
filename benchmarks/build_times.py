"""How long the book takes to build, on this machine, in the situations an author meets.

In a temporary copy of the repository (your own `_build` is not touched) it times:

1. a clean build, executing every page;
2. a rebuild with nothing changed;
3. a rebuild after one chapter's prose changes (nothing should execute);
4. a rebuild after one chapter's code changes (only that chapter should execute);
5. a rebuild after a change in `code/dlmath` (every page executes again);

and prints each time next to its target, which pages executed in each step, and how long
each page took to execute in the clean build.

    .venv/bin/python benchmarks/build_times.py [--chapter book/05-linear-algebra.md]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
JUPYTER_BOOK = Path(sys.executable).parent / "jupyter-book"
IGNORE = shutil.ignore_patterns(".git", ".venv", "_build", "node_modules", "__pycache__", "*.egg-info", ".pytest_cache")


def build(project: Path) -> tuple[float, list[str], str]:
    """Build ``project``; return the wall time, the pages that executed, and the log."""
    start = time.perf_counter()
    result = subprocess.run([str(JUPYTER_BOOK), "build", str(project)], capture_output=True, text=True)
    seconds = time.perf_counter() - start
    log = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout + result.stderr)
    if result.returncode != 0:
        sys.exit(f"the build failed:\n{log[-3000:]}")
    executed = re.findall(r"executed (\S+) in [0-9.]+ s", log)
    executed += [Path(p).relative_to(project).with_suffix("").as_posix() for p in re.findall(r"(\S+\.md): Executing notebook", log)]
    return seconds, sorted(set(executed)), log


def execution_times(project: Path) -> dict[str, float]:
    """Seconds each page took to execute, from the execution cache."""
    from jupyter_cache import get_cache

    cache = get_cache(str(project / "_build" / ".jupyter_cache"))
    times = {}
    for record in cache.list_cache_records():
        page = Path(record.uri).relative_to(project).with_suffix("").as_posix()
        times[page] = record.data.get("execution_seconds", float("nan"))
    return times


def edit_code(path: Path) -> None:
    """Add a comment line to the first code cell of a page (its code changes, its output not)."""
    text = path.read_text()
    marker = "```{code-cell} ipython3\n"
    index = text.index(marker) + len(marker)
    if text[index:].startswith("---\n"):  # skip the cell's options block
        index = text.index("---\n", index + 4) + 4
    path.write_text(text[:index] + "# edited by benchmarks/build_times.py\n" + text[index:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chapter", default="book/05-linear-algebra.md", help="the chapter to edit")
    args = parser.parse_args()
    chapter = args.chapter if (ROOT / args.chapter).exists() else "book/01-setting-the-stage.md"

    with tempfile.TemporaryDirectory() as folder:
        project = Path(folder) / "book"
        shutil.copytree(ROOT, project, ignore=IGNORE)
        print(f"machine: {os.cpu_count()} CPU cores; building a copy in {project}\n")
        rows = []

        seconds, executed, _ = build(project)
        rows.append(("clean build (executes every page)", seconds, "<= 150 s", len(executed)))
        times = execution_times(project)

        seconds, executed, _ = build(project)
        rows.append(("rebuild, nothing changed", seconds, "<= 10 s", executed))

        page = project / chapter
        page.write_text(page.read_text() + "\nA sentence added by the benchmark.\n")
        seconds, executed, _ = build(project)
        rows.append((f"rebuild, prose of {chapter} changed", seconds, "executes nothing", executed))

        edit_code(page)
        seconds, executed, _ = build(project)
        rows.append((f"rebuild, code of {chapter} changed", seconds, "executes that page only", executed))

        module = project / "code" / "dlmath" / "validation.py"
        module.write_text(module.read_text() + "\n# edited by benchmarks/build_times.py\n")
        seconds, executed, _ = build(project)
        rows.append(("rebuild, code/dlmath changed", seconds, "executes every page", len(executed)))

    print(f"{'step':<58} {'seconds':>8}  {'target':<24} executed")
    for step, seconds, target, executed in rows:
        shown = executed if isinstance(executed, int) else (", ".join(executed) or "none")
        print(f"{step:<58} {seconds:8.1f}  {target:<24} {shown}")
    print(f"\nexecution time per page in the clean build (seconds; pages run {os.cpu_count()} at a time):")
    for page, seconds in sorted(times.items(), key=lambda item: -item[1]):
        print(f"  {page:<40} {seconds:6.1f}")
    print(f"  {'sum':<40} {sum(times.values()):6.1f}")


if __name__ == "__main__":
    main()
