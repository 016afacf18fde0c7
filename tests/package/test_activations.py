"""dlmath.activations: values against SciPy and NumPy, derivatives against finite differences
and SymPy (PyTorch autograd as an optional cross-check), stability for large inputs, bad input."""

import numpy as np
import pytest
import scipy.special
import sympy as sp

from dlmath import activations as act
from dlmath import calculus

X = sp.Symbol("x", real=True)
SMOOTH = {  # name: (function, derivative, SymPy expression of the function)
    "sigmoid": (act.sigmoid, act.sigmoid_derivative, 1 / (1 + sp.exp(-X))),
    "tanh": (act.tanh, act.tanh_derivative, sp.tanh(X)),
    "softplus": (act.softplus, act.softplus_derivative, sp.log(1 + sp.exp(X))),
}
PIECEWISE = {  # name: (function, derivative, slope for x > 0, slope for x < 0)
    "relu": (act.relu, act.relu_derivative, 1.0, 0.0),
    "leaky_relu": (act.leaky_relu, act.leaky_relu_derivative, 1.0, 0.01),
}
ALL = {**{k: v[:2] for k, v in SMOOTH.items()}, **{k: v[:2] for k, v in PIECEWISE.items()}}
HUGE = np.array([-1e300, -1e4, -745.0, -710.0, -50.0, 0.0, 50.0, 710.0, 1e4, 1e300])


@pytest.fixture
def rng():
    return np.random.default_rng(7)


# --- values -----------------------------------------------------------------------------


def test_values_match_reference_libraries(rng):
    x = np.concatenate([rng.normal(scale=4, size=200), rng.uniform(-40, 40, size=50), [0.0]])
    np.testing.assert_allclose(act.sigmoid(x), scipy.special.expit(x), rtol=1e-14, atol=1e-300)
    np.testing.assert_allclose(act.tanh(x), np.tanh(x), rtol=1e-15)
    np.testing.assert_array_equal(act.relu(x), np.maximum(x, 0))
    np.testing.assert_allclose(act.leaky_relu(x, alpha=0.2), np.where(x > 0, x, 0.2 * x), rtol=1e-15)
    # softplus(x) = log(1 + e^x) = -log(sigmoid(-x)), which SciPy computes as -log_expit(-x)
    np.testing.assert_allclose(act.softplus(x), -scipy.special.log_expit(-x), rtol=1e-13)


def test_softmax_and_log_softmax_match_scipy(rng):
    for shape, axis in [((5,), -1), ((4, 6), -1), ((4, 6), 0), ((2, 3, 4), 1), ((2, 3, 4, 2), 2)]:
        z = rng.normal(scale=5, size=shape)
        np.testing.assert_allclose(act.softmax(z, axis=axis), scipy.special.softmax(z, axis=axis), rtol=1e-13)
        np.testing.assert_allclose(act.log_softmax(z, axis=axis), scipy.special.log_softmax(z, axis=axis), rtol=1e-12, atol=1e-13)
        np.testing.assert_allclose(act.softmax(z, axis=axis).sum(axis=axis), 1.0, rtol=1e-14)


def test_scalars_give_floats_and_arrays_keep_their_shape(rng):
    for name, (f, df) in ALL.items():
        assert isinstance(f(0.3), float) and isinstance(df(0.3), float), name
        x = rng.normal(size=(3, 4))
        assert f(x).shape == (3, 4) and df(x).shape == (3, 4), name
    assert act.sigmoid(0.0) == 0.5 and act.sigmoid_derivative(0.0) == 0.25


def test_identities_used_in_chapter_7(rng):
    x = rng.normal(scale=3, size=100)
    s = act.sigmoid(x)
    np.testing.assert_allclose(act.sigmoid(-x), 1 - s, atol=1e-15)  # symmetry
    np.testing.assert_allclose(act.tanh(x), 2 * act.sigmoid(2 * x) - 1, atol=1e-15)
    np.testing.assert_allclose(act.softplus(x) - act.softplus(-x), x, atol=1e-13)
    np.testing.assert_allclose(act.softplus_derivative(x), s)
    np.testing.assert_allclose(act.relu(x) - act.relu(-x), x)
    # the largest slope of the sigmoid is 1/4, at 0; of tanh 1, at 0
    grid = np.linspace(-10, 10, 20001)
    assert act.sigmoid_derivative(grid).max() == 0.25 and grid[np.argmax(act.sigmoid_derivative(grid))] == 0
    assert act.tanh_derivative(grid).max() == 1.0


# --- derivatives -------------------------------------------------------------------------


