r"""Neural networks from scratch: parameters, layers, losses and networks (Chapters 9 and 10).

Everything a small network needs, written to be read and fast enough to train on real
data in seconds: every layer works on a whole minibatch at once, with matrix products,
and nothing loops over the examples of a batch in Python.

Conventions used by every layer, by the losses and by :mod:`dlmath.optim`
-------------------------------------------------------------------------

* **Batch first.** A layer maps ``x`` of shape ``(batch, ...)`` to an output of shape
  ``(batch, ...)``. Dense layers take ``(batch, features)``; convolution and pooling take
  images channels-first, ``(batch, channels, height, width)``.
* **Parameters.** A trainable array is a :class:`Parameter`: its ``value`` and the
  ``grad`` of the loss with respect to it, of the same shape and dtype. ``backward``
  **overwrites** ``grad`` (it does not accumulate), and optimizers update ``value`` in
  place (``p.value -= lr * p.grad``), so a layer always sees its current weights.
* **The layer protocol.** ``forward(x) -> out`` caches what the backward pass needs;
  ``backward(grad_out) -> grad_in`` receives :math:`\partial L/\partial\,\text{out}` and
  returns :math:`\partial L/\partial x`, filling the ``grad`` of the layer's parameters;
  ``parameters() -> list[Parameter]`` (empty for layers without weights). Calling a layer,
  ``layer(x)``, is ``layer.forward(x)``.
* **Losses** are functions returning ``(loss, grad)``: the loss as a Python float and its
  gradient with respect to the first argument (the network's output), ready for
  ``network.backward(grad)``. Every loss is a *mean* over the batch.
* **dtype.** A network computes in the dtype of its parameters (``dtype=np.float32`` or
  ``np.float64`` when it is built); its input is converted to that dtype once, and
  nothing is silently upcast after that: float32 in, float32 throughout.
* **Checks.** Input shapes are checked in O(1) by each layer (a dense layer fed the wrong
  number of features names both numbers). Finiteness is checked where it is cheap and
  telling: the input of :meth:`Sequential.forward`, the gradient entering
  :meth:`Sequential.backward`, and the loss (a NaN or infinite loss raises, with a hint).

One training step, the pattern the chapters and :mod:`dlmath.optim` use::

    net = Sequential(Dense(4, 16, rng=0), ReLU(), Dense(16, 3, rng=1))
    logits = net.forward(X_batch)
    loss, grad = softmax_cross_entropy(logits, y_batch)
    net.backward(grad)
    for p in net.parameters():
        p.value -= 0.1 * p.grad

Speed: a training step is a handful of matrix products plus a few elementwise passes,
with O(1) shape checks. Two things help with the small matrices of the course:
``backward(grad, input_grad=False)`` on a network skips the gradient with respect to the
data (one matrix product, or a col2im, fewer), and limiting BLAS to one thread
(``threadpoolctl.threadpool_limits(1, user_api="blas")``): on a busy or CPU-quota machine
(a shared server, Binder) multithreaded products of this size can be ten times slower.

The activation layers compute the functions of :mod:`dlmath.activations` (derived in
Chapter 7) and their derivatives in the form that chapter derives, e.g.
:math:`\sigma' = \sigma(1-\sigma)`; here they are written to keep the dtype and to avoid
temporary arrays, and ``tests/package/test_nn.py`` checks that both agree.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from dlmath.validation import as_array, as_rng, check_callable, check_int, check_number, describe

__all__ = [
    "Conv2D",
    "Dense",
    "Flatten",
    "INITIALIZERS",
    "Layer",
    "MaxPool2D",
    "Parameter",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Softmax",
    "Tanh",
    "col2im",
    "conv2d",
    "conv_output_size",
    "cross_entropy",
    "glorot_normal",
    "glorot_uniform",
    "gradient_check",
    "he_normal",
    "he_uniform",
    "im2col",
    "initialize",
    "lecun_normal",
    "mse",
    "softmax_cross_entropy",
    "summary",
]


class Parameter:
    """A trainable array ``value`` together with ``grad``, the loss's gradient with respect to it."""

    def __init__(self, value, name: str = ""):
        value = as_array(value, name or "value", dtype=np.result_type(np.asarray(value).dtype, np.float32))
        self.value = np.array(value)  # always a copy the parameter owns
        self.grad = np.zeros_like(self.value)
        self.name = name

    @property
    def shape(self) -> tuple[int, ...]:
        return self.value.shape

    def __repr__(self) -> str:
        return f"Parameter({self.name or '?'}: shape {self.value.shape}, dtype {self.value.dtype})"


# --- helpers --------------------------------------------------------------------------------


def _float_dtype(dtype, name: str = "dtype") -> np.dtype:
    """``dtype`` as a NumPy dtype, which must be float32 or float64."""
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{name} must be np.float32 or np.float64; got {describe(dtype)}") from None
    if dtype not in (np.float32, np.float64):
        raise TypeError(f"{name} must be np.float32 or np.float64; got {dtype}")
    return dtype


def _as_batch(x, name: str, dtype: np.dtype | None = None, *, finite: bool = False) -> np.ndarray:
    """``x`` as a float array (in ``dtype`` if given), cheaply: an array of the right dtype is not copied.

    Finiteness (an O(size) pass) is checked only when asked, which the network does once
    for its input.
    """
    if isinstance(x, np.ndarray) and x.dtype.kind == "f":
        if dtype is not None and x.dtype != dtype:
            x = x.astype(dtype)
        if finite and not np.isfinite(x).all():
            as_array(x, name, dtype=x.dtype)  # raises the course's message (how many NaN / inf)
        return x
    return as_array(x, name, dtype=dtype if dtype is not None else np.float64, finite=finite)


