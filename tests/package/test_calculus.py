"""dlmath.calculus: finite-difference derivatives against SymPy, SciPy and the matrix-calculus
identities of Chapter 8; Newton's method on known roots; and bad input.

Tolerances follow from the step sizes. A central difference with the default step
h = eps^(1/3) max(1, |x|) ~ 6e-6 max(1, |x|) has a truncation error h^2 |f'''| / 6 ~ 6e-12 |f'''|
(times max(1,|x|)^2) and a round-off error ~ eps |f| / h ~ 4e-11 |f|; for the functions below
(|f|, |f'''| below ~100 on the test intervals) that is below 1e-8, so we allow 1e-7.
A second difference with h = eps^(1/4) ~ 1.2e-4 has truncation h^2 |f''''| / 12 ~ 1.2e-9 |f''''|
and round-off ~ 4 eps |f| / h^2 ~ 6e-8 |f|: we allow 1e-5 (absolute) on functions of size ~10.
A forward difference with h = eps^(1/2) ~ 1.5e-8 has truncation h |f''| / 2 ~ 7e-9 |f''| and
round-off ~ 2 eps |f| / h ~ 3e-8 |f|: we allow 1e-5.
"""

import numpy as np
import pytest
import scipy.optimize
import scipy.special
import sympy as sp

from dlmath import activations, calculus

X = sp.Symbol("x")
#: Functions of one variable and the interval on which they are tested (SymPy expressions).
ONE_VARIABLE = [
    (sp.sin(X) * sp.exp(X), (-3, 3)),
    (sp.log(1 + X**2), (-3, 3)),
    (X**5 - 3 * X**2 + 1, (-2, 2)),
    (sp.tanh(X), (-4, 4)),
    (1 / (1 + sp.exp(-X)), (-6, 6)),
    (sp.sqrt(X**2 + 1), (-5, 5)),
    (sp.atan(X), (-5, 5)),
    (sp.cos(3 * X) / (2 + sp.sin(X)), (-3, 3)),
    (sp.log(X), (0.5, 10)),
    (X * sp.exp(-(X**2) / 2), (-3, 3)),
]
IDS = [str(expr) for expr, _ in ONE_VARIABLE]


def lambdified(expr, order=0):
    return sp.lambdify(X, sp.diff(expr, X, order) if order else expr, "numpy")


@pytest.fixture
def rng():
    return np.random.default_rng(2024)


# --- one variable ---------------------------------------------------------------------------


@pytest.mark.parametrize(("expr", "interval"), ONE_VARIABLE, ids=IDS)
def test_central_difference_matches_sympy(expr, interval, rng):
    f, df = lambdified(expr), lambdified(expr, 1)
    x = rng.uniform(*interval, size=40)
    np.testing.assert_allclose(calculus.derivative(f, x), df(x), rtol=1e-7, atol=1e-7)


