r"""Neural networks from scratch: parameters, layers, losses and networks (Chapters 9, 10 and 13).

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
Chapter 7; they keep float32 as float32), and their derivatives in the form that chapter
derives, e.g. :math:`\sigma' = \sigma(1-\sigma)` from the cached output. ``Sigmoid`` alone
has its own, faster formula, :math:`\sigma(x) = (1 + \tanh(x/2))/2` (training speed);
``tests/package/test_nn.py`` checks every layer against ``dlmath.activations`` and finite
differences.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from dlmath import activations
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
        # sigma(x) = (1 + tanh(x/2)) / 2: four in-place passes, 4x faster than the exp form of
        # dlmath.activations.sigmoid, whose extra care for tiny values a hidden layer does not need
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
        self._out = activations.softmax(_as_batch(x, "x"), axis=-1)
        return self._out

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
    seen: dict[str, int] = {}
    for key, p in named:
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > 1:  # two parameters of one layer share a name: keep both results
            key = f"{key}#{seen[key]}"
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


# --- attention and transformers (Chapter 13) ---------------------------------------------------
#
# Sequences are batch first, like everything above: a batch of sequences of vectors has shape
# ``(batch, positions, features)`` and a layer multiplies on the right, ``X @ W`` (Chapters 9
# and 10). Gradients have the shape of their variable, and Jacobians, where the docstrings
# write them, are in numerator layout (Chapter 8).

__all__ += [
    "Embedding",
    "LayerNorm",
    "MultiHeadAttention",
    "PositionWise",
    "PositionalEncoding",
    "TransformerBlock",
    "attention_backward",
    "causal_mask",
    "scaled_dot_product_attention",
    "sinusoidal_positions",
]


def causal_mask(n_positions: int) -> np.ndarray:
    r"""The mask of a left-to-right (GPT-style) model: position :math:`i` may look at :math:`j \le i`.

    A boolean ``(n_positions, n_positions)`` array, True on and below the diagonal, where a
    query may attend, and False above it, where it would see the future:

    >>> causal_mask(3).astype(int)
    array([[1, 0, 0],
           [1, 1, 0],
           [1, 1, 1]])

    The same convention as ``torch.nn.functional.scaled_dot_product_attention`` (True = take
    part in attention). Note that ``torch.nn.MultiheadAttention`` uses the opposite one
    (True = masked out).
    """
    n_positions = check_int(n_positions, "n_positions", low=1)
    return np.tri(n_positions, dtype=bool)


def _attention_mask(mask, scores_shape: tuple) -> np.ndarray:
    """``mask`` as a boolean array that broadcasts against the scores, with every query seeing some key."""
    if not isinstance(mask, np.ndarray) or mask.dtype != bool:
        raise TypeError(
            "mask must be a boolean array (True where a query may attend to a key), such as causal_mask(T); "
            f"got {describe(mask)}"
        )
    try:
        shape = np.broadcast_shapes(mask.shape, scores_shape)
    except ValueError:
        shape = None
    if shape != scores_shape:
        raise ValueError(
            f"mask must broadcast to the shape of the scores {scores_shape} (queries x keys last); got shape {mask.shape}"
        )
    if not mask.any(axis=-1).all():
        raise ValueError(
            "mask hides every key from some query (a row of the mask is all False): "
            "its softmax would divide 0 by 0; let every query see at least one key"
        )
    return mask


def _softmax_rows(scores: np.ndarray) -> np.ndarray:
    """Softmax along the last axis, in place, after subtracting each row's maximum (so -inf entries give 0)."""
    scores -= scores.max(axis=-1, keepdims=True)
    np.exp(scores, out=scores)
    scores /= scores.sum(axis=-1, keepdims=True)
    return scores


def _attention(Q, K, V, mask):
    """Scaled dot-product attention without input checks (used by the layers); returns (out, weights)."""
    scores = Q @ np.swapaxes(K, -1, -2)
    scores *= 1.0 / np.sqrt(Q.shape[-1])
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    weights = _softmax_rows(scores)
    return weights @ V, weights


