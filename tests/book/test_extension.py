"""Unit tests of the build's own Sphinx extensions, book/_ext/course_build.py and fast_pages.py."""

import re
import sys

import nbformat

from tests.pages import ROOT

sys.path.insert(0, str(ROOT / "book" / "_ext"))
import course_build  # noqa: E402
import fast_pages  # noqa: E402


def stream(text, name="stdout"):
    return nbformat.v4.new_output("stream", name=name, text=text)


def test_printed_text_split_into_chunks_is_joined_exactly():
    outputs = [stream("loss:"), stream(" [1 2]\n"), stream("done\n")]
    merged = course_build.merge_streams(outputs)
    assert [o["text"] for o in merged] == ["loss: [1 2]\ndone\n"]
    assert outputs[0]["text"] == "loss:", "the notebook's own outputs must not change"


def test_streams_are_merged_per_name_and_other_outputs_kept():
    image = nbformat.v4.new_output("display_data", data={"text/plain": "<Figure>"})
    outputs = [stream("a\n"), image, stream("b\n"), stream("warning\n", "stderr")]
    merged = course_build.merge_streams(outputs)
    assert [(o["output_type"], o.get("name"), o.get("text")) for o in merged] == [
        ("stream", "stdout", "a\nb\n"),
        ("display_data", None, None),
        ("stream", "stderr", "warning\n"),
    ]


def test_fingerprint_changes_with_content_and_names(tmp_path):
    (tmp_path / "a.py").write_text("x = 1\n")
    first = course_build.fingerprint(tmp_path)
    (tmp_path / "a.py").write_text("x = 2\n")
    second = course_build.fingerprint(tmp_path)
    (tmp_path / "a.py").rename(tmp_path / "b.py")
    third = course_build.fingerprint(tmp_path)
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "b.pyc").write_bytes(b"compiled")
    assert len({first, second, third}) == 3
    assert course_build.fingerprint(tmp_path) == third, "compiled files must not count"


def test_image_size_reads_png_pixels_and_svg_points(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from PIL import Image

    fig = plt.figure(figsize=(4, 3), dpi=50)
    fig.savefig(tmp_path / "f.png")
    fig.savefig(tmp_path / "f.svg")
    plt.close(fig)
    assert fast_pages.image_size(tmp_path / "f.png") == Image.open(tmp_path / "f.png").size == (200, 150)
    assert fast_pages.image_size(tmp_path / "f.svg") == (384, 288)  # 4 in x 3 in at 96 CSS px per inch
    (tmp_path / "notes.txt").write_text("not an image")
    assert fast_pages.image_size(tmp_path / "notes.txt") is None
    assert fast_pages.image_size(tmp_path / "missing.svg") is None


def test_figures_load_lazily_with_their_size_as_attributes():
    sized = fast_pages.sized_lazy_image(
        '<img alt="A plot" src="../_images/ab.png" style="width: 651px; height: 411px;" />', lambda src: None
    )
    assert "style=" not in sized, "an inline height would beat the stylesheet's height: auto"
    assert 'width="651" height="411"' in sized and 'loading="lazy"' in sized and 'alt="A plot"' in sized
    from_file = fast_pages.sized_lazy_image('<img alt="A plot" src="../_images/cd.svg" />', {"../_images/cd.svg": (800, 400)}.get)
    assert 'width="800" height="400" loading="lazy"' in from_file
    logo = '<img src="../_static/logo.svg" class="logo__image" alt="Home"/>'
    assert fast_pages.sized_lazy_image(logo, lambda src: (1, 1)) == logo, "only figures are changed"


def test_only_tokens_drawn_as_plain_text_are_unwrapped():
    styles = ("a11y-high-contrast-light", "a11y-high-contrast-dark")
    plain = fast_pages.plain_token_classes(*styles)
    assert {"n", "p", "w"} <= plain
    assert not plain & {"k", "o", "s2", "mi", "mf", "c1", "nb"}, "coloured tokens keep their colour"
    assert fast_pages.plain_token_classes("no-such-style") == frozenset()
    code = (
        '<p><span class="n">prose</span></p><div class="highlight"><pre><span></span>'
        '<span class="n">x</span><span class="w"> </span><span class="o">=</span><span class="w"> </span>'
        '<span class="n">np</span><span class="o">.</span><span class="n">ones</span><span class="p">(</span>'
        '<span class="mi">3</span><span class="p">)</span></pre></div>'
    )
    lighter = fast_pages.unwrap_plain_tokens(code, plain)
    assert lighter.endswith(
        '<div class="highlight"><pre><span></span>x <span class="o">=</span> np<span class="o">.</span>'
        'ones(<span class="mi">3</span>)</pre></div>'
    )
    assert lighter.startswith('<p><span class="n">prose</span></p>'), "nothing outside code blocks changes"
    strip = lambda html: re.sub(r"<[^>]+>", "", html)  # noqa: E731
    assert strip(lighter) == strip(code), "the code reads (and copies) the same"
