"""Reference gradients for the tests: central finite differences, written independently of dlmath."""

import numpy as np


def numeric_gradient(f, x, eps=1e-6):
    """Central differences of a scalar function ``f()`` at every entry of ``x``.

    ``x`` is nudged in place (one entry at a time) and restored, so ``f`` reads it directly.
    """
    grad = np.zeros_like(x)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    for k in range(flat.size):
        old = flat[k]
        flat[k] = old + eps
        plus = f()
        flat[k] = old - eps
        minus = f()
        flat[k] = old
        gflat[k] = (plus - minus) / (2 * eps)
    return grad


def random_projection_loss(shape, seed):
    """L(out) = sum(out * R) for a fixed random R: its gradient is R, so every output entry matters."""
    R = np.random.default_rng(1000 + seed).normal(size=shape)

    def loss(out, _target):
        return float(np.sum(out * R)), R.copy()

    return loss
