r"""Activation functions and their derivatives, derived by hand in Chapter 7.

Each function works element by element on arrays of any shape (softmax works along an
axis). Each derivative is written in the form the chapter derives, which is also the
form backpropagation uses (Chapter 10): the derivative of the sigmoid is expressed with
the sigmoid itself, and so on.

=================  ==================================  ===============================================
function           value                               derivative
=================  ==================================  ===============================================
sigmoid            :math:`\sigma(x) = 1/(1+e^{-x})`    :math:`\sigma(x)\,(1-\sigma(x))`, at most 1/4
tanh               :math:`\tanh x`                     :math:`1-\tanh^2 x`
ReLU               :math:`\max(0, x)`                  1 for x > 0, 0 for x < 0 (we use 0 at x = 0)
leaky ReLU         :math:`x` if x > 0 else :math:`a x` 1 for x > 0, a for x < 0 (a at x = 0)
softplus           :math:`\log(1+e^x)`                 :math:`\sigma(x)`
=================  ==================================  ===============================================

Softmax turns a vector of scores into probabilities,
:math:`\mathrm{softmax}(z)_i = e^{z_i} / \sum_j e^{z_j}`; its Jacobian is
:math:`\partial s_i/\partial z_j = s_i(\delta_{ij} - s_j)`, i.e. ``diag(s) - s s^T``.

The code is written to be numerically stable: no overflow for large inputs, no NaN.
"""

from __future__ import annotations

import numpy as np

from dlmath.validation import as_array, check_int, check_number

__all__ = [
    "leaky_relu",
    "leaky_relu_derivative",
    "log_softmax",
    "relu",
    "relu_derivative",
    "sigmoid",
    "sigmoid_derivative",
    "softmax",
    "softmax_jacobian",
    "softplus",
    "softplus_derivative",
    "tanh",
    "tanh_derivative",
]


def _result(x_in, value):
    """Return a Python float for a scalar input, an array otherwise."""
    return float(value) if np.ndim(x_in) == 0 else value


def _floats(x, name: str, **checks) -> np.ndarray:
    """``x`` as an array of floats, keeping float32 as float32 (other numbers become float64)."""
    dtype = x.dtype if isinstance(x, np.ndarray) and x.dtype.kind == "f" else np.float64
    return as_array(x, name, dtype=dtype, **checks)


def sigmoid(x):
    r"""The logistic sigmoid :math:`\sigma(x) = 1 / (1 + e^{-x})`, squashing any number into (0, 1).

    Computed from :math:`e = e^{-|x|} \le 1`, which never overflows: :math:`\sigma(|x|) = 1/(1+e)`,
    and for negative :math:`x`, :math:`\sigma(x) = e/(1+e) = e\,\sigma(|x|)`, accurate even
    where :math:`\sigma(x)` is tiny. float32 input stays float32.

    >>> sigmoid(0.0)
    0.5
    """
    z = _floats(x, "x")
    flat = z.reshape(-1)  # a 1-D view, so the in-place step below works for a single number too
    e = np.exp(-np.abs(flat))
    out = 1.0 / (1.0 + e)  # sigma(|z|)
    np.multiply(out, e, out=out, where=flat < 0)  # sigma(z) = e * sigma(|z|) for z < 0
    out = out.reshape(z.shape)
    return _result(x, out)


def sigmoid_derivative(x):
    r""":math:`\sigma'(x) = \sigma(x)(1 - \sigma(x))`; its largest value is 1/4, at x = 0.

    >>> sigmoid_derivative(0.0)
    0.25
    """
    s = np.asarray(sigmoid(x))
    return _result(x, s * (1.0 - s))


def tanh(x):
    r"""The hyperbolic tangent :math:`\tanh x = (e^x - e^{-x})/(e^x + e^{-x}) = 2\sigma(2x) - 1`, in (-1, 1)."""
    return _result(x, np.tanh(_floats(x, "x")))


def tanh_derivative(x):
    r""":math:`\tanh'(x) = 1 - \tanh^2 x`; its largest value is 1, at x = 0."""
    t = np.tanh(_floats(x, "x"))
    return _result(x, 1.0 - t * t)


