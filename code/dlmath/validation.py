"""Input checks shared by every dlmath module.

The course promises that bad input gets a clear error: a ``TypeError`` or ``ValueError``
whose message names the argument, says what was expected and shows what came, instead
of a silent NaN or a traceback from deep inside NumPy. These helpers are how the other
modules keep that promise; each returns the cleaned value so a function can write::

    x = as_array(x, "x", ndim=2)
    rng = as_rng(rng)

Learners do not need this module to follow the chapters.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable

import numpy as np

__all__ = [
    "as_array",
    "as_rng",
    "check_callable",
    "check_int",
    "check_number",
    "check_probability_vector",
    "check_same_length",
    "describe",
]


def describe(value) -> str:
    """A short description of ``value`` for error messages: its type, and shape if it has one."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    if isinstance(value, (list, tuple)):
        return f"a {type(value).__name__} of length {len(value)}"
    if value is None:
        return "None"
    text = repr(value)
    if len(text) > 40:
        text = text[:37] + "..."
    if isinstance(value, str):
        return f"the string {text}"
    return f"{type(value).__name__} {text}"


def as_array(
    value,
    name: str,
    *,
    ndim: int | tuple[int, ...] | None = None,
    dtype=float,
    allow_empty: bool = False,
    finite: bool = True,
) -> np.ndarray:
    """Convert ``value`` to a NumPy array of numbers, or raise an error naming ``name``.

    Parameters
    ----------
    value : array_like
        Numbers (a scalar, a list, a nested list or an array).
    name : str
        The argument's name, used in the error message.
    ndim : int or tuple of int, optional
        The allowed number(s) of dimensions.
    dtype : dtype, default float
        The dtype of the result. Booleans and integers are converted; strings and
        other objects raise ``TypeError``.
    allow_empty : bool, default False
        Whether an array with no elements is acceptable.
    finite : bool, default True
        Whether to reject NaN and infinite values.
    """
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name} must be numbers (an array, list or scalar); got {describe(value)}")
    try:
        array = np.asarray(value)
    except ValueError as error:  # ragged nested lists
        raise ValueError(f"{name} must be a rectangular array of numbers; got {describe(value)} ({error})") from None
    if array.dtype == object or not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
        raise TypeError(f"{name} must contain numbers; got {describe(value)} with dtype {array.dtype}")
    if np.issubdtype(array.dtype, np.complexfloating) and not np.issubdtype(np.dtype(dtype), np.complexfloating):
        raise TypeError(f"{name} must contain real numbers; got complex values")
    array = array.astype(dtype, copy=False)
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if array.ndim not in allowed:
            wanted = " or ".join(f"{d}-D" for d in allowed)
            raise ValueError(f"{name} must be a {wanted} array; got shape {array.shape} ({array.ndim}-D)")
    if not allow_empty and array.size == 0:
        raise ValueError(f"{name} must not be empty; got shape {array.shape}")
    if finite and np.issubdtype(array.dtype, np.inexact):
        bad = ~np.isfinite(array)
        if bad.any():
            n_nan = int(np.isnan(array).sum())
            n_inf = int(bad.sum()) - n_nan
            found = f"{n_nan} NaN and {n_inf} infinite" if n_nan and n_inf else f"{n_nan} NaN" if n_nan else f"{n_inf} infinite"
            raise ValueError(f"{name} must contain only finite numbers; found {found} value(s)")
    return array


def as_rng(rng=None) -> np.random.Generator:
    """Turn ``rng`` into a :class:`numpy.random.Generator`.

    ``rng`` may be a ``Generator`` (returned as is, so a caller's stream continues),
    a non-negative integer seed (the same seed always gives the same numbers), or
    ``None`` (fresh, unpredictable randomness). Chapters always pass a seed.
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None:
        return np.random.default_rng()
    if isinstance(rng, (bool, np.bool_)):
        raise TypeError(f"rng must be a numpy.random.Generator, an integer seed or None; got {describe(rng)}")
    if isinstance(rng, numbers.Integral):
        if rng < 0:
            raise ValueError(f"rng as a seed must be a non-negative integer; got {rng}")
        return np.random.default_rng(int(rng))
    raise TypeError(f"rng must be a numpy.random.Generator, an integer seed or None; got {describe(rng)}")


def check_number(
    value,
    name: str,
    *,
    low: float | None = None,
    high: float | None = None,
    low_inclusive: bool = True,
    high_inclusive: bool = True,
) -> float:
    """Check that ``value`` is a finite real number in the given interval; return it as a float."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number; got {describe(value)}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be a finite number; got {value}")
    if low is not None and (value < low or (value == low and not low_inclusive)):
        bound = "at least" if low_inclusive else "greater than"
        raise ValueError(f"{name} must be {bound} {low}; got {value}")
    if high is not None and (value > high or (value == high and not high_inclusive)):
        bound = "at most" if high_inclusive else "less than"
        raise ValueError(f"{name} must be {bound} {high}; got {value}")
    return value


def check_int(value, name: str, *, low: int | None = None, high: int | None = None) -> int:
    """Check that ``value`` is an integer in ``[low, high]``; return it as an ``int``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer; got {describe(value)}")
    value = int(value)
    if low is not None and value < low:
        raise ValueError(f"{name} must be at least {low}; got {value}")
    if high is not None and value > high:
        raise ValueError(f"{name} must be at most {high}; got {value}")
    return value


def check_callable(value, name: str) -> Callable:
    """Check that ``value`` can be called (a function, a lambda, a method)."""
    if not callable(value):
        raise TypeError(f"{name} must be a function (callable); got {describe(value)}")
    return value


def check_same_length(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> None:
    """Check that two arrays have the same length along their first axis."""
    if len(a) != len(b):
        raise ValueError(
            f"{name_a} and {name_b} must have the same length; got {len(a)} and {len(b)} "
            f"(shapes {np.shape(a)} and {np.shape(b)})"
        )


def check_probability_vector(p, name: str, *, atol: float = 1e-8, axis: int = -1) -> np.ndarray:
    """Check that ``p`` holds probabilities: entries in [0, 1] that sum to 1 along ``axis``."""
    p = as_array(p, name, ndim=(1, 2))
    if (p < 0).any():
        raise ValueError(f"{name} must not contain negative probabilities; smallest entry is {p.min():.6g}")
    if (p > 1 + atol).any():
        raise ValueError(f"{name} must contain probabilities at most 1; largest entry is {p.max():.6g}")
    sums = p.sum(axis=axis)
    if not np.allclose(sums, 1.0, rtol=0, atol=atol):
        worst = float(np.ravel(sums)[np.argmax(np.abs(np.ravel(sums) - 1))])
        raise ValueError(f"{name} must sum to 1 (a probability vector); its entries sum to {worst:.10g}")
    return p
