r"""A small reverse-mode automatic differentiation engine (Chapter 10).

This is how deep-learning frameworks compute gradients, in two steps of growing power:

* :class:`Scalar` wraps one number. Every arithmetic operation on Scalars records a
  node of a **computational graph**: the result, the operands it came from (its
  *parents*) and the *local derivatives* :math:`\partial\,\text{result}/\partial\,\text{parent}`.
* :class:`Tensor` wraps a NumPy array. Its local derivatives would be huge Jacobian
  matrices, so each node stores a function instead, the *vector–Jacobian product*, that
  turns the gradient of the result into the gradients of the parents.

Calling ``backward()`` on the final (scalar) node walks the graph once, from the output
back to the inputs, in reverse topological order, and applies the chain rule at every
node:

.. math::
    \bar v_\text{parent} \mathrel{+}= \frac{\partial v}{\partial v_\text{parent}}\,\bar v,
    \qquad \bar v = \frac{\partial L}{\partial v},

so that afterwards every node's ``grad`` holds :math:`\partial L/\partial\,\text{node}`. The
``+=`` is the multivariable chain rule: a value used in several places receives the sum
of the gradients flowing back along every path. One backward walk costs about as much
as the forward computation, whatever the number of inputs, which is why reverse mode
(backpropagation) is the mode of deep learning.

Like :meth:`dlmath.nn.Sequential.backward`, ``backward`` overwrites gradients: it first
sets the ``grad`` of every node of the graph to zero, so calling it twice gives the same
result.

>>> x, y = Scalar(2.0), Scalar(3.0)
>>> f = x * y + x.exp()
>>> f.backward()
>>> round(x.grad, 6), y.grad      # df/dx = y + e^x, df/dy = x
(10.389056, 2.0)
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable

import numpy as np

from dlmath.validation import as_array, check_callable, describe

__all__ = ["Scalar", "Tensor", "gradient", "graph", "topological_order"]


# --- graph walking (shared by Scalar and Tensor) ------------------------------------------------


def topological_order(root) -> list:
    """Every node ``root`` depends on, each after all of its parents (``root`` last).

    An iterative depth-first search, so deep graphs do not hit Python's recursion limit.
    """
    order, visited = [], set()
    stack = [(root, False)]
    while stack:
        node, parents_done = stack.pop()
        if parents_done:
            order.append(node)
            continue
        if id(node) in visited:
            continue
        visited.add(id(node))
        stack.append((node, True))
        for parent in node._parents:
            if id(parent) not in visited:
                stack.append((parent, False))
    return order


def graph(root) -> tuple[list, list[tuple[int, int]]]:
    """The computational graph below ``root``: its nodes in topological order and its edges.

    Edges are pairs ``(i, j)`` of indices into the node list, meaning node ``i`` is an
    operand of node ``j``. Handy for drawing the graph.
    """
    nodes = topological_order(root)
    index = {id(node): i for i, node in enumerate(nodes)}
    edges = [(index[id(parent)], index[id(node)]) for node in nodes for parent in node._parents]
    return nodes, edges


# --- scalars --------------------------------------------------------------------------------------


class Scalar:
    r"""A number that remembers how it was computed, so that gradients can flow back through it.

    ``value`` is the number, ``grad`` is :math:`\partial L/\partial\,\text{this}` after
    ``L.backward()``, ``op`` names the operation that made it (``""`` for an input) and
    ``label`` is an optional name for printing and drawing.
    """

    __slots__ = ("value", "grad", "op", "label", "_parents", "_local")

    def __init__(self, value, label: str = "", *, _parents: tuple = (), _local: tuple = (), _op: str = ""):
        if isinstance(value, Scalar):
            value = value.value
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
            raise TypeError(f"value of a Scalar must be a real number; got {describe(value)}")
        value = float(value)
        if not math.isfinite(value):
            raise ValueError(f"value of a Scalar must be finite; got {value} (from operation {_op or 'input'!r})")
        self.value = value
        self.grad = 0.0
        self.op = _op
        self.label = label
        self._parents = _parents
        self._local = _local  # d(self)/d(parent), one number per parent

    # the operations: each returns a new node with its parents and local derivatives

    @staticmethod
    def _lift(other) -> Scalar:
        return other if isinstance(other, Scalar) else Scalar(other)

    def __add__(self, other) -> Scalar:
        other = self._lift(other)
        return Scalar(self.value + other.value, _parents=(self, other), _local=(1.0, 1.0), _op="+")

    def __mul__(self, other) -> Scalar:
        other = self._lift(other)
        return Scalar(
            self.value * other.value,
            _parents=(self, other),
            _local=(other.value, self.value),  # d(xy)/dx = y, d(xy)/dy = x
            _op="*",
        )

    def __pow__(self, exponent) -> Scalar:
        if isinstance(exponent, Scalar) or not isinstance(exponent, numbers.Real):
            raise TypeError(f"exponent must be a plain number (x ** 2); got {describe(exponent)}")
        if self.value == 0 and exponent < 1:
            raise ValueError(f"0 ** {exponent} has no finite derivative")
        return Scalar(self.value**exponent, _parents=(self,), _local=(exponent * self.value ** (exponent - 1),), _op=f"**{exponent:g}")

    def __neg__(self) -> Scalar:
        return Scalar(-self.value, _parents=(self,), _local=(-1.0,), _op="neg")

    def __sub__(self, other) -> Scalar:
        other = self._lift(other)
        return Scalar(self.value - other.value, _parents=(self, other), _local=(1.0, -1.0), _op="-")

    def __truediv__(self, other) -> Scalar:
        other = self._lift(other)
        if other.value == 0:
            raise ZeroDivisionError("division of a Scalar by zero")
        q = self.value / other.value
        return Scalar(q, _parents=(self, other), _local=(1.0 / other.value, -q / other.value), _op="/")

    def __radd__(self, other) -> Scalar:
        return self._lift(other) + self

    def __rmul__(self, other) -> Scalar:
        return self._lift(other) * self

    def __rsub__(self, other) -> Scalar:
        return self._lift(other) - self

    def __rtruediv__(self, other) -> Scalar:
        return self._lift(other) / self

    def exp(self) -> Scalar:
        """:math:`e^x`, whose derivative is itself."""
        e = math.exp(self.value) if self.value < 709 else math.inf
        return Scalar(e, _parents=(self,), _local=(e,), _op="exp")

    def log(self) -> Scalar:
        r""":math:`\log x` for x > 0, with derivative :math:`1/x`."""
        if self.value <= 0:
            raise ValueError(f"log needs a positive number; got {self.value}")
        return Scalar(math.log(self.value), _parents=(self,), _local=(1.0 / self.value,), _op="log")

    def tanh(self) -> Scalar:
        r""":math:`\tanh x`, with derivative :math:`1 - \tanh^2 x`."""
        t = math.tanh(self.value)
        return Scalar(t, _parents=(self,), _local=(1.0 - t * t,), _op="tanh")

    def sigmoid(self) -> Scalar:
        r""":math:`\sigma(x) = 1/(1+e^{-x})`, with derivative :math:`\sigma(1-\sigma)`."""
        x = self.value
        s = 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))
        return Scalar(s, _parents=(self,), _local=(s * (1.0 - s),), _op="sigmoid")

    def relu(self) -> Scalar:
        """:math:`\\max(0, x)`, with derivative 1 for x > 0 and 0 otherwise."""
        return Scalar(max(self.value, 0.0), _parents=(self,), _local=(1.0 if self.value > 0 else 0.0,), _op="relu")

    def sin(self) -> Scalar:
        r""":math:`\sin x`, with derivative :math:`\cos x`."""
        return Scalar(math.sin(self.value), _parents=(self,), _local=(math.cos(self.value),), _op="sin")

    def cos(self) -> Scalar:
        r""":math:`\cos x`, with derivative :math:`-\sin x`."""
        return Scalar(math.cos(self.value), _parents=(self,), _local=(-math.sin(self.value),), _op="cos")

    # the backward pass

    def backward(self) -> None:
        r"""Fill every node's ``grad`` with d(this)/d(node).

        The chain rule on the graph, in reverse topological order:
        for each edge u -> v, grad(u) += (local derivative dv/du) * grad(v).
        """
        order = topological_order(self)
        for node in order:
            node.grad = 0.0
        self.grad = 1.0
        for node in reversed(order):
            for parent, local in zip(node._parents, node._local):
                parent.grad += local * node.grad

    def __float__(self) -> float:
        return self.value

    def __repr__(self) -> str:
        name = f"{self.label}: " if self.label else ""
        return f"Scalar({name}value={self.value:.6g}, grad={self.grad:.6g})"


def gradient(f: Callable, *args) -> tuple[float, ...] | float:
    r"""The gradient of a scalar function ``f`` of plain numbers at ``args``, by reverse mode.

    ``f`` is written with Scalar operations (``+ - * / **`` and methods such as
    ``x.exp()``); each argument is wrapped in a :class:`Scalar`, ``f`` is evaluated, and one
    backward pass gives every partial derivative. Returns a float for one argument and a
    tuple of floats otherwise.

    >>> gradient(lambda x, y: x * x * y, 3.0, 2.0)
    (12.0, 9.0)
    """
    check_callable(f, "f")
    inputs = [Scalar(a, label=f"x{i}") for i, a in enumerate(args)]
    out = f(*inputs)
    if not isinstance(out, Scalar):
        raise TypeError(f"f must return a Scalar computed from its arguments; it returned {describe(out)}")
    out.backward()
    grads = tuple(x.grad for x in inputs)
    return grads[0] if len(grads) == 1 else grads


# --- tensors --------------------------------------------------------------------------------------


def _unbroadcast(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum ``grad`` over the axes that broadcasting added or stretched, so it gets ``shape`` back.

    If ``b`` of shape (3,) was added to every row of a (4, 3) array, each entry of ``b``
    influenced 4 outputs, so its gradient is the sum of those 4 gradients.
    """
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad


