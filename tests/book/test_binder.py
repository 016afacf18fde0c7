"""Binder, simulated without Docker, and the reproducibility of every page's outputs.

What repo2docker does with `binder/` is done here by hand: a fresh virtual environment gets
exactly `binder/requirements.txt`, then `binder/postBuild` runs in a copy of the repository.
Each chapter is converted with jupytext and executed with nbclient from its own folder, on
a kernel of that environment, the way a learner's Binder session runs it.

The outputs are then compared with the book build's outputs (the executed notebooks the site
offers for download, `_build/html/_sources/*.ipynb`):
two executions in two environments must give the same outputs and figures, byte for byte,
after removing only paths and the outputs of cells tagged `measures-time`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import nbformat
import pytest
from binder.make_requirements import closure, read_lock

from tests.pages import ROOT, read_page, toc_docnames

sys.path.insert(0, str(ROOT / "book" / "_ext"))
from course_build import KERNEL_ENVIRONMENT, merge_streams  # noqa: E402  (the build's own extension)

pytestmark = [pytest.mark.slow, pytest.mark.book]

BINDER = ROOT / "binder"
NOTEBOOK_PAGES = [d for d in toc_docnames() if read_page(ROOT / f"{d}.md").code_cells]
KERNEL = "binder-simulation"


def run(*command: str, cwd: Path, env: dict | None = None, timeout: int = 1800) -> str:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result.stdout


def test_binder_requirements_are_pinned_from_the_lock():
    lock = read_lock()
    binder = read_lock(BINDER / "requirements.txt")
    assert {"jupytext", "numpy", "scipy", "matplotlib", "scikit-learn", "ipykernel"} <= set(binder)
    different = {name: (version, lock.get(name)) for name, version in binder.items() if lock.get(name) != version}
    assert not different, f"binder/requirements.txt differs from the lock (run `make lock`): {different}"
    assert closure(list(binder)) <= set(binder), "binder/requirements.txt misses dependencies of its packages"
    for line in (BINDER / "requirements.txt").read_text().splitlines():
        assert line.startswith("#") or re.match(r"^[a-z0-9-]+==\S+$", line), f"not an exact pin: {line!r}"


def test_binder_opens_markdown_as_notebooks():
    overrides = json.loads((BINDER / "overrides.json").read_text())
    viewers = overrides["@jupyterlab/docmanager-extension:plugin"]["defaultViewers"]
    assert viewers["markdown"] == viewers["myst"] == "Jupytext Notebook"
    assert (BINDER / "runtime.txt").read_text().strip() == "python-3.11"
    assert os.access(BINDER / "postBuild", os.X_OK)


@pytest.fixture(scope="module")
def binder_session(tmp_path_factory):
    """A copy of the repository with a fresh environment built the way repo2docker builds it."""
    base = tmp_path_factory.mktemp("binder")
    repository = base / "repository"
    ignore = shutil.ignore_patterns(".git", ".venv", "_build", "node_modules", "__pycache__", "*.egg-info", ".pytest_cache")
    shutil.copytree(ROOT, repository, ignore=ignore)
    prefix = base / "env"
    venv.create(prefix, with_pip=True)
    python = str(prefix / "bin" / "python")
    run(python, "-m", "pip", "install", "--quiet", "-r", "binder/requirements.txt", cwd=repository)
    env = {**os.environ, "NB_PYTHON_PREFIX": str(prefix), "PATH": f"{prefix / 'bin'}{os.pathsep}{os.environ['PATH']}"}
    env.pop("VIRTUAL_ENV", None)
    run("bash", "binder/postBuild", cwd=repository, env=env)
    run(python, "-m", "ipykernel", "install", "--prefix", str(prefix), "--name", KERNEL, cwd=repository)
    return repository, prefix


def test_post_build_installs_dlmath_and_the_viewer_settings(binder_session):
    repository, prefix = binder_session
    settings = prefix / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    assert json.loads(settings.read_text()) == json.loads((BINDER / "overrides.json").read_text())
    located = run(str(prefix / "bin" / "python"), "-c", "import dlmath, sys; print(dlmath.__file__)", cwd=prefix)
    assert located.startswith(str(prefix)), f"dlmath is not installed in the Binder environment: {located}"
    freeze = run(str(prefix / "bin" / "python"), "-m", "pip", "freeze", cwd=prefix)
    installed = {re.split(r"[=@ ]", line)[0].lower() for line in freeze.splitlines()}
    assert not installed & {"jupyter-book", "pytest", "playwright"}, "Binder got build or test tools"


def execute_in_binder(repository: Path, prefix: Path, docname: str) -> nbformat.NotebookNode:
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient

    source = repository / f"{docname}.md"
    converted = source.with_suffix(".ipynb")
    run(str(prefix / "bin" / "jupytext"), "--to", "ipynb", "--output", str(converted), str(source), cwd=source.parent)
    notebook = nbformat.read(converted, as_version=4)
    specs = KernelSpecManager(kernel_dirs=[str(prefix / "share" / "jupyter" / "kernels")])
    manager = KernelManager(kernel_name=KERNEL, kernel_spec_manager=specs)
    client = NotebookClient(notebook, km=manager, timeout=600, resources={"metadata": {"path": str(source.parent)}})
    client.execute()
    return notebook


def normalised_outputs(notebook, replacements: dict[str, str]) -> list[list]:
    """The outputs of every code cell, with paths replaced and time-measuring cells blanked."""
    cells = []
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        if "measures-time" in cell.metadata.get("tags", []):
            cells.append("measures-time")
            continue
        text = json.dumps([_output(o) for o in cell.outputs], sort_keys=True)
        for old, new in replacements.items():
            text = text.replace(old, new)
        cells.append(json.loads(text))
    return cells


def _output(output) -> dict:
    kept = {"output_type": output["output_type"]}
    for key in ("name", "text", "data", "ename", "evalue"):
        if key in output:
            kept[key] = output[key]
    return kept


@pytest.mark.parametrize("docname", NOTEBOOK_PAGES)
def test_chapter_runs_in_binder_with_the_same_outputs_as_the_build(binder_session, built_book, docname, monkeypatch):
    repository, prefix = binder_session
    for variable, value in KERNEL_ENVIRONMENT.items():  # as in the build: strict checks, seeds, threads
        monkeypatch.setenv(variable, value)
    in_binder = execute_in_binder(repository, prefix, docname)
    for cell in in_binder.cells:  # printed text merged per cell, as the build merges it
        if cell.cell_type == "code":
            cell.outputs = merge_streams(cell.outputs)
    in_build = nbformat.read(built_book / "_sources" / f"{docname}.ipynb", as_version=4)  # what readers download
    replacements = {str(repository): "<repository>", str(ROOT): "<repository>", str(prefix): "<env>", sys.prefix: "<env>"}
    ours, theirs = normalised_outputs(in_binder, replacements), normalised_outputs(in_build, replacements)
    assert len(ours) == len(theirs), "Binder and the build see a different number of code cells"
    differing = [i for i, (a, b) in enumerate(zip(ours, theirs)) if a != b]
    assert not differing, (
        f"{len(differing)} code cell(s) of {docname} give different outputs in two executions "
        f"(cells {differing[:10]}); seed the randomness, or tag a timing cell measures-time. "
        f"First difference:\nbinder: {str(ours[differing[0]])[:400]}\nbuild:  {str(theirs[differing[0]])[:400]}"
    )
