r"""Linear algebra from scratch, as Chapters 5 and 6 build it.

Every function here is written to be read next to the chapter that explains it. They
are correct (the tests compare them with NumPy, SciPy and scikit-learn) but they are not
meant to replace those libraries: in real work use ``A @ B``, ``np.linalg.solve``,
``np.linalg.eigh`` and ``sklearn.decomposition.PCA``.

Chapter 5, products of vectors and matrices:

* :func:`matmul`: :math:`C_{ij} = \sum_k A_{ik} B_{kj}` with three nested Python loops;
* :func:`cosine_similarity`, :func:`angle_between`: :math:`\cos\theta = u\cdot v/(\|u\|\|v\|)`.

Chapter 6, solving, decomposing and measuring:

* :func:`lu`, :func:`forward_substitution`, :func:`back_substitution`, :func:`solve`,
  :func:`det`, :func:`inv`: Gaussian elimination with partial pivoting, :math:`A = PLU`;
* :func:`row_echelon`, :func:`rank`: reduced row echelon form and the number of pivots;
* :func:`power_iteration`: the dominant eigenvalue and eigenvector;
* :func:`covariance_matrix`, :func:`mahalanobis`: spread of data and the distance it induces;
* :func:`entropy`, :func:`cross_entropy`, :func:`kl_divergence`: comparing distributions;
* :func:`pca` (returning a :class:`PCAResult`), :func:`svd`, :func:`low_rank_approximation`,
  :func:`pinv`, :func:`lstsq`: the singular value decomposition and what it gives.

Sign conventions. An eigenvector or a singular vector is only defined up to its sign
(:math:`v` and :math:`-v` are equally good). To make results reproducible, every function
here that returns such vectors flips each one so that **its entry of largest absolute
value is positive**; this is the convention of scikit-learn's PCA, so :func:`pca` and
``sklearn.decomposition.PCA`` give the same components, signs included.

Errors. A singular matrix given to :func:`solve` or :func:`inv` raises
:class:`SingularMatrixError` (a ``ValueError`` and a ``numpy.linalg.LinAlgError``) that
says so, instead of a division by zero deep inside the elimination.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from dlmath.validation import as_array, as_rng, check_int, check_number, check_probability_vector

__all__ = [
    "PCAResult",
    "PowerIterationResult",
    "SingularMatrixError",
    "angle_between",
    "back_substitution",
    "cosine_similarity",
    "covariance_matrix",
    "cross_entropy",
    "det",
    "entropy",
    "forward_substitution",
    "inv",
    "kl_divergence",
    "low_rank_approximation",
    "lstsq",
    "lu",
    "mahalanobis",
    "matmul",
    "pca",
    "pinv",
    "power_iteration",
    "rank",
    "row_echelon",
    "solve",
    "svd",
]

EPS = np.finfo(float).eps


class SingularMatrixError(np.linalg.LinAlgError):
    """A square matrix that has no inverse (to working precision) where one is needed.

    It is a ``numpy.linalg.LinAlgError`` and so also a ``ValueError``.
    """


# --- input checks ------------------------------------------------------------------------


def _matrix(A, name: str) -> np.ndarray:
    return as_array(A, name, ndim=2)


def _square(A, name: str) -> np.ndarray:
    A = _matrix(A, name)
    if A.shape[0] != A.shape[1]:
        raise ValueError(f"{name} must be a square matrix, shape (n, n); got shape {A.shape}")
    return A


def _right_hand_side(b, A: np.ndarray, name_b: str = "b", name_a: str = "A") -> np.ndarray:
    """A vector (n,) or a matrix (n, k) whose number of rows matches A's."""
    b = as_array(b, name_b, ndim=(1, 2))
    if b.shape[0] != A.shape[0]:
        raise ValueError(
            f"{name_a} and {name_b} do not fit: {name_a} has shape {A.shape} and {name_b} has shape {b.shape}; "
            f"{name_b} needs {A.shape[0]} rows, one per row of {name_a}"
        )
    return b


def _flip_signs(vectors: np.ndarray) -> np.ndarray:
    """+1 or -1 per row of ``vectors``: the sign that makes the row's largest-magnitude entry positive."""
    largest = np.argmax(np.abs(vectors), axis=1)
    signs = np.sign(vectors[np.arange(len(vectors)), largest])
    return np.where(signs == 0, 1.0, signs)


