r"""Numerical derivatives and Newton's method (Chapters 7 and 8).

Derivatives by finite differences
---------------------------------
Every derivative here is computed from values of the function alone, with the
**central difference**

.. math:: f'(x) \approx \frac{f(x + h) - f(x - h)}{2h},

whose error shrinks like :math:`h^2` until round-off takes over (Chapter 7). The default
step is :math:`h = \epsilon^{1/3} \max(1, |x|) \approx 6 \times 10^{-6} \max(1, |x|)` for
first derivatives and :math:`\epsilon^{1/4} \max(1, |x|) \approx 1.2 \times 10^{-4}
\max(1, |x|)` for second derivatives, where :math:`\epsilon \approx 2.2 \times 10^{-16}`
is the machine epsilon of float64: these balance the truncation error against the
round-off error, and give about 10 correct digits for a first derivative and about 7 for
a second one. Use these functions to *check* derivatives you derived by hand (gradient
checking), not to train networks: backpropagation (Chapter 10) is exact and far cheaper.

=========================  =========================  ===================================
function                   derivative of              result's shape
=========================  =========================  ===================================
:func:`derivative`         f: R -> R, elementwise     the shape of ``x``
:func:`second_derivative`  f: R -> R, elementwise     the shape of ``x``
:func:`gradient`           f: R^n -> R                the shape of ``x`` (a column vector)
:func:`directional_derivative`  f: R^n -> R along v   a number
:func:`jacobian`           f: R^n -> R^m              ``f(x).shape + x.shape`` (m, n)
:func:`hessian`            f: R^n -> R                ``x.shape + x.shape`` (n, n)
=========================  =========================  ===================================

The layout convention of the course (Chapter 8)
-----------------------------------------------
*Numerator layout*: the Jacobian of :math:`y = f(x)` with :math:`y \in \mathbb{R}^m` and
:math:`x \in \mathbb{R}^n` is the :math:`m \times n` matrix
:math:`J_{ij} = \partial y_i / \partial x_j` (one row per output, one column per input),
so the chain rule reads :math:`J_{g \circ f}(x) = J_g(f(x))\, J_f(x)`. The gradient of a
scalar is a column vector with the shape of its argument, :math:`\nabla f(x) =
J_f(x)^\top`; the derivative of a scalar by a matrix :math:`W` is a matrix of the shape of
:math:`W` with entries :math:`\partial f / \partial W_{ij}`. In code, :func:`gradient`
returns an array of ``x``'s shape and :func:`jacobian` an array of shape
``f(x).shape + x.shape``.

Vectorised functions
--------------------
By default a function of a vector is called once per point (``2n`` calls for a gradient
in n variables). A function written with the plotting convention of the course, which
reads coordinates from the *first* axis (``w[0]``, ``w[1]``) and so also accepts many
points stacked along extra trailing axes, can be called once for all points: pass
``vectorized=True``. It then receives an array of shape ``x.shape + (m,)`` and must return
``f(x).shape + (m,)``.

Newton's method
---------------
:func:`newton` finds a root of :math:`f: \mathbb{R} \to \mathbb{R}` with
:math:`x_{k+1} = x_k - f(x_k)/f'(x_k)`; :func:`newton_system` solves :math:`F(x) = 0` for
:math:`F: \mathbb{R}^n \to \mathbb{R}^n` with :math:`x_{k+1} = x_k - J_F(x_k)^{-1} F(x_k)`;
:func:`newton_minimize` looks for a stationary point of :math:`f: \mathbb{R}^n \to
\mathbb{R}` with :math:`x_{k+1} = x_k - H_f(x_k)^{-1} \nabla f(x_k)`. Each returns a
:class:`NewtonResult` with the whole history of iterates (for convergence plots) and
raises :class:`ConvergenceError` (or :class:`SingularJacobianError`) with that history
when it fails.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from dlmath.validation import as_array, check_callable, check_int, check_number

__all__ = [
    "ConvergenceError",
    "NewtonResult",
    "NonFiniteValueError",
    "SingularJacobianError",
    "default_step",
    "derivative",
    "directional_derivative",
    "gradient",
    "hessian",
    "jacobian",
    "newton",
    "newton_minimize",
    "newton_system",
    "second_derivative",
]

EPS = float(np.finfo(float).eps)
_METHODS = ("central", "forward", "backward")
#: Powers of the machine epsilon that give the default steps (see :func:`default_step`).
_STEP_POWER = {"central": 1 / 3, "forward": 1 / 2, "backward": 1 / 2, "second": 1 / 4}


# --- helpers ------------------------------------------------------------------------------


def default_step(x, kind: str = "central"):
    r"""The default finite-difference step at ``x``: :math:`h = \epsilon^{p} \max(1, |x|)`.

    The power is :math:`p = 1/3` for a central difference (``kind="central"``),
    :math:`p = 1/2` for a one-sided difference (``"forward"``, ``"backward"``) and
    :math:`p = 1/4` for a second derivative (``"second"``). Each minimises the total
    error :math:`C_1 h^{k} + C_2 \epsilon / h^{j}` of its formula when the constants are of
    order one (Chapter 7). The step grows with :math:`|x|` because floating-point numbers
    are spaced in proportion to their size.
    """
    if kind not in _STEP_POWER:
        raise ValueError(f"kind must be one of {', '.join(repr(k) for k in _STEP_POWER)}; got {kind!r}")
    x = as_array(x, "x")
    step = EPS ** _STEP_POWER[kind] * np.maximum(1.0, np.abs(x))
    return float(step) if step.ndim == 0 else step


def _steps(x: np.ndarray, h, kind: str) -> np.ndarray:
    """Steps for every entry of ``x``: the default, or ``h``; rounded so that x + h - x == h exactly."""
    if h is None:
        step = EPS ** _STEP_POWER[kind] * np.maximum(1.0, np.abs(x))
    else:
        step = np.full(x.shape, check_number(h, "h", low=0.0, low_inclusive=False))
    # (x + h) - x is exactly representable: using it removes one source of round-off.
    step = (x + step) - x
    if (step == 0).any():
        raise ValueError(
            f"h is too small for x: x + h == x in floating point (h = {h}, |x| up to {np.abs(x).max():.3g}); "
            "use a larger step or the default (h=None)"
        )
    return step


class NonFiniteValueError(ValueError):
    """The function being differentiated returned NaN or infinity at one of the points used."""


def _values(f: Callable, point, name: str) -> np.ndarray:
    """``f(point)`` as a float array, or a clear error when it is not finite numbers."""
    out = f(point)
    try:
        out = as_array(out, f"the value returned by {name}", finite=False, allow_empty=True)
    except TypeError as error:
        raise TypeError(f"{name} must return numbers; {error}") from None
    if not np.isfinite(out).all():
        where = _point_words(point)
        raise NonFiniteValueError(
            f"{name} returned a non-finite value (NaN or infinity) at {where}: the function or its "
            "derivative is not defined there, or the step h leaves the function's domain"
        )
    return out


def _point_words(point) -> str:
    array = np.asarray(point, dtype=float)
    if array.ndim == 0:
        return f"x = {float(array):.6g}"
    return "x = " + np.array2string(array, precision=4, threshold=6, separator=", ")


def _many(f: Callable, points: np.ndarray, shape: tuple, vectorized: bool, name: str) -> np.ndarray:
    """Evaluate ``f`` at the m points given as the columns of ``points`` (n, m).

    Returns an array of shape ``out_shape + (m,)``. Each point is reshaped to ``shape``.
    """
    m = points.shape[1]
    if vectorized:
        batch = points.reshape(*shape, m)
        values = _values(f, batch, name)
        if values.ndim == 0 or values.shape[-1] != m:
            raise ValueError(
                f"{name} was called with vectorized=True on {m} points stacked along the last axis "
                f"(shape {batch.shape}) and should return shape (..., {m}); it returned shape {values.shape}. "
                "Write it with x[0], x[1], ... or use vectorized=False"
            )
        return values
    columns = [_values(f, points[:, k].reshape(shape), name) for k in range(m)]
    first = columns[0].shape
    for k, column in enumerate(columns):
        if column.shape != first:
            raise ValueError(
                f"{name} returned arrays of different shapes at different points: {first} and {column.shape}"
            )
    return np.stack(columns, axis=-1)


def _elementwise(f: Callable, point: np.ndarray, shape: tuple, instead: str) -> np.ndarray:
    """Values of an element-by-element function at ``point``: an array of the same shape."""
    values = _values(f, point, "f")
    if values.shape == shape or (values.size == 1 and point.size == 1):
        return values.reshape(shape)
    raise ValueError(
        f"f must work element by element: called with shape {shape} it returned shape {values.shape}; "
        f"for a function of a vector use {instead}"
    )


def _result(x_in, value):
    """A Python float for a scalar input, an array otherwise."""
    value = np.asarray(value, dtype=float)
    return float(value) if value.ndim == 0 else value


def _check_scalar_output(values: np.ndarray, name: str, m: int) -> np.ndarray:
    """Values of a scalar function at m points: shape (m,) (accepting (1, m))."""
    if values.shape == (m,):
        return values
    if values.size == m:
        return values.reshape(m)
    raise ValueError(
        f"{name} must return a single number (a scalar); it returned shape {values.shape[:-1]}. "
        "For a function with several outputs use jacobian"
    )


# --- one variable ---------------------------------------------------------------------------


def derivative(f: Callable, x, h: float | None = None, *, method: str = "central"):
    r"""The derivative :math:`f'(x)` of a function of one variable, by finite differences.

    ``method="central"`` (the default):
    :math:`f'(x) \approx \dfrac{f(x+h) - f(x-h)}{2h}`, error :math:`O(h^2)`;
    ``"forward"``: :math:`\dfrac{f(x+h) - f(x)}{h}`; ``"backward"``:
    :math:`\dfrac{f(x) - f(x-h)}{h}`, error :math:`O(h)`.

    Parameters
    ----------
    f : callable
        A function of one variable that works element by element on arrays (as NumPy
        functions do); it is called with arrays of the shape of ``x``.
    x : float or array_like
        Where to differentiate; an array gives the derivative at every entry at once.
    h : float, optional
        The step. By default :func:`default_step`, about :math:`6 \times 10^{-6}\max(1,|x|)`
        for the central difference and :math:`1.5 \times 10^{-8}\max(1,|x|)` for the others.

    Returns
    -------
    float or numpy.ndarray
        :math:`f'(x)`, with the shape of ``x``.

    >>> round(derivative(lambda x: x ** 3, 2.0), 8)
    12.0
    """
    f = check_callable(f, "f")
    if method not in _METHODS:
        raise ValueError(f"method must be 'central', 'forward' or 'backward'; got {method!r}")
    x_arr = as_array(x, "x")
    step = _steps(x_arr, h, method)
    shape = x_arr.shape

    def at(point):
        return _elementwise(f, point, shape, "gradient or jacobian")

    if method == "central":
        value = (at(x_arr + step) - at(x_arr - step)) / (2 * step)
    elif method == "forward":
        value = (at(x_arr + step) - at(x_arr)) / step
    else:
        value = (at(x_arr) - at(x_arr - step)) / step
    return _result(x, value)


def second_derivative(f: Callable, x, h: float | None = None):
    r"""The second derivative :math:`f''(x) \approx \dfrac{f(x+h) - 2f(x) + f(x-h)}{h^2}`.

    The error is :math:`O(h^2)` from truncation plus about :math:`4\epsilon|f|/h^2` from
    round-off; the default step :math:`\epsilon^{1/4}\max(1,|x|) \approx 1.2\times10^{-4}
    \max(1, |x|)` balances the two (about 7 correct digits). ``f`` works element by element.

    >>> round(second_derivative(lambda x: x ** 3, 2.0), 5)
    12.0
    """
    f = check_callable(f, "f")
    x_arr = as_array(x, "x")
    step = _steps(x_arr, h, "second")
    shape = x_arr.shape

    def at(point):
        return _elementwise(f, point, shape, "hessian")

    value = (at(x_arr + step) - 2 * at(x_arr) + at(x_arr - step)) / step**2
    return _result(x, value)


# --- several variables ----------------------------------------------------------------------


def gradient(f: Callable, x, h: float | None = None, *, vectorized: bool = False):
    r"""The gradient :math:`\nabla f(x)` of a scalar function, by central differences.

    Entry i is the partial derivative
    :math:`\dfrac{\partial f}{\partial x_i} \approx \dfrac{f(x + h_i e_i) - f(x - h_i e_i)}{2h_i}`,
    where :math:`e_i` is the i-th unit vector and :math:`h_i = \epsilon^{1/3}\max(1, |x_i|)`
    unless ``h`` is given. This takes 2n evaluations of ``f`` for n variables.

    Parameters
    ----------
    f : callable
        A function that takes an array of the shape of ``x`` and returns a number.
    x : array_like
        The point: a vector, or any array (for a matrix ``W`` the result is
        :math:`\partial f/\partial W`, a matrix of the same shape).
    h : float, optional
        One step for every coordinate instead of the default.
    vectorized : bool, default False
        Call ``f`` once with all 2n points stacked along a new last axis (see the module
        docstring) instead of 2n times.

    Returns
    -------
    numpy.ndarray
        The gradient, with the shape of ``x`` (a float when ``x`` is a number).

    >>> gradient(lambda w: w[0] ** 2 + 3 * w[1], [1.0, 2.0]).round(6)
    array([2., 3.])
    """
    f = check_callable(f, "f")
    x_arr = as_array(x, "x")
    flat = x_arr.ravel()
    n = flat.size
    step = _steps(flat, h, "central")
    shift = np.diag(step)
    points = np.concatenate([flat[:, None] + shift, flat[:, None] - shift], axis=1)
    values = _check_scalar_output(_many(f, points, x_arr.shape, vectorized, "f"), "f", 2 * n)
    grad = (values[:n] - values[n:]) / (2 * step)
    return _result(x, grad.reshape(x_arr.shape))


def directional_derivative(f: Callable, x, v, h: float | None = None, *, normalize: bool = True) -> float:
    r"""The rate of change of a scalar function at ``x`` in the direction ``v``.

    With ``normalize=True`` (the textbook definition) ``v`` is first scaled to a unit vector
    :math:`u = v/\lVert v\rVert`, and the result is
    :math:`D_u f(x) = \lim_{t\to0} \dfrac{f(x + t u) - f(x)}{t} = \nabla f(x) \cdot u`,
    the slope per unit of distance. With ``normalize=False`` it is :math:`\nabla f(x)\cdot v`.
    Computed with one central difference along the direction (two evaluations of ``f``).
    """
    f = check_callable(f, "f")
    x_arr = as_array(x, "x")
    v_arr = as_array(v, "v")
    if v_arr.shape != x_arr.shape:
        raise ValueError(f"v must have the shape of x, {x_arr.shape}; got shape {v_arr.shape}")
    length = float(np.linalg.norm(v_arr))
    if length == 0:
        raise ValueError("v must not be the zero vector: a direction needs a length")
    u = v_arr / length if normalize else v_arr
    # a step along u of size t moves x by t * |u|; scale t to the size of x
    t = float(default_step(np.linalg.norm(x_arr))) / float(np.linalg.norm(u)) if h is None else check_number(
        h, "h", low=0.0, low_inclusive=False
    )
    plus = _check_scalar_output(_values(f, x_arr + t * u, "f")[..., None], "f", 1)[0]
    minus = _check_scalar_output(_values(f, x_arr - t * u, "f")[..., None], "f", 1)[0]
    return float((plus - minus) / (2 * t))


def jacobian(f: Callable, x, h: float | None = None, *, vectorized: bool = False) -> np.ndarray:
    r"""The Jacobian of :math:`y = f(x)`, numerator layout: :math:`J_{ij} = \partial y_i / \partial x_j`.

    Column j is the central difference
    :math:`\dfrac{f(x + h_j e_j) - f(x - h_j e_j)}{2 h_j}`: how every output moves when
    input j moves. For :math:`f: \mathbb{R}^n \to \mathbb{R}^m` the result has shape
    (m, n). In general its shape is ``f(x).shape + x.shape``: for a scalar function it is
    the gradient, and for :math:`y = Wx` differentiated by the matrix :math:`W` (shape
    (m, n)) it has shape (m, m, n), entry (i, k, l) being :math:`\partial y_i/\partial W_{kl}`.

    Parameters are as for :func:`gradient`; ``f`` may return an array of any fixed shape.

    >>> jacobian(lambda x: np.array([x[0] * x[1], x[0] + x[1]]), [2.0, 3.0]).round(6)
    array([[3., 2.],
           [1., 1.]])
    """
    f = check_callable(f, "f")
    x_arr = as_array(x, "x")
    flat = x_arr.ravel()
    n = flat.size
    step = _steps(flat, h, "central")
    shift = np.diag(step)
    points = np.concatenate([flat[:, None] + shift, flat[:, None] - shift], axis=1)
    values = _many(f, points, x_arr.shape, vectorized, "f")
    out_shape = values.shape[:-1]
    jac = (values[..., :n] - values[..., n:]) / (2 * step)
    return _result(x, jac.reshape(*out_shape, *x_arr.shape))


def hessian(f: Callable, x, h: float | None = None, *, vectorized: bool = False) -> np.ndarray:
    r"""The Hessian :math:`H_{ij} = \partial^2 f / \partial x_i \partial x_j` of a scalar function.

    Diagonal entries use :math:`\dfrac{f(x + h_i e_i) - 2 f(x) + f(x - h_i e_i)}{h_i^2}`, the
    others the four-point formula

    .. math::
        \frac{f(x{+}h_ie_i{+}h_je_j) - f(x{+}h_ie_i{-}h_je_j) - f(x{-}h_ie_i{+}h_je_j)
        + f(x{-}h_ie_i{-}h_je_j)}{4h_ih_j},

    with :math:`h_i = \epsilon^{1/4}\max(1,|x_i|)` unless ``h`` is given. The result is
    symmetric by construction, has shape ``x.shape + x.shape`` ((n, n) for a vector) and
    is accurate to about 7 digits. It costs :math:`2n^2 + 1` evaluations of ``f``: this
    quadratic cost is one reason second-order methods are rare in deep learning (Chapter 8).

    >>> hessian(lambda w: w[0] ** 2 * w[1], [1.0, 2.0]).round(5)
    array([[4., 2.],
           [2., 0.]])
    """
    f = check_callable(f, "f")
    x_arr = as_array(x, "x")
    flat = x_arr.ravel()
    n = flat.size
    step = _steps(flat, h, "second")
    i_upper, j_upper = np.triu_indices(n, k=1)
    columns = [flat[:, None]]
    eye = np.diag(step)
    columns += [flat[:, None] + eye, flat[:, None] - eye]
    if i_upper.size:
        di, dj = eye[:, i_upper], eye[:, j_upper]
        columns += [flat[:, None] + di + dj, flat[:, None] + di - dj, flat[:, None] - di + dj, flat[:, None] - di - dj]
    points = np.concatenate(columns, axis=1)
    values = _check_scalar_output(_many(f, points, x_arr.shape, vectorized, "f"), "f", points.shape[1])
    f0, plus, minus = values[0], values[1 : n + 1], values[n + 1 : 2 * n + 1]
    hess = np.zeros((n, n))
    hess[np.diag_indices(n)] = (plus - 2 * f0 + minus) / step**2
    if i_upper.size:
        m = i_upper.size
        pp, pm, mp, mm = (values[2 * n + 1 + k * m : 2 * n + 1 + (k + 1) * m] for k in range(4))
        off = (pp - pm - mp + mm) / (4 * step[i_upper] * step[j_upper])
        hess[i_upper, j_upper] = off
        hess[j_upper, i_upper] = off
    return _result(x, hess.reshape(*x_arr.shape, *x_arr.shape))


# --- Newton's method ------------------------------------------------------------------------


@dataclass(frozen=True)
class NewtonResult:
    """The outcome of Newton's method.

    Attributes
    ----------
    x : float or numpy.ndarray
        The root (or stationary point) found.
    iterations : int
        The number of Newton steps taken.
    history : numpy.ndarray
        Every iterate :math:`x_0, x_1, \\dots, x_k`: shape (k + 1,) in one variable,
        (k + 1, n) in n variables. Plot ``abs(history - root)`` on a log scale to see the
        number of correct digits double at every step.
    """

    x: float | np.ndarray
    iterations: int
    history: np.ndarray


class ConvergenceError(RuntimeError):
    """Newton's method did not converge: too many steps, or the iterates left the finite numbers.

    The iterates so far are in ``history``, so the failure can be plotted.
    """

    def __init__(self, message: str, history):
        super().__init__(message)
        self.history = np.asarray(history, dtype=float)


class SingularJacobianError(ConvergenceError):
    """Newton's method met a zero derivative, or a singular Jacobian or Hessian: no step is defined."""


