"""Print a table of contents with one page, for ``make page PAGE=book/NN-name.md``.

The page is built with the intro and the appendices that pages link to everywhere
(glossary, notation, references), so terms and citations resolve. Links to other chapters
cannot resolve there and are not reported (see ``course_build.quiet_links_to_pages_not_built``);
the full build (``make html``) checks them all.
"""

import sys
from pathlib import Path

page = Path(sys.argv[1]).with_suffix("").as_posix() if len(sys.argv) == 2 else ""
if not page or not Path(page + ".md").exists():
    sys.exit(f"usage: python book/_ext/page_toc.py book/NN-name.md (no such page: {page or '?'}.md)")
shared = ["book/appendix/glossary", "book/appendix/notation", "book/appendix/references"]
pages = [page] + [p for p in shared if Path(p + ".md").exists()]
print("format: jb-book\nroot: book/intro\nchapters:")
for entry in dict.fromkeys(p for p in pages if p != "book/intro"):
    print(f"  - file: {entry}")
