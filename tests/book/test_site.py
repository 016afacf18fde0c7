"""The built site (`_build/html`): pages, folded solutions, launch and download links, images,
third-party requests and internal links."""

from __future__ import annotations

import gzip
import json
import re
from functools import cache
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import nbformat
import pytest
import yaml
from bs4 import BeautifulSoup

from tests.pages import ROOT, read_page, toc_docnames

pytestmark = pytest.mark.book

DOCNAMES = toc_docnames()
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
REPO_URL = CONFIG["repository"]["url"].rstrip("/")
BRANCH = CONFIG["repository"]["branch"]
ORG_REPO = urlsplit(REPO_URL).path.strip("/")


def notebook_docnames() -> list[str]:
    return [d for d in DOCNAMES if read_page(ROOT / f"{d}.md").code_cells]


@cache
def soup(html: Path, docname: str) -> BeautifulSoup:
    return BeautifulSoup((html / f"{docname}.html").read_text(encoding="utf-8"), "html.parser")


def article(html: Path, docname: str):
    return soup(html, docname).find("article")


def test_every_toc_page_is_built(built_book):
    missing = [d for d in DOCNAMES if not (built_book / f"{d}.html").exists()]
    assert not missing, f"pages in _toc.yml without HTML: {missing}"
    assert (built_book / "index.html").exists() and (built_book / "search.html").exists()


@pytest.mark.parametrize("docname", DOCNAMES)
def test_solutions_are_inside_folded_dropdowns(built_book, docname):
    page = article(built_book, docname)
    exercises = page.select("div.exercise")
    solutions = page.select("div.solution")
    assert len(solutions) == len(exercises), f"{len(exercises)} exercises but {len(solutions)} solutions"
    for solution in solutions:
        assert "dropdown" in solution["class"], f"solution not folded: {solution.get('id')}"
        assert solution.find("p", class_="admonition-title"), "a dropdown needs a title to click"


@pytest.mark.parametrize("docname", notebook_docnames())
def test_launch_links_point_at_this_repository_and_page(built_book, docname):
    page = soup(built_book, docname)
    links = [a["href"] for a in page.find_all("a", href=True)]
    source = f"{docname}.md"
    binder = f"{CONFIG['launch_buttons']['binderhub_url']}/v2/gh/{ORG_REPO}/{BRANCH}?urlpath=lab/tree/{source}"
    assert binder in links, f"no Binder link {binder}"
    hub = CONFIG["launch_buttons"]["jupyterhub_url"]
    hub_links = [link for link in links if link.startswith(f"{hub}/hub/user-redirect/git-pull")]
    assert hub_links, "no JupyterHub (nbgitpuller) link"
    assert f"repo={quote(REPO_URL, safe='/:')}".replace(":", "%3A") in hub_links[0] or f"repo={REPO_URL}" in unquote(hub_links[0])
    assert unquote(hub_links[0]).endswith(f"urlpath=lab/tree/{ORG_REPO.split('/')[1]}/{source}&branch={BRANCH}")
    assert f"{REPO_URL}/edit/{BRANCH}/{source}" in links
    assert REPO_URL in links
    thebe = page.find("script", type="text/x-thebe-config").string
    assert f'repo: "{ORG_REPO}"' in thebe and f'ref: "{BRANCH}"' in thebe
    assert "binder-examples" not in thebe


@pytest.mark.parametrize("docname", notebook_docnames())
def test_downloads_offer_the_source_and_the_executed_notebook(built_book, docname):
    page = soup(built_book, docname)
    hrefs = [a["href"] for a in page.select(".dropdown-download-buttons a[href]")]
    assert any(h.endswith(f"_sources/{docname}.md") for h in hrefs), hrefs
    assert any(h.endswith(f"_sources/{docname}.ipynb") for h in hrefs), hrefs
    assert (built_book / "_sources" / f"{docname}.md").read_text() == (ROOT / f"{docname}.md").read_text()
    notebook = nbformat.read(built_book / "_sources" / f"{docname}.ipynb", as_version=4)
    nbformat.validate(notebook)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert code and all(c.execution_count for c in code), "the downloadable notebook is not the executed one"
    assert any(c.outputs for c in code)
    for cell in code:
        names = [o.name for o in cell.outputs if o.output_type == "stream"]
        assert len(names) == len(set(names)), "printed text repeated in the downloadable notebook"


