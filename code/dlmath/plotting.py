"""One house style for every figure of the course, and the pictures that recur.

Call :func:`use_house_style` once at the top of a chapter. It sets:

* a colour cycle from the Okabe–Ito palette, which stays distinguishable for the
  common forms of colour blindness, and line styles that differ too;
* the ``viridis`` colour map for images and surfaces (perceptually uniform, readable
  in grey);
* in Jupyter and in the book, each figure in the format that suits it
  (:func:`figure_image`): SVG (sharp at any zoom, small for line plots) unless its SVG
  would be heavier than :data:`SVG_LIMIT` bytes (scatter plots of thousands of points,
  images), then a pixel-doubled ("retina") PNG, or a JPEG for photographs; with no date
  in the files and SVG ids from a fixed salt, so two builds give byte-identical figures.

Functions of two variables follow one convention: they take a point ``w`` whose first
axis has length 2 and use ``w[0]`` and ``w[1]``. Written that way, the same function
accepts a single point (shape ``(2,)``) and a whole grid (shape ``(2, rows, cols)``),
which is how the contour helpers evaluate it::

    def bowl(w):
        return w[0] ** 2 + 10 * w[1] ** 2

Alt text: every figure in the book carries a description for readers who cannot see
it. It goes in the code cell's metadata (``mystnb: image: alt: ...``), which MyST-NB
puts on the ``<img>`` tag; the tests fail on a figure without one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import hashlib
import re

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from cycler import cycler

from dlmath.validation import as_array, check_callable, check_int

__all__ = [
    "COLORS",
    "LINESTYLES",
    "SVG_LIMIT",
    "PNG_LIMIT",
    "animation_html",
    "figure_image",
    "new_axes",
    "plot_distribution",
    "plot_loss_surface",
    "plot_path",
    "plot_tangent",
    "plot_vector_field",
    "use_house_style",
]

#: The Okabe–Ito palette (Okabe and Ito, 2008), safe for colour-blind readers.
COLORS = {
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "green": "#009E73",
    "orange": "#E69F00",
    "purple": "#CC79A7",
    "sky": "#56B4E9",
    "yellow": "#F0E442",
    "black": "#000000",
}
#: Line styles that go with the colour cycle, so lines differ without colour too.
LINESTYLES = ["-", "--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1)), "-", "--"]

_HOUSE_STYLE = {
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 100,
    "figure.constrained_layout.use": True,
    "savefig.dpi": 150,
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "axes.grid": True,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "grid.alpha": 0.3,
    "lines.linewidth": 2.0,
    "legend.frameon": False,
    "image.cmap": "viridis",
    "svg.hashsalt": "dlmath",
    "svg.fonttype": "path",
    "path.simplify": True,
}


#: A figure whose SVG would be larger than this (bytes) is shown as a retina PNG instead.
SVG_LIMIT = 120_000
#: A retina PNG larger than this (bytes: a photograph, say) is shown as a JPEG if that is smaller.
PNG_LIMIT = 300_000


def figure_image(fig) -> tuple[str, str | bytes, dict]:
    """The figure in the format that suits it: ``(kind, data, size)``, kind "svg", "png" or "jpeg".

    SVG when it is at most :data:`SVG_LIMIT` bytes (line plots: sharp at any zoom); else a
    pixel-doubled ("retina") PNG, shown at the SVG's size (``size`` holds that width and
    height); and for a PNG over :data:`PNG_LIMIT` bytes, a retina JPEG when smaller (images
    such as photographs, which PNG stores poorly).
    """
    from IPython.core.pylabtools import print_figure, retina_figure

    svg = print_figure(fig, "svg", metadata={"Date": None})
    if svg is None or len(svg.encode()) <= SVG_LIMIT:
        return "svg", svg, {}
    png, size = retina_figure(fig)
    if len(png) > PNG_LIMIT:
        jpeg = print_figure(fig, "jpeg", dpi=2 * fig.dpi, pil_kwargs={"quality": 85})
        if len(jpeg) < len(png):
            return "jpeg", jpeg, size
    return "png", png, size


def _register_formats(shell) -> None:
    """Show matplotlib figures through :func:`figure_image` in this IPython shell."""
    from matplotlib.figure import Figure

    formatters = shell.display_formatter.formatters
    for mime in ("image/png", "image/jpeg", "image/svg+xml", "application/pdf"):
        formatters[mime].pop(Figure, None)
    chosen: dict[int, tuple] = {}  # the svg formatter runs first; the others reuse its choice

    def as_kind(wanted: str):
        def format_figure(fig):
            if wanted == "svg" or id(fig) not in chosen:
                chosen[id(fig)] = figure_image(fig)
            kind, data, size = chosen[id(fig)]
            if kind != wanted:
                return None
            return data if kind == "svg" else (data, size)

        return format_figure

    for kind in ("svg", "png", "jpeg"):
        formatters[f"image/{'svg+xml' if kind == 'svg' else kind}"].for_type(Figure, as_kind(kind))


def use_house_style() -> None:
    """Apply the course's figure style (idempotent: calling it twice changes nothing)."""
    mpl.rcParams.update(_HOUSE_STYLE)
    mpl.rcParams["axes.prop_cycle"] = cycler(color=list(COLORS.values())) + cycler(linestyle=LINESTYLES)
    try:
        from IPython import get_ipython
    except ImportError:  # plain Python: nothing to configure
        return
    shell = get_ipython()
    if shell is not None and hasattr(shell, "display_formatter"):
        # Importing the inline backend sets up its default formats once; ours must come after.
        import matplotlib_inline.backend_inline  # noqa: F401

        _register_formats(shell)


