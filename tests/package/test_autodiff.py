"""Tests of dlmath.autodiff, the reverse-mode engine of Chapter 10.

References: derivatives worked out by hand, central finite differences, the hand-written
backpropagation of dlmath.nn, and torch.autograd when PyTorch is installed.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.package.finite_differences import numeric_gradient
from dlmath.autodiff import Scalar, Tensor, gradient, graph, topological_order
from dlmath.nn import Dense, Sequential, Sigmoid, Tanh, softmax_cross_entropy

SEEDS = range(6)


def central_difference(f, args, i, eps=1e-6):
    plus, minus = list(args), list(args)
    plus[i] += eps
    minus[i] -= eps
    return (f(*plus) - f(*minus)) / (2 * eps)


# --- scalars ------------------------------------------------------------------------------------


def test_scalar_gradients_of_a_small_expression_by_hand():
    x, y = Scalar(2.0, "x"), Scalar(-3.0, "y")
    f = x * y + (x * x).sin() - y / x
    f.backward()
    # df/dx = y + 2x cos(x^2) + y / x^2 ; df/dy = x - 1/x
    assert x.grad == pytest.approx(-3.0 + 4.0 * math.cos(4.0) - 3.0 / 4.0, rel=1e-12)
    assert y.grad == pytest.approx(2.0 - 0.5, rel=1e-12)
    assert f.grad == 1.0 and "x" in repr(x)


FUNCTIONS = [
    (lambda x, y: x * y + x.exp(), lambda x, y: x * y + math.exp(x)),
    (lambda x, y: (x * x + y * y) ** 0.5, lambda x, y: (x * x + y * y) ** 0.5),
    (lambda x, y: (x - y).tanh() * (y.sigmoid() + 1), lambda x, y: math.tanh(x - y) * (1 / (1 + math.exp(-y)) + 1)),
    (lambda x, y: (x * x + 1).log() / (2 + y.cos()), lambda x, y: math.log(x * x + 1) / (2 + math.cos(y))),
    (lambda x, y: (3 * x - y).relu() + 1 / (1 + x * x), lambda x, y: max(3 * x - y, 0) + 1 / (1 + x * x)),
    (lambda x, y: 5 - x * (2 - y) ** 3, lambda x, y: 5 - x * (2 - y) ** 3),
]


@pytest.mark.parametrize("k", range(len(FUNCTIONS)))
@pytest.mark.parametrize("seed", SEEDS)
def test_scalar_gradients_match_finite_differences(k, seed):
    f_scalar, f_float = FUNCTIONS[k]
    point = list(np.random.default_rng(seed).uniform(-1.5, 1.5, size=2))
    if k == 4 and abs(3 * point[0] - point[1]) < 1e-3:
        point[0] += 0.1  # keep away from ReLU's kink
    grads = gradient(f_scalar, *point)
    for i in range(2):
        assert grads[i] == pytest.approx(central_difference(f_float, point, i), rel=1e-6, abs=1e-8)


def test_a_value_used_twice_receives_both_gradients():
    x = Scalar(3.0)
    f = x * x  # both operands are x: df/dx = 2x, from two paths
    f.backward()
    assert x.grad == 6.0
    f.backward()  # backward overwrites: calling it again gives the same gradient
    assert x.grad == 6.0
    assert gradient(lambda a: a * a * a, 2.0) == 12.0


def test_topological_order_puts_parents_first_and_handles_deep_graphs():
    x = Scalar(0.5)
    y = x
    for _ in range(5000):  # deeper than Python's recursion limit
        y = y * 1.0001
    y.backward()
    assert x.grad == pytest.approx(1.0001**5000, rel=1e-9)
    a, b = Scalar(1.0, "a"), Scalar(2.0, "b")
    c = a * b
    d = c + a
    nodes, edges = graph(d)
    order = [n.label or n.op for n in nodes]
    assert order.index("*") > order.index("a") and order.index("*") > order.index("b") and nodes[-1] is d
    assert len(nodes) == 4 and len(edges) == 4
    assert topological_order(d)[-1] is d


def test_scalar_bad_input():
    with pytest.raises(TypeError, match="value of a Scalar must be a real number; got the string"):
        Scalar("3")
    with pytest.raises(ValueError, match="must be finite; got inf"):
        Scalar(1000.0).exp()
    with pytest.raises(ValueError, match="log needs a positive number; got -1"):
        Scalar(-1.0).log()
    with pytest.raises(ZeroDivisionError):
        Scalar(1.0) / 0
    with pytest.raises(TypeError, match="exponent must be a plain number"):
        Scalar(2.0) ** Scalar(2.0)
    with pytest.raises(TypeError, match="f must return a Scalar"):
        gradient(lambda x: 3.0, 1.0)


# --- tensors ------------------------------------------------------------------------------------




TENSOR_FUNCTIONS = [
    lambda a, b: ((a @ b).tanh() * 2.0).sum(),
    lambda a, b: ((a @ b).sigmoid() - 0.5).__pow__(2).mean(),
    lambda a, b: (a.exp().sum(axis=1) / (1 + (b * b).sum())).log().sum(),
    lambda a, b: ((a @ b) + b.sum(axis=0)).relu().mean(),  # broadcasting (k,) over rows
    lambda a, b: (a.T.reshape(-1) * 3.0 - 1.0).logsumexp(axis=0),
    lambda a, b: (a @ b).logsumexp(axis=1).mean() - (a @ b)[np.arange(a.shape[0]), np.zeros(a.shape[0], dtype=int)].mean(),
]


@pytest.mark.parametrize("k", range(len(TENSOR_FUNCTIONS)))
@pytest.mark.parametrize("seed", SEEDS)
def test_tensor_gradients_match_finite_differences(k, seed):
    rng = np.random.default_rng(seed)
    n, m, p = rng.integers(2, 5, size=3)
    A, B = rng.normal(size=(n, m)), rng.normal(size=(m, p))
    a, b = Tensor(A), Tensor(B)
    out = TENSOR_FUNCTIONS[k](a, b)
    out.backward()
    f = lambda: TENSOR_FUNCTIONS[k](Tensor(A), Tensor(B)).value.item()  # noqa: E731
    np.testing.assert_allclose(a.grad, numeric_gradient(f, A), rtol=1e-5, atol=1e-8)
    np.testing.assert_allclose(b.grad, numeric_gradient(f, B), rtol=1e-5, atol=1e-8)


def test_broadcast_gradients_are_summed_back_to_the_operand_shape():
    x = Tensor(np.ones((4, 3)))
    bias = Tensor(np.array([1.0, 2.0, 3.0]))
    column = Tensor(np.ones((4, 1)))
    (x * bias + column).sum().backward()
    np.testing.assert_array_equal(bias.grad, [4.0, 4.0, 4.0])
    np.testing.assert_array_equal(column.grad, np.full((4, 1), 3.0))  # each entry feeds 3 columns
    np.testing.assert_array_equal(x.grad, np.tile([1.0, 2.0, 3.0], (4, 1)))
    np.testing.assert_array_equal((2.0 - Tensor([1.0, 2.0])).value, [1.0, 0.0])
    np.testing.assert_array_equal((np.ones(2) + Tensor([1.0, 2.0])).value, [2.0, 3.0])


def test_picking_an_entry_twice_adds_the_gradients():
    z = Tensor(np.arange(4.0))
    z[np.array([1, 1, 3])].sum().backward()
    np.testing.assert_array_equal(z.grad, [0.0, 2.0, 0.0, 1.0])


@pytest.mark.parametrize("activation", ["sigmoid", "tanh"])
@pytest.mark.parametrize("seed", SEEDS)
def test_tensor_engine_agrees_with_hand_written_backprop(activation, seed):
    rng = np.random.default_rng(seed)
    layer_class = Sigmoid if activation == "sigmoid" else Tanh
    net = Sequential(Dense(4, 6, init="glorot", rng=seed), layer_class(), Dense(6, 3, init="glorot", rng=seed + 10))
    for p in net.parameters():
        p.value[...] = p.value + rng.normal(scale=0.1, size=p.shape)
    x = rng.normal(size=(7, 4))
    y = rng.integers(0, 3, size=7)
    loss, grad = softmax_cross_entropy(net.forward(x), y)
    grad_x = net.backward(grad)

    W1, b1, W2, b2 = (Tensor(p.value) for p in net.parameters())
    X = Tensor(x)
    hidden = getattr(X @ W1 + b1, activation)()
    logits = hidden @ W2 + b2
    ad_loss = (logits.logsumexp(axis=1) - logits[np.arange(7), y]).mean()
    ad_loss.backward()
    assert ad_loss.value.item() == pytest.approx(loss, rel=1e-12)
    for tensor, p in zip((W1, b1, W2, b2), net.parameters()):
        np.testing.assert_allclose(tensor.grad, p.grad, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(X.grad, grad_x, rtol=1e-10, atol=1e-14)


def test_scalar_and_tensor_engines_agree():
    rng = np.random.default_rng(5)
    w, v = rng.normal(size=3), rng.normal(size=3)
    ws, vs = [Scalar(a) for a in w], [Scalar(a) for a in v]
    s = sum((a * b for a, b in zip(ws, vs)), Scalar(0.0)).tanh()
    s.backward()
    wt, vt = Tensor(w), Tensor(v)
    (wt * vt).sum().tanh().backward()
    np.testing.assert_allclose([a.grad for a in ws], wt.grad, rtol=1e-12)
    np.testing.assert_allclose([a.grad for a in vs], vt.grad, rtol=1e-12)


def test_tensor_bad_input():
    with pytest.raises(ValueError, match="backward\\(\\) needs a scalar output"):
        Tensor(np.ones(3)).exp().backward()
    with pytest.raises(ValueError, match="matmul needs 2-D tensors with matching inner sizes; got shapes \\(2, 3\\) and \\(2, 3\\)"):
        Tensor(np.ones((2, 3))) @ Tensor(np.ones((2, 3)))
    with pytest.raises(ValueError, match="value must contain only finite numbers; found 1 NaN"):
        Tensor([1.0, np.nan])
    with pytest.raises(ValueError, match="the result of 'exp' must contain only finite numbers"):
        Tensor([1000.0]).exp()
    with pytest.raises(ValueError, match="log needs positive numbers"):
        Tensor([1.0, 0.0]).log()
    with pytest.raises(ValueError, match=r"grad must have the shape of the tensor \(3,\); got \(2,\)"):
        Tensor(np.ones(3)).exp().backward(np.ones(2))
    with pytest.raises(TypeError, match="value must contain numbers"):
        Tensor(np.array(["a"]))


def test_a_new_tensor_has_a_zero_float_grad_shaped_like_its_value():
    for value in ([1, 2, 3], 4, np.arange(6).reshape(2, 3), np.ones(2, dtype=np.float32)):
        t = Tensor(value)
        assert t.grad.shape == t.value.shape
        assert t.grad.dtype == t.value.dtype and t.value.dtype.kind == "f"
        assert not t.grad.any()


def test_tensor_backward_with_an_explicit_output_gradient_is_a_vjp():
    rng = np.random.default_rng(2)
    A, B, G = rng.normal(size=(3, 4)), rng.normal(size=(4, 2)), rng.normal(size=(3, 2))
    a, b = Tensor(A), Tensor(B)
    (a @ b).backward(G)
    np.testing.assert_allclose(a.grad, G @ B.T, rtol=1e-12)
    np.testing.assert_allclose(b.grad, A.T @ G, rtol=1e-12)


# --- optional cross-check with PyTorch ----------------------------------------------------------


@pytest.mark.parametrize("k", range(len(TENSOR_FUNCTIONS)))
def test_tensor_gradients_match_torch(k):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(k)
    A, B = rng.normal(size=(3, 4)), rng.normal(size=(4, 2))
    a, b = Tensor(A), Tensor(B)
    TENSOR_FUNCTIONS[k](a, b).backward()
    ta, tb = torch.tensor(A, requires_grad=True), torch.tensor(B, requires_grad=True)
    torch_versions = [
        lambda a, b: (torch.tanh(a @ b) * 2.0).sum(),
        lambda a, b: ((torch.sigmoid(a @ b) - 0.5) ** 2).mean(),
        lambda a, b: torch.log(torch.exp(a).sum(dim=1) / (1 + (b * b).sum())).sum(),
        lambda a, b: torch.relu(a @ b + b.sum(dim=0)).mean(),
        lambda a, b: torch.logsumexp(a.T.reshape(-1) * 3.0 - 1.0, dim=0),
        lambda a, b: torch.logsumexp(a @ b, dim=1).mean() - (a @ b)[torch.arange(3), torch.zeros(3, dtype=torch.long)].mean(),
    ]
    torch_versions[k](ta, tb).backward()
    np.testing.assert_allclose(a.grad, ta.grad.numpy(), rtol=1e-10, atol=1e-13)
    expected_b = np.zeros_like(B) if tb.grad is None else tb.grad.numpy()  # None: b is not used
    np.testing.assert_allclose(b.grad, expected_b, rtol=1e-10, atol=1e-13)


def test_scalar_gradients_match_torch():
    torch = pytest.importorskip("torch")
    for seed in SEEDS:
        x0, y0 = np.random.default_rng(seed).uniform(-1.5, 1.5, size=2)
        ours = gradient(lambda x, y: (x * y).tanh() + (x * x + 1).log() * y.sigmoid(), x0, y0)
        tx, ty = torch.tensor(x0, requires_grad=True), torch.tensor(y0, requires_grad=True)
        (torch.tanh(tx * ty) + torch.log(tx * tx + 1) * torch.sigmoid(ty)).backward()
        assert ours == pytest.approx((tx.grad.item(), ty.grad.item()), rel=1e-12)