def _check_cached(layer, attribute: str) -> None:
    if getattr(layer, attribute, None) is None:
        raise RuntimeError(f"{type(layer).__name__}.backward was called before forward: run forward(x) first")


def _check_grad_shape(grad_out: np.ndarray, expected: tuple, layer) -> None:
    if grad_out.shape != expected:
        raise ValueError(
            f"grad_out of {type(layer).__name__}.backward must have the shape of the layer's last output "
            f"{expected}; got {grad_out.shape}"
        )


# --- weight initialisers ---------------------------------------------------------------------


def he_normal(shape, fan_in: int, fan_out: int | None = None, *, rng=None, dtype=np.float64) -> np.ndarray:
    r"""He (Kaiming) initialisation: normal with standard deviation :math:`\sqrt{2/n_\text{in}}`.

    Made for ReLU networks: a ReLU zeroes half of its inputs on average, and the factor 2
    makes up for it, so the variance of the activations stays about the same from layer
    to layer (He et al., 2015).
    """
    rng = as_rng(rng)
    fan_in = check_int(fan_in, "fan_in", low=1)
    return (rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)).astype(_float_dtype(dtype))


def he_uniform(shape, fan_in: int, fan_out: int | None = None, *, rng=None, dtype=np.float64) -> np.ndarray:
    r"""He initialisation, uniform: :math:`U(-a, a)` with :math:`a = \sqrt{6/n_\text{in}}` (variance :math:`2/n_\text{in}`)."""
    rng = as_rng(rng)
    fan_in = check_int(fan_in, "fan_in", low=1)
    limit = np.sqrt(6.0 / fan_in)
    return rng.uniform(-limit, limit, size=shape).astype(_float_dtype(dtype))


def glorot_uniform(shape, fan_in: int, fan_out: int, *, rng=None, dtype=np.float64) -> np.ndarray:
    r"""Glorot (Xavier) initialisation: :math:`U(-a, a)` with :math:`a = \sqrt{6/(n_\text{in}+n_\text{out})}`.

    Its variance :math:`2/(n_\text{in}+n_\text{out})` balances the forward pass (which wants
    :math:`1/n_\text{in}`) and the backward pass (which wants :math:`1/n_\text{out}`); made for
    sigmoid and tanh networks (Glorot and Bengio, 2010).
    """
    rng = as_rng(rng)
    fan_in = check_int(fan_in, "fan_in", low=1)
    fan_out = check_int(fan_out, "fan_out", low=1)
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=shape).astype(_float_dtype(dtype))


def glorot_normal(shape, fan_in: int, fan_out: int, *, rng=None, dtype=np.float64) -> np.ndarray:
    r"""Glorot initialisation, normal: standard deviation :math:`\sqrt{2/(n_\text{in}+n_\text{out})}`."""
    rng = as_rng(rng)
    fan_in = check_int(fan_in, "fan_in", low=1)
    fan_out = check_int(fan_out, "fan_out", low=1)
    return (rng.standard_normal(shape) * np.sqrt(2.0 / (fan_in + fan_out))).astype(_float_dtype(dtype))


def lecun_normal(shape, fan_in: int, fan_out: int | None = None, *, rng=None, dtype=np.float64) -> np.ndarray:
    r"""LeCun initialisation: normal with standard deviation :math:`\sqrt{1/n_\text{in}}`."""
    rng = as_rng(rng)
    fan_in = check_int(fan_in, "fan_in", low=1)
    return (rng.standard_normal(shape) * np.sqrt(1.0 / fan_in)).astype(_float_dtype(dtype))


#: The initialisers by name; ``"he"`` and ``"glorot"`` are short for the most used forms.
INITIALIZERS: dict[str, Callable] = {
    "he": he_normal,
    "he_normal": he_normal,
    "he_uniform": he_uniform,
    "glorot": glorot_uniform,
    "glorot_uniform": glorot_uniform,
    "glorot_normal": glorot_normal,
    "xavier": glorot_uniform,
    "lecun": lecun_normal,
    "lecun_normal": lecun_normal,
}


def initialize(init, shape, fan_in: int, fan_out: int, *, rng=None, dtype=np.float64) -> np.ndarray:
    """Initial weights of the given ``shape`` by the initialiser named ``init`` (see :data:`INITIALIZERS`).

    ``init`` may also be a function ``init(shape, fan_in, fan_out, rng=..., dtype=...)``.
    """
    if isinstance(init, str):
        if init not in INITIALIZERS:
            raise ValueError(f"init must be one of {', '.join(repr(k) for k in INITIALIZERS)} or a function; got {init!r}")
        init = INITIALIZERS[init]
    check_callable(init, "init")
    values = np.asarray(init(shape, fan_in, fan_out, rng=rng, dtype=dtype))
    if values.shape != tuple(shape):
        raise ValueError(f"init returned shape {values.shape}; expected {tuple(shape)}")
    return values.astype(dtype, copy=False)


# --- layers ----------------------------------------------------------------------------------