def new_axes(nrows: int = 1, ncols: int = 1, *, width: float | None = None, height: float | None = None):
    """A figure with a grid of axes, sized for the page: ``fig, ax = new_axes()``.

    The default size is 6.4 inches wide and 4 inches tall per row, narrowed per column.
    """
    nrows = check_int(nrows, "nrows", low=1)
    ncols = check_int(ncols, "ncols", low=1)
    width = width if width is not None else min(6.4 * ncols, 10.0)
    height = height if height is not None else (4.0 if ncols == 1 else 3.4) * nrows
    return plt.subplots(nrows, ncols, figsize=(width, height), squeeze=True)


def _axes(ax):
    """The axes to draw on: the one given, or a new figure's."""
    return ax if ax is not None else new_axes()[1]


def _grid(xlim: Sequence[float], ylim: Sequence[float], n: int) -> tuple[np.ndarray, np.ndarray]:
    xlim = as_array(xlim, "xlim", ndim=1)
    ylim = as_array(ylim, "ylim", ndim=1)
    for name, lim in (("xlim", xlim), ("ylim", ylim)):
        if lim.shape != (2,) or not lim[0] < lim[1]:
            raise ValueError(f"{name} must be (low, high) with low < high; got {tuple(lim)}")
    return np.meshgrid(np.linspace(*xlim, n), np.linspace(*ylim, n))


def _on_grid(f: Callable, X: np.ndarray, Y: np.ndarray, name: str) -> np.ndarray:
    """Evaluate ``f`` (a function of a 2-vector ``w``) on a whole grid at once."""
    values = np.asarray(f(np.stack([X, Y])), dtype=float)
    if values.shape != X.shape:
        raise ValueError(
            f"{name} must accept a grid w of shape (2, rows, cols) and return shape (rows, cols) "
            f"(write it with w[0] and w[1]); it returned shape {values.shape}"
        )
    return values


