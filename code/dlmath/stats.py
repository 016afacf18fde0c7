r"""Statistics for looking at data and for judging models (Chapter 4).

Four groups of functions, in the order the chapter meets them:

* **Describing one sample**: :func:`mean`, :func:`median`, :func:`mode`,
  :func:`geometric_mean`, :func:`harmonic_mean`, :func:`variance`, :func:`std`,
  :func:`standard_error`, :func:`quantile`, :func:`iqr`, :func:`summarize`,
  :func:`tukey_fences`, :func:`iqr_outliers` and :func:`impute` for missing values.
* **Two variables together**: :func:`covariance`, :func:`pearson`, :func:`rank`,
  :func:`spearman`.
* **Comparing two samples**: :func:`welch_t_test`, :func:`mann_whitney_u`,
  :func:`confidence_interval_mean`, :func:`confidence_interval_difference`,
  :func:`cohens_d`, and :func:`adjust_pvalues` for many tests at once. The tests
  return a :class:`TestResult`.
* **Judging a classifier**: :func:`confusion_matrix`, :func:`binary_counts`,
  :func:`accuracy`, :func:`precision`, :func:`recall`, :func:`f1_score`,
  :func:`matthews_corrcoef`.

Conventions. Every function takes a 1-D sample (a list or an array of numbers), except
:func:`impute`, which also takes a 2-D table. Variances divide by :math:`n-1` unless you
pass ``ddof=0`` (see :func:`variance`). The probability distributions behind the p-values
(Student's t and the standard normal) are evaluated with :mod:`scipy.special`; everything
else is written out here, and ``tests/package/test_stats.py`` checks it against
``scipy.stats``, NumPy and ``sklearn.metrics``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from scipy import special

from dlmath.validation import as_array, check_int, check_number, check_same_length, describe

__all__ = [
    "ALTERNATIVES",
    "BinaryCounts",
    "Summary",
    "TestResult",
    "accuracy",
    "adjust_pvalues",
    "binary_counts",
    "cohens_d",
    "confidence_interval_difference",
    "confidence_interval_mean",
    "confusion_matrix",
    "covariance",
    "f1_score",
    "geometric_mean",
    "harmonic_mean",
    "impute",
    "iqr",
    "iqr_outliers",
    "mann_whitney_u",
    "matthews_corrcoef",
    "mean",
    "median",
    "mode",
    "pearson",
    "precision",
    "quantile",
    "rank",
    "recall",
    "spearman",
    "standard_error",
    "std",
    "summarize",
    "tukey_fences",
    "variance",
    "welch_t_test",
]

#: The alternative hypotheses a test accepts: "a differs from b", "a is less", "a is greater".
ALTERNATIVES = ("two-sided", "less", "greater")


# --- input checks used by this module only ---------------------------------------------------


def _sample(x, name: str, *, at_least: int = 1) -> np.ndarray:
    """A 1-D array of finite numbers with at least ``at_least`` values."""
    x = as_array(x, name, ndim=1)
    if x.size < at_least:
        raise ValueError(f"{name} must have at least {at_least} values; got {x.size}")
    return x


def _pair(x, y, name_x: str, name_y: str, *, at_least: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Two 1-D samples of the same length (paired observations)."""
    x = _sample(x, name_x, at_least=at_least)
    y = _sample(y, name_y, at_least=at_least)
    check_same_length(x, y, name_x, name_y)
    return x, y


def _alternative(alternative) -> str:
    if alternative not in ALTERNATIVES:
        raise ValueError(f"alternative must be one of {', '.join(map(repr, ALTERNATIVES))}; got {describe(alternative)}")
    return alternative


def _level(level) -> float:
    return check_number(level, "level", low=0.0, high=1.0, low_inclusive=False, high_inclusive=False)


def _ddof(ddof, n: int, name: str) -> int:
    ddof = check_int(ddof, "ddof", low=0)
    if n <= ddof:
        raise ValueError(f"{name} needs more than ddof={ddof} values to estimate a variance; got {n}")
    return ddof


# --- describing one sample ----------------------------------------------------------------------


def mean(x) -> float:
    r"""The arithmetic mean :math:`\bar x = \frac{1}{n}\sum_{i=1}^n x_i`."""
    x = _sample(x, "x")
    return float(np.sum(x) / x.size)


