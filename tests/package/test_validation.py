"""dlmath.validation: every check accepts what it should and names the argument when it refuses."""

import numpy as np
import pytest

from dlmath.validation import (
    as_array,
    as_rng,
    check_callable,
    check_int,
    check_number,
    check_probability_vector,
    check_same_length,
    describe,
)


class TestAsArray:
    def test_converts_numbers(self):
        out = as_array([[1, 2], [3, 4]], "x")
        assert out.dtype == np.float64 and out.shape == (2, 2)
        assert as_array(True, "flag").dtype == np.float64
        assert as_array(np.float32([1]), "x", dtype=np.float32).dtype == np.float32

    @pytest.mark.parametrize("bad", ["abc", None, b"1", [1, "a"], {"a": 1}])
    def test_rejects_non_numbers(self, bad):
        with pytest.raises(TypeError, match="^x must"):
            as_array(bad, "x")

    def test_rejects_ragged(self):
        with pytest.raises(ValueError, match="rectangular"):
            as_array([[1, 2], [3]], "x")

    def test_rejects_complex(self):
        with pytest.raises(TypeError, match="real numbers"):
            as_array([1 + 2j], "z")

    def test_ndim(self):
        with pytest.raises(ValueError, match=r"X must be a 2-D array; got shape \(3,\) \(1-D\)"):
            as_array([1, 2, 3], "X", ndim=2)
        assert as_array([1], "x", ndim=(1, 2)).ndim == 1
        with pytest.raises(ValueError, match="1-D or 2-D"):
            as_array(1.0, "x", ndim=(1, 2))

    def test_empty(self):
        with pytest.raises(ValueError, match="must not be empty"):
            as_array([], "x")
        assert as_array([], "x", allow_empty=True).size == 0

    def test_non_finite(self):
        with pytest.raises(ValueError, match="found 1 NaN value"):
            as_array([1.0, np.nan], "x")
        with pytest.raises(ValueError, match="found 1 NaN and 2 infinite"):
            as_array([np.nan, np.inf, -np.inf], "x")
        assert np.isnan(as_array([np.nan], "x", finite=False)).all()


class TestAsRng:
    def test_seed_is_reproducible(self):
        assert as_rng(3).random() == as_rng(3).random()

    def test_generator_is_passed_through(self):
        rng = np.random.default_rng(0)
        assert as_rng(rng) is rng

    def test_none_gives_a_generator(self):
        assert isinstance(as_rng(None), np.random.Generator)

    @pytest.mark.parametrize("bad", [1.5, "7", True, np.random.RandomState(0)])
    def test_rejects_other_types(self, bad):
        with pytest.raises(TypeError, match="rng must be"):
            as_rng(bad)

    def test_rejects_negative_seed(self):
        with pytest.raises(ValueError, match="non-negative"):
            as_rng(-1)


class TestScalars:
    def test_number(self):
        assert check_number(np.float32(0.5), "lr", low=0) == 0.5
        with pytest.raises(TypeError, match="lr must be a real number; got the string '0.1'"):
            check_number("0.1", "lr")
        with pytest.raises(TypeError):
            check_number(True, "lr")
        with pytest.raises(ValueError, match="lr must be at least 0"):
            check_number(-0.1, "lr", low=0)
        with pytest.raises(ValueError, match="momentum must be less than 1"):
            check_number(1.0, "momentum", low=0, high=1, high_inclusive=False)
        with pytest.raises(ValueError, match="greater than 0"):
            check_number(0, "std", low=0, low_inclusive=False)
        with pytest.raises(ValueError, match="finite"):
            check_number(float("nan"), "x")

    def test_int(self):
        assert check_int(np.int64(3), "n", low=1) == 3
        with pytest.raises(TypeError, match="n must be an integer; got float 3.0"):
            check_int(3.0, "n")
        with pytest.raises(ValueError, match="at most 5"):
            check_int(6, "n", high=5)

    def test_callable(self):
        assert check_callable(np.sin, "f") is np.sin
        with pytest.raises(TypeError, match="f must be a function"):
            check_callable(3, "f")


def test_same_length_names_both_shapes():
    with pytest.raises(ValueError, match=r"X and y must have the same length; got 3 and 2 \(shapes \(3, 2\) and \(2,\)\)"):
        check_same_length(np.zeros((3, 2)), np.zeros(2), "X", "y")


class TestProbabilityVector:
    def test_accepts_rows(self):
        p = check_probability_vector([[0.2, 0.8], [1.0, 0.0]], "p")
        assert p.shape == (2, 2)

    def test_rejects_bad_vectors(self):
        with pytest.raises(ValueError, match="sum to 1.*sum to 0.9"):
            check_probability_vector([0.5, 0.4], "p")
        with pytest.raises(ValueError, match="negative"):
            check_probability_vector([1.5, -0.5], "p")
        with pytest.raises(ValueError, match="at most 1"):
            check_probability_vector([[1.5, 0.0]], "p", axis=0)


def test_describe():
    assert describe(np.zeros((2, 3))) == "an array of shape (2, 3) and dtype float64"
    assert describe([1, 2]) == "a list of length 2"
    assert describe(None) == "None"
    assert len(describe("x" * 1000)) < 60
    assert describe(3.5) == "float 3.5"
