"""Unit tests of the build's own Sphinx extension, book/_ext/course_build.py."""

import sys

import nbformat

from tests.pages import ROOT

sys.path.insert(0, str(ROOT / "book" / "_ext"))
import course_build  # noqa: E402


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