def median(x) -> float:
    r"""The middle value of the sorted sample.

    With the sample sorted, :math:`x_{(1)} \le \dots \le x_{(n)}`, the median is
    :math:`x_{((n+1)/2)}` for odd :math:`n` and the average of the two middle values
    :math:`\tfrac12\,(x_{(n/2)} + x_{(n/2+1)})` for even :math:`n`.
    """
    x = np.sort(_sample(x, "x"))
    n = x.size
    middle = n // 2
    return float(x[middle]) if n % 2 == 1 else float((x[middle - 1] + x[middle]) / 2)


def mode(x) -> float:
    """The most frequent value; when several values are equally frequent, the smallest of them.

    Meaningful for counts and categories coded as numbers; for measurements with many
    decimals every value is usually unique, and the mode is then just the minimum.
    """
    values, counts = np.unique(_sample(x, "x"), return_counts=True)
    return float(values[np.argmax(counts)])  # np.unique sorts, argmax takes the first maximum


def _positive_sample(x, name: str, what: str) -> np.ndarray:
    x = _sample(x, name)
    if (x <= 0).any():
        raise ValueError(f"{name} must contain only positive numbers for the {what}; smallest value is {x.min():.6g}")
    return x


def geometric_mean(x) -> float:
    r"""The geometric mean :math:`\left(\prod_i x_i\right)^{1/n} = \exp\!\big(\frac1n\sum_i \ln x_i\big)`.

    Defined here for positive values only (a zero or a negative value raises ``ValueError``).
    The logarithms avoid the overflow of the product. It is the right average for growth
    factors and ratios: the average of 2 and 1/2 "times" is 1, not 1.25.
    """
    x = _positive_sample(x, "x", "geometric mean")
    return float(np.exp(np.mean(np.log(x))))


def harmonic_mean(x) -> float:
    r"""The harmonic mean :math:`n \big/ \sum_i \frac{1}{x_i}`, for positive values only.

    It is the right average for rates over equal amounts of work (speeds over equal
    distances), and the F1 score is the harmonic mean of precision and recall.
    """
    x = _positive_sample(x, "x", "harmonic mean")
    return float(x.size / np.sum(1.0 / x))


def variance(x, ddof: int = 1) -> float:
    r"""The variance :math:`s^2 = \frac{1}{n-\text{ddof}}\sum_i (x_i - \bar x)^2`.

    ``ddof=1`` (the default) divides by :math:`n-1`: the sample variance, an unbiased
    estimate of the variance of the population the sample came from. ``ddof=0`` divides
    by :math:`n`: the variance of the numbers themselves (NumPy's default).
    """
    x = _sample(x, "x")
    ddof = _ddof(ddof, x.size, "x")
    deviations = x - np.mean(x)
    return float(np.sum(deviations**2) / (x.size - ddof))


def std(x, ddof: int = 1) -> float:
    r"""The standard deviation :math:`s = \sqrt{s^2}`, in the units of the data (``ddof`` as in :func:`variance`)."""
    return math.sqrt(variance(x, ddof=ddof))


def standard_error(x) -> float:
    r"""The standard error of the mean, :math:`\mathrm{SE} = s/\sqrt{n}` with :math:`s` the sample standard deviation.

    It estimates how much the sample mean would vary from one sample to the next, and
    shrinks like :math:`1/\sqrt n`: four times the data halves it.
    """
    x = _sample(x, "x", at_least=2)
    return std(x, ddof=1) / math.sqrt(x.size)


def quantile(x, q):
    r"""The sample quantile(s) of ``x`` at level(s) ``q`` in [0, 1], by linear interpolation.

    The rule (type 7 of Hyndman and Fan, 1996, the default of NumPy, R, pandas and
    matplotlib's box plots): sort the sample, :math:`x_{(0)} \le \dots \le x_{(n-1)}`
    (counting from 0), put the level at position :math:`h = (n-1)\,q`, and interpolate
    between the two neighbouring values,

    .. math:: Q(q) = x_{(\lfloor h\rfloor)} + (h - \lfloor h\rfloor)\,\big(x_{(\lfloor h\rfloor+1)} - x_{(\lfloor h\rfloor)}\big).

    So ``q=0`` is the minimum, ``q=1`` the maximum, ``q=0.5`` the median. Returns a float
    for a scalar ``q`` and an array for an array of levels.
    """
    x = np.sort(_sample(x, "x"))
    levels = as_array(q, "q", ndim=(0, 1))
    if ((levels < 0) | (levels > 1)).any():
        raise ValueError(f"q must be between 0 and 1 (a level, not a percentage); got values from {levels.min():g} to {levels.max():g}")
    h = (x.size - 1) * levels
    below = np.floor(h).astype(np.int64)
    above = np.minimum(below + 1, x.size - 1)
    result = x[below] + (h - below) * (x[above] - x[below])
    return float(result) if result.ndim == 0 else result


