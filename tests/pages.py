"""Reading the course's sources for the tests: the table of contents and the MyST pages."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import jupytext
import yaml

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
CHAPTER_FILE = re.compile(r"^(\d\d)-[a-z0-9-]+\.md$")
#: The parts of the table of contents, in order (DESIGN.md).
PARTS = (
    "Getting started",
    "Probability and statistics",
    "Linear algebra",
    "Calculus",
    "Neural networks",
    "Going further",
    "Appendices",
)


def toc() -> dict:
    return yaml.safe_load((ROOT / "_toc.yml").read_text())


def toc_docnames() -> list[str]:
    """Every page of ``_toc.yml`` in reading order, as docnames (``book/05-linear-algebra``)."""
    data = toc()
    names = [data["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                names.append(entry["file"])
            walk(entry.get("sections"))

    for part in data.get("parts", []):
        walk(part.get("chapters"))
    walk(data.get("chapters"))
    return [str(Path(n).with_suffix("")) for n in names]


def toc_pages() -> list[Path]:
    return [ROOT / f"{name}.md" for name in toc_docnames()]


def chapter_pages() -> list[Path]:
    """The numbered chapters listed in the table of contents (``book/NN-title.md``)."""
    return [p for p in toc_pages() if CHAPTER_FILE.match(p.name)]


def chapter_number(path: Path) -> str:
    return CHAPTER_FILE.match(path.name).group(1)


@dataclass
class Page:
    """A MyST page, read the way Binder's jupytext reads it."""

    path: Path
    text: str
    notebook: object = field(repr=False)

    @property
    def code_cells(self) -> list:
        return [c for c in self.notebook.cells if c.cell_type == "code"]

    @property
    def markdown(self) -> str:
        return "\n".join(c.source for c in self.notebook.cells if c.cell_type == "markdown")


@cache
def read_page(path: Path) -> Page:
    text = path.read_text(encoding="utf-8")
    return Page(path=path, text=text, notebook=jupytext.reads(text, fmt="md:myst"))


FENCE_OPEN = re.compile(r"^(`{3,}|~{3,})\{([\w:-]+)\}\s*(.*)$")


def directives(text: str, name: str) -> list[tuple[str, list[str], int]]:
    """Every ``{name}`` directive as (argument, option lines, line number)."""
    found = []
    lines = text.splitlines()
    for i, line in enumerate(lines):
        match = FENCE_OPEN.match(line.strip())
        if match and match.group(2) == name:
            options = []
            j = i + 1
            while j < len(lines) and lines[j].strip().startswith(":"):
                options.append(lines[j].strip())
                j += 1
            found.append((match.group(3).strip(), options, i + 1))
    return found


def option(options: list[str], key: str) -> str | None:
    for line in options:
        match = re.match(rf"^:{key}:\s*(.*)$", line)
        if match:
            return match.group(1).strip()
    return None


def solution_blocks(page: Page) -> list[tuple[str, list[str], str]]:
    """(exercise label, option lines, body text) for every gated solution of a page."""
    blocks = []
    lines = page.text.splitlines()
    starts = directives(page.text, "solution-start")
    for label, options, line_no in starts:
        body = []
        for line in lines[line_no:]:
            if FENCE_OPEN.match(line.strip()) and "{solution-end}" in line:
                break
            body.append(line)
        blocks.append((label, options, "\n".join(body)))
    return blocks


WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")


def prose_words(page: Page) -> int:
    """Words of prose: markdown cells without math, inline code, directive options or labels."""
    text = page.markdown
    text = re.sub(r"\$\$.*?\$\$", " ", text, flags=re.S)
    text = re.sub(r"\$[^$\n]*\$", " ", text)
    text = re.sub(r"`[^`\n]*`", " ", text)
    text = re.sub(r"\]\([^)]*\)", "]", text)
    count = 0
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith((":", "```", "~~~")) or (stripped.startswith("(") and stripped.endswith(")=")):
            continue
        count += len(WORD.findall(line))
    return count
