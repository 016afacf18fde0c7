"""Answers to the exercises of Chapter 4, Statistics.

Every answer is computed by a reference library (NumPy, SciPy, scikit-learn), not by
``dlmath.stats``, so a bug in the chapter's module cannot hide behind its own answer key.
Exercises meant to be done by hand accept answers to about four significant digits.
"""

import math

import numpy as np

from dlmath.exercises import register

BY_HAND = 1e-3  # relative tolerance for answers worked out on paper


def _means():
    from scipy import stats

    values = np.array([1.0, 2.0, 4.0, 8.0])
    return np.array([np.mean(values), stats.gmean(values), stats.hmean(values), np.median(values)])


def _quartiles_and_fence():
    times = np.array([7, 1, 3, 12, 5, 9, 30], dtype=float)
    q1, q2, q3 = np.quantile(times, [0.25, 0.5, 0.75], method="linear")
    return np.array([q1, q2, q3, q3 + 1.5 * (q3 - q1)])


def _imputed_variance():
    from sklearn.impute import SimpleImputer

    x = np.array([4.0, np.nan, 7.0, 1.0, np.nan, 8.0, 5.0, np.nan, 3.0, 6.0])
    filled = SimpleImputer(strategy="mean").fit_transform(x.reshape(-1, 1)).ravel()
    return float(np.var(filled, ddof=1))


def _spearman_ties():
    from scipy import stats

    return float(stats.spearmanr([3, 1, 4, 1, 5, 9], [2, 7, 1, 8, 2, 8]).statistic)


def _welch():
    from scipy import stats

    result = stats.ttest_ind([0.90, 0.92, 0.94], [0.89, 0.90, 0.90, 0.91], equal_var=False)
    return (float(result.statistic), float(result.df))


def _mann_whitney():
    from scipy import stats

    result = stats.mannwhitneyu([3, 5, 5, 9], [1, 2, 5, 6, 7], method="asymptotic", use_continuity=True)
    return (float(result.statistic), float(result.pvalue))


def _family_wise():
    from scipy import stats

    false_alarms = stats.binom(10, 0.05)
    return np.array([false_alarms.sf(0), false_alarms.mean(), 0.05 / 10])


def _classifier_metrics():
    from sklearn import metrics

    counts = np.array([[960, 20], [8, 12]])  # rows true (legitimate, fraud), columns predicted
    y_true = np.repeat([0, 0, 1, 1], counts.ravel())
    y_pred = np.repeat([0, 1, 0, 1], counts.ravel())
    return np.array(
        [
            metrics.accuracy_score(y_true, y_pred),
            metrics.precision_score(y_true, y_pred),
            metrics.recall_score(y_true, y_pred),
            metrics.f1_score(y_true, y_pred),
            metrics.matthews_corrcoef(y_true, y_pred),
        ]
    )


def _smallest_n_for_significance():
    # search instead of solving the inequality: the pooled t of two groups of n is d * sqrt(n / 2)
    return next(n for n in range(2, 100_000) if 0.2 * math.sqrt(n / 2) >= 1.96)


register("ex-04-means", compute=_means, rtol=BY_HAND, about="[arithmetic, geometric, harmonic, median] of 1, 2, 4, 8")
register("ex-04-quantiles", compute=_quartiles_and_fence, rtol=BY_HAND, about="[Q1, median, Q3, upper Tukey fence], linear rule")
register("ex-04-imputed-variance", compute=_imputed_variance, rtol=BY_HAND, about="sample variance after mean imputation")
register("ex-04-spearman-ties", compute=_spearman_ties, rtol=BY_HAND, about="Spearman's rho with average ranks for ties")
register("ex-04-welch", compute=_welch, rtol=BY_HAND, about="(t, df) of Welch's t-test")
register("ex-04-mann-whitney", compute=_mann_whitney, rtol=BY_HAND, about="(U of a, two-sided asymptotic p with tie and continuity corrections)")
register("ex-04-family-wise", compute=_family_wise, rtol=BY_HAND, about="[P(at least one false alarm), expected number, Bonferroni threshold]")
register("ex-04-classifier-metrics", compute=_classifier_metrics, rtol=BY_HAND, about="[accuracy, precision, recall, F1, MCC] with fraud positive")
register("ex-04-cohens-d-n", compute=_smallest_n_for_significance, rtol=0, atol=0.5, about="smallest n per group with d sqrt(n/2) >= 1.96")
register("ex-04-pvalue-meaning", value={"b", "d"}, about="the set of correct statements about p = 0.03")
