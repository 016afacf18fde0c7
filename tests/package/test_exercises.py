"""dlmath.exercises: the verdicts and hints of check(), strict mode, and every registered answer."""

from __future__ import annotations

import numpy as np
import pytest

from dlmath import exercises
from dlmath.exercises import Answer, WrongAnswer, _compare, check, labels, register


def verdict(answer, **reference):
    """The hint _compare gives for ``answer`` against an ad-hoc reference (None = correct)."""
    return _compare(Answer(label="ex-00-test", **reference), answer)


@pytest.fixture(autouse=True)
def learner_mode(monkeypatch):
    monkeypatch.delenv("DLMATH_STRICT", raising=False)


class TestNumbers:
    def test_equal_within_tolerance(self):
        assert verdict(0.1 + 0.2, value=0.3) is None
        assert verdict([[1, 2], [3, 4.0000001]], value=np.array([[1, 2], [3, 4]])) is None

    def test_scalar_in_a_one_element_array_is_accepted(self):
        assert verdict(np.array([2.5]), value=2.5) is None

    def test_sign(self):
        assert "sign" in verdict(-np.arange(1, 4), value=np.arange(1, 4))

    def test_constant_factor(self):
        assert "2 times" in verdict(2 * np.arange(1.0, 5.0), value=np.arange(1.0, 5.0))
        assert "half" in verdict(np.array([0.5, 1.0]), value=np.array([1.0, 2.0]))

    def test_factor_with_zero_entries(self):
        assert "factor" in verdict(np.array([0.0, 3.0, 6.0]), value=np.array([0.0, 1.0, 2.0]))

    def test_transpose(self):
        A = np.arange(6.0).reshape(2, 3)
        assert "transpose" in verdict(A.T, value=A)

    def test_reshaped(self):
        A = np.arange(6.0).reshape(2, 3)
        assert "wrong shape" in verdict(A.ravel(), value=A)

    def test_wrong_shape_names_both(self):
        hint = verdict(np.zeros(4), value=np.zeros((2, 3)))
        assert "(2, 3)" in hint and "(4,)" in hint

    def test_close_but_outside_tolerance_reports_the_error(self):
        hint = verdict(1.001, value=1.0, rtol=1e-6)
        assert "Close" in hint and "relative 0.001" in hint

    def test_far_off(self):
        hint = verdict(np.array([1.0, 5.0]), value=np.array([1.0, 2.0]))
        assert "index (1,)" in hint and "Not equal" in hint

    def test_nan_is_reported_not_compared(self):
        assert "NaN" in verdict(np.array([1.0, np.nan]), value=np.array([1.0, 2.0]))

    @pytest.mark.parametrize("bad", ["3", None, {"a": 1}, [[1, 2], [3]]])
    def test_not_numbers(self, bad):
        hint = verdict(bad, value=3.0)
        assert hint.startswith("Expected")

    def test_forgot_to_call(self):
        assert "forget to call" in verdict(np.mean, value=3.0)

    def test_complex_with_zero_imaginary_part_is_accepted(self):
        assert verdict(np.array([1 + 0j, 2 + 0j]), value=np.array([1.0, 2.0])) is None
        assert "complex" in verdict(np.array([1 + 1j]), value=1.0)


class TestExactValues:
    def test_strings_ignore_case_and_spaces(self):
        assert verdict("  Variance ", value="variance") is None
        assert "not the answer" in verdict("mean", value="variance")
        assert "string" in verdict(3, value="variance")

    def test_booleans(self):
        assert verdict(np.bool_(True), value=True) is None
        assert "other truth value" in verdict(False, value=True)
        assert "True or False" in verdict(1, value=True)

    def test_tuples(self):
        assert verdict((4, 3), value=(4, 3)) is None
        assert verdict([4, 3], value=(4, 3)) is None
        assert "reverse" in verdict((3, 4), value=(4, 3))
        assert "2 values" in verdict((4,), value=(4, 3))
        assert "tuple" in verdict(12, value=(4, 3))

    def test_sets(self):
        assert verdict({1, 2}, value=frozenset({1, 2})) is None
        hint = verdict({1, 3}, value={1, 2})
        assert "1 item(s) missing" in hint and "1 item(s) that do not belong" in hint