@pytest.mark.parametrize("docname", DOCNAMES)
def test_every_image_has_alt_text(built_book, docname):
    for image in article(built_book, docname).find_all("img"):
        alt = (image.get("alt") or "").strip()
        source = image.get("src", "")
        assert len(alt) >= 15, f"image {source or image.get('id')} has no useful alt text: {alt!r}"
        if source and not source.startswith("data:"):  # an animation's frames are set by script
            assert (built_book / Path(docname).parent / source).resolve().exists(), f"broken image {source}"


@pytest.mark.parametrize("docname", DOCNAMES)
def test_no_resource_is_loaded_from_another_host(built_book, docname):
    page = soup(built_book, docname)
    external = []
    for tag, attribute in (("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src"), ("source", "src")):
        for element in page.find_all(tag):
            url = element.get(attribute) or ""
            if tag == "link" and not set(element.get("rel", [])) & {"stylesheet", "preload", "icon", "modulepreload"}:
                continue
            if re.match(r"^(https?:)?//", url):
                external.append(f"<{tag} {attribute}={url}>")
    assert not external, f"third-party requests on load: {external}"


@pytest.mark.parametrize("docname", DOCNAMES)
def test_math_is_typeset_by_the_local_mathjax(built_book, docname):
    page = soup(built_book, docname)
    has_math = bool(page.select("article .math, article span.math, article div.math"))
    scripts = [s.get("src", "") for s in page.find_all("script")]
    mathjax = [s for s in scripts if "mathjax" in s.lower() or "tex-" in s]
    if has_math:
        assert mathjax, "a page with math loads no MathJax"
    for src in mathjax:
        assert not src.startswith(("http:", "https:", "//")), f"MathJax from a CDN: {src}"
        assert (built_book / Path(docname).parent / src.split("?")[0]).resolve().exists(), f"missing {src}"


def test_site_identity(built_book):
    page = soup(built_book, DOCNAMES[0])
    assert "The Math Behind Deep Learning" in page.title.string
    copyright = " ".join(page.select_one("p.copyright").get_text().split())
    assert copyright == f"© Copyright {CONFIG['copyright']}."
    assert page.select_one(".theme-switch-button"), "no dark-mode switch"
    assert page.select_one(".search-button, .search-button-field"), "no search"


