"""dlmath.stats against scipy.stats, NumPy, matplotlib and sklearn.metrics, plus bad input."""

from __future__ import annotations

import dataclasses
import itertools
import math

import numpy as np
import pytest
import scipy.stats
import sklearn.metrics
from matplotlib import cbook
from sklearn.impute import SimpleImputer

from dlmath import stats

SEEDS = range(25)
ALTERNATIVES = ("two-sided", "less", "greater")


def continuous(seed: int, n: int | None = None) -> np.ndarray:
    """A skewed continuous sample (no ties), of a seeded random size."""
    rng = np.random.default_rng(seed)
    n = n if n is not None else int(rng.integers(2, 60))
    return rng.lognormal(mean=rng.normal(), sigma=0.8, size=n)


def with_ties(seed: int, n: int | None = None) -> np.ndarray:
    """Small integers, so many values repeat."""
    rng = np.random.default_rng(1000 + seed)
    n = n if n is not None else int(rng.integers(3, 60))
    return rng.integers(0, 6, size=n).astype(float)


def two_samples(seed: int, ties: bool) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(2000 + seed)
    na, nb = (int(v) for v in rng.integers(2, 40, size=2))
    if ties:
        return rng.integers(0, 5, size=na).astype(float), rng.integers(1, 6, size=nb).astype(float)
    return rng.normal(0.0, 1.0, size=na), rng.normal(rng.normal(), rng.uniform(0.3, 3.0), size=nb)


