"""Answers to the exercises of Chapter 7, Differentiation.

Derivatives derived by hand are checked as functions, against references that SymPy
differentiates symbolically (an independent route: no hand-derived formula is typed in).
SymPy is imported on first use only, so loading the answers stays fast.
"""

from functools import cache

import numpy as np

from dlmath.exercises import register


def _minimize_scalar(function, bounds, **options):
    """scipy.optimize.minimize_scalar on an interval (SciPy is imported on first use)."""
    from scipy.optimize import minimize_scalar

    return minimize_scalar(function, bounds=bounds, method="bounded", options=options or None)


@cache
def _sympy_derivative(source: str):
    """A NumPy function computing d/dx of the SymPy expression ``source`` (in the variable x)."""
    import sympy as sp

    x = sp.Symbol("x", real=True)
    expr = sp.sympify(source, locals={"x": x})
    return sp.lambdify(x, sp.diff(expr, x), "numpy")


def _derivative_of(source: str):
    def reference(x):
        return _sympy_derivative(source)(np.asarray(x, dtype=float))

    return reference


def _gradient_at(source: str, point):
    import sympy as sp

    w0, w1 = sp.symbols("w0 w1", real=True)
    expr = sp.sympify(source, locals={"w0": w0, "w1": w1})
    return np.array([float(sp.diff(expr, v).subs({w0: point[0], w1: point[1]})) for v in (w0, w1)])


POINTS_1D = [-2.5, -1.0, -0.3, 0.4, 1.0, 3.0]

register(
    "ex-07-reciprocal",
    function=_derivative_of("1/x"),
    points=[-3.0, -0.5, 0.25, 1.0, 2.0],
    about="the derivative of 1/x, as a function of x",
)
register(
    "ex-07-chain",
    function=_derivative_of("sin(3*x) * exp(-x**2)"),
    points=POINTS_1D,
    about="the derivative of sin(3x) exp(-x^2), as a function of x",
)
register(
    "ex-07-tanh-from-sigmoid",
    function=lambda x: 1.0 / np.cosh(np.asarray(x, dtype=float)) ** 2,
    points=POINTS_1D,
    about="the derivative of tanh, as a function of x",
)
register(
    "ex-07-swish",
    function=_derivative_of("x / (1 + exp(-x))"),
    points=POINTS_1D + [8.0, -8.0],
    about="the derivative of swish (SiLU) x*sigmoid(x), as a function of x",
)
register(
    "ex-07-bce",
    function=_derivative_of("-log(1 / (1 + exp(-x)))"),
    points=POINTS_1D + [6.0, -6.0],
    about="the derivative of the binary cross-entropy -log(sigmoid(z)) (target 1) with respect to the logit z",
)
register(
    "ex-07-softplus-slope",
    compute=lambda: 1.0 / (1.0 + np.exp(-2.0)),
    rtol=1e-8,
    about="the central-difference estimate of the slope of softplus at x = 2",
)
register(
    "ex-07-critical-points",
    compute=lambda: _minimize_scalar(lambda x: -(x**4 - 4 * x**3 + 4 * x**2), (0.5, 1.5), xatol=1e-12).x,
    rtol=1e-6,
    about="the x of the local maximum of x^4 - 4x^3 + 4x^2",
)
register(
    "ex-07-gradient",
    compute=lambda: _gradient_at("w0**2 * w1 + exp(w0 * w1)", (1, 2)),
    about="the gradient of w0^2 w1 + exp(w0 w1) at (1, 2), as an array of 2 numbers",
)
register(
    "ex-07-optimal-step",
    compute=lambda: 10
    ** _minimize_scalar(lambda t: 10**t / 2 + 2 * np.finfo(float).eps / 10**t, (-12, -4), xatol=1e-10).x,
    rtol=1e-4,
    about="the step h that minimises the error model of the forward difference for exp at 0",
)
register(
    "ex-07-vanishing",
    compute=lambda: (-_minimize_scalar(lambda x: -np.exp(-x) / (1 + np.exp(-x)) ** 2, (-3, 3)).fun) ** 20,
    rtol=1e-6,
    about="the largest possible product of 20 sigmoid derivatives",
)