def _check_tol_and_cap(tol, max_iter) -> tuple[float, int]:
    tol = check_number(tol, "tol", low=0.0, low_inclusive=False)
    max_iter = check_int(max_iter, "max_iter", low=1)
    return tol, max_iter


def newton(
    f: Callable,
    x0: float,
    df: Callable | None = None,
    *,
    tol: float = 1e-12,
    max_iter: int = 50,
    h: float | None = None,
) -> NewtonResult:
    r"""A root of :math:`f: \mathbb{R} \to \mathbb{R}` by Newton's method: :math:`x_{k+1} = x_k - f(x_k)/f'(x_k)`.

    Each step replaces ``f`` by its tangent line at :math:`x_k` and jumps to where that
    line crosses zero. Near a simple root the error is squared at every step (quadratic
    convergence: the number of correct digits doubles).

    Parameters
    ----------
    f : callable
        The function, called with one number (a NumPy float).
    x0 : float
        The starting point.
    df : callable, optional
        The derivative :math:`f'`; by default the central difference :func:`derivative`.
    tol : float, default 1e-12
        Stop when a step is at most ``tol * max(1, |x|)``.
    max_iter : int, default 50
        The largest number of steps before giving up.
    h : float, optional
        The finite-difference step when ``df`` is not given.

    Returns
    -------
    NewtonResult
        ``x``, ``iterations`` and ``history``.

    Raises
    ------
    SingularJacobianError
        When :math:`f'(x_k) = 0`: the tangent is flat and crosses zero nowhere.
    ConvergenceError
        When ``max_iter`` steps are not enough, or an iterate or ``f`` is not finite.

    >>> round(newton(lambda x: x * x - 2, 1.0).x, 12)
    1.414213562373
    """
    f = check_callable(f, "f")
    if df is not None:
        df = check_callable(df, "df")
    x = check_number(x0, "x0")
    tol, max_iter = _check_tol_and_cap(tol, max_iter)
    history = [x]

    def scalar(g, point, name):
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            value = np.asarray(g(np.float64(point)), dtype=float)
        if value.size != 1:
            raise ValueError(f"{name} must return a single number; it returned shape {value.shape}")
        return float(value.reshape(()))

    fx = scalar(f, x, "f")
    if not np.isfinite(fx):
        raise ValueError(f"f must be finite at the starting point x0 = {x:.6g}; it returned {fx}")
    for k in range(1, max_iter + 1):
        if fx == 0.0:
            return NewtonResult(x=x, iterations=k - 1, history=np.array(history))
        slope = scalar(df, x, "df") if df is not None else _numerical_slope(f, x, h, history)
        if slope == 0.0:
            running = abs(x) > 1e6 * max(1.0, abs(history[0]))
            raise SingularJacobianError(
                f"Newton's method stopped at step {k}: the derivative is 0 at x = {x:.6g}, so the tangent "
                "line is flat and crosses zero nowhere. "
                + ("The iterates were running away from the start (diverging): start closer to the root" if running else "Start from another point"),
                history,
            )
        x_new = x - fx / slope
        fx = scalar(f, x_new, "f") if np.isfinite(x_new) else np.nan
        if not (np.isfinite(x_new) and np.isfinite(fx) and np.isfinite(slope)):
            raise ConvergenceError(
                f"Newton's method diverged at step {k}: starting from x0 = {history[0]:.6g} the iterates "
                f"ran off to non-finite values (last finite iterate {x:.6g}). Start closer to the root",
                history,
            )
        history.append(x_new)
        if abs(x_new - x) <= tol * max(1.0, abs(x_new)):
            return NewtonResult(x=x_new, iterations=k, history=np.array(history))
        x = x_new
    raise ConvergenceError(
        f"Newton's method did not converge in {max_iter} steps from x0 = {history[0]:.6g}: the last iterates "
        f"were {', '.join(f'{v:.6g}' for v in history[-3:])}. Try another starting point or a larger max_iter",
        history,
    )