# --- Chapter 5: products -----------------------------------------------------------------


def matmul(A, B) -> np.ndarray:
    r"""The matrix product :math:`C = AB` computed from its definition, with three loops.

    .. math:: C_{ij} = \sum_{k=1}^{n} A_{ik} B_{kj},

    for ``A`` of shape ``(m, n)`` and ``B`` of shape ``(n, p)``; ``C`` has shape ``(m, p)``.
    It costs :math:`m \cdot n \cdot p` multiplications and as many additions. The loops
    run over Python lists (faster than indexing a NumPy array one element at a time), so
    the comparison with ``A @ B`` in Chapter 5 measures loops against compiled code.
    """
    A = _matrix(A, "A")
    B = _matrix(B, "B")
    if A.shape[1] != B.shape[0]:
        raise ValueError(
            f"A and B cannot be multiplied: A has shape {A.shape} and B has shape {B.shape}; "
            f"the number of columns of A ({A.shape[1]}) must equal the number of rows of B ({B.shape[0]})"
        )
    m, n = A.shape
    p = B.shape[1]
    a, b = A.tolist(), B.tolist()
    C = [[0.0] * p for _ in range(m)]
    for i in range(m):
        row = a[i]
        for j in range(p):
            total = 0.0
            for k in range(n):
                total += row[k] * b[k][j]
            C[i][j] = total
    return np.array(C, dtype=float).reshape(m, p)


def _two_vectors(u, v) -> tuple[np.ndarray, np.ndarray]:
    u = as_array(u, "u", ndim=1)
    v = as_array(v, "v", ndim=1)
    if u.shape != v.shape:
        raise ValueError(f"u and v must have the same length; got shapes {u.shape} and {v.shape}")
    for name, x in (("u", u), ("v", v)):
        if not np.any(x):
            raise ValueError(f"{name} is the zero vector: it has no direction, so its angle with another vector is undefined")
    return u, v


def cosine_similarity(u, v) -> float:
    r"""The cosine of the angle between two non-zero vectors.

    .. math:: \cos\theta = \frac{u \cdot v}{\|u\|_2 \, \|v\|_2} \in [-1, 1].

    1 means the same direction, 0 perpendicular, -1 opposite. It ignores lengths, which
    is why it compares embeddings and documents of different sizes.
    """
    u, v = _two_vectors(u, v)
    # Scale first so that huge or tiny entries cannot overflow or underflow.
    u = u / np.max(np.abs(u))
    v = v / np.max(np.abs(v))
    value = float(u @ v / (np.linalg.norm(u) * np.linalg.norm(v)))
    return float(np.clip(value, -1.0, 1.0))


def angle_between(u, v, *, degrees: bool = False) -> float:
    r"""The angle :math:`\theta = \arccos\big(u\cdot v / (\|u\|\|v\|)\big) \in [0, \pi]` between two vectors.

    In radians, or in degrees with ``degrees=True``. Near 0 and :math:`\pi` the arccos
    loses half the digits (its slope is infinite there), so the same angle is computed
    from the unit vectors :math:`a = u/\|u\|` and :math:`b = v/\|v\|` as
    :math:`\theta = 2 \arctan\big(\|a - b\| / \|a + b\|\big)`, accurate for every angle.
    """
    u, v = _two_vectors(u, v)
    u = u / np.max(np.abs(u))
    v = v / np.max(np.abs(v))
    a = u / np.linalg.norm(u)
    b = v / np.linalg.norm(v)
    theta = float(2.0 * np.arctan2(np.linalg.norm(a - b), np.linalg.norm(a + b)))
    return float(np.degrees(theta)) if degrees else theta


# --- Chapter 6: Gaussian elimination -----------------------------------------------------


