"""Answers to the exercises of Chapter 10, Backpropagation.

The derivatives are computed by routes other than backpropagation: symbolically with
SymPy, numerically with SciPy, or by explicit loops.
"""

import numpy as np

from dlmath.exercises import register


def _graph_gradient():
    import sympy as sp

    x, y, z = sp.symbols("x y z")
    f = (x + 2 * y) * z**2
    point = {x: 1, y: -1, z: 3}
    return np.array([float(sp.diff(f, v).subs(point)) for v in (x, y, z)])


def _bce_derivative():
    import sympy as sp

    z = sp.symbols("z")
    sigma = 1 / (1 + sp.exp(-z))
    loss = -sp.Rational(3, 10) * sp.log(sigma) - sp.Rational(7, 10) * sp.log(1 - sigma)
    return sp.lambdify(z, sp.simplify(sp.diff(loss, z)), "numpy")


_BCE_DERIVATIVE = None


def _bce_reference(z):
    global _BCE_DERIVATIVE
    if _BCE_DERIVATIVE is None:
        _BCE_DERIVATIVE = _bce_derivative()
    return _BCE_DERIVATIVE(z)


def _tanh_layer_gradient():
    import sympy as sp

    w = sp.Matrix(3, 2, sp.symbols("w0:6"))
    x = sp.Matrix([1, -2, sp.Rational(1, 2)])
    t = sp.Matrix([sp.Rational(1, 2), -sp.Rational(1, 2)])
    a = (w.T * x).applyfunc(sp.tanh)
    loss = sum((a - t).applyfunc(lambda e: e**2)) / 2
    values = dict(zip(w, [0.1, -0.2, 0.3, 0.4, -0.5, 0.2]))
    return np.array([[float(sp.diff(loss, w[i, j]).subs(values)) for j in range(2)] for i in range(3)])


def _mse_gradient():
    from scipy.optimize import approx_fprime

    X = np.array([[1.0, 2], [0, 1], [2, -1], [1, 0]])
    y = np.array([3.0, 1, 1, 2])
    loss = lambda w: np.mean((X @ w - y) ** 2)  # noqa: E731
    w = np.array([0.5, 1.0])
    # the mean of a forward and a backward difference is a central difference: exact for a quadratic
    return (approx_fprime(w, loss, 1e-5) + approx_fprime(w, loss, -1e-5)) / 2


def _softmax_ce_gradient():
    import sympy as sp

    z = sp.symbols("z0:3")
    loss = sp.log(sum(sp.exp(v) for v in z)) - z[2]
    point = dict(zip(z, [1, 2, sp.Rational(1, 2)]))
    return np.array([float(sp.diff(loss, v).subs(point)) for v in z])


def _conv1d_kernel_gradient():
    from scipy.linalg import hankel

    x = np.array([1.0, 2, -1, 0, 3])
    g = np.array([1.0, 0, -1])
    # y = H k with H[i, j] = x[i + j] (a Hankel matrix), so dL/dk = H^T g
    H = hankel(x[:3], x[2:])
    return H.T @ g


def _maxpool_gradient():
    A = np.array([[1.0, 5, 2, 0], [3, 4, 8, 1], [0, 2, 7, 6], [9, 1, 3, 3]])
    G = np.array([[1.0, 2], [3, 4]])
    grad = np.zeros_like(A)
    for i in range(2):
        for j in range(2):
            window = A[2 * i : 2 * i + 2, 2 * j : 2 * j + 2]
            r, c = np.unravel_index(np.argmax(window), window.shape)
            grad[2 * i + r, 2 * j + c] = G[i, j]
    return grad


def _softplus_derivative():
    from scipy.special import expit

    return float(expit(0.5))


def _square_derivative():
    import sympy as sp

    x = sp.symbols("x")
    return float(sp.diff(x * x, x).subs(x, 3))


register("ex-10-graph", compute=_graph_gradient, about="the gradient (df/dx, df/dy, df/dz) at (1, -1, 3)")
register(
    "ex-10-sigmoid-bce",
    function=_bce_reference,
    points=[-3.0, -0.5, 0.0, 1.2, 4.0],
    rtol=1e-8,
    atol=1e-10,
    about="a function z -> d(loss)/dz for the target t = 0.3",
)
register("ex-10-tanh-layer", compute=_tanh_layer_gradient, about="dL/dW, shape (3, 2)")
register("ex-10-mse-linear", compute=_mse_gradient, rtol=1e-7, atol=1e-8, about="the gradient of the MSE at w = (0.5, 1)")
register("ex-10-softmax-ce", compute=_softmax_ce_gradient, about="dL/dz for logits (1, 2, 0.5) and class 2")
register("ex-10-conv1d-grad", compute=_conv1d_kernel_gradient, about="dL/dk, shape (3,)")
register("ex-10-maxpool-grad", compute=_maxpool_gradient, about="dL/dA, shape (4, 4)")
register("ex-10-softplus-engine", compute=_softplus_derivative, about="the derivative of softplus at 0.5")
register("ex-10-two-paths", compute=_square_derivative, about="the correct d(x * x)/dx at x = 3")
