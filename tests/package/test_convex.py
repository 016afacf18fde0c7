"""dlmath.convex: the logistic loss, gradient and Hessian against scikit-learn, SciPy and finite
differences; the constants mu, L and kappa against eigenvalue routines; the chord test; the rate
fit; PyTorch autograd when it is installed; and bad input."""

import math

import numpy as np
import pytest
from scipy.special import expit
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss

from dlmath import calculus, convex, optim

SEEDS = range(8)


def problem(seed, n=None, d=None, soft=False):
    """A random logistic-regression problem: data X, labels y, weights w and a penalty."""
    rng = np.random.default_rng(seed)
    n = n or int(rng.integers(5, 40))
    d = d or int(rng.integers(1, 6))
    X = rng.normal(size=(n, d)) * rng.uniform(0.3, 3, size=d)
    y = rng.uniform(size=n) if soft else (rng.uniform(size=n) < 0.5).astype(float)
    w = rng.normal(size=d)
    l2 = float(rng.choice([0.0, 0.01, 0.5]))
    return X, y, w, l2


# --- the logistic loss, its gradient and its Hessian ------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_logistic_loss_matches_scikit_learn(seed):
    X, y, w, l2 = problem(seed)
    probabilities = expit(X @ w)
    expected = log_loss(y, probabilities, labels=[0, 1]) + 0.5 * l2 * w @ w
    assert convex.logistic_loss(w, X, y, l2=l2) == pytest.approx(expected, rel=1e-10)


@pytest.mark.parametrize("seed", SEEDS)
def test_logistic_loss_is_the_cross_entropy_for_soft_labels(seed):
    X, y, w, l2 = problem(seed, soft=True)
    p = expit(X @ w)
    expected = -np.mean(y * np.log(p) + (1 - y) * np.log1p(-p)) + 0.5 * l2 * w @ w
    assert convex.logistic_loss(w, X, y, l2=l2) == pytest.approx(expected, rel=1e-10)


def test_logistic_loss_does_not_overflow_for_huge_scores():
    X = np.array([[1.0], [1.0]])
    y = np.array([1.0, 0.0])
    # scores +-1000: the example with y = 1 costs ~0, the one with y = 0 costs ~1000
    assert convex.logistic_loss([1000.0], X, y) == pytest.approx(500.0)
    assert np.isfinite(convex.logistic_gradient([1000.0], X, y)).all()
    assert np.isfinite(convex.logistic_hessian([1000.0], X, y)).all()