def iqr(x) -> float:
    r"""The interquartile range :math:`\mathrm{IQR} = Q(0.75) - Q(0.25)`, the width of the middle half of the data."""
    q1, q3 = quantile(x, [0.25, 0.75])
    return float(q3 - q1)


class Summary(NamedTuple):
    """The numbers that describe a sample at a glance (``ddof=1`` standard deviation)."""

    n: int
    mean: float
    std: float
    min: float
    q1: float
    median: float
    q3: float
    max: float


def summarize(x) -> Summary:
    """Size, mean, standard deviation and the five-number summary (min, Q1, median, Q3, max)."""
    x = _sample(x, "x", at_least=2)
    q = quantile(x, [0.0, 0.25, 0.5, 0.75, 1.0])
    return Summary(int(x.size), mean(x), std(x), *(float(v) for v in q))


def tukey_fences(x, k: float = 1.5) -> tuple[float, float]:
    r"""Tukey's fences :math:`\big(Q_1 - k\,\mathrm{IQR},\; Q_3 + k\,\mathrm{IQR}\big)`, with ``k=1.5`` by default.

    Values outside the fences are the points a box plot draws individually as outliers.
    """
    k = check_number(k, "k", low=0.0)
    q1, q3 = quantile(x, [0.25, 0.75])
    spread = q3 - q1
    return float(q1 - k * spread), float(q3 + k * spread)


def iqr_outliers(x, k: float = 1.5) -> np.ndarray:
    """A boolean mask: True where a value lies outside Tukey's fences (:func:`tukey_fences`)."""
    x = _sample(x, "x")
    low, high = tukey_fences(x, k)
    return (x < low) | (x > high)


def impute(x, strategy: str = "mean") -> np.ndarray:
    r"""Fill missing values (NaN) with the ``"mean"`` or the ``"median"`` of the observed values.

    ``x`` is a 1-D sample or a 2-D table (one row per example, one column per feature);
    each column is filled with its own statistic. Infinite values are not "missing" and
    raise ``ValueError``, and so does a column with no observed value. Returns a new array.

    What it does to the statistics: filling :math:`m` of :math:`n` values with the mean
    :math:`\bar x_{\text{obs}}` of the :math:`n-m` observed ones keeps the mean, but the
    filled values add nothing to the sum of squares, so the sample variance shrinks to

    .. math:: s^2_{\text{filled}} = s^2_{\text{obs}}\,\frac{n-m-1}{n-1}.
    """
    if strategy not in ("mean", "median"):
        raise ValueError(f"strategy must be 'mean' or 'median'; got {describe(strategy)}")
    x = as_array(x, "x", ndim=(1, 2), finite=False)
    if np.isinf(x).any():
        raise ValueError("x must mark missing values with NaN; it contains infinite values, which are not missing")
    table = x.reshape(len(x), -1).copy()
    missing = np.isnan(table)
    observed = (~missing).sum(axis=0)
    if (observed == 0).any():
        column = int(np.flatnonzero(observed == 0)[0])
        where = "x" if x.ndim == 1 else f"column {column} of x"
        raise ValueError(f"{where} has no observed values to impute from (all {len(x)} are NaN)")
    for j in np.flatnonzero(missing.any(axis=0)):
        values = table[~missing[:, j], j]
        table[missing[:, j], j] = mean(values) if strategy == "mean" else median(values)
    return table.reshape(x.shape)


# --- two variables together --------------------------------------------------------------------


def covariance(x, y, ddof: int = 1) -> float:
    r"""The covariance :math:`\frac{1}{n-\text{ddof}}\sum_i (x_i-\bar x)(y_i-\bar y)` of paired samples."""
    x, y = _pair(x, y, "x", "y")
    ddof = _ddof(ddof, x.size, "x")
    return float(np.sum((x - np.mean(x)) * (y - np.mean(y))) / (x.size - ddof))