def _anchors(path: Path) -> set[str]:
    return {element["id"] for element in BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").find_all(id=True)}


def test_internal_links_and_anchors_resolve(built_book):
    """Every relative link of every page leads to a file that exists, and to an anchor in it."""
    anchors: dict[Path, set[str]] = {}
    broken = []
    for page in sorted(built_book.rglob("*.html")):
        if "_static" in page.parts:
            continue
        for link in BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").find_all("a", href=True):
            href = link["href"]
            if re.match(r"^[a-z][a-z0-9+.-]*:", href) or href.startswith("//"):
                continue  # external, mailto:, javascript:
            path, _, fragment = href.partition("#")
            target = (page.parent / unquote(path)).resolve() if path else page
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{page.relative_to(built_book)} -> {href}")
                continue
            if fragment and target.suffix == ".html":
                if target not in anchors:
                    anchors[target] = _anchors(target)
                if unquote(fragment) not in anchors[target]:
                    broken.append(f"{page.relative_to(built_book)} -> {href} (no anchor)")
    assert not broken, "broken internal links:\n" + "\n".join(broken[:50])


def test_execution_status_lists_every_notebook(built_book):
    table = article(built_book, "book/appendix/execution-status").get_text(" ")
    for docname in notebook_docnames():
        assert docname in table, f"{docname} missing from the execution status table"


def test_search_index_covers_the_chapters(built_book):
    text = (built_book / "searchindex.js").read_text()
    index = json.loads(text[text.index("(") + 1 : text.rindex(")")])
    assert set(notebook_docnames()) <= set(index["docnames"])


#: The most a page's own content may weigh as a server sends it: its HTML and its figures,
#: text gzip-compressed (as GitHub Pages and any static host serve it), images as they are.
#: The shared theme, scripts, fonts and MathJax add about 0.5 MB more on a first visit
#: (measured in a browser by benchmarks/page_load.py): a page stays under 1.5 MB in all.
OWN_CONTENT_BUDGET = 1_000_000


def _sent(path: Path) -> int:
    data = path.read_bytes()
    return len(gzip.compress(data, compresslevel=6)) if path.suffix in (".html", ".svg") else len(data)


def _own_aspect(path: Path) -> float:
    """Height over width of a figure file, read independently of the build: PIL for pixels,
    the ``viewBox`` for an SVG."""
    if path.suffix == ".svg":
        view_box = re.search(r'viewBox="([\d.\s-]+)"', path.read_text(encoding="utf-8")[:4000])
        _, _, width, height = map(float, view_box.group(1).split())
        return height / width
    from PIL import Image

    with Image.open(path) as image:
        return image.height / image.width


@pytest.mark.parametrize("docname", [d for d in DOCNAMES if re.match(r"book/\d\d-", d)])
def test_figures_load_lazily_and_keep_their_place_and_shape(built_book, docname):
    """Figures load as they scroll into view (fast_pages), with width and height attributes in
    their own aspect ratio, so the page does not jump and a phone scales them without squashing."""
    figures = article(built_book, docname).find_all("img", src=re.compile(r"_images/"))
    assert len(figures) >= 6, "every chapter has figures"
    for image in figures:
        source = image["src"]
        assert image.get("loading") == "lazy", f"{source} loads with the page"
        assert "height" not in (image.get("style") or ""), f"{source} has a fixed height in its style"
        width, height = int(image["width"]), int(image["height"])
        own = _own_aspect((built_book / Path(docname).parent / source).resolve())
        assert height / width == pytest.approx(own, rel=0.02), f"{source} drawn at {width}x{height}"


@pytest.mark.parametrize("docname", DOCNAMES)
def test_page_and_its_figures_stay_light(built_book, docname):
    page_file = built_book / f"{docname}.html"
    figures = {
        (page_file.parent / image["src"]).resolve()
        for image in article(built_book, docname).find_all("img")
        if image.get("src") and not re.match(r"^[a-z]+:|^//", image["src"])
    }
    sizes = {path.name: _sent(path) for path in figures}
    total = _sent(page_file) + sum(sizes.values())
    heaviest = sorted(sizes.items(), key=lambda item: -item[1])[:3]
    assert total <= OWN_CONTENT_BUDGET, f"{docname}: {total / 1e6:.2f} MB as sent; heaviest figures {heaviest}"


def test_external_links_report(built_book):
    """Every external link of the site, in one report (`_build/external-links.txt`); `make linkcheck` checks them."""
    links: dict[str, set[str]] = {}
    for docname in DOCNAMES:
        for anchor in article(built_book, docname).find_all("a", href=True):
            if re.match(r"^https?://", anchor["href"]):
                links.setdefault(anchor["href"], set()).add(docname)
    report = built_book.parent / "external-links.txt"
    report.write_text("".join(f"{url}\t{', '.join(sorted(pages))}\n" for url, pages in sorted(links.items())))
    insecure = [url for url in links if url.startswith("http://")]
    allowed = {"http://neuralnetworksanddeeplearning.com"}  # serves no HTTPS
    assert not [u for u in insecure if not any(u.startswith(a) for a in allowed)], f"plain-http links: {insecure}"
    assert links, "no external links at all is suspicious: the resources appendix has many"


def test_theme_override_follows_the_pinned_theme():
    """book/_templates/static/webpack-macros.html is the theme's file minus Font Awesome's script."""
    import pydata_sphinx_theme

    original = (Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme" / "static" / "webpack-macros.html").read_text()
    ours = (ROOT / "book" / "_templates" / "static" / "webpack-macros.html").read_text()
    body = lambda text: [line for line in text.split("-->", 1)[1].splitlines() if "fontawesome" not in line and "custom icons" not in line]  # noqa: E731
    assert body(ours) == body(original), "pydata-sphinx-theme changed: update book/_templates/static/webpack-macros.html"