def _attention_grads(grad_out, Q, K, V, weights):
    """The three gradients of attention (see :func:`attention_backward`), without input checks."""
    A = weights
    grad_V = np.swapaxes(A, -1, -2) @ grad_out
    grad_A = grad_out @ np.swapaxes(V, -1, -2)
    # softmax backward, row by row: dS = A * (dA - rowsum(dA * A))
    grad_S = grad_A
    grad_S -= np.einsum("...ij,...ij->...i", grad_A, A)[..., None]
    grad_S *= A
    grad_S *= 1.0 / np.sqrt(Q.shape[-1])
    grad_Q = grad_S @ K
    grad_K = np.swapaxes(grad_S, -1, -2) @ Q
    return grad_Q, grad_K, grad_V


def _qkv(Q, K, V) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Check and convert queries, keys and values: (..., T_q, d_k), (..., T_k, d_k), (..., T_k, d_v)."""
    Q = _as_batch(Q, "Q", finite=True)
    K = _as_batch(K, "K", Q.dtype, finite=True)
    V = _as_batch(V, "V", Q.dtype, finite=True)
    for name, array in (("Q", Q), ("K", K), ("V", V)):
        if array.ndim < 2:
            raise ValueError(f"{name} must have at least 2 dimensions (..., positions, features); got shape {array.shape}")
    if Q.shape[:-2] != K.shape[:-2] or Q.shape[:-2] != V.shape[:-2]:
        raise ValueError(
            "Q, K and V must have the same leading (batch, head) axes; "
            f"got shapes {Q.shape}, {K.shape} and {V.shape}"
        )
    if Q.shape[-1] != K.shape[-1]:
        raise ValueError(
            f"Q and K must have the same number of features (their dot products are the scores); "
            f"got Q {Q.shape} and K {K.shape}"
        )
    if K.shape[-2] != V.shape[-2]:
        raise ValueError(f"K and V must have one row per key, the same number; got K {K.shape} and V {V.shape}")
    return Q, K, V


def scaled_dot_product_attention(Q, K, V, mask=None):
    r"""Scaled dot-product attention: every query takes a weighted average of the values.

    .. math::
        S = \frac{Q K^T}{\sqrt{d_k}}, \qquad
        A = \operatorname{softmax}_\text{rows}(S), \qquad
        \operatorname{Attention}(Q, K, V) = A V .

    Shapes (any leading batch or head axes ``...`` must be the same for all three):
    ``Q`` is ``(..., T_q, d_k)``, one query per row; ``K`` is ``(..., T_k, d_k)`` and ``V``
    is ``(..., T_k, d_v)``, one key and one value per row. The scores ``S`` and the
    weights ``A`` are ``(..., T_q, T_k)``; each row of ``A`` is a probability vector, and
    the output ``A V`` is ``(..., T_q, d_v)``.

    ``mask`` (optional) is a boolean array that broadcasts to ``(..., T_q, T_k)``: where it
    is False the score is set to :math:`-\infty`, so that key gets weight exactly 0 (see
    :func:`causal_mask`). Every query must keep at least one key.

    Dividing by :math:`\sqrt{d_k}` keeps the variance of the scores near 1 when the
    entries of the queries and keys have variance 1 (a dot product of :math:`d_k` terms
    has variance :math:`d_k`), so the softmax does not saturate as :math:`d_k` grows.

    Returns ``(output, weights)``. Same as ``torch.nn.functional.scaled_dot_product_attention``
    (which returns only the output).
    """
    Q, K, V = _qkv(Q, K, V)
    if mask is not None:
        mask = _attention_mask(mask, Q.shape[:-1] + (K.shape[-2],))
    return _attention(Q, K, V, mask)


def attention_backward(grad_out, Q, K, V, weights):
    r"""The gradients of a loss with respect to ``Q``, ``K`` and ``V``, given :math:`G = \partial L/\partial O`.

    With :math:`O = AV`, :math:`A = \operatorname{softmax}_\text{rows}(S)` and
    :math:`S = QK^T/\sqrt{d_k}` (see :func:`scaled_dot_product_attention`, which returns
    ``weights`` = :math:`A`), the chain rule of Chapter 8 gives, matrix by matrix,

    .. math::
        \frac{\partial L}{\partial V} = A^T G, \qquad
        \frac{\partial L}{\partial A} = G V^T, \qquad
        \frac{\partial L}{\partial S} = A \odot \Big(\frac{\partial L}{\partial A}
            - \big(\tfrac{\partial L}{\partial A} \odot A\big)\mathbf 1\,\mathbf 1^T\Big),

    .. math::
        \frac{\partial L}{\partial Q} = \frac{1}{\sqrt{d_k}} \frac{\partial L}{\partial S} K, \qquad
        \frac{\partial L}{\partial K} = \frac{1}{\sqrt{d_k}} \Big(\frac{\partial L}{\partial S}\Big)^T Q .

    The third line is the softmax Jacobian :math:`\operatorname{diag}(a) - a a^T` applied to
    every row. Masked entries have :math:`A = 0`, so their gradient is 0 too. Every
    gradient has the shape of its variable. Returns ``(grad_Q, grad_K, grad_V)``.
    """
    Q, K, V = _qkv(Q, K, V)
    A = _as_batch(weights, "weights", Q.dtype)
    expected = Q.shape[:-1] + (K.shape[-2],)
    if A.shape != expected:
        raise ValueError(f"weights must have the shape of the attention weights {expected} (queries x keys); got {A.shape}")
    grad_out = _as_batch(grad_out, "grad_out", Q.dtype, finite=True)
    if grad_out.shape != Q.shape[:-1] + (V.shape[-1],):
        raise ValueError(f"grad_out must have the shape of the attention output {Q.shape[:-1] + (V.shape[-1],)}; got {grad_out.shape}")
    return _attention_grads(grad_out, Q, K, V, A)


def _sequences(x, name: str, d: int, layer, dtype) -> np.ndarray:
    """``x`` as a ``(batch, positions, d)`` float array, or an error that names the layer."""
    x = _as_batch(x, name, dtype)
    if x.ndim != 3 or x.shape[-1] != d:
        got = f"{x.shape[-1]} features (shape {x.shape})" if x.ndim == 3 else f"shape {x.shape} ({x.ndim}-D)"
        raise ValueError(f"{name} of {layer} must have shape (batch, positions, {d}); got {got}")
    return x


class MultiHeadAttention(Layer):
    r"""Multi-head self-attention over a batch of sequences, ``(batch, T, d_model)`` to the same shape.

    With :math:`h` heads of width :math:`d_h = d_\text{model}/h`, for each sequence
    :math:`X` (one position per row):

    .. math::
        Q = X W_Q + b_Q, \quad K = X W_K, \quad V = X W_V + b_V, \qquad
        \text{(each } T \times d_\text{model}\text{, then split into } h \text{ blocks of } d_h \text{ columns)},

    .. math::
        H_j = \operatorname{Attention}(Q_j, K_j, V_j), \qquad
        Y = [H_1 \, \cdots \, H_h]\, W_O + b_O .

    All heads of all sequences are computed at once, as a batch of ``(batch, h)``
    attention problems (see :func:`scaled_dot_product_attention`); ``backward`` uses
    :func:`attention_backward` and the dense layer's formulas for the four projections.
    The weights of the last forward pass are kept in ``self.weights``, shape
    ``(batch, h, T, T)``, for plotting.

    ``causal=True`` applies :func:`causal_mask`, so that position :math:`i` sees only
    positions :math:`j \le i`; ``forward(x, mask=...)`` accepts another boolean mask
    (True = may attend) of shape ``(T, T)`` or ``(batch, T, T)``.

    The parametrisation is that of ``torch.nn.MultiheadAttention(d_model, n_heads,
    batch_first=True)``: its ``in_proj_weight`` stacks :math:`W_Q^T, W_K^T, W_V^T` and its
    ``out_proj.weight`` is :math:`W_O^T` (PyTorch multiplies on the left). PyTorch also
    has a key bias :math:`b_K`; it adds :math:`q \cdot b_K` to every score of a row, which
    the softmax ignores, so it never changes the output and we leave it out.
    """

    def __init__(self, d_model: int, n_heads: int = 1, *, causal: bool = False, init="glorot", rng=None, dtype=np.float64):
        self.d_model = check_int(d_model, "d_model", low=1)
        self.n_heads = check_int(n_heads, "n_heads", low=1)
        if self.d_model % self.n_heads:
            raise ValueError(f"d_model ({self.d_model}) must be divisible by n_heads ({self.n_heads}): each head gets d_model / n_heads features")
        if not isinstance(causal, (bool, np.bool_)):
            raise TypeError(f"causal must be True or False; got {describe(causal)}")
        self.causal = bool(causal)
        self.dtype = _float_dtype(dtype)
        rng = as_rng(rng)
        d = self.d_model
        for name in ("q", "k", "v", "o"):
            weights = initialize(init, (d, d), d, d, rng=rng, dtype=self.dtype)
            setattr(self, f"W_{name}", Parameter(weights, f"W_{name}"))
        # no key bias: adding one vector to every key adds a constant to each row of scores,
        # which the softmax ignores, so b_K would never change the output (its gradient is 0)
        self.b_k = None
        for name in ("q", "v", "o"):
            setattr(self, f"b_{name}", Parameter(np.zeros(d, dtype=self.dtype), f"b_{name}"))
        self.weights = None
        self._cache = None

    def _split(self, Z: np.ndarray) -> np.ndarray:
        """(batch, T, d_model) -> (batch, heads, T, d_head)."""
        n, t, _ = Z.shape
        return Z.reshape(n, t, self.n_heads, -1).transpose(0, 2, 1, 3)

    def _merge(self, Z: np.ndarray) -> np.ndarray:
        """(batch, heads, T, d_head) -> (batch, T, d_model): the heads side by side."""
        n, _, t, _ = Z.shape
        return Z.transpose(0, 2, 1, 3).reshape(n, t, self.d_model)

    def forward(self, x, mask=None):
        x = _sequences(x, "x", self.d_model, repr(self), self.dtype)
        n, t, d = x.shape
        full = None
        if self.causal:
            full = causal_mask(t)
        if mask is not None:
            if not isinstance(mask, np.ndarray) or mask.dtype != bool or mask.shape not in ((t, t), (n, t, t)):
                raise ValueError(f"mask of {self!r} must be a boolean array of shape ({t}, {t}) or ({n}, {t}, {t}); got {describe(mask)}")
            full = mask if full is None else mask & full
        if full is not None:
            full = _attention_mask(full[:, None] if full.ndim == 3 else full, (n, self.n_heads, t, t))
        rows = x.reshape(-1, d)
        Q = self._split((rows @ self.W_q.value + self.b_q.value).reshape(n, t, d))
        K = self._split((rows @ self.W_k.value).reshape(n, t, d))
        V = self._split((rows @ self.W_v.value + self.b_v.value).reshape(n, t, d))
        heads, weights = _attention(Q, K, V, full)
        concat = self._merge(heads).reshape(-1, d)
        out = concat @ self.W_o.value
        out += self.b_o.value
        self.weights = weights
        self._cache = (rows, Q, K, V, weights, concat, (n, t, d))
        return out.reshape(n, t, d)

    def backward(self, grad_out):
        _check_cached(self, "_cache")
        rows, Q, K, V, weights, concat, shape = self._cache
        grad_out = _as_batch(grad_out, "grad_out", self.dtype)
        _check_grad_shape(grad_out, shape, self)
        G = grad_out.reshape(-1, self.d_model)
        np.matmul(concat.T, G, out=self.W_o.grad)
        np.sum(G, axis=0, out=self.b_o.grad)
        grad_heads = self._split((G @ self.W_o.value.T).reshape(shape))
        grads = _attention_grads(grad_heads, Q, K, V, weights)
        grad_rows = np.zeros_like(rows)
        for name, grad in zip("qkv", grads):
            g = self._merge(grad).reshape(-1, self.d_model)
            W, b = getattr(self, f"W_{name}"), getattr(self, f"b_{name}")
            np.matmul(rows.T, g, out=W.grad)
            if b is not None:
                np.sum(g, axis=0, out=b.grad)
            grad_rows += g @ W.value.T
        return grad_rows.reshape(shape)

    def parameters(self) -> list[Parameter]:
        return [self.W_q, self.b_q, self.W_k, self.W_v, self.b_v, self.W_o, self.b_o]

    def multiply_adds(self, input_shape) -> int:
        t, d = input_shape
        return 4 * t * d * d + 2 * t * t * d  # four projections, then QK^T and AV

    def __repr__(self) -> str:
        causal = ", causal=True" if self.causal else ""
        return f"MultiHeadAttention({self.d_model}, n_heads={self.n_heads}{causal}, dtype={self.dtype.name})"


class LayerNorm(Layer):
    r"""Layer normalisation over the last axis: each vector is centred, scaled to unit variance, then re-scaled.

    For one vector :math:`x \in \mathbb{R}^d` (a row, or one position of a sequence):

    .. math::
        \mu = \frac1d \sum_i x_i, \quad \sigma^2 = \frac1d \sum_i (x_i - \mu)^2, \quad
        \hat x = \frac{x - \mu}{\sqrt{\sigma^2 + \varepsilon}}, \quad
        y = \gamma \odot \hat x + \beta,

    with trainable :math:`\gamma` (``gamma``, starting at 1) and :math:`\beta` (``beta``,
    starting at 0). Backward, with :math:`g = \gamma \odot \partial L/\partial y` and
    :math:`s = \sqrt{\sigma^2 + \varepsilon}`:

    .. math::
        \frac{\partial L}{\partial x} = \frac1s\Big(g - \bar g\,\mathbf 1 - \overline{g \odot \hat x}\;\hat x\Big),

    where a bar is the mean over the :math:`d` entries; this is the Jacobian
    :math:`\frac1s\big(I - \tfrac1d \mathbf 1 \mathbf 1^T - \tfrac1d \hat x \hat x^T\big)\operatorname{diag}(\gamma)`
    (symmetric apart from :math:`\gamma`) applied to the incoming gradient.
    :math:`\partial L/\partial\gamma` and :math:`\partial L/\partial\beta` sum
    :math:`\partial L/\partial y \odot \hat x` and :math:`\partial L/\partial y` over every
    other axis. Same as ``torch.nn.LayerNorm(d, eps=eps)`` (biased variance).
    """

    def __init__(self, d: int, *, eps: float = 1e-5, dtype=np.float64):
        self.d = check_int(d, "d", low=1)
        self.eps = check_number(eps, "eps", low=0.0, low_inclusive=False)
        self.dtype = _float_dtype(dtype)
        self.gamma = Parameter(np.ones(self.d, dtype=self.dtype), "gamma")
        self.beta = Parameter(np.zeros(self.d, dtype=self.dtype), "beta")
        self._x_hat = None
        self._inv_std = None

    def forward(self, x):
        x = _as_batch(x, "x", self.dtype)
        if x.ndim < 1 or x.shape[-1] != self.d:
            raise ValueError(f"x of {self!r} must have {self.d} features on its last axis; got shape {x.shape}")
        centred = x - x.mean(axis=-1, keepdims=True)
        variance = np.mean(centred * centred, axis=-1, keepdims=True)
        self._inv_std = 1.0 / np.sqrt(variance + self.eps)
        self._x_hat = centred * self._inv_std
        return self._x_hat * self.gamma.value + self.beta.value

    def backward(self, grad_out):
        _check_cached(self, "_x_hat")
        x_hat = self._x_hat
        grad_out = _as_batch(grad_out, "grad_out", self.dtype)
        _check_grad_shape(grad_out, x_hat.shape, self)
        axes = tuple(range(x_hat.ndim - 1))
        self.gamma.grad[...] = np.sum(grad_out * x_hat, axis=axes)
        self.beta.grad[...] = np.sum(grad_out, axis=axes)
        g = grad_out * self.gamma.value
        grad_in = g - g.mean(axis=-1, keepdims=True)
        grad_in -= x_hat * np.mean(g * x_hat, axis=-1, keepdims=True)
        grad_in *= self._inv_std
        return grad_in

    def parameters(self) -> list[Parameter]:
        return [self.gamma, self.beta]

    def __repr__(self) -> str:
        return f"LayerNorm({self.d}, eps={self.eps:g}, dtype={self.dtype.name})"


class Embedding(Layer):
    r"""A lookup table of learned vectors: token :math:`i` becomes row :math:`i` of ``E``.

    ``forward(tokens)`` maps an integer array of shape ``(batch, T)`` (or any shape) to
    ``E[tokens]``, of shape ``(batch, T, d)``. Looking up row :math:`i` is the product
    :math:`e_i^T E` of the one-hot vector :math:`e_i` with ``E``, so this is a dense layer
    without bias on one-hot inputs, without the multiplications by zero. Backward, with
    :math:`G = \partial L/\partial\,\text{out}`: row :math:`i` of
    :math:`\partial L/\partial E` is the sum of the rows of :math:`G` at the positions
    where token :math:`i` occurs (``np.add.at``), the dense layer's :math:`X^T G`.

    Tokens are integers from 0 to ``n_tokens - 1``; floats with integer values are
    accepted, because :class:`Sequential` converts its input to floats. A token index
    has no gradient: ``backward`` returns None. Initial rows: standard normal, as in
    ``torch.nn.Embedding``.
    """

    def __init__(self, n_tokens: int, d: int, *, rng=None, dtype=np.float64):
        self.n_tokens = check_int(n_tokens, "n_tokens", low=1)
        self.d = check_int(d, "d", low=1)
        self.dtype = _float_dtype(dtype)
        self.E = Parameter(as_rng(rng).standard_normal((self.n_tokens, self.d)).astype(self.dtype), "E")
        self._tokens = None

    def _tokens_of(self, tokens) -> np.ndarray:
        t = np.asarray(tokens)
        if t.dtype.kind == "f" and np.all(np.isfinite(t)) and np.all(t == np.round(t)):
            t = t.astype(np.int64)
        if t.dtype.kind not in "iu":
            raise TypeError(f"tokens of {self!r} must be integer token indices; got {describe(tokens)}")
        if t.size and (t.min() < 0 or t.max() >= self.n_tokens):
            bad = t[(t < 0) | (t >= self.n_tokens)].flat[0]
            raise ValueError(f"tokens of {self!r} must be between 0 and {self.n_tokens - 1}; got token {int(bad)}")
        return t

    def forward(self, tokens):
        self._tokens = self._tokens_of(tokens)
        return self.E.value[self._tokens]

    def backward(self, grad_out):
        """Fill ``E.grad`` (a scatter-add of ``grad_out``); return None, as token indices have no gradient."""
        _check_cached(self, "_tokens")
        grad_out = _as_batch(grad_out, "grad_out", self.dtype)
        _check_grad_shape(grad_out, self._tokens.shape + (self.d,), self)
        self.E.grad[...] = 0
        np.add.at(self.E.grad, self._tokens.reshape(-1), grad_out.reshape(-1, self.d))
        return None

    def parameters(self) -> list[Parameter]:
        return [self.E]

    def __repr__(self) -> str:
        return f"Embedding({self.n_tokens}, {self.d}, dtype={self.dtype.name})"


def sinusoidal_positions(n_positions: int, d: int, *, base: float = 10000.0) -> np.ndarray:
    r"""The sinusoidal position codes of Vaswani et al. (2017), shape ``(n_positions, d)``.

    Position :math:`p` gets, for each pair of columns :math:`(2k, 2k+1)`,

    .. math::
        P_{p, 2k} = \sin(\omega_k p), \qquad P_{p, 2k+1} = \cos(\omega_k p), \qquad
        \omega_k = \text{base}^{-2k/d},

    a clock with :math:`d/2` hands turning at geometrically spaced speeds. Moving
    :math:`m` positions rotates every pair by the angle :math:`\omega_k m`, the same for
    every :math:`p`, so offsets are linear maps of the codes. ``d`` must be even.
    """
    n_positions = check_int(n_positions, "n_positions", low=1)
    d = check_int(d, "d", low=2)
    if d % 2:
        raise ValueError(f"d must be even (sines and cosines come in pairs); got {d}")
    base = check_number(base, "base", low=1.0, low_inclusive=False)
    omega = base ** (-np.arange(0, d, 2) / d)
    angles = np.arange(n_positions)[:, None] * omega[None, :]
    codes = np.empty((n_positions, d))
    codes[:, 0::2] = np.sin(angles)
    codes[:, 1::2] = np.cos(angles)
    return codes


class PositionalEncoding(Layer):
    r"""Adds a code for each position to a batch of sequences: :math:`x_{b,p} + P_p`.

    Attention treats its input as a set: permuting the positions permutes the output in
    the same way. Adding :math:`P_p` to the vector at position :math:`p` tells the model
    where each token is. With ``learned=False`` (default) :math:`P` is
    :func:`sinusoidal_positions` and fixed; with ``learned=True`` it is a parameter ``P``
    (starting from small normal values, standard deviation 0.1) whose gradient is
    :math:`\partial L/\partial P_p = \sum_b \partial L/\partial\,\text{out}_{b,p}`.
    The gradient with respect to ``x`` passes through unchanged.
    """

    def __init__(self, max_positions: int, d: int, *, learned: bool = False, rng=None, dtype=np.float64):
        self.max_positions = check_int(max_positions, "max_positions", low=1)
        self.d = check_int(d, "d", low=1)
        self.dtype = _float_dtype(dtype)
        if not isinstance(learned, (bool, np.bool_)):
            raise TypeError(f"learned must be True or False; got {describe(learned)}")
        self.learned = bool(learned)
        if self.learned:
            self.P = Parameter((0.1 * as_rng(rng).standard_normal((self.max_positions, self.d))).astype(self.dtype), "P")
        else:
            self.codes = sinusoidal_positions(self.max_positions, self.d).astype(self.dtype)
        self._shape = None

    def _table(self) -> np.ndarray:
        return self.P.value if self.learned else self.codes

    def forward(self, x):
        x = _as_batch(x, "x", self.dtype)
        if x.ndim != 3 or x.shape[-1] != self.d or x.shape[1] > self.max_positions:
            raise ValueError(
                f"x of {self!r} must have shape (batch, positions <= {self.max_positions}, {self.d}); got shape {x.shape}"
            )
        self._shape = x.shape
        return x + self._table()[: x.shape[1]]

    def backward(self, grad_out):
        _check_cached(self, "_shape")
        grad_out = _as_batch(grad_out, "grad_out", self.dtype)
        _check_grad_shape(grad_out, self._shape, self)
        if self.learned:
            self.P.grad[...] = 0
            self.P.grad[: self._shape[1]] = grad_out.sum(axis=0)
        return grad_out

    def parameters(self) -> list[Parameter]:
        return [self.P] if self.learned else []

    def __repr__(self) -> str:
        kind = "learned" if self.learned else "sinusoidal"
        return f"PositionalEncoding({self.max_positions}, {self.d}, {kind})"


class PositionWise(Layer):
    r"""Applies a layer made for ``(batch, features)`` to every position of ``(batch, T, features)``.

    The positions are stacked as rows, ``(batch * T, features)``, the inner layer runs once
    on all of them, and the result is folded back to ``(batch, T, ...)``. So
    ``PositionWise(Dense(d, d_out))`` multiplies every position by the same matrix, the
    "position-wise" layers of a transformer. Its parameters are the inner layer's.
    """

    def __init__(self, layer: Layer):
        if not all(callable(getattr(layer, m, None)) for m in ("forward", "backward", "parameters")):
            raise TypeError(f"layer must be a layer (with forward, backward and parameters); got {describe(layer)}")
        self.layer = layer
        self.dtype = getattr(layer, "dtype", None)
        self._shape = None

    def forward(self, x):
        x = _as_batch(x, "x", self.dtype)
        if x.ndim != 3:
            raise ValueError(f"x of {self!r} must have shape (batch, positions, features); got shape {x.shape}")
        self._shape = x.shape
        out = self.layer.forward(x.reshape(-1, x.shape[-1]))
        return out.reshape(x.shape[0], x.shape[1], *out.shape[1:])

    def backward(self, grad_out):
        _check_cached(self, "_shape")
        grad_out = _as_batch(grad_out, "grad_out", self.dtype)
        n, t = self._shape[:2]
        if grad_out.shape[:2] != (n, t):
            raise ValueError(f"grad_out of {self!r}.backward must have shape ({n}, {t}, ...); got {grad_out.shape}")
        flat = grad_out.reshape(n * t, *grad_out.shape[2:])
        return self.layer.backward(flat).reshape(self._shape)

    def parameters(self) -> list[Parameter]:
        return self.layer.parameters()

    def multiply_adds(self, input_shape) -> int:
        t, d = input_shape
        return t * self.layer.multiply_adds((d,))

    def __repr__(self) -> str:
        return f"PositionWise({self.layer!r})"


class TransformerBlock(Layer):
    r"""A pre-norm transformer block: attention, then a position-wise network, each with a residual.

    For a batch of sequences :math:`X` of shape ``(batch, T, d_model)``:

    .. math::
        H = X + \operatorname{MHA}(\operatorname{LN}_1(X)), \qquad
        Y = H + \operatorname{FFN}(\operatorname{LN}_2(H)), \qquad
        \operatorname{FFN}(Z) = \operatorname{ReLU}(Z W_1 + b_1) W_2 + b_2,

    the layout of GPT-2 and most later models (Xiong et al., 2020 compare it with the
    original post-norm block). The residual additions make the backward pass add the
    incoming gradient to what each branch returns,

    .. math::
        \frac{\partial L}{\partial H} = G + \operatorname{LN}_2^\text{back}\big(\operatorname{FFN}^\text{back}(G)\big),
        \qquad
        \frac{\partial L}{\partial X} = \frac{\partial L}{\partial H}
          + \operatorname{LN}_1^\text{back}\Big(\operatorname{MHA}^\text{back}\big(\tfrac{\partial L}{\partial H}\big)\Big),

    so the gradient always has a path through the block that multiplies it by the
    identity. Sub-layers: ``ln1``, ``attn`` (:class:`MultiHeadAttention`), ``ln2``,
    ``ffn`` (a :class:`Sequential` of :class:`PositionWise` dense layers and a ReLU);
    their parameters are renamed ``attn.W_q``, ``ffn.0.W``, ... so that every name is unique.
    """

    def __init__(self, d_model: int, n_heads: int = 1, d_ff: int | None = None, *, causal: bool = False, rng=None, dtype=np.float64):
        self.d_model = check_int(d_model, "d_model", low=1)
        d_ff = 4 * self.d_model if d_ff is None else check_int(d_ff, "d_ff", low=1)
        self.d_ff = d_ff
        self.dtype = _float_dtype(dtype)
        rng = as_rng(rng)
        self.ln1 = LayerNorm(self.d_model, dtype=self.dtype)
        self.attn = MultiHeadAttention(self.d_model, n_heads, causal=causal, rng=rng, dtype=self.dtype)
        self.ln2 = LayerNorm(self.d_model, dtype=self.dtype)
        self.ffn = Sequential(
            PositionWise(Dense(self.d_model, d_ff, rng=rng, dtype=self.dtype)),
            ReLU(),
            PositionWise(Dense(d_ff, self.d_model, init="glorot", rng=rng, dtype=self.dtype)),
        )
        for prefix, layer in (("ln1", self.ln1), ("attn", self.attn), ("ln2", self.ln2)):
            for p in layer.parameters():
                p.name = f"{prefix}.{p.name}"
        for i, layer in enumerate(self.ffn.layers):
            for p in layer.parameters():
                p.name = f"ffn.{i}.{p.name}"
        self._shape = None

    def forward(self, x, mask=None):
        x = _sequences(x, "x", self.d_model, repr(self), self.dtype)
        self._shape = x.shape
        h = x + self.attn.forward(self.ln1.forward(x), mask=mask)
        return h + self.ffn.forward(self.ln2.forward(h))

    def backward(self, grad_out):
        _check_cached(self, "_shape")
        grad_out = _as_batch(grad_out, "grad_out", self.dtype)
        _check_grad_shape(grad_out, self._shape, self)
        grad_h = grad_out + self.ln2.backward(self.ffn.backward(grad_out))
        return grad_h + self.ln1.backward(self.attn.backward(grad_h))

    def parameters(self) -> list[Parameter]:
        return self.ln1.parameters() + self.attn.parameters() + self.ln2.parameters() + self.ffn.parameters()

    def multiply_adds(self, input_shape) -> int:
        t, d = input_shape
        return self.attn.multiply_adds(input_shape) + 2 * t * d * self.d_ff

    @property
    def weights(self):
        """The attention weights of the last forward pass, ``(batch, heads, T, T)``."""
        return self.attn.weights

    def __repr__(self) -> str:
        causal = ", causal=True" if self.attn.causal else ""
        return f"TransformerBlock({self.d_model}, n_heads={self.attn.n_heads}, d_ff={self.d_ff}{causal})"