class Layer:
    """The base of every layer: ``forward``, ``backward``, ``parameters``; ``layer(x)`` calls ``forward``."""

    def forward(self, x):  # pragma: no cover - every layer overrides it
        raise NotImplementedError

    def backward(self, grad_out):  # pragma: no cover - every layer overrides it
        raise NotImplementedError

    def parameters(self) -> list[Parameter]:
        """The layer's trainable parameters (none by default)."""
        return []

    def multiply_adds(self, input_shape: tuple[int, ...]) -> int:
        """Multiply–add operations of the forward pass for ONE example of shape ``input_shape`` (0 by default)."""
        return 0

    def __call__(self, x):
        return self.forward(x)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Dense(Layer):
    r"""A fully connected layer, the affine map :math:`Y = XW + b`.

    Shapes: ``x`` is ``(batch, n_in)``, ``W`` is ``(n_in, n_out)``, ``b`` is ``(n_out,)``
    and the output ``(batch, n_out)``; row :math:`i` of the output is
    :math:`x_i^T W + b^T`. The backward pass, for :math:`G = \partial L/\partial Y`:

    .. math::
        \frac{\partial L}{\partial W} = X^T G, \qquad
        \frac{\partial L}{\partial b} = \textstyle\sum_i G_{i,:}, \qquad
        \frac{\partial L}{\partial X} = G W^T.

    Weights come from ``init`` (``"he"``, ``"glorot"``, ... see :data:`INITIALIZERS`) with
    ``rng``; biases start at 0.
    """

    def __init__(self, n_in: int, n_out: int, *, init="he", rng=None, dtype=np.float64):
        self.n_in = check_int(n_in, "n_in", low=1)
        self.n_out = check_int(n_out, "n_out", low=1)
        self.dtype = _float_dtype(dtype)
        weights = initialize(init, (self.n_in, self.n_out), self.n_in, self.n_out, rng=as_rng(rng), dtype=self.dtype)
        self.W = Parameter(weights, "W")
        self.b = Parameter(np.zeros(self.n_out, dtype=self.dtype), "b")
        self._x = None

    def forward(self, x):
        x = _as_batch(x, "x", self.dtype)
        if x.ndim != 2 or x.shape[1] != self.n_in:
            got = f"{x.shape[1]} features (shape {x.shape})" if x.ndim == 2 else f"shape {x.shape} ({x.ndim}-D)"
            raise ValueError(
                f"x of Dense({self.n_in}, {self.n_out}) must have shape (batch, {self.n_in}): "
                f"the layer expects {self.n_in} features; got {got}"
            )
        self._x = x
        out = x @ self.W.value
        out += self.b.value
        return out

    def backward(self, grad_out, *, input_grad: bool = True):
        """Fill ``W.grad`` and ``b.grad``; return dL/dx (or None with ``input_grad=False``, which saves a product)."""
        _check_cached(self, "_x")
        x = self._x
        grad_out = _as_batch(grad_out, "grad_out", self.dtype)
        _check_grad_shape(grad_out, (x.shape[0], self.n_out), self)
        np.matmul(x.T, grad_out, out=self.W.grad)
        np.sum(grad_out, axis=0, out=self.b.grad)
        return grad_out @ self.W.value.T if input_grad else None

    def parameters(self) -> list[Parameter]:
        return [self.W, self.b]

    def multiply_adds(self, input_shape) -> int:
        return self.n_in * self.n_out

    def __repr__(self) -> str:
        return f"Dense({self.n_in}, {self.n_out}, dtype={self.dtype.name})"


class Sigmoid(Layer):
    r"""The logistic sigmoid :math:`\sigma(z) = 1/(1+e^{-z})`, element by element.

    Backward: :math:`\partial L/\partial z = \partial L/\partial a \odot a(1-a)` with
    :math:`a = \sigma(z)`, the derivative of Chapter 7 written with the cached output.

    Computed as :math:`\sigma(z) = \tfrac12\big(1 + \tanh(z/2)\big)`, an identity
    (multiply :math:`1/(1+e^{-z})` by :math:`e^{z/2}/e^{z/2}`): tanh never overflows, the
    dtype is kept, and it is about three times faster than an exponential with a
    guard against overflow. Its absolute error is a few units of rounding (about
    :math:`10^{-16}` in float64), all a network needs.
    """

    def __init__(self):
        self._out = None

    def forward(self, x):
        x = _as_batch(x, "x")
        out = np.multiply(x, 0.5, dtype=x.dtype)
        np.tanh(out, out=out)
        out += 1.0
        out *= 0.5
        self._out = out
        return out

    def backward(self, grad_out):
        _check_cached(self, "_out")
        a = self._out
        grad_out = _as_batch(grad_out, "grad_out", a.dtype)
        _check_grad_shape(grad_out, a.shape, self)
        grad_in = 1.0 - a
        grad_in *= a
        grad_in *= grad_out
        return grad_in


class Tanh(Layer):
    r"""The hyperbolic tangent, element by element; backward: :math:`\partial L/\partial a \odot (1 - a^2)`."""

    def __init__(self):
        self._out = None

    def forward(self, x):
        x = _as_batch(x, "x")
        self._out = np.tanh(x)
        return self._out

    def backward(self, grad_out):
        _check_cached(self, "_out")
        a = self._out
        grad_out = _as_batch(grad_out, "grad_out", a.dtype)
        _check_grad_shape(grad_out, a.shape, self)
        grad_in = a * a
        np.subtract(1.0, grad_in, out=grad_in)
        grad_in *= grad_out
        return grad_in


class ReLU(Layer):
    r"""The rectified linear unit :math:`\max(0, z)`; backward passes the gradient where :math:`z > 0`.

    At :math:`z = 0` the derivative is taken to be 0, as in :func:`dlmath.activations.relu_derivative`.
    """

    def __init__(self):
        self._positive = None

    def forward(self, x):
        x = _as_batch(x, "x")
        self._positive = x > 0
        return np.maximum(x, 0, dtype=x.dtype)

    def backward(self, grad_out):
        _check_cached(self, "_positive")
        grad_out = _as_batch(grad_out, "grad_out")
        _check_grad_shape(grad_out, self._positive.shape, self)
        return grad_out * self._positive


