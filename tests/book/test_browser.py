"""What a reader sees, in a real browser: the system Chromium driven by Playwright.

Every page is loaded from a local server with every request to another host blocked, then:
the math is typeset (no raw TeX left), no image is broken, nothing is logged as an error,
and the solutions are hidden until their title is clicked.

Outside CI these tests skip when Chromium is missing; in CI (CI=true) that is a failure.
"""

from __future__ import annotations

import os
import re
import shutil
from urllib.parse import urlsplit

import pytest

from tests.pages import ROOT, toc_docnames

pytestmark = [pytest.mark.book, pytest.mark.browser]

#: The browser: $CHROMIUM if set (e.g. Google Chrome on GitHub's runners), else Debian's chromium.
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DOCNAMES = toc_docnames()


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("Chromium is required in CI: apt-get install chromium")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


class Visit:
    """A page opened in a fresh browser context that records errors and blocked requests."""

    def __init__(self, browser, site_url: str, docname: str, color_scheme: str = "light"):
        self.context = browser.new_context(color_scheme=color_scheme)
        self.errors: list[str] = []
        self.blocked: list[str] = []
        local = urlsplit(site_url).netloc

        def route(route):
            if urlsplit(route.request.url).netloc in (local, "") or route.request.url.startswith("data:"):
                route.continue_()
            else:
                self.blocked.append(route.request.url)
                route.abort()

        self.context.route("**/*", route)
        self.page = self.context.new_page()
        self.page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.goto(f"{site_url}/{docname}.html", wait_until="load")
        self.wait_for_math()

    def wait_for_math(self) -> None:
        """Wait until MathJax has drawn the formulas in view, then all the others (course.js)."""
        self.page.evaluate(
            """async () => {
              if (!(window.MathJax && MathJax.startup && MathJax.startup.promise)) return;
              await MathJax.startup.promise;
              await window.courseMathDone;  // set by course.js when the page loads
            }"""
        )

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visit(browser, site_url):
    opened = []

    def open_page(docname: str, color_scheme: str = "light") -> Visit:
        opened.append(Visit(browser, site_url, docname, color_scheme))
        return opened[-1]

    yield open_page
    for page in opened:
        page.close()


#: Scrolls to each image in turn, as a reader would (figures load lazily), and returns those
#: that do not load.
SCROLL_TO_EVERY_IMAGE = """async () => {
  const broken = [];
  for (const image of Array.from(document.images)) {
    if (image.offsetParent === null) continue;  // the theme's logo for the other colour scheme
    image.scrollIntoView();
    try { await image.decode(); } catch (error) { broken.push(image.src); }
    if (!(image.complete && image.naturalWidth > 0)) broken.push(image.src);
  }
  window.scrollTo(0, 0);
  return broken;
}"""


@pytest.mark.parametrize("docname", DOCNAMES)
def test_page_renders_offline_with_math_images_and_no_errors(visit, docname):
    page = visit(docname)
    math = page.page.evaluate(
        """() => {
          const visible = e => e.offsetParent !== null;  // not inside a folded solution
          const all = Array.from(document.querySelectorAll('article .math')).filter(visible);
          return {
            raw: all.filter(e => !e.querySelector('mjx-container')).map(e => e.textContent.slice(0, 60)),
            drawn: all.filter(e => e.querySelector('mjx-container mjx-math')).length,
            errors: Array.from(document.querySelectorAll('mjx-merror')).map(e => e.textContent.slice(0, 60)),
            total: all.length,
          };
        }"""
    )
    assert not math["raw"], f"math left as raw TeX: {math['raw'][:5]}"
    assert math["drawn"] == math["total"], f"only {math['drawn']} of {math['total']} formulas drawn after scrolling"
    assert not math["errors"], f"TeX errors: {math['errors'][:5]}"
    broken = page.page.evaluate(SCROLL_TO_EVERY_IMAGE)
    assert not broken, f"broken images: {broken}"
    assert not page.errors, f"console errors: {page.errors}"
    assert not page.blocked, f"requests to other hosts: {page.blocked}"


CHAPTERS = [d for d in DOCNAMES if re.match(r"book/\d\d-", d)]


@pytest.mark.parametrize("docname", CHAPTERS)
def test_figures_keep_their_shape_on_a_phone(browser, site_url, docname):
    """On a 375 px wide screen the figures shrink to the column, height with width."""
    context = browser.new_context(viewport={"width": 375, "height": 800})
    try:
        page = context.new_page()
        page.goto(f"{site_url}/{docname}.html", wait_until="load")
        shapes = page.evaluate(
            """async () => {
              const shapes = [];
              for (const image of document.querySelectorAll('article img[src*="_images/"]')) {
                image.scrollIntoView();
                await image.decode();
                const box = image.getBoundingClientRect();
                shapes.push([image.src.split('/').pop(), image.naturalWidth, image.naturalHeight, box.width, box.height]);
              }
              return shapes;
            }"""
        )
    finally:
        context.close()
    assert len(shapes) >= 6
    for name, natural_width, natural_height, width, height in shapes:
        assert width <= 375, f"{name} is wider than the screen ({width:.0f} px)"
        assert height / width == pytest.approx(natural_height / natural_width, rel=0.03), (
            f"{name} drawn {width:.0f}x{height:.0f}, its own shape is {natural_width}x{natural_height}"
        )


PAGES_WITH_SOLUTIONS = [d for d in DOCNAMES if "{solution-start}" in (ROOT / f"{d}.md").read_text()]


@pytest.mark.parametrize("docname", PAGES_WITH_SOLUTIONS)
def test_solutions_are_hidden_until_clicked(visit, docname):
    page = visit(docname).page
    solutions = page.locator("div.solution.dropdown")
    count = solutions.count()
    assert count > 0
    for i in range(count):
        solution = solutions.nth(i)
        body = solution.locator("section").first
        assert solution.locator(".admonition-title").is_visible()
        assert not body.is_visible(), f"solution {i + 1} is visible before any click"
    first = solutions.first
    first.locator("button.toggle-button").click()  # the chevron a reader clicks
    first.locator("section").first.wait_for(state="visible", timeout=5000)
    if count > 1:
        assert solutions.nth(1).locator("section").first.is_hidden(), "opening one solution opened another"
    first.locator(".admonition-title").click(position={"x": 5, "y": 5})  # the title toggles too
    first.locator("section").first.wait_for(state="hidden", timeout=5000)


AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("axe-core is required in CI: npm ci")
        pytest.skip("axe-core is not installed (npm ci)")
    return AXE.read_text()


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
@pytest.mark.parametrize("docname", DOCNAMES)
def test_no_serious_accessibility_violations(visit, axe_source, docname, color_scheme):
    page = visit(docname, color_scheme)
    theme = page.page.evaluate("() => document.documentElement.dataset.theme")
    assert theme == color_scheme, f"the page did not follow the reader's {color_scheme} preference ({theme})"
    # colours are measured as they are, not halfway through the theme's colour transitions
    page.page.add_style_tag(content="*, *::before, *::after { transition: none !important; animation: none !important; }")
    page.page.wait_for_timeout(100)
    page.page.add_script_tag(content=axe_source)
    results = page.page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} — e.g. {v['nodes'][0]['target']}"
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not serious, f"{len(serious)} serious accessibility problem(s) in {color_scheme} mode:\n" + "\n".join(serious)