def _numerical_slope(f, x, h, history) -> float:
    """f'(x) by central difference, inside Newton's method (non-finite values end the run)."""
    try:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            return float(derivative(f, np.float64(x), h))
    except NonFiniteValueError as error:
        raise ConvergenceError(f"Newton's method stopped at x = {x:.6g}: {error}", history) from None


def _newton_vector(residual: Callable, matrix: Callable, x: np.ndarray, tol: float, max_iter: int, what: tuple, history: list) -> NewtonResult:
    """The loop shared by newton_system and newton_minimize: x <- x - matrix(x)^{-1} residual(x).

    ``what`` names the residual's function, the matrix's function and the matrix (for
    messages); ``history`` is filled with the iterates (the wrapped functions raise
    ConvergenceError with it).
    """
    n = x.size
    history.append(x.copy())
    for k in range(1, max_iter + 1):
        r = residual(x)
        r = r.reshape(n) if r.size == n else r
        if r.shape != (n,):
            raise ValueError(f"{what[0]} must return a vector of shape ({n},) like x0; it returned shape {r.shape}")
        if not np.any(r):
            return NewtonResult(x=x, iterations=k - 1, history=np.array(history))
        M = matrix(x)
        if M.shape != (n, n):
            raise ValueError(f"{what[1]} must return a matrix of shape ({n}, {n}); it returned shape {M.shape}")
        condition = np.linalg.cond(M)
        if not condition < 1 / EPS:
            raise SingularJacobianError(
                f"Newton's method stopped at step {k}: the {what[2]} at x = {_point_words(x)[4:]} is singular "
                f"(condition number {condition:.3g}), so the linear system for the step has no unique "
                "solution. Start from another point",
                history,
            )
        step = np.linalg.solve(M, -r)
        x_new = x + step
        if not np.isfinite(x_new).all():
            raise ConvergenceError(f"Newton's method diverged at step {k}: the iterates ran off to non-finite values", history)
        history.append(x_new.copy())
        if np.max(np.abs(step)) <= tol * max(1.0, float(np.max(np.abs(x_new)))):
            return NewtonResult(x=x_new, iterations=k, history=np.array(history))
        x = x_new
    raise ConvergenceError(
        f"Newton's method did not converge in {max_iter} steps from x0 = {_point_words(history[0])[4:]}: "
        f"the last iterate is {_point_words(history[-1])[4:]}. Try another starting point or a larger max_iter",
        history,
    )