def relu(x):
    r"""The rectified linear unit :math:`\max(0, x)`."""
    return _result(x, np.maximum(_floats(x, "x"), 0.0))


def relu_derivative(x):
    r"""1 where x > 0 and 0 where x < 0.

    ReLU has no derivative at 0 (the slopes from the left and the right differ); like
    PyTorch and TensorFlow we use 0 there, a valid subgradient.
    """
    return _result(x, (_floats(x, "x") > 0).astype(float))


def leaky_relu(x, alpha: float = 0.01):
    r"""Leaky ReLU: x for x > 0 and :math:`\alpha x` otherwise, so negative inputs keep a small slope."""
    alpha = check_number(alpha, "alpha", low=0.0)
    z = _floats(x, "x")
    return _result(x, np.where(z > 0, z, alpha * z))


def leaky_relu_derivative(x, alpha: float = 0.01):
    r"""1 for x > 0 and :math:`\alpha` otherwise (we use :math:`\alpha` at x = 0)."""
    alpha = check_number(alpha, "alpha", low=0.0)
    return _result(x, np.where(_floats(x, "x") > 0, 1.0, alpha))


def softplus(x):
    r"""Softplus :math:`\log(1 + e^{x})`, a smooth ReLU; computed as ``logaddexp(0, x)`` to avoid overflow."""
    return _result(x, np.logaddexp(0.0, _floats(x, "x")))


def softplus_derivative(x):
    r"""The derivative of softplus is the sigmoid: :math:`\frac{d}{dx}\log(1+e^x) = e^x/(1+e^x) = \sigma(x)`."""
    return sigmoid(x)


def _axis(axis, ndim: int) -> int:
    """Check that ``axis`` names an axis of an array with ``ndim`` dimensions."""
    axis = check_int(axis, "axis")
    if not -ndim <= axis < ndim:
        raise ValueError(f"axis must be between {-ndim} and {ndim - 1} for z with {ndim} dimension(s); got {axis}")
    return axis


def softmax(z, axis: int = -1):
    r"""Softmax along ``axis``: :math:`s_i = e^{z_i - m} / \sum_j e^{z_j - m}` with :math:`m = \max_j z_j`.

    Subtracting the maximum changes nothing mathematically (it cancels between the numerator
    and the denominator) but keeps every exponent at most 0, so nothing overflows.
    For a batch of score rows ``z`` of shape (n, k), each row becomes a probability vector.
    """
    z = _floats(z, "z", ndim=(1, 2, 3, 4))
    axis = _axis(axis, z.ndim)
    e = z - z.max(axis=axis, keepdims=True)
    np.exp(e, out=e)
    e /= e.sum(axis=axis, keepdims=True)
    return e


def log_softmax(z, axis: int = -1):
    r"""The logarithm of softmax, computed directly: :math:`z_i - m - \log\sum_j e^{z_j - m}`.

    This is what cross-entropy needs; taking ``np.log(softmax(z))`` instead gives -inf when
    a probability underflows to 0.
    """
    z = _floats(z, "z", ndim=(1, 2, 3, 4))
    axis = _axis(axis, z.ndim)
    shifted = z - z.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def softmax_jacobian(z):
    r"""The Jacobian of softmax at a score vector ``z`` (shape (k,)): :math:`J = \mathrm{diag}(s) - s s^T`.

    Entry (i, j) is :math:`\partial s_i / \partial z_j = s_i(\delta_{ij} - s_j)` (numerator
    layout: row i is output i, column j is input j; Chapter 8). The matrix is symmetric, and
    every row and column sums to 0 because the outputs always sum to 1.

    For a batch of score rows ``z`` of shape (n, k) the result has shape (n, k, k): one
    Jacobian per row.
    """
    z = as_array(z, "z", ndim=(1, 2))
    s = softmax(z)
    return s[..., :, None] * np.eye(s.shape[-1]) - s[..., :, None] * s[..., None, :]
