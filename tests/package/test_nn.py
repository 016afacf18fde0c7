"""Tests of dlmath.nn: layers, losses, networks and gradient checking.

References: NumPy and SciPy (``scipy.signal.correlate2d``), scikit-learn's metrics,
explicit loops, central finite differences, dlmath.activations (the formulas of
Chapter 7), and PyTorch autograd when it is installed (skipped otherwise).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal
from sklearn.metrics import log_loss, mean_squared_error

from tests.package.finite_differences import numeric_gradient, random_projection_loss
from dlmath import activations, nn
from dlmath.nn import (
    INITIALIZERS,
    Conv2D,
    Dense,
    Flatten,
    MaxPool2D,
    Parameter,
    ReLU,
    Sequential,
    Sigmoid,
    Softmax,
    Tanh,
    col2im,
    conv2d,
    conv_output_size,
    cross_entropy,
    gradient_check,
    im2col,
    initialize,
    mse,
    softmax_cross_entropy,
    summary,
)

SEEDS = range(6)






# --- Parameter and initialisers -----------------------------------------------------------------


def test_parameter_owns_a_copy_and_a_zero_grad():
    source = np.arange(6.0).reshape(2, 3)
    p = Parameter(source, "W")
    source[0, 0] = 99
    assert p.value[0, 0] == 0 and p.grad.shape == (2, 3) and not p.grad.any()
    assert Parameter(np.ones(3, dtype=np.float32)).value.dtype == np.float32
    assert "W" in repr(p)


@pytest.mark.parametrize("name", sorted(INITIALIZERS))
def test_initializers_are_seeded_and_have_the_promised_variance(name):
    fan_in, fan_out = 400, 200
    a = initialize(name, (fan_in, fan_out), fan_in, fan_out, rng=3)
    b = initialize(name, (fan_in, fan_out), fan_in, fan_out, rng=3)
    np.testing.assert_array_equal(a, b)
    expected_var = {
        "he": 2 / fan_in, "he_normal": 2 / fan_in, "he_uniform": 2 / fan_in, "lecun": 1 / fan_in, "lecun_normal": 1 / fan_in,
        "glorot": 2 / (fan_in + fan_out), "glorot_uniform": 2 / (fan_in + fan_out), "glorot_normal": 2 / (fan_in + fan_out),
        "xavier": 2 / (fan_in + fan_out),
    }[name]  # fmt: skip
    assert a.var() == pytest.approx(expected_var, rel=0.03)
    assert abs(a.mean()) < 0.01
    assert initialize(name, (3, 4), 3, 4, rng=0, dtype=np.float32).dtype == np.float32


def test_uniform_initializers_stay_within_their_limit():
    w = initialize("glorot", (50, 30), 50, 30, rng=0)
    assert np.abs(w).max() <= np.sqrt(6 / 80)
    w = initialize("he_uniform", (50, 30), 50, 30, rng=0)
    assert np.abs(w).max() <= np.sqrt(6 / 50)


def test_initialize_rejects_unknown_names_and_bad_functions():
    with pytest.raises(ValueError, match="init must be one of"):
        initialize("kaiming-ish", (2, 2), 2, 2)
    with pytest.raises(ValueError, match="init returned shape"):
        initialize(lambda shape, fi, fo, rng, dtype: np.zeros(3), (2, 2), 2, 2)
    with pytest.raises(TypeError, match="dtype must be np.float32 or np.float64"):
        Dense(2, 3, dtype=np.int32)


# --- Dense ------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_dense_forward_is_the_affine_map(seed):
    rng = np.random.default_rng(seed)
    n_in, n_out, batch = rng.integers(1, 9, size=3)
    layer = Dense(n_in, n_out, rng=seed)
    layer.b.value[:] = rng.normal(size=n_out)
    x = rng.normal(size=(batch, n_in))
    expected = np.array([layer.W.value.T @ row + layer.b.value for row in x])
    np.testing.assert_allclose(layer.forward(x), expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_dense_gradients_match_finite_differences(seed):
    rng = np.random.default_rng(seed)
    n_in, n_out, batch = rng.integers(1, 7, size=3)
    layer = Dense(n_in, n_out, init="glorot", rng=seed)
    layer.b.value[:] = rng.normal(size=n_out)
    x = rng.normal(size=(batch, n_in))
    R = rng.normal(size=(batch, n_out))
    layer.forward(x)
    grad_x = layer.backward(R)
    f = lambda: float(np.sum(layer.forward(x) * R))  # noqa: E731
    np.testing.assert_allclose(layer.W.grad, numeric_gradient(f, layer.W.value), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(layer.b.grad, numeric_gradient(f, layer.b.value), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(grad_x, numeric_gradient(f, x), rtol=1e-6, atol=1e-8)


def test_dense_backward_overwrites_grads_and_can_skip_the_input_gradient():
    layer = Dense(3, 2, rng=0)
    x = np.ones((4, 3))
    layer.forward(x)
    layer.backward(np.ones((4, 2)))
    first = layer.W.grad.copy()
    layer.backward(np.ones((4, 2)))
    np.testing.assert_array_equal(layer.W.grad, first)  # not accumulated
    assert layer.backward(np.ones((4, 2)), input_grad=False) is None
    np.testing.assert_array_equal(layer.W.grad, first)


def test_dense_names_both_feature_counts():
    layer = Dense(4, 3, rng=0)
    with pytest.raises(ValueError, match=r"expects 4 features; got 5 features"):
        layer.forward(np.zeros((2, 5)))
    with pytest.raises(ValueError, match=r"must have shape \(batch, 4\).*1-D"):
        layer.forward(np.zeros(4))
    with pytest.raises(RuntimeError, match="before forward"):
        Dense(2, 2, rng=0).backward(np.zeros((1, 2)))
    layer.forward(np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r"grad_out .* shape .*\(2, 3\); got \(2, 4\)"):
        layer.backward(np.zeros((2, 4)))
    with pytest.raises(TypeError, match="x must contain numbers"):
        layer.forward(np.array([["a", "b", "c", "d"]]))


def test_dense_keeps_float32_and_converts_other_input_once():
    layer = Dense(3, 2, rng=0, dtype=np.float32)
    out = layer.forward(np.ones((5, 3)))  # float64 data into a float32 layer
    assert out.dtype == np.float32
    grad = layer.backward(np.ones((5, 2), dtype=np.float32))
    assert grad.dtype == np.float32 and layer.W.grad.dtype == np.float32 and layer.b.grad.dtype == np.float32


# --- activation layers ------------------------------------------------------------------------

ACTIVATIONS = [
    (Sigmoid, activations.sigmoid, activations.sigmoid_derivative),
    (Tanh, activations.tanh, activations.tanh_derivative),
    (ReLU, activations.relu, activations.relu_derivative),
]


@pytest.mark.parametrize(("layer_class", "function", "derivative"), ACTIVATIONS, ids=["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("seed", SEEDS)
def test_activation_layers_agree_with_chapter_7(layer_class, function, derivative, seed):
    rng = np.random.default_rng(seed)
    z = rng.normal(scale=3, size=(rng.integers(1, 6), rng.integers(1, 6)))
    g = rng.normal(size=z.shape)
    layer = layer_class()
    np.testing.assert_allclose(layer.forward(z), function(z), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(layer.backward(g), g * derivative(z), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("layer_class", [Sigmoid, Tanh, ReLU, Softmax], ids=["sigmoid", "tanh", "relu", "softmax"])
@pytest.mark.parametrize("seed", SEEDS)
def test_activation_gradients_match_finite_differences(layer_class, seed):
    rng = np.random.default_rng(seed)
    z = rng.normal(scale=2, size=(3, 4))
    z[np.abs(z) < 1e-3] = 0.5  # keep away from ReLU's kink
    errors = gradient_check(layer_class(), z, None, random_projection_loss(z.shape, seed), per_parameter=True)
    assert set(errors) == {"input"}
    assert errors["input"] < 1e-7


def test_sigmoid_is_stable_and_keeps_float32():
    layer = Sigmoid()
    out = layer.forward(np.array([[-1000.0, 0.0, 1000.0]], dtype=np.float32))
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, [[0.0, 0.5, 1.0]])
    assert np.isfinite(layer.backward(np.ones((1, 3), dtype=np.float32))).all()


@pytest.mark.parametrize("seed", SEEDS)
def test_softmax_layer_uses_the_softmax_jacobian(seed):
    rng = np.random.default_rng(seed)
    z = rng.normal(scale=2, size=(4, 5))
    g = rng.normal(size=z.shape)
    layer = Softmax()
    s = layer.forward(z)
    np.testing.assert_allclose(s, activations.softmax(z), rtol=1e-12)
    expected = np.array([activations.softmax_jacobian(row).T @ grow for row, grow in zip(z, g)])
    np.testing.assert_allclose(layer.backward(g), expected, rtol=1e-10, atol=1e-14)
    big = Softmax().forward(np.array([[1000.0, 1000.0, -1000.0]]))
    np.testing.assert_allclose(big, [[0.5, 0.5, 0.0]])


def test_flatten_round_trip():
    x = np.arange(2 * 3 * 4 * 5.0).reshape(2, 3, 4, 5)
    layer = Flatten()
    out = layer.forward(x)
    assert out.shape == (2, 60)
    np.testing.assert_array_equal(layer.backward(out), x)
    with pytest.raises(ValueError, match="at least one more"):
        layer.forward(np.zeros(3))


# --- losses -----------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_softmax_cross_entropy_matches_sklearn_and_its_gradient_is_p_minus_y(seed):
    rng = np.random.default_rng(seed)
    n, k = rng.integers(2, 9), rng.integers(2, 6)
    z = rng.normal(scale=3, size=(n, k))
    y = rng.integers(0, k, size=n)
    loss, grad = softmax_cross_entropy(z, y)
    p = activations.softmax(z)
    assert loss == pytest.approx(log_loss(y, p, labels=np.arange(k)), rel=1e-10)
    np.testing.assert_allclose(grad, (p - np.eye(k)[y]) / n, rtol=1e-12, atol=1e-15)
    numeric = numeric_gradient(lambda: softmax_cross_entropy(z, y)[0], z)
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-9)
    assert cross_entropy(p, y)[0] == pytest.approx(loss, rel=1e-10)


def test_softmax_cross_entropy_is_stable_for_huge_logits():
    z = np.array([[1e4, 0.0, -1e4], [0.0, 1e4, 0.0]])
    loss, grad = softmax_cross_entropy(z, [2, 1])
    assert loss == pytest.approx(2e4 / 2)  # first example: log-sum-exp = 1e4, minus -1e4
    assert np.isfinite(grad).all()
    loss32, grad32 = softmax_cross_entropy(z.astype(np.float32), [0, 1])
    assert loss32 == pytest.approx(0.0, abs=1e-6) and grad32.dtype == np.float32


def test_losses_reject_bad_labels_and_non_finite_values():
    z = np.zeros((3, 4))
    with pytest.raises(ValueError, match=r"between 0 and 3 .* got label 4 at index 1"):
        softmax_cross_entropy(z, [0, 4, 1])
    with pytest.raises(ValueError, match=r"got label -1 at index 2"):
        softmax_cross_entropy(z, [0, 1, -1])
    with pytest.raises(ValueError, match="one-hot rows"):
        softmax_cross_entropy(z, np.eye(4)[[0, 1, 2]])
    with pytest.raises(ValueError, match=r"shape \(3,\)"):
        softmax_cross_entropy(z, [0, 1])
    with pytest.raises(TypeError, match="integer class indices"):
        softmax_cross_entropy(z, [0.5, 1, 2])
    with pytest.raises(ValueError, match=r"logits must have shape \(batch, classes\)"):
        softmax_cross_entropy(np.zeros(4), [1])
    bad = z.copy()
    bad[1, 2] = np.nan
    with pytest.raises(ValueError, match="the loss is not finite: the logits contain NaN"):
        softmax_cross_entropy(bad, [0, 1, 2])
    bad[1, 2] = np.inf
    with pytest.raises(ValueError, match="NaN or infinite"):
        softmax_cross_entropy(bad, [0, 1, 2])
    assert softmax_cross_entropy(z, np.array([0.0, 1.0, 3.0]))[0] == pytest.approx(np.log(4))


@pytest.mark.parametrize("seed", SEEDS)
def test_cross_entropy_gradient(seed):
    rng = np.random.default_rng(seed)
    p = activations.softmax(rng.normal(size=(5, 3)))
    y = rng.integers(0, 3, size=5)
    loss, grad = cross_entropy(p, y)
    assert loss == pytest.approx(log_loss(y, p, labels=[0, 1, 2]), rel=1e-10)
    np.testing.assert_allclose(grad, numeric_gradient(lambda: cross_entropy(p, y)[0], p), rtol=1e-6, atol=1e-9)


def test_cross_entropy_refuses_zero_probability_and_non_probabilities():
    with pytest.raises(ValueError, match="probability 0 to the true class of 1 example"):
        cross_entropy(np.array([[1.0, 0.0], [0.5, 0.5]]), [1, 0])
    with pytest.raises(ValueError, match="between 0 and 1"):
        cross_entropy(np.array([[1.5, -0.5]]), [0])


@pytest.mark.parametrize("seed", SEEDS)
def test_mse_matches_sklearn_and_finite_differences(seed):
    rng = np.random.default_rng(seed)
    pred, target = rng.normal(size=(2, 6, 3))
    loss, grad = mse(pred, target)
    assert loss == pytest.approx(mean_squared_error(target, pred), rel=1e-12)
    np.testing.assert_allclose(grad, numeric_gradient(lambda: mse(pred, target)[0], pred), rtol=1e-6, atol=1e-9)


def test_mse_rejects_mismatched_shapes_and_overflow():
    with pytest.raises(ValueError, match=r"same shape; got \(6, 3\) and \(6, 2\)"):
        mse(np.zeros((6, 3)), np.zeros((6, 2)))
    with pytest.raises(ValueError, match="the loss is not finite"):
        mse(np.full((2, 2), 1e200), np.zeros((2, 2)))


# --- convolution and pooling ------------------------------------------------------------------

CONV_CASES = [  # (batch, in_c, out_c, h, w, kernel, stride, padding)
    (2, 1, 1, 6, 6, 3, 1, 0),
    (2, 3, 4, 7, 5, 3, 1, 1),
    (1, 2, 3, 8, 8, 3, 2, 1),
    (3, 2, 2, 9, 7, (2, 3), (2, 1), (0, 2)),
    (2, 1, 5, 5, 5, 5, 1, 2),
    (1, 4, 2, 6, 10, 1, 1, 0),
]


def correlate_reference(x, weight, bias, stride, padding):
    """The convolution of deep learning from scipy.signal.correlate2d, one channel pair at a time."""
    sh, sw = (stride, stride) if np.isscalar(stride) else stride
    ph, pw = (padding, padding) if np.isscalar(padding) else padding
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    n, c_out = x.shape[0], weight.shape[0]
    rows = []
    for i in range(n):
        maps = []
        for o in range(c_out):
            total = sum(signal.correlate2d(xp[i, c], weight[o, c], mode="valid") for c in range(x.shape[1]))
            maps.append(total[::sh, ::sw] + bias[o])
        rows.append(maps)
    return np.array(rows)


@pytest.mark.parametrize("case", CONV_CASES)
def test_conv2d_matches_scipy_correlate2d(case):
    n, c_in, c_out, h, w, k, s, p = case
    rng = np.random.default_rng(sum(map(hash, map(str, case))) % 2**32)
    x = rng.normal(size=(n, c_in, h, w))
    layer = Conv2D(c_in, c_out, k, stride=s, padding=p, rng=1)
    layer.b.value[:] = rng.normal(size=c_out)
    expected = correlate_reference(x, layer.W.value, layer.b.value, s, p)
    np.testing.assert_allclose(layer.forward(x), expected, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(conv2d(x, layer.W.value, layer.b.value, stride=s, padding=p), expected, rtol=1e-10, atol=1e-12)


def test_flipping_the_kernel_gives_the_convolution_of_mathematics():
    rng = np.random.default_rng(7)
    image, kernel = rng.normal(size=(9, 8)), rng.normal(size=(3, 3))
    ours = conv2d(image[None, None], kernel[::-1, ::-1][None, None])[0, 0]
    np.testing.assert_allclose(ours, signal.convolve2d(image, kernel, mode="valid"), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("case", CONV_CASES)
def test_conv2d_gradients_match_finite_differences(case):
    n, c_in, c_out, h, w, k, s, p = case
    rng = np.random.default_rng(len(str(case)))
    x = rng.normal(size=(n, c_in, h, w))
    layer = Conv2D(c_in, c_out, k, stride=s, padding=p, rng=2)
    layer.b.value[:] = rng.normal(size=c_out)
    out_shape = layer.forward(x).shape
    errors = gradient_check(layer, x, None, random_projection_loss(out_shape, n), per_parameter=True)
    assert set(errors) == {"input", "0.W", "0.b"}
    assert max(errors.values()) < 1e-8, errors


@pytest.mark.parametrize("seed", SEEDS)
def test_im2col_and_col2im_are_adjoint(seed):
    rng = np.random.default_rng(seed)
    shape = (2, 3, rng.integers(4, 8), rng.integers(4, 8))
    k, s, p = int(rng.integers(1, 4)), int(rng.integers(1, 3)), int(rng.integers(0, 2))
    x = rng.normal(size=shape)
    cols = im2col(x, k, stride=s, padding=p)
    C = rng.normal(size=cols.shape)
    assert np.sum(cols * C) == pytest.approx(np.sum(x * col2im(C, shape, k, stride=s, padding=p)), rel=1e-10)


def test_im2col_rows_are_the_patches():
    x = np.arange(2 * 4 * 5.0).reshape(1, 2, 4, 5)
    cols = im2col(x, 3, stride=1, padding=0)
    assert cols.shape == (1 * 2 * 3, 2 * 3 * 3)
    np.testing.assert_array_equal(cols[4], x[0, :, 1:4, 1:4].ravel())  # output position (1, 1)


def test_conv_output_size_formula():
    assert conv_output_size(28, 3, 1, 1) == 28
    assert conv_output_size(28, 5) == 24
    assert conv_output_size(7, 3, 2, 1) == 4
    with pytest.raises(ValueError, match="larger than the padded input"):
        conv_output_size(2, 5)


def test_conv_layer_errors_name_channels():
    layer = Conv2D(3, 2, 3, rng=0)
    with pytest.raises(ValueError, match=r"expects 3 input channel\(s\); got shape \(1, 1, 5, 5\)"):
        layer.forward(np.zeros((1, 1, 5, 5)))
    with pytest.raises(ValueError, match="weight expects 2 input channels but x has 1"):
        conv2d(np.zeros((1, 1, 5, 5)), np.zeros((4, 2, 3, 3)))
    with pytest.raises(ValueError, match=r"bias must have shape \(4,\)"):
        conv2d(np.zeros((1, 2, 5, 5)), np.zeros((4, 2, 3, 3)), np.zeros(3))
    with pytest.raises(ValueError, match="kernel_size must be an int or a pair"):
        Conv2D(1, 1, (3, 3, 3))
    with pytest.raises(ValueError, match="stride must be at least 1"):
        Conv2D(1, 1, 3, stride=0)


def maxpool_reference(x, s):
    n, c, h, w = x.shape
    out = np.empty((n, c, h // s, w // s))
    for i in range(h // s):
        for j in range(w // s):
            out[:, :, i, j] = x[:, :, i * s : (i + 1) * s, j * s : (j + 1) * s].max(axis=(2, 3))
    return out


@pytest.mark.parametrize("seed", SEEDS)
def test_maxpool_forward_and_gradient(seed):
    rng = np.random.default_rng(seed)
    s = int(rng.integers(1, 4))
    x = rng.normal(size=(2, 3, int(rng.integers(s, 9)), int(rng.integers(s, 9))))
    layer = MaxPool2D(s)
    out = layer.forward(x)
    np.testing.assert_array_equal(out, maxpool_reference(x, s))
    errors = gradient_check(layer, x, None, random_projection_loss(out.shape, seed), per_parameter=True)
    assert errors["input"] < 1e-8


def test_maxpool_sends_a_tied_gradient_to_the_first_maximum_only():
    x = np.array([[[[1.0, 1.0], [0.0, 1.0]]]])
    layer = MaxPool2D(2)
    assert layer.forward(x).item() == 1.0
    np.testing.assert_array_equal(layer.backward(np.array([[[[5.0]]]])), [[[[5.0, 0.0], [0.0, 0.0]]]])
    with pytest.raises(ValueError, match="at least 3x3"):
        MaxPool2D(3).forward(np.zeros((1, 1, 2, 5)))


# --- networks ---------------------------------------------------------------------------------


def mlp(seed, dtype=np.float64, activation=Sigmoid):
    return Sequential(
        Dense(5, 7, init="glorot", rng=seed, dtype=dtype), activation(),
        Dense(7, 6, init="glorot", rng=seed + 1, dtype=dtype), activation(),
        Dense(6, 4, init="glorot", rng=seed + 2, dtype=dtype),
    )  # fmt: skip


@pytest.mark.parametrize("activation", [Sigmoid, Tanh, ReLU], ids=["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("seed", SEEDS)
def test_sequential_backprop_passes_the_gradient_check(activation, seed):
    rng = np.random.default_rng(seed)
    net = mlp(seed, activation=activation)
    for p in net.parameters():
        if p.name == "b":
            p.value[:] = rng.normal(scale=0.5, size=p.shape)
    x = rng.normal(size=(8, 5))
    y = rng.integers(0, 4, size=8)
    errors = gradient_check(net, x, y, per_parameter=True)
    assert set(errors) == {"input", "0.W", "0.b", "2.W", "2.b", "4.W", "4.b"}
    assert max(errors.values()) < 1e-6, errors


def test_small_cnn_passes_the_gradient_check_and_counts_its_work():
    net = Sequential(
        Conv2D(1, 3, 3, padding=1, rng=0), ReLU(), MaxPool2D(2),
        Conv2D(3, 4, 3, rng=1), Tanh(), Flatten(), Dense(4 * 2 * 2, 3, rng=2), Softmax(),
    )  # fmt: skip
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 1, 8, 8))
    assert gradient_check(net, x, [0, 2], cross_entropy, max_entries=40, rng=0) < 1e-6
    rows = summary(net, (1, 8, 8))
    assert [r["output_shape"] for r in rows][:4] == [(3, 8, 8), (3, 8, 8), (3, 4, 4), (4, 2, 2)]
    assert [r["parameters"] for r in rows] == [3 * 9 + 3, 0, 0, 4 * 3 * 9 + 4, 0, 0, 16 * 3 + 3, 0]
    assert rows[0]["multiply_adds"] == 3 * 8 * 8 * 9 and rows[3]["multiply_adds"] == 4 * 2 * 2 * 3 * 9
    assert net.multiply_adds((1, 8, 8)) == sum(r["multiply_adds"] for r in rows)
    assert sum(r["parameters"] for r in rows) == sum(p.value.size for p in net.parameters())


def test_gradient_check_catches_a_wrong_backward_pass():
    class WrongSigmoid(Sigmoid):
        def backward(self, grad_out):
            return grad_out * self._out  # forgot the factor (1 - a)

    net = Sequential(Dense(3, 4, rng=0), WrongSigmoid(), Dense(4, 2, rng=1))
    x = np.random.default_rng(0).normal(size=(5, 3))
    errors = gradient_check(net, x, [0, 1, 1, 0, 1], per_parameter=True)
    assert errors["0.W"] > 1e-2 and errors["2.W"] < 1e-7  # the bug shows below it, not above


def test_gradient_check_computes_the_relative_error_formula():
    class DoubledTanh(Tanh):
        def backward(self, grad_out):
            return 2.0 * super().backward(grad_out)  # twice the true gradient

    x = np.random.default_rng(1).normal(size=(3, 4))
    errors = gradient_check(DoubledTanh(), x, np.zeros((3, 4)), mse, per_parameter=True)
    # ||2g - g|| / (||2g|| + ||g||) = 1/3 exactly, up to the finite-difference error
    assert errors["input"] == pytest.approx(1 / 3, abs=1e-8)


def test_gradient_check_requires_float64_and_a_model():
    with pytest.raises(ValueError, match="needs float64 parameters"):
        gradient_check(mlp(0, dtype=np.float32), np.zeros((2, 5)), [0, 1])
    with pytest.raises(TypeError, match="model must be a layer or network"):
        gradient_check(object(), np.zeros((2, 5)), [0, 1])


def test_sequential_float32_throughout():
    net = mlp(0, dtype=np.float32)
    x = np.random.default_rng(0).normal(size=(16, 5))  # float64 data
    out = net.forward(x)
    loss, grad = softmax_cross_entropy(out, np.arange(16) % 4)
    grad_x = net.backward(grad)
    assert out.dtype == grad.dtype == grad_x.dtype == np.float32
    assert all(p.value.dtype == p.grad.dtype == np.float32 for p in net.parameters())
    assert net.backward(grad, input_grad=False) is None


def test_cnn_keeps_float32():
    net = Sequential(Conv2D(2, 3, 3, padding=1, rng=0, dtype=np.float32), ReLU(), MaxPool2D(2),
                     Flatten(), Dense(3 * 3 * 3, 4, rng=1, dtype=np.float32))  # fmt: skip
    x = np.random.default_rng(0).normal(size=(5, 2, 6, 7))
    out = net.forward(x)
    _, grad = softmax_cross_entropy(out, [0, 1, 2, 3, 0])
    grad_x = net.backward(grad)
    assert out.dtype == grad_x.dtype == np.float32
    assert all(p.grad.dtype == np.float32 for p in net.parameters())


def test_sequential_predictions_and_structure():
    net = mlp(3)
    x = np.random.default_rng(3).normal(size=(6, 5))
    proba = net.predict_proba(x)
    np.testing.assert_allclose(proba, activations.softmax(net.forward(x)), rtol=1e-12)
    np.testing.assert_array_equal(net.predict(x), proba.argmax(axis=1))
    assert len(net) == 5 and isinstance(net[0], Dense) and len(net.parameters()) == 6
    assert "Dense(5, 7" in repr(net)
    with_softmax = Sequential(*net.layers, Softmax())
    np.testing.assert_allclose(with_softmax.predict_proba(x), proba, rtol=1e-12)


def test_sequential_rejects_bad_layers_inputs_and_gradients():
    with pytest.raises(ValueError, match="at least one layer"):
        Sequential()
    with pytest.raises(TypeError, match=r"layers\[1\] must be a layer"):
        Sequential(Dense(2, 2), np.tanh)
    with pytest.raises(ValueError, match="same dtype"):
        Sequential(Dense(2, 2, dtype=np.float32), Dense(2, 2))
    net = mlp(0)
    x = np.zeros((2, 5))
    x[1, 3] = np.nan
    with pytest.raises(ValueError, match=r"x must contain only finite numbers; found 1 NaN"):
        net.forward(x)
    net.forward(np.zeros((2, 5)))
    with pytest.raises(ValueError, match="grad_out must contain only finite numbers"):
        net.backward(np.array([[np.inf, 0, 0, 0], [0, 0, 0, 0]]))
    with pytest.raises(ValueError, match="expects 5 features; got 4"):
        net.forward(np.zeros((2, 4)))


def test_a_network_learns_xor():
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([0, 1, 1, 0])
    net = Sequential(Dense(2, 8, init="glorot", rng=4), Tanh(), Dense(8, 2, init="glorot", rng=5))
    first = softmax_cross_entropy(net.forward(X), y)[0]
    for _ in range(500):
        loss, grad = softmax_cross_entropy(net.forward(X), y)
        net.backward(grad)
        for p in net.parameters():
            p.value -= 0.5 * p.grad
    assert loss < 0.05 < first
    np.testing.assert_array_equal(net.predict(X), y)


# --- optional cross-checks with PyTorch ---------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS[:3])
def test_mlp_gradients_match_torch(seed):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(seed)
    net = mlp(seed)
    x = rng.normal(size=(8, 5))
    y = rng.integers(0, 4, size=8)
    loss, grad = softmax_cross_entropy(net.forward(x), y)
    net.backward(grad)
    tp = [torch.tensor(p.value, requires_grad=True) for p in net.parameters()]
    h = torch.tensor(x)
    for i in range(0, 6, 2):
        h = h @ tp[i] + tp[i + 1]
        if i < 4:
            h = torch.sigmoid(h)
    t_loss = torch.nn.functional.cross_entropy(h, torch.tensor(y))
    t_loss.backward()
    assert loss == pytest.approx(t_loss.item(), rel=1e-12)
    for p, t in zip(net.parameters(), tp):
        np.testing.assert_allclose(p.grad, t.grad.numpy(), rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("case", CONV_CASES)
def test_conv_and_pool_match_torch(case):
    torch = pytest.importorskip("torch")
    n, c_in, c_out, h, w, k, s, p = case
    rng = np.random.default_rng(11)
    x = rng.normal(size=(n, c_in, h, w))
    layer = Conv2D(c_in, c_out, k, stride=s, padding=p, rng=3)
    layer.b.value[:] = rng.normal(size=c_out)
    out = layer.forward(x)
    R = rng.normal(size=out.shape)
    grad_x = layer.backward(R)
    tx = torch.tensor(x, requires_grad=True)
    tw = torch.tensor(layer.W.value, requires_grad=True)
    tb = torch.tensor(layer.b.value, requires_grad=True)
    t_out = torch.nn.functional.conv2d(tx, tw, tb, stride=s, padding=p)
    (t_out * torch.tensor(R)).sum().backward()
    np.testing.assert_allclose(out, t_out.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(grad_x, tx.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(layer.W.grad, tw.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(layer.b.grad, tb.grad.numpy(), rtol=1e-10, atol=1e-12)
    pool = MaxPool2D(2)
    if min(out.shape[2:]) >= 2:
        pooled = pool.forward(out)
        tp = torch.tensor(out, requires_grad=True)
        t_pooled = torch.nn.functional.max_pool2d(tp, 2)
        G = rng.normal(size=pooled.shape)
        (t_pooled * torch.tensor(G)).sum().backward()
        np.testing.assert_array_equal(pooled, t_pooled.detach().numpy())
        np.testing.assert_allclose(pool.backward(G), tp.grad.numpy(), rtol=1e-12)


def test_gradient_check_reports_every_parameter_even_with_repeated_names():
    """Two parameters of one layer named alike: a wrong gradient in the first must not be hidden."""

    class TwoScales(nn.Layer):
        def __init__(self):
            self.a = nn.Parameter(np.array([1.5]), name="W")
            self.b = nn.Parameter(np.array([-0.5]), name="W")

        def forward(self, x):
            self.x = x
            return self.a.value * x + self.b.value * x**2

        def backward(self, grad_out):
            self.a.grad[...] = 3.0 * np.sum(grad_out * self.x)  # wrong: should be 1.0 *
            self.b.grad[...] = np.sum(grad_out * self.x**2)
            return grad_out * (self.a.value + 2 * self.b.value * self.x)

        def parameters(self):
            return [self.a, self.b]

    model = nn.Sequential(TwoScales())
    x = np.array([[0.3], [-1.2]])
    errors = nn.gradient_check(model, x, np.zeros((2, 1)), loss=nn.mse, per_parameter=True)
    assert set(errors) == {"input", "0.W", "0.W#2"}
    assert errors["0.W"] > 0.1 and errors["0.W#2"] < 1e-6
    assert nn.gradient_check(model, x, np.zeros((2, 1)), loss=nn.mse) > 0.1
