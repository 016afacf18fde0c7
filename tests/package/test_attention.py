"""Tests of the attention and transformer layers of dlmath.nn (Chapter 13).

References: explicit loops over examples, heads and queries with ``scipy.special.softmax``,
one-hot matrix products, central finite differences (by hand and with
``dlmath.calculus.jacobian``), ``dlmath.nn.gradient_check``, and PyTorch
(``scaled_dot_product_attention``, ``LayerNorm``, ``MultiheadAttention``) when it is
installed (skipped otherwise).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import softmax

from tests.package.finite_differences import numeric_gradient, random_projection_loss
from dlmath import calculus
from dlmath.datasets import one_hot
from dlmath.nn import (
    Dense,
    Embedding,
    LayerNorm,
    MultiHeadAttention,
    PositionalEncoding,
    PositionWise,
    ReLU,
    Sequential,
    TransformerBlock,
    attention_backward,
    causal_mask,
    gradient_check,
    scaled_dot_product_attention,
    sinusoidal_positions,
    softmax_cross_entropy,
)

SEEDS = range(5)






def attention_by_loops(Q, K, V, mask=None):
    """The definition, one query at a time: softmax of the scaled dot products, then a weighted sum of values."""
    *lead, tq, d = Q.shape
    out = np.zeros((*lead, tq, V.shape[-1]))
    weights = np.zeros((*lead, tq, K.shape[-2]))
    for index in np.ndindex(*lead):
        for i in range(tq):
            scores = np.array([Q[index][i] @ K[index][j] for j in range(K.shape[-2])]) / np.sqrt(d)
            if mask is not None:
                m = np.broadcast_to(mask, (*lead, tq, K.shape[-2]))[index][i]
                scores = np.where(m, scores, -np.inf)
            a = softmax(scores)
            weights[index][i] = a
            out[index][i] = sum(a[j] * V[index][j] for j in range(K.shape[-2]))
    return out, weights


def mha_by_loops(layer, x, mask=None):
    """Multi-head attention, one example and one head at a time, from the layer's weights."""
    n, t, d = x.shape
    h = layer.n_heads
    dh = d // h
    out = np.zeros_like(x)
    for b in range(n):
        Q = x[b] @ layer.W_q.value + layer.b_q.value
        K = x[b] @ layer.W_k.value
        V = x[b] @ layer.W_v.value + layer.b_v.value
        heads = []
        for j in range(h):
            cols = slice(j * dh, (j + 1) * dh)
            m = None if mask is None else mask
            heads.append(attention_by_loops(Q[None, :, cols], K[None, :, cols], V[None, :, cols], m)[0][0])
        out[b] = np.concatenate(heads, axis=1) @ layer.W_o.value + layer.b_o.value
    return out


def randomize(layer, seed, scale=0.3):
    """Give every parameter random values (biases and gains start at 0 and 1, which hides mistakes)."""
    rng = np.random.default_rng(seed)
    for p in layer.parameters():
        p.value[...] = p.value + scale * rng.normal(size=p.shape)
    return layer


# --- scaled dot-product attention -----------------------------------------------------------------


def test_causal_mask_is_lower_triangular():
    for t in (1, 2, 5):
        assert np.array_equal(causal_mask(t), np.tril(np.ones((t, t))) == 1)
    assert causal_mask(4).dtype == bool


