"""dlmath.linalg against NumPy, SciPy, scikit-learn and SymPy (PyTorch when installed), plus bad input."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.linalg
import scipy.spatial.distance
import scipy.special
import scipy.stats
import sympy
from sklearn.decomposition import PCA
from sklearn.utils.extmath import svd_flip

from dlmath import linalg as la
from dlmath.datasets import load_iris

SEEDS = range(30)


def random_matrix(seed: int, shape=None, *, scale=None) -> np.ndarray:
    rng = np.random.default_rng(seed)
    shape = shape if shape is not None else tuple(int(v) for v in rng.integers(1, 9, size=2))
    scale = scale if scale is not None else 10.0 ** rng.uniform(-3, 3)
    return scale * rng.standard_normal(shape)


def square(seed: int, n: int | None = None) -> np.ndarray:
    rng = np.random.default_rng(10_000 + seed)
    n = n if n is not None else int(rng.integers(1, 10))
    return random_matrix(seed, (n, n))


def low_rank(seed: int) -> tuple[np.ndarray, int]:
    """A random (m, n) matrix of known rank r, at a random scale."""
    rng = np.random.default_rng(20_000 + seed)
    m, n = (int(v) for v in rng.integers(2, 30, size=2))
    r = int(rng.integers(1, min(m, n) + 1))
    A = 10.0 ** rng.uniform(-6, 6) * rng.standard_normal((m, r)) @ rng.standard_normal((r, n))
    return A, r


def with_singular_values(seed: int, singular_values) -> np.ndarray:
    """A square matrix U diag(s) V^T with random orthogonal U, V and the given s."""
    rng = np.random.default_rng(30_000 + seed)
    n = len(singular_values)
    U, _ = np.linalg.qr(rng.standard_normal((n, n)))
    V, _ = np.linalg.qr(rng.standard_normal((n, n)))
    return U @ np.diag(singular_values) @ V.T


def distribution(seed: int, k: int, *, zeros: bool = False) -> np.ndarray:
    rng = np.random.default_rng(40_000 + seed)
    p = rng.dirichlet(np.full(k, 0.7))
    if zeros:
        p[rng.random(k) < 0.3] = 0.0
        if p.sum() == 0:
            p[0] = 1.0
        p /= p.sum()
    return p


# --- Chapter 5: products -----------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_matmul_matches_numpy(seed):
    rng = np.random.default_rng(seed)
    m, n, p = (int(v) for v in rng.integers(1, 12, size=3))
    A, B = rng.standard_normal((m, n)), rng.standard_normal((n, p))
    C = la.matmul(A, B)
    assert C.shape == (m, p)
    np.testing.assert_allclose(C, A @ B, rtol=1e-12, atol=1e-12)


def test_matmul_of_integers_is_exact_and_float():
    A = np.arange(6).reshape(2, 3)
    B = np.arange(12).reshape(3, 4)
    C = la.matmul(A, B)
    assert C.dtype == float
    np.testing.assert_array_equal(C, A @ B)


def test_matmul_identities():
    rng = np.random.default_rng(1)
    A, B, C = rng.standard_normal((3, 4)), rng.standard_normal((4, 5)), rng.standard_normal((5, 2))
    np.testing.assert_allclose(la.matmul(la.matmul(A, B), C), la.matmul(A, la.matmul(B, C)), atol=1e-12)
    np.testing.assert_allclose(la.matmul(A, B).T, la.matmul(B.T, A.T), atol=1e-12)
    np.testing.assert_allclose(la.matmul(A, np.eye(4)), A, atol=0)


def test_matmul_rejects_bad_shapes():
    with pytest.raises(ValueError, match=r"A has shape \(2, 3\) and B has shape \(4, 5\)"):
        la.matmul(np.ones((2, 3)), np.ones((4, 5)))
    with pytest.raises(ValueError, match="A must be a 2-D array"):
        la.matmul(np.ones(3), np.ones((3, 2)))
    with pytest.raises(TypeError, match="B must"):
        la.matmul(np.ones((2, 2)), "ab")
    with pytest.raises(ValueError, match="finite"):
        la.matmul(np.array([[np.nan]]), np.ones((1, 1)))


@pytest.mark.parametrize("seed", SEEDS)
def test_cosine_similarity_and_angle_match_scipy(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 20))
    u, v = rng.standard_normal(n), rng.standard_normal(n)
    expected = 1.0 - scipy.spatial.distance.cosine(u, v)
    assert la.cosine_similarity(u, v) == pytest.approx(expected, abs=1e-12)
    assert la.angle_between(u, v) == pytest.approx(np.arccos(np.clip(expected, -1, 1)), abs=1e-7)
    assert la.angle_between(u, v, degrees=True) == pytest.approx(np.degrees(la.angle_between(u, v)), rel=1e-12)
    # Cauchy-Schwarz: |u.v| <= |u| |v|
    assert abs(u @ v) <= np.linalg.norm(u) * np.linalg.norm(v) * (1 + 1e-12)


def test_cosine_similarity_edge_cases():
    assert la.cosine_similarity([1, 0], [0, 3]) == 0.0
    assert la.cosine_similarity([2, 2], [5, 5]) == pytest.approx(1.0)
    assert la.cosine_similarity([1, 2], [-2, -4]) == pytest.approx(-1.0)
    assert la.angle_between([1, 0], [1, 1], degrees=True) == pytest.approx(45.0)
    assert la.angle_between([1, 1], [1, 1]) == 0.0
    # no overflow for huge entries, no underflow for tiny ones
    assert la.cosine_similarity([1e200, 1e200], [1e200, 0.0]) == pytest.approx(np.sqrt(0.5))
    assert la.cosine_similarity([1e-200, 1e-200], [1e-200, 0.0]) == pytest.approx(np.sqrt(0.5))


def test_cosine_similarity_rejects_bad_input():
    with pytest.raises(ValueError, match="u is the zero vector"):
        la.cosine_similarity([0, 0], [1, 2])
    with pytest.raises(ValueError, match="v is the zero vector"):
        la.angle_between([1, 2], [0, 0])
    with pytest.raises(ValueError, match=r"same length; got shapes \(2,\) and \(3,\)"):
        la.cosine_similarity([1, 2], [1, 2, 3])
    with pytest.raises(ValueError, match="u must be a 1-D array"):
        la.cosine_similarity(np.ones((2, 2)), np.ones(4))


# --- Gaussian elimination ----------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_lu_matches_scipy(seed):
    A = square(seed)
    P, L, U = la.lu(A)
    P_ref, L_ref, U_ref = scipy.linalg.lu(A)
    np.testing.assert_allclose(P, P_ref, atol=0)
    np.testing.assert_allclose(L, L_ref, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(U, U_ref, rtol=1e-10, atol=1e-12 * np.abs(A).max())
    np.testing.assert_allclose(P @ L @ U, A, rtol=1e-12, atol=1e-12 * np.abs(A).max())
    assert np.allclose(np.triu(U), U) and np.allclose(np.tril(L), L) and np.allclose(np.diag(L), 1)
    assert np.all(np.abs(L) <= 1 + 1e-12)  # partial pivoting: every multiplier is at most 1


def test_lu_of_a_singular_matrix_still_factors():
    A = np.array([[1.0, 2, 3], [2, 4, 6], [1, 0, 1]])
    P, L, U = la.lu(A)
    np.testing.assert_allclose(P @ L @ U, A, atol=1e-12)
    assert np.isclose(np.prod(np.diag(U)), 0.0)
    P, L, U = la.lu(np.zeros((3, 3)))
    np.testing.assert_array_equal(U, 0.0)


@pytest.mark.parametrize("seed", SEEDS)
def test_triangular_solves_match_scipy(seed):
    A = square(seed) + 10 * np.eye(len(square(seed)))
    b = random_matrix(seed + 1, (len(A), 3))
    L, U = np.tril(A), np.triu(A)
    np.testing.assert_allclose(la.forward_substitution(L, b), scipy.linalg.solve_triangular(L, b, lower=True), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(la.back_substitution(U, b[:, 0]), scipy.linalg.solve_triangular(U, b[:, 0]), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(
        la.forward_substitution(A, b, unit_diagonal=True),
        scipy.linalg.solve_triangular(A, b, lower=True, unit_diagonal=True),
        rtol=1e-9,
        atol=1e-9,
    )


def test_triangular_solves_reject_zero_diagonal():
    with pytest.raises(la.SingularMatrixError, match=r"L\[1, 1\] is 0"):
        la.forward_substitution([[1.0, 0], [2, 0]], [1, 2])
    with pytest.raises(la.SingularMatrixError, match=r"U\[0, 0\] is 0"):
        la.back_substitution([[0.0, 1], [0, 2]], [1, 2])


@pytest.mark.parametrize("seed", SEEDS)
def test_solve_matches_numpy_and_scipy(seed):
    A = square(seed)
    rng = np.random.default_rng(seed)
    b = rng.standard_normal(len(A))
    B = rng.standard_normal((len(A), 4))
    x = la.solve(A, b)
    cond = np.linalg.cond(A)
    np.testing.assert_allclose(x, scipy.linalg.solve(A, b), rtol=1e-12 * cond, atol=1e-12 * cond * np.abs(x).max())
    np.testing.assert_allclose(la.solve(A, B), np.linalg.solve(A, B), rtol=1e-12 * cond, atol=1e-12 * cond * np.abs(x).max())
    # a backward-stable solver leaves a residual of the order of rounding errors
    assert np.linalg.norm(A @ x - b) <= 1e-12 * np.linalg.norm(A) * np.linalg.norm(x) * len(A)


@pytest.mark.parametrize("n", range(2, 11))
def test_solve_ill_conditioned_hilbert_matrices(n):
    H = scipy.linalg.hilbert(n)
    x_true = np.ones(n)
    b = H @ x_true
    x = la.solve(H, b)
    cond = np.linalg.cond(H)
    assert np.abs(x - x_true).max() <= 1e-15 * cond * 10  # forward error bounded by cond * eps
    assert np.linalg.norm(H @ x - b) <= 1e-14 * np.linalg.norm(b)  # tiny residual all the same
    np.testing.assert_allclose(x, scipy.linalg.solve(H, b), rtol=0, atol=1e-15 * cond * 10)


def test_partial_pivoting_handles_a_tiny_first_pivot():
    A = np.array([[1e-20, 1.0], [1.0, 1.0]])
    x = la.solve(A, [1.0, 2.0])
    np.testing.assert_allclose(x, np.linalg.solve(A, [1.0, 2.0]), rtol=1e-14)


@pytest.mark.parametrize("seed", SEEDS)
def test_solve_and_inv_detect_singular_matrices(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 12))
    r = int(rng.integers(1, n))
    A = 10.0 ** rng.uniform(-6, 6) * rng.standard_normal((n, r)) @ rng.standard_normal((r, n))
    with pytest.raises(la.SingularMatrixError, match="A is singular"):
        la.solve(A, np.ones(n))
    with pytest.raises(ValueError, match="singular"):  # it is also a ValueError
        la.inv(A)


def test_exactly_singular_matrices():
    for A in ([[1.0, 2], [2, 4]], np.zeros((3, 3)), [[1.0, 2, 3], [4, 5, 6], [7, 8, 9]], [[0.0]]):
        with pytest.raises(la.SingularMatrixError, match="singular"):
            la.solve(A, np.ones(len(A)))
        with pytest.raises(np.linalg.LinAlgError):
            la.inv(A)
        assert la.det(A) == pytest.approx(0.0, abs=1e-12)


def test_solve_rejects_bad_shapes():
    with pytest.raises(ValueError, match=r"A must be a square matrix.*\(2, 3\)"):
        la.solve(np.ones((2, 3)), np.ones(2))
    with pytest.raises(ValueError, match=r"A has shape \(3, 3\) and b has shape \(2,\)"):
        la.solve(np.eye(3), np.ones(2))
    with pytest.raises(ValueError, match="b must be a 1-D or 2-D array"):
        la.solve(np.eye(2), np.ones((2, 2, 2)))
    with pytest.raises(ValueError, match="A must be a square"):
        la.inv(np.ones((3, 2)))
    with pytest.raises(ValueError, match="A must be a square"):
        la.det(np.ones((1, 2)))


@pytest.mark.parametrize("seed", SEEDS)
def test_det_matches_numpy_and_its_properties(seed):
    A = square(seed)
    B = square(seed + 100, len(A))
    n = len(A)
    assert la.det(A) == pytest.approx(np.linalg.det(A), rel=1e-9)
    assert la.det(A) == pytest.approx(scipy.linalg.det(A), rel=1e-9)
    assert la.det(A @ B) == pytest.approx(la.det(A) * la.det(B), rel=1e-8)
    assert la.det(A.T) == pytest.approx(la.det(A), rel=1e-9)
    assert la.det(la.inv(A)) == pytest.approx(1 / la.det(A), rel=1e-7)
    assert la.det(-2.0 * A) == pytest.approx((-2.0) ** n * la.det(A), rel=1e-9)
    assert la.det(np.triu(A)) == pytest.approx(np.prod(np.diag(A)), rel=1e-12)


def test_det_by_hand():
    assert la.det([[3, 1], [2, 4]]) == pytest.approx(10.0)
    assert la.det([[0, 1], [1, 0]]) == pytest.approx(-1.0)  # a swap flips orientation
    assert la.det(np.eye(5)) == 1.0


@pytest.mark.parametrize("seed", SEEDS)
def test_inv_matches_numpy(seed):
    A = square(seed)
    cond = np.linalg.cond(A)
    np.testing.assert_allclose(la.inv(A), np.linalg.inv(A), rtol=1e-11 * cond, atol=1e-11 * cond * np.abs(np.linalg.inv(A)).max())
    np.testing.assert_allclose(A @ la.inv(A), np.eye(len(A)), atol=1e-12 * cond)


# --- rank and row echelon form ------------------------------------------------------------


def integer_matrix(seed: int) -> np.ndarray:
    """Small integer matrices, often rank-deficient (a row or column repeated or combined)."""
    rng = np.random.default_rng(50_000 + seed)
    m, n = (int(v) for v in rng.integers(1, 6, size=2))
    A = rng.integers(-4, 5, size=(m, n)).astype(float)
    if m > 1 and seed % 2:
        A[-1] = A[0] - 2 * A[-2 if m > 2 else 0]
    if n > 1 and seed % 3 == 0:
        A[:, -1] = 3 * A[:, 0]
    return A


@pytest.mark.parametrize("seed", SEEDS)
def test_row_echelon_matches_sympy(seed):
    A = integer_matrix(seed)
    R, pivots = la.row_echelon(A)
    R_ref, pivots_ref = sympy.Matrix(A.astype(int).tolist()).rref()
    assert pivots == tuple(pivots_ref)
    np.testing.assert_allclose(R, np.array(R_ref.tolist(), dtype=float), atol=1e-12)
    assert la.rank(A) == len(pivots_ref) == np.linalg.matrix_rank(A)


@pytest.mark.parametrize("seed", range(100))
def test_rank_matches_numpy_on_low_rank_matrices(seed):
    A, r = low_rank(seed)
    assert la.rank(A) == r == np.linalg.matrix_rank(A)
    assert la.rank(A.T) == r


@pytest.mark.parametrize("seed", SEEDS)
def test_rank_of_ill_conditioned_matrices(seed):
    n = 8
    full = with_singular_values(seed, np.logspace(0, -9, n))  # cond 1e9: still full rank
    assert la.rank(full) == n == np.linalg.matrix_rank(full)
    deficient = with_singular_values(seed, np.r_[np.logspace(0, -3, n - 2), 1e-20, 0.0])
    assert la.rank(deficient) == n - 2 == np.linalg.matrix_rank(deficient)


def test_rank_facts():
    rng = np.random.default_rng(3)
    u, v = rng.standard_normal(5), rng.standard_normal(7)
    assert la.rank(np.outer(u, v)) == 1
    A, B = rng.standard_normal((6, 2)) @ rng.standard_normal((2, 6)), rng.standard_normal((6, 6))
    assert la.rank(A @ B) <= min(la.rank(A), la.rank(B))
    assert la.rank(np.zeros((3, 4))) == 0
    assert la.rank(np.eye(4)) == 4
    assert la.rank([[1.0, 2], [2, 4.0000001]]) == 2
    assert la.rank([[1.0, 2], [2, 4.0000001]], tol=1e-3) == 1


def test_rank_rejects_bad_input():
    with pytest.raises(ValueError, match="A must be a 2-D array"):
        la.rank([1, 2, 3])
    with pytest.raises(ValueError, match="tol must be at least 0"):
        la.rank(np.eye(2), tol=-1.0)


# --- eigenvalues -------------------------------------------------------------------------


def flip(vector: np.ndarray) -> np.ndarray:
    """The sign convention of dlmath: largest-magnitude entry positive."""
    return vector * np.sign(vector[np.argmax(np.abs(vector))])


@pytest.mark.parametrize("seed", SEEDS)
def test_power_iteration_matches_eigh_on_symmetric_matrices(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 10))
    Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    values = rng.uniform(-1, 1, n)
    values[0] = rng.choice([-1.0, 1.0]) * 2.0  # a clear dominant eigenvalue, sometimes negative
    A = Q @ np.diag(values) @ Q.T
    result = la.power_iteration(A, rng=seed, tol=1e-12, max_iter=5000)
    w, V = np.linalg.eigh(A)
    i = np.argmax(np.abs(w))
    assert result.converged
    assert result.value == pytest.approx(w[i], rel=1e-10)
    np.testing.assert_allclose(result.vector, flip(V[:, i]), atol=1e-9)
    assert np.linalg.norm(result.vector) == pytest.approx(1.0)
    assert result.history.shape == (result.n_iter,)


@pytest.mark.parametrize("seed", SEEDS)
def test_power_iteration_on_non_symmetric_matrices(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 8))
    S = rng.standard_normal((n, n)) + 3 * np.eye(n)
    values = np.r_[5.0, rng.uniform(-2, 2, n - 1)]
    A = S @ np.diag(values) @ np.linalg.inv(S)
    result = la.power_iteration(A, rng=seed)
    w, V = np.linalg.eig(A)
    i = np.argmax(np.abs(w))
    assert result.value == pytest.approx(5.0, rel=1e-8)
    np.testing.assert_allclose(result.vector, flip(np.real(V[:, i]) / np.linalg.norm(V[:, i])), atol=1e-7)


def test_power_iteration_convergence_rate_and_reproducibility():
    A = np.diag([4.0, 2.0, 1.0])  # error shrinks like (2/4)^t, eigenvalue error like (1/2)^(2t)
    result = la.power_iteration(A, rng=0, tol=1e-14)
    errors = np.abs(result.history - 4.0)[:15]
    ratios = errors[1:] / errors[:-1]
    assert np.allclose(ratios[5:], 0.25, rtol=0.05)
    again = la.power_iteration(A, rng=0, tol=1e-14)
    np.testing.assert_array_equal(result.history, again.history)
    np.testing.assert_allclose(result.vector, [1.0, 0.0, 0.0], atol=1e-7)


def test_power_iteration_warns_when_it_cannot_converge():
    with pytest.warns(RuntimeWarning, match="did not converge in 50 iterations"):
        result = la.power_iteration([[0.0, 1.0], [1.0, 0.0]], rng=0, max_iter=50)  # eigenvalues 1 and -1
    assert not result.converged
    with pytest.warns(RuntimeWarning, match="complex pair"):
        la.power_iteration([[0.0, -1.0], [1.0, 0.0]], rng=0, max_iter=50)  # a rotation


def test_power_iteration_zero_and_nilpotent_matrices():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert la.power_iteration(np.zeros((3, 3)), rng=1).value == 0.0
        assert la.power_iteration([[0.0, 1.0], [0.0, 0.0]], rng=1).value == 0.0


def test_power_iteration_rejects_bad_input():
    with pytest.raises(ValueError, match=r"A must be a square matrix.*\(2, 3\)"):
        la.power_iteration(np.ones((2, 3)))
    with pytest.raises(ValueError, match="max_iter must be at least 1"):
        la.power_iteration(np.eye(2), max_iter=0)
    with pytest.raises(TypeError, match="rng must be"):
        la.power_iteration(np.eye(2), rng="seed")


# --- covariance and Mahalanobis -----------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_covariance_matrix_matches_numpy(seed):
    X = random_matrix(seed, (int(np.random.default_rng(seed).integers(2, 40)), 4))
    np.testing.assert_allclose(la.covariance_matrix(X), np.cov(X, rowvar=False), rtol=1e-10, atol=1e-14 * np.abs(X).max() ** 2)
    np.testing.assert_allclose(la.covariance_matrix(X, ddof=0), np.cov(X, rowvar=False, bias=True), rtol=1e-10, atol=1e-14 * np.abs(X).max() ** 2)
    S = la.covariance_matrix(X)
    np.testing.assert_allclose(S, S.T)
    assert np.linalg.eigvalsh(S).min() >= -1e-10 * np.abs(S).max()  # positive semi-definite


def test_covariance_matrix_rejects_bad_input():
    with pytest.raises(ValueError, match="more than ddof=1 examples"):
        la.covariance_matrix(np.ones((1, 3)))
    with pytest.raises(ValueError, match="X must be a 2-D array"):
        la.covariance_matrix(np.ones(5))


@pytest.mark.parametrize("seed", SEEDS)
def test_mahalanobis_matches_scipy(seed):
    rng = np.random.default_rng(seed)
    d = int(rng.integers(1, 6))
    data = rng.standard_normal((50, d)) @ rng.standard_normal((d, d))
    mean, cov = data.mean(axis=0), np.cov(data, rowvar=False).reshape(d, d)
    X = rng.standard_normal((7, d))
    VI = np.linalg.inv(cov)
    expected = [scipy.spatial.distance.mahalanobis(x, mean, VI) for x in X]
    np.testing.assert_allclose(la.mahalanobis(X, mean, cov), expected, rtol=1e-8)
    assert la.mahalanobis(X[0], mean, cov) == pytest.approx(expected[0], rel=1e-8)
    # with the identity as covariance it is the Euclidean distance
    np.testing.assert_allclose(la.mahalanobis(X, mean, np.eye(d)), np.linalg.norm(X - mean, axis=1), rtol=1e-12)


def test_mahalanobis_rejects_bad_input():
    with pytest.raises(ValueError, match=r"x has shape \(3,\), mean \(2,\) and cov \(2, 2\)"):
        la.mahalanobis(np.ones(3), np.zeros(2), np.eye(2))
    with pytest.raises(ValueError, match="cov must be symmetric"):
        la.mahalanobis(np.ones(2), np.zeros(2), [[1.0, 0.5], [0.0, 1.0]])
    with pytest.raises(la.SingularMatrixError, match="cov is singular"):
        la.mahalanobis(np.ones(2), np.zeros(2), [[1.0, 1.0], [1.0, 1.0]])
    with pytest.raises(ValueError, match="positive definite"):
        la.mahalanobis(np.array([0.0, 1.0]), np.zeros(2), [[1.0, 0.0], [0.0, -1.0]])
    with pytest.raises(ValueError, match="cov must be a square"):
        la.mahalanobis(np.ones(2), np.zeros(2), np.ones((2, 3)))


# --- entropy, cross-entropy, KL divergence ------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_kl_entropy_cross_entropy_match_scipy(seed):
    k = int(np.random.default_rng(seed).integers(2, 12))
    p, q = distribution(seed, k, zeros=seed % 2 == 0), distribution(seed + 1000, k)
    assert la.kl_divergence(p, q) == pytest.approx(scipy.special.rel_entr(p, q).sum(), rel=1e-12, abs=1e-15)
    assert la.kl_divergence(p, q) == pytest.approx(scipy.stats.entropy(p, q), rel=1e-12, abs=1e-15)
    assert la.kl_divergence(p, q, base=2) == pytest.approx(scipy.stats.entropy(p, q, base=2), rel=1e-12, abs=1e-15)
    assert la.entropy(p) == pytest.approx(scipy.stats.entropy(p), rel=1e-12, abs=1e-15)
    assert la.entropy(p, base=2) == pytest.approx(scipy.stats.entropy(p, base=2), rel=1e-12, abs=1e-15)
    # H(p, q) = H(p) + KL(p || q), and Gibbs' inequality KL >= 0
    assert la.cross_entropy(p, q) == pytest.approx(la.entropy(p) + la.kl_divergence(p, q), rel=1e-12)
    assert la.kl_divergence(p, q) >= 0.0
    assert la.kl_divergence(p, p) == pytest.approx(0.0, abs=1e-15)
    assert 0.0 <= la.entropy(p) <= np.log(k) + 1e-12


def test_kl_divergence_batches_infinity_and_asymmetry():
    P = np.array([[0.5, 0.5, 0.0], [0.2, 0.3, 0.5]])
    Q = np.array([[0.25, 0.25, 0.5], [0.6, 0.2, 0.2]])
    np.testing.assert_allclose(la.kl_divergence(P, Q), scipy.special.rel_entr(P, Q).sum(axis=1), rtol=1e-12)
    np.testing.assert_allclose(la.entropy(P), scipy.stats.entropy(P, axis=1), rtol=1e-12)
    assert la.kl_divergence([0.5, 0.5], [1.0, 0.0]) == np.inf
    assert la.cross_entropy([0.5, 0.5], [1.0, 0.0]) == np.inf
    assert la.kl_divergence([1.0, 0.0], [0.5, 0.5]) == pytest.approx(np.log(2))
    assert la.kl_divergence([0.9, 0.1], [0.5, 0.5]) != pytest.approx(la.kl_divergence([0.5, 0.5], [0.9, 0.1]))
    # with a one-hot p, cross-entropy is -log q_y: the classification loss
    assert la.cross_entropy([0, 0, 1.0], [0.1, 0.2, 0.7]) == pytest.approx(-np.log(0.7))


def test_distributions_reject_bad_input():
    with pytest.raises(ValueError, match="p must sum to 1"):
        la.kl_divergence([0.5, 0.6], [0.5, 0.5])
    with pytest.raises(ValueError, match="q must not contain negative"):
        la.cross_entropy([0.5, 0.5], [1.5, -0.5])
    with pytest.raises(ValueError, match=r"same shape; got shapes \(2,\) and \(3,\)"):
        la.kl_divergence([0.5, 0.5], [0.2, 0.3, 0.5])
    with pytest.raises(ValueError, match="base must not be 1"):
        la.entropy([0.5, 0.5], base=1)
    with pytest.raises(ValueError, match="finite"):
        la.entropy([np.nan, 1.0])


# --- PCA and the SVD ---------------------------------------------------------------------


def pca_data(seed: int) -> np.ndarray:
    rng = np.random.default_rng(60_000 + seed)
    n, d = int(rng.integers(5, 60)), int(rng.integers(2, 8))
    return rng.standard_normal((n, d)) @ rng.standard_normal((d, d)) + rng.normal(size=d)


@pytest.mark.parametrize("method", ["svd", "eig"])
@pytest.mark.parametrize("seed", SEEDS)
def test_pca_matches_sklearn_signs_included(seed, method):
    X = pca_data(seed)
    k = int(np.random.default_rng(seed).integers(1, min(X.shape) + 1))
    mine = la.pca(X, k, method=method)
    ref = PCA(n_components=k, svd_solver="full").fit(X)
    np.testing.assert_allclose(mine.components, ref.components_, atol=1e-7)
    np.testing.assert_allclose(mine.explained_variance, ref.explained_variance_, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(mine.explained_variance_ratio, ref.explained_variance_ratio_, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(mine.singular_values, ref.singular_values_, rtol=1e-7, atol=1e-8)
    np.testing.assert_allclose(mine.mean, ref.mean_, rtol=1e-12)
    np.testing.assert_allclose(mine.transform(X), ref.transform(X), atol=1e-7 * np.abs(X).max())


def test_pca_on_iris_and_its_identities():
    X, _ = load_iris()
    result = la.pca(X)
    ref = PCA().fit(X)
    np.testing.assert_allclose(result.explained_variance_ratio, ref.explained_variance_ratio_, rtol=1e-10)
    # the variances are the eigenvalues of the covariance matrix; they add up to its trace
    np.testing.assert_allclose(result.explained_variance, np.linalg.eigvalsh(np.cov(X, rowvar=False))[::-1], rtol=1e-10)
    assert result.explained_variance.sum() == pytest.approx(np.trace(np.cov(X, rowvar=False)))
    # orthonormal components; uncorrelated scores; exact round trip with all components
    np.testing.assert_allclose(result.components @ result.components.T, np.eye(4), atol=1e-12)
    Z = result.transform(X)
    np.testing.assert_allclose(np.cov(Z, rowvar=False), np.diag(result.explained_variance), atol=1e-10)
    np.testing.assert_allclose(result.inverse_transform(Z), X, atol=1e-12)
    np.testing.assert_allclose(la.pca(X, method="eig").components, result.components, atol=1e-10)


def test_pca_rejects_bad_input():
    X = np.ones((5, 3)) + np.arange(15).reshape(5, 3) ** 2
    with pytest.raises(ValueError, match="n_components must be at most 3"):
        la.pca(X, 4)
    with pytest.raises(ValueError, match="method must be 'svd' or 'eig'"):
        la.pca(X, method="qr")
    with pytest.raises(ValueError, match="at least 2 examples"):
        la.pca(np.ones((1, 3)))
    with pytest.raises(ValueError, match="X must have 3 features"):
        la.pca(X).transform(np.ones((2, 4)))
    with pytest.raises(ValueError, match="Z must have 2 columns"):
        la.pca(X, 2).inverse_transform(np.ones((2, 3)))


@pytest.mark.parametrize("seed", SEEDS)
def test_svd_matches_scipy_with_sklearn_signs(seed):
    A = random_matrix(seed)
    U, s, Vt = la.svd(A)
    r = min(A.shape)
    assert U.shape == (A.shape[0], r) and s.shape == (r,) and Vt.shape == (r, A.shape[1])
    np.testing.assert_allclose(s, scipy.linalg.svdvals(A), rtol=1e-10, atol=1e-14 * s.max())
    np.testing.assert_allclose((U * s) @ Vt, A, atol=1e-12 * s.max())
    np.testing.assert_allclose(U.T @ U, np.eye(r), atol=1e-12)
    np.testing.assert_allclose(Vt @ Vt.T, np.eye(r), atol=1e-12)
    U_ref, s_ref, Vt_ref = scipy.linalg.svd(A, full_matrices=False)
    U_ref, Vt_ref = svd_flip(U_ref, Vt_ref, u_based_decision=False)
    distinct = np.r_[True, np.diff(s_ref) < -1e-8 * s_ref.max()] & np.r_[np.diff(s_ref) < -1e-8 * s_ref.max(), True]
    np.testing.assert_allclose(Vt[distinct], Vt_ref[distinct], atol=1e-8)
    np.testing.assert_allclose(U[:, distinct], U_ref[:, distinct], atol=1e-8)


@pytest.mark.parametrize("seed", SEEDS)
def test_low_rank_approximation_is_eckart_young(seed):
    rng = np.random.default_rng(seed)
    m, n = (int(v) for v in rng.integers(2, 15, size=2))
    A = rng.standard_normal((m, n))
    s = scipy.linalg.svdvals(A)
    for k in range(1, min(m, n) + 1):
        Ak = la.low_rank_approximation(A, k)
        assert np.linalg.norm(A - Ak) == pytest.approx(np.sqrt(np.sum(s[k:] ** 2)), abs=1e-10)
        if k < min(m, n):
            assert np.linalg.norm(A - Ak, 2) == pytest.approx(s[k], rel=1e-9)
            assert np.linalg.matrix_rank(Ak) == k
    np.testing.assert_allclose(la.low_rank_approximation(A, min(m, n)), A, atol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_pinv_and_lstsq_match_numpy_and_scipy(seed):
    A, r = low_rank(seed)
    P = la.pinv(A)
    np.testing.assert_allclose(P, scipy.linalg.pinv(A), rtol=1e-6, atol=1e-8 * np.abs(P).max())
    # the four Moore-Penrose conditions
    scale = np.abs(A).max()
    np.testing.assert_allclose(A @ P @ A, A, atol=1e-8 * scale)
    np.testing.assert_allclose(P @ A @ P, P, atol=1e-8 * np.abs(P).max())
    np.testing.assert_allclose((A @ P).T, A @ P, atol=1e-8)
    np.testing.assert_allclose((P @ A).T, P @ A, atol=1e-8)
    b = np.random.default_rng(seed).standard_normal(A.shape[0])
    x_ref = np.linalg.lstsq(A, b, rcond=None)[0]
    np.testing.assert_allclose(la.lstsq(A, b), x_ref, rtol=1e-6, atol=1e-8 * np.abs(x_ref).max())


@pytest.mark.parametrize("seed", SEEDS)
def test_pinv_of_an_invertible_matrix_is_its_inverse(seed):
    A = square(seed)
    cond = np.linalg.cond(A)
    np.testing.assert_allclose(la.pinv(A), la.inv(A), rtol=1e-10 * cond, atol=1e-10 * cond * np.abs(la.inv(A)).max())


def test_lstsq_fits_a_line_like_polyfit():
    rng = np.random.default_rng(7)
    x = rng.uniform(0, 5, 40)
    y = 1.5 * x - 2.0 + rng.normal(scale=0.3, size=40)
    A = np.column_stack([x, np.ones_like(x)])
    np.testing.assert_allclose(la.lstsq(A, y), np.polyfit(x, y, 1), rtol=1e-10)
    np.testing.assert_allclose(la.pinv(np.zeros((2, 3))), np.zeros((3, 2)))


def test_svd_family_rejects_bad_input():
    with pytest.raises(ValueError, match="k must be at most 2"):
        la.low_rank_approximation(np.ones((2, 5)), 3)
    with pytest.raises(ValueError, match="k must be at least 1"):
        la.low_rank_approximation(np.ones((2, 5)), 0)
    with pytest.raises(ValueError, match=r"A has shape \(3, 2\) and b has shape \(4,\)"):
        la.lstsq(np.ones((3, 2)), np.ones(4))
    with pytest.raises(ValueError, match="A must be a 2-D array"):
        la.svd(np.ones(3))
    with pytest.raises(ValueError, match="rtol must be at least 0"):
        la.pinv(np.eye(2), rtol=-1.0)


# --- optional cross-check with PyTorch ----------------------------------------------------


def test_cross_check_with_pytorch():
    torch = pytest.importorskip("torch")
    A = square(3, 6)
    b = np.random.default_rng(3).standard_normal(6)
    tA = torch.tensor(A, dtype=torch.float64)
    np.testing.assert_allclose(la.solve(A, b), torch.linalg.solve(tA, torch.tensor(b)).numpy(), rtol=1e-9)
    assert la.det(A) == pytest.approx(torch.linalg.det(tA).item(), rel=1e-9)
    np.testing.assert_allclose(la.pinv(A), torch.linalg.pinv(tA).numpy(), rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(la.matmul(A, A.T), (tA @ tA.T).numpy(), rtol=1e-12)
    p, q = distribution(1, 5), distribution(2, 5)
    kl = torch.nn.functional.kl_div(torch.tensor(np.log(q)), torch.tensor(p), reduction="sum").item()
    assert la.kl_divergence(p, q) == pytest.approx(kl, rel=1e-12)
