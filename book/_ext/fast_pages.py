"""A fast first screen: a local Sphinx extension named in ``_config.yml``.

A chapter is one long page: 10–16 figures, hundreds of formulas, thousands of highlighted
code tokens. What the reader sees first should not wait for what is further down.

1. **Figures load as they scroll into view** (``loading="lazy"``), so the browser does not
   parse a dozen SVG figures before it can draw the first screen. Each figure gets its
   ``width`` and ``height`` as attributes, so the browser keeps its place before it loads
   (nothing jumps, and a link to a section lands where it should) and scales it with its
   aspect ratio on a narrow screen. Figures whose size came as an inline style
   (``style="width: 651px; height: 411px;"``, from a retina PNG's metadata) get attributes
   instead: the inline height beat the stylesheet's ``height: auto``, which squashed those
   figures on a phone.
2. **Fewer elements in highlighted code.** Pygments wraps every token of a code cell in a
   ``<span>``, even the names, punctuation and spaces that its colour scheme draws exactly
   like plain text; that is over 40% of a chapter's elements, each one styled and laid out
   before the first screen shows. We unwrap the tokens drawn as plain text in both the light
   and the dark scheme (the classes come from the schemes themselves, so another scheme
   keeps its colours): the code looks and copies the same.
3. **MathJax arrives at once.** MathJax's startup script fetches its components one after
   another (core, then TeX input and HTML output, then the font data). On pages with math we
   ask for all of them, and for the three fonts nearly every formula uses, in the page's head
   (``<link rel="preload">``), so they download side by side while the page is parsed.
"""

from __future__ import annotations

import functools
import re
import struct
from pathlib import Path

#: MathJax files every page with math needs, from the components in ``mathjax3_config``.
MATHJAX_SCRIPTS = (
    "core.js",
    "input/tex.js",
    "output/chtml.js",
    "output/chtml/fonts/tex.js",
    "a11y/assistive-mml.js",
    "ui/lazy.js",
)
#: The fonts nearly every formula draws with: MathJax_Zero sizes the others.
MATHJAX_FONTS = ("MathJax_Zero.woff", "MathJax_Main-Regular.woff", "MathJax_Math-Italic.woff")
MATHJAX_FONT_FOLDER = "output/chtml/fonts/woff-v2"

CODE_BLOCK = re.compile(r'<div class="highlight"><pre>.*?</pre>', re.S)
IMAGE_TAG = re.compile(r"<img\b[^>]*>")
ATTRIBUTE = re.compile(r'\s([a-zA-Z-]+)="([^"]*)"')
SIZE_STYLE = re.compile(r"^\s*width:\s*(\d+(?:\.\d+)?)px;\s*height:\s*(\d+(?:\.\d+)?)px;?\s*$")
SVG_SIZE = re.compile(r'<svg\b[^>]*?\swidth="([\d.]+)(pt|px)?"[^>]*?\sheight="([\d.]+)(pt|px)?"', re.S)
PX_PER = {"pt": 4 / 3, "px": 1.0, None: 1.0}


def image_size(path: Path) -> tuple[int, int] | None:
    """The size in CSS pixels at which a figure file draws by itself, or None if unknown.

    An SVG gives its ``width`` and ``height`` (Matplotlib writes points: 1 pt = 4/3 px);
    a PNG gives its pixels (its IHDR chunk: width and height as big-endian 32-bit integers
    at bytes 16–24).
    """
    try:
        with open(path, "rb") as file:
            head = file.read(4096)
    except OSError:
        return None
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        width, height = struct.unpack(">II", head[16:24])
        return width, height
    match = SVG_SIZE.search(head.decode("utf-8", "replace"))
    if match:
        width, width_unit, height, height_unit = match.groups()
        return round(float(width) * PX_PER[width_unit]), round(float(height) * PX_PER[height_unit])
    return None