@pytest.mark.parametrize("seed", SEEDS)
def test_logistic_gradient_matches_finite_differences(seed):
    X, y, w, l2 = problem(seed)
    numerical = calculus.gradient(lambda v: convex.logistic_loss(v, X, y, l2=l2), w)
    np.testing.assert_allclose(convex.logistic_gradient(w, X, y, l2=l2), numerical, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("seed", SEEDS)
def test_logistic_hessian_matches_finite_differences(seed):
    X, y, w, l2 = problem(seed)
    of_loss = calculus.hessian(lambda v: convex.logistic_loss(v, X, y, l2=l2), w)
    of_gradient = calculus.jacobian(lambda v: convex.logistic_gradient(v, X, y, l2=l2), w)
    exact = convex.logistic_hessian(w, X, y, l2=l2)
    np.testing.assert_allclose(exact, of_gradient, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(exact, of_loss, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("seed", SEEDS)
def test_logistic_hessian_is_positive_semidefinite_and_below_L(seed):
    X, y, w, l2 = problem(seed)
    constants = convex.logistic_constants(X, l2=l2)
    for scale in (0.0, 1.0, 10.0):
        eigenvalues = np.linalg.eigvalsh(convex.logistic_hessian(scale * w, X, y, l2=l2))
        assert eigenvalues[0] >= l2 - 1e-12
        assert eigenvalues[-1] <= constants.L * (1 + 1e-12)
    # at w = 0 every p(1 - p) equals 1/4, so the bound L is attained there
    top = np.linalg.eigvalsh(convex.logistic_hessian(np.zeros_like(w), X, y, l2=l2))[-1]
    assert top == pytest.approx(constants.L, rel=1e-12)


@pytest.mark.parametrize("seed", range(4))
def test_gradient_vanishes_at_scikit_learns_minimizer(seed):
    # scikit-learn minimises C * sum(log-loss) + |w|^2 / 2; ours is mean(log-loss) + l2 |w|^2 / 2,
    # the same problem scaled by 1/(n C) when C = 1 / (n l2)
    X, y, _, _ = problem(seed, n=60, d=4)
    l2 = 0.05
    model = LogisticRegression(C=1 / (len(X) * l2), fit_intercept=False, tol=1e-12, max_iter=10_000)
    model.fit(X, y)
    w_star = model.coef_.ravel()
    assert np.linalg.norm(convex.logistic_gradient(w_star, X, y, l2=l2)) < 1e-7
    # and gradient descent with step 1/L from 0 converges to the same point
    constants = convex.logistic_constants(X, l2=l2)
    path = optim.gradient_descent(lambda w: convex.logistic_gradient(w, X, y, l2=l2), np.zeros(4), lr=1 / constants.L, steps=3000)
    np.testing.assert_allclose(path[-1], w_star, atol=1e-6)


def test_logistic_against_pytorch_autograd():
    torch = pytest.importorskip("torch")
    for seed in SEEDS:
        X, y, w, l2 = problem(seed)
        Xt, yt = torch.tensor(X), torch.tensor(y)

        def loss(v):
            z = Xt @ v
            return torch.nn.functional.binary_cross_entropy_with_logits(z, yt) + 0.5 * l2 * v @ v

        wt = torch.tensor(w, requires_grad=True)
        value = loss(wt)
        value.backward()
        assert convex.logistic_loss(w, X, y, l2=l2) == pytest.approx(value.item(), rel=1e-10)
        np.testing.assert_allclose(convex.logistic_gradient(w, X, y, l2=l2), wt.grad.numpy(), rtol=1e-9, atol=1e-12)
        hessian = torch.autograd.functional.hessian(loss, torch.tensor(w)).numpy()
        np.testing.assert_allclose(convex.logistic_hessian(w, X, y, l2=l2), hessian, rtol=1e-9, atol=1e-12)


# --- the constants ------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_quadratic_constants_are_the_extreme_eigenvalues(seed):
    rng = np.random.default_rng(seed)
    B = rng.normal(size=(5, 5))
    A = B @ B.T + 0.1 * np.eye(5)
    singular_values = np.linalg.svd(A, compute_uv=False)  # = eigenvalues for a symmetric PD matrix
    mu, L, kappa = convex.quadratic_constants(A)
    assert mu == pytest.approx(singular_values[-1], rel=1e-10)
    assert L == pytest.approx(singular_values[0], rel=1e-10)
    assert kappa == pytest.approx(np.linalg.cond(A), rel=1e-8)


def test_quadratic_constants_of_a_singular_matrix_give_infinite_kappa():
    constants = convex.quadratic_constants([[1.0, 1.0], [1.0, 1.0]])
    assert constants.mu == 0.0 and constants.L == pytest.approx(2.0) and constants.kappa == math.inf


@pytest.mark.parametrize("seed", SEEDS)
def test_gradient_descent_contracts_at_the_predicted_rate(seed):
    # on a quadratic with step 1/L the slowest direction shrinks by exactly 1 - mu/L per step
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.normal(size=(4, 4)))
    eigenvalues = np.array([0.05, 0.3, 0.6, 1.0]) * rng.uniform(1, 5)
    A = (Q * eigenvalues) @ Q.T
    mu, L, kappa = convex.quadratic_constants(A)
    path = optim.gradient_descent(lambda w: A @ w, rng.normal(size=4), lr=1 / L, steps=400)
    distances = np.linalg.norm(path, axis=1)
    assert np.all(distances[1:] <= (1 - 1 / kappa) * distances[:-1] * (1 + 1e-12))
    assert convex.observed_rate(distances[200:]) == pytest.approx(1 - 1 / kappa, rel=1e-6)


@pytest.mark.parametrize("seed", SEEDS)
def test_logistic_constants(seed):
    X, _, _, _ = problem(seed)
    l2 = 0.1
    constants = convex.logistic_constants(X, l2=l2)
    assert constants.L == pytest.approx(np.linalg.norm(X, 2) ** 2 / (4 * len(X)) + l2, rel=1e-10)
    assert constants.mu == l2
    assert constants.kappa == pytest.approx(constants.L / l2)
    assert convex.logistic_constants(X).kappa == math.inf


# --- the chord test -----------------------------------------------------------------------------


def test_chord_gap_by_hand():
    assert convex.chord_gap(lambda x: x**2, 0.0, 2.0, 0.5) == pytest.approx(-1.0)
    # e^x between 0 and 2 at t = 1/2: e - (1 + e^2) / 2
    assert convex.chord_gap(np.exp, 0.0, 2.0, 0.5) == pytest.approx(math.e - (1 + math.e**2) / 2)
    np.testing.assert_allclose(convex.chord_gap(np.sin, 0.0, math.pi, [0.0, 0.5, 1.0]), [0.0, 1.0, 0.0], atol=1e-15)


@pytest.mark.parametrize("seed", SEEDS)
def test_chord_gap_sign_tells_convex_from_concave(seed):
    X, y, _, l2 = problem(seed)
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=(2, X.shape[1])) * 3
    t = np.linspace(0, 1, 11)
    assert np.all(convex.chord_gap(lambda w: convex.logistic_loss(w, X, y, l2=l2), a, b, t) <= 1e-12)
    assert np.all(convex.chord_gap(np.linalg.norm, a, b, t) <= 1e-12)
    assert np.all(convex.chord_gap(lambda w: -np.linalg.norm(w) ** 2, a, b, t[1:-1]) > 0)


# --- the rate fit -------------------------------------------------------------------------------


@pytest.mark.parametrize("rate", [0.1, 0.5, 0.9, 0.999])
def test_observed_rate_of_a_geometric_sequence(rate):
    k = np.arange(50)
    assert convex.observed_rate(7.0 * rate**k) == pytest.approx(rate, rel=1e-10)
    # noise that is not growing or shrinking does not bias the fitted rate much
    noisy = 7.0 * rate**k * np.exp(np.random.default_rng(0).normal(scale=0.01, size=50))
    assert convex.observed_rate(noisy) == pytest.approx(rate, rel=1e-3)


# --- bad input ----------------------------------------------------------------------------------


def test_bad_input_to_logistic_functions():
    X = np.ones((4, 2))
    y = np.array([0.0, 1.0, 1.0, 0.0])
    w = np.zeros(2)
    for function in (convex.logistic_loss, convex.logistic_gradient, convex.logistic_hessian):
        with pytest.raises(ValueError, match="w must have one entry per column of X"):
            function(np.zeros(3), X, y)
        with pytest.raises(ValueError, match="X and y must have the same length"):
            function(w, X, y[:3])
        with pytest.raises(ValueError, match="y must hold labels 0 and 1"):
            function(w, X, [0, 1, 2, 0])
        with pytest.raises(ValueError, match="l2 must be at least 0"):
            function(w, X, y, l2=-0.1)
        with pytest.raises(ValueError, match="X must be a 2-D array"):
            function(w, np.ones(4), y)
        with pytest.raises(ValueError, match="X must contain only finite numbers"):
            function(w, np.array([[1.0, np.nan]] * 4), y)
        with pytest.raises(TypeError, match="w must contain numbers"):
            function(["a", "b"], X, y)


def test_bad_input_to_constants():
    with pytest.raises(ValueError, match="A must be a square matrix"):
        convex.quadratic_constants(np.ones((2, 3)))
    with pytest.raises(ValueError, match="A must be symmetric"):
        convex.quadratic_constants([[1.0, 2.0], [0.0, 1.0]])
    with pytest.raises(ValueError, match="positive semidefinite.*smallest eigenvalue is -1"):
        convex.quadratic_constants([[1.0, 0.0], [0.0, -1.0]])
    with pytest.raises(ValueError, match="X must be a 2-D array"):
        convex.logistic_constants([1.0, 2.0])
    with pytest.raises(ValueError, match="l2 must be at least 0"):
        convex.logistic_constants(np.ones((3, 2)), l2=-1)


def test_bad_input_to_chord_gap_and_observed_rate():
    with pytest.raises(TypeError, match="f must be a function"):
        convex.chord_gap(3.0, 0.0, 1.0, 0.5)
    with pytest.raises(ValueError, match="x and y must have the same shape"):
        convex.chord_gap(np.linalg.norm, [0.0, 1.0], [1.0], 0.5)
    with pytest.raises(ValueError, match=r"t must lie in \[0, 1\]"):
        convex.chord_gap(np.exp, 0.0, 1.0, [0.5, 1.5])
    with pytest.raises(ValueError, match="f must return a single number"):
        convex.chord_gap(lambda x: np.array([x, x]), 0.0, 1.0, 0.5)
    with pytest.raises(ValueError, match="f returned nan at y"):
        convex.chord_gap(np.log, 1.0, -1.0, 0.5)
    with pytest.raises(ValueError, match="errors must be positive"):
        convex.observed_rate([1.0, 0.5, 0.0])
    with pytest.raises(ValueError, match="at least 2 values"):
        convex.observed_rate([1.0])
