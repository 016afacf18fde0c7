"""Answers to the exercises of Chapter 11, Gradient Descent.

Each answer is computed by a route independent of the chapter's solution: a closed form,
an eigenvalue routine, a root finder, or the textbook form of a recurrence where the
chapter uses the library's.
"""

import math

import numpy as np

from dlmath.exercises import register


def _three_steps():
    # f(x) = 2 (x - 1)^2: the error x - 1 is multiplied by (1 - eta f'') = 1 - 0.2 * 4 each step
    return 1.0 + (4.0 - 1.0) * (1.0 - 0.2 * 4.0) ** 3


register("ex-11-three-steps", compute=_three_steps, about="x_3 for f(x) = 2(x - 1)^2, eta = 0.2, x_0 = 4")


def _rates():
    hessian = np.array([[6.0, 2.0], [2.0, 6.0]])  # of f(w) = 3 w0^2 + 2 w0 w1 + 3 w1^2
    low, high = np.linalg.eigvalsh(hessian)
    return np.array([2.0 / high, 2.0 / (low + high), (high - low) / (high + low)])


register(
    "ex-11-largest-rate",
    compute=_rates,
    about="[bound on the stable eta, best eta, contraction factor at the best eta] for f(w) = 3w0^2 + 2w0w1 + 3w1^2",
)


def _heavy_ball():
    # the two-term form x_{k+1} = x_k - eta f'(x_k) + mu (x_k - x_{k-1}), with x_{-1} = x_0
    eta, mu = 0.1, 0.5
    previous, x = 1.0, 1.0
    for _ in range(3):
        previous, x = x, x - eta * 4.0 * x + mu * (x - previous)
    return x


register("ex-11-momentum-steps", compute=_heavy_ball, about="x_3 of momentum on f(x) = 2x^2, eta = 0.1, mu = 0.5, x_0 = 1")

register(
    "ex-11-adam-no-correction",
    compute=lambda: (1 - 0.9) / math.sqrt(1 - 0.999),
    about="length of Adam's first step without bias correction, in units of eta (beta1 = 0.9, beta2 = 0.999, eps = 0)",
)

register(
    "ex-11-updates-per-epoch",
    compute=lambda: (3 * math.ceil(6000 / 64), 3 * (6000 // 64)),
    about="(updates in 3 epochs keeping the last partial batch, updates when dropping it), N = 6000, B = 64",
)

register(
    "ex-11-minibatch-variance",
    compute=lambda: 36.0 / 25 * (1000 - 25) / (1000 - 1),
    about="variance of a minibatch mean gradient: sigma^2 = 36, N = 1000, B = 25, without replacement",
)


def _valleys():
    critical = np.sort(np.roots([4.0, 0.0, -6.0, 1.0]).real)  # f'(x) = 4x^3 - 6x + 1
    return np.array([critical[2], critical[0]])  # from x_0 = 2: the right valley for a small step, the left for a large one


register(
    "ex-11-valleys",
    compute=_valleys,
    rtol=1e-5,
    about="[where GD ends from x_0 = 2 with eta = 0.01, with eta = 0.1] for f(x) = x^4 - 3x^2 + x",
)

register(
    "ex-11-cosine",
    function=lambda t: 0.001 + 0.5 * (0.1 - 0.001) * (1 + math.cos(math.pi * min(t, 100) / 100)),
    points=[0, 1, 10, 50, 99, 100, 150],
    about="cosine schedule from 0.1 to 0.001 over 100 steps, flat afterwards",
)

register(
    "ex-11-adagrad-decay",
    compute=lambda: 0.5 / math.sqrt(100),
    about="Adagrad's step length after 100 steps of a constant gradient, eta = 0.5 (eps = 0)",
)