def pearson(x, y) -> float:
    r"""Pearson's correlation coefficient of paired samples:

    .. math:: r = \frac{\sum_i (x_i-\bar x)(y_i-\bar y)}{\sqrt{\sum_i (x_i-\bar x)^2}\,\sqrt{\sum_i (y_i-\bar y)^2}}.

    It lies in [-1, 1] and measures how close the points are to a straight line; ±1
    means exactly on a line. A constant sample has no defined correlation (``ValueError``).
    """
    x, y = _pair(x, y, "x", "y", at_least=2)
    dx, dy = x - np.mean(x), y - np.mean(y)
    sxx, syy = np.sum(dx * dx), np.sum(dy * dy)
    for name, values in (("x", x), ("y", y)):
        if np.all(values == values[0]):
            raise ValueError(f"{name} is constant, so its correlation is undefined (0/0)")
    r = np.sum(dx * dy) / math.sqrt(sxx * syy)
    return float(np.clip(r, -1.0, 1.0))


def rank(x) -> np.ndarray:
    """Ranks 1, 2, ..., n of the values (1 for the smallest); tied values share the average of their ranks.

    For example ``rank([10, 20, 20, 30])`` is ``[1, 2.5, 2.5, 4]``: the two 20s would take
    ranks 2 and 3, so each gets 2.5. The ranks always sum to n(n+1)/2.
    """
    x = _sample(x, "x")
    order = np.argsort(x, kind="stable")
    sorted_x = x[order]
    # a new group of tied values starts wherever the sorted value changes
    starts = np.flatnonzero(np.r_[True, sorted_x[1:] != sorted_x[:-1]])
    ends = np.r_[starts[1:], x.size]  # one past the last index of each group
    average = (starts + 1 + ends) / 2  # mean of the ranks starts+1, ..., ends
    ranks = np.empty(x.size)
    ranks[order] = np.repeat(average, ends - starts)
    return ranks


def spearman(x, y) -> float:
    r"""Spearman's rank correlation: Pearson's :math:`r` of the ranks (:func:`rank`), so ties are handled.

    It measures how well a monotonic curve, not only a line, describes the relation.
    Without ties it equals :math:`1 - \frac{6\sum_i d_i^2}{n(n^2-1)}`, where :math:`d_i`
    is the difference between the two ranks of pair :math:`i`.
    """
    x, y = _pair(x, y, "x", "y", at_least=2)
    for name, values in (("x", x), ("y", y)):
        if np.all(values == values[0]):
            raise ValueError(f"{name} is constant, so its rank correlation is undefined (0/0)")
    return pearson(rank(x), rank(y))


# --- comparing two samples ---------------------------------------------------------------------


@dataclass(frozen=True)
class TestResult:
    """The outcome of a hypothesis test.

    ``statistic`` is the test statistic (t for Welch, U of the first sample for
    Mann-Whitney), ``pvalue`` the probability, if the null hypothesis were true, of a
    statistic at least as extreme as the one observed, and ``df`` the degrees of freedom
    (Welch only; None for tests without them).
    """

    __test__ = False  # not a pytest test class, despite the name

    statistic: float
    pvalue: float
    df: float | None = None


def _student_t_sf(t: float, df: float) -> float:
    """P(T >= t) for Student's t distribution with ``df`` degrees of freedom."""
    return float(special.stdtr(df, -t))


def _normal_sf(z: float) -> float:
    """P(Z >= z) for a standard normal Z."""
    return float(special.ndtr(-z))


