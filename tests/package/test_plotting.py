"""dlmath.plotting: the house style, deterministic SVG, the recurring pictures, and bad input."""

import io
import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.animation import FuncAnimation

from dlmath import plotting


@pytest.fixture(autouse=True)
def style():
    plotting.use_house_style()
    yield
    plt.close("all")


def bowl(w):
    return w[0] ** 2 + 4 * w[1] ** 2


def bowl_grad(w):
    return np.stack([2 * w[0], 8 * w[1]])


def svg_of(fig) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue().decode()


def test_colour_cycle_is_okabe_ito_with_line_styles():
    cycle = matplotlib.rcParams["axes.prop_cycle"].by_key()
    assert cycle["color"][:3] == ["#0072B2", "#D55E00", "#009E73"]
    assert len(set(map(str, cycle["linestyle"][:4]))) == 4


def test_same_figure_gives_identical_svg_bytes():
    def draw():
        fig, ax = plotting.new_axes()
        plotting.plot_loss_surface(bowl, ax=ax)
        plotting.plot_path(np.array([[1.5, 1.5], [0.5, 0.2], [0.0, 0.0]]), ax=ax, label="path")
        return svg_of(fig)

    first, second = draw(), draw()
    assert first == second
    assert "<dc:date>" not in first


def test_new_axes_grid():
    fig, axes = plotting.new_axes(2, 3)
    assert axes.shape == (2, 3)
    with pytest.raises(ValueError, match="nrows must be at least 1"):
        plotting.new_axes(0)


def test_tangent_line_has_the_derivative_as_slope():
    ax = plotting.plot_tangent(np.sin, np.cos, 0.5)
    tangent = ax.lines[1]
    x, y = tangent.get_data()
    assert (y[1] - y[0]) / (x[1] - x[0]) == pytest.approx(np.cos(0.5))
    assert y[0] + np.cos(0.5) * (0.5 - x[0]) == pytest.approx(np.sin(0.5))


def test_vector_field_draws_the_gradient_direction():
    ax = plotting.plot_vector_field(bowl_grad, f=bowl, n=5)
    quiver = ax.collections[-1]
    U, V = quiver.U, quiver.V
    np.testing.assert_allclose(np.hypot(U, V)[np.hypot(U, V) > 0], 1.0)  # normalised arrows
    X, Y = np.meshgrid(np.linspace(-2, 2, 5), np.linspace(-2, 2, 5))
    expected = np.arctan2(8 * Y, 2 * X).ravel()
    nonzero = (X.ravel() != 0) | (Y.ravel() != 0)
    np.testing.assert_allclose(np.arctan2(V, U)[nonzero], expected[nonzero])


def test_grid_functions_must_follow_the_convention():
    with pytest.raises(ValueError, match="w\\[0\\] and w\\[1\\]"):
        plotting.plot_loss_surface(lambda w: 1.0)
    with pytest.raises(ValueError, match="grad must return shape"):
        plotting.plot_vector_field(lambda w: w[0])
    with pytest.raises(ValueError, match="xlim must be \\(low, high\\)"):
        plotting.plot_loss_surface(bowl, xlim=(1, -1))
    with pytest.raises(TypeError, match="f must be a function"):
        plotting.plot_loss_surface("bowl")


def test_loss_surface_fill_is_one_image():
    fig, ax = plotting.new_axes()
    plotting.plot_loss_surface(bowl, ax=ax)
    svg = svg_of(fig)
    assert svg.count("<image") == 1 and len(svg) < 60_000


def test_log_levels_need_positive_values():
    plotting.plot_loss_surface(lambda w: bowl(w) + 1, log=True)
    with pytest.raises(ValueError, match="positive"):
        plotting.plot_loss_surface(lambda w: -bowl(w) - 1, log=True)


def test_path_shape():
    with pytest.raises(ValueError, match="path must have shape \\(steps, 2\\)"):
        plotting.plot_path(np.zeros((4, 3)))