def sized_lazy_image(tag: str, size_of) -> str:
    """One ``<img>`` tag of a page's body, loading lazily and with its size as attributes.

    ``size_of(src)`` gives a figure file's own size (see ``image_size``) or None. Images
    not under ``_images/`` (the theme's logos, animation frames set by script) are left alone.
    """
    attributes = dict(ATTRIBUTE.findall(tag))
    if "_images/" not in attributes.get("src", ""):
        return tag
    size = None
    style = SIZE_STYLE.match(attributes.get("style", ""))
    if style:
        size = round(float(style.group(1))), round(float(style.group(2)))
        tag = re.sub(r'\sstyle="[^"]*"', "", tag)
    elif "width" not in attributes and "height" not in attributes:
        size = size_of(attributes["src"])
    extra = ""
    if size:
        extra += f' width="{size[0]}" height="{size[1]}"'
    if "loading" not in attributes:
        extra += ' loading="lazy" decoding="async"'
    return tag[:4] + extra + tag[4:]


def lazy_sized_figures(app, pagename, templatename, context, doctree) -> None:
    """Apply ``sized_lazy_image`` to every image of the page body."""
    body = context.get("body")
    if not body or "<img" not in body:
        return
    sources = {name: Path(app.srcdir) / source for source, name in app.builder.images.items()}

    def size_of(src: str):
        source = sources.get(src.rsplit("/", 1)[-1])
        return image_size(source) if source else None

    context["body"] = IMAGE_TAG.sub(lambda match: sized_lazy_image(match.group(0), size_of), body)


@functools.cache
def plain_token_classes(*style_names: str) -> frozenset[str]:
    """The Pygments token classes that every named style draws exactly like plain text.

    For the theme's accessible styles this is ``{'n', 'nn', 'nx', 'p', 'pm', 'w'}``: names,
    punctuation and whitespace. An unknown style makes the set empty (nothing is unwrapped).
    """
    from pygments.styles import get_style_by_name
    from pygments.token import STANDARD_TYPES, Token
    from pygments.util import ClassNotFound

    plain = {name for name in STANDARD_TYPES.values() if name}
    for style_name in style_names:
        try:
            style = get_style_by_name(style_name)
        except ClassNotFound:
            return frozenset()
        text = style.style_for_token(Token.Text)
        plain &= {name for token, name in STANDARD_TYPES.items() if name and style.style_for_token(token) == text}
    return frozenset(plain)


def unwrap_plain_tokens(html: str, classes: frozenset[str]) -> str:
    """Replace ``<span class="n">x</span>`` by ``x`` inside highlighted code, for the given classes."""
    if not classes:
        return html
    span = re.compile(r'<span class="(?:%s)">([^<]*)</span>' % "|".join(sorted(map(re.escape, classes))))
    return CODE_BLOCK.sub(lambda block: span.sub(r"\1", block.group(0)), html)


def lighter_code(app, pagename, templatename, context, doctree) -> None:
    """Apply ``unwrap_plain_tokens`` to the page body, for the theme's light and dark styles."""
    body = context.get("body")
    styles = (context.get("theme_pygments_light_style"), context.get("theme_pygments_dark_style"))
    if body and all(styles):
        context["body"] = unwrap_plain_tokens(body, plain_token_classes(*styles))


def preload_mathjax(app, pagename, templatename, context, doctree) -> None:
    """On a page with math, ask for MathJax's components and main fonts in the head."""
    body = context.get("body") or ""
    if 'class="math' not in body or not app.config.mathjax_path.startswith("mathjax/"):
        return
    folder = "_static/" + app.config.mathjax_path.rsplit("/", 1)[0]
    pathto = context["pathto"]
    links = [f'<link rel="preload" as="script" href="{pathto(f"{folder}/{name}", 1)}" />' for name in MATHJAX_SCRIPTS]
    links += [
        f'<link rel="preload" as="font" type="font/woff" crossorigin="anonymous" '
        f'href="{pathto(f"{folder}/{MATHJAX_FONT_FOLDER}/{name}", 1)}" />'
        for name in MATHJAX_FONTS
    ]
    context["metatags"] = context.get("metatags", "") + "\n" + "\n".join(links)


def setup(app):
    app.connect("html-page-context", lazy_sized_figures, priority=900)
    app.connect("html-page-context", lighter_code, priority=900)
    app.connect("html-page-context", preload_mathjax, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