@pytest.mark.parametrize("name", SMOOTH)
def test_smooth_derivatives_match_sympy_and_finite_differences(name, rng):
    f, df, expr = SMOOTH[name]
    reference = sp.lambdify(X, sp.diff(expr, X), "numpy")
    x = rng.uniform(-8, 8, size=200)
    np.testing.assert_allclose(df(x), reference(x), rtol=1e-12, atol=1e-15)
    # central differences are accurate to ~1e-10 here (see test_calculus.py for the error budget)
    np.testing.assert_allclose(df(x), calculus.derivative(f, x), rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("name", PIECEWISE)
def test_piecewise_linear_derivatives_away_from_zero(name, rng):
    f, df, right, left = PIECEWISE[name]
    x = rng.uniform(0.01, 5, size=100) * rng.choice([-1, 1], size=100)
    np.testing.assert_allclose(df(x), np.where(x > 0, right, left))
    np.testing.assert_allclose(df(x), calculus.derivative(f, x, h=1e-4), atol=1e-10)


def test_kink_at_zero():
    """ReLU has no derivative at 0: the one-sided slopes differ; the code uses the left one."""
    assert calculus.derivative(act.relu, 0.0, h=1e-6, method="forward") == pytest.approx(1.0)
    assert calculus.derivative(act.relu, 0.0, h=1e-6, method="backward") == 0.0
    assert act.relu_derivative(0.0) == 0.0
    assert act.leaky_relu_derivative(0.0, alpha=0.1) == 0.1
    np.testing.assert_allclose(act.leaky_relu_derivative([-2.0, 3.0], alpha=0.3), [0.3, 1.0])


def test_softmax_jacobian(rng):
    for _ in range(10):
        z = rng.normal(scale=3, size=6)
        J = act.softmax_jacobian(z)
        np.testing.assert_allclose(J, calculus.jacobian(act.softmax, z), atol=1e-9)
        s = scipy.special.softmax(z)
        np.testing.assert_allclose(J, np.diag(s) - np.outer(s, s), atol=1e-15)
        np.testing.assert_allclose(J.sum(axis=0), 0, atol=1e-15)
        np.testing.assert_allclose(J, J.T)
    batch = rng.normal(size=(4, 3))
    stacked = np.stack([act.softmax_jacobian(row) for row in batch])
    np.testing.assert_allclose(act.softmax_jacobian(batch), stacked, atol=1e-16)


def test_log_softmax_gradient_is_one_hot_minus_softmax(rng):
    """d(-log softmax(z)_k)/dz = softmax(z) - e_k: the gradient of cross-entropy (Chapter 10)."""
    for k in range(4):
        z = rng.normal(size=4)
        loss = lambda v: -act.log_softmax(v)[k]  # noqa: E731
        np.testing.assert_allclose(calculus.gradient(loss, z), act.softmax(z) - np.eye(4)[k], atol=1e-9)


# --- stability -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(ALL))
def test_no_overflow_or_nan_for_huge_inputs(name):
    f, df = ALL[name]
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        values, slopes = f(HUGE), df(HUGE)
    assert np.isfinite(values).all() and np.isfinite(slopes).all()


def test_limits_for_huge_inputs():
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        np.testing.assert_array_equal(act.sigmoid([-1e300, 1e300]), [0.0, 1.0])
        np.testing.assert_array_equal(act.tanh([-1e4, 1e4]), [-1.0, 1.0])
        np.testing.assert_array_equal(act.sigmoid_derivative([-1e4, 1e4]), [0.0, 0.0])
        assert act.softplus(1e4) == 1e4 and act.softplus(-1e4) == 0.0
        np.testing.assert_allclose(act.softmax([1000.0, 1000.0, -1000.0]), [0.5, 0.5, 0.0])
        np.testing.assert_allclose(act.log_softmax([1000.0, 0.0]), [0.0, -1000.0])
        assert np.isfinite(act.softmax_jacobian([1e4, -1e4, 0.0])).all()


# --- PyTorch (optional) ---------------------------------------------------------------------


def test_matches_torch_autograd(rng):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    x = np.concatenate([rng.normal(scale=4, size=100), [0.0, -0.0]])
    pairs = {
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
        "relu": torch.relu,
        "leaky_relu": lambda t: F.leaky_relu(t, 0.01),
        "softplus": lambda t: F.softplus(t, threshold=1000),
    }
    for name, torch_f in pairs.items():
        f, df = ALL[name]
        t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        y = torch_f(t)
        y.sum().backward()
        np.testing.assert_allclose(f(x), y.detach().numpy(), rtol=1e-12, atol=1e-15, err_msg=name)
        np.testing.assert_allclose(df(x), t.grad.numpy(), rtol=1e-12, atol=1e-15, err_msg=name)
    z = rng.normal(size=(3, 5))
    zt = torch.tensor(z, dtype=torch.float64)
    np.testing.assert_allclose(act.softmax(z), torch.softmax(zt, dim=-1).numpy(), rtol=1e-12)
    np.testing.assert_allclose(act.log_softmax(z), torch.log_softmax(zt, dim=-1).numpy(), rtol=1e-12)
    J = torch.autograd.functional.jacobian(lambda v: torch.softmax(v, dim=0), zt[0]).numpy()
    np.testing.assert_allclose(act.softmax_jacobian(z[0]), J, atol=1e-15)


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(ALL))
def test_bad_input(name):
    f, df = ALL[name]
    for function in (f, df):
        with pytest.raises(ValueError, match="x must contain only finite numbers; found 1 NaN"):
            function([0.0, np.nan])
        with pytest.raises(ValueError, match="infinite"):
            function(np.inf)
        with pytest.raises(TypeError, match="x must be numbers"):
            function("0.5")
        with pytest.raises(TypeError, match="x must contain numbers"):
            function([{"a": 1}])
        with pytest.raises(ValueError, match="x must not be empty"):
            function([])


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: act.leaky_relu(1.0, alpha=-0.1), ValueError, "alpha must be at least 0"),
        (lambda: act.leaky_relu_derivative(1.0, alpha="big"), TypeError, "alpha must be a real number"),
        (lambda: act.softmax(1.0), ValueError, "z must be a 1-D or 2-D"),
        (lambda: act.softmax([1.0, 2.0], axis=1), ValueError, "axis must be between -1 and 0"),
        (lambda: act.log_softmax([[1.0, 2.0]], axis=-3), ValueError, "axis must be between -2 and 1"),
        (lambda: act.softmax([1.0, 2.0], axis=0.5), TypeError, "axis must be an integer"),
        (lambda: act.softmax([1.0, np.nan]), ValueError, "z must contain only finite"),
        (lambda: act.softmax_jacobian(np.ones((2, 2, 2))), ValueError, "z must be a 1-D or 2-D array"),
        (lambda: act.log_softmax("abc"), TypeError, "z must be numbers"),
    ],
)
def test_bad_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call()