def plot_tangent(
    f: Callable, df: Callable, x0: float, *, xlim: Sequence[float] = (-3, 3), ax=None, width: float = 1.5, label: str = "f(x)"
):
    """Plot ``f`` on ``xlim`` and its tangent line at ``x0``: y = f(x0) + f'(x0)(x - x0)."""
    f = check_callable(f, "f")
    df = check_callable(df, "df")
    ax = _axes(ax)
    x = np.linspace(*xlim, 400)
    ax.plot(x, f(x), label=label)
    y0, slope = float(f(x0)), float(df(x0))
    xt = np.linspace(x0 - width, x0 + width, 2)
    ax.plot(xt, y0 + slope * (xt - x0), label=f"tangent at x = {x0:g} (slope {slope:.3g})")
    ax.plot([x0], [y0], "o", color=COLORS["black"], linestyle="none")
    ax.set_xlabel("x")
    ax.legend()
    return ax


def plot_vector_field(
    grad: Callable,
    *,
    xlim: Sequence[float] = (-2, 2),
    ylim: Sequence[float] = (-2, 2),
    f: Callable | None = None,
    n: int = 15,
    ax=None,
    normalize: bool = True,
):
    """Arrows of ``grad(w)`` on an ``n`` by ``n`` grid, over the contours of ``f`` if given.

    With ``normalize`` the arrows all have the same length and show only direction;
    their colour shows the gradient's magnitude.
    """
    grad = check_callable(grad, "grad")
    n = check_int(n, "n", low=2)
    ax = _axes(ax)
    if f is not None:
        Xf, Yf = _grid(xlim, ylim, 200)
        ax.contour(Xf, Yf, _on_grid(f, Xf, Yf, "f"), levels=15, colors="0.6", linewidths=0.8)
    X, Y = _grid(xlim, ylim, n)
    G = np.asarray(grad(np.stack([X, Y])), dtype=float)
    if G.shape != (2, *X.shape):
        raise ValueError(f"grad must return shape (2, rows, cols) for a grid; it returned {G.shape}")
    magnitude = np.hypot(G[0], G[1])
    U, V = (G[0] / np.where(magnitude == 0, 1, magnitude), G[1] / np.where(magnitude == 0, 1, magnitude)) if normalize else G
    arrows = ax.quiver(X, Y, U, V, magnitude, cmap="viridis", angles="xy", pivot="mid")
    ax.figure.colorbar(arrows, ax=ax, label="gradient magnitude")
    ax.set_xlabel("$w_0$")
    ax.set_ylabel("$w_1$")
    ax.set_aspect("equal")
    ax.grid(False)
    return ax


def plot_loss_surface(
    f: Callable,
    *,
    xlim: Sequence[float] = (-2, 2),
    ylim: Sequence[float] = (-2, 2),
    levels: int = 25,
    log: bool = False,
    n: int = 200,
    ax=None,
):
    """Filled contours of a loss ``f(w)`` of two parameters; ``log`` spaces the levels geometrically.

    The fill is stored as an image inside the figure (lines and text stay sharp vectors).
    """
    f = check_callable(f, "f")
    ax = _axes(ax)
    X, Y = _grid(xlim, ylim, check_int(n, "n", low=10))
    Z = _on_grid(f, X, Y, "f")
    if log:
        positive = Z[Z > 0]
        if positive.size == 0:
            raise ValueError("log=True needs a loss with positive values on the grid")
        bounds = np.geomspace(positive.min(), Z.max(), levels)
        filled = ax.contourf(X, Y, Z, levels=bounds, norm=mpl.colors.LogNorm(), cmap="viridis", alpha=0.85)
    else:
        filled = ax.contourf(X, Y, Z, levels=levels, cmap="viridis", alpha=0.85)
    filled.set_rasterized(True)  # the colour fill as one image: a fraction of the bytes of vector shapes
    ax.set_xlabel("$w_0$")
    ax.set_ylabel("$w_1$")
    ax.grid(False)
    return ax


