"""Answers to the exercises of Chapter 1, Setting the Stage.

Each answer is computed by a route independent of the chapter's solution where one
exists: NumPy's shape and index functions instead of the rules worked by hand,
explicit enumeration instead of the formula, SciPy instead of our own code.
"""

from fractions import Fraction
from itertools import product

import numpy as np

from dlmath.exercises import register

register(
    "ex-01-demo-column-means",
    compute=lambda: np.array([float(Fraction(1 + 4, 2)), float(Fraction(2 + 5, 2)), float(Fraction(3 + 6, 2))]),
    about="the column means of [[1, 2, 3], [4, 5, 6]], an array of shape (3,) (the tour of dlmath in section 1.7)",
)

register(
    "ex-01-broadcast-shape",
    compute=lambda: np.broadcast_shapes((4, 1), (3,)),
    about="the shape of np.ones((4, 1)) + np.ones(3), as a tuple",
)

register(
    "ex-01-axis-sums",
    # A[i, j] = 4 i + j, summed over i by plain Python integers
    compute=lambda: np.array([sum(4 * i + j for i in range(3)) for j in range(4)], dtype=float),
    about="A.sum(axis=0) for A = np.arange(12).reshape(3, 4), an array of shape (4,)",
)

register(
    "ex-01-flat-index",
    compute=lambda: int(np.ravel_multi_index((5, 3), (8, 8))),
    about="the position of pixel (row 5, column 3) in a flattened 8 x 8 image, an integer",
)


def _views_that_change_a() -> set:
    """Run each part of the exercise on a fresh array and record whether it changed."""

    def part_a(a):
        b = a[2:5]
        b[0] = -1

    def part_b(a):
        c = a[[2, 3, 4]]
        c[0] = -1

    def part_c(a):
        d = a.reshape(2, 3)
        d[0, 0] = -1

    def part_d(a):
        e = a[a > 2]
        e[:] = 0

    changed = set()
    for letter, part in zip("abcd", (part_a, part_b, part_c, part_d)):
        a = np.arange(6)
        part(a)
        if not np.array_equal(a, np.arange(6)):
            changed.add(letter)
    return changed


register(
    "ex-01-views-copies",
    compute=_views_that_change_a,
    about="the set of parts (letters) in which the original array a changes",
)

register(
    "ex-01-float-sum",
    # one spacing of float64 in [1/4, 1/2): 2^(exponent - 52) with exponent -2
    value=2.0**-54,
    rtol=1e-12,
    atol=0.0,
    about="(0.1 + 0.2) - 0.3 computed in float64",
)

register(
    "ex-01-float32-epsilon",
    compute=lambda: float(np.finfo(np.float32).eps),
    rtol=1e-12,
    atol=0.0,
    about="the machine epsilon of float32",
)


def _pairwise_sq_distances(X):
    from scipy.spatial.distance import cdist

    return cdist(X, X, "sqeuclidean")


_points = np.random.default_rng(101)
register(
    "ex-01-pairwise-distances",
    function=_pairwise_sq_distances,
    points=[_points.normal(size=shape) for shape in [(2, 1), (5, 2), (7, 3), (4, 64)]],
    rtol=1e-9,
    atol=1e-9,
    about="a function that maps X of shape (n, d) to the (n, n) squared distances between its rows",
)

register(
    "ex-01-dice-max",
    # exact expectation by enumerating the 36 equally likely outcomes
    compute=lambda: float(sum(Fraction(max(i, j), 36) for i, j in product(range(1, 7), repeat=2))),
    rtol=0.0,
    atol=0.02,
    about="a seeded Monte Carlo estimate of E[max of two dice] (exact value 161/36); within 0.02",
)


def _forward_pass_probabilities():
    from scipy.special import softmax

    x = np.array([1.0, 2.0])
    W1 = np.array([[1.0, -2.0], [0.5, 1.0]])
    b1 = np.array([0.0, -1.0])
    W2 = np.array([[1.0, 0.0, -1.0], [3.0, 2.0, 1.0]])
    b2 = np.array([1.0, 1.0, 1.0])
    h = np.maximum(np.einsum("i,ij->j", x, W1) + b1, 0.0)
    return softmax(np.einsum("i,ij->j", h, W2) + b2)


register(
    "ex-01-forward-pass",
    compute=_forward_pass_probabilities,
    rtol=0.0,
    atol=5e-4,  # a hand calculation to three decimals passes
    about="the softmax probabilities p of the tiny network, an array of shape (3,)",
)