def _during_iteration(g: Callable, history: list) -> Callable:
    """Wrap ``g`` (x -> array) so that a non-finite value during the iteration ends it with a ConvergenceError."""

    def call(x):
        try:
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                return g(x)
        except NonFiniteValueError as error:
            raise ConvergenceError(f"Newton's method stopped after {len(history) - 1} step(s): {error}", history) from None

    return call


def newton_system(
    F: Callable,
    x0,
    jac: Callable | None = None,
    *,
    tol: float = 1e-12,
    max_iter: int = 50,
    h: float | None = None,
) -> NewtonResult:
    r"""A solution of :math:`F(x) = 0`, :math:`F: \mathbb{R}^n \to \mathbb{R}^n`, by Newton's method.

    Each step solves the linear system :math:`J_F(x_k)\,\Delta = -F(x_k)` (the linear
    approximation :math:`F(x_k + \Delta) \approx F(x_k) + J_F(x_k)\Delta` set to zero) and sets
    :math:`x_{k+1} = x_k + \Delta`. The Jacobian is ``jac(x)`` if given, else the central
    difference :func:`jacobian`.

    Stops when every entry of the step is at most ``tol * max(1, max|x|)``. Raises
    :class:`SingularJacobianError` when the Jacobian is singular (condition number at
    least :math:`1/\epsilon`) and :class:`ConvergenceError` after ``max_iter`` steps or
    when the iterates leave the finite numbers. ``x0`` is a vector (shape (n,)).

    >>> F = lambda v: np.array([v[0] ** 2 + v[1] ** 2 - 4, v[0] - v[1]])
    >>> newton_system(F, [1.0, 0.5]).x.round(6)
    array([1.414214, 1.414214])
    """
    F = check_callable(F, "F")
    if jac is not None:
        jac = check_callable(jac, "jac")
    start = as_array(x0, "x0", ndim=1)
    tol, max_iter = _check_tol_and_cap(tol, max_iter)
    F0 = _values(F, start, "F")
    if F0.shape != start.shape:
        raise ValueError(f"F must return a vector of shape {start.shape} like x0; it returned shape {F0.shape}")
    history: list = []
    residual = _during_iteration(lambda x: _values(F, x, "F"), history)
    if jac is not None:
        matrix = _during_iteration(lambda x: _values(jac, x, "jac"), history)
    else:
        matrix = _during_iteration(lambda x: np.asarray(jacobian(F, x, h)), history)
    return _newton_vector(residual, matrix, start, tol, max_iter, ("F", "jac", "Jacobian"), history)


