"""Print a table of contents with one page, for ``make page PAGE=book/NN-name.md``.

The page is built with the intro and the references, so citations resolve; links to
other pages are reported as warnings, which the full build (``make html``) resolves.
"""

import sys
from pathlib import Path

page = Path(sys.argv[1]).with_suffix("").as_posix() if len(sys.argv) == 2 else ""
if not page or not Path(page + ".md").exists():
    sys.exit(f"usage: python book/_ext/page_toc.py book/NN-name.md (no such page: {page or '?'}.md)")
extra = [p for p in (page, "book/appendix/references") if p != "book/intro"]
print("format: jb-book\nroot: book/intro\nchapters:")
for entry in dict.fromkeys(extra):
    print(f"  - file: {entry}")