def welch_t_test(a, b, alternative: str = "two-sided") -> TestResult:
    r"""Welch's t-test: do samples ``a`` and ``b`` come from populations with the same mean?

    It does not assume equal variances. With sample means :math:`\bar a, \bar b`, sample
    variances :math:`s_a^2, s_b^2` (``ddof=1``) and sizes :math:`n_a, n_b`,

    .. math::
        t = \frac{\bar a - \bar b}{\sqrt{s_a^2/n_a + s_b^2/n_b}}, \qquad
        \nu = \frac{\big(s_a^2/n_a + s_b^2/n_b\big)^2}
                   {\frac{(s_a^2/n_a)^2}{n_a-1} + \frac{(s_b^2/n_b)^2}{n_b-1}}

    (the Welch-Satterthwaite degrees of freedom), and the p-value comes from Student's t
    distribution with :math:`\nu` degrees of freedom: :math:`2P(T\ge|t|)` for
    ``"two-sided"``, :math:`P(T \ge t)` for ``"greater"`` (the mean of ``a`` is larger)
    and :math:`P(T\le t)` for ``"less"``. The same as
    ``scipy.stats.ttest_ind(a, b, equal_var=False)``.

    Each sample needs at least 2 values, and not both may be constant.
    """
    alternative = _alternative(alternative)
    a = _sample(a, "a", at_least=2)
    b = _sample(b, "b", at_least=2)
    va, vb = variance(a) / a.size, variance(b) / b.size
    if va + vb == 0:
        raise ValueError("a and b are both constant, so the t statistic is undefined (0 standard error)")
    t = (np.mean(a) - np.mean(b)) / math.sqrt(va + vb)
    df = (va + vb) ** 2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1))
    if alternative == "two-sided":
        p = 2 * _student_t_sf(abs(t), df)
    elif alternative == "greater":
        p = _student_t_sf(t, df)
    else:
        p = _student_t_sf(-t, df)
    return TestResult(statistic=float(t), pvalue=float(min(p, 1.0)), df=float(df))


def _mann_whitney_exact_sf(u: float, n1: int, n2: int) -> float:
    """P(U >= u) under the null hypothesis, without ties, by counting arrangements.

    ``counts[k][u]`` is the number of ways to interleave k values of the first sample with
    the values of the second so that U = u; the recursion on the largest value is
    N(u; k, m) = N(u - m; k-1, m) + N(u; k, m-1) (the largest is from the first sample,
    beating all m of the second, or from the second sample).
    """
    size = n1 * n2 + 1
    # table[k] holds the counts for k first-sample values and the current m second-sample values
    table = [np.zeros(size) for _ in range(n1 + 1)]
    table[0][0] = 1.0  # m = 0: U is 0 whatever k is
    for k in range(1, n1 + 1):
        table[k][0] = 1.0
    for m in range(1, n2 + 1):
        for k in range(1, n1 + 1):
            shifted = np.zeros(size)
            shifted[m:] = table[k - 1][: size - m]
            table[k] = table[k] + shifted  # table[k] (old m-1) + table[k-1] (new m) shifted by m
    counts = table[n1]
    total = math.comb(n1 + n2, n1)
    return float(counts[int(math.ceil(u - 1e-9)) :].sum() / total)


def mann_whitney_u(a, b, alternative: str = "two-sided", method: str = "asymptotic") -> TestResult:
    r"""The Mann-Whitney U test (Wilcoxon rank-sum): do values of ``a`` tend to be larger or smaller than those of ``b``?

    It uses only the ranks of the pooled sample, so it is robust to outliers and needs no
    normality. With :math:`R_a` the sum of the ranks of ``a`` (ties get average ranks),

    .. math:: U_a = R_a - \frac{n_a(n_a+1)}{2}, \qquad U_b = n_a n_b - U_a,

    and :math:`U_a` counts the pairs in which the value from ``a`` is larger (ties count
    1/2). ``statistic`` is :math:`U_a`. The p-value:

    * ``method="asymptotic"`` (default): the normal approximation with the **tie
      correction** and a **continuity correction** of 1/2. Under the null hypothesis
      :math:`U` has mean :math:`\mu = n_a n_b/2` and standard deviation

      .. math:: \sigma = \sqrt{\frac{n_a n_b}{12}\Big((n+1) - \frac{\sum_j (t_j^3 - t_j)}{n(n-1)}\Big)},

      where :math:`n = n_a+n_b` and :math:`t_j` is the size of the j-th group of tied values.
      With :math:`U = U_a` for ``"greater"``, :math:`U_b` for ``"less"`` and
      :math:`\max(U_a, U_b)` for ``"two-sided"``, :math:`z = (U - \mu - \tfrac12)/\sigma`
      and :math:`p = P(Z \ge z)`, doubled for two-sided (at most 1). This is exactly
      ``scipy.stats.mannwhitneyu(a, b, method="asymptotic", use_continuity=True)``.
    * ``method="exact"``: the exact null distribution of U, counted over all
      :math:`\binom{n}{n_a}` equally likely arrangements; only without ties, and for
      small samples (:math:`n_a n_b \le 2500`).
    """
    alternative = _alternative(alternative)
    if method not in ("asymptotic", "exact"):
        raise ValueError(f"method must be 'asymptotic' or 'exact'; got {describe(method)}")
    a = _sample(a, "a")
    b = _sample(b, "b")
    n1, n2 = a.size, b.size
    pooled = np.concatenate([a, b])
    ranks = rank(pooled)
    u_a = float(np.sum(ranks[:n1]) - n1 * (n1 + 1) / 2)
    u_b = n1 * n2 - u_a
    u, factor = {"greater": (u_a, 1), "less": (u_b, 1), "two-sided": (max(u_a, u_b), 2)}[alternative]
    _, tie_sizes = np.unique(pooled, return_counts=True)
    if method == "exact":
        if (tie_sizes > 1).any():
            raise ValueError("method='exact' needs samples without ties (some values repeat); use method='asymptotic'")
        if n1 * n2 > 2500:
            raise ValueError(f"method='exact' is for small samples (n_a * n_b <= 2500); got {n1} * {n2} = {n1 * n2}")
        p = _mann_whitney_exact_sf(u, n1, n2)
    else:
        n = n1 + n2
        if n < 3:
            raise ValueError(f"the normal approximation needs at least 3 values in a and b together; got {n}")
        tie_term = float(np.sum(tie_sizes.astype(float) ** 3 - tie_sizes))
        sigma = math.sqrt(n1 * n2 / 12 * ((n + 1) - tie_term / (n * (n - 1))))
        if sigma == 0:
            raise ValueError("all values in a and b are equal, so the ranks carry no information (U has zero variance)")
        z = (u - n1 * n2 / 2 - 0.5) / sigma
        p = _normal_sf(z)
    return TestResult(statistic=u_a, pvalue=float(min(factor * p, 1.0)))