class Softmax(Layer):
    r"""Softmax along the last axis: each row of scores becomes a probability vector.

    Backward, for one row with output :math:`s` and incoming gradient :math:`g`: the
    Jacobian :math:`\mathrm{diag}(s) - s s^T` times :math:`g`, which is
    :math:`s \odot (g - (g\cdot s)\,\mathbf 1)`, computed for the whole batch at once.
    For classification, prefer logits with :func:`softmax_cross_entropy`, which fuses both
    steps and is numerically safer.
    """

    def __init__(self):
        self._out = None

    def forward(self, x):
        x = _as_batch(x, "x")
        e = x - x.max(axis=-1, keepdims=True)
        np.exp(e, out=e)
        e /= e.sum(axis=-1, keepdims=True)
        self._out = e
        return e

    def backward(self, grad_out):
        _check_cached(self, "_out")
        s = self._out
        grad_out = _as_batch(grad_out, "grad_out", s.dtype)
        _check_grad_shape(grad_out, s.shape, self)
        dot = np.einsum("...k,...k->...", grad_out, s)[..., None]
        return s * (grad_out - dot)


class Flatten(Layer):
    """Reshape ``(batch, d1, d2, ...)`` to ``(batch, d1 * d2 * ...)``, e.g. feature maps into a dense layer."""

    def __init__(self):
        self._shape = None

    def forward(self, x):
        x = _as_batch(x, "x")
        if x.ndim < 2:
            raise ValueError(f"x of Flatten must have a batch axis and at least one more; got shape {x.shape}")
        self._shape = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, grad_out):
        _check_cached(self, "_shape")
        grad_out = _as_batch(grad_out, "grad_out")
        expected = (self._shape[0], int(np.prod(self._shape[1:])))
        _check_grad_shape(grad_out, expected, self)
        return grad_out.reshape(self._shape)


# --- convolution -----------------------------------------------------------------------------


def _pair(value, name: str, low: int) -> tuple[int, int]:
    """An int or a pair of ints (height, width), each at least ``low``."""
    if isinstance(value, (tuple, list)) and len(value) == 2:
        return check_int(value[0], f"{name}[0]", low=low), check_int(value[1], f"{name}[1]", low=low)
    if isinstance(value, (tuple, list)):
        raise ValueError(f"{name} must be an int or a pair (height, width); got {describe(value)}")
    value = check_int(value, name, low=low)
    return value, value


def conv_output_size(size: int, kernel: int, stride: int = 1, padding: int = 0) -> int:
    r"""The output length of a convolution along one axis: :math:`\lfloor (n + 2p - k)/s \rfloor + 1`.

    >>> conv_output_size(28, 3, stride=1, padding=1)
    28
    """
    size = check_int(size, "size", low=1)
    kernel = check_int(kernel, "kernel", low=1)
    stride = check_int(stride, "stride", low=1)
    padding = check_int(padding, "padding", low=0)
    if size + 2 * padding < kernel:
        raise ValueError(f"the kernel ({kernel}) is larger than the padded input ({size} + 2*{padding})")
    return (size + 2 * padding - kernel) // stride + 1


def im2col(x, kernel_size, *, stride=1, padding=0) -> np.ndarray:
    r"""Unfold every kernel-sized patch of a batch of images into one row of a matrix.

    ``x`` has shape ``(batch, channels, height, width)``. The result has shape
    ``(batch * out_h * out_w, channels * kh * kw)``: row ``(n, i, j)`` holds the patch
    :math:`x[n, :, s i : s i + k_h, s j : s j + k_w]` (of the zero-padded image), flattened.
    A convolution with ``C_out`` kernels is then ONE matrix product, ``cols @ K.T`` with the
    kernels as rows of ``K`` (shape ``(C_out, channels * kh * kw)``).

    The patches are views made by :func:`numpy.lib.stride_tricks.sliding_window_view`;
    only the final reshape copies.
    """
    x = _as_batch(x, "x")
    if x.ndim != 4:
        raise ValueError(f"x must have shape (batch, channels, height, width); got shape {x.shape} ({x.ndim}-D)")
    kh, kw = _pair(kernel_size, "kernel_size", 1)
    sh, sw = _pair(stride, "stride", 1)
    ph, pw = _pair(padding, "padding", 0)
    n, c, h, w = x.shape
    out_h, out_w = conv_output_size(h, kh, sh, ph), conv_output_size(w, kw, sw, pw)
    if ph or pw:
        x = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    windows = sliding_window_view(x, (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw][:, :, :out_h, :out_w]
    # (n, c, out_h, out_w, kh, kw) -> (n, out_h, out_w, c, kh, kw) -> rows
    return windows.transpose(0, 2, 3, 1, 4, 5).reshape(n * out_h * out_w, c * kh * kw)


def col2im(cols, input_shape, kernel_size, *, stride=1, padding=0) -> np.ndarray:
    r"""The adjoint of :func:`im2col`: add every row of ``cols`` back onto the patch it came from.

    Where patches overlap, their contributions add up; this is exactly what the gradient
    of a convolution with respect to its input needs. Returns an array of ``input_shape``
    ``(batch, channels, height, width)`` (the padding is cut off again). The loop runs
    over the :math:`k_h k_w` kernel offsets, never over examples.
    """
    cols = _as_batch(cols, "cols")
    n, c, h, w = (check_int(v, "input_shape", low=1) for v in input_shape)
    kh, kw = _pair(kernel_size, "kernel_size", 1)
    sh, sw = _pair(stride, "stride", 1)
    ph, pw = _pair(padding, "padding", 0)
    out_h, out_w = conv_output_size(h, kh, sh, ph), conv_output_size(w, kw, sw, pw)
    if cols.shape != (n * out_h * out_w, c * kh * kw):
        raise ValueError(f"cols must have shape {(n * out_h * out_w, c * kh * kw)} for input_shape {tuple(input_shape)}; got {cols.shape}")
    patches = cols.reshape(n, out_h, out_w, c, kh, kw).transpose(0, 3, 4, 5, 1, 2)  # (n, c, kh, kw, out_h, out_w)
    padded = np.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=cols.dtype)
    for a in range(kh):
        for b in range(kw):
            padded[:, :, a : a + sh * out_h : sh, b : b + sw * out_w : sw] += patches[:, :, a, b]
    return padded[:, :, ph : ph + h, pw : pw + w]