class Tensor:
    r"""An array that remembers how it was computed: the array version of :class:`Scalar`.

    Each operation stores a *vector–Jacobian product* for each parent: given
    :math:`\bar Y = \partial L/\partial Y`, it returns :math:`\partial L/\partial(\text{parent})`
    without ever forming the Jacobian. For a matrix product :math:`Y = AB` these are
    :math:`\bar A = \bar Y B^T` and :math:`\bar B = A^T \bar Y`, the same formulas as a
    dense layer's backward pass. Broadcasting is supported: gradients are summed back to
    each operand's shape.
    """

    __array_priority__ = 100  # so that ndarray + Tensor calls Tensor.__radd__

    def __init__(self, value, label: str = "", *, _parents: tuple = (), _vjps: tuple = (), _op: str = ""):
        if isinstance(value, Tensor):
            value = value.value
        raw = np.asarray(value) if not isinstance(value, (str, bytes)) and value is not None else value
        dtype = raw.dtype if isinstance(raw, np.ndarray) and raw.dtype.kind == "f" else np.float64
        where = f"the result of {_op!r}" if _op else "value"
        self.value = as_array(value, where, dtype=dtype, allow_empty=True)
        self.grad = np.zeros_like(self.value)
        self.op = _op
        self.label = label
        self._parents = _parents
        self._vjps = _vjps  # one function per parent: grad of self -> grad of that parent

    @property
    def shape(self) -> tuple[int, ...]:
        return self.value.shape

    @property
    def ndim(self) -> int:
        return self.value.ndim

    @staticmethod
    def _lift(other) -> Tensor:
        return other if isinstance(other, Tensor) else Tensor(other)

    def _binary(self, other, value, vjp_self, vjp_other, op) -> Tensor:
        a_shape, b_shape = self.shape, other.shape
        return Tensor(
            value,
            _parents=(self, other),
            _vjps=(lambda g: _unbroadcast(vjp_self(g), a_shape), lambda g: _unbroadcast(vjp_other(g), b_shape)),
            _op=op,
        )

    def __add__(self, other) -> Tensor:
        other = self._lift(other)
        return self._binary(other, self.value + other.value, lambda g: g, lambda g: g, "+")

    def __sub__(self, other) -> Tensor:
        other = self._lift(other)
        return self._binary(other, self.value - other.value, lambda g: g, lambda g: -g, "-")

    def __mul__(self, other) -> Tensor:
        other = self._lift(other)
        a, b = self.value, other.value
        return self._binary(other, a * b, lambda g: g * b, lambda g: g * a, "*")

    def __truediv__(self, other) -> Tensor:
        other = self._lift(other)
        a, b = self.value, other.value
        if np.any(b == 0):
            raise ZeroDivisionError("division of a Tensor by an array with zeros")
        return self._binary(other, a / b, lambda g: g / b, lambda g: -g * a / (b * b), "/")

    def __radd__(self, other) -> Tensor:
        return self._lift(other) + self

    def __rsub__(self, other) -> Tensor:
        return self._lift(other) - self

    def __rmul__(self, other) -> Tensor:
        return self._lift(other) * self

    def __rtruediv__(self, other) -> Tensor:
        return self._lift(other) / self

    def __neg__(self) -> Tensor:
        return Tensor(-self.value, _parents=(self,), _vjps=(lambda g: -g,), _op="neg")

    def __pow__(self, exponent) -> Tensor:
        if isinstance(exponent, Tensor) or not isinstance(exponent, numbers.Real):
            raise TypeError(f"exponent must be a plain number (x ** 2); got {describe(exponent)}")
        a = self.value
        return Tensor(a**exponent, _parents=(self,), _vjps=(lambda g: g * exponent * a ** (exponent - 1),), _op=f"**{exponent:g}")

    def __matmul__(self, other) -> Tensor:
        r"""Matrix product of 2-D tensors, :math:`Y = AB`: :math:`\bar A = \bar Y B^T`, :math:`\bar B = A^T \bar Y`."""
        other = self._lift(other)
        a, b = self.value, other.value
        if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[0]:
            raise ValueError(f"matmul needs 2-D tensors with matching inner sizes; got shapes {a.shape} and {b.shape}")
        return Tensor(a @ b, _parents=(self, other), _vjps=(lambda g: g @ b.T, lambda g: a.T @ g), _op="@")

    def __rmatmul__(self, other) -> Tensor:
        return self._lift(other) @ self

    def __getitem__(self, index) -> Tensor:
        """Indexing (``z[rows, labels]``); the gradient is scattered back, adding where an entry is picked twice."""
        shape = self.shape

        def vjp(g):
            out = np.zeros(shape, dtype=g.dtype)
            np.add.at(out, index, g)
            return out

        return Tensor(self.value[index], _parents=(self,), _vjps=(vjp,), _op="[]")

    @property
    def T(self) -> Tensor:
        """The transpose of a 2-D tensor; its gradient is the transposed gradient."""
        return Tensor(self.value.T, _parents=(self,), _vjps=(lambda g: g.T,), _op="T")

    def reshape(self, *shape) -> Tensor:
        old = self.shape
        return Tensor(self.value.reshape(*shape), _parents=(self,), _vjps=(lambda g: g.reshape(old),), _op="reshape")

    def sum(self, axis=None, keepdims: bool = False) -> Tensor:
        """Sum over ``axis`` (all entries by default); each entry receives the gradient of its sum."""
        shape = self.shape

        def vjp(g):
            if axis is not None and not keepdims:
                g = np.expand_dims(g, axis)
            return np.broadcast_to(g, shape).copy()

        return Tensor(self.value.sum(axis=axis, keepdims=keepdims), _parents=(self,), _vjps=(vjp,), _op="sum")

    def mean(self, axis=None, keepdims: bool = False) -> Tensor:
        """The mean: a sum divided by the number of entries summed."""
        count = self.value.size if axis is None else np.prod([self.shape[a] for a in np.atleast_1d(axis)])
        return self.sum(axis=axis, keepdims=keepdims) * (1.0 / count)

    def exp(self) -> Tensor:
        with np.errstate(over="ignore"):  # an overflow to inf is reported by the new Tensor
            e = np.exp(self.value)
        return Tensor(e, _parents=(self,), _vjps=(lambda g: g * e,), _op="exp")

    def log(self) -> Tensor:
        a = self.value
        if np.any(a <= 0):
            raise ValueError(f"log needs positive numbers; the smallest entry is {a.min():.6g}")
        return Tensor(np.log(a), _parents=(self,), _vjps=(lambda g: g / a,), _op="log")

    def tanh(self) -> Tensor:
        t = np.tanh(self.value)
        return Tensor(t, _parents=(self,), _vjps=(lambda g: g * (1.0 - t * t),), _op="tanh")

    def sigmoid(self) -> Tensor:
        from scipy.special import expit

        s = expit(self.value)
        return Tensor(s, _parents=(self,), _vjps=(lambda g: g * s * (1.0 - s),), _op="sigmoid")

    def relu(self) -> Tensor:
        positive = self.value > 0
        return Tensor(np.where(positive, self.value, 0.0), _parents=(self,), _vjps=(lambda g: g * positive,), _op="relu")

    def logsumexp(self, axis: int = -1) -> Tensor:
        r""":math:`\log\sum_j e^{x_j}` along ``axis`` (computed after subtracting the maximum); its gradient is the softmax."""
        a = self.value
        m = a.max(axis=axis, keepdims=True)
        e = np.exp(a - m)
        total = e.sum(axis=axis, keepdims=True)
        softmax = e / total
        value = (m + np.log(total)).squeeze(axis)
        return Tensor(value, _parents=(self,), _vjps=(lambda g: np.expand_dims(g, axis) * softmax,), _op="logsumexp")

    def backward(self, grad=None) -> None:
        r"""Fill ``grad`` of every node below this one with :math:`\partial\,\text{this}/\partial\,\text{node}`.

        The output must be a single number (a loss), unless ``grad``, the gradient of some
        scalar with respect to this tensor, is given.
        """
        if grad is None:
            if self.value.size != 1:
                raise ValueError(f"backward() needs a scalar output (a loss); this tensor has shape {self.shape}. Pass grad=...")
            grad = np.ones_like(self.value)
        else:
            grad = as_array(grad, "grad", dtype=self.value.dtype, allow_empty=True)
            if grad.shape != self.shape:
                raise ValueError(f"grad must have the shape of the tensor {self.shape}; got {grad.shape}")
        order = topological_order(self)
        for node in order:
            node.grad = np.zeros_like(node.value)
        self.grad = grad.copy()
        for node in reversed(order):
            for parent, vjp in zip(node._parents, node._vjps):
                parent.grad = parent.grad + vjp(node.grad)

    def __repr__(self) -> str:
        name = f"{self.label}: " if self.label else ""
        return f"Tensor({name}shape {self.shape}, op {self.op or 'input'!r})"