def confidence_interval_mean(x, level: float = 0.95) -> tuple[float, float]:
    r"""The t confidence interval for the population mean: :math:`\bar x \pm t^*\, s/\sqrt n`.

    :math:`t^*` is the :math:`\tfrac{1+\text{level}}{2}` quantile of Student's t with
    :math:`n-1` degrees of freedom (about 2.26 for n = 10 at 95 %). If the data are a
    random sample from a normal population, intervals built this way contain the true
    mean in a fraction ``level`` of repeated samples. Returns ``(low, high)``.
    """
    level = _level(level)
    x = _sample(x, "x", at_least=2)
    t_star = float(special.stdtrit(x.size - 1, (1 + level) / 2))
    centre, half = mean(x), t_star * standard_error(x)
    return centre - half, centre + half


def confidence_interval_difference(a, b, level: float = 0.95) -> tuple[float, float]:
    r"""Welch's confidence interval for the difference of means :math:`\mu_a - \mu_b`.

    :math:`(\bar a - \bar b) \pm t^*_\nu \sqrt{s_a^2/n_a + s_b^2/n_b}`, with :math:`\nu`
    the Welch-Satterthwaite degrees of freedom of :func:`welch_t_test`. It excludes 0
    exactly when the two-sided Welch test has p < 1 - level. Returns ``(low, high)``.
    """
    level = _level(level)
    result = welch_t_test(a, b)
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    difference = mean(a) - mean(b)
    se = math.sqrt(variance(a) / a.size + variance(b) / b.size)
    t_star = float(special.stdtrit(result.df, (1 + level) / 2))
    return difference - t_star * se, difference + t_star * se


def cohens_d(a, b) -> float:
    r"""Cohen's d, the difference of means in units of the **pooled** standard deviation:

    .. math:: d = \frac{\bar a - \bar b}{s_p}, \qquad
              s_p = \sqrt{\frac{(n_a-1)s_a^2 + (n_b-1)s_b^2}{n_a+n_b-2}}.

    Unlike a p-value it does not grow with the sample size: it says how large the effect
    is. Cohen's rough guide: 0.2 small, 0.5 medium, 0.8 large.
    """
    a = _sample(a, "a", at_least=2)
    b = _sample(b, "b", at_least=2)
    pooled = ((a.size - 1) * variance(a) + (b.size - 1) * variance(b)) / (a.size + b.size - 2)
    if pooled == 0:
        raise ValueError("a and b are both constant, so the pooled standard deviation is 0 and d is undefined")
    return float((np.mean(a) - np.mean(b)) / math.sqrt(pooled))