def conv2d(x, weight, bias=None, *, stride=1, padding=0) -> np.ndarray:
    r"""2-D convolution as deep-learning libraries define it (a cross-correlation), channels first.

    .. math::
        y[n, o, i, j] = b_o + \sum_{c}\sum_{a}\sum_{b'} w[o, c, a, b']\;
                        x_\text{pad}[n, c, s\,i + a, s\,j + b']

    ``x``: ``(batch, C_in, H, W)``; ``weight``: ``(C_out, C_in, k_h, k_w)``; ``bias``:
    ``(C_out,)`` or None. Output: ``(batch, C_out, H_out, W_out)`` with sizes from
    :func:`conv_output_size`. The kernel is NOT flipped; flipping it gives the convolution
    of mathematics (:func:`scipy.signal.convolve2d`). Computed with :func:`im2col` and one
    matrix product.
    """
    x = _as_batch(x, "x")
    weight = _as_batch(weight, "weight", x.dtype)
    if x.ndim != 4:
        raise ValueError(f"x must have shape (batch, channels, height, width); got shape {x.shape} ({x.ndim}-D)")
    if weight.ndim != 4:
        raise ValueError(f"weight must have shape (out_channels, in_channels, kh, kw); got shape {weight.shape}")
    if weight.shape[1] != x.shape[1]:
        raise ValueError(f"weight expects {weight.shape[1]} input channels but x has {x.shape[1]} (shape {x.shape})")
    out_c, _, kh, kw = weight.shape
    n, _, h, w = x.shape
    sh, sw = _pair(stride, "stride", 1)
    ph, pw = _pair(padding, "padding", 0)
    out_h, out_w = conv_output_size(h, kh, sh, ph), conv_output_size(w, kw, sw, pw)
    cols = im2col(x, (kh, kw), stride=(sh, sw), padding=(ph, pw))
    out = cols @ weight.reshape(out_c, -1).T
    if bias is not None:
        bias = _as_batch(bias, "bias", x.dtype)
        if bias.shape != (out_c,):
            raise ValueError(f"bias must have shape ({out_c},), one number per output channel; got {bias.shape}")
        out += bias
    return out.reshape(n, out_h, out_w, out_c).transpose(0, 3, 1, 2)


