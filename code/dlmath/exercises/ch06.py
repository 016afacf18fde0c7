"""Answers to the exercises of Chapter 6, More Linear Algebra.

Each answer is computed with a reference library (SciPy, NumPy, scikit-learn) or by a
route other than the one the solution takes.
"""

import numpy as np

from dlmath.exercises import register


def _det():
    import scipy.linalg

    return float(scipy.linalg.det([[2.0, -1, 0], [1, 3, 2], [0, 1, 4]]))


def _ellipse_area():
    import scipy.linalg

    s = scipy.linalg.svdvals([[3.0, 1.0], [1.0, 2.0]])
    return float(np.pi * (2 * s[0]) * (2 * s[1]))  # half-axes 2 s1 and 2 s2


def _solve():
    import scipy.linalg

    return scipy.linalg.solve([[0.0, 2, 1], [1, 1, 1], [2, 1, 3]], [5.0, 4, 7])


def _rank():
    return int(np.linalg.matrix_rank([[1.0, 2, 0, 1], [2, 4, 1, 3], [3, 6, 1, 4], [0, 0, 1, 1]]))


def _eigenvalues():
    import scipy.linalg

    return np.sort(scipy.linalg.eigvals([[4.0, 1.0], [2.0, 3.0]]).real)[::-1]


def _power_steps():
    t = 0
    while 0.9**t >= 1e-6:  # count instead of taking logarithms
        t += 1
    return t


def _kl():
    from scipy.stats import entropy

    return float(entropy([0.7, 0.2, 0.1], [0.5, 0.3, 0.2]))


def _kl_direction():
    from scipy.special import rel_entr

    return float(rel_entr([0.5, 0.5, 0.0], [0.4, 0.4, 0.2]).sum())


def _cross_entropy_loss():
    from scipy.special import log_softmax

    return float(-log_softmax([2.0, 0.5, -1.0])[0])


def _pca_cancer():
    from sklearn.datasets import load_breast_cancer
    from sklearn.decomposition import PCA
    from sklearn.preprocessing import StandardScaler

    X = StandardScaler().fit_transform(load_breast_cancer().data)
    return float(PCA(n_components=2).fit(X).explained_variance_ratio_.sum())


def _low_rank_storage():
    from sklearn.datasets import load_sample_image

    m, n, _ = load_sample_image("china.jpg").shape
    k = 40
    return m * k + k + k * n  # U_k, s_k and V_k


register("ex-06-det-cofactor", compute=_det, about="the determinant of the 3 x 3 matrix")
register("ex-06-ellipse-area", compute=_ellipse_area, about="the area of the image of the disk of radius 2")
register("ex-06-solve-pivoting", compute=_solve, about="the solution x of the 3 x 3 system")
register("ex-06-rank", compute=_rank, about="the rank of the 4 x 4 matrix")
register("ex-06-eigen-2x2", compute=_eigenvalues, about="the eigenvalues of [[4, 1], [2, 3]], largest first")
register("ex-06-power-steps", compute=_power_steps, about="the smallest t with 0.9**t < 1e-6")
register("ex-06-kl", compute=_kl, about="KL((0.7, 0.2, 0.1) || (0.5, 0.3, 0.2)) in nats")
register("ex-06-kl-direction", compute=_kl_direction, about="KL((0.5, 0.5, 0) || (0.4, 0.4, 0.2)), the finite direction, in nats")
register("ex-06-cross-entropy-loss", compute=_cross_entropy_loss, about="the cross-entropy loss of logits (2, 0.5, -1) for class 0")
register("ex-06-pca-cancer", compute=_pca_cancer, about="variance fraction of the first two PCs of the standardised breast-cancer data")
register("ex-06-low-rank-storage", compute=_low_rank_storage, about="numbers stored by a rank-40 approximation of the 427 x 640 photo")
register(
    "ex-06-least-squares",
    compute=lambda: np.polyfit([0.0, 1, 2, 3], [1.0, 3, 4, 8], 1),
    about="slope and intercept of the least-squares line",
)
