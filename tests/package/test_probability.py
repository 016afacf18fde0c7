"""Tests of dlmath.probability against exact counting (fractions, itertools), NumPy and SciPy."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest
from scipy import stats

from dlmath.probability import (
    Estimate,
    bayes_rule,
    birthday_probability,
    conditional_probability,
    diagnostic_posterior,
    estimate_mean,
    estimate_probability,
    monte_carlo,
    probability,
    running_estimate,
    sample_space,
    sample_without_replacement,
    simulate_birthdays,
)

SEEDS = range(12)


# --- sample spaces and exact probabilities -------------------------------------------------


def test_sample_space_is_the_cartesian_product():
    outcomes = sample_space(range(1, 7), repeat=2)
    assert outcomes.shape == (36, 2) and outcomes.dtype == np.int64
    assert [tuple(row) for row in outcomes] == list(itertools.product(range(1, 7), repeat=2))
    mixed = sample_space([0, 1], [0.5, 1.5, 2.5])
    assert mixed.shape == (6, 2) and mixed.dtype == float
    np.testing.assert_array_equal(mixed[-1], [1, 2.5])


def test_probability_of_dice_events_matches_counting_by_hand():
    rolls = sample_space(range(1, 7), repeat=2)
    total = rolls.sum(axis=1)
    assert probability(total == 7) == pytest.approx(6 / 36, abs=1e-15)
    doubles = rolls[:, 0] == rolls[:, 1]
    assert probability((total == 7) | doubles) == pytest.approx(12 / 36, abs=1e-15)
    assert probability(~(rolls == 6).any(axis=1)) == pytest.approx(25 / 36, abs=1e-15)


@pytest.mark.parametrize("seed", SEEDS)
def test_rules_of_probability_hold_on_random_events_and_weights(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(5, 40))
    w = rng.dirichlet(np.ones(n))
    a, b = rng.random(n) < 0.4, rng.random(n) < 0.6
    # weighted probability against a direct sum
    assert probability(a, w) == pytest.approx(float(w[a].sum()), abs=1e-15)
    # complement, inclusion-exclusion and the product rule (eq-02-sum-rule, eq-02-product-rule)
    assert probability(~a, w) == pytest.approx(1 - probability(a, w), abs=1e-12)
    assert probability(a | b, w) == pytest.approx(probability(a, w) + probability(b, w) - probability(a & b, w), abs=1e-12)
    if probability(b, w) > 0:
        assert probability(a & b, w) == pytest.approx(conditional_probability(a, b, w) * probability(b, w), abs=1e-12)
    # law of total probability over the partition {B, not B}
    if 0 < probability(b, w) < 1:
        total = conditional_probability(a, b, w) * probability(b, w) + conditional_probability(a, ~b, w) * probability(~b, w)
        assert probability(a, w) == pytest.approx(total, abs=1e-12)


def test_independence_example_of_the_chapter():
    rolls = sample_space(range(1, 7), repeat=2)
    seven, eight, first_three = rolls.sum(axis=1) == 7, rolls.sum(axis=1) == 8, rolls[:, 0] == 3
    assert conditional_probability(seven, first_three) == pytest.approx(probability(seven), abs=1e-15)
    assert conditional_probability(eight, first_three) != pytest.approx(probability(eight), abs=1e-3)


def test_chain_rule_three_aces_against_fractions_and_simulation():
    exact = Fraction(4, 52) * Fraction(3, 51) * Fraction(2, 50)
    hands = sample_without_replacement(52, 3, 100_000, rng=3)
    hits = (hands < 4).all(axis=1)  # cards 0-3 are the aces
    estimate = estimate_probability(hits)
    assert abs(estimate.value - float(exact)) < 4 * estimate.standard_error


def test_bad_events_and_weights():
    with pytest.raises(TypeError, match="event must be a boolean mask"):
        probability([1, 0, 1])
    with pytest.raises(TypeError, match="event must be a boolean mask"):
        probability(None)
    with pytest.raises(ValueError, match="event must not be empty"):
        probability(np.array([], dtype=bool))
    with pytest.raises(ValueError, match="1-D boolean mask"):
        probability(np.ones((2, 2), dtype=bool))
    with pytest.raises(ValueError, match="weights must sum to 1"):
        probability(np.array([True, False]), [0.5, 0.6])
    with pytest.raises(ValueError, match="weights and the event must have the same length"):
        probability(np.array([True, False]), [0.2, 0.3, 0.5])
    with pytest.raises(ValueError, match="weights must contain only finite"):
        probability(np.array([True, False]), [np.nan, 1.0])
    with pytest.raises(ValueError, match="event and given must have the same length"):
        conditional_probability(np.array([True, False]), np.array([True, False, True]))
    with pytest.raises(ValueError, match="given has probability 0"):
        conditional_probability(np.array([True, False]), np.array([False, False]))
    with pytest.raises(ValueError, match="at least one collection"):
        sample_space()
    with pytest.raises(TypeError, match="values\\[0\\] must contain numbers"):
        sample_space(["H", "T"])


# --- Monte Carlo estimates ------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_estimate_probability_and_mean_against_numpy_and_scipy(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(10, 5000))
    hits = rng.random(n) < rng.random()
    estimate = estimate_probability(hits)
    p = hits.mean()
    assert estimate == Estimate(pytest.approx(p), pytest.approx(np.sqrt(p * (1 - p) / n)), n)
    values = rng.normal(rng.normal(), rng.uniform(0.5, 3), size=n)
    mean = estimate_mean(values)
    assert mean.value == pytest.approx(values.mean(), rel=1e-12)
    assert mean.standard_error == pytest.approx(stats.sem(values), rel=1e-12)
    low, high = mean.interval(0.95)
    expected = stats.norm.interval(0.95, loc=values.mean(), scale=stats.sem(values))
    assert (low, high) == pytest.approx(expected, rel=1e-12)


def test_standard_error_is_honest_over_many_repetitions():
    """About 95 % of the 95 % intervals of independent simulations contain the true p."""
    rng = np.random.default_rng(7)
    p, covered = 0.3, 0
    hits = rng.random((2000, 400)) < p
    for row in hits:
        low, high = estimate_probability(row).interval(0.95)
        covered += low <= p <= high
    assert 0.93 < covered / 2000 < 0.97


def test_monte_carlo_dispatches_on_the_type_of_the_results():
    two_sixes = monte_carlo(lambda rng, n: (rng.integers(1, 7, size=(n, 2)) == 6).all(axis=1), 200_000, rng=0)
    assert abs(two_sixes.value - 1 / 36) < 4 * two_sixes.standard_error
    die_mean = monte_carlo(lambda rng, n: rng.integers(1, 7, size=n), 100_000, rng=1)
    assert abs(die_mean.value - 3.5) < 4 * die_mean.standard_error
    assert die_mean.standard_error == pytest.approx(np.sqrt(35 / 12 / 100_000), rel=0.02)
    again = monte_carlo(lambda rng, n: rng.integers(1, 7, size=n), 100_000, rng=1)
    assert again == die_mean  # a seed reproduces the estimate


def test_running_estimate_matches_prefix_by_prefix():
    rng = np.random.default_rng(11)
    values = rng.exponential(2.0, size=300) + 1e6  # a large offset tests the cancellation guard
    means, errors = running_estimate(values)
    for k in (1, 2, 17, 300):
        assert means[k - 1] == pytest.approx(values[:k].mean(), rel=1e-14)
        assert errors[k - 1] == pytest.approx(values[:k].std() / np.sqrt(k), rel=1e-6, abs=1e-9)
    hits = rng.random(500) < 0.2
    means, errors = running_estimate(hits)
    final = estimate_probability(hits)
    assert (means[-1], errors[-1]) == pytest.approx((final.value, final.standard_error), rel=1e-12)


def test_bad_monte_carlo_input():
    with pytest.raises(TypeError, match="hits must be a boolean array"):
        estimate_probability([0.2, 0.3])
    with pytest.raises(ValueError, match="hits must not be empty"):
        estimate_probability(np.array([], dtype=bool))
    with pytest.raises(ValueError, match="at least 2 draws"):
        estimate_mean([1.0])
    with pytest.raises(ValueError, match="values must contain only finite numbers; found 1 NaN"):
        estimate_mean([1.0, np.nan, 2.0])
    with pytest.raises(TypeError, match="experiment must be a function"):
        monte_carlo(0.5, 10)
    with pytest.raises(ValueError, match="one result per trial"):
        monte_carlo(lambda rng, n: rng.random(n + 1), 10)
    with pytest.raises(TypeError, match="n must be an integer"):
        monte_carlo(lambda rng, n: rng.random(n), 10.0)
    with pytest.raises(ValueError, match="level must be less than 1"):
        Estimate(0.5, 0.1, 10).interval(1.0)
    with pytest.raises(ValueError, match="values must not be empty"):
        running_estimate([])


# --- birthdays ------------------------------------------------------------------------------


def exact_birthday(n: int, days: int) -> Fraction:
    all_differ = Fraction(1)
    for k in range(n):
        all_differ *= Fraction(days - k, days) if k < days else 0
    return 1 - all_differ


@pytest.mark.parametrize("days", [1, 2, 7, 100, 365])
def test_birthday_probability_against_exact_fractions(days):
    ns = np.arange(0, min(days + 3, 90))
    values = birthday_probability(ns, days=days)
    expected = np.array([float(exact_birthday(int(n), days)) for n in ns])
    np.testing.assert_allclose(values, expected, rtol=1e-12, atol=1e-15)
    assert birthday_probability(23) == pytest.approx(0.5072972343239855, rel=1e-13)
    assert birthday_probability(1000, days=days) == 1.0


def test_birthday_probability_keeps_small_values_and_shapes():
    # with 10**9 "days" (say, hash buckets) and 2 items the answer is 1e-9, not 0
    assert birthday_probability(2, days=10**9) == pytest.approx(1e-9, rel=1e-12)
    grid = birthday_probability(np.array([[1, 2], [23, 60]]))
    assert grid.shape == (2, 2) and grid[0, 0] == 0.0 and not np.signbit(grid[0, 0])


@pytest.mark.parametrize(("n_people", "seed"), [(5, 0), (23, 1), (40, 2), (70, 3)])
def test_simulated_birthdays_agree_with_the_formula(n_people, seed):
    estimate = simulate_birthdays(n_people, 20_000, rng=seed)
    exact = birthday_probability(n_people)
    assert abs(estimate.value - exact) < 4.5 * max(estimate.standard_error, 1e-4)
    assert estimate.n == 20_000


def test_bad_birthday_input():
    with pytest.raises(ValueError, match="n must be at least 0"):
        birthday_probability(-1)
    with pytest.raises(TypeError, match="n must be an integer"):
        birthday_probability(2.5)
    with pytest.raises(ValueError, match="non-negative integers"):
        birthday_probability([3, 4.5])
    with pytest.raises(ValueError, match="days must be at least 1"):
        birthday_probability(3, days=0)
    with pytest.raises(ValueError, match="n_trials must be at least 1"):
        simulate_birthdays(23, 0)


# --- sampling without replacement -----------------------------------------------------------


def test_sample_without_replacement_is_uniform_over_ordered_selections():
    draws = sample_without_replacement(5, 2, 60_000, rng=4)
    assert draws.shape == (60_000, 2)
    assert (draws[:, 0] != draws[:, 1]).all()
    codes = draws[:, 0] * 5 + draws[:, 1]
    counts = np.bincount(codes, minlength=25)[[i * 5 + j for i in range(5) for j in range(5) if i != j]]
    assert counts.sum() == 60_000
    assert stats.chisquare(counts).pvalue > 1e-3  # all 20 ordered pairs equally likely


def test_sample_without_replacement_matches_the_hypergeometric_law():
    hands = sample_without_replacement(52, 5, 40_000, rng=5)
    aces = (hands < 4).sum(axis=1)
    observed = np.bincount(aces, minlength=5)
    expected = stats.hypergeom(52, 4, 5).pmf(np.arange(5)) * 40_000
    keep = expected > 5
    observed = np.append(observed[keep], observed[~keep].sum())
    expected = np.append(expected[keep], expected[~keep].sum())
    assert stats.chisquare(observed, expected).pvalue > 1e-3
    assert math.isclose(aces.mean(), 5 * 4 / 52, rel_tol=0.03)


def test_sample_without_replacement_edge_cases():
    assert sample_without_replacement(6, 0, 4, rng=0).shape == (4, 0)
    full = sample_without_replacement(6, 6, 500, rng=0)
    assert (np.sort(full, axis=1) == np.arange(6)).all()  # k = n: whole permutations
    assert stats.chisquare(np.bincount(full[:, 0], minlength=6)).pvalue > 1e-3


def test_bad_sampling_input():
    with pytest.raises(ValueError, match="k must be at most n_items"):
        sample_without_replacement(3, 4, 10)
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        sample_without_replacement(3, 2, 10, rng="seed")


# --- Bayes' rule ----------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_bayes_rule_equals_conditioning_a_joint_table(seed):
    rng = np.random.default_rng(seed)
    m = int(rng.integers(2, 8))
    prior = rng.dirichlet(np.ones(m))
    likelihood = rng.random(m)
    posterior = bayes_rule(prior, likelihood)
    # the joint table P(H_i, E) and P(H_i, not E); condition on the column E by counting outcomes
    joint = np.concatenate([prior * likelihood, prior * (1 - likelihood)])
    evidence = np.concatenate([np.ones(m, bool), np.zeros(m, bool)])
    for i in range(m):
        hypothesis = np.zeros(2 * m, bool)
        hypothesis[[i, m + i]] = True
        assert posterior[i] == pytest.approx(conditional_probability(hypothesis, evidence, joint), rel=1e-12)
    assert posterior.sum() == pytest.approx(1.0, abs=1e-14)


def test_diagnostic_posterior_by_hand_and_by_simulation():
    by_hand = 0.01 * 0.95 / (0.01 * 0.95 + 0.99 * 0.10)
    assert diagnostic_posterior(0.01, 0.95, 0.90) == pytest.approx(by_hand, rel=1e-14)
    assert diagnostic_posterior(0.01, 0.95, 0.90, positive=False) == pytest.approx(0.01 * 0.05 / (0.01 * 0.05 + 0.99 * 0.9), rel=1e-14)
    rng = np.random.default_rng(0)
    n = 400_000
    sick = rng.random(n) < 0.01
    positive = np.where(sick, rng.random(n) < 0.95, rng.random(n) < 0.10)
    estimate = estimate_probability(sick[positive])
    assert abs(estimate.value - by_hand) < 4 * estimate.standard_error
    # a second independent positive test: posterior becomes the prior
    twice = diagnostic_posterior(diagnostic_posterior(0.01, 0.95, 0.9), 0.95, 0.9)
    assert twice == pytest.approx(0.01 * 0.95**2 / (0.01 * 0.95**2 + 0.99 * 0.1**2), rel=1e-13)


def test_bad_bayes_input():
    with pytest.raises(ValueError, match="prior must sum to 1"):
        bayes_rule([0.5, 0.6], [0.1, 0.2])
    with pytest.raises(ValueError, match="prior and likelihood must have the same length"):
        bayes_rule([0.5, 0.5], [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="likelihood must be non-negative"):
        bayes_rule([0.5, 0.5], [0.1, -0.2])
    with pytest.raises(ValueError, match="evidence has probability 0"):
        bayes_rule([1.0, 0.0], [0.0, 0.7])
    with pytest.raises(ValueError, match="likelihood must not be empty"):
        bayes_rule([1.0], [])
    with pytest.raises(ValueError, match="sensitivity must be at most 1"):
        diagnostic_posterior(0.01, 1.2, 0.9)
    with pytest.raises(TypeError, match="prevalence must be a real number"):
        diagnostic_posterior("1%", 0.9, 0.9)
    with pytest.raises(TypeError, match="positive must be True"):
        diagnostic_posterior(0.01, 0.9, 0.9, positive="yes")