class Conv2D(Layer):
    r"""A convolution layer: ``out_channels`` kernels of shape ``(in_channels, kh, kw)``, plus a bias each.

    Forward: :func:`conv2d` (im2col and one matrix product). Backward, with
    :math:`G` the output gradient arranged as a ``(batch*H_out*W_out, C_out)`` matrix and
    ``cols`` the unfolded input:

    .. math::
        \frac{\partial L}{\partial K} = G^T\,\mathrm{cols}, \qquad
        \frac{\partial L}{\partial b} = \textstyle\sum_\text{rows} G, \qquad
        \frac{\partial L}{\partial x} = \mathrm{col2im}(G K),

    the dense layer's three formulas, applied to the patches. Weights: He initialisation
    with fan-in :math:`C_\text{in} k_h k_w` by default.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, *, stride=1, padding=0, init="he", rng=None, dtype=np.float64):
        self.in_channels = check_int(in_channels, "in_channels", low=1)
        self.out_channels = check_int(out_channels, "out_channels", low=1)
        self.kernel_size = _pair(kernel_size, "kernel_size", 1)
        self.stride = _pair(stride, "stride", 1)
        self.padding = _pair(padding, "padding", 0)
        self.dtype = _float_dtype(dtype)
        kh, kw = self.kernel_size
        fan_in, fan_out = self.in_channels * kh * kw, self.out_channels * kh * kw
        shape = (self.out_channels, self.in_channels, kh, kw)
        self.W = Parameter(initialize(init, shape, fan_in, fan_out, rng=as_rng(rng), dtype=self.dtype), "W")
        self.b = Parameter(np.zeros(self.out_channels, dtype=self.dtype), "b")
        self._cols = None
        self._x_shape = None

    def _output_hw(self, h: int, w: int) -> tuple[int, int]:
        (kh, kw), (sh, sw), (ph, pw) = self.kernel_size, self.stride, self.padding
        return conv_output_size(h, kh, sh, ph), conv_output_size(w, kw, sw, pw)

    def forward(self, x):
        x = _as_batch(x, "x", self.dtype)
        if x.ndim != 4 or x.shape[1] != self.in_channels:
            raise ValueError(
                f"x of Conv2D must have shape (batch, {self.in_channels}, height, width): the layer expects "
                f"{self.in_channels} input channel(s); got shape {x.shape}"
            )
        n, _, h, w = x.shape
        out_h, out_w = self._output_hw(h, w)
        self._cols = im2col(x, self.kernel_size, stride=self.stride, padding=self.padding)
        self._x_shape = x.shape
        out = self._cols @ self.W.value.reshape(self.out_channels, -1).T
        out += self.b.value
        return out.reshape(n, out_h, out_w, self.out_channels).transpose(0, 3, 1, 2)

    def backward(self, grad_out, *, input_grad: bool = True):
        """Fill ``W.grad`` and ``b.grad``; return dL/dx (or None with ``input_grad=False``, which skips col2im)."""
        _check_cached(self, "_cols")
        n, _, h, w = self._x_shape
        out_h, out_w = self._output_hw(h, w)
        grad_out = _as_batch(grad_out, "grad_out", self.dtype)
        _check_grad_shape(grad_out, (n, self.out_channels, out_h, out_w), self)
        g = grad_out.transpose(0, 2, 3, 1).reshape(-1, self.out_channels)  # (n*out_h*out_w, C_out)
        self.W.grad[...] = (g.T @ self._cols).reshape(self.W.shape)
        np.sum(g, axis=0, out=self.b.grad)
        if not input_grad:
            return None
        grad_cols = g @ self.W.value.reshape(self.out_channels, -1)
        return col2im(grad_cols, self._x_shape, self.kernel_size, stride=self.stride, padding=self.padding)

    def parameters(self) -> list[Parameter]:
        return [self.W, self.b]

    def multiply_adds(self, input_shape) -> int:
        _, h, w = input_shape
        out_h, out_w = self._output_hw(h, w)
        kh, kw = self.kernel_size
        return self.out_channels * out_h * out_w * self.in_channels * kh * kw

    def __repr__(self) -> str:
        return (
            f"Conv2D({self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}, padding={self.padding}, dtype={self.dtype.name})"
        )


class MaxPool2D(Layer):
    r"""Max pooling over non-overlapping ``size`` x ``size`` windows (stride = size), channels first.

    ``(batch, C, H, W)`` becomes ``(batch, C, H // size, W // size)``; rows and columns that
    do not fill a whole window are dropped, as in PyTorch. Backward: each window's
    gradient goes to the position of its maximum (the first one, if several tie), and
    every other position gets 0.
    """

    def __init__(self, size: int = 2):
        self.size = check_int(size, "size", low=1)
        self._argmax = None
        self._x_shape = None

    def forward(self, x):
        x = _as_batch(x, "x")
        if x.ndim != 4:
            raise ValueError(f"x of MaxPool2D must have shape (batch, channels, height, width); got shape {x.shape}")
        n, c, h, w = x.shape
        s = self.size
        if h < s or w < s:
            raise ValueError(f"x of MaxPool2D({s}) must be at least {s}x{s} pixels; got {h}x{w}")
        oh, ow = h // s, w // s
        windows = x[:, :, : oh * s, : ow * s].reshape(n, c, oh, s, ow, s).transpose(0, 1, 2, 4, 3, 5).reshape(n, c, oh, ow, s * s)
        self._argmax = windows.argmax(axis=-1)
        self._x_shape = x.shape
        return np.take_along_axis(windows, self._argmax[..., None], axis=-1)[..., 0]

    def backward(self, grad_out):
        _check_cached(self, "_argmax")
        n, c, h, w = self._x_shape
        s = self.size
        oh, ow = h // s, w // s
        grad_out = _as_batch(grad_out, "grad_out")
        _check_grad_shape(grad_out, (n, c, oh, ow), self)
        windows = np.zeros((n, c, oh, ow, s * s), dtype=grad_out.dtype)
        np.put_along_axis(windows, self._argmax[..., None], grad_out[..., None], axis=-1)
        grad_in = np.zeros(self._x_shape, dtype=grad_out.dtype)
        grad_in[:, :, : oh * s, : ow * s] = windows.reshape(n, c, oh, ow, s, s).transpose(0, 1, 2, 4, 3, 5).reshape(n, c, oh * s, ow * s)
        return grad_in

    def __repr__(self) -> str:
        return f"MaxPool2D({self.size})"


# --- networks --------------------------------------------------------------------------------


class Sequential(Layer):
    r"""Layers applied one after the other: :math:`f = f_L \circ \dots \circ f_1`.

    ``forward`` runs the layers in order; ``backward`` runs their backward passes in the
    opposite order, each receiving the gradient the next one returned: the chain rule,
    one layer at a time. ``parameters()`` lists every layer's parameters in order.
    """

    def __init__(self, *layers: Layer):
        if len(layers) == 1 and isinstance(layers[0], (list, tuple)):
            layers = tuple(layers[0])
        if not layers:
            raise ValueError("Sequential needs at least one layer")
        for i, layer in enumerate(layers):
            if not all(callable(getattr(layer, m, None)) for m in ("forward", "backward", "parameters")):
                raise TypeError(f"layers[{i}] must be a layer (with forward, backward and parameters); got {describe(layer)}")
        self.layers = list(layers)
        dtypes = {layer.dtype for layer in self.layers if getattr(layer, "dtype", None) is not None}
        if len(dtypes) > 1:
            raise ValueError(f"all layers must use the same dtype; got {sorted(d.name for d in dtypes)}")
        self.dtype = dtypes.pop() if dtypes else None

    def forward(self, x):
        """Run ``x`` (a batch) through every layer; its finiteness is checked here, once."""
        x = _as_batch(x, "x", self.dtype, finite=True)
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, grad_out, *, input_grad: bool = True):
        """Backpropagate ``grad_out`` = dL/d(output) through every layer; returns dL/d(input).

        Training never needs the gradient with respect to the data: ``input_grad=False``
        lets a first Dense or Conv2D layer skip computing it (and returns None).
        """
        grad = _as_batch(grad_out, "grad_out", self.dtype)
        if not np.isfinite(grad).all():
            raise ValueError(
                "grad_out must contain only finite numbers; found NaN or infinite values "
                "(the loss or the network's output has overflowed: try a smaller learning rate)"
            )
        first = self.layers[0]
        for layer in reversed(self.layers[1:]):
            grad = layer.backward(grad)
        if not input_grad and isinstance(first, (Dense, Conv2D, Sequential)):
            return first.backward(grad, input_grad=False)
        return first.backward(grad)

    def parameters(self) -> list[Parameter]:
        return [p for layer in self.layers for p in layer.parameters()]

    def predict_proba(self, x) -> np.ndarray:
        """Class probabilities, shape ``(batch, classes)``: softmax of the outputs (unless the last layer is a Softmax)."""
        out = self.forward(x)
        if isinstance(self.layers[-1], Softmax):
            return out
        out = out - out.max(axis=1, keepdims=True)
        np.exp(out, out=out)
        out /= out.sum(axis=1, keepdims=True)
        return out

    def predict(self, x) -> np.ndarray:
        """The most likely class of each example, shape ``(batch,)``."""
        return np.argmax(self.forward(x), axis=1)

    def multiply_adds(self, input_shape) -> int:
        return sum(row["multiply_adds"] for row in summary(self, input_shape))

    def __len__(self) -> int:
        return len(self.layers)

    def __getitem__(self, index):
        return self.layers[index]

    def __repr__(self) -> str:
        inner = ",\n  ".join(repr(layer) for layer in self.layers)
        return f"Sequential(\n  {inner}\n)"


def summary(network, input_shape) -> list[dict]:
    """One row per layer: its name, output shape, parameter count and multiply–adds for ONE example.

    ``input_shape`` is the shape of one example, without the batch axis (``(64,)`` for a
    digit, ``(1, 28, 28)`` for a grey image). A batch of one zero example is passed
    through the network to find the shapes.
    """
    layers = network.layers if isinstance(network, Sequential) else [network]
    input_shape = tuple(check_int(v, "input_shape", low=1) for v in input_shape)
    dtype = getattr(network, "dtype", None) or np.float64
    x = np.zeros((1, *input_shape), dtype=dtype)
    rows = []
    for layer in layers:
        shape_in = x.shape[1:]
        x = layer.forward(x)
        rows.append(
            {
                "layer": repr(layer).split("(")[0],
                "output_shape": x.shape[1:],
                "parameters": sum(p.value.size for p in layer.parameters()),
                "multiply_adds": layer.multiply_adds(shape_in),
            }
        )
    return rows


# --- losses ----------------------------------------------------------------------------------


def _labels(labels, n: int, n_classes: int) -> np.ndarray:
    """Integer class labels of length ``n``, each in ``0 .. n_classes - 1``."""
    y = np.asarray(labels)
    if y.ndim == 2 and y.shape == (n, n_classes):
        raise ValueError(
            f"labels must be integer class indices of shape ({n},); got a 2-D array of shape {y.shape} "
            "(one-hot rows? use labels.argmax(axis=1))"
        )
    if y.ndim != 1 or y.shape[0] != n:
        raise ValueError(f"labels must have shape ({n},), one class index per row of the scores; got shape {y.shape}")
    if y.dtype.kind not in "iu":
        if y.dtype.kind == "f" and np.all(np.isfinite(y)) and np.all(y == np.round(y)):
            y = y.astype(np.int64)
        else:
            raise TypeError(f"labels must be integer class indices; got dtype {y.dtype}")
    if y.size and (y.min() < 0 or y.max() >= n_classes):
        bad = int(np.flatnonzero((y < 0) | (y >= n_classes))[0])
        raise ValueError(
            f"labels must be between 0 and {n_classes - 1} (the scores have {n_classes} columns); "
            f"got label {int(y[bad])} at index {bad}"
        )
    return y


def _finite_loss(loss: float, what: str) -> float:
    if not np.isfinite(loss):
        raise ValueError(
            f"the loss is not finite: {what} contain NaN or infinite values, or have overflowed "
            "(a learning rate that is too large is the usual cause)"
        )
    return loss


def softmax_cross_entropy(logits, labels):
    r"""Cross-entropy of softmax(logits) against integer labels, averaged over the batch; and its gradient.

    With :math:`p = \mathrm{softmax}(z)` for each row :math:`z` of the ``(batch, k)`` logits and
    :math:`y` the label,

    .. math::
        L = \frac1n \sum_{i=1}^{n} \Big(\log\sum_j e^{z_{ij}} - z_{i y_i}\Big), \qquad
        \frac{\partial L}{\partial z_{ij}} = \frac{p_{ij} - [j = y_i]}{n}.

    The log-sum-exp is computed after subtracting each row's maximum, so large logits
    never overflow and the loss is never ``inf`` for a finite input. Returns
    ``(loss, grad)`` with ``grad`` of the logits' shape and dtype.
    """
    z = _as_batch(logits, "logits")
    if z.ndim != 2:
        raise ValueError(f"logits must have shape (batch, classes); got shape {z.shape} ({z.ndim}-D)")
    n, k = z.shape
    y = _labels(labels, n, k)
    if not np.isfinite(z).all():
        _finite_loss(float("nan"), "the logits")
    shifted = z - z.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    sums = exp.sum(axis=1, keepdims=True)
    rows = np.arange(n)
    loss = _finite_loss(float(np.log(sums).sum() - shifted[rows, y].sum()) / n, "the logits")
    grad = exp
    grad /= sums
    grad[rows, y] -= 1.0
    grad /= n
    return loss, grad


def cross_entropy(probs, labels):
    r"""Cross-entropy of predicted probabilities against integer labels, averaged over the batch.

    .. math::
        L = -\frac1n \sum_i \log p_{i y_i}, \qquad
        \frac{\partial L}{\partial p_{ij}} = -\frac{[j = y_i]}{n\,p_{ij}}.

    Use it after a :class:`Softmax` layer. A probability of exactly 0 for the true class
    gives an infinite loss, which raises; :func:`softmax_cross_entropy` on the logits avoids
    this (and is what to use for training).
    """
    p = _as_batch(probs, "probs")
    if p.ndim != 2:
        raise ValueError(f"probs must have shape (batch, classes); got shape {p.shape} ({p.ndim}-D)")
    n, k = p.shape
    if not np.isfinite(p).all() or (p < 0).any() or (p > 1).any():
        raise ValueError("probs must be probabilities between 0 and 1 (no NaN or inf)")
    y = _labels(labels, n, k)
    rows = np.arange(n)
    chosen = p[rows, y]
    if (chosen == 0).any():
        raise ValueError(
            f"probs gives probability 0 to the true class of {int((chosen == 0).sum())} example(s): the loss is infinite "
            "(use softmax_cross_entropy on the logits instead)"
        )
    loss = _finite_loss(float(-np.mean(np.log(chosen))), "probs")
    grad = np.zeros_like(p)
    grad[rows, y] = -1.0 / (n * chosen)
    return loss, grad


def mse(pred, target):
    r"""Mean squared error over every entry, and its gradient with respect to ``pred``.

    .. math::
        L = \frac1m \sum_{\text{entries}} (\hat y - y)^2, \qquad
        \frac{\partial L}{\partial \hat y} = \frac{2}{m}(\hat y - y),

    where :math:`m` is the number of entries (batch times outputs), as in PyTorch's
    ``MSELoss``. ``pred`` and ``target`` must have the same shape.
    """
    pred = _as_batch(pred, "pred")
    target = _as_batch(target, "target", pred.dtype)
    if pred.shape != target.shape:
        raise ValueError(f"pred and target must have the same shape; got {pred.shape} and {target.shape}")
    diff = pred - target
    with np.errstate(over="ignore"):  # an overflow is reported below, with a hint
        loss = _finite_loss(float(np.mean(diff * diff)), "the predictions or targets")
    diff *= 2.0 / diff.size
    return loss, diff


# --- gradient checking -----------------------------------------------------------------------


def gradient_check(model, x, target, loss=softmax_cross_entropy, *, eps: float = 1e-6, max_entries: int | None = None, rng=None, per_parameter: bool = False):
    r"""Compare backpropagation with central finite differences; return the largest relative error.

    For every parameter :math:`\theta` of ``model`` (and for the input ``x``), each checked
    entry is nudged both ways and the loss recomputed:

    .. math::
        \frac{\partial L}{\partial\theta_k} \approx \frac{L(\theta + \varepsilon e_k) - L(\theta - \varepsilon e_k)}{2\varepsilon},

    and the analytic gradient :math:`a` (from ``model.backward``) is compared with the
    numerical one :math:`g` by the relative error :math:`\|a - g\| / (\|a\| + \|g\|)`
    (0 when both are 0). Correct backpropagation in float64 gives about :math:`10^{-8}` or
    less; a mistake gives something near 1.

    Parameters
    ----------
    model : a layer or a :class:`Sequential` (anything with forward, backward, parameters)
    x : the input batch
    target : what ``loss`` compares the output with (labels, or an array for :func:`mse`)
    loss : a function ``loss(output, target) -> (value, grad)``
    eps : the finite-difference step
    max_entries : check at most this many randomly chosen entries of each array (all by default)
    rng : the generator that chooses those entries
    per_parameter : return a dict ``{"input": err, "0.W": err, "0.b": err, ...}`` (keyed by
        layer index and parameter name) instead of the maximum

    The model must compute in float64: finite differences in float32 lose about half the
    digits and cannot tell a bug from rounding.
    """
    for attribute in ("forward", "backward", "parameters"):
        if not callable(getattr(model, attribute, None)):
            raise TypeError(f"model must be a layer or network with forward, backward and parameters; got {describe(model)}")
    loss = check_callable(loss, "loss")
    eps = check_number(eps, "eps", low=0.0, low_inclusive=False)
    rng = as_rng(rng)
    if max_entries is not None:
        max_entries = check_int(max_entries, "max_entries", low=1)
    params = model.parameters()
    for p in params:
        if p.value.dtype != np.float64:
            raise ValueError(f"gradient_check needs float64 parameters; {p!r} is {p.value.dtype} (build the model with dtype=np.float64)")
    x = np.array(as_array(x, "x", dtype=np.float64))  # our own copy: its entries get nudged

    def total_loss(inp):
        value, _ = loss(model.forward(inp), target)
        return value

    value, grad_out = loss(model.forward(x), target)
    grad_x = np.asarray(model.backward(grad_out), dtype=np.float64)
    arrays = [("input", x, grad_x)]
    layers = model.layers if isinstance(model, Sequential) else [model]
    named = [(f"{i}.{p.name or 'param'}", p) for i, layer in enumerate(layers) for p in layer.parameters()]
    if len(named) != len(params):  # a model that is not made of layers: number its parameters
        named = [(f"{i}.{p.name or 'param'}", p) for i, p in enumerate(params)]
    for key, p in named:
        arrays.append((key, p.value, p.grad.copy()))

    errors = {}
    for key, array, analytic in arrays:
        flat = array.reshape(-1)  # a view: nudging it nudges the parameter (or the input)
        entries = np.arange(flat.size)
        if max_entries is not None and flat.size > max_entries:
            entries = np.sort(rng.choice(flat.size, size=max_entries, replace=False))
        numeric = np.empty(entries.size)
        for j, k in enumerate(entries):
            old = flat[k]
            flat[k] = old + eps
            plus = total_loss(x)
            flat[k] = old - eps
            minus = total_loss(x)
            flat[k] = old
            numeric[j] = (plus - minus) / (2 * eps)
        a = analytic.reshape(-1)[entries]
        denominator = np.linalg.norm(a) + np.linalg.norm(numeric)
        errors[key] = 0.0 if denominator == 0 else float(np.linalg.norm(a - numeric) / denominator)
    model.forward(x)  # leave the caches as they were after the analytic pass
    if per_parameter:
        return errors
    return max(errors.values())
