"""How the build executes pages: a failing cell or a wrong published solution fails the build,
and a change to dlmath re-executes pages whose text did not change.

Each test builds a small copy of the book in a temporary folder with the real configuration.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat
import pytest

from tests.conftest import jupyter_book, problems
from tests.pages import ROOT

pytestmark = pytest.mark.slow

CELL = "```{{code-cell}} ipython3\n{}\n```\n"


def make_project(tmp_path: Path, page_text: str) -> Path:
    """A one-page copy of the book: the real _config.yml, extension, static files and bibliography."""
    project = tmp_path / "book-copy"
    (project / "book").mkdir(parents=True)
    shutil.copy(ROOT / "_config.yml", project)
    for folder in ("_ext", "_static"):
        shutil.copytree(ROOT / "book" / folder, project / "book" / folder, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "book" / "references.bib", project / "book")
    (project / "_toc.yml").write_text("format: jb-book\nroot: book/page\n")
    (project / "book" / "page.md").write_text(page_text)
    return project


def chapter_one_with(cell_source: str) -> str:
    return (ROOT / "book" / "01-setting-the-stage.md").read_text() + "\n" + CELL.format(cell_source)


@pytest.mark.parametrize(
    "planted, expected",
    [
        ('raise RuntimeError("a planted failure")', "a planted failure"),
        ('check("ex-01-broadcast-shape", (3, 4))', "WrongAnswer"),
    ],
    ids=["failing-cell", "wrong-solution"],
)
def test_a_failing_cell_fails_the_build_even_without_W(tmp_path, planted, expected):
    project = make_project(tmp_path, chapter_one_with(planted))
    result = jupyter_book("build", str(project))  # no -W: the failure must be an error, not a warning
    output = result.stdout + result.stderr
    assert result.returncode != 0, "the build succeeded although a cell failed:\n" + "\n".join(problems(output)[-20:])
    assert expected in output


def test_the_unchanged_chapter_builds_in_the_copy(tmp_path):
    """The control for the test above: without the planted cell the same copy builds."""
    project = make_project(tmp_path, (ROOT / "book" / "01-setting-the-stage.md").read_text())
    result = jupyter_book("build", str(project))
    assert result.returncode == 0, "\n".join(problems(result.stdout + result.stderr)[-20:])


PAGE = """---
jupytext:
  text_representation: {extension: .md, format_name: myst}
kernelspec: {display_name: Python 3, language: python, name: python3}
---
# A page

```{code-cell} ipython3
import time
print(time.perf_counter_ns())
```
"""


def executed_output(project: Path) -> str:
    """The printed output of the page's first code cell, in the executed notebook the site offers."""
    notebook = nbformat.read(project / "_build" / "html" / "_sources" / "book" / "page.ipynb", as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    return code[0].outputs[0]["text"]


def test_a_change_in_dlmath_re_executes_unchanged_pages(tmp_path):
    project = make_project(tmp_path, PAGE)
    package = project / "code" / "dlmath"  # the extension watches code/dlmath next to book/
    package.mkdir(parents=True)
    (package / "module.py").write_text("VALUE = 1\n")

    def build() -> str:
        result = jupyter_book("build", str(project))
        assert result.returncode == 0, "\n".join(problems(result.stdout + result.stderr))
        return executed_output(project)

    first = build()
    assert build() == first, "nothing changed, yet the page was executed again (the cache is not used)"
    (package / "module.py").write_text("VALUE = 2\n")
    assert build() != first, "dlmath changed but the page's outputs came from the stale cache"
    (package / "data.txt").write_text("a new data file counts too\n")
    third = executed_output(project)
    assert build() != third


def test_a_change_in_the_site_style_reaches_the_built_pages(tmp_path):
    """Sphinx rebuilds nothing when no page changed, not even its static files; we make it."""
    project = make_project(tmp_path, PAGE)
    assert jupyter_book("build", str(project)).returncode == 0
    css = project / "book" / "_static" / "course.css"
    css.write_text(css.read_text() + "\n/* a new rule */\n")
    result = jupyter_book("build", str(project))
    assert result.returncode == 0
    assert "/* a new rule */" in (project / "_build" / "html" / "_static" / "course.css").read_text()


def test_a_rebuild_with_nothing_changed_reads_no_page(tmp_path):
    """The second build of an unchanged book must not read (or execute) anything again."""
    project = make_project(tmp_path, PAGE)
    assert jupyter_book("build", str(project)).returncode == 0
    result = jupyter_book("build", str(project))
    assert result.returncode == 0
    assert "0 added, 0 changed, 0 removed" in re.sub(r"\x1b\[[0-9;]*m", "", result.stdout)