def plot_path(path, *, ax=None, label: str | None = None, color: str | None = None, markevery: int = 1):
    """Draw a descent path (an array of shape ``(steps, 2)``) with its start and end marked."""
    path = as_array(path, "path", ndim=2)
    if path.shape[1] != 2:
        raise ValueError(f"path must have shape (steps, 2); got {path.shape}")
    ax = _axes(ax)
    (line,) = ax.plot(path[:, 0], path[:, 1], marker="o", markersize=3, markevery=markevery, label=label, color=color)
    ax.plot(*path[0], marker="s", color=line.get_color(), markersize=7, linestyle="none")
    ax.plot(*path[-1], marker="*", color=line.get_color(), markersize=12, markeredgecolor="white", linestyle="none")
    return ax


def plot_distribution(
    samples=None, *, pdf: Callable | None = None, pmf: Callable | None = None, bins: int | str = "auto", ax=None, label: str = "samples"
):
    """A histogram of ``samples`` (as a density) with the theoretical ``pdf`` or ``pmf`` on top.

    For a ``pmf``, samples are counted at each integer and the pmf is drawn as stems.
    """
    ax = _axes(ax)
    if samples is not None:
        samples = as_array(samples, "samples", ndim=1)
        if pmf is not None:
            values, counts = np.unique(samples, return_counts=True)
            ax.bar(values, counts / samples.size, width=0.8, alpha=0.6, label=label)
        else:
            ax.hist(samples, bins=bins, density=True, alpha=0.6, label=label)
    lo, hi = (samples.min(), samples.max()) if samples is not None else (0.0, 1.0)
    if pdf is not None:
        x = np.linspace(lo, hi, 400)
        ax.plot(x, pdf(x), label="pdf", color=COLORS["vermillion"])
    if pmf is not None:
        k = np.arange(np.floor(lo), np.ceil(hi) + 1)
        ax.plot(k, pmf(k), "o", color=COLORS["vermillion"], label="pmf", linestyle="none")
    ax.legend()
    return ax


def animation_html(animation, *, alt: str, fps: float | None = None, mode: str = "once", dpi: float = 72) -> str:
    """An animation as a self-contained HTML player that plays in a static page (no kernel).

    This is matplotlib's JavaScript player (``to_jshtml``) with these changes for the book:
    the player's random id is replaced by one derived from the frames, so two builds give
    the same page; the link to an icon font on a third-party CDN is dropped (the site's own
    Font Awesome draws the buttons); the frame image gets the description ``alt`` and the
    slider a name, for screen readers; and frames are rendered at ``dpi`` (small PNGs: an
    animation is stored in the page itself). Display it with
    ``IPython.display.HTML(animation_html(anim, alt=...))`` and close the figure
    (``plt.close(fig)``) so it is not shown a second time.
    """
    from html import escape

    from matplotlib.animation import Animation

    if not isinstance(animation, Animation):
        raise TypeError(f"animation must be a matplotlib Animation (e.g. FuncAnimation); got {type(animation).__name__}")
    if mode not in ("once", "loop", "reflect"):
        raise ValueError(f"mode must be 'once', 'loop' or 'reflect'; got {mode!r}")
    if not isinstance(alt, str) or len(alt.strip()) < 15:
        raise ValueError(f"alt must describe what the animation shows (a sentence); got {alt!r}")
    with mpl.rc_context({"savefig.dpi": dpi}):  # to_jshtml renders frames at savefig.dpi
        html = animation.to_jshtml(fps=fps, default_mode=mode)
    html = re.sub(r'<link rel="stylesheet"\s+href="https://[^"]*font-awesome[^"]*">', "", html)
    html = html.replace('class="anim-slider"', 'class="anim-slider" aria-label="Animation frame"')
    html = html.replace('<img id="_anim_img', f'<img alt="{escape(alt.strip())}" id="_anim_img', 1)
    ids = set(re.findall(r"_anim_img([0-9a-f]{32})", html))
    stable = hashlib.sha256(re.sub(r"[0-9a-f]{32}", "", html).encode()).hexdigest()[:32]
    for old in ids:
        html = html.replace(old, stable)
    return html