def adjust_pvalues(pvalues, method: str = "holm") -> np.ndarray:
    r"""Adjust the p-values of m tests run together, so that a threshold still means what it says.

    * ``"bonferroni"``: :math:`\min(1, m\,p_i)`. Controls the family-wise error rate
      (the chance of any false positive) under any dependence.
    * ``"holm"``: sort :math:`p_{(1)}\le\dots\le p_{(m)}`; the adjusted value of
      :math:`p_{(i)}` is :math:`\max_{j\le i}\min\big(1, (m-j+1)\,p_{(j)}\big)`. Same guarantee
      as Bonferroni, never less powerful.
    * ``"benjamini-hochberg"``: the adjusted value of :math:`p_{(i)}` is
      :math:`\min_{j\ge i}\min\big(1, \tfrac{m}{j}\,p_{(j)}\big)`. Controls the false discovery
      rate (the expected share of false positives among the rejections), for independent tests.

    Returns the adjusted p-values in the original order; reject where they are below the level.
    """
    methods = ("bonferroni", "holm", "benjamini-hochberg")
    if method not in methods:
        raise ValueError(f"method must be one of {', '.join(map(repr, methods))}; got {describe(method)}")
    p = as_array(pvalues, "pvalues", ndim=1)
    if ((p < 0) | (p > 1)).any():
        raise ValueError(f"pvalues must be probabilities in [0, 1]; got values from {p.min():.6g} to {p.max():.6g}")
    m = p.size
    if method == "bonferroni":
        return np.minimum(1.0, m * p)
    order = np.argsort(p, kind="stable")
    sorted_p = p[order]
    i = np.arange(1, m + 1)
    if method == "holm":
        adjusted = np.maximum.accumulate(np.minimum(1.0, (m - i + 1) * sorted_p))
    else:
        adjusted = np.minimum.accumulate(np.minimum(1.0, m / i * sorted_p)[::-1])[::-1]
    result = np.empty(m)
    result[order] = adjusted
    return result


# --- judging a classifier ----------------------------------------------------------------------


def _labels(y, name: str) -> np.ndarray:
    """Integer class labels 0, 1, 2, ... as an int64 array."""
    values = as_array(y, name, ndim=1)
    if not np.all(values == np.round(values)) or (values < 0).any():
        bad = values[(values != np.round(values)) | (values < 0)][0]
        raise ValueError(f"{name} must hold class labels 0, 1, 2, ... (non-negative integers); found {bad:g}")
    return values.astype(np.int64)


def _label_pair(y_true, y_pred) -> tuple[np.ndarray, np.ndarray]:
    y_true, y_pred = _labels(y_true, "y_true"), _labels(y_pred, "y_pred")
    check_same_length(y_true, y_pred, "y_true", "y_pred")
    return y_true, y_pred


def confusion_matrix(y_true, y_pred, n_classes: int | None = None) -> np.ndarray:
    r"""Count the predictions: ``C[i, j]`` is the number of examples of true class i predicted as j.

    Rows are the true classes and columns the predictions (the convention of
    scikit-learn), so the diagonal holds the correct predictions, row sums are the class
    sizes and column sums the number of times each class was predicted. Labels must be
    0, 1, ..., ``n_classes - 1``; by default ``n_classes`` is one more than the largest
    label seen. Returns an integer array of shape ``(n_classes, n_classes)``.
    """
    y_true, y_pred = _label_pair(y_true, y_pred)
    largest = int(max(y_true.max(), y_pred.max()))
    if n_classes is None:
        n_classes = largest + 1
    else:
        n_classes = check_int(n_classes, "n_classes", low=1)
        if largest >= n_classes:
            raise ValueError(f"labels must be 0 .. {n_classes - 1} for n_classes={n_classes}; found label {largest}")
    counts = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(counts, (y_true, y_pred), 1)
    return counts


class BinaryCounts(NamedTuple):
    """The four cells of a binary confusion matrix, for one class called positive."""

    tp: int  # positive, predicted positive
    fp: int  # negative, predicted positive (false alarm)
    fn: int  # positive, predicted negative (miss)
    tn: int  # negative, predicted negative


