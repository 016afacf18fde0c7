r"""Probability by counting and by simulation (Chapter 2).

There are two ways to find a probability, and this module has both.

**Exactly, by counting.** List every outcome of an experiment (:func:`sample_space`),
write an event as a boolean mask over the outcomes, and add up the probabilities of the
outcomes inside it (:func:`probability`, :func:`conditional_probability`). Events combine
with NumPy's operators: ``a | b`` is "A or B", ``a & b`` is "A and B", ``~a`` is "not A"::

    >>> rolls = sample_space(range(1, 7), repeat=2)      # 36 outcomes of two dice
    >>> seven = rolls.sum(axis=1) == 7
    >>> probability(seven)
    0.16666666666666666

**Approximately, by Monte Carlo simulation.** Repeat a random experiment n times and
report the fraction of successes together with its standard error, which says how far
the estimate typically is from the truth (:func:`estimate_probability`,
:func:`estimate_mean`, :func:`monte_carlo`, :func:`running_estimate`).

Two results of the chapter have their own functions: the birthday problem
(:func:`birthday_probability`, exact, and :func:`simulate_birthdays`) and Bayes' rule
(:func:`bayes_rule`, and :func:`diagnostic_posterior` for a medical test).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from scipy.special import ndtri

from dlmath.validation import (
    as_array,
    as_rng,
    check_callable,
    check_int,
    check_number,
    check_probability_vector,
    check_same_length,
    describe,
)

__all__ = [
    "Estimate",
    "bayes_rule",
    "birthday_probability",
    "conditional_probability",
    "diagnostic_posterior",
    "estimate_mean",
    "estimate_probability",
    "monte_carlo",
    "probability",
    "running_estimate",
    "sample_space",
    "sample_without_replacement",
    "simulate_birthdays",
]


class Estimate(NamedTuple):
    r"""A Monte Carlo estimate: its ``value``, its ``standard_error`` and the number ``n`` of draws.

    The standard error is the standard deviation of the estimate itself: run the whole
    simulation again with new random numbers and the value moves by about this much.
    It shrinks like :math:`1/\sqrt{n}`.
    """

    value: float
    standard_error: float
    n: int

    def interval(self, level: float = 0.95) -> tuple[float, float]:
        r"""The normal-approximation confidence interval :math:`\hat\theta \pm z\,\mathrm{SE}`.

        ``z`` is the standard normal quantile for ``level`` (1.96 for 95 %).
        """
        level = check_number(level, "level", low=0.0, high=1.0, low_inclusive=False, high_inclusive=False)
        z = float(ndtri(0.5 + level / 2))
        return (self.value - z * self.standard_error, self.value + z * self.standard_error)

    def __str__(self) -> str:
        return f"{self.value:.6g} ± {self.standard_error:.2g} (n = {self.n:,})"


# --- exact probabilities on a finite sample space ------------------------------------------


def sample_space(*values, repeat: int = 1) -> np.ndarray:
    r"""Every outcome of an experiment made of several parts, one outcome per row.

    ``sample_space(range(1, 7), repeat=2)`` lists the 36 outcomes of rolling two dice as an
    array of shape (36, 2); ``sample_space([0, 1], range(1, 7))`` pairs a coin with a die.
    This is the Cartesian product :math:`S = V_1 \times V_2 \times \dots`, in
    lexicographic order (as :func:`itertools.product` gives it).
    """
    if not values:
        raise ValueError("sample_space needs at least one collection of values, e.g. range(1, 7)")
    repeat = check_int(repeat, "repeat", low=1)
    parts = []
    for i, part in enumerate(values):
        array = as_array(list(part) if not isinstance(part, np.ndarray) else part, f"values[{i}]", ndim=1, dtype=float)
        parts.append(array)
    rows = list(itertools.product(*parts, repeat=repeat))
    outcomes = np.array(rows, dtype=float)
    if all(np.array_equal(p, np.round(p)) for p in parts):
        outcomes = outcomes.astype(np.int64)
    return outcomes


def _as_event(event, name: str) -> np.ndarray:
    """A 1-D boolean mask over the outcomes, or a TypeError/ValueError naming ``name``."""
    array = np.asarray(event) if not isinstance(event, (str, bytes)) and event is not None else None
    if array is None or array.dtype != bool:
        got = describe(event) if array is None else f"{describe(event)} with dtype {array.dtype}"
        raise TypeError(f"{name} must be a boolean mask over the outcomes (e.g. outcomes.sum(axis=1) == 7); got {got}")
    if array.ndim != 1:
        raise ValueError(f"{name} must be a 1-D boolean mask (one entry per outcome); got shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{name} must not be empty; a sample space has at least one outcome")
    return array


def _outcome_weights(weights, n: int) -> np.ndarray:
    """Equal weights 1/n, or the given probability vector (checked)."""
    if weights is None:
        return np.full(n, 1.0 / n)
    weights = check_probability_vector(weights, "weights")
    if weights.ndim != 1:
        raise ValueError(f"weights must be a 1-D probability vector (one per outcome); got shape {weights.shape}")
    if len(weights) != n:
        raise ValueError(f"weights and the event must have the same length; got {len(weights)} weights for {n} outcomes")
    return weights


def probability(event, weights=None) -> float:
    r"""The probability of an event on a finite sample space: :math:`P(A) = \sum_{\omega \in A} P(\omega)`.

    Parameters
    ----------
    event : array_like of bool, shape (n_outcomes,)
        True for the outcomes in the event.
    weights : array_like, shape (n_outcomes,), optional
        The probability of each outcome (must sum to 1). Without it the outcomes are
        equally likely and :math:`P(A) = |A| / |S|`, "favourable over possible".
    """
    event = _as_event(event, "event")
    if weights is None:  # count: 6/36 is then the float nearest to 1/6, not a sum of 36ths
        return int(event.sum()) / len(event)
    weights = _outcome_weights(weights, len(event))
    return float(weights[event].sum())


def conditional_probability(event, given, weights=None) -> float:
    r"""The conditional probability :math:`P(A \mid B) = P(A \cap B) / P(B)`.

    ``event`` (A) and ``given`` (B) are boolean masks over the same outcomes. Conditioning
    on B throws away the outcomes outside B and rescales the rest so they sum to 1.
    Raises ``ValueError`` when :math:`P(B) = 0`, where the ratio is undefined.
    """
    event = _as_event(event, "event")
    given = _as_event(given, "given")
    check_same_length(event, given, "event", "given")
    if weights is None and given.any():  # count the outcomes of B, and those of A among them
        return int((event & given).sum()) / int(given.sum())
    weights = _outcome_weights(weights, len(event))
    p_given = weights[given].sum()
    if p_given == 0:
        raise ValueError("given has probability 0, so P(event | given) is undefined")
    return float(weights[event & given].sum() / p_given)


# --- Monte Carlo estimates -----------------------------------------------------------------


def estimate_probability(hits) -> Estimate:
    r"""Estimate a probability from n independent trials: :math:`\hat p = k/n`, :math:`\mathrm{SE} = \sqrt{\hat p(1-\hat p)/n}`.

    ``hits`` is a boolean array, True where the event happened (any shape; every entry
    is one trial). The standard error is the binomial one, with :math:`\hat p` in place
    of the unknown p (it is 0 when every trial agrees, a sign that n is too small).
    """
    array = np.asarray(hits) if not isinstance(hits, (str, bytes)) and hits is not None else None
    if array is None or array.dtype != bool:
        got = describe(hits) if array is None else f"{describe(hits)} with dtype {array.dtype}"
        raise TypeError(f"hits must be a boolean array (True where the event happened); got {got}")
    if array.size == 0:
        raise ValueError("hits must not be empty: an estimate needs at least one trial")
    n = int(array.size)
    p_hat = float(array.mean())
    return Estimate(p_hat, float(np.sqrt(p_hat * (1.0 - p_hat) / n)), n)


def estimate_mean(values) -> Estimate:
    r"""Estimate an expectation from n independent draws: :math:`\bar x` with :math:`\mathrm{SE} = s/\sqrt{n}`.

    ``s`` is the sample standard deviation with :math:`n - 1` in the denominator. Every
    entry of ``values`` (any shape) is one draw; at least two are needed for a standard error.
    """
    values = as_array(values, "values").ravel()
    if values.size < 2:
        raise ValueError(f"values must hold at least 2 draws to estimate a standard error; got {values.size}")
    n = int(values.size)
    return Estimate(float(values.mean()), float(values.std(ddof=1) / np.sqrt(n)), n)


def monte_carlo(experiment: Callable, n: int, rng=None) -> Estimate:
    r"""Run ``experiment(rng, n)`` once, vectorised, and estimate the mean of its n results.

    ``experiment`` takes a random generator and a number of trials and returns an array
    whose first axis has length ``n``, one result per trial. Boolean results estimate
    a probability (:func:`estimate_probability`), numbers an expectation
    (:func:`estimate_mean`)::

        two_sixes = lambda rng, n: (rng.integers(1, 7, size=(n, 2)) == 6).all(axis=1)
        monte_carlo(two_sixes, 100_000, rng=0)   # about 1/36 = 0.0278
    """
    experiment = check_callable(experiment, "experiment")
    n = check_int(n, "n", low=1)
    results = np.asarray(experiment(as_rng(rng), n))
    if results.ndim == 0 or results.shape[0] != n:
        raise ValueError(f"experiment(rng, n) must return one result per trial (first axis of length {n}); got shape {results.shape}")
    if results.dtype == bool:
        return estimate_probability(results)
    return estimate_mean(as_array(results, "the results of experiment"))


def running_estimate(values) -> tuple[np.ndarray, np.ndarray]:
    r"""The estimate after each draw, and its standard error: for a convergence plot.

    Entry k-1 of the result uses the first k draws:
    :math:`\bar x_k = \frac1k\sum_{i \le k} x_i` and :math:`\mathrm{SE}_k = \sqrt{v_k/k}`
    with the plug-in variance :math:`v_k = \frac1k\sum_{i\le k}(x_i - \bar x_k)^2`.
    For booleans this is :math:`\sqrt{\hat p_k(1-\hat p_k)/k}`, the standard error of
    :func:`estimate_probability`; for numbers it differs from :func:`estimate_mean`'s
    only by the factor :math:`\sqrt{(k-1)/k}`.

    Returns
    -------
    means, standard_errors : ndarray, shape (n,)
    """
    values = as_array(values, "values", ndim=1)
    k = np.arange(1, values.size + 1)
    shifted = values - values[0]  # a shift does not change the variance, and avoids cancellation
    mean_shifted = np.cumsum(shifted) / k
    variance = np.maximum(np.cumsum(shifted**2) / k - mean_shifted**2, 0.0)
    return mean_shifted + values[0], np.sqrt(variance / k)


# --- simulations of the chapter ------------------------------------------------------------


def birthday_probability(n, days: int = 365):
    r"""The exact probability that at least two of ``n`` people share a birthday.

    With ``days`` equally likely birthdays, the probability that all n differ is
    :math:`\frac{d}{d}\cdot\frac{d-1}{d}\cdots\frac{d-n+1}{d}`, so

    .. math:: P(\text{shared}) = 1 - \prod_{k=0}^{n-1}\Bigl(1 - \frac{k}{d}\Bigr),

    which is 1 once :math:`n > d` (pigeonhole). The product is computed as a sum of
    logarithms, so it neither underflows nor loses the small probabilities of small n.
    ``n`` may be an integer or an array of integers (the result then has its shape).
    """
    days = check_int(days, "days", low=1)
    scalar = np.ndim(n) == 0
    if scalar:
        counts = np.array([check_int(n, "n", low=0)])
    else:
        raw = as_array(n, "n", ndim=(1, 2), dtype=float)
        if (raw != np.round(raw)).any() or (raw < 0).any():
            raise ValueError(f"n must contain non-negative integers (numbers of people); got values such as {raw.ravel()[0]:g}")
        counts = raw.astype(np.int64)
    capped = np.minimum(counts, days + 1)
    k = np.arange(int(capped.max()))
    with np.errstate(divide="ignore"):  # k = days gives log(0) = -inf: nobody can be left out
        log_all_differ = np.concatenate([[0.0], np.cumsum(np.log1p(-k / days))])
    shared = 0.0 - np.expm1(log_all_differ[capped])  # 0.0 - ... turns -0.0 into 0.0
    return float(shared[0]) if scalar else shared.reshape(np.shape(n))


def simulate_birthdays(n_people: int, n_trials: int, days: int = 365, rng=None) -> Estimate:
    r"""Estimate the birthday probability by simulating ``n_trials`` groups of ``n_people``.

    Each group draws its birthdays uniformly from ``days`` days; a group is a hit when two
    birthdays coincide (after sorting, two neighbours are equal). All groups are drawn at
    once as an array of shape (n_trials, n_people).
    """
    n_people = check_int(n_people, "n_people", low=1)
    n_trials = check_int(n_trials, "n_trials", low=1)
    days = check_int(days, "days", low=1)
    birthdays = np.sort(as_rng(rng).integers(days, size=(n_trials, n_people)), axis=1)
    shared = (np.diff(birthdays, axis=1) == 0).any(axis=1)
    return estimate_probability(shared)


def sample_without_replacement(n_items: int, k: int, size: int, rng=None) -> np.ndarray:
    r"""``size`` independent draws of ``k`` different items out of ``n_items``, in the order drawn.

    Row r holds the indices (0 to n_items - 1) of the items drawn in experiment r, like
    dealing k cards from a shuffled deck. Every ordered selection of k distinct items
    is equally likely: give every item an independent uniform random key and draw the
    items in the order of their keys, so each row is the start of a random permutation.
    Only the k smallest keys are needed, so they are found with a partial sort
    (``argpartition``) and then put in order (vectorised over all experiments).

    Returns
    -------
    ndarray of int, shape (size, k)
    """
    n_items = check_int(n_items, "n_items", low=1)
    k = check_int(k, "k", low=0)
    if k > n_items:
        raise ValueError(f"k must be at most n_items ({n_items}) when drawing without replacement; got {k}")
    size = check_int(size, "size", low=0)
    keys = as_rng(rng).random((size, n_items))
    if k == 0:
        return np.zeros((size, 0), dtype=np.int64)
    smallest = np.argpartition(keys, k - 1, axis=1)[:, :k]
    order = np.argsort(np.take_along_axis(keys, smallest, axis=1), axis=1)
    return np.take_along_axis(smallest, order, axis=1)


# --- Bayes' rule ---------------------------------------------------------------------------


def bayes_rule(prior, likelihood) -> np.ndarray:
    r"""Posterior probabilities of hypotheses :math:`H_1, \dots, H_m` after seeing evidence E.

    .. math:: P(H_i \mid E) = \frac{P(E \mid H_i)\,P(H_i)}{\sum_j P(E \mid H_j)\,P(H_j)}

    Parameters
    ----------
    prior : array_like, shape (m,)
        :math:`P(H_i)`, a probability vector.
    likelihood : array_like, shape (m,)
        :math:`P(E \mid H_i)` for each hypothesis: non-negative numbers (they need not
        sum to 1; a density value works too).

    The denominator, the evidence :math:`P(E)`, is the law of total probability; if it is
    0 the evidence is impossible under every hypothesis and ``ValueError`` is raised.
    """
    prior = check_probability_vector(prior, "prior")
    if prior.ndim != 1:
        raise ValueError(f"prior must be a 1-D probability vector; got shape {prior.shape}")
    likelihood = as_array(likelihood, "likelihood", ndim=1)
    check_same_length(prior, likelihood, "prior", "likelihood")
    if (likelihood < 0).any():
        raise ValueError(f"likelihood must be non-negative; smallest entry is {likelihood.min():.6g}")
    joint = prior * likelihood
    evidence = joint.sum()
    if evidence == 0:
        raise ValueError("the evidence has probability 0 under every hypothesis (sum of prior * likelihood is 0)")
    return joint / evidence


def diagnostic_posterior(prevalence: float, sensitivity: float, specificity: float, *, positive: bool = True) -> float:
    r"""The probability of having the condition given a test result, by Bayes' rule.

    With prevalence :math:`P(D)`, sensitivity :math:`P(+ \mid D)` and specificity
    :math:`P(- \mid \bar D)`, a positive result gives

    .. math:: P(D \mid +) = \frac{P(+\mid D)P(D)}{P(+\mid D)P(D) + (1 - P(-\mid \bar D))(1 - P(D))},

    and ``positive=False`` gives :math:`P(D \mid -)` the same way.
    """
    prevalence = check_number(prevalence, "prevalence", low=0.0, high=1.0)
    sensitivity = check_number(sensitivity, "sensitivity", low=0.0, high=1.0)
    specificity = check_number(specificity, "specificity", low=0.0, high=1.0)
    if not isinstance(positive, (bool, np.bool_)):
        raise TypeError(f"positive must be True (a positive result) or False; got {describe(positive)}")
    if positive:
        likelihood = [sensitivity, 1.0 - specificity]
    else:
        likelihood = [1.0 - sensitivity, specificity]
    return float(bayes_rule([prevalence, 1.0 - prevalence], likelihood)[0])
