"""Answers to the self-checks of the appendix "Math refresher".

Each answer is computed by a route independent of the worked solution: SymPy solves and
differentiates symbolically, exact fractions replace floating point, NumPy's boolean
masks replace reasoning about intervals, and explicit loops replace the rules for sums
and matrix products. SymPy is imported on first use only.
"""

from fractions import Fraction
from functools import cache

import numpy as np

from dlmath.exercises import register


def _solve_for_x():
    """x from z = (x - mu) / sigma with z = -1.5, mu = 20, sigma = 4, solved by SymPy."""
    import sympy as sp

    x = sp.Symbol("x")
    (solution,) = sp.solve(sp.Eq((x - 20) / 4, sp.Rational(-3, 2)), x)
    return float(solution)


register(
    "ex-ma-rearrange",
    compute=_solve_for_x,
    about="the value x with z-score -1.5 when the mean is 20 and the standard deviation 4",
)


def _union_members():
    """Which candidates lie in [0, 1) or (0.5, 2], by boolean masks."""
    candidates = np.array([-1, 0, 0.5, 0.75, 1, 2])
    in_a = (candidates >= 0) & (candidates < 1)
    in_b = (candidates > 0.5) & (candidates <= 2)
    return {float(c) for c in candidates[in_a | in_b]}


register(
    "ex-ma-sets",
    compute=_union_members,
    about="the numbers among -1, 0, 0.5, 0.75, 1, 2 that lie in [0, 1) ∪ (0.5, 2], as a set",
)


def _compositions():
    """(f(g(3)), g(f(3))) for f(x) = 2x + 1 and g(x) = x**2, by SymPy substitution."""
    import sympy as sp

    x = sp.Symbol("x")
    f, g = 2 * x + 1, x**2
    return (int(f.subs(x, g).subs(x, 3)), int(g.subs(x, f).subs(x, 3)))


register(
    "ex-ma-compose",
    compute=_compositions,
    about="the tuple (f(g(3)), g(f(3))) for f(x) = 2x + 1 and g(x) = x**2",
)


def _epochs_to_reach():
    """Epochs for a loss shrinking tenfold every 50 epochs to fall from 2.3 to 0.001 (SymPy)."""
    import sympy as sp

    t = sp.Symbol("t", positive=True)
    (solution,) = sp.solve(sp.Eq(sp.Rational(23, 10) * 10 ** (-t / 50), sp.Rational(1, 1000)), t)
    return float(solution)


register(
    "ex-ma-loss-decay",
    compute=_epochs_to_reach,
    rtol=1e-4,
    about="the (fractional) number of epochs after which the loss 2.3 * 10**(-t/50) reaches 0.001",
)


register(
    "ex-ma-sum-rules",
    # four numbers with sum 12 and sum of squares 40, summed explicitly
    compute=lambda: float(sum((3 * x - 2) ** 2 for x in (2, 2, 4, 4))),
    about="the sum of (3 x_i - 2)**2 over four numbers with sum 12 and sum of squares 40",
)


@cache
def _derivative_reference():
    """d/dx of x**2 * exp(-x), differentiated by SymPy and turned into a NumPy function."""
    import sympy as sp

    x = sp.Symbol("x", real=True)
    return sp.lambdify(x, sp.diff(x**2 * sp.exp(-x), x), "numpy")


register(
    "ex-ma-derivative",
    function=lambda x: _derivative_reference()(np.asarray(x, dtype=float)),
    points=[-1.5, -0.3, 0.0, 0.7, 1.0, 2.0, 3.5],
    about="a function that returns the derivative of x**2 * exp(-x)",
)


register(
    "ex-ma-riemann",
    # exact fractions: the left endpoints 0, 1/4, 2/4, 3/4, each rectangle 1/4 wide
    compute=lambda: float(sum(Fraction(k, 4) ** 2 * Fraction(1, 4) for k in range(4))),
    about="the left Riemann sum of x**2 on [0, 1] with 4 rectangles",
)


def _matrix_vector():
    """A x for A = [[1, 2], [3, 4], [0, -1]] and x = (2, -1), with explicit loops over integers."""
    A = [[1, 2], [3, 4], [0, -1]]
    x = [2, -1]
    return np.array([sum(row[j] * x[j] for j in range(len(x))) for row in A], dtype=float)


register(
    "ex-ma-matvec",
    compute=_matrix_vector,
    about="the matrix-vector product A x, an array of shape (3,)",
)


register(
    "ex-ma-dot-angle",
    # the difference of the two directions' polar angles, instead of the dot product
    compute=lambda: float(np.degrees(np.arctan2(2, 1) - np.arctan2(1, 3))),
    about="the angle in degrees between u = (3, 1) and v = (1, 2)",
)