def binary_counts(y_true, y_pred, positive: int = 1) -> BinaryCounts:
    """True/false positives and negatives, treating class ``positive`` as positive and every other class as negative."""
    y_true, y_pred = _label_pair(y_true, y_pred)
    positive = check_int(positive, "positive", low=0)
    actual, predicted = y_true == positive, y_pred == positive
    return BinaryCounts(
        tp=int(np.sum(actual & predicted)),
        fp=int(np.sum(~actual & predicted)),
        fn=int(np.sum(actual & ~predicted)),
        tn=int(np.sum(~actual & ~predicted)),
    )


def _ratio(numerator: int, denominator: int, zero_division, what: str, why: str) -> float:
    if denominator > 0:
        return numerator / denominator
    if isinstance(zero_division, str) and zero_division == "raise":
        raise ValueError(f"{what} is undefined (0/0): {why}; pass zero_division=0.0 (or 1.0) to get that value instead")
    return check_number(zero_division, "zero_division", low=0.0, high=1.0)


def accuracy(y_true, y_pred) -> float:
    r"""The fraction of correct predictions, :math:`\frac{1}{n}\sum_i [\hat y_i = y_i]`."""
    y_true, y_pred = _label_pair(y_true, y_pred)
    return float(np.mean(y_true == y_pred))


def precision(y_true, y_pred, positive: int = 1, zero_division="raise") -> float:
    r"""Precision :math:`\mathrm{TP}/(\mathrm{TP}+\mathrm{FP})`: of the examples predicted positive, the fraction that are.

    Undefined when nothing is predicted positive: then ``ValueError``, or the number given
    as ``zero_division``. For more than two classes, ``positive`` picks one class against the rest.
    """
    c = binary_counts(y_true, y_pred, positive)
    return _ratio(c.tp, c.tp + c.fp, zero_division, "precision", "no example was predicted positive")


def recall(y_true, y_pred, positive: int = 1, zero_division="raise") -> float:
    r"""Recall (sensitivity) :math:`\mathrm{TP}/(\mathrm{TP}+\mathrm{FN})`: of the positive examples, the fraction found.

    Undefined when there is no positive example: then ``ValueError``, or ``zero_division``.
    """
    c = binary_counts(y_true, y_pred, positive)
    return _ratio(c.tp, c.tp + c.fn, zero_division, "recall", "there is no positive example")


def f1_score(y_true, y_pred, positive: int = 1, zero_division="raise") -> float:
    r"""The F1 score, the harmonic mean of precision P and recall R:

    .. math:: F_1 = \frac{2PR}{P+R} = \frac{2\,\mathrm{TP}}{2\,\mathrm{TP} + \mathrm{FP} + \mathrm{FN}}.

    Undefined (``ValueError`` or ``zero_division``) when there are no positives at all,
    neither true nor predicted.
    """
    c = binary_counts(y_true, y_pred, positive)
    return _ratio(2 * c.tp, 2 * c.tp + c.fp + c.fn, zero_division, "F1", "there is no positive example and none was predicted")


def matthews_corrcoef(y_true, y_pred) -> float:
    r"""The Matthews correlation coefficient (MCC), from -1 (always wrong) through 0 (chance) to 1 (perfect).

    For two classes,

    .. math:: \mathrm{MCC} = \frac{\mathrm{TP}\cdot\mathrm{TN} - \mathrm{FP}\cdot\mathrm{FN}}
              {\sqrt{(\mathrm{TP}+\mathrm{FP})(\mathrm{TP}+\mathrm{FN})(\mathrm{TN}+\mathrm{FP})(\mathrm{TN}+\mathrm{FN})}},

    which is Pearson's r between the 0/1 true and predicted labels. For K classes, with
    confusion matrix C, :math:`s` examples, :math:`c` correct, :math:`t_k` examples of
    class k and :math:`p_k` predictions of class k (Gorodkin's generalisation):

    .. math:: \mathrm{MCC} = \frac{c\,s - \sum_k p_k t_k}{\sqrt{\big(s^2 - \sum_k p_k^2\big)\big(s^2 - \sum_k t_k^2\big)}}.

    When the denominator is 0 (only one class is present, or only one is predicted) the
    MCC is 0 by convention, as in scikit-learn.
    """
    counts = confusion_matrix(y_true, y_pred).astype(float)
    s = counts.sum()
    c = np.trace(counts)
    t = counts.sum(axis=1)
    p = counts.sum(axis=0)
    denominator = math.sqrt((s**2 - p @ p) * (s**2 - t @ t))
    if denominator == 0:
        return 0.0
    return float((c * s - p @ t) / denominator)
