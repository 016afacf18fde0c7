"""dlmath.optim: every update rule against its equations, convergence rates on quadratics,
PyTorch's optimizers step for step (when installed), schedules, training, and bad input."""

import math

import numpy as np
import pytest

from dlmath import optim
from dlmath.nn import Parameter

SEEDS = range(8)


def params_and_grads(seed, dtype=np.float64):
    """Three parameters of different shapes and a list of 6 gradient sets for them."""
    rng = np.random.default_rng(seed)
    shapes = [(4, 3), (3,), (2, 5)]
    params = [Parameter(rng.standard_normal(s).astype(dtype), name=f"p{i}") for i, s in enumerate(shapes)]
    grads = [[rng.standard_normal(s).astype(dtype) * rng.uniform(0.1, 3) for s in shapes] for _ in range(6)]
    return params, grads


def run(optimizer, params, grads):
    """Apply one optimizer step per gradient set; return the values after every step."""
    history = []
    for gs in grads:
        for p, g in zip(params, gs):
            p.grad[...] = g
        optimizer.step()
        history.append([p.value.copy() for p in params])
    return history


# --- each update rule against its equations, written out independently ---------------------


def reference(rule, w0, grads, **h):
    """The update rules of the chapter, one parameter array, in the most literal form."""
    w = w0.copy()
    state = {"a": np.zeros_like(w), "b": np.zeros_like(w)}
    out = []
    for t, g in enumerate(grads, start=1):
        a, b = state["a"], state["b"]
        lr = h["lr"]
        if rule == "sgd":
            w = w - lr * g
        elif rule == "momentum":
            a = h["momentum"] * a + g
            w = w - lr * a
        elif rule == "nesterov":
            a = h["momentum"] * a + g
            w = w - lr * (g + h["momentum"] * a)
        elif rule == "adagrad":
            a = a + g**2
            w = w - lr * g / (np.sqrt(a) + h["eps"])
        elif rule == "rmsprop":
            a = h["rho"] * a + (1 - h["rho"]) * g**2
            w = w - lr * g / (np.sqrt(a) + h["eps"])
        elif rule == "adadelta":
            a = h["rho"] * a + (1 - h["rho"]) * g**2
            delta = np.sqrt(b + h["eps"]) / np.sqrt(a + h["eps"]) * g
            b = h["rho"] * b + (1 - h["rho"]) * delta**2
            w = w - lr * delta
        elif rule == "adam":
            b1, b2 = h["betas"]
            a = b1 * a + (1 - b1) * g
            b = b2 * b + (1 - b2) * g**2
            w = w - lr * (a / (1 - b1**t)) / (np.sqrt(b / (1 - b2**t)) + h["eps"])
        state = {"a": a, "b": b}
        out.append(w)
    return out


CASES = [
    ("sgd", optim.SGD, {"lr": 0.1}),
    ("momentum", optim.Momentum, {"lr": 0.05, "momentum": 0.9}),
    ("nesterov", optim.Nesterov, {"lr": 0.05, "momentum": 0.8}),
    ("adagrad", optim.Adagrad, {"lr": 0.3, "eps": 1e-10}),
    ("rmsprop", optim.RMSprop, {"lr": 0.01, "rho": 0.9, "eps": 1e-8}),
    ("adadelta", optim.Adadelta, {"lr": 1.0, "rho": 0.95, "eps": 1e-6}),
    ("adam", optim.Adam, {"lr": 0.01, "betas": (0.9, 0.999), "eps": 1e-8}),
]


