"""Answers to the exercises of Chapter 5, Linear Algebra.

Each answer is computed by a route other than the one the solution takes (SciPy's
distances, ``np.einsum``, indexing instead of a one-hot product, ``np.linalg.solve``).
"""

import numpy as np

from dlmath.exercises import register


def _angle_degrees():
    from scipy.spatial.distance import cosine

    return float(np.degrees(np.arccos(1.0 - cosine([2, -1, 2], [1, 2, 2]))))


def _layer_costs():
    # a product of shapes (m, n) and (n, p) has m * p entries of n terms each
    batch, n_in, hidden, n_out = 32, 784, 128, 10
    return sum(int(np.prod(shape)) for shape in ((batch, n_in, hidden), (batch, hidden, n_out)))


def _rotation_preimage():
    theta = np.pi / 6
    R = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
    return np.linalg.solve(R, [1.0, 0.0])


def _similar_digits():
    from sklearn.metrics.pairwise import cosine_similarity

    from dlmath.datasets import load_digits

    X, y = load_digits()
    means = np.stack([X[y == d].mean(axis=0) for d in range(10)]) - X.mean(axis=0)
    row = cosine_similarity(means)[4]
    order = np.argsort(row)
    return (int(order[-2]), int(order[0]))  # order[-1] is 4 itself (similarity 1)


register(
    "ex-05-dot-angle",
    compute=_angle_degrees,
    rtol=1e-6,
    about="the angle in degrees between (2, -1, 2) and (1, 2, 2)",
)
register(
    "ex-05-matmul-by-hand",
    compute=lambda: np.einsum("ik,kj->ij", [[1, 2, 0], [-1, 3, 1]], [[2, 1], [0, -1], [4, 2]]).astype(float),
    about="the 2 x 2 product AB",
)
register(
    "ex-05-layer-costs",
    compute=_layer_costs,
    about="multiplications in (32, 784) @ (784, 128) and (32, 128) @ (128, 10)",
)
register(
    "ex-05-outer-sum",
    compute=lambda: np.einsum("ik,kj->ij", np.arange(6).reshape(2, 3), np.arange(6).reshape(3, 2) - 2).astype(float),
    about="the product of arange(6).reshape(2, 3) and arange(6).reshape(3, 2) - 2",
)
register(
    "ex-05-trace",
    compute=lambda: float(np.trace(np.array([[1, 0, -1], [2, 1, 0]]) @ np.array([[1, 2], [3, 4], [5, 6]]))),
    about="tr(AB) = tr(BA) for the 3 x 2 and 2 x 3 matrices of the exercise",
)
register(
    "ex-05-rotation",
    compute=_rotation_preimage,
    about="the point x with R(30 degrees) x = (1, 0)",
)
register(
    "ex-05-dot-batch",
    compute=lambda: tuple(np.tensordot(np.ones((2, 3, 4)), np.ones((2, 4, 5)), axes=([2], [1])).shape),
    about="the shape of np.dot on arrays of shapes (2, 3, 4) and (2, 4, 5)",
)
register(
    "ex-05-embedding",
    compute=lambda: (np.arange(18).reshape(6, 3) / 10)[[4, 0, 4, 2]],
    about="the embeddings of token ids [4, 0, 4, 2]",
)
register(
    "ex-05-similar-digits",
    compute=_similar_digits,
    about="(most similar, least similar) digit to 4, by cosine similarity of centred class means",
)