def newton_minimize(
    f: Callable,
    x0,
    grad: Callable | None = None,
    hess: Callable | None = None,
    *,
    tol: float | None = None,
    max_iter: int = 50,
    h: float | None = None,
) -> NewtonResult:
    r"""A stationary point of :math:`f: \mathbb{R}^n \to \mathbb{R}` by Newton's method.

    Newton's method for minimisation is Newton's method for the system
    :math:`\nabla f(x) = 0`: each step minimises the second-order Taylor model
    :math:`f(x_k) + \nabla f(x_k)^\top \Delta + \tfrac12 \Delta^\top H(x_k) \Delta`, that is,
    solves :math:`H(x_k)\,\Delta = -\nabla f(x_k)`. On a quadratic with a positive definite
    Hessian it lands on the minimum in one step.

    It finds *stationary points*: a maximum or a saddle point attracts it just as well
    when the Hessian there is not positive definite; check the eigenvalues of the Hessian
    at the result (Chapter 8).

    ``grad`` and ``hess`` default to :func:`gradient` and :func:`hessian` (central
    differences). ``tol`` defaults to 1e-12 when ``grad`` is given and 1e-8 otherwise (a
    numerical gradient is only accurate to about 10 digits, so its steps cannot shrink much
    further). Raises as :func:`newton_system`. ``x0`` is a vector (shape (n,)).

    >>> bowl = lambda w: (w[0] - 1) ** 2 + 10 * (w[1] + 2) ** 2
    >>> newton_minimize(bowl, [0.0, 0.0]).x.round(6)
    array([ 1., -2.])
    """
    f = check_callable(f, "f")
    if grad is not None:
        grad = check_callable(grad, "grad")
    if hess is not None:
        hess = check_callable(hess, "hess")
    start = as_array(x0, "x0", ndim=1)
    if tol is None:
        tol = 1e-12 if grad is not None else 1e-8
    tol, max_iter = _check_tol_and_cap(tol, max_iter)
    f0 = _values(f, start, "f")
    if f0.size != 1:
        raise ValueError(f"f must return a single number (a scalar); it returned shape {f0.shape}")
    history: list = []
    if grad is not None:
        residual = _during_iteration(lambda x: _values(grad, x, "grad"), history)
    else:
        residual = _during_iteration(lambda x: np.asarray(gradient(f, x, h)), history)
    if hess is not None:
        matrix = _during_iteration(lambda x: _values(hess, x, "hess"), history)
    else:
        matrix = _during_iteration(lambda x: np.asarray(hessian(f, x, h)), history)
    return _newton_vector(residual, matrix, start, tol, max_iter, ("grad", "hess", "Hessian"), history)
