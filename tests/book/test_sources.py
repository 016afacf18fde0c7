"""Static checks of the MyST sources: structure, exercises, solutions and the content bar.

These read the pages only (nothing is executed), so an author can run them in a second:
``pytest tests/book/test_sources.py -k 05``.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from dlmath.exercises import labels as registered_labels
from tests.pages import (
    BOOK,
    CHAPTER_FILE,
    PARTS,
    ROOT,
    chapter_number,
    chapter_pages,
    directives,
    option,
    prose_words,
    read_page,
    solution_blocks,
    toc,
    toc_pages,
)

PAGES = toc_pages()
CHAPTERS = chapter_pages()
CHECK_CALL = re.compile(r"""\bcheck\(\s*["'](ex-[\w-]+)["']""")

#: What every chapter must have (the content bar of the platform issue).
BAR = {"words": 3000, "exercises": 8, "checked": 5, "figures": 5, "boxes": 3}


def ids(paths):
    return [p.stem for p in paths]


def test_every_toc_page_exists():
    missing = [str(p.relative_to(ROOT)) for p in PAGES if not p.exists()]
    assert not missing, f"_toc.yml lists pages that do not exist: {missing}"


def test_toc_parts_follow_the_design():
    parts = toc()["parts"]
    captions = [part["caption"] for part in parts if "caption" in part]  # a part without one continues the last
    assert captions == [c for c in PARTS if c in captions], f"parts out of order or unknown: {captions}"
    assert captions[0] == "Getting started" and captions[-1] == "Appendices"


def test_chapters_are_numbered_and_nothing_else():
    for part in toc()["parts"]:
        files = [Path(entry["file"]).name for entry in part["chapters"]]
        is_chapter = [bool(CHAPTER_FILE.match(name + ".md")) for name in files]
        assert len(set(is_chapter)) == 1, f"a part mixes chapters and other pages: {files}"
        assert bool(part.get("numbered")) == is_chapter[0], f"numbered must be set exactly on chapter parts: {files}"
    for page in CHAPTERS:
        title = re.search(r"^# (.+)$", read_page(page).text, re.M).group(1)
        assert not re.match(r"^\d", title), f"{page.name}: the build numbers chapters; drop the number from '{title}'"


def test_no_placeholder_pages():
    for page in PAGES:
        text = page.read_text(encoding="utf-8").lower()
        for phrase in ("coming soon", "todo", "tbd", "lorem ipsum", "placeholder"):
            assert phrase not in text, f"{page.name} contains {phrase!r}"


def test_every_book_page_is_in_the_toc():
    listed = set(PAGES)
    stray = [p.relative_to(ROOT) for p in BOOK.rglob("*.md") if p not in listed and "_build" not in p.parts]
    assert not stray, f"pages not in _toc.yml (add them or delete them): {stray}"


@pytest.mark.parametrize("page", [p for p in PAGES if p.exists()], ids=ids([p for p in PAGES if p.exists()]))
def test_pages_with_code_are_myst_notebooks(page):
    source = read_page(page)
    if source.code_cells:
        assert source.text.startswith("---\njupytext:"), f"{page.name}: a page with code needs the jupytext header"
        assert source.notebook.metadata["kernelspec"]["name"] == "python3"


def test_exercise_labels_are_unique_and_named_by_chapter():
    seen = Counter()
    for page in PAGES:
        if not page.exists():
            continue
        for _, options, line in directives(page.read_text(), "exercise"):
            label = option(options, "label")
            assert label, f"{page.name}:{line}: exercise without :label:"
            seen[label] += 1
            match = re.match(r"^ex-(\d\d|[a-z]{2})-[a-z0-9-]+$", label)
            assert match, f"{page.name}:{line}: label {label!r} must look like ex-NN-name"
            if page in CHAPTERS:
                assert match.group(1) == chapter_number(page), f"{label} is in chapter {chapter_number(page)}"
    duplicates = [label for label, n in seen.items() if n > 1]
    assert not duplicates, f"exercise labels used twice: {duplicates}"


@pytest.mark.parametrize("page", [p for p in PAGES if p.exists()], ids=ids([p for p in PAGES if p.exists()]))
def test_every_exercise_has_a_folded_solution(page):
    source = read_page(page)
    exercises = [option(o, "label") for _, o, _ in directives(source.text, "exercise")]
    solutions = {label: options for label, options, _ in solution_blocks(source)}
    assert len(directives(source.text, "solution-start")) == len(directives(source.text, "solution-end"))
    for label in exercises:
        assert label in solutions, f"{page.name}: exercise {label} has no solution"
        assert "dropdown" in (option(solutions[label], "class") or ""), f"{page.name}: solution of {label} is not folded (:class: dropdown)"
    assert not directives(source.text, "solution"), f"{page.name}: use the gated solution-start/solution-end form"


@pytest.mark.parametrize("page", [p for p in PAGES if p.exists()], ids=ids([p for p in PAGES if p.exists()]))
def test_solution_code_starts_collapsed_in_jupyter(page):
    source = read_page(page)
    inside = False
    for cell in source.notebook.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if "{solution-start}" in line:
                    inside = True
                if "{solution-end}" in line:
                    inside = False
        elif inside:
            hidden = cell.metadata.get("jupyter", {}).get("source_hidden")
            assert hidden is True, f"{page.name}: a solution code cell lacks 'jupyter: source_hidden: true':\n{cell.source[:200]}"


def test_checked_labels_are_registered_and_used():
    used: dict[str, str] = {}
    for page in PAGES:
        if page.exists():
            for label in CHECK_CALL.findall(page.read_text()):
                used[label] = page.name
    registered = set(registered_labels())
    unknown = sorted(set(used) - registered)
    assert not unknown, f"check() calls with labels not registered in dlmath.exercises: {unknown}"
    unused = sorted(registered - set(used))
    assert not unused, f"registered answers that no solution checks: {unused}"


@pytest.mark.parametrize("page", CHAPTERS, ids=ids(CHAPTERS))
def test_chapter_meets_the_content_bar(page):
    source = read_page(page)
    text = source.text
    checked = sum(bool(CHECK_CALL.search(body)) for _, _, body in solution_blocks(source))
    figures = sum(bool(c.metadata.get("mystnb", {}).get("image", {}).get("alt")) for c in source.code_cells)
    boxes = len(re.findall(r"^(`{3,}|~{3,})\{prf:[a-z]+\}", text, re.M))
    counts = {
        "words": prose_words(source),
        "exercises": len(directives(text, "exercise")),
        "checked": checked,
        "figures": figures,
        "boxes": boxes,
    }
    short = {k: f"{counts[k]} < {v}" for k, v in BAR.items() if counts[k] < v}
    assert not short, f"{page.name} is below the content bar: {short}"
    assert re.search(r"\{admonition\}\s*Learning objectives", text), f"{page.name}: no learning objectives"
    assert re.search(r"^## Summary", text, re.M), f"{page.name}: no '## Summary'"
    assert re.search(r"^## Further reading", text, re.M), f"{page.name}: no '## Further reading'"
    assert re.search(rf"^\(ch-{chapter_number(page)}\)=", text, re.M), f"{page.name}: no (ch-NN)= label"


@pytest.mark.parametrize("page", [p for p in PAGES if p.exists()], ids=ids([p for p in PAGES if p.exists()]))
def test_checked_exercises_tell_the_learner_their_label(page):
    """A learner can only call check(label, answer) if the exercise statement shows the label."""
    source = read_page(page)
    checked = {label for label, _, body in solution_blocks(source) if CHECK_CALL.search(body)}
    lines = source.text.splitlines()
    for _, options, line in directives(source.text, "exercise"):
        label = option(options, "label")
        if label not in checked:
            continue
        statement = []
        for text in lines[line:]:
            if re.match(r"^(`{3,}|~{3,})\s*$", text.strip()):
                break
            statement.append(text)
        assert label in "\n".join(statement), f"{page.name}: exercise {label} is checked but its statement does not name the label"
