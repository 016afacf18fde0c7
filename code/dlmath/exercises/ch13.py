"""Answers to the exercises of Chapter 13, Toward Transformers.

Computed by routes other than the chapter's: SciPy's softmax, distributions, rotations and
root finder, and finite differences (``dlmath.calculus``) instead of the backward passes
of ``dlmath.nn``.
"""

import numpy as np

from dlmath.exercises import register


def _attention(Q, K, V):
    """Scaled dot-product attention written with SciPy's softmax (no dlmath.nn)."""
    from scipy.special import softmax

    return softmax(Q @ K.T / np.sqrt(K.shape[1]), axis=1) @ V


def _attention_by_hand():
    Q = np.array([[1.0, 1, 0, 0], [0, 0, 0, 0]])
    K = np.array([[2.0, 0, 0, 0], [0, 0, 2, 0], [1, 1, 1, 1]])
    V = np.array([[1.0, 0], [0, 1], [2, 2]])
    return _attention(Q, K, V)


def _uniform_scores():
    from scipy import stats

    # Var(q.k) = d * Var(q_i) * Var(k_i) for independent, centred entries
    return float(np.sqrt(48 * stats.uniform(loc=-1, scale=2).var() ** 2))


def _key_bias_gradient():
    from dlmath import calculus

    rng = np.random.default_rng(131)
    Q, K, V, G = (rng.normal(size=(4, 3)) for _ in range(4))
    return calculus.gradient(lambda b: float(np.sum(G * _attention(Q, K + b, V))), np.zeros(3))


def _layer_norm_by_hand():
    from scipy import stats

    x = np.array([2.0, 4, 4, 4, 5, 5, 7, 9])
    return 2 * stats.zscore(x) + 1  # zscore divides by the population standard deviation, as LN does


def _layer_norm(x):
    return (x - x.mean()) / np.sqrt(x.var() + 1e-5)


def _layer_norm_jacobian(x):
    from dlmath import calculus

    return calculus.jacobian(_layer_norm, np.asarray(x, dtype=float))


_K_Q = np.array([[1.0, 0], [0, 1], [1, 1]])
_V_Q = np.array([[1.0, 2], [0, 1], [-1, 0]])
_G_Q = np.eye(2)


def _grad_q(Q):
    from dlmath import calculus

    return calculus.gradient(lambda M: float(np.sum(_G_Q * _attention(M, _K_Q, _V_Q))), np.asarray(Q, dtype=float))


def _rotation():
    from scipy.spatial.transform import Rotation

    # the pair (sin, cos) advances by the angle omega * m = 0.01 * 25; as (x, y) = (sin, cos)
    # coordinates that is a rotation by -0.25 about the z axis, restricted to the plane
    return Rotation.from_euler("z", -0.01 * 25).as_matrix()[:2, :2]


def _residual_depth():
    from scipy.optimize import brentq

    return brentq(lambda w: (1 + w) ** 48 - 2, 0.0, 1.0, xtol=1e-14)


register(
    "ex-13-attention-by-hand",
    compute=_attention_by_hand,
    about="The 2 x 2 output of attention for the given Q, K, V.",
)
register(
    "ex-13-shapes",
    value=(32, 8, 128, 128),
    about="Shape of the attention weights: (batch, heads, T, T).",
)
register(
    "ex-13-uniform-scores",
    compute=_uniform_scores,
    about="Standard deviation of q.k for uniform entries on [-1, 1], d_k = 48.",
)
register(
    "ex-13-key-bias",
    compute=_key_bias_gradient,
    atol=1e-8,
    about="The gradient of the loss with respect to a key bias: zero.",
)
register(
    "ex-13-attention-cost",
    value=1536,
    about="Sequence length at which the attention products cost as much as the projections (d = 768).",
)
register(
    "ex-13-layer-norm-by-hand",
    compute=_layer_norm_by_hand,
    rtol=1e-5,
    about="LN of (2, 4, 4, 4, 5, 5, 7, 9) with gain 2 and offset 1.",
)
register(
    "ex-13-layer-norm-jacobian",
    function=_layer_norm_jacobian,
    points=[np.array([1.0, 2, 3, 6]), np.array([0.5, -1.0, 2.0, 0.0, 3.0]), np.array([-2.0, 1, 1, 4, 0, 0.3])],
    rtol=1e-5,
    atol=1e-7,
    about="Jacobian of layer normalisation (gamma = 1, beta = 0, eps = 1e-5).",
)
register(
    "ex-13-attention-grad-q",
    function=_grad_q,
    points=[np.zeros((2, 2)), np.array([[0.5, -1.0], [1.0, 2.0]]), np.array([[2.0, 1.0], [-1.0, 0.5]])],
    rtol=1e-6,
    atol=1e-8,
    about="Gradient of sum(G * Attention(Q, K, V)) with respect to Q.",
)
register(
    "ex-13-rotation",
    compute=_rotation,
    about="The rotation that moves the second pair of sinusoidal codes 25 positions (d = 4).",
)
register(
    "ex-13-residual-depth",
    compute=_residual_depth,
    about="Largest branch derivative w with (1 + w)^48 <= 2.",
)