def test_distribution_histogram_is_a_density():
    rng = np.random.default_rng(0)
    ax = plotting.plot_distribution(rng.normal(size=2000), pdf=lambda x: np.exp(-x * x / 2) / np.sqrt(2 * np.pi))
    heights = np.array([p.get_height() for p in ax.patches])
    widths = np.array([p.get_width() for p in ax.patches])
    assert np.sum(heights * widths) == pytest.approx(1.0)


def test_distribution_pmf_frequencies():
    samples = np.array([0, 1, 1, 2, 2, 2, 2, 3])
    ax = plotting.plot_distribution(samples, pmf=lambda k: np.full_like(k, 0.25, dtype=float))
    assert [p.get_height() for p in ax.patches] == [1 / 8, 2 / 8, 4 / 8, 1 / 8]


class TestAnimation:
    def make(self):
        fig, ax = plt.subplots(figsize=(2, 2), dpi=40)
        (line,) = ax.plot([], [])

        def update(i):
            line.set_data([0, i], [0, i])
            return (line,)

        animation = FuncAnimation(fig, update, frames=3)
        html = plotting.animation_html(animation, alt="A line growing from the origin over three frames.")
        plt.close(fig)
        return html

    def test_deterministic_and_self_contained(self):
        first, second = self.make(), self.make()
        assert first == second
        assert not re.search(r"https?://", first.split("<script", 1)[0])
        assert "font-awesome" not in first
        assert first.count("data:image/png;base64") == 3
        assert 'aria-label="Animation frame"' in first
        assert '<img alt="A line growing from the origin over three frames." id="_anim_img' in first

    def test_bad_input(self):
        with pytest.raises(TypeError, match="matplotlib Animation"):
            plotting.animation_html("not an animation", alt="A description of the frames.")
        fig, ax = plt.subplots()
        animation = FuncAnimation(fig, lambda i: [], frames=2)
        with pytest.raises(ValueError, match="alt must describe"):
            plotting.animation_html(animation, alt="anim")
        animation._draw_was_started = True  # it was never meant to be drawn: no warning at exit
        plt.close(fig)


class TestFigureFormat:
    def test_small_figures_are_svg_heavy_ones_retina_png(self):
        fig, ax = plotting.new_axes()
        ax.plot([0, 1], [0, 1])
        kind, data, size = plotting.figure_image(fig)
        assert kind == "svg" and data.startswith("<?xml") and size == {}
        fig, ax = plotting.new_axes()
        ax.scatter(*np.random.default_rng(0).normal(size=(2, 4000)))
        kind, data, size = plotting.figure_image(fig)
        assert kind == "png" and data[:4] == b"\x89PNG"
        from PIL import Image

        pixels = Image.open(io.BytesIO(data)).size
        assert pixels[0] // 2 == size["width"] and pixels[1] // 2 == size["height"]  # retina: shown at half size

    def test_photographs_become_jpeg(self):
        fig, ax = plotting.new_axes()
        ax.imshow(np.random.default_rng(2).random((400, 600, 3)))  # incompressible, like a photo
        kind, data, size = plotting.figure_image(fig)
        assert kind == "jpeg" and data[:2] == b"\xff\xd8" and set(size) == {"width", "height"}

    def test_jupyter_shows_each_figure_in_one_format(self):
        from IPython.core.interactiveshell import InteractiveShell

        shell = InteractiveShell.instance()
        plotting._register_formats(shell)
        small, _ = plotting.new_axes()
        big, ax = plotting.new_axes()
        ax.scatter(*np.random.default_rng(1).normal(size=(2, 4000)))
        small_data, _ = shell.display_formatter.format(small)
        big_data, big_metadata = shell.display_formatter.format(big)
        assert "image/svg+xml" in small_data and "image/png" not in small_data
        assert "image/png" in big_data and "image/svg+xml" not in big_data
        assert set(big_metadata["image/png"]) == {"width", "height"}
