"""Answers to the exercises of Chapter 12, Convex Optimization.

Each answer is computed by a route independent of the chapter's solution: a closed form, an
eigenvalue or singular-value routine, a polynomial root finder, or scikit-learn, where the
chapter's solutions use dlmath.convex, dlmath.optim and finite differences.
"""

import math

import numpy as np

from dlmath.exercises import register

register(
    "ex-12-which-convex",
    value={"a", "b", "c", "d", "g", "j"},
    about="the convex functions among (a) x^2 + 3x ... (j) log(1 + e^x)",
)


def _quadratic_constants():
    A = np.array([[4.0, 2.0], [2.0, 4.0]])  # the Hessian of 2 w0^2 + 2 w0 w1 + 2 w1^2
    singular = np.linalg.svd(A, compute_uv=False)  # equal to the eigenvalues for a symmetric PD matrix
    L, mu = singular[0], singular[-1]
    kappa = L / mu
    return np.array([mu, L, kappa, 1 - 1 / kappa, (kappa - 1) / (kappa + 1)])


register(
    "ex-12-quadratic-constants",
    compute=_quadratic_constants,
    about="[mu, L, kappa, rate with step 1/L, rate with step 2/(mu + L)] for f(w) = 2w0^2 + 2w0w1 + 2w1^2",
)


def _logistic_by_hand():
    from scipy.special import expit
    from sklearn.metrics import log_loss

    x, y = np.array([1.0, -2.0]), np.array([1.0, 0.0])
    p = expit(0.0 * x)
    value = log_loss(y, p, labels=[0, 1])
    slope = np.mean((p - y) * x)
    curvature = np.mean(p * (1 - p) * x**2)
    return np.array([value, slope, curvature])


register(
    "ex-12-logistic-by-hand",
    compute=_logistic_by_hand,
    about="[f(0), f'(0), f''(0)] of the logistic loss with x = (1, -2), y = (1, 0)",
)

register(
    "ex-12-steps-needed",
    compute=lambda: (
        math.ceil(math.log(1e6) / -math.log(1 - 1 / 50)),
        math.ceil(math.log(1e6) / -math.log(1 - 1 / math.sqrt(50))),
    ),
    about="(steps for the GD guarantee, steps for Nesterov's guarantee) to shrink by 1e-6 with kappa = 50",
)


def _standardize():
    from sklearn.datasets import load_breast_cancer
    from sklearn.preprocessing import StandardScaler

    raw = load_breast_cancer().data
    l2 = 0.01
    kappas = []
    for X in (raw, StandardScaler().fit_transform(raw)):
        X = np.hstack([X, np.ones((len(X), 1))])
        top = np.linalg.svd(X, compute_uv=False)[0] ** 2  # the largest eigenvalue of X^T X
        kappas.append((top / (4 * len(X)) + l2) / l2)
    return np.array(kappas)


register(
    "ex-12-standardize",
    compute=_standardize,
    rtol=1e-8,
    about="[kappa with raw features, kappa with standardized features], breast cancer, intercept column, l2 = 0.01",
)


def _nesterov_root():
    kappa = 400.0
    beta = (math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)
    q = 1 - 1 / kappa  # 1 - eta * mu with eta = 1/L
    roots = np.roots([1.0, -(1 + beta) * q, beta * q])
    return float(np.abs(roots).max())


register(
    "ex-12-nesterov-root",
    compute=_nesterov_root,
    rtol=1e-6,
    about="the modulus of the double root of Nesterov's iteration in the flattest direction, kappa = 400",
)


def _saddle():
    x = np.linspace(-2, 2, 41)
    y = 1.5 * np.tanh(1.2 * x)
    m = np.mean(x * y)  # the Hessian at (0, 0) is [[0, -2m], [-2m, 0]]
    return np.array([-2 * m, 2 * m])


register(
    "ex-12-saddle",
    compute=_saddle,
    rtol=1e-5,
    about="eigenvalues (ascending) of the Hessian of the tiny network's loss at w = v = 0",
)


def _sublinear():
    i = np.arange(1, 101)
    eigenvalues = 1.0 / i**2  # x0 = ones, step 1/L = 1: coordinate i is multiplied by (1 - 1/i^2) per step
    return float(0.5 * np.sum(eigenvalues * (1 - eigenvalues) ** 200))


register(
    "ex-12-sublinear",
    compute=_sublinear,
    rtol=1e-9,
    about="f(x_100) for f(x) = 1/2 sum x_i^2 / i^2, i = 1..100, from x_0 = ones with step 1",
)
