"""Answers to the exercises of Chapter 8, Matrix Calculus.

Gradients, Jacobians and Hessians derived by hand are checked against central
differences (``dlmath.calculus``), an independent route: no hand-derived formula is typed
in here. The finite differences are accurate to about 1e-10 for first derivatives and
1e-7 for second ones, so the tolerances are set accordingly.
"""

import numpy as np

from dlmath import activations, calculus
from dlmath.exercises import register

# --- ex-08-quadratic-form: the gradient of x^T A x for a non-symmetric A
QUADRATIC_A = np.array([[1.0, 2.0], [0.0, 3.0]])
register(
    "ex-08-quadratic-form",
    function=lambda x: calculus.gradient(lambda v: v @ QUADRATIC_A @ v, np.asarray(x, dtype=float)),
    points=[np.array(p) for p in ([1.0, 0.0], [0.0, 1.0], [1.5, -2.0], [-0.3, 0.7])],
    rtol=1e-6,
    atol=1e-7,
    about="the gradient of x^T A x with A = [[1, 2], [0, 3]], as a function of x",
)

# --- ex-08-mse-gradient: the gradient of the mean squared error of a linear model
MSE_X = np.array([[1.0, 2.0], [1.0, -1.0], [1.0, 0.5], [1.0, 3.0]])
MSE_Y = np.array([3.0, 0.0, 2.0, 4.0])


def _mse(w):
    residual = MSE_X @ w - MSE_Y
    return residual @ residual / len(MSE_Y)


register(
    "ex-08-mse-gradient",
    function=lambda w: calculus.gradient(_mse, np.asarray(w, dtype=float)),
    points=[np.array(p) for p in ([0.0, 0.0], [1.0, 1.0], [-2.0, 0.5], [0.9, 1.1])],
    rtol=1e-6,
    atol=1e-7,
    about="the gradient of L(w) = ||Xw - y||^2 / n for the X and y of the exercise, as a function of w",
)

# --- ex-08-softmax-cross-entropy: the gradient of -log softmax(z)[2] with respect to z
register(
    "ex-08-softmax-cross-entropy",
    function=lambda z: calculus.gradient(lambda v: -activations.log_softmax(v)[2], np.asarray(z, dtype=float)),
    points=[np.array(p) for p in ([0.0, 0.0, 0.0], [2.0, -1.0, 0.5], [-3.0, 4.0, 1.0], [10.0, 0.0, -10.0])],
    rtol=1e-6,
    atol=1e-7,
    about="the gradient of the cross-entropy -log softmax(z)[2] with respect to the scores z, as a function of z",
)

# --- ex-08-dense-jacobian: the Jacobian of tanh(Wx + b) with respect to x
DENSE_W = np.array([[0.5, -1.0, 2.0], [1.5, 0.0, -0.5]])
DENSE_B = np.array([0.1, -0.2])
DENSE_X = np.array([1.0, 0.5, -0.25])
register(
    "ex-08-dense-jacobian",
    compute=lambda: calculus.jacobian(lambda v: np.tanh(DENSE_W @ v + DENSE_B), DENSE_X),
    rtol=1e-6,
    atol=1e-8,
    about="the 2 x 3 Jacobian of y = tanh(Wx + b) with respect to x at the given point",
)

# --- ex-08-weight-gradient: the gradient of 1/2 ||Wx - t||^2 with respect to W
WEIGHT_W = np.array([[1.0, -1.0, 0.5], [0.0, 2.0, 1.0]])
WEIGHT_X = np.array([2.0, 1.0, -1.0])
WEIGHT_T = np.array([1.0, 0.0])
register(
    "ex-08-weight-gradient",
    compute=lambda: calculus.gradient(lambda M: 0.5 * np.sum((M @ WEIGHT_X - WEIGHT_T) ** 2), WEIGHT_W),
    rtol=1e-6,
    atol=1e-8,
    about="dL/dW for L = ||Wx - t||^2 / 2, a 2 x 3 matrix of the shape of W",
)

# --- ex-08-hessian-eigenvalues: classify the stationary point (1, 1) of w0^3 - 3 w0 w1 + w1^3
register(
    "ex-08-hessian-eigenvalues",
    compute=lambda: np.linalg.eigvalsh(
        calculus.hessian(lambda w: w[0] ** 3 - 3 * w[0] * w[1] + w[1] ** 3, np.array([1.0, 1.0]))
    ),
    rtol=1e-5,
    atol=1e-6,
    about="the eigenvalues of the Hessian at (1, 1), in increasing order",
)

# --- ex-08-newton-sqrt5: three Newton steps for sqrt(5) from 2
register(
    "ex-08-newton-sqrt5",
    compute=lambda: calculus.newton(lambda x: x * x - 5, 2.0).history[3],
    rtol=1e-12,
    about="the third Newton iterate for the root of x^2 - 5, starting from x0 = 2",
)

# --- ex-08-newton-step: one Newton step for minimisation, from (1, 0)
register(
    "ex-08-newton-step",
    compute=lambda: calculus.newton_minimize(
        lambda w: np.exp(w[0]) - w[0] + w[1] ** 2 + w[0] * w[1], np.array([1.0, 0.0])
    ).history[1],
    rtol=1e-6,
    atol=1e-8,
    about="the point after one Newton step for f(w) = exp(w0) - w0 + w1^2 + w0 w1 from (1, 0)",
)

# --- ex-08-hessian-memory: the size of a Hessian in float32
register(
    "ex-08-hessian-memory",
    compute=lambda: float(np.zeros((), dtype=np.float32).nbytes) * 1e6**2,
    rtol=1e-12,
    about="the bytes needed to store the Hessian of a model with one million float32 parameters",
)
