"""Check your answers to the exercises of the course.

Every exercise with an answer has a label, such as ``ex-01-broadcast-shape``. Compute
your answer, then::

    from dlmath.exercises import check
    check("ex-01-broadcast-shape", my_answer)

and you get either "correct" or a hint aimed at the mistake: the wrong type, the wrong
shape, a transposed matrix, a flipped sign, a constant factor, or how far off you are.
The expected values live in this package (one module per chapter, ``ch01.py``, ..., and
``ma.py`` for the math refresher; a check loads only the module of its label),
mostly computed by an independent reference (NumPy, SciPy) rather than typed in.

Answers come in four kinds, chosen by what the exercise registers:

* numbers and arrays, compared with a relative and an absolute tolerance;
* exact values: strings (case and surrounding spaces ignored), booleans, tuples such
  as shapes, sets;
* functions: your function is called at a few points and its values compared with a
  reference function (used for derivatives derived by hand);

When the book is built, strict mode is on (the build sets the environment variable
``DLMATH_STRICT=1``): a wrong answer in a published solution raises
:class:`WrongAnswer` and the build fails, so every solution on the site is verified.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import import_module
from pkgutil import iter_modules

import numpy as np

from dlmath.validation import describe

__all__ = ["Answer", "CheckResult", "WrongAnswer", "check", "labels", "register", "strict_mode"]

LABEL_PATTERN = re.compile(r"^ex-[0-9a-z]{2}-[a-z0-9]+(?:-[a-z0-9]+)*$")
_REGISTRY: dict[str, Answer] = {}
_LOADED = False


class WrongAnswer(AssertionError):
    """Raised by :func:`check` in strict mode (the book build) when an answer is wrong."""


@dataclass(frozen=True)
class Answer:
    """The expected answer of one exercise.

    Exactly one of ``value``, ``compute`` and ``function`` is given:
    ``value`` is the answer itself; ``compute`` is a function of no arguments that
    computes it with a reference library; ``function`` is a reference function that a
    learner's function must match at ``points``.
    """

    label: str
    value: object = None
    compute: Callable[[], object] | None = None
    function: Callable | None = None
    points: tuple | None = None
    rtol: float = 1e-6
    atol: float = 1e-9
    about: str = ""

    def expected(self):
        """The expected value (computed once, for ``compute`` answers)."""
        if self.compute is None:
            return self.value
        if self.label not in _COMPUTED:
            _COMPUTED[self.label] = self.compute()
        return _COMPUTED[self.label]


_COMPUTED: dict[str, object] = {}


def register(
    label: str,
    *,
    value=None,
    compute: Callable[[], object] | None = None,
    function: Callable | None = None,
    points: Sequence | None = None,
    rtol: float = 1e-6,
    atol: float = 1e-9,
    about: str = "",
) -> Answer:
    """Register the expected answer of exercise ``label`` (used by ``dlmath/exercises/chNN.py``)."""
    if not isinstance(label, str) or not LABEL_PATTERN.match(label):
        raise ValueError(f"label must look like 'ex-05-eigenvalues' (ex-, chapter, -name); got {label!r}")
    given = [value is not None, compute is not None, function is not None]
    if sum(given) != 1:
        raise ValueError(f"{label}: give exactly one of value, compute and function")
    if function is not None and points is None:
        raise ValueError(f"{label}: a function answer needs the points at which to compare it")
    if label in _REGISTRY:
        raise ValueError(f"{label}: registered twice")
    answer = Answer(
        label=label,
        value=value,
        compute=compute,
        function=function,
        points=None if points is None else tuple(points),
        rtol=rtol,
        atol=atol,
        about=about,
    )
    _REGISTRY[label] = answer
    return answer


def _answer_modules() -> list[str]:
    """The modules that register answers: ``ch01`` ... for chapters, ``ma`` for the math refresher."""
    return [m.name for m in iter_modules(__path__) if not m.name.startswith("_")]


def _load(label: str) -> None:
    """Import the module that registers ``label`` (``ex-05-rank`` is in ``ch05``), once."""
    part = label.split("-")[1] if label.count("-") >= 2 else ""
    for name in (f"ch{part}", part):
        if name in _answer_modules():
            import_module(f"{__name__}.{name}")
            return


def _load_all() -> None:
    """Import every answer module so that all answers are registered."""
    global _LOADED
    if not _LOADED:
        for name in _answer_modules():
            import_module(f"{__name__}.{name}")
        _LOADED = True


def labels(chapter: int | None = None) -> list[str]:
    """All registered exercise labels, or those of one chapter (``labels(5)``)."""
    _load_all()
    if chapter is None:
        return sorted(_REGISTRY)
    prefix = f"ex-{chapter:02d}-"
    return sorted(label for label in _REGISTRY if label.startswith(prefix))


def strict_mode() -> bool:
    """Whether wrong answers raise (``DLMATH_STRICT`` is set to 1/true/yes, as in the book build)."""
    return os.environ.get("DLMATH_STRICT", "").strip().lower() in {"1", "true", "yes"}


@dataclass(frozen=True)
class CheckResult:
    """What :func:`check` found. True when the answer is correct; the message was already printed."""

    label: str
    correct: bool
    message: str

    def __bool__(self) -> bool:
        return self.correct

    def _ipython_display_(self) -> None:
        """Show nothing in Jupyter: :func:`check` has printed the message already."""


def check(label: str, answer, *, strict: bool | None = None) -> CheckResult:
    """Compare ``answer`` with the expected answer of exercise ``label`` and print the verdict.

    Parameters
    ----------
    label : str
        The exercise label, as shown in the exercise's title (``"ex-05-eigenvalues"``).
    answer :
        Your answer: a number, an array, a tuple, a string, a boolean or a function,
        whichever the exercise asks for.
    strict : bool, optional
        Raise :class:`WrongAnswer` instead of printing a hint when the answer is wrong.
        By default strict mode is on only while the book builds (``DLMATH_STRICT=1``).

    Returns
    -------
    CheckResult
        Truthy when the answer is correct.
    """
    if not isinstance(label, str):
        raise TypeError(f"label must be a string such as 'ex-01-broadcast-shape'; got {describe(label)}")
    _load(label)
    if label not in _REGISTRY:
        _load_all()  # to suggest a near label from any chapter
    if label not in _REGISTRY:
        close = difflib.get_close_matches(label, _REGISTRY, n=3, cutoff=0.6)
        suggestion = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        raise ValueError(f"unknown exercise label {label!r}.{suggestion} Known labels: dlmath.exercises.labels()")
    reference = _REGISTRY[label]
    problem = _compare(reference, answer)
    if problem is None:
        message = f"✔ {label}: correct."
    else:
        message = f"✘ {label}: not yet. {problem}"
    if strict is None:
        strict = strict_mode()
    if problem is not None and strict:
        raise WrongAnswer(message)
    print(message)
    return CheckResult(label=label, correct=problem is None, message=message)


# --- comparison --------------------------------------------------------------------------


def _compare(reference: Answer, answer) -> str | None:
    """None when ``answer`` matches ``reference``, else a hint saying what is wrong."""
    if reference.function is not None:
        return _compare_function(reference, answer)
    expected = reference.expected()
    if isinstance(expected, str):
        return _compare_string(expected, answer)
    if isinstance(expected, (bool, np.bool_)):
        return _compare_bool(bool(expected), answer)
    if isinstance(expected, (set, frozenset)):
        return _compare_set(expected, answer)
    if isinstance(expected, tuple):
        return _compare_tuple(expected, answer, reference)
    return _compare_numbers(np.asarray(expected, dtype=float), answer, reference.rtol, reference.atol)


def _compare_string(expected: str, answer) -> str | None:
    if not isinstance(answer, str):
        return f"Expected a string (text in quotes); got {describe(answer)}."
    if answer.strip().lower() == expected.strip().lower():
        return None
    return f"{answer!r} is not the answer; reread the question and try again."


def _compare_bool(expected: bool, answer) -> str | None:
    if not isinstance(answer, (bool, np.bool_)):
        return f"Expected True or False; got {describe(answer)}."
    if bool(answer) == expected:
        return None
    return f"{bool(answer)} is not right: the answer is the other truth value. Can you see why?"


def _compare_set(expected: set, answer) -> str | None:
    if not isinstance(answer, (set, frozenset, list, tuple)):
        return f"Expected a set (or list) of items; got {describe(answer)}."
    given = set(answer)
    if given == expected:
        return None
    missing, extra = len(expected - given), len(given - expected)
    parts = []
    if missing:
        parts.append(f"{missing} item(s) missing")
    if extra:
        parts.append(f"{extra} item(s) that do not belong")
    return f"Your set has {' and '.join(parts)}."


def _compare_tuple(expected: tuple, answer, reference: Answer) -> str | None:
    if not isinstance(answer, (tuple, list)):
        return f"Expected a tuple of {len(expected)} values, such as a shape; got {describe(answer)}."
    if len(answer) != len(expected):
        return f"Expected a tuple of {len(expected)} values; yours has {len(answer)}."
    if all(isinstance(e, str) for e in expected):
        return None if [str(a).strip().lower() for a in answer] == [e.lower() for e in expected] else "Some entries are not right."
    try:
        given = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        return f"Expected numbers in the tuple; got {describe(answer)}."
    wanted = np.asarray(expected, dtype=float)
    if np.allclose(given, wanted, rtol=reference.rtol, atol=reference.atol):
        return None
    if len(expected) > 1 and np.allclose(given[::-1], wanted, rtol=reference.rtol, atol=reference.atol):
        return "The right values in reverse order: check which axis comes first."
    return _compare_numbers(wanted, given, reference.rtol, reference.atol)


def _as_numbers(answer) -> tuple[np.ndarray | None, str | None]:
    """The answer as a float array, or a hint that it is not numbers."""
    if callable(answer):
        return None, "Expected a number or an array; got a function. Did you forget to call it?"
    if isinstance(answer, (str, bytes)) or answer is None:
        return None, f"Expected a number or an array of numbers; got {describe(answer)}."
    try:
        given = np.asarray(answer)
    except ValueError:
        return None, f"Expected a rectangular array of numbers; got {describe(answer)} with rows of different lengths."
    if given.dtype == object or not (np.issubdtype(given.dtype, np.number) or given.dtype == bool):
        return None, f"Expected a number or an array of numbers; got {describe(answer)}."
    if np.iscomplexobj(given):
        if np.allclose(given.imag, 0):
            given = given.real
        else:
            return None, "Expected real numbers; your answer has complex values."
    return given.astype(float), None


def _compare_numbers(expected: np.ndarray, answer, rtol: float, atol: float, *, where: str = "") -> str | None:
    given, problem = _as_numbers(answer)
    if problem:
        return problem
    if not np.isfinite(given).all():
        return f"Your answer contains {int(np.isnan(given).sum())} NaN and {int(np.isinf(given).sum())} infinite value(s); look for a division by zero or an overflow."
    if expected.size == 1 and given.size == 1:
        expected, given = expected.reshape(()), given.reshape(())
    elif given.shape != expected.shape:
        if expected.ndim == 2 and given.shape == expected.shape[::-1] and np.allclose(given.T, expected, rtol=rtol, atol=atol):
            return f"Your array is the transpose of the answer (shape {given.shape} instead of {expected.shape})."
        if given.size == expected.size and np.allclose(given.reshape(expected.shape), expected, rtol=rtol, atol=atol):
            return f"The right numbers in the wrong shape: expected shape {expected.shape}, got {given.shape}."
        return f"Wrong shape: expected {_shape_words(expected.shape)}, got {_shape_words(given.shape)}."
    if np.allclose(given, expected, rtol=rtol, atol=atol):
        return None
    scale = np.abs(expected) > max(atol, 1e-12)
    if scale.any() and np.allclose(-given, expected, rtol=rtol, atol=atol):
        return f"Off by a sign{where}: your answer is the negative of the expected one."
    if scale.any() and np.allclose(given[~scale], 0, atol=atol):
        ratios = given[scale] / expected[scale]
        factor = float(ratios.flat[0])
        constant = factor != 0 and np.allclose(ratios, factor, rtol=1e-6) and not np.isclose(factor, 1.0, rtol=rtol)
        # one number is always some multiple of another: name a factor only when it is telling
        if constant and (ratios.size > 1 or _SIMPLE_FACTORS.get(round(factor, 6))):
            return f"Off by a constant factor{where}: your answer is {_factor_words(factor)} the expected one."
    error = np.abs(given - expected)
    index = np.unravel_index(int(np.argmax(error - atol - rtol * np.abs(expected))), error.shape) if error.ndim else ()
    worst = float(error[index]) if error.ndim else float(error)
    relative = worst / max(float(np.abs(expected[index])), 1e-300)
    location = f" at index {tuple(int(i) for i in index)}" if error.ndim else ""
    closeness = "Close, but not within the tolerance" if relative < 1e-2 else "Not equal to the expected value"
    return (
        f"{closeness}{where}: largest difference {worst:.3g}{location} "
        f"(relative {relative:.2g}; allowed rtol={rtol:g}, atol={atol:g})."
    )


def _compare_function(reference: Answer, answer) -> str | None:
    if not callable(answer):
        return f"Expected a function (def or lambda) that can be called; got {describe(answer)}."
    for point in reference.points:
        try:
            value = answer(point)
        except Exception as error:  # the learner's code: report, do not crash
            return f"Calling your function at {_point_words(point)} raised {type(error).__name__}: {error}"
        expected = np.asarray(reference.function(point), dtype=float)
        problem = _compare_numbers(expected, value, reference.rtol, reference.atol, where=f" at {_point_words(point)}")
        if problem:
            given, _ = _as_numbers(value)
            if given is not None and given.size == expected.size and given.size <= 4:
                problem += f" Your function gives {_short(given)} there; the reference gives {_short(expected)}."
            return problem
    return None


def _shape_words(shape: tuple) -> str:
    return "a single number" if shape == () else f"shape {shape}"


_SIMPLE_FACTORS = {
    2.0: "2 times", 0.5: "half", 3.0: "3 times", round(1 / 3, 6): "a third of", 4.0: "4 times", 0.25: "a quarter of",
    10.0: "10 times", 0.1: "a tenth of", -2.0: "-2 times", -0.5: "-1/2 times", 100.0: "100 times", 0.01: "1/100 of",
}


def _factor_words(factor: float) -> str:
    return _SIMPLE_FACTORS.get(round(factor, 6), f"{factor:.4g} times")


def _point_words(point) -> str:
    array = np.asarray(point)
    return f"x = {_short(array)}"


def _short(array) -> str:
    array = np.asarray(array, dtype=float)
    if array.ndim == 0:
        return f"{float(array):.6g}"
    return np.array2string(array, precision=6, separator=", ", threshold=8)