class TestFunctions:
    reference = {"function": lambda x: 1 - np.tanh(x) ** 2, "points": (-2.0, 0.0, 0.5, 3.0)}

    def test_matching_function(self):
        assert verdict(lambda x: 1 / np.cosh(x) ** 2, **self.reference) is None

    def test_wrong_function_shows_the_point(self):
        hint = verdict(lambda x: 1 - np.tanh(x), **self.reference)
        assert "x = -2" in hint and "reference gives" in hint

    def test_function_that_raises(self):
        hint = verdict(lambda x: 1 / 0, **self.reference)
        assert "ZeroDivisionError" in hint

    def test_not_a_function(self):
        assert "function" in verdict(0.42, **self.reference)

    def test_vector_points(self):
        reference = {"function": lambda w: 2 * np.asarray(w), "points": ([1.0, 2.0], [0.0, -1.0])}
        assert verdict(lambda w: np.asarray(w) * 2.0, **reference) is None
        assert "sign" in verdict(lambda w: -2 * np.asarray(w), **reference)


class TestCheck:
    def test_correct_prints_and_is_truthy(self, capsys):
        result = check("ex-01-broadcast-shape", (4, 3))
        assert result and result.correct
        assert "correct" in capsys.readouterr().out

    def test_wrong_prints_a_hint_and_is_falsy_for_a_learner(self, capsys):
        result = check("ex-01-broadcast-shape", (3, 4))
        assert not result
        assert "reverse" in capsys.readouterr().out

    def test_strict_mode_raises(self, monkeypatch):
        monkeypatch.setenv("DLMATH_STRICT", "1")
        with pytest.raises(WrongAnswer, match="ex-01-broadcast-shape"):
            check("ex-01-broadcast-shape", (3, 4))

    def test_strict_false_overrides_the_environment(self, monkeypatch, capsys):
        monkeypatch.setenv("DLMATH_STRICT", "1")
        assert not check("ex-01-broadcast-shape", (3, 4), strict=False)

    def test_unknown_label_suggests_a_near_one(self):
        with pytest.raises(ValueError, match="Did you mean 'ex-01-broadcast-shape'"):
            check("ex-01-broadcast-shapes", (4, 3))

    def test_label_must_be_a_string(self):
        with pytest.raises(TypeError, match="label must be a string"):
            check(1, 2)

    def test_the_result_does_not_display_twice_in_jupyter(self):
        assert check("ex-01-broadcast-shape", (4, 3))._ipython_display_() is None


class TestRegister:
    def test_bad_labels_and_arguments(self):
        with pytest.raises(ValueError, match="label must look like"):
            register("exercise 1", value=1)
        with pytest.raises(ValueError, match="exactly one"):
            register("ex-00-nothing")
        with pytest.raises(ValueError, match="exactly one"):
            register("ex-00-both", value=1, compute=lambda: 1)
        with pytest.raises(ValueError, match="points"):
            register("ex-00-function", function=np.sin)

    def test_registered_twice(self):
        label = labels()[0]
        with pytest.raises(ValueError, match="registered twice"):
            register(label, value=1)


@pytest.mark.parametrize("label", labels())
def test_every_registered_answer_accepts_its_own_reference(label):
    """The reference is well formed: it is accepted by check, and it is not trivially empty."""
    reference = exercises._REGISTRY[label]
    if reference.function is not None:
        answer = reference.function
    else:
        answer = reference.expected()
        if isinstance(answer, np.ndarray):
            assert answer.size > 0
    assert check(label, answer, strict=True)


def test_labels_by_chapter():
    assert "ex-01-broadcast-shape" in labels(1)
    assert all(label.startswith("ex-01-") for label in labels(1))