@pytest.mark.parametrize("rule, cls, hyper", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("seed", SEEDS)
def test_update_rules_follow_their_equations(rule, cls, hyper, seed):
    params, grads = params_and_grads(seed)
    starts = [p.value.copy() for p in params]
    history = run(cls(params, **hyper), params, grads)
    for j, w0 in enumerate(starts):
        expected = reference(rule, w0, [gs[j] for gs in grads], **hyper)
        for step, values in enumerate(history):
            np.testing.assert_allclose(values[j], expected[step], rtol=1e-12, atol=1e-14)


def test_hand_computed_steps():
    # f(x) = x^2 from x = 1, gradient 2x: the numbers of the chapter's worked examples
    assert optim.gradient_descent(lambda x: 2 * (x - 3), 0.0, lr=0.1, steps=3) == pytest.approx([0, 0.6, 1.08, 1.464])
    path = optim.descend(lambda w: 2 * w, [1.0], optim.Momentum, steps=2, lr=0.1, momentum=0.9)
    assert path[:, 0] == pytest.approx([1.0, 0.8, 0.46])
    path = optim.descend(lambda w: 2 * w, [1.0], optim.Nesterov, steps=1, lr=0.1, momentum=0.9)
    assert path[1, 0] == pytest.approx(1 - 0.1 * (2 + 0.9 * 2))  # 0.62
    # Adam's first step has length lr whatever the gradient's scale
    for g in (1e-4, 0.3, 250.0):
        path = optim.descend(lambda w, g=g: np.full(1, g), [0.0], optim.Adam, steps=1, lr=0.01)
        assert path[1, 0] == pytest.approx(-0.01 * g / (g + 1e-8), rel=1e-12)
    # Adagrad on a constant gradient: the t-th step is lr / sqrt(t)
    path = optim.descend(lambda w: np.ones(1), [0.0], optim.Adagrad, steps=5, lr=0.5, eps=1e-12)
    np.testing.assert_allclose(-np.diff(path[:, 0]), 0.5 / np.sqrt(np.arange(1, 6)), rtol=1e-10)


def test_momentum_step_approaches_lr_over_one_minus_mu_on_a_constant_gradient():
    mu, lr, g = 0.9, 0.01, 3.0
    path = optim.descend(lambda w: np.full(1, g), [0.0], optim.Momentum, steps=200, lr=lr, momentum=mu)
    steps = -np.diff(path[:, 0])
    np.testing.assert_allclose(steps, lr * g * (1 - mu ** np.arange(1, 201)) / (1 - mu), rtol=1e-10)
    assert steps[-1] == pytest.approx(lr * g / (1 - mu), rel=1e-8)


def test_adam_bias_correction_makes_the_average_of_a_constant_gradient_exact():
    params = [Parameter(np.zeros(3))]
    adam = optim.Adam(params, lr=0.1, betas=(0.8, 0.95))
    g = np.array([0.5, -2.0, 7.0])
    for t in range(1, 6):
        params[0].grad[...] = g
        adam.step()
        np.testing.assert_allclose(adam.m[0], (1 - 0.8**t) * g, rtol=1e-12)
        np.testing.assert_allclose(adam.v[0], (1 - 0.95**t) * g**2, rtol=1e-12)


def test_float32_parameters_stay_float32():
    for _, cls, hyper in CASES:
        params, grads = params_and_grads(0, dtype=np.float32)
        run(cls(params, **hyper), params, grads)
        assert all(p.value.dtype == np.float32 for p in params), cls.__name__
        opt = cls(params, **hyper)
        for state in vars(opt).values():
            if isinstance(state, list) and state and isinstance(state[0], np.ndarray):
                assert all(s.dtype == np.float32 for s in state), cls.__name__


# --- convergence on convex quadratics at the rate theory predicts ---------------------------


def random_quadratic(seed, n=4, kappa=20.0):
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    eigenvalues = np.geomspace(1.0, kappa, n)
    return Q @ np.diag(eigenvalues) @ Q.T, Q, eigenvalues, rng.standard_normal(n)


@pytest.mark.parametrize("seed", SEEDS)
def test_gradient_descent_on_a_quadratic_shrinks_each_eigendirection_by_one_minus_eta_lambda(seed):
    A, Q, lam, w0 = random_quadratic(seed)
    eta = 1.9 / lam.max()
    path = optim.gradient_descent(lambda w: A @ w, w0, lr=eta, steps=40)
    k = np.arange(41)[:, None]
    np.testing.assert_allclose(path @ Q, (Q.T @ w0) * (1 - eta * lam) ** k, atol=1e-12)
    # the optimal constant learning rate 2/(lambda_min + lambda_max) gives rate (kappa-1)/(kappa+1)
    eta = 2 / (lam.min() + lam.max())
    path = optim.gradient_descent(lambda w: A @ w, w0, lr=eta, steps=200)
    kappa = lam.max() / lam.min()
    bound = (kappa - 1) / (kappa + 1)
    norms = np.linalg.norm(path, axis=1)
    assert np.all(norms <= bound ** np.arange(201) * norms[0] * (1 + 1e-9))
    assert norms[-1] ** (1 / 200) == pytest.approx(bound, rel=0.02)


@pytest.mark.parametrize("seed", SEEDS)
def test_gradient_descent_diverges_above_two_over_lambda_max(seed):
    A, _, lam, w0 = random_quadratic(seed)
    path = optim.gradient_descent(lambda w: A @ w, w0, lr=2.05 / lam.max(), steps=300)
    assert np.linalg.norm(path[-1]) > 10 * np.linalg.norm(w0)
    path = optim.gradient_descent(lambda w: A @ w, w0, lr=1.95 / lam.max(), steps=3000)
    assert np.linalg.norm(path[-1]) < 1e-6 * np.linalg.norm(w0)


@pytest.mark.parametrize("seed", SEEDS)
def test_heavy_ball_reaches_the_accelerated_rate(seed):
    A, _, lam, w0 = random_quadratic(seed, kappa=100.0)
    L, m = lam.max(), lam.min()
    eta = 4 / (math.sqrt(L) + math.sqrt(m)) ** 2
    mu = ((math.sqrt(L) - math.sqrt(m)) / (math.sqrt(L) + math.sqrt(m))) ** 2
    path = optim.descend(lambda w: A @ w, w0, optim.Momentum, steps=300, lr=eta, momentum=mu)
    # the iteration is linear: [w_{k+1}, w_k] = M [w_k, w_{k-1}]; its spectral radius is sqrt(mu)
    n = len(w0)
    M = np.block([[(1 + mu) * np.eye(n) - eta * A, -mu * np.eye(n)], [np.eye(n), np.zeros((n, n))]])
    assert max(abs(np.linalg.eigvals(M))) == pytest.approx(math.sqrt(mu), rel=1e-3)
    state = np.concatenate([path[1], path[0]])
    for k in range(1, 40):
        state = M @ state
        np.testing.assert_allclose(path[k + 1], state[:n], atol=1e-10)
    rate = (np.linalg.norm(path[-1]) / np.linalg.norm(path[0])) ** (1 / 300)
    assert rate == pytest.approx(math.sqrt(mu), rel=0.03)
    plain = optim.gradient_descent(lambda w: A @ w, w0, lr=2 / (L + m), steps=300)
    assert np.linalg.norm(path[-1]) < 1e-6 * np.linalg.norm(plain[-1])


@pytest.mark.parametrize("seed", SEEDS)
def test_nesterov_equals_the_look_ahead_form(seed):
    A, _, lam, w0 = random_quadratic(seed)
    eta, mu = 0.5 / lam.max(), 0.9
    path = optim.descend(lambda w: A @ w, w0, optim.Nesterov, steps=60, lr=eta, momentum=mu)
    theta, v = w0.copy(), np.zeros_like(w0)  # Sutskever et al.: gradient at theta + mu v
    for k in range(60):
        v = mu * v - eta * A @ (theta + mu * v)
        theta = theta + v
        np.testing.assert_allclose(path[k + 1], theta + mu * v, atol=1e-12)


@pytest.mark.parametrize("cls, hyper", [(optim.Adam, {"lr": 0.05}), (optim.RMSprop, {"lr": 0.01}), (optim.Adagrad, {"lr": 0.5})])
@pytest.mark.parametrize("seed", range(3))
def test_adaptive_methods_reach_the_minimum_of_a_quadratic(cls, hyper, seed):
    A, _, _, w0 = random_quadratic(seed)
    path = optim.descend(lambda w: A @ w, w0, cls, steps=3000, **hyper)
    assert np.linalg.norm(path[-1]) < 0.02 * np.linalg.norm(w0)


@pytest.mark.parametrize("seed", range(3))
def test_adadelta_hovers_in_a_neighbourhood_set_by_eps(seed):
    # near the minimum both running RMS values fall to the size of eps, the effective learning
    # rate sqrt(u + eps) / sqrt(s + eps) returns to about 1, too large for this bowl, and the
    # iterates hover at a distance that shrinks like sqrt(eps)
    A, _, _, w0 = random_quadratic(seed)
    radius = {}
    for eps in (1e-6, 1e-8):
        path = optim.descend(lambda w: A @ w, w0, optim.Adadelta, steps=3000, lr=1.0, rho=0.9, eps=eps)
        radius[eps] = np.linalg.norm(path[-500:], axis=1).max()
    assert radius[1e-6] < 0.1 * np.linalg.norm(w0) and radius[1e-8] < 0.15 * radius[1e-6]


# --- PyTorch, step for step (optional) ---------------------------------------------------------

TORCH_CASES = [
    (optim.SGD, {"lr": 0.1}, "SGD", {"lr": 0.1}),
    (optim.Momentum, {"lr": 0.05, "momentum": 0.9}, "SGD", {"lr": 0.05, "momentum": 0.9}),
    (optim.Nesterov, {"lr": 0.05, "momentum": 0.8}, "SGD", {"lr": 0.05, "momentum": 0.8, "nesterov": True}),
    (optim.Adagrad, {"lr": 0.3, "eps": 1e-10}, "Adagrad", {"lr": 0.3, "eps": 1e-10}),
    (optim.RMSprop, {"lr": 0.01, "rho": 0.9, "eps": 1e-8}, "RMSprop", {"lr": 0.01, "alpha": 0.9, "eps": 1e-8}),
    (optim.Adadelta, {"lr": 1.0, "rho": 0.95, "eps": 1e-6}, "Adadelta", {"lr": 1.0, "rho": 0.95, "eps": 1e-6}),
    (optim.Adam, {"lr": 0.01, "betas": (0.8, 0.99), "eps": 1e-8}, "Adam", {"lr": 0.01, "betas": (0.8, 0.99), "eps": 1e-8}),
]


@pytest.mark.parametrize("ours, hyper, theirs, torch_hyper", TORCH_CASES, ids=[c[0].__name__ for c in TORCH_CASES])
@pytest.mark.parametrize("seed", range(4))
def test_steps_match_torch_optim(ours, hyper, theirs, torch_hyper, seed):
    torch = pytest.importorskip("torch")
    params, grads = params_and_grads(seed)
    tparams = [torch.nn.Parameter(torch.tensor(p.value)) for p in params]
    history = run(ours(params, **hyper), params, grads)
    topt = getattr(torch.optim, theirs)(tparams, **torch_hyper)
    for step, gs in enumerate(grads):
        for tp, g in zip(tparams, gs):
            tp.grad = torch.tensor(g)
        topt.step()
        for tp, value in zip(tparams, history[step]):
            np.testing.assert_allclose(value, tp.detach().numpy(), rtol=1e-10, atol=1e-12)


# --- schedules ---------------------------------------------------------------------------------


def test_schedules_follow_their_formulas():
    t = np.arange(60)
    np.testing.assert_allclose(optim.constant(0.3).values(60), np.full(60, 0.3))
    np.testing.assert_allclose(optim.step_decay(0.1, factor=0.5, every=20).values(60), 0.1 * 0.5 ** (t // 20))
    np.testing.assert_allclose(optim.exponential_decay(0.2, gamma=0.95).values(60), 0.2 * 0.95**t)
    np.testing.assert_allclose(optim.inverse_time_decay(0.2, k=0.1).values(60), 0.2 / (1 + 0.1 * t))
    cosine = optim.cosine_decay(0.1, total_steps=40, lr_min=0.01)
    expected = 0.01 + 0.045 * (1 + np.cos(np.pi * np.minimum(t, 40) / 40))
    np.testing.assert_allclose(cosine.values(60), expected)
    assert cosine(0) == pytest.approx(0.1) and cosine(20) == pytest.approx(0.055) and cosine(59) == pytest.approx(0.01)
    warm = optim.warmup(cosine, steps=5)
    np.testing.assert_allclose(warm.values(5), 0.1 * np.arange(1, 6) / 5)
    np.testing.assert_allclose(warm.values(60)[5:], cosine.values(55))
    assert "cosine" in repr(cosine) and optim.warmup(0.5, steps=2)(1) == 0.5


def test_an_optimizer_follows_its_schedule():
    schedule = optim.step_decay(0.1, factor=0.1, every=2)
    path = optim.descend(lambda w: np.ones(1), [0.0], optim.SGD, steps=5, lr=schedule)
    np.testing.assert_allclose(-np.diff(path[:, 0]), [0.1, 0.1, 0.01, 0.01, 0.001])


# --- minibatches and training ------------------------------------------------------------------


def test_minibatches_cover_every_example_once_per_epoch():
    for seed in SEEDS:
        batches = list(optim.minibatches(103, 16, rng=seed))
        assert len(batches) == math.ceil(103 / 16) and len(batches[-1]) == 103 % 16
        assert sorted(np.concatenate(batches).tolist()) == list(range(103))
    assert [b.tolist() for b in optim.minibatches(5, 2, shuffle=False)] == [[0, 1], [2, 3], [4]]
    first = np.concatenate(list(optim.minibatches(50, 7, rng=1)))
    assert np.array_equal(first, np.concatenate(list(optim.minibatches(50, 7, rng=1))))


class LinearModel:
    """y = x W + b: the smallest model with the dlmath.nn protocol (forward, backward, parameters)."""

    def __init__(self, n_in, n_out, rng):
        self.W = Parameter(0.1 * rng.standard_normal((n_in, n_out)), "W")
        self.b = Parameter(np.zeros(n_out), "b")

    def forward(self, x):
        self.x = x
        return x @ self.W.value + self.b.value

    def backward(self, grad_out):
        self.W.grad[...] = self.x.T @ grad_out
        self.b.grad[...] = grad_out.sum(axis=0)
        return grad_out @ self.W.value.T

    def parameters(self):
        return [self.W, self.b]


def mean_squared_error(pred, target):
    diff = pred - target
    return float(np.mean(diff**2)), 2 * diff / diff.size


def regression_data(seed, n=200):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 3))
    w_true = np.array([[1.5], [-2.0], [0.5]])
    return X, X @ w_true + 0.3 + 0.01 * rng.standard_normal((n, 1)), w_true


@pytest.mark.parametrize("seed", range(4))
def test_train_fits_least_squares(seed):
    X, y, _ = regression_data(seed)
    model = LinearModel(3, 1, np.random.default_rng(seed))
    history = optim.train(model, mean_squared_error, X, y, optim.Momentum(model.parameters(), lr=0.05), epochs=30, batch_size=20, rng=seed, validation=(X, y))
    A = np.column_stack([X, np.ones(len(X))])
    solution = np.linalg.lstsq(A, y, rcond=None)[0]
    np.testing.assert_allclose(model.W.value, solution[:3], atol=2e-3)
    np.testing.assert_allclose(model.b.value, solution[3], atol=2e-3)
    assert history.step_loss.size == 30 * 10 and history.epoch_loss.size == 30 and history.val_loss.size == 30
    assert history.epoch_loss[-1] < 1e-3 * history.epoch_loss[0]
    assert "30 epochs" in repr(history)


def test_train_is_reproducible_with_a_seed():
    X, y, _ = regression_data(0)
    results = []
    for _ in range(2):
        model = LinearModel(3, 1, np.random.default_rng(1))
        optim.train(model, mean_squared_error, X, y, optim.Adam(model.parameters(), lr=0.01), epochs=3, batch_size=16, rng=5)
        results.append(model.W.value.copy())
    np.testing.assert_array_equal(*results)


def test_a_diverging_loss_stops_training_with_the_step_and_advice():
    X, y, _ = regression_data(0)
    X = 10 * X
    model = LinearModel(3, 1, np.random.default_rng(0))
    with pytest.raises(optim.DivergenceError, match=r"the loss became (inf|nan) at step \d+ \(epoch \d+\).*smaller learning rate"):
        optim.train(model, mean_squared_error, X, y, optim.SGD(model.parameters(), lr=5.0), epochs=50, batch_size=20, rng=0)


def test_diverging_descent_names_the_step():
    with pytest.raises(optim.DivergenceError, match=r"diverged at step 6: .*smaller learning rate \(for example lr=0.1 instead of 1\)"):
        optim.gradient_descent(lambda x: x**3, 10.0, lr=1.0, steps=20)
    with pytest.raises(optim.DivergenceError, match=r"(Momentum diverged|gradient of w contains NaN or infinite values) at step \d+.*smaller learning rate"):
        optim.descend(lambda w: w**3, [10.0], optim.Momentum, steps=20, lr=1.0, momentum=0.5)
    params = [Parameter(np.zeros(2), "W1")]
    params[0].grad[...] = [1.0, np.nan]
    with pytest.raises(optim.DivergenceError, match=r"gradient of W1 contains NaN or infinite values at step 1"):
        optim.SGD(params, lr=0.1).step()


def test_early_stopping_with_tol():
    path = optim.gradient_descent(lambda x: 2 * x, 1.0, lr=0.25, steps=1000, tol=1e-6)
    assert len(path) < 30 and abs(path[-1]) < 1e-6


# --- bad input -------------------------------------------------------------------------------


def test_bad_hyperparameters_give_clear_errors():
    p = [Parameter(np.zeros(2))]
    with pytest.raises(ValueError, match="lr must be greater than 0.0; got -0.1"):
        optim.SGD(p, lr=-0.1)
    with pytest.raises(ValueError, match="momentum must be less than 1.0; got 1.0"):
        optim.Momentum(p, lr=0.1, momentum=1.0)
    with pytest.raises(ValueError, match="momentum must be at least 0.0; got -0.5"):
        optim.Nesterov(p, lr=0.1, momentum=-0.5)
    with pytest.raises(ValueError, match=r"betas\[0\] must be less than 1.0; got 1.2"):
        optim.Adam(p, betas=(1.2, 0.999))
    with pytest.raises(ValueError, match=r"betas\[1\] must be at least 0.0; got -0.1"):
        optim.Adam(p, betas=(0.9, -0.1))
    with pytest.raises(TypeError, match=r"betas must be a pair"):
        optim.Adam(p, betas=0.9)
    with pytest.raises(ValueError, match="rho must be less than 1.0"):
        optim.RMSprop(p, rho=1.0)
    with pytest.raises(ValueError, match="eps must be greater than 0.0"):
        optim.Adadelta(p, eps=0.0)
    with pytest.raises(TypeError, match="lr must be a real number; got the string '0.1'"):
        optim.SGD(p, lr="0.1")
    with pytest.raises(ValueError, match="lr must be greater than 0.0; got -1.0"):
        optim.gradient_descent(lambda x: x, 1.0, lr=-1.0, steps=3)


def test_bad_parameters_give_clear_errors():
    with pytest.raises(TypeError, match=r"params must be a list of Parameters .*got an array"):
        optim.SGD(np.zeros(3), lr=0.1)
    with pytest.raises(ValueError, match="params must contain at least one Parameter"):
        optim.SGD([], lr=0.1)
    with pytest.raises(TypeError, match=r"params\[1\] must be a Parameter"):
        optim.SGD([Parameter(np.zeros(2)), np.zeros(2)], lr=0.1)
    p = Parameter(np.zeros(2))
    with pytest.raises(ValueError, match="same Parameter twice"):
        optim.SGD([p, p], lr=0.1)
    p.grad = np.zeros(3)
    with pytest.raises(ValueError, match=r"params\[0\].grad has shape \(3,\) but its value has shape \(2,\)"):
        optim.SGD([p], lr=0.1).step()


def test_bad_schedules_and_calls_give_clear_errors():
    with pytest.raises(ValueError, match="factor must be less than 1.0|factor must be at most 1.0"):
        optim.step_decay(0.1, factor=2.0)
    with pytest.raises(ValueError, match="total_steps must be at least 1"):
        optim.cosine_decay(0.1, total_steps=0)
    with pytest.raises(ValueError, match="lr_min must be at most 0.1"):
        optim.cosine_decay(0.1, total_steps=10, lr_min=0.5)
    with pytest.raises(ValueError, match="t must be at least 0; got -1"):
        optim.constant(0.1)(-1)
    bad = optim.SGD([Parameter(np.zeros(1))], lr=lambda t: -1.0)
    with pytest.raises(ValueError, match="schedule's value at step 0 must be at least 0.0; got -1.0"):
        bad.step()
    with pytest.raises(ValueError, match=r"grad must return an array shaped like x0 \(2,\); it returned shape \(3,\)"):
        optim.gradient_descent(lambda x: np.zeros(3), [1.0, 2.0], lr=0.1, steps=2)
    with pytest.raises(TypeError, match="grad must be a function"):
        optim.gradient_descent(3.0, 1.0, lr=0.1, steps=2)
    with pytest.raises(ValueError, match="x0 must be a 0-D or 1-D array"):
        optim.gradient_descent(lambda x: x, np.zeros((2, 2)), lr=0.1, steps=2)
    with pytest.raises(TypeError, match="optimizer must be an optimizer class such as SGD or Adam"):
        optim.descend(lambda w: w, [1.0], "adam", steps=2)
    with pytest.raises(TypeError, match=r"model must have a forward\(\) method"):
        optim.train(object(), mean_squared_error, np.zeros((4, 1)), np.zeros((4, 1)), optim.SGD([Parameter(np.zeros(1))]), epochs=1, batch_size=2)
    model = LinearModel(1, 1, np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"X must have one example per row and y one target per example; got shapes \(4, 1\) and \(3, 1\)"):
        optim.train(model, mean_squared_error, np.zeros((4, 1)), np.zeros((3, 1)), optim.SGD(model.parameters()), epochs=1, batch_size=2)
    with pytest.raises(ValueError, match="batch_size must be at least 1; got 0"):
        list(optim.minibatches(10, 0))


# --- with the networks of dlmath.nn -------------------------------------------------------------


def test_train_a_dlmath_network_and_stop_when_it_diverges():
    from dlmath import nn

    rng = np.random.default_rng(0)
    X = rng.standard_normal((120, 4))
    y = (X[:, 0] + X[:, 1] > 0).astype(np.int64)
    for dtype in (np.float64, np.float32):
        net = nn.Sequential(nn.Dense(4, 8, rng=1, dtype=dtype), nn.Tanh(), nn.Dense(8, 2, rng=2, dtype=dtype))
        history = optim.train(net, nn.softmax_cross_entropy, X.astype(dtype), y, optim.Momentum(net.parameters(), lr=0.1), epochs=20, batch_size=16, rng=3)
        assert history.epoch_loss[-1] < 0.5 * history.epoch_loss[0]
        assert np.mean(net.predict(X.astype(dtype)) == y) > 0.9
        assert all(p.value.dtype == dtype for p in net.parameters())
    net = nn.Sequential(nn.Dense(4, 8, rng=1), nn.Sigmoid(), nn.Dense(8, 1, rng=2))
    with pytest.raises(optim.DivergenceError, match=r"the loss became (inf|nan|NaN or infinite) at step \d+ \(epoch \d+\).*smaller learning rate"):
        optim.train(net, nn.mse, 1e3 * X, 1e3 * X[:, :1], optim.SGD(net.parameters(), lr=10.0), epochs=20, batch_size=16, rng=0)


def test_train_restores_the_optimizers_gradient_check():
    X, y, _ = regression_data(0)
    model = LinearModel(3, 1, np.random.default_rng(0))
    sgd = optim.SGD(model.parameters(), lr=0.01)
    optim.train(model, mean_squared_error, X, y, sgd, epochs=1, batch_size=50, rng=0)
    assert sgd.check_finite is True
    diverging = optim.SGD(model.parameters(), lr=5.0)
    with pytest.raises(optim.DivergenceError):
        optim.train(model, mean_squared_error, 10 * X, y, diverging, epochs=50, batch_size=20, rng=0)
    assert diverging.check_finite is True  # restored even when training stops with an error
    model.W.grad[...] = np.nan
    with pytest.raises(optim.DivergenceError, match="gradient of W contains NaN"):
        sgd.step()