@pytest.mark.parametrize(("expr", "interval"), ONE_VARIABLE, ids=IDS)
def test_one_sided_differences_match_sympy_less_accurately(expr, interval, rng):
    f, df = lambdified(expr), lambdified(expr, 1)
    x = rng.uniform(*interval, size=20)
    for method in ("forward", "backward"):
        np.testing.assert_allclose(calculus.derivative(f, x, method=method), df(x), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize(("expr", "interval"), ONE_VARIABLE, ids=IDS)
def test_second_derivative_matches_sympy(expr, interval, rng):
    f, d2f = lambdified(expr), lambdified(expr, 2)
    x = rng.uniform(*interval, size=20)
    np.testing.assert_allclose(calculus.second_derivative(f, x), d2f(x), rtol=1e-5, atol=1e-5)


def test_array_input_gives_the_same_as_one_point_at_a_time(rng):
    x = rng.normal(size=7)
    together = calculus.derivative(np.sin, x)
    one_by_one = [calculus.derivative(np.sin, float(v)) for v in x]
    assert together.shape == (7,)
    np.testing.assert_allclose(together, one_by_one, rtol=0, atol=1e-15)
    assert isinstance(calculus.derivative(np.sin, 0.5), float)


def test_central_difference_error_shrinks_like_h_squared():
    """Halving h divides the central-difference error by about 4 (while truncation dominates)."""
    exact = np.cos(1.0)
    errors = [abs(calculus.derivative(np.sin, 1.0, h=h) - exact) for h in (1e-2, 5e-3, 2.5e-3)]
    assert 3.9 < errors[0] / errors[1] < 4.1 and 3.9 < errors[1] / errors[2] < 4.1
    forward = [abs(calculus.derivative(np.sin, 1.0, h=h, method="forward") - exact) for h in (1e-3, 5e-4)]
    assert 1.9 < forward[0] / forward[1] < 2.1


def test_default_steps():
    eps = np.finfo(float).eps
    assert calculus.default_step(0.5) == pytest.approx(eps ** (1 / 3))
    assert calculus.default_step(-100.0) == pytest.approx(100 * eps ** (1 / 3))
    assert calculus.default_step(3.0, "forward") == pytest.approx(3 * eps**0.5)
    assert calculus.default_step(0.0, "second") == pytest.approx(eps**0.25)
    np.testing.assert_allclose(calculus.default_step([0.0, 10.0]), [eps ** (1 / 3), 10 * eps ** (1 / 3)])


# --- several variables: the identities of Chapter 8 ------------------------------------------


@pytest.mark.parametrize("n", [1, 2, 3, 5, 8])
def test_gradient_identities(n, rng):
    for _ in range(5):
        a, x = rng.normal(size=n), rng.normal(size=n)
        A = rng.normal(size=(n, n))
        np.testing.assert_allclose(calculus.gradient(lambda v: a @ v, x), a, atol=1e-9)
        np.testing.assert_allclose(calculus.gradient(lambda v: v @ A @ v, x), (A + A.T) @ x, atol=1e-8)
        np.testing.assert_allclose(calculus.gradient(lambda v: v @ v, x), 2 * x, atol=1e-9)
        np.testing.assert_allclose(calculus.gradient(lambda v: np.sqrt(v @ v), x), x / np.linalg.norm(x), atol=1e-8)


def test_gradient_matches_sympy_in_three_variables(rng):
    x, y, z = sp.symbols("x y z")
    expr = x * y * sp.exp(z) + sp.sin(x * z) - sp.log(1 + y**2) * z**2
    f = sp.lambdify([(x, y, z)], expr, "numpy")
    grad = sp.lambdify([(x, y, z)], [sp.diff(expr, s) for s in (x, y, z)], "numpy")
    for point in rng.uniform(-1.5, 1.5, size=(20, 3)):
        np.testing.assert_allclose(calculus.gradient(f, point), grad(point), rtol=1e-7, atol=1e-7)


def test_gradient_of_rosenbrock_matches_scipy(rng):
    for point in rng.uniform(-2, 2, size=(10, 4)):
        np.testing.assert_allclose(
            calculus.gradient(scipy.optimize.rosen, point), scipy.optimize.rosen_der(point), rtol=1e-7, atol=1e-6
        )


def test_vectorized_calls_give_the_same_result(rng):
    def f(w):  # reads coordinates from the first axis, like dlmath.plotting's functions
        return np.sin(w[0]) * w[1] ** 2 + np.exp(w[2] * w[0])

    for point in rng.normal(size=(5, 3)):
        np.testing.assert_allclose(calculus.gradient(f, point, vectorized=True), calculus.gradient(f, point), atol=1e-14)
        np.testing.assert_allclose(calculus.hessian(f, point, vectorized=True), calculus.hessian(f, point), atol=1e-12)
    F = lambda w: np.stack([w[0] * w[1], w[1] - w[2] ** 2])  # noqa: E731
    point = rng.normal(size=3)
    np.testing.assert_allclose(calculus.jacobian(F, point, vectorized=True), calculus.jacobian(F, point), atol=1e-14)


def test_gradient_by_a_matrix_has_the_matrix_shape(rng):
    """d(u^T W x)/dW = u x^T and d||W||_F^2/dW = 2W, arrays of W's shape."""
    W, u, x = rng.normal(size=(3, 4)), rng.normal(size=3), rng.normal(size=4)
    np.testing.assert_allclose(calculus.gradient(lambda M: u @ M @ x, W), np.outer(u, x), atol=1e-9)
    np.testing.assert_allclose(calculus.gradient(lambda M: np.sum(M**2), W), 2 * W, atol=1e-8)


def test_jacobian_identities(rng):
    m, n = 3, 4
    W, x, b = rng.normal(size=(m, n)), rng.normal(size=n), rng.normal(size=m)
    # d(Wx + b)/dx = W (numerator layout: one row per output)
    np.testing.assert_allclose(calculus.jacobian(lambda v: W @ v + b, x), W, atol=1e-9)
    # d(Wx)/dW: entry (i, k, l) is delta_ik x_l
    expected = np.einsum("ik,l->ikl", np.eye(m), x)
    np.testing.assert_allclose(calculus.jacobian(lambda M: M @ x, W), expected, atol=1e-9)
    # an elementwise function has a diagonal Jacobian
    np.testing.assert_allclose(calculus.jacobian(np.tanh, x), np.diag(1 - np.tanh(x) ** 2), atol=1e-9)
    # a vector by a scalar: one column
    curve = lambda t: np.array([np.cos(t), np.sin(t), t**2])  # noqa: E731
    np.testing.assert_allclose(calculus.jacobian(curve, 0.7), [-np.sin(0.7), np.cos(0.7), 1.4], atol=1e-9)
    # a scalar function: the Jacobian is the gradient
    np.testing.assert_allclose(calculus.jacobian(lambda v: v @ v, x), 2 * x, atol=1e-9)


def test_jacobian_of_softmax_matches_the_closed_form(rng):
    for _ in range(10):
        z = rng.normal(scale=2, size=5)
        s = scipy.special.softmax(z)
        closed_form = np.diag(s) - np.outer(s, s)
        np.testing.assert_allclose(calculus.jacobian(activations.softmax, z), closed_form, atol=1e-9)


def test_chain_rule_is_a_product_of_jacobians(rng):
    W1, W2 = rng.normal(size=(4, 3)), rng.normal(size=(2, 4))

    def inner(x):
        return np.tanh(W1 @ x)

    def outer(u):
        return W2 @ u + np.sin(u[:2])

    for x in rng.normal(size=(5, 3)):
        composite = calculus.jacobian(lambda v: outer(inner(v)), x)
        product = calculus.jacobian(outer, inner(x)) @ calculus.jacobian(inner, x)
        np.testing.assert_allclose(composite, product, atol=1e-8)
        # and the gradient of a scalar loss is J^T times the gradient at the output
        loss = lambda y: 0.5 * y @ y  # noqa: E731
        np.testing.assert_allclose(
            calculus.gradient(lambda v: loss(outer(inner(v))), x), composite.T @ outer(inner(x)), atol=1e-8
        )


def test_hessian_identities_and_sympy(rng):
    for n in (1, 2, 4, 6):
        A = rng.normal(size=(n, n))
        x = rng.normal(size=n)
        np.testing.assert_allclose(calculus.hessian(lambda v: v @ A @ v, x), A + A.T, atol=1e-6)
    x, y = sp.symbols("x y")
    expr = sp.exp(x * y) + x**3 * sp.cos(y)
    f = sp.lambdify([(x, y)], expr, "numpy")
    H = sp.lambdify([(x, y)], sp.hessian(expr, (x, y)), "numpy")
    for point in rng.uniform(-1, 1, size=(10, 2)):
        result = calculus.hessian(f, point)
        np.testing.assert_allclose(result, H(point), atol=1e-5)
        np.testing.assert_array_equal(result, result.T)


def test_hessian_of_rosenbrock_matches_scipy(rng):
    for point in rng.uniform(-1.5, 1.5, size=(5, 3)):
        np.testing.assert_allclose(
            calculus.hessian(scipy.optimize.rosen, point), scipy.optimize.rosen_hess(point), rtol=1e-5, atol=1e-3
        )


def test_directional_derivative_is_gradient_dot_direction(rng):
    f = lambda w: np.sin(w[0]) * np.exp(w[1]) + w[2] ** 2  # noqa: E731
    for _ in range(10):
        x, v = rng.normal(size=3), rng.normal(size=3)
        g = calculus.gradient(f, x)
        u = v / np.linalg.norm(v)
        assert calculus.directional_derivative(f, x, v) == pytest.approx(g @ u, abs=1e-8)
        assert calculus.directional_derivative(f, x, v, normalize=False) == pytest.approx(g @ v, abs=1e-7)


def test_torch_autograd_cross_check(rng):
    torch = pytest.importorskip("torch")
    A = rng.normal(size=(3, 3))

    def f_np(v):
        return np.log(1 + np.exp(v @ A @ v / 5)) + np.sin(v[0] * v[1])

    def f_torch(v):
        At = torch.tensor(A)
        return torch.nn.functional.softplus(v @ At @ v / 5) + torch.sin(v[0] * v[1])

    for x in rng.normal(size=(5, 3)):
        xt = torch.tensor(x, dtype=torch.float64)
        grad = torch.autograd.functional.jacobian(f_torch, xt).numpy()
        hess = torch.autograd.functional.hessian(f_torch, xt).numpy()
        np.testing.assert_allclose(calculus.gradient(f_np, x), grad, atol=1e-8)
        np.testing.assert_allclose(calculus.hessian(f_np, x), hess, atol=1e-5)


# --- Newton's method -----------------------------------------------------------------------


def test_newton_square_and_cube_roots(rng):
    for a in rng.uniform(0.01, 1000, size=30):
        root = calculus.newton(lambda x: x * x - a, x0=max(a, 1.0), df=lambda x: 2 * x).x
        assert root == pytest.approx(np.sqrt(a), rel=1e-14)
        assert calculus.newton(lambda x: x**3 - a, x0=a).x == pytest.approx(np.cbrt(a), rel=1e-12)


def test_newton_finds_pi_over_two_and_matches_scipy():
    result = calculus.newton(np.cos, 1.0, df=lambda x: -np.sin(x))
    assert result.x == pytest.approx(np.pi / 2, abs=1e-15)
    f = lambda x: x**3 - 2 * x - 5  # noqa: E731
    assert calculus.newton(f, 2.0).x == pytest.approx(scipy.optimize.brentq(f, 2, 3), rel=1e-14)


def test_newton_converges_quadratically():
    result = calculus.newton(lambda x: x * x - 2, 1.0, df=lambda x: 2 * x)
    errors = np.abs(result.history - np.sqrt(2))
    useful = errors[(errors > 1e-15)]
    ratios = useful[1:] / useful[:-1] ** 2  # e_{k+1} / e_k^2 tends to |f''/(2 f')| = 1/(2 sqrt 2)
    assert np.all(ratios < 1.0)
    assert ratios[-1] == pytest.approx(1 / (2 * np.sqrt(2)), rel=1e-3)
    assert result.history[0] == 1.0 and result.iterations == len(result.history) - 1


def test_newton_on_a_double_root_is_only_linear():
    result = calculus.newton(lambda x: (x - 1) ** 2, 2.0, df=lambda x: 2 * (x - 1), tol=1e-10)
    errors = np.abs(result.history[:10] - 1)
    np.testing.assert_allclose(errors[1:] / errors[:-1], 0.5)


def test_newton_system_solves_known_systems(rng):
    def F(v):
        return np.array([v[0] ** 2 + v[1] ** 2 - 4, v[0] * v[1] - 1])

    def J(v):
        return np.array([[2 * v[0], 2 * v[1]], [v[1], v[0]]])

    for jac in (J, None):
        result = calculus.newton_system(F, [2.0, 0.5], jac=jac)
        np.testing.assert_allclose(F(result.x), 0, atol=1e-12)
        np.testing.assert_allclose(result.x, scipy.optimize.fsolve(F, [2.0, 0.5], fprime=J), rtol=1e-10)
    # a linear system is solved in one step
    A, b = rng.normal(size=(4, 4)) + 4 * np.eye(4), rng.normal(size=4)
    result = calculus.newton_system(lambda v: A @ v - b, np.zeros(4), jac=lambda v: A)
    np.testing.assert_allclose(result.x, np.linalg.solve(A, b), rtol=1e-12)
    assert result.iterations <= 2 and result.history.shape == (result.iterations + 1, 4)


def test_newton_minimize_quadratic_in_one_step_and_rosenbrock(rng):
    A = rng.normal(size=(3, 3))
    A = A @ A.T + 3 * np.eye(3)
    b = rng.normal(size=3)
    quadratic = lambda v: 0.5 * v @ A @ v - b @ v  # noqa: E731
    result = calculus.newton_minimize(quadratic, np.zeros(3), grad=lambda v: A @ v - b, hess=lambda v: A)
    np.testing.assert_allclose(result.history[1], np.linalg.solve(A, b), rtol=1e-12)
    result = calculus.newton_minimize(
        scipy.optimize.rosen, [-1.2, 1.0], grad=scipy.optimize.rosen_der, hess=scipy.optimize.rosen_hess
    )
    np.testing.assert_allclose(result.x, [1.0, 1.0], atol=1e-12)
    numerical = calculus.newton_minimize(scipy.optimize.rosen, [-1.2, 1.0])
    np.testing.assert_allclose(numerical.x, [1.0, 1.0], atol=1e-6)


def test_newton_minimize_can_land_on_a_saddle():
    saddle = calculus.newton_minimize(lambda w: w[0] ** 2 - w[1] ** 2, [1.0, 1.0])
    np.testing.assert_allclose(saddle.x, [0.0, 0.0], atol=1e-10)
    eigenvalues = np.linalg.eigvalsh(calculus.hessian(lambda w: w[0] ** 2 - w[1] ** 2, saddle.x))
    assert eigenvalues.min() < 0 < eigenvalues.max()


# --- failures and bad input -------------------------------------------------------------------


def test_newton_cycle_raises_convergence_error_with_history():
    with pytest.raises(calculus.ConvergenceError, match="did not converge in 20 steps") as info:
        calculus.newton(lambda x: x**3 - 2 * x + 2, 0.0, df=lambda x: 3 * x**2 - 2, max_iter=20)
    np.testing.assert_allclose(info.value.history[:4], [0, 1, 0, 1])
    assert info.value.history.shape == (21,)


def test_newton_flat_tangent_and_divergence():
    with pytest.raises(calculus.SingularJacobianError, match="derivative is 0"):
        calculus.newton(lambda x: x * x - 2, 0.0, df=lambda x: 2 * x)
    with pytest.raises(calculus.ConvergenceError, match="diverged|derivative is 0") as info:
        calculus.newton(np.arctan, 1.5, df=lambda x: 1 / (1 + x * x))
    assert np.all(np.abs(np.diff(np.abs(info.value.history))) > 0)  # |x| grows at every step
    with pytest.raises(calculus.ConvergenceError):
        calculus.newton(np.arctan, 1.5)


def test_newton_system_singular_jacobian():
    F = lambda v: np.array([v[0] ** 2 + v[1] ** 2 - 1, v[0] - v[1]])  # noqa: E731
    with pytest.raises(calculus.SingularJacobianError, match="Jacobian at x = .* is singular"):
        calculus.newton_system(F, [0.0, 0.0])
    with pytest.raises(calculus.SingularJacobianError, match="Hessian"):
        calculus.newton_minimize(
            lambda w: w[0] ** 4 + w[1] ** 2,
            [0.0, 1.0],
            grad=lambda w: np.array([4 * w[0] ** 3, 2 * w[1]]),
            hess=lambda w: np.array([[12 * w[0] ** 2, 0.0], [0.0, 2.0]]),
        )
    with pytest.raises(calculus.ConvergenceError):
        calculus.newton_system(np.arctan, [1.5, 1.5], jac=lambda v: np.diag(1 / (1 + v * v)))


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: calculus.derivative("sin", 1.0), TypeError, "f must be a function"),
        (lambda: calculus.derivative(np.sin, np.nan), ValueError, "x must contain only finite"),
        (lambda: calculus.derivative(np.sin, "1"), TypeError, "x must be numbers"),
        (lambda: calculus.derivative(np.sin, 1.0, method="centred"), ValueError, "method must be"),
        (lambda: calculus.derivative(np.sin, 1.0, h=0), ValueError, "h must be greater than 0"),
        (lambda: calculus.derivative(np.sin, 1.0, h=-1e-3), ValueError, "h must be greater than 0"),
        (lambda: calculus.derivative(np.sin, 1e10, h=1e-12), ValueError, "h is too small"),
        (lambda: calculus.derivative(lambda x: np.where(x > 1, x, np.nan), 1.0), ValueError, "non-finite"),
        (lambda: calculus.derivative(lambda x: np.sum(x), [1.0, 2.0]), ValueError, "element by element"),
        (lambda: calculus.derivative(lambda x: "a", 1.0), TypeError, "f must return numbers"),
        (lambda: calculus.second_derivative(np.sin, [np.inf]), ValueError, "finite"),
        (lambda: calculus.gradient(lambda v: v, [1.0, 2.0]), ValueError, "single number"),
        (lambda: calculus.gradient(lambda v: np.sum(v**2), [1.0, 2.0], vectorized=True), ValueError, "vectorized=True"),
        (lambda: calculus.gradient(np.sum, [[1.0], [2.0, 3.0]]), ValueError, "rectangular"),
        (lambda: calculus.jacobian(lambda v: v[: int(v[0] > 1) + 1], [1.0, 2.0]), ValueError, "different shapes"),
        (lambda: calculus.hessian(42, [1.0]), TypeError, "f must be a function"),
        (lambda: calculus.directional_derivative(np.sum, [1.0, 2.0], [1.0]), ValueError, "v must have the shape of x"),
        (lambda: calculus.directional_derivative(np.sum, [1.0, 2.0], [0.0, 0.0]), ValueError, "zero vector"),
        (lambda: calculus.default_step(1.0, "centered"), ValueError, "kind must be one of"),
        (lambda: calculus.newton(None, 1.0), TypeError, "f must be a function"),
        (lambda: calculus.newton(np.cos, [1.0, 2.0]), TypeError, "x0 must be a real number"),
        (lambda: calculus.newton(np.cos, np.nan), ValueError, "x0 must be a finite number"),
        (lambda: calculus.newton(np.cos, 1.0, df=3), TypeError, "df must be a function"),
        (lambda: calculus.newton(np.cos, 1.0, tol=0), ValueError, "tol must be greater than 0"),
        (lambda: calculus.newton(np.cos, 1.0, max_iter=0), ValueError, "max_iter must be at least 1"),
        (lambda: calculus.newton(np.log, 0.0), ValueError, "finite at the starting point"),
        (lambda: calculus.newton(lambda x: np.array([x, x]), 1.0), ValueError, "single number"),
        (lambda: calculus.newton_system(lambda v: v, [[1.0, 2.0]]), ValueError, "x0 must be a 1-D array"),
        (lambda: calculus.newton_system(lambda v: v[:1], [1.0, 2.0]), ValueError, "shape \\(2,\\) like x0"),
        (lambda: calculus.newton_system(lambda v: v, [1.0, 2.0], jac=lambda v: np.eye(3)), ValueError, "matrix of shape"),
        (lambda: calculus.newton_minimize(lambda v: v, [1.0, 2.0]), ValueError, "single number"),
        (lambda: calculus.newton_minimize(np.sum, [1.0], grad="g"), TypeError, "grad must be a function"),
    ],
)
def test_bad_input_gives_a_clear_error(call, error, message):
    with np.errstate(divide="ignore"):
        with pytest.raises(error, match=message):
            call()
