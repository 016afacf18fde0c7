r"""Convex functions and the constants that decide how fast gradient descent converges (Chapter 12).

Three small groups of tools:

* **Testing convexity along chords.** :func:`chord_gap` measures how far the graph of a
  function lies above or below its chord, :math:`f(tx + (1-t)y) - [t f(x) + (1-t) f(y)]`;
  a convex function never gives a positive gap.
* **The constants of a problem.** A twice-differentiable function whose Hessian has all its
  eigenvalues between :math:`\mu` and :math:`L` is :math:`\mu`-strongly convex and
  :math:`L`-smooth; :math:`\kappa = L/\mu` is its condition number. :func:`quadratic_constants`
  returns them for a quadratic, :func:`logistic_constants` for L2-regularised logistic
  regression.
* **Logistic regression**, the standard convex problem of machine learning: the loss
  :func:`logistic_loss`, its :func:`logistic_gradient` and its :func:`logistic_hessian`.

:func:`observed_rate` measures the rate of a linearly converging sequence (the factor by
which an error shrinks per step), to compare with the rates the theory predicts.

Gradient descent itself, with or without momentum, lives in :mod:`dlmath.optim`;
finite-difference gradients and Hessians (to check the formulas here) in
:mod:`dlmath.calculus`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from dlmath.validation import as_array, check_callable, check_number, check_same_length

__all__ = [
    "Constants",
    "chord_gap",
    "logistic_constants",
    "logistic_gradient",
    "logistic_hessian",
    "logistic_loss",
    "observed_rate",
    "quadratic_constants",
]


# --- convexity along a chord ----------------------------------------------------------------


def chord_gap(f: Callable, x, y, t):
    r"""How far the graph of ``f`` lies above its chord between ``x`` and ``y``, at the weights ``t``.

    .. math:: g(t) = f\bigl(t x + (1 - t) y\bigr) - \bigl[t f(x) + (1 - t) f(y)\bigr]

    A function is convex exactly when :math:`g(t) \le 0` for every pair of points and every
    :math:`t \in [0, 1]`: the graph never rises above a chord. One positive gap therefore
    *proves* that a function is not convex; gaps that are all :math:`\le 0` on many random
    chords are evidence (not proof) that it is.

    Parameters
    ----------
    f : callable
        A function of a point shaped like ``x`` that returns a number.
    x, y : float or array_like
        The two end points, of the same shape.
    t : float or array_like
        Weights in [0, 1]; an array gives the gap at each of them.

    Returns
    -------
    float or numpy.ndarray
        The gap(s), with the shape of ``t``.

    >>> chord_gap(lambda x: x ** 2, 0.0, 2.0, 0.5)   # f(1) - (f(0) + f(2)) / 2 = 1 - 2
    -1.0
    """
    f = check_callable(f, "f")
    x = as_array(x, "x")
    y = as_array(y, "y")
    if x.shape != y.shape:
        raise ValueError(f"x and y must have the same shape; got {x.shape} and {y.shape}")
    t_arr = as_array(t, "t", ndim=(0, 1))
    if (t_arr < 0).any() or (t_arr > 1).any():
        raise ValueError(f"t must lie in [0, 1]; got values from {t_arr.min():.6g} to {t_arr.max():.6g}")

    def value(point, name):
        with np.errstate(all="ignore"):  # a NaN or inf is reported below, with the point
            out = np.asarray(f(point), dtype=float)
        if out.size != 1:
            raise ValueError(f"f must return a single number; at {name} it returned shape {out.shape}")
        if not np.isfinite(out):
            raise ValueError(f"f returned {float(out)} at {name}: the chord test needs finite values")
        return float(out)

    fx, fy = value(x, "x"), value(y, "y")
    gaps = np.array([value(s * x + (1 - s) * y, f"t = {s:g}") - (s * fx + (1 - s) * fy) for s in np.atleast_1d(t_arr)])
    return float(gaps[0]) if t_arr.ndim == 0 else gaps


# --- the constants mu, L and kappa ----------------------------------------------------------


class Constants(NamedTuple):
    r"""The curvature constants of a problem: :math:`\mu I \preceq \nabla^2 f \preceq L I`, and :math:`\kappa = L/\mu`.

    ``kappa`` is ``math.inf`` when :math:`\mu = 0` (convex but not strongly convex).
    """

    mu: float
    L: float
    kappa: float


def _constants(mu: float, L: float) -> Constants:
    return Constants(mu=mu, L=L, kappa=L / mu if mu > 0 else math.inf)


def quadratic_constants(A, *, tol: float = 1e-10) -> Constants:
    r"""The strong-convexity and smoothness constants of :math:`f(w) = \tfrac12 w^\top A w + b^\top w + c`.

    The Hessian of such a quadratic is :math:`A` everywhere, so the tightest constants are its
    extreme eigenvalues,

    .. math:: \mu = \lambda_{\min}(A), \qquad L = \lambda_{\max}(A), \qquad \kappa = L / \mu .

    ``A`` must be symmetric positive semidefinite (otherwise the quadratic is not convex and
    the function says which eigenvalue is negative). Eigenvalues within ``tol`` times
    :math:`\max(1, L)` of zero count as zero, which makes :math:`\kappa` infinite.
    """
    A = as_array(A, "A", ndim=2)
    if A.shape[0] != A.shape[1]:
        raise ValueError(f"A must be a square matrix; got shape {A.shape}")
    scale = max(float(np.abs(A).max()), 1e-300)
    if not np.allclose(A, A.T, rtol=0, atol=1e-12 * scale):
        raise ValueError("A must be symmetric (the Hessian of a quadratic is); got A != A.T")
    eigenvalues = np.linalg.eigvalsh((A + A.T) / 2)
    low, high = float(eigenvalues[0]), float(eigenvalues[-1])
    tolerance = check_number(tol, "tol", low=0.0) * max(abs(high), 1.0)
    if low < -tolerance:
        raise ValueError(
            f"A must be positive semidefinite for the quadratic to be convex; its smallest eigenvalue is {low:.6g}"
        )
    return _constants(low if low > tolerance else 0.0, high)


# --- logistic regression ----------------------------------------------------------------------


def _logistic_data(w, X, y, l2):
    X = as_array(X, "X", ndim=2)
    w = as_array(w, "w", ndim=1)
    if w.shape[0] != X.shape[1]:
        raise ValueError(f"w must have one entry per column of X ({X.shape[1]}); got {w.shape[0]}")
    y = as_array(y, "y", ndim=1)
    check_same_length(X, y, "X", "y")
    if (y < 0).any() or (y > 1).any():
        raise ValueError(f"y must hold labels 0 and 1 (or probabilities in [0, 1]); got values from {y.min():.6g} to {y.max():.6g}")
    l2 = check_number(l2, "l2", low=0.0)
    return w, X, y, l2


def _probabilities(z: np.ndarray) -> np.ndarray:
    r"""The sigmoid :math:`\sigma(z)`, computed as :math:`\tfrac12(1 + \tanh(z/2))`: the same function, never overflowing, and fast."""
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def logistic_loss(w, X, y, *, l2: float = 0.0) -> float:
    r"""The mean cross-entropy of logistic regression, plus an optional L2 penalty.

    With scores :math:`z_i = x_i^\top w` (row :math:`x_i` of ``X``) and labels
    :math:`y_i \in \{0, 1\}`,

    .. math::
        f(w) = \frac1n \sum_{i=1}^n \Bigl[\log\bigl(1 + e^{z_i}\bigr) - y_i z_i\Bigr]
               + \frac{\lambda}{2}\lVert w\rVert^2,

    which is :math:`-\frac1n\sum_i [y_i \log p_i + (1-y_i)\log(1-p_i)]` with
    :math:`p_i = \sigma(z_i)`, written so that it never overflows. Add a column of ones to
    ``X`` for an intercept (it is then penalised like the other weights).

    Parameters
    ----------
    w : 1-D array
        The weights, one per column of ``X``.
    X : 2-D array
        The examples, one per row.
    y : 1-D array
        The labels, 0 or 1 (probabilities in [0, 1] also work).
    l2 : float, default 0
        The strength :math:`\lambda \ge 0` of the L2 penalty (weight decay).
    """
    w, X, y, l2 = _logistic_data(w, X, y, l2)
    z = X @ w
    return float(np.mean(np.logaddexp(0.0, z) - y * z) + 0.5 * l2 * (w @ w))


def logistic_gradient(w, X, y, *, l2: float = 0.0) -> np.ndarray:
    r"""The gradient of :func:`logistic_loss`: :math:`\nabla f(w) = \frac1n X^\top(p - y) + \lambda w`.

    Here :math:`p = \sigma(Xw)` holds the predicted probabilities; the derivation is the
    one for softmax with cross-entropy (prediction minus target), Chapter 10.
    """
    w, X, y, l2 = _logistic_data(w, X, y, l2)
    p = _probabilities(X @ w)
    return X.T @ (p - y) / X.shape[0] + l2 * w


def logistic_hessian(w, X, y, *, l2: float = 0.0) -> np.ndarray:
    r"""The Hessian of :func:`logistic_loss`: :math:`\nabla^2 f(w) = \frac1n X^\top S X + \lambda I`.

    :math:`S` is diagonal with :math:`S_{ii} = p_i(1 - p_i)`, the derivative of the sigmoid at
    :math:`z_i`. Every :math:`S_{ii}` lies in :math:`(0, \tfrac14]`, so the Hessian is positive
    semidefinite (the loss is convex) and at most :math:`\frac{1}{4n}X^\top X + \lambda I`.
    It does not depend on ``y``, which is accepted (and checked) for symmetry with the others.
    """
    w, X, y, l2 = _logistic_data(w, X, y, l2)
    p = _probabilities(X @ w)
    s = p * (1.0 - p)
    return (X.T * s) @ X / X.shape[0] + l2 * np.eye(X.shape[1])


def logistic_constants(X, *, l2: float = 0.0) -> Constants:
    r"""Global constants of L2-regularised logistic regression on the data ``X``.

    Because :math:`p(1-p) \le \tfrac14`, every Hessian satisfies
    :math:`\lambda I \preceq \nabla^2 f(w) \preceq \frac{1}{4n}X^\top X + \lambda I`, so

    .. math::
        L = \frac{\lambda_{\max}(X^\top X)}{4n} + \lambda, \qquad \mu = \lambda,
        \qquad \kappa = L / \mu .

    :math:`L` is attained at :math:`w = 0`. :math:`\mu = \lambda` is the best constant that
    holds *everywhere*: far from the origin the probabilities saturate, :math:`p(1-p) \to 0`,
    and only the penalty keeps the curvature up. Near the minimum the curvature is usually
    larger; :func:`logistic_hessian` at the minimum gives the local value. With ``l2=0``,
    ``mu`` is 0 and ``kappa`` infinite.
    """
    X = as_array(X, "X", ndim=2)
    l2 = check_number(l2, "l2", low=0.0)
    largest = float(np.linalg.eigvalsh(X.T @ X)[-1])
    return _constants(l2, largest / (4 * X.shape[0]) + l2)


# --- measuring a rate ------------------------------------------------------------------------


def observed_rate(errors) -> float:
    r"""The factor by which a linearly converging sequence of errors shrinks per step.

    If :math:`e_k \approx C \rho^k`, then :math:`\log e_k \approx \log C + k \log\rho` is a
    straight line in :math:`k`; this fits that line by least squares and returns
    :math:`\rho = e^{\text{slope}}`. Pass the stretch of the sequence you want to measure
    (for the asymptotic rate, the tail, before round-off sets in).

    >>> round(observed_rate(3.0 * 0.5 ** np.arange(10)), 12)
    0.5
    """
    errors = as_array(errors, "errors", ndim=1)
    if errors.size < 2:
        raise ValueError(f"errors must hold at least 2 values to measure a rate; got {errors.size}")
    if (errors <= 0).any():
        raise ValueError(
            f"errors must be positive (distances or gaps f - f*); got {int((errors <= 0).sum())} value(s) <= 0"
        )
    k = np.arange(errors.size, dtype=float)
    slope = np.polyfit(k, np.log(errors), 1)[0]
    return float(np.exp(slope))