def _lu(A: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Elimination with partial pivoting: ``A[perm] = L @ U``; also the number of row swaps."""
    n = A.shape[0]
    U = A.astype(float).copy()
    L = np.eye(n)
    perm = np.arange(n)
    swaps = 0
    for k in range(n - 1):
        p = k + int(np.argmax(np.abs(U[k:, k])))  # the largest entry in the column is the pivot
        if p != k:
            U[[k, p], k:] = U[[p, k], k:]
            L[[k, p], :k] = L[[p, k], :k]
            perm[[k, p]] = perm[[p, k]]
            swaps += 1
        if U[k, k] == 0.0:  # the whole column below is already zero: nothing to eliminate
            continue
        factors = U[k + 1 :, k] / U[k, k]
        L[k + 1 :, k] = factors
        U[k + 1 :, k:] -= np.outer(factors, U[k, k:])
        U[k + 1 :, k] = 0.0
    return perm, L, U, swaps


def lu(A) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""The LU decomposition with partial pivoting: :math:`A = P L U`.

    Gaussian elimination, written down. Column by column, the row with the largest entry
    (in absolute value) is swapped up to be the pivot, and multiples of it are subtracted
    from the rows below: row :math:`i` loses :math:`\ell_{ik}` times row :math:`k`, with
    :math:`\ell_{ik} = u_{ik}/u_{kk}`. The multipliers fill the unit lower-triangular ``L``,
    what is left is the upper-triangular ``U``, and ``P`` is the permutation matrix of the
    row swaps. Same convention as ``scipy.linalg.lu``: ``A == P @ L @ U``.
    """
    A = _square(A, "A")
    perm, L, U, _ = _lu(A)
    P = np.eye(len(A))[perm].T
    return P, L, U


def forward_substitution(L, b, *, unit_diagonal: bool = False) -> np.ndarray:
    r"""Solve :math:`Ly = b` for a lower-triangular ``L``, top row first.

    .. math:: y_i = \Big(b_i - \sum_{j<i} L_{ij} y_j\Big) / L_{ii}.

    Only the lower triangle of ``L`` is read. With ``unit_diagonal`` the diagonal is taken
    to be 1 (as in the ``L`` of :func:`lu`). ``b`` may be a vector ``(n,)`` or a matrix
    ``(n, k)`` of k right-hand sides.
    """
    L = _square(L, "L")
    b = _right_hand_side(b, L, "b", "L")
    n = len(L)
    diagonal = np.ones(n) if unit_diagonal else np.diag(L)
    if np.any(diagonal == 0):
        i = int(np.flatnonzero(diagonal == 0)[0])
        raise SingularMatrixError(f"L is singular: its diagonal entry L[{i}, {i}] is 0, so Ly = b has no unique solution")
    y = np.zeros_like(b)
    for i in range(n):
        y[i] = (b[i] - L[i, :i] @ y[:i]) / diagonal[i]
    return y


def back_substitution(U, b) -> np.ndarray:
    r"""Solve :math:`Ux = b` for an upper-triangular ``U``, bottom row first.

    .. math:: x_i = \Big(b_i - \sum_{j>i} U_{ij} x_j\Big) / U_{ii}.

    Only the upper triangle of ``U`` is read; ``b`` may be ``(n,)`` or ``(n, k)``.
    """
    U = _square(U, "U")
    b = _right_hand_side(b, U, "b", "U")
    n = len(U)
    if np.any(np.diag(U) == 0):
        i = int(np.flatnonzero(np.diag(U) == 0)[0])
        raise SingularMatrixError(f"U is singular: its diagonal entry U[{i}, {i}] is 0, so Ux = b has no unique solution")
    x = np.zeros_like(b)
    for i in range(n - 1, -1, -1):
        x[i] = (b[i] - U[i, i + 1 :] @ x[i + 1 :]) / U[i, i]
    return x


def solve(A, b) -> np.ndarray:
    r"""Solve the linear system :math:`Ax = b` by Gaussian elimination with partial pivoting.

    Factor :math:`A = PLU` (:func:`lu`), then solve :math:`Ly = P^\top b` by forward
    substitution and :math:`Ux = y` by back substitution: about :math:`\tfrac23 n^3`
    operations, and no inverse is ever formed. ``b`` may be a vector ``(n,)`` or a matrix
    ``(n, k)`` whose columns are k right-hand sides.

    Raises :class:`SingularMatrixError` when ``A`` is singular to working precision: when
    its :func:`rank` is less than n, or an elimination pivot is zero.
    """
    A = _square(A, "A")
    b = _right_hand_side(b, A)
    n = len(A)
    r = rank(A)
    if r < n:
        raise SingularMatrixError(
            f"A is singular (to working precision): its rank is {r}, less than its size {n}, "
            "so Ax = b has either no solution or infinitely many (for a least-squares answer use lstsq or pinv)"
        )
    perm, L, U, _ = _lu(A)
    y = forward_substitution(L, b[perm], unit_diagonal=True)
    try:
        return back_substitution(U, y)
    except SingularMatrixError:
        raise SingularMatrixError("A is singular (to working precision): elimination leaves a zero pivot") from None


def det(A) -> float:
    r"""The determinant, from the elimination: :math:`\det A = (-1)^{s} \prod_k u_{kk}`.

    :math:`A = PLU` gives :math:`\det A = \det P \cdot \det L \cdot \det U`; ``L`` has ones on
    its diagonal, ``U`` is triangular (its determinant is the product of its diagonal), and
    each of the :math:`s` row swaps in ``P`` flips the sign. About :math:`\tfrac23 n^3`
    operations instead of the :math:`n!` terms of the cofactor expansion.
    """
    A = _square(A, "A")
    _, _, U, swaps = _lu(A)
    return float((-1) ** swaps * np.prod(np.diag(U)))


def inv(A) -> np.ndarray:
    r"""The inverse :math:`A^{-1}`, the matrix with :math:`AA^{-1} = A^{-1}A = I`.

    Column j of :math:`A^{-1}` solves :math:`Ax = e_j`, so this is :func:`solve` with the
    identity as right-hand side. Raises :class:`SingularMatrixError` for a singular ``A``.
    To solve :math:`Ax = b`, call :func:`solve` instead: it is cheaper and more accurate.
    """
    A = _square(A, "A")
    return solve(A, np.eye(len(A)))


def _default_tol(A: np.ndarray) -> float:
    """The size of rounding errors in eliminating ``A``: max(m, n) * eps * max |a_ij|."""
    return max(A.shape) * EPS * float(np.max(np.abs(A)))


def row_echelon(A, *, tol: float | None = None) -> tuple[np.ndarray, tuple[int, ...]]:
    r"""The reduced row echelon form ``R`` of ``A`` and its pivot columns.

    Forward elimination with partial pivoting, column by column; a column whose largest
    remaining entry is at most ``tol`` gets no pivot (it is a combination of the columns
    before it). Then each pivot row is scaled so its pivot is 1 and the entries above every
    pivot are eliminated. ``tol`` defaults to :math:`\max(m, n)\,\varepsilon\max_{ij}|a_{ij}|`,
    the size of rounding errors. Works for any ``(m, n)`` matrix; on small exact matrices it
    gives the same ``R`` and pivots as ``sympy.Matrix.rref``. To count pivots in floating
    point, :func:`rank` is more reliable.
    """
    A = _matrix(A, "A")
    m, n = A.shape
    tol = _default_tol(A) if tol is None else check_number(tol, "tol", low=0.0)
    R = A.astype(float).copy()
    pivots: list[int] = []
    row = 0
    for col in range(n):
        if row == m:
            break
        p = row + int(np.argmax(np.abs(R[row:, col])))
        if abs(R[p, col]) <= tol:
            R[row:, col] = 0.0  # only rounding errors are left in this column
            continue
        R[[row, p]] = R[[p, row]]
        factors = R[row + 1 :, col] / R[row, col]
        R[row + 1 :] -= np.outer(factors, R[row])
        R[row + 1 :, col] = 0.0
        pivots.append(col)
        row += 1
    R[row:] = 0.0
    for r in range(len(pivots) - 1, -1, -1):  # back phase: pivots to 1, zeros above them
        col = pivots[r]
        R[r] /= R[r, col]
        R[:r] -= np.outer(R[:r, col], R[r])
        R[:r, col] = 0.0
    return R + 0.0, tuple(pivots)  # + 0.0 turns any -0.0 into 0.0


def rank(A, *, tol: float | None = None) -> int:
    r"""The rank of ``A``: the number of linearly independent columns (equally, rows).

    Counted as the number of pivots of Gaussian elimination with *complete* pivoting: at
    step k the largest entry of the whole remaining block is moved (by a row and a column
    swap) to position (k, k) and eliminated below. When the largest remaining entry is at
    most ``tol`` (default :math:`\max(m, n)\,\varepsilon\max_{ij}|a_{ij}|`), what is left is
    rounding error and the rank is k. Choosing the largest entry of the block, not only of
    the column, keeps small but genuine pivots from amplifying rounding errors, which makes
    the count reliable. ``np.linalg.matrix_rank`` counts singular values above a tolerance
    instead; the two agree unless ``A`` is within rounding error of a matrix of lower rank.
    """
    A = _matrix(A, "A")
    tol = _default_tol(A) if tol is None else check_number(tol, "tol", low=0.0)
    R = A.astype(float).copy()
    m, n = R.shape
    k = 0
    while k < min(m, n):
        block = np.abs(R[k:, k:])
        i, j = np.unravel_index(int(np.argmax(block)), block.shape)
        if block[i, j] <= tol:
            break
        R[[k, k + i]] = R[[k + i, k]]
        R[:, [k, k + j]] = R[:, [k + j, k]]
        factors = R[k + 1 :, k] / R[k, k]
        R[k + 1 :, k:] -= np.outer(factors, R[k, k:])
        k += 1
    return k


# --- eigenvalues -------------------------------------------------------------------------


class PowerIterationResult(NamedTuple):
    """What :func:`power_iteration` found."""

    value: float  #: the dominant eigenvalue
    vector: np.ndarray  #: its unit eigenvector, largest-magnitude entry positive
    n_iter: int  #: the number of iterations run
    converged: bool  #: whether the residual fell below the tolerance
    history: np.ndarray  #: the eigenvalue estimate after each iteration


def power_iteration(A, *, max_iter: int = 1000, tol: float = 1e-10, rng=None) -> PowerIterationResult:
    r"""The dominant eigenvalue (largest in magnitude) of a square matrix and its eigenvector.

    Start from a random unit vector :math:`v_0` and repeat

    .. math:: v_{t+1} = \frac{A v_t}{\|A v_t\|_2}, \qquad \lambda_t = v_t^\top A v_t .

    Writing :math:`v_0` in the eigenvectors of ``A``, each multiplication scales the part
    along eigenvector i by :math:`\lambda_i`, so the error shrinks like
    :math:`|\lambda_2/\lambda_1|^t`. The loop stops when the residual
    :math:`\|Av - \lambda v\|_2 \le \mathrm{tol}\cdot|\lambda|`. If it does not stop within
    ``max_iter`` iterations (for example when :math:`\lambda` and :math:`-\lambda` are both
    dominant, or the dominant eigenvalues are a complex pair), a ``RuntimeWarning`` says so
    and ``converged`` is False.
    """
    A = _square(A, "A")
    max_iter = check_int(max_iter, "max_iter", low=1)
    tol = check_number(tol, "tol", low=0.0, low_inclusive=False)
    rng = as_rng(rng)
    n = len(A)
    v = rng.standard_normal(n)
    v /= np.linalg.norm(v)
    history = []
    value, converged = 0.0, False
    for _ in range(max_iter):
        w = A @ v
        value = float(v @ w)  # the Rayleigh quotient of the unit vector v
        history.append(value)
        residual = float(np.linalg.norm(w - value * v))
        if residual <= tol * abs(value) or not np.any(w):  # Av = 0: v is an eigenvector for 0
            converged = True
            break
        v = w / np.linalg.norm(w)
    if not converged:
        warnings.warn(
            f"power_iteration did not converge in {max_iter} iterations (residual {residual:.3g}); "
            "the dominant eigenvalue may not be unique in magnitude (lambda and -lambda, or a complex pair)",
            RuntimeWarning,
            stacklevel=2,
        )
    v = v * _flip_signs(v[None, :])[0]
    return PowerIterationResult(value, v, len(history), converged, np.array(history))


# --- covariance and distances ------------------------------------------------------------


def covariance_matrix(X, *, ddof: int = 1) -> np.ndarray:
    r"""The covariance matrix of data ``X`` of shape ``(n_examples, n_features)``.

    .. math:: \Sigma = \frac{1}{n - \mathrm{ddof}} (X - \bar x)^\top (X - \bar x),
       \qquad \Sigma_{jk} = \frac{1}{n-\mathrm{ddof}}\sum_i (x_{ij} - \bar x_j)(x_{ik} - \bar x_k).

    The diagonal holds the variances of the features, the off-diagonal entries their
    covariances. ``ddof=1`` (the default) gives the unbiased estimate, like ``np.cov``.
    """
    X = as_array(X, "X", ndim=2)
    ddof = check_int(ddof, "ddof", low=0)
    n = X.shape[0]
    if n <= ddof:
        raise ValueError(f"X needs more than ddof={ddof} examples (rows) for a covariance; got {n}")
    centred = X - X.mean(axis=0)
    return centred.T @ centred / (n - ddof)


def mahalanobis(x, mean, cov) -> float | np.ndarray:
    r"""The Mahalanobis distance of ``x`` from a distribution with ``mean`` and covariance ``cov``.

    .. math:: d_M(x) = \sqrt{(x - \mu)^\top \Sigma^{-1} (x - \mu)} .

    It is the Euclidean distance after the data are decorrelated and scaled to unit
    variance, so it counts "standard deviations away" along every direction. ``x`` is one
    point ``(d,)`` (returns a float) or a batch ``(n, d)`` (returns ``(n,)``). The linear
    system :math:`\Sigma z = x - \mu` is solved, never inverted; ``cov`` must be symmetric
    positive definite.
    """
    x = as_array(x, "x", ndim=(1, 2))
    mean = as_array(mean, "mean", ndim=1)
    cov = _square(cov, "cov")
    d = mean.shape[0]
    if x.shape[-1] != d or cov.shape[0] != d:
        raise ValueError(
            f"x, mean and cov do not fit: x has shape {x.shape}, mean {mean.shape} and cov {cov.shape}; "
            f"expected x of shape ({d},) or (n, {d}) and cov ({d}, {d})"
        )
    if not np.allclose(cov, cov.T, rtol=1e-10, atol=1e-12 * np.max(np.abs(cov))):
        raise ValueError("cov must be symmetric (a covariance matrix); it differs from its transpose")
    diff = np.atleast_2d(x) - mean
    try:
        z = solve(cov, diff.T)
    except SingularMatrixError:
        raise SingularMatrixError(
            "cov is singular: some direction has zero variance, so the Mahalanobis distance is undefined "
            "(drop redundant features, or add a small multiple of the identity to cov)"
        ) from None
    squared = np.einsum("ij,ji->i", diff, z)
    if np.any(squared < -1e-9 * np.maximum(1.0, np.einsum("ij,ij->i", diff, diff))):
        raise ValueError("cov must be positive definite: (x - mean)^T cov^-1 (x - mean) came out negative")
    distances = np.sqrt(np.maximum(squared, 0.0))
    return float(distances[0]) if x.ndim == 1 else distances


# --- comparing distributions -------------------------------------------------------------


def _log(base) -> float:
    if base is None:
        return 1.0
    base = check_number(base, "base", low=0.0, low_inclusive=False)
    if base == 1.0:
        raise ValueError("base must not be 1 (log base 1 is undefined); use 2 for bits or None for nats")
    return float(np.log(base))


def _pair(p, q) -> tuple[np.ndarray, np.ndarray]:
    p = check_probability_vector(p, "p")
    q = check_probability_vector(q, "q")
    if p.shape != q.shape:
        raise ValueError(f"p and q must have the same shape; got shapes {p.shape} and {q.shape}")
    return p, q


def _result(array: np.ndarray):
    return float(array) if np.ndim(array) == 0 else array


def entropy(p, *, base: float | None = None):
    r"""The entropy of a discrete distribution: :math:`H(p) = -\sum_i p_i \log p_i`.

    With the convention :math:`0 \log 0 = 0`. In nats by default, in bits with ``base=2``.
    ``p`` is one distribution ``(k,)`` or a batch ``(n, k)`` of them (one per row).
    """
    p = check_probability_vector(p, "p")
    terms = np.where(p > 0, -p * np.log(np.where(p > 0, p, 1.0)), 0.0)
    return _result(terms.sum(axis=-1) / _log(base))


def cross_entropy(p, q, *, base: float | None = None):
    r"""The cross-entropy :math:`H(p, q) = -\sum_i p_i \log q_i`.

    The average surprise of outcomes drawn from ``p`` under a model ``q``. It is infinite
    when ``q`` gives probability 0 to an outcome that ``p`` allows. With one-hot ``p`` it is
    :math:`-\log q_y`, the classification loss of a network that predicts ``q``.
    """
    p, q = _pair(p, q)
    with np.errstate(divide="ignore"):
        log_q = np.log(q)
    terms = np.where(p > 0, -p * log_q, 0.0)
    return _result(terms.sum(axis=-1) / _log(base))


def kl_divergence(p, q, *, base: float | None = None):
    r"""The Kullback–Leibler divergence :math:`D_{KL}(p\,\|\,q) = \sum_i p_i \log(p_i / q_i)`.

    Terms with :math:`p_i = 0` contribute 0; a term with :math:`p_i > 0 = q_i` makes the
    divergence infinite. It is never negative, zero only for ``p == q``, not symmetric, and
    equals :math:`H(p, q) - H(p)`. Same as ``scipy.special.rel_entr(p, q).sum()``.
    """
    p, q = _pair(p, q)
    positive = p > 0
    with np.errstate(divide="ignore"):
        ratio = np.where(positive, p / np.where(positive, q, 1.0), 1.0)
        terms = np.where(positive, p * np.log(ratio), 0.0)
    return _result(terms.sum(axis=-1) / _log(base))


# --- PCA and the SVD ---------------------------------------------------------------------


def svd(A) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""The thin singular value decomposition :math:`A = U \operatorname{diag}(s) V^\top`, with fixed signs.

    For ``A`` of shape ``(m, n)`` and :math:`r = \min(m, n)`: ``U`` is ``(m, r)`` with
    orthonormal columns, ``s`` holds the singular values :math:`s_1 \ge \dots \ge s_r \ge 0`,
    ``Vt`` is ``(r, n)`` with orthonormal rows. The decomposition is NumPy's (LAPACK); the
    pair :math:`(u_i, v_i)` can be replaced by :math:`(-u_i, -v_i)`, so each row of ``Vt`` is
    flipped to make its largest-magnitude entry positive, and ``U`` with it.
    """
    A = _matrix(A, "A")
    U, s, Vt = np.linalg.svd(A, full_matrices=False)
    signs = _flip_signs(Vt)
    return U * signs, s, Vt * signs[:, None]


def low_rank_approximation(A, k: int) -> np.ndarray:
    r"""The best rank-``k`` approximation of ``A``: keep the ``k`` largest singular values.

    .. math:: A_k = \sum_{i=1}^{k} s_i u_i v_i^\top .

    By the Eckart–Young theorem no matrix of rank at most k is closer to ``A``, in the
    Frobenius norm (:math:`\|A - A_k\|_F^2 = \sum_{i>k} s_i^2`) and in the spectral norm
    (:math:`\|A - A_k\|_2 = s_{k+1}`). Storing it takes :math:`k(m + n + 1)` numbers.
    """
    A = _matrix(A, "A")
    k = check_int(k, "k", low=1, high=min(A.shape))
    U, s, Vt = np.linalg.svd(A, full_matrices=False)
    return (U[:, :k] * s[:k]) @ Vt[:k]


def pinv(A, *, rtol: float | None = None) -> np.ndarray:
    r"""The Moore–Penrose pseudoinverse :math:`A^+ = V \operatorname{diag}(s^+) U^\top`.

    Invert the singular values that are larger than ``rtol`` times the largest one and set
    the others to zero: :math:`s_i^+ = 1/s_i` or 0. For an invertible matrix
    :math:`A^+ = A^{-1}`; for any matrix, :math:`A^+ b` is the least-squares solution of
    :math:`Ax \approx b` of smallest norm. ``rtol`` defaults to :math:`\max(m, n)\,\varepsilon`,
    as in ``scipy.linalg.pinv``.
    """
    A = _matrix(A, "A")
    rtol = max(A.shape) * EPS if rtol is None else check_number(rtol, "rtol", low=0.0)
    U, s, Vt = np.linalg.svd(A, full_matrices=False)
    cutoff = rtol * (s[0] if s.size else 0.0)
    keep = s > cutoff
    s_plus = np.zeros_like(s)
    s_plus[keep] = 1.0 / s[keep]
    return (Vt.T * s_plus) @ U.T


def lstsq(A, b, *, rtol: float | None = None) -> np.ndarray:
    r"""The least-squares solution of :math:`Ax \approx b`: :math:`x = A^+ b`.

    Among all x that minimise :math:`\|Ax - b\|_2`, the one with the smallest
    :math:`\|x\|_2` (unique even when the columns of ``A`` are dependent). ``b`` may be
    ``(m,)`` or ``(m, k)``. Same answer as ``np.linalg.lstsq``.
    """
    A = _matrix(A, "A")
    b = _right_hand_side(b, A)
    return pinv(A, rtol=rtol) @ b


@dataclass(frozen=True)
class PCAResult:
    """A fitted principal component analysis (returned by :func:`pca`)."""

    components: np.ndarray  #: (k, d): the principal directions, one unit vector per row
    explained_variance: np.ndarray  #: (k,): the variance of the data along each direction
    explained_variance_ratio: np.ndarray  #: (k,): that variance as a fraction of the total
    singular_values: np.ndarray  #: (k,): the singular values of the centred data
    mean: np.ndarray  #: (d,): the mean that was subtracted

    def transform(self, X) -> np.ndarray:
        r"""Coordinates of ``X`` ``(n, d)`` along the components: :math:`Z = (X - \bar x) W^\top`."""
        X = as_array(X, "X", ndim=2)
        if X.shape[1] != self.mean.shape[0]:
            raise ValueError(f"X must have {self.mean.shape[0]} features (columns), like the data PCA was fitted on; got shape {X.shape}")
        return (X - self.mean) @ self.components.T

    def inverse_transform(self, Z) -> np.ndarray:
        r"""Back from coordinates ``Z`` ``(n, k)`` to the data space: :math:`\hat X = Z W + \bar x`."""
        Z = as_array(Z, "Z", ndim=2)
        if Z.shape[1] != self.components.shape[0]:
            raise ValueError(f"Z must have {self.components.shape[0]} columns, one per component; got shape {Z.shape}")
        return Z @ self.components + self.mean


def pca(X, n_components: int | None = None, *, method: str = "svd") -> PCAResult:
    r"""Principal component analysis of data ``X`` of shape ``(n_examples, n_features)``.

    Centre the data, :math:`X_c = X - \bar x`. The principal directions are the eigenvectors
    of the covariance matrix :math:`\Sigma = X_c^\top X_c/(n-1)`, ordered by their
    eigenvalues, which are the variances of the data along them:
    :math:`\Sigma = W^\top \Lambda W`. Two routes, chosen by ``method``:

    * ``"eig"``: build :math:`\Sigma` and decompose it (``np.linalg.eigh``);
    * ``"svd"``: decompose the centred data, :math:`X_c = U S V^\top`; then
      :math:`\Sigma = V \frac{S^2}{n-1} V^\top`, so the directions are the rows of
      :math:`V^\top` and the variances are :math:`s_i^2/(n-1)`. More accurate, because
      :math:`\Sigma` is never formed.

    Keeps the first ``n_components`` (all by default). Each component's largest-magnitude
    entry is made positive, like ``sklearn.decomposition.PCA``.
    """
    X = as_array(X, "X", ndim=2)
    n, d = X.shape
    if n < 2:
        raise ValueError(f"X needs at least 2 examples (rows) for a PCA; got shape {X.shape}")
    k = min(n, d) if n_components is None else check_int(n_components, "n_components", low=1, high=min(n, d))
    if method not in ("svd", "eig"):
        raise ValueError(f"method must be 'svd' or 'eig'; got {method!r}")
    mean = X.mean(axis=0)
    centred = X - mean
    if method == "eig":
        values, vectors = np.linalg.eigh(centred.T @ centred / (n - 1))
        order = np.argsort(values)[::-1]  # eigh sorts ascending; we want the largest first
        variances = np.maximum(values[order], 0.0)  # rounding can leave tiny negatives
        directions = vectors[:, order].T
    else:
        _, s, Vt = np.linalg.svd(centred, full_matrices=False)
        variances = s**2 / (n - 1)
        directions = Vt
    total = variances.sum()  # the total variance, the trace of the covariance matrix
    directions = directions[:k] * _flip_signs(directions[:k])[:, None]
    variances = variances[:k]
    ratio = variances / total if total > 0 else np.zeros_like(variances)
    return PCAResult(
        components=directions,
        explained_variance=variances,
        explained_variance_ratio=ratio,
        singular_values=np.sqrt(variances * (n - 1)),
        mean=mean,
    )
