"""Answers to the exercises of Chapter 3, More Probability.

Each answer is computed by a route independent of the chapter's solution, mostly with
scipy.stats and scipy.special.
"""

import numpy as np
from scipy import optimize, special, stats

from dlmath.exercises import register


def _linear_change() -> tuple[float, float]:
    """E[Y] and Var(Y) for Y = 4 - 3X, X normal with mean 2 and variance 3, by numerical integration."""
    x = stats.norm(2, np.sqrt(3))
    mean = x.expect(lambda t: 4 - 3 * t)
    variance = x.expect(lambda t: (4 - 3 * t - mean) ** 2)
    return (float(mean), float(variance))


def _alias_distribution() -> np.ndarray:
    """Draw-by-draw enumeration: column j (probability 1/4), then owner or alias."""
    q, alias = [0.4, 1.0, 0.8, 0.6], [1, 1, 1, 2]
    p = np.zeros(4)
    for column in range(4):
        for category, share in ((column, q[column]), (alias[column], 1 - q[column])):
            p[category] += share / 4
    return p


def _init_scales() -> tuple[float, float]:
    """He: n_in v E[relu(z)^2] = 1 with z standard normal (E by integration); Glorot: Var(U(-r, r)) = 2/(n_in + n_out)."""
    half_second_moment = stats.norm().expect(lambda z: max(z, 0.0) ** 2)
    he = np.sqrt(1 / (512 * half_second_moment))
    target = 2 / (512 + 256)
    glorot = optimize.brentq(lambda r: stats.uniform(loc=-r, scale=2 * r).var() - target, 1e-6, 1.0, xtol=1e-14)
    return (float(he), float(glorot))


register("ex-03-die-variance", compute=lambda: float(stats.randint(1, 7).var()), about="variance of a fair die")
register("ex-03-linear-rules", compute=_linear_change, about="(E[Y], Var(Y)) for Y = 4 - 3X")
register("ex-03-poisson-tail", compute=lambda: float(stats.poisson(4).sf(6)), about="P(X >= 7) for Poisson(4)")
register(
    "ex-03-inverse-cdf",
    function=lambda u: stats.powerlaw(2).ppf(u),  # density 2x on [0, 1] is scipy's powerlaw with a = 2
    points=[0.01, 0.25, 0.5, 0.9, np.array([0.1, 0.6, 0.99])],
    about="inverse cdf of the density 2x on [0, 1]",
)
register("ex-03-alias-represents", compute=_alias_distribution, about="the distribution of an alias table")
register("ex-03-box-muller-radius", compute=lambda: float(stats.chi2(2).sf(4.0)), about="P(Z1^2 + Z2^2 > 4)")
register("ex-03-clt-sum", compute=lambda: float(stats.norm(24, 2).sf(26)), about="normal approximation of P(S > 26)")
register("ex-03-beta-posterior-mean", compute=lambda: float(stats.beta(9, 5).mean()), about="posterior mean after beta(2, 2) and 7 of 10")
register("ex-03-he-init", compute=_init_scales, rtol=1e-9, about="(He-normal std, Glorot-uniform limit) for 512 -> 256")
register(
    "ex-03-softmax-temperature",
    compute=lambda: special.softmax(np.array([4.0, 2.0, 0.0])),
    about="softmax of logits (2, 1, 0) at temperature 0.5",
)