@pytest.mark.parametrize("seed", SEEDS)
def test_attention_matches_the_definition(seed):
    rng = np.random.default_rng(seed)
    lead = [(), (3,), (2, 3)][seed % 3]
    tq, tk, d, dv = rng.integers(1, 6), rng.integers(1, 6), rng.integers(1, 5), rng.integers(1, 5)
    Q, K, V = rng.normal(size=(*lead, tq, d)), rng.normal(size=(*lead, tk, d)), rng.normal(size=(*lead, tk, dv))
    out, weights = scaled_dot_product_attention(Q, K, V)
    ref_out, ref_weights = attention_by_loops(Q, K, V)
    np.testing.assert_allclose(out, ref_out, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(weights, ref_weights, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(weights.sum(axis=-1), 1.0, rtol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_masked_attention_gives_zero_weight_to_hidden_keys(seed):
    rng = np.random.default_rng(seed)
    t, d = 5, 3
    Q, K, V = (rng.normal(size=(2, t, d)) for _ in range(3))
    mask = rng.random((2, t, t)) < 0.6
    mask[:, np.arange(t), rng.integers(0, t, size=t)] = True  # every query keeps a key
    out, weights = scaled_dot_product_attention(Q, K, V, mask)
    assert np.all(weights[~mask] == 0)
    ref_out, ref_weights = attention_by_loops(Q, K, V, mask)
    np.testing.assert_allclose(out, ref_out, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(weights, ref_weights, rtol=1e-12, atol=1e-12)


def test_causal_attention_does_not_see_the_future():
    rng = np.random.default_rng(0)
    Q, K, V = (rng.normal(size=(6, 4)) for _ in range(3))
    out, _ = scaled_dot_product_attention(Q, K, V, causal_mask(6))
    K2, V2 = K.copy(), V.copy()
    K2[4:], V2[4:] = rng.normal(size=(2, 4)), rng.normal(size=(2, 4))  # change the last two positions
    out2, _ = scaled_dot_product_attention(Q, K2, V2, causal_mask(6))
    np.testing.assert_array_equal(out[:4], out2[:4])
    assert not np.allclose(out[4:], out2[4:])


def test_scaling_keeps_the_score_variance_near_one():
    rng = np.random.default_rng(1)
    for d in (4, 64, 256):
        Q, K = rng.normal(size=(4000, d)), rng.normal(size=(4000, d))
        scaled = np.einsum("ij,ij->i", Q, K) / np.sqrt(d)  # 4000 independent scores
        assert abs(scaled.var() - 1.0) < 0.1
        assert abs((scaled * np.sqrt(d)).var() / d - 1.0) < 0.1


@pytest.mark.parametrize("seed", SEEDS)
def test_attention_backward_matches_finite_differences(seed):
    rng = np.random.default_rng(seed)
    lead = [(), (2,), (2, 2)][seed % 3]
    tq, tk, d, dv = 3, 4, 3, 2
    Q, K, V = rng.normal(size=(*lead, tq, d)), rng.normal(size=(*lead, tk, d)), rng.normal(size=(*lead, tk, dv))
    G = rng.normal(size=(*lead, tq, dv))
    mask = None if seed % 2 else np.tril(np.ones((tq, tk), dtype=bool), k=1)
    out, weights = scaled_dot_product_attention(Q, K, V, mask)
    grads = attention_backward(G, Q, K, V, weights)
    for array, analytic in zip((Q, K, V), grads):
        assert analytic.shape == array.shape
        numeric = numeric_gradient(lambda: float(np.sum(G * scaled_dot_product_attention(Q, K, V, mask)[0])), array)
        np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-8)


def test_attention_keeps_float32():
    rng = np.random.default_rng(2)
    Q, K, V = (rng.normal(size=(2, 3, 4)).astype(np.float32) for _ in range(3))
    out, weights = scaled_dot_product_attention(Q, K, V, causal_mask(3))
    assert out.dtype == weights.dtype == np.float32
    assert all(g.dtype == np.float32 for g in attention_backward(np.ones_like(out), Q, K, V, weights))


def test_attention_rejects_bad_input():
    Q, K, V = np.ones((3, 4)), np.ones((5, 4)), np.ones((5, 2))
    with pytest.raises(ValueError, match="same number of features"):
        scaled_dot_product_attention(Q, np.ones((5, 3)), V)
    with pytest.raises(ValueError, match="one row per key"):
        scaled_dot_product_attention(Q, K, np.ones((4, 2)))
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        scaled_dot_product_attention(np.ones(4), K, V)
    with pytest.raises(ValueError, match="same leading"):
        scaled_dot_product_attention(np.ones((2, 3, 4)), K, V)
    with pytest.raises(TypeError, match="mask must be a boolean array"):
        scaled_dot_product_attention(Q, K, V, mask=np.ones((3, 5)))
    with pytest.raises(ValueError, match="mask must broadcast"):
        scaled_dot_product_attention(Q, K, V, mask=np.ones((3, 4), dtype=bool))
    hidden = np.ones((3, 5), dtype=bool)
    hidden[1] = False
    with pytest.raises(ValueError, match="hides every key"):
        scaled_dot_product_attention(Q, K, V, mask=hidden)
    with pytest.raises(ValueError, match="finite"):
        scaled_dot_product_attention(np.full((3, 4), np.nan), K, V)
    with pytest.raises(TypeError, match="Q must contain numbers"):
        scaled_dot_product_attention([["a"]], K, V)
    _, weights = scaled_dot_product_attention(Q, K, V)
    with pytest.raises(ValueError, match="weights must have the shape"):
        attention_backward(np.ones((3, 2)), Q, K, V, weights.T)
    with pytest.raises(ValueError, match="grad_out must have the shape"):
        attention_backward(np.ones((3, 4)), Q, K, V, weights)
    with pytest.raises(ValueError, match="n_positions must be at least 1"):
        causal_mask(0)


# --- multi-head attention ---------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_multi_head_attention_matches_loops_over_examples_and_heads(seed):
    rng = np.random.default_rng(seed)
    heads = [1, 2, 4][seed % 3]
    causal = bool(seed % 2)
    layer = randomize(MultiHeadAttention(8, heads, causal=causal, rng=seed), seed)
    x = rng.normal(size=(3, 5, 8))
    mask = causal_mask(5) if causal else None
    np.testing.assert_allclose(layer.forward(x), mha_by_loops(layer, x, mask), rtol=1e-11, atol=1e-12)
    assert layer.weights.shape == (3, heads, 5, 5)
    np.testing.assert_allclose(layer.weights.sum(axis=-1), 1.0)


@pytest.mark.parametrize("seed", SEEDS)
def test_multi_head_attention_gradients(seed):
    rng = np.random.default_rng(seed)
    layer = randomize(MultiHeadAttention(6, [1, 2, 3][seed % 3], causal=bool(seed % 2), rng=seed), seed)
    x = rng.normal(size=(2, 4, 6))
    errors = gradient_check(layer, x, None, random_projection_loss((2, 4, 6), seed), per_parameter=True)
    assert set(errors) == {"input", "0.W_q", "0.b_q", "0.W_k", "0.W_v", "0.b_v", "0.W_o", "0.b_o"}
    assert max(errors.values()) < 1e-7, errors


def test_multi_head_attention_with_a_mask_argument():
    rng = np.random.default_rng(3)
    layer = randomize(MultiHeadAttention(4, 2, rng=0), 0)
    x = rng.normal(size=(2, 4, 4))
    keep = rng.random((2, 4, 4)) < 0.5
    keep[:, np.arange(4), np.arange(4)] = True
    out = layer.forward(x, mask=keep)
    assert np.all(layer.weights[~np.broadcast_to(keep[:, None], layer.weights.shape)] == 0)
    causal = randomize(MultiHeadAttention(4, 2, causal=True, rng=0), 0)
    np.testing.assert_allclose(causal.forward(x), layer.forward(x, mask=causal_mask(4)))
    assert out.shape == x.shape


def test_the_key_bias_would_change_nothing():
    """Why MultiHeadAttention has no b_K: a constant added to every key leaves the output unchanged."""
    rng = np.random.default_rng(4)
    Q, K, V = (rng.normal(size=(5, 3)) for _ in range(3))
    out, _ = scaled_dot_product_attention(Q, K, V)
    shifted, _ = scaled_dot_product_attention(Q, K + rng.normal(size=3), V)
    np.testing.assert_allclose(out, shifted, rtol=1e-12, atol=1e-12)


def test_multi_head_attention_rejects_bad_input():
    with pytest.raises(ValueError, match="divisible by n_heads"):
        MultiHeadAttention(6, 4)
    with pytest.raises(TypeError, match="causal must be True or False"):
        MultiHeadAttention(4, causal="yes")
    layer = MultiHeadAttention(4, 2, rng=0)
    with pytest.raises(RuntimeError, match="before forward"):
        layer.backward(np.ones((1, 2, 4)))
    with pytest.raises(ValueError, match=r"must have shape \(batch, positions, 4\); got 3 features"):
        layer.forward(np.ones((2, 5, 3)))
    with pytest.raises(ValueError, match="got shape"):
        layer.forward(np.ones((5, 4)))
    with pytest.raises(ValueError, match="mask of MultiHeadAttention"):
        layer.forward(np.ones((2, 5, 4)), mask=np.ones((4, 4), dtype=bool))
    layer.forward(np.ones((2, 5, 4)))
    with pytest.raises(ValueError, match="grad_out of MultiHeadAttention.backward"):
        layer.backward(np.ones((2, 4, 4)))


# --- layer normalisation ----------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_layer_norm_matches_its_formula(seed):
    rng = np.random.default_rng(seed)
    d = int(rng.integers(2, 9))
    layer = randomize(LayerNorm(d, eps=1e-5), seed)
    x = rng.normal(loc=3.0, scale=2.0, size=(4, 3, d))
    expected = (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + 1e-5) * layer.gamma.value + layer.beta.value
    np.testing.assert_allclose(layer.forward(x), expected, rtol=1e-12, atol=1e-12)
    plain = LayerNorm(d).forward(x)
    np.testing.assert_allclose(plain.mean(-1), 0.0, atol=1e-12)
    np.testing.assert_allclose(plain.var(-1), x.var(-1) / (x.var(-1) + 1e-5), rtol=1e-10)


@pytest.mark.parametrize("seed", SEEDS)
def test_layer_norm_gradients(seed):
    rng = np.random.default_rng(seed)
    layer = randomize(LayerNorm(5), seed)
    x = rng.normal(size=(3, 2, 5)) if seed % 2 else rng.normal(size=(4, 5))
    errors = gradient_check(layer, x, None, random_projection_loss(x.shape, seed), per_parameter=True)
    assert max(errors.values()) < 1e-7, errors


@pytest.mark.parametrize("seed", SEEDS)
def test_layer_norm_jacobian_is_the_formula_of_the_chapter(seed):
    rng = np.random.default_rng(seed)
    d, eps = 6, 1e-5
    x = rng.normal(size=d) * 2 + 1
    layer = randomize(LayerNorm(d, eps=eps), seed)
    numeric = calculus.jacobian(lambda v: layer.forward(v[None])[0], x)
    s = np.sqrt(x.var() + eps)
    x_hat = (x - x.mean()) / s
    formula = np.diag(layer.gamma.value) @ (np.eye(d) - np.ones((d, d)) / d - np.outer(x_hat, x_hat) / d) / s
    np.testing.assert_allclose(numeric, formula, rtol=1e-6, atol=1e-8)
    # backward applies the transposed Jacobian to the incoming gradient (a vector-Jacobian product)
    g = rng.normal(size=d)
    layer.forward(x[None])
    np.testing.assert_allclose(layer.backward(g[None])[0], formula.T @ g, rtol=1e-10, atol=1e-12)


def test_layer_norm_ignores_shifts_and_scales():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(3, 7))
    layer = LayerNorm(7, eps=1e-12)
    np.testing.assert_allclose(layer.forward(5.0 * x - 2.0), layer.forward(x), rtol=1e-8, atol=1e-9)
    np.testing.assert_allclose(layer.forward(-x), -layer.forward(x), rtol=1e-8, atol=1e-9)


def test_layer_norm_rejects_bad_input():
    with pytest.raises(ValueError, match="eps must be greater than 0"):
        LayerNorm(3, eps=0.0)
    with pytest.raises(TypeError, match="d must be an integer"):
        LayerNorm(3.5)
    layer = LayerNorm(3)
    with pytest.raises(ValueError, match="3 features on its last axis; got shape"):
        layer.forward(np.ones((2, 4)))
    with pytest.raises(RuntimeError, match="before forward"):
        layer.backward(np.ones((2, 3)))
    layer.forward(np.ones((2, 3)))
    with pytest.raises(ValueError, match="grad_out of LayerNorm.backward"):
        layer.backward(np.ones((3, 3)))


# --- embeddings and positions -------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_embedding_is_a_dense_layer_on_one_hot_vectors(seed):
    rng = np.random.default_rng(seed)
    layer = Embedding(7, 4, rng=seed)
    tokens = rng.integers(0, 7, size=(3, 5))
    hot = one_hot(tokens.reshape(-1), 7)  # (15, 7)
    out = layer.forward(tokens)
    np.testing.assert_allclose(out.reshape(-1, 4), hot @ layer.E.value)
    G = rng.normal(size=(3, 5, 4))
    assert layer.backward(G) is None
    np.testing.assert_allclose(layer.E.grad, hot.T @ G.reshape(-1, 4), rtol=1e-12, atol=1e-12)
    layer.backward(G)  # a second call overwrites the gradient, it does not accumulate
    np.testing.assert_allclose(layer.E.grad, hot.T @ G.reshape(-1, 4), rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(layer.forward(tokens.astype(float)), out)


def test_embedding_gradient_by_finite_differences():
    rng = np.random.default_rng(6)
    layer = Embedding(5, 3, rng=0)
    tokens = np.array([[0, 2, 2, 4], [1, 2, 0, 0]])
    R = rng.normal(size=(2, 4, 3))
    layer.forward(tokens)
    layer.backward(R)
    numeric = numeric_gradient(lambda: float(np.sum(layer.forward(tokens) * R)), layer.E.value)
    np.testing.assert_allclose(layer.E.grad, numeric, rtol=1e-7, atol=1e-9)
    assert not layer.E.grad[3].any()  # token 3 does not occur


def test_embedding_rejects_bad_tokens():
    layer = Embedding(5, 3, rng=0)
    with pytest.raises(ValueError, match="between 0 and 4; got token 5"):
        layer.forward(np.array([[1, 5]]))
    with pytest.raises(ValueError, match="got token -1"):
        layer.forward(np.array([-1, 2]))
    with pytest.raises(TypeError, match="integer token indices"):
        layer.forward(np.array([0.5, 1.0]))
    with pytest.raises(RuntimeError, match="before forward"):
        Embedding(3, 2).backward(np.ones((1, 2)))
    layer.forward(np.array([[1, 2]]))
    with pytest.raises(ValueError, match="grad_out of Embedding.backward"):
        layer.backward(np.ones((1, 2, 4)))


def test_sinusoidal_positions_by_the_formula_and_their_rotations():
    T, d = 12, 8
    P = sinusoidal_positions(T, d)
    for p in range(T):
        for k in range(d // 2):
            omega = 10000.0 ** (-2 * k / d)
            assert P[p, 2 * k] == pytest.approx(np.sin(omega * p), abs=1e-14)
            assert P[p, 2 * k + 1] == pytest.approx(np.cos(omega * p), abs=1e-14)
    # moving m positions rotates every (sin, cos) pair by the angle omega_k m, whatever p
    m = 3
    for k in range(d // 2):
        a = 10000.0 ** (-2 * k / d) * m
        rotation = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])  # rows (sin, cos) times it
        pairs = P[:, 2 * k : 2 * k + 2]
        np.testing.assert_allclose(pairs[:-m] @ rotation, pairs[m:], atol=1e-12)
    with pytest.raises(ValueError, match="d must be even"):
        sinusoidal_positions(4, 5)
    with pytest.raises(ValueError, match="base must be greater than 1"):
        sinusoidal_positions(4, 4, base=1.0)


@pytest.mark.parametrize("learned", [False, True])
def test_positional_encoding(learned):
    rng = np.random.default_rng(7)
    layer = PositionalEncoding(6, 4, learned=learned, rng=1)
    x = rng.normal(size=(3, 5, 4))
    table = layer.P.value if learned else sinusoidal_positions(6, 4)
    np.testing.assert_allclose(layer.forward(x), x + table[:5])
    errors = gradient_check(layer, x, None, random_projection_loss(x.shape, 0), per_parameter=True)
    assert max(errors.values()) < 1e-8, errors
    assert set(errors) == ({"input", "0.P"} if learned else {"input"})
    if learned:
        assert not layer.P.grad[5].any()  # position 5 was not used
    with pytest.raises(ValueError, match="positions <= 6"):
        layer.forward(np.ones((1, 7, 4)))
    with pytest.raises(TypeError, match="learned must be True or False"):
        PositionalEncoding(6, 4, learned=1)


# --- position-wise layers and the transformer block ------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_position_wise_dense_is_the_same_dense_layer_at_every_position(seed):
    rng = np.random.default_rng(seed)
    dense = randomize(Dense(4, 3, rng=seed), seed)
    layer = PositionWise(dense)
    x = rng.normal(size=(2, 5, 4))
    out = layer.forward(x)
    for b in range(2):
        for t in range(5):
            np.testing.assert_allclose(out[b, t], x[b, t] @ dense.W.value + dense.b.value, rtol=1e-12)
    errors = gradient_check(layer, x, None, random_projection_loss((2, 5, 3), seed), per_parameter=True)
    assert max(errors.values()) < 1e-8, errors
    with pytest.raises(TypeError, match="layer must be a layer"):
        PositionWise(np.eye(3))
    with pytest.raises(ValueError, match="batch, positions, features"):
        layer.forward(np.ones((2, 4)))


@pytest.mark.parametrize("seed", SEEDS)
def test_transformer_block_gradients(seed):
    rng = np.random.default_rng(seed)
    block = randomize(TransformerBlock(8, [1, 2, 4][seed % 3], 12, causal=bool(seed % 2), rng=seed), seed, scale=0.2)
    x = rng.normal(size=(2, 4, 8))
    errors = gradient_check(block, x, None, random_projection_loss((2, 4, 8), seed), per_parameter=True)
    assert len(errors) == 1 + len(block.parameters())  # the names are unique: nothing was overwritten
    assert max(errors.values()) < 1e-7, errors


def test_transformer_block_is_the_formula_of_the_chapter():
    rng = np.random.default_rng(8)
    block = randomize(TransformerBlock(6, 2, 10, rng=0), 0)
    x = rng.normal(size=(3, 4, 6))
    h = x + block.attn.forward(block.ln1.forward(x))
    W1, b1 = block.ffn[0].layer.W.value, block.ffn[0].layer.b.value
    W2, b2 = block.ffn[2].layer.W.value, block.ffn[2].layer.b.value
    z = block.ln2.forward(h)
    expected = h + np.maximum(z @ W1 + b1, 0) @ W2 + b2
    np.testing.assert_allclose(block.forward(x), expected, rtol=1e-12, atol=1e-12)
    assert block.weights.shape == (3, 2, 4, 4)


def test_a_block_with_silent_branches_is_the_identity_and_passes_gradients_unchanged():
    block = TransformerBlock(4, 2, 8, rng=0)
    block.attn.W_o.value[...] = 0
    block.ffn[2].layer.W.value[...] = 0
    x = np.random.default_rng(9).normal(size=(2, 3, 4))
    np.testing.assert_array_equal(block.forward(x), x)
    G = np.random.default_rng(10).normal(size=x.shape)
    np.testing.assert_allclose(block.backward(G), G, atol=1e-15)


def test_causal_block_and_model_do_not_see_the_future():
    rng = np.random.default_rng(11)
    model = Sequential(
        Embedding(6, 8, rng=0),
        PositionalEncoding(5, 8),
        TransformerBlock(8, 2, 16, causal=True, rng=1),
        LayerNorm(8),
        PositionWise(Dense(8, 6, rng=2)),
    )
    tokens = rng.integers(0, 6, size=(4, 5))
    changed = tokens.copy()
    changed[:, 3:] = (changed[:, 3:] + 1) % 6
    a, b = model.forward(tokens), model.forward(changed)
    np.testing.assert_allclose(a[:, :3], b[:, :3], rtol=1e-12, atol=1e-12)
    assert not np.allclose(a[:, 3:], b[:, 3:])


def test_a_whole_model_is_gradient_checked_on_one_hot_tokens():
    """An embedding is a dense layer on one-hot vectors, so a whole model can be checked from its input."""
    rng = np.random.default_rng(12)
    V, T, d = 5, 4, 8
    model = Sequential(
        PositionWise(Dense(V, d, rng=0)),
        PositionalEncoding(T, d, learned=True, rng=1),
        TransformerBlock(d, 2, 12, causal=True, rng=2),
        LayerNorm(d),
        PositionWise(Dense(d, V, rng=3)),
    )
    tokens = rng.integers(0, V, size=(3, T))
    X = one_hot(tokens.reshape(-1), V).reshape(3, T, V)
    targets = rng.integers(0, V, size=(3, T))

    def loss(logits, y):
        value, grad = softmax_cross_entropy(logits.reshape(-1, V), y.reshape(-1))
        return value, grad.reshape(logits.shape)

    errors = gradient_check(model, X, targets, loss, per_parameter=True, max_entries=12, rng=0)
    assert len(errors) == 1 + len(model.parameters())
    assert max(errors.values()) < 1e-6, errors


def test_a_tiny_model_learns_to_reverse_sequences():
    """A few hundred Adam steps are enough to reverse sequences of 4 tokens (positional attention)."""
    from dlmath import optim

    rng = np.random.default_rng(13)
    V, T, d = 6, 4, 16
    X = rng.integers(0, V, size=(512, T))
    Y = X[:, ::-1].copy()
    model = Sequential(
        Embedding(V, d, rng=0),
        PositionalEncoding(T, d, learned=True, rng=1),
        TransformerBlock(d, 1, 32, rng=2),
        LayerNorm(d),
        PositionWise(Dense(d, V, init="glorot", rng=3)),
    )

    def loss(logits, y):
        value, grad = softmax_cross_entropy(logits.reshape(-1, V), y.reshape(-1))
        return value, grad.reshape(logits.shape)

    history = optim.train(model, loss, X, Y, optim.Adam(model.parameters(), lr=0.01), epochs=8, batch_size=32, rng=0)
    assert history.epoch_loss[-1] < 0.1 * history.epoch_loss[0]
    X_new = rng.integers(0, V, size=(200, T))
    accuracy = np.mean(model.forward(X_new).argmax(-1) == X_new[:, ::-1])
    assert accuracy > 0.95


def test_block_keeps_float32():
    block = TransformerBlock(4, 2, 8, causal=True, rng=0, dtype=np.float32)
    x = np.random.default_rng(14).normal(size=(2, 3, 4)).astype(np.float32)
    out = block.forward(x)
    assert out.dtype == np.float32
    assert block.backward(np.ones_like(out)).dtype == np.float32
    assert all(p.grad.dtype == np.float32 for p in block.parameters())


def test_transformer_block_rejects_bad_input():
    with pytest.raises(ValueError, match="divisible by n_heads"):
        TransformerBlock(6, 4)
    block = TransformerBlock(4, 2, rng=0)
    assert block.d_ff == 16
    with pytest.raises(ValueError, match="must have shape"):
        block.forward(np.ones((2, 3, 5)))
    with pytest.raises(RuntimeError, match="TransformerBlock.backward was called before forward"):
        block.backward(np.ones((2, 3, 4)))
    block.forward(np.ones((2, 3, 4)))
    with pytest.raises(ValueError, match="grad_out of TransformerBlock.backward"):
        block.backward(np.ones((2, 4, 4)))


# --- cross-checks with PyTorch (skipped when it is not installed) -------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_attention_matches_torch(seed):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(seed)
    Q, K, V = rng.normal(size=(2, 3, 5, 4)), rng.normal(size=(2, 3, 6, 4)), rng.normal(size=(2, 3, 6, 2))
    mask = rng.random((5, 6)) < 0.7
    mask[:, 0] = True
    G = rng.normal(size=(2, 3, 5, 2))
    out, weights = scaled_dot_product_attention(Q, K, V, mask)
    tq, tk, tv = (torch.tensor(a, requires_grad=True) for a in (Q, K, V))
    t_out = torch.nn.functional.scaled_dot_product_attention(tq, tk, tv, attn_mask=torch.tensor(mask))
    (t_out * torch.tensor(G)).sum().backward()
    np.testing.assert_allclose(out, t_out.detach().numpy(), rtol=1e-10, atol=1e-12)
    for ours, theirs in zip(attention_backward(G, Q, K, V, weights), (tq, tk, tv)):
        np.testing.assert_allclose(ours, theirs.grad.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_layer_norm_matches_torch(seed):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(seed)
    layer = randomize(LayerNorm(6, eps=1e-5), seed)
    x = rng.normal(size=(3, 4, 6))
    G = rng.normal(size=x.shape)
    t_layer = torch.nn.LayerNorm(6, eps=1e-5, dtype=torch.float64)
    with torch.no_grad():
        t_layer.weight.copy_(torch.tensor(layer.gamma.value))
        t_layer.bias.copy_(torch.tensor(layer.beta.value))
    tx = torch.tensor(x, requires_grad=True)
    t_out = t_layer(tx)
    (t_out * torch.tensor(G)).sum().backward()
    np.testing.assert_allclose(layer.forward(x), t_out.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(layer.backward(G), tx.grad.numpy(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(layer.gamma.grad, t_layer.weight.grad.numpy(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(layer.beta.grad, t_layer.bias.grad.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_multi_head_attention_matches_torch(seed):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(seed)
    d, heads, causal = 8, [1, 2, 4][seed % 3], bool(seed % 2)
    layer = randomize(MultiHeadAttention(d, heads, causal=causal, rng=seed), seed)
    x = rng.normal(size=(2, 5, d))
    G = rng.normal(size=x.shape)
    t_layer = torch.nn.MultiheadAttention(d, heads, batch_first=True, dtype=torch.float64)
    with torch.no_grad():
        t_layer.in_proj_weight.copy_(torch.tensor(np.concatenate([layer.W_q.value.T, layer.W_k.value.T, layer.W_v.value.T])))
        key_bias = rng.normal(size=d)  # any key bias: it cannot change the output
        t_layer.in_proj_bias.copy_(torch.tensor(np.concatenate([layer.b_q.value, key_bias, layer.b_v.value])))
        t_layer.out_proj.weight.copy_(torch.tensor(layer.W_o.value.T))
        t_layer.out_proj.bias.copy_(torch.tensor(layer.b_o.value))
    tx = torch.tensor(x, requires_grad=True)
    hidden = torch.tensor(~causal_mask(5)) if causal else None  # PyTorch's module: True = masked OUT
    t_out, t_weights = t_layer(tx, tx, tx, attn_mask=hidden, need_weights=True, average_attn_weights=False)
    (t_out * torch.tensor(G)).sum().backward()
    np.testing.assert_allclose(layer.forward(x), t_out.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(layer.weights, t_weights.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(layer.backward(G), tx.grad.numpy(), rtol=1e-9, atol=1e-12)
    in_grad = t_layer.in_proj_weight.grad.numpy()
    np.testing.assert_allclose(layer.W_q.grad, in_grad[:d].T, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(layer.W_k.grad, in_grad[d : 2 * d].T, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(layer.W_v.grad, in_grad[2 * d :].T, rtol=1e-9, atol=1e-12)
    bias_grad = t_layer.in_proj_bias.grad.numpy()
    np.testing.assert_allclose(layer.b_q.grad, bias_grad[:d], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(bias_grad[d : 2 * d], 0.0, atol=1e-12)  # the key bias has no gradient
    np.testing.assert_allclose(layer.b_v.grad, bias_grad[2 * d :], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(layer.W_o.grad, t_layer.out_proj.weight.grad.numpy().T, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(layer.b_o.grad, t_layer.out_proj.bias.grad.numpy(), rtol=1e-9, atol=1e-12)


def test_the_gradient_through_a_residual_stack_is_the_sum_of_the_chapter():
    """grad at x_l = grad at x_L + sum_k J_k(x_k)^T grad at x_(k+1) (Chapter 13, Gradients through a residual stack)."""
    rng = np.random.default_rng(15)
    weights = [rng.normal(scale=0.7, size=(4, 4)) for _ in range(3)]
    top = rng.normal(size=4)  # L(x_L) = top . x_L, so the gradient at x_L is `top`

    def branch(k):
        return lambda v: np.tanh(v @ weights[k])

    def run(x0):
        xs = [x0]
        for k in range(3):
            xs.append(xs[-1] + branch(k)(xs[-1]))
        return xs

    x0 = rng.normal(size=4)
    xs = run(x0)
    grads = [None] * 4
    grads[3] = top
    for k in (2, 1, 0):  # the gradients at every x_k, from the top down, by the chain rule
        grads[k] = grads[k + 1] + calculus.jacobian(branch(k), xs[k]).T @ grads[k + 1]
    unrolled = top + sum(calculus.jacobian(branch(k), xs[k]).T @ grads[k + 1] for k in range(3))
    numeric = calculus.gradient(lambda v: float(top @ run(v)[-1]), x0)
    np.testing.assert_allclose(unrolled, numeric, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(grads[0], numeric, rtol=1e-6, atol=1e-8)