# --- describing one sample -------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_location_statistics_match_numpy_and_scipy(seed):
    x = continuous(seed)
    assert stats.mean(x) == pytest.approx(np.mean(x), rel=1e-12)
    assert stats.median(x) == pytest.approx(np.median(x), rel=1e-12)
    assert stats.geometric_mean(x) == pytest.approx(scipy.stats.gmean(x), rel=1e-12)
    assert stats.harmonic_mean(x) == pytest.approx(scipy.stats.hmean(x), rel=1e-12)
    # the classic ordering of the three means for positive data
    assert stats.harmonic_mean(x) <= stats.geometric_mean(x) * (1 + 1e-12) <= stats.mean(x) * (1 + 1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_mode_is_the_smallest_most_frequent_value(seed):
    x = with_ties(seed)
    assert stats.mode(x) == scipy.stats.mode(x, keepdims=False).mode
    assert stats.mode(list(x)) == scipy.stats.mode(x, keepdims=False).mode


def test_median_of_even_and_odd_samples_by_hand():
    assert stats.median([3, 1, 2]) == 2.0
    assert stats.median([4, 1, 3, 2]) == 2.5
    assert stats.mode([2, 2, 1, 1, 3]) == 1.0


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("ddof", [0, 1])
def test_spread_statistics_match_numpy_and_scipy(seed, ddof):
    x = continuous(seed)
    assert stats.variance(x, ddof=ddof) == pytest.approx(np.var(x, ddof=ddof), rel=1e-12)
    assert stats.std(x, ddof=ddof) == pytest.approx(np.std(x, ddof=ddof), rel=1e-12)
    assert stats.standard_error(x) == pytest.approx(scipy.stats.sem(x), rel=1e-12)


def test_variance_defaults_to_the_sample_variance():
    assert stats.variance([1, 2, 3, 4]) == pytest.approx(5 / 3)
    assert stats.variance([1, 2, 3, 4], ddof=0) == pytest.approx(5 / 4)


@pytest.mark.parametrize("seed", SEEDS)
def test_quantile_is_numpys_linear_rule(seed):
    rng = np.random.default_rng(seed)
    x = continuous(seed) if seed % 2 else with_ties(seed)
    q = np.r_[0.0, 1.0, rng.uniform(size=20)]
    np.testing.assert_allclose(stats.quantile(x, q), np.quantile(x, q, method="linear"), rtol=1e-12, atol=1e-12)
    assert stats.quantile(x, 0.5) == pytest.approx(np.median(x), rel=1e-12)
    assert isinstance(stats.quantile(x, 0.3), float)
    assert stats.iqr(x) == pytest.approx(scipy.stats.iqr(x), rel=1e-12, abs=1e-12)


def test_quantile_by_hand():
    # n = 5, q = 0.3: h = 4 * 0.3 = 1.2, between x(1) = 20 and x(2) = 30
    assert stats.quantile([50, 10, 40, 20, 30], 0.3) == pytest.approx(22.0)


@pytest.mark.parametrize("seed", SEEDS)
def test_summary_and_outliers_match_matplotlib_box_plot(seed):
    rng = np.random.default_rng(seed)
    x = np.r_[continuous(seed, n=40), rng.uniform(20, 40, size=3)]  # a few far values
    box = cbook.boxplot_stats(x, whis=1.5)[0]
    summary = stats.summarize(x)
    assert (summary.q1, summary.median, summary.q3) == pytest.approx((box["q1"], box["med"], box["q3"]), rel=1e-12)
    assert (summary.min, summary.max, summary.n) == (x.min(), x.max(), x.size)
    assert summary.mean == pytest.approx(np.mean(x)) and summary.std == pytest.approx(np.std(x, ddof=1))
    np.testing.assert_array_equal(np.sort(x[stats.iqr_outliers(x)]), np.sort(box["fliers"]))
    low, high = stats.tukey_fences(x, k=3.0)
    iqr = box["q3"] - box["q1"]
    assert (low, high) == pytest.approx((box["q1"] - 3 * iqr, box["q3"] + 3 * iqr), rel=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("strategy", ["mean", "median"])
def test_impute_matches_sklearn(seed, strategy):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(30, 4))
    X[rng.uniform(size=X.shape) < 0.2] = np.nan
    X[0, :] = 1.0  # every column keeps an observed value
    expected = SimpleImputer(strategy=strategy).fit_transform(X)
    np.testing.assert_allclose(stats.impute(X, strategy), expected, rtol=1e-12)
    np.testing.assert_allclose(stats.impute(X[:, 2], strategy), expected[:, 2], rtol=1e-12)
    assert np.isnan(X).any()  # the input is not changed


@pytest.mark.parametrize("seed", SEEDS)
def test_mean_imputation_shrinks_the_variance_by_the_stated_factor(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(10, 50))
    m = int(rng.integers(1, n - 2))
    x = rng.normal(size=n)
    x[rng.choice(n, size=m, replace=False)] = np.nan
    observed = x[~np.isnan(x)]
    filled = stats.impute(x)
    assert stats.mean(filled) == pytest.approx(np.mean(observed), rel=1e-12)
    assert stats.variance(filled) == pytest.approx(np.var(observed, ddof=1) * (n - m - 1) / (n - 1), rel=1e-12)


# --- two variables together --------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_covariance_and_correlations_match_numpy_and_scipy(seed):
    rng = np.random.default_rng(seed)
    ties = seed % 2 == 0
    n = int(rng.integers(3, 80))
    x = rng.integers(0, 7, size=n).astype(float) if ties else rng.normal(size=n)
    y = x**3 + rng.normal(scale=2.0, size=n) if not ties else rng.integers(0, 4, size=n) + x
    assert np.ptp(x) > 0 and np.ptp(y) > 0  # the seeds give non-constant samples
    assert stats.covariance(x, y) == pytest.approx(np.cov(x, y)[0, 1], rel=1e-10, abs=1e-12)
    assert stats.pearson(x, y) == pytest.approx(scipy.stats.pearsonr(x, y).statistic, rel=1e-10, abs=1e-12)
    assert stats.spearman(x, y) == pytest.approx(scipy.stats.spearmanr(x, y).statistic, rel=1e-10, abs=1e-12)
    np.testing.assert_allclose(stats.rank(x), scipy.stats.rankdata(x), rtol=0, atol=0)


@pytest.mark.parametrize("seed", SEEDS)
def test_spearman_without_ties_equals_the_d_squared_formula(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(3, 50))
    x, y = rng.normal(size=n), rng.normal(size=n)
    d = stats.rank(x) - stats.rank(y)
    assert stats.spearman(x, y) == pytest.approx(1 - 6 * np.sum(d**2) / (n * (n**2 - 1)), rel=1e-10, abs=1e-12)


def test_rank_by_hand_and_correlations_of_exact_lines():
    np.testing.assert_array_equal(stats.rank([10, 20, 20, 30]), [1, 2.5, 2.5, 4])
    assert stats.pearson([1, 2, 3], [2, 4, 6]) == 1.0
    assert stats.pearson([1, 2, 3], [3, 2, 1]) == -1.0
    assert stats.spearman([1, 2, 3, 4], [1, 8, 27, 64]) == pytest.approx(1.0)


# --- comparing two samples -----------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("alternative", ALTERNATIVES)
def test_welch_t_test_matches_scipy(seed, alternative):
    a, b = two_samples(seed, ties=seed % 3 == 0)
    assert np.ptp(a) > 0 or np.ptp(b) > 0  # the seeds never give two constant samples
    ours = stats.welch_t_test(a, b, alternative=alternative)
    ref = scipy.stats.ttest_ind(a, b, equal_var=False, alternative=alternative)
    assert ours.statistic == pytest.approx(ref.statistic, rel=1e-10, abs=1e-12)
    assert ours.pvalue == pytest.approx(ref.pvalue, rel=1e-9, abs=1e-14)
    assert ours.df == pytest.approx(ref.df, rel=1e-10)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("alternative", ALTERNATIVES)
@pytest.mark.parametrize("ties", [False, True])
def test_mann_whitney_asymptotic_matches_scipy_with_tie_correction(seed, alternative, ties):
    a, b = two_samples(seed, ties=ties)
    assert np.unique(np.r_[a, b]).size > 1  # the seeds never give all-equal values
    ours = stats.mann_whitney_u(a, b, alternative=alternative)
    ref = scipy.stats.mannwhitneyu(a, b, alternative=alternative, method="asymptotic", use_continuity=True)
    assert ours.statistic == ref.statistic
    assert ours.pvalue == pytest.approx(ref.pvalue, rel=1e-9, abs=1e-14)
    assert ours.df is None


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("alternative", ALTERNATIVES)
def test_mann_whitney_exact_matches_scipy(seed, alternative):
    rng = np.random.default_rng(3000 + seed)
    a = rng.normal(size=int(rng.integers(1, 15)))
    b = rng.normal(0.7, size=int(rng.integers(1, 15)))
    ours = stats.mann_whitney_u(a, b, alternative=alternative, method="exact")
    ref = scipy.stats.mannwhitneyu(a, b, alternative=alternative, method="exact")
    assert ours.statistic == ref.statistic
    assert ours.pvalue == pytest.approx(ref.pvalue, rel=1e-10, abs=1e-15)


def test_mann_whitney_exact_by_enumeration():
    """Count all C(7, 3) ways to choose the ranks of a: P(U >= u) by brute force."""
    a, b = [1.1, 5.2, 6.3], [0.4, 2.5, 3.6, 4.7]
    u_observed = stats.mann_whitney_u(a, b, alternative="greater", method="exact")
    counts = [sum(r - i for i, r in enumerate(sorted(ranks))) for ranks in itertools.combinations(range(7), 3)]
    brute = np.mean(np.array(counts) >= u_observed.statistic)
    assert u_observed.statistic == 9.0  # 1.1 beats one value of b, 5.2 and 6.3 beat all four
    assert u_observed.pvalue == pytest.approx(brute, rel=1e-12)


def test_u_counts_the_pairs_won_by_a():
    rng = np.random.default_rng(7)
    a, b = rng.integers(0, 4, size=9), rng.integers(0, 4, size=11)
    pairs = sum(1.0 if x > y else 0.5 if x == y else 0.0 for x in a for y in b)
    assert stats.mann_whitney_u(a, b).statistic == pairs


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("level", [0.8, 0.95, 0.99])
def test_confidence_intervals_match_scipy(seed, level):
    a, b = two_samples(seed, ties=False)
    low, high = stats.confidence_interval_mean(a, level=level)
    ref = scipy.stats.t.interval(level, a.size - 1, loc=np.mean(a), scale=scipy.stats.sem(a))
    assert (low, high) == pytest.approx(ref, rel=1e-10, abs=1e-12)
    diff = stats.confidence_interval_difference(a, b, level=level)
    ref_diff = scipy.stats.ttest_ind(a, b, equal_var=False).confidence_interval(confidence_level=level)
    assert diff == pytest.approx((ref_diff.low, ref_diff.high), rel=1e-10, abs=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_difference_interval_excludes_zero_exactly_when_welch_rejects(seed):
    rng = np.random.default_rng(6000 + seed)
    a, b = rng.normal(0.6, 1.0, size=12), rng.normal(0.0, 2.0, size=9)
    for level in (0.8, 0.9, 0.95, 0.99):
        low, high = stats.confidence_interval_difference(a, b, level=level)
        assert (low > 0 or high < 0) == (stats.welch_t_test(a, b).pvalue < 1 - level)


def test_confidence_interval_covers_the_mean_at_the_stated_rate():
    rng = np.random.default_rng(11)
    samples = rng.normal(5.0, 2.0, size=(2000, 8))
    covered = np.mean([low <= 5.0 <= high for low, high in map(stats.confidence_interval_mean, samples)])
    # 95 % coverage; with 2000 intervals the binomial standard error is about 0.005
    assert abs(covered - 0.95) < 0.02


@pytest.mark.parametrize("seed", SEEDS)
def test_cohens_d_uses_the_pooled_standard_deviation(seed):
    a, b = two_samples(seed, ties=False)
    # independent route: the pooled-variance t statistic equals d / sqrt(1/na + 1/nb)
    t_pooled = scipy.stats.ttest_ind(a, b, equal_var=True).statistic
    assert stats.cohens_d(a, b) == pytest.approx(t_pooled * math.sqrt(1 / a.size + 1 / b.size), rel=1e-10)
    assert stats.cohens_d(b, a) == pytest.approx(-stats.cohens_d(a, b), rel=1e-12)


def _holm_by_loop(p):
    m = len(p)
    order = sorted(range(m), key=lambda i: p[i])
    adjusted, running = [0.0] * m, 0.0
    for position, i in enumerate(order):
        running = max(running, min(1.0, (m - position) * p[i]))
        adjusted[i] = running
    return adjusted


@pytest.mark.parametrize("seed", SEEDS)
def test_adjusted_pvalues(seed):
    rng = np.random.default_rng(seed)
    p = rng.uniform(0, 0.2, size=int(rng.integers(1, 30))) ** 2
    np.testing.assert_allclose(stats.adjust_pvalues(p, "bonferroni"), np.minimum(1, p.size * p), rtol=1e-12)
    np.testing.assert_allclose(stats.adjust_pvalues(p, "holm"), _holm_by_loop(list(p)), rtol=1e-12)
    np.testing.assert_allclose(
        stats.adjust_pvalues(p, "benjamini-hochberg"), scipy.stats.false_discovery_control(p, method="bh"), rtol=1e-12
    )


def test_test_result_is_frozen():
    result = stats.welch_t_test([1, 2, 3], [2, 4, 7])
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.pvalue = 0.0
    assert {f.name for f in dataclasses.fields(result)} == {"statistic", "pvalue", "df"}


# --- judging a classifier ---------------------------------------------------------------------


def predictions(seed: int) -> tuple[np.ndarray, np.ndarray, int]:
    rng = np.random.default_rng(4000 + seed)
    k = int(rng.integers(2, 5))
    n = int(rng.integers(20, 200))
    y_true = rng.integers(0, k, size=n)
    noisy = rng.integers(0, k, size=n)
    y_pred = np.where(rng.uniform(size=n) < 0.6, y_true, noisy)
    return y_true, y_pred, k


@pytest.mark.parametrize("seed", SEEDS)
def test_confusion_matrix_and_metrics_match_sklearn(seed):
    y_true, y_pred, k = predictions(seed)
    np.testing.assert_array_equal(
        stats.confusion_matrix(y_true, y_pred, n_classes=k), sklearn.metrics.confusion_matrix(y_true, y_pred, labels=range(k))
    )
    assert stats.accuracy(y_true, y_pred) == pytest.approx(sklearn.metrics.accuracy_score(y_true, y_pred), rel=1e-12)
    assert stats.matthews_corrcoef(y_true, y_pred) == pytest.approx(sklearn.metrics.matthews_corrcoef(y_true, y_pred), rel=1e-10, abs=1e-12)
    for positive in range(k):
        one = dict(labels=[positive], average=None, zero_division=0.0)
        assert stats.precision(y_true, y_pred, positive, 0.0) == pytest.approx(sklearn.metrics.precision_score(y_true, y_pred, **one)[0])
        assert stats.recall(y_true, y_pred, positive, 0.0) == pytest.approx(sklearn.metrics.recall_score(y_true, y_pred, **one)[0])
        assert stats.f1_score(y_true, y_pred, positive, 0.0) == pytest.approx(sklearn.metrics.f1_score(y_true, y_pred, **one)[0])


@pytest.mark.parametrize("seed", SEEDS)
def test_binary_mcc_is_pearson_of_the_labels_and_f1_is_a_harmonic_mean(seed):
    rng = np.random.default_rng(5000 + seed)
    y_true = rng.integers(0, 2, size=100)
    y_pred = np.where(rng.uniform(size=100) < 0.7, y_true, 1 - y_true)
    c = stats.binary_counts(y_true, y_pred)
    by_counts = (c.tp * c.tn - c.fp * c.fn) / math.sqrt((c.tp + c.fp) * (c.tp + c.fn) * (c.tn + c.fp) * (c.tn + c.fn))
    assert stats.matthews_corrcoef(y_true, y_pred) == pytest.approx(by_counts, rel=1e-12)
    assert stats.matthews_corrcoef(y_true, y_pred) == pytest.approx(np.corrcoef(y_true, y_pred)[0, 1], rel=1e-10)
    p, r = stats.precision(y_true, y_pred), stats.recall(y_true, y_pred)
    assert stats.f1_score(y_true, y_pred) == pytest.approx(stats.harmonic_mean([p, r]), rel=1e-12)
    assert sum(c) == 100


def test_degenerate_metrics():
    y_true, y_pred = [0, 0, 1, 1], [0, 0, 0, 0]
    assert stats.matthews_corrcoef(y_true, y_pred) == 0.0 == sklearn.metrics.matthews_corrcoef(y_true, y_pred)
    with pytest.raises(ValueError, match="precision is undefined"):
        stats.precision(y_true, y_pred)
    assert stats.precision(y_true, y_pred, zero_division=0.0) == 0.0
    assert stats.recall(y_true, y_pred) == 0.0
    with pytest.raises(ValueError, match="recall is undefined"):
        stats.recall([0, 0], [1, 0])
    with pytest.raises(ValueError, match="F1 is undefined"):
        stats.f1_score([0, 0], [0, 0])
    with pytest.raises(ValueError, match="zero_division must be at most 1"):
        stats.precision(y_true, y_pred, zero_division=2.0)
    assert stats.confusion_matrix([0, 1], [1, 1], n_classes=3).shape == (3, 3)


# --- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: stats.mean([]), ValueError, "x must not be empty"),
        (lambda: stats.mean([1.0, np.nan]), ValueError, "x must contain only finite numbers; found 1 NaN"),
        (lambda: stats.median("abc"), TypeError, "x must be numbers"),
        (lambda: stats.mean([[1, 2], [3, 4]]), ValueError, "x must be a 1-D array"),
        (lambda: stats.geometric_mean([1, 0, 2]), ValueError, "only positive numbers for the geometric mean"),
        (lambda: stats.harmonic_mean([1, -2]), ValueError, "only positive numbers for the harmonic mean"),
        (lambda: stats.variance([1.0]), ValueError, "more than ddof=1 values"),
        (lambda: stats.variance([1.0, 2.0], ddof=-1), ValueError, "ddof must be at least 0"),
        (lambda: stats.variance([1.0, 2.0], ddof=0.5), TypeError, "ddof must be an integer"),
        (lambda: stats.standard_error([3.0]), ValueError, "at least 2 values"),
        (lambda: stats.quantile([1, 2, 3], 50), ValueError, "q must be between 0 and 1"),
        (lambda: stats.quantile([1, 2, 3], [[0.5]]), ValueError, "q must be a 0-D or 1-D"),
        (lambda: stats.tukey_fences([1, 2, 3], k=-1), ValueError, "k must be at least 0"),
        (lambda: stats.impute([1.0, np.inf, np.nan]), ValueError, "infinite values, which are not missing"),
        (lambda: stats.impute([[1.0, np.nan], [2.0, np.nan]]), ValueError, "column 1 of x has no observed values"),
        (lambda: stats.impute([1.0, np.nan], strategy="mode"), ValueError, "strategy must be 'mean' or 'median'"),
        (lambda: stats.pearson([1, 2, 3], [1, 2]), ValueError, "x and y must have the same length; got 3 and 2"),
        (lambda: stats.pearson([1, 1, 1], [1, 2, 3]), ValueError, "x is constant"),
        (lambda: stats.spearman([1, 2, 3], [5, 5, 5]), ValueError, "y is constant"),
        (lambda: stats.covariance([1, np.nan], [1, 2]), ValueError, "x must contain only finite numbers"),
        (lambda: stats.welch_t_test([1.0], [1.0, 2.0]), ValueError, "a must have at least 2 values; got 1"),
        (lambda: stats.welch_t_test([1, 2], [3, 4], alternative="bigger"), ValueError, "alternative must be one of"),
        (lambda: stats.welch_t_test([1, 1], [2, 2]), ValueError, "both constant"),
        (lambda: stats.welch_t_test([1, 2], [np.nan, 2]), ValueError, "b must contain only finite numbers"),
        (lambda: stats.welch_t_test([], [1, 2]), ValueError, "a must not be empty"),
        (lambda: stats.mann_whitney_u([1, 2], [3, 4], method="permutation"), ValueError, "method must be 'asymptotic' or 'exact'"),
        (lambda: stats.mann_whitney_u([1, 2, 2], [3, 4], method="exact"), ValueError, "without ties"),
        (lambda: stats.mann_whitney_u([5, 5], [5, 5]), ValueError, "all values in a and b are equal"),
        (lambda: stats.mann_whitney_u([1], [2]), ValueError, "at least 3 values"),
        (lambda: stats.mann_whitney_u(np.arange(60.0), np.arange(60.0) + 0.5, method="exact"), ValueError, "small samples"),
        (lambda: stats.confidence_interval_mean([1, 2, 3], level=95), ValueError, "level must be less than 1"),
        (lambda: stats.confidence_interval_mean([1, 2, 3], level="0.95"), TypeError, "level must be a real number"),
        (lambda: stats.confidence_interval_difference([1, 2, 3], [1.0]), ValueError, "b must have at least 2 values"),
        (lambda: stats.cohens_d([2, 2], [2, 2]), ValueError, "pooled standard deviation is 0"),
        (lambda: stats.adjust_pvalues([0.1, 1.5]), ValueError, "pvalues must be probabilities in \\[0, 1\\]"),
        (lambda: stats.adjust_pvalues([0.1], method="sidak"), ValueError, "method must be one of"),
        (lambda: stats.confusion_matrix([0, 1, 2], [0, 1]), ValueError, "y_true and y_pred must have the same length"),
        (lambda: stats.confusion_matrix([0, 1.5], [0, 1]), ValueError, "y_true must hold class labels .* found 1.5"),
        (lambda: stats.confusion_matrix([0, -1], [0, 1]), ValueError, "non-negative integers"),
        (lambda: stats.confusion_matrix([0, 3], [0, 1], n_classes=2), ValueError, "found label 3"),
        (lambda: stats.confusion_matrix(["a", "b"], [0, 1]), TypeError, "y_true must contain numbers"),
        (lambda: stats.accuracy([], []), ValueError, "y_true must not be empty"),
        (lambda: stats.precision([0, 1], [0, 1], positive=-1), ValueError, "positive must be at least 0"),
    ],
)
def test_bad_input_gets_a_clear_error(call, error, message):
    with pytest.raises(error, match=message):
        call()
