"""Tests of dlmath.distributions: formulas against scipy.stats, samplers by goodness of fit and moments.

Every sampler test uses a fixed seed, so it either always passes or always fails; the
goodness-of-fit thresholds (p > 1e-3) are loose enough for a correct sampler and tight
enough that a wrong variance, a shifted mean or a wrong shape of the density fails.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import special, stats

from dlmath import distributions as d
from dlmath.probability import bayes_rule

SEEDS = range(10)


def params(seed):
    """Random parameters for one round of comparisons."""
    rng = np.random.default_rng(seed)
    return rng, {
        "p": float(rng.uniform(0.02, 0.98)),
        "n": int(rng.integers(1, 60)),
        "rate": float(rng.uniform(0.1, 30)),
        "mean": float(rng.normal(0, 5)),
        "std": float(rng.uniform(0.1, 4)),
        "low": float(rng.normal(0, 3)),
        "width": float(rng.uniform(0.1, 5)),
        "shape": float(rng.uniform(0.2, 8)),
        "scale": float(rng.uniform(0.2, 4)),
        "a": float(rng.uniform(0.3, 6)),
        "b": float(rng.uniform(0.3, 6)),
    }


def chi_square_pvalue(draws, pmf, support):
    """Pearson's chi-square test of integer draws against a pmf, merging cells with expected count < 5."""
    draws = np.asarray(draws).ravel()
    observed = np.array([(draws == k).sum() for k in support], dtype=float)
    expected = np.asarray(pmf(support)) * draws.size
    observed = np.append(observed, draws.size - observed.sum())
    expected = np.append(expected, draws.size - expected.sum())
    keep = expected >= 5
    obs = np.append(observed[keep], observed[~keep].sum())
    exp = np.append(expected[keep], expected[~keep].sum())
    if exp[-1] < 5:  # fold the small remainder into the last kept cell
        obs, exp = np.append(obs[:-2], obs[-2:].sum()), np.append(exp[:-2], exp[-2:].sum())
    return stats.chisquare(obs, exp * obs.sum() / exp.sum()).pvalue


# --- formulas against scipy.stats -----------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_discrete_pmfs_and_cdfs_match_scipy(seed):
    rng, q = params(seed)
    k = np.arange(-2, 80) + np.where(rng.random(82) < 0.1, 0.5, 0.0)  # some non-integers too
    np.testing.assert_allclose(d.bernoulli_pmf(k, q["p"]), stats.bernoulli(q["p"]).pmf(k), rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(d.binomial_pmf(k, q["n"], q["p"]), stats.binom(q["n"], q["p"]).pmf(k), rtol=1e-9, atol=1e-300)
    np.testing.assert_allclose(d.binomial_cdf(k, q["n"], q["p"]), stats.binom(q["n"], q["p"]).cdf(k), rtol=1e-9, atol=1e-14)
    np.testing.assert_allclose(d.poisson_pmf(k, q["rate"]), stats.poisson(q["rate"]).pmf(k), rtol=1e-9, atol=1e-300)
    np.testing.assert_allclose(d.poisson_cdf(k, q["rate"]), stats.poisson(q["rate"]).cdf(k), rtol=1e-9, atol=1e-14)
    # the Poisson cdf identity with the incomplete gamma function equals summing the pmf
    integers = np.arange(0, 60)
    np.testing.assert_allclose(d.poisson_cdf(integers, q["rate"]), np.cumsum(d.poisson_pmf(integers, q["rate"])), rtol=1e-10, atol=1e-14)
    p = rng.dirichlet(np.ones(int(rng.integers(2, 9))))
    np.testing.assert_allclose(d.categorical_pmf(k, p), [p[int(j)] if j in range(len(p)) else 0.0 for j in k], rtol=0, atol=0)


@pytest.mark.parametrize("seed", SEEDS)
def test_multinomial_pmf_matches_scipy(seed):
    rng = np.random.default_rng(seed)
    k = int(rng.integers(2, 6))
    p = rng.dirichlet(np.ones(k))
    counts = rng.multinomial(int(rng.integers(0, 30)), p, size=7)
    np.testing.assert_allclose(d.multinomial_pmf(counts, p), stats.multinomial(counts[0].sum(), p).pmf(counts), rtol=1e-10)
    assert d.multinomial_pmf(counts[0], p) == pytest.approx(stats.multinomial(counts[0].sum(), p).pmf(counts[0]), rel=1e-10)


@pytest.mark.parametrize("seed", SEEDS)
def test_continuous_pdfs_and_cdfs_match_scipy(seed):
    rng, q = params(seed)
    x = np.concatenate([rng.normal(0, 10, 200), rng.uniform(-0.5, 1.5, 100), [0.0, 1.0]])
    high = q["low"] + q["width"]
    pairs = [
        (d.uniform_pdf(x, q["low"], high), stats.uniform(q["low"], q["width"]).pdf(x)),
        (d.uniform_cdf(x, q["low"], high), stats.uniform(q["low"], q["width"]).cdf(x)),
        (d.normal_pdf(x, q["mean"], q["std"]), stats.norm(q["mean"], q["std"]).pdf(x)),
        (d.normal_cdf(x, q["mean"], q["std"]), stats.norm(q["mean"], q["std"]).cdf(x)),
        (d.exponential_pdf(x, q["rate"]), stats.expon(scale=1 / q["rate"]).pdf(x)),
        (d.exponential_cdf(x, q["rate"]), stats.expon(scale=1 / q["rate"]).cdf(x)),
        (d.gamma_pdf(x, q["shape"], q["scale"]), stats.gamma(q["shape"], scale=q["scale"]).pdf(x)),
        (d.gamma_cdf(x, q["shape"], q["scale"]), stats.gamma(q["shape"], scale=q["scale"]).cdf(x)),
        (d.beta_pdf(x, q["a"], q["b"]), stats.beta(q["a"], q["b"]).pdf(x)),
        (d.beta_cdf(x, q["a"], q["b"]), stats.beta(q["a"], q["b"]).cdf(x)),
    ]
    for ours, reference in pairs:
        np.testing.assert_allclose(ours, reference, rtol=1e-9, atol=1e-300)


def test_scalar_in_gives_float_out_and_edges():
    assert isinstance(d.normal_pdf(0.0), float)
    assert d.normal_pdf(0.0) == pytest.approx(1 / np.sqrt(2 * np.pi), rel=1e-15)
    assert d.normal_cdf(-40.0) == pytest.approx(stats.norm.cdf(-40.0), rel=1e-10)  # far tail, not 0
    assert d.binomial_pmf(0, 10, 0.0) == 1.0 and d.binomial_pmf(10, 10, 1.0) == 1.0
    assert d.binomial_pmf(3, 10, 1.0) == 0.0
    assert d.binomial_pmf(500, 1000, 0.5) == pytest.approx(stats.binom(1000, 0.5).pmf(500), rel=1e-10)
    assert d.gamma_pdf(0.0, 1.0, 2.0) == 0.5 and d.gamma_pdf(0.0, 3.0) == 0.0 and d.gamma_pdf(0.0, 0.5) == np.inf
    assert isinstance(d.binomial_sample(5, 0.5, rng=0), int) and isinstance(d.normal_sample(rng=0), float)
    assert d.uniform_sample(size=(2, 3), rng=0).shape == (2, 3)


@pytest.mark.parametrize("seed", SEEDS)
def test_expectation_and_variance_match_scipy(seed):
    rng, q = params(seed)
    support = np.arange(q["n"] + 1)
    pmf = d.binomial_pmf(support, q["n"], q["p"])
    assert d.expectation(support, pmf) == pytest.approx(stats.binom(q["n"], q["p"]).mean(), rel=1e-12)
    assert d.variance(support, pmf) == pytest.approx(stats.binom(q["n"], q["p"]).var(), rel=1e-9)
    values = rng.normal(size=6)
    p = rng.dirichlet(np.ones(6))
    distribution = stats.rv_discrete(values=(np.arange(6), p))
    # E[aX + b] = a E[X] + b and Var(aX + b) = a^2 Var(X)  (the rules of the chapter)
    a, b = rng.normal(size=2)
    assert d.expectation(a * values + b, p) == pytest.approx(a * d.expectation(values, p) + b, rel=1e-12, abs=1e-12)
    assert d.variance(a * values + b, p) == pytest.approx(a**2 * d.variance(values, p), rel=1e-10)
    assert d.expectation(np.arange(6), p) == pytest.approx(distribution.mean(), rel=1e-12)
    assert d.variance(np.arange(6), p) == pytest.approx(distribution.var(), rel=1e-10)


# --- samplers: goodness of fit and moments --------------------------------------------------


@pytest.mark.parametrize("seed", range(6))
def test_continuous_samplers_pass_kolmogorov_smirnov(seed):
    rng, q = params(seed)
    n = 20_000
    high = q["low"] + q["width"]
    cases = [
        (d.uniform_sample(q["low"], high, n, rng), stats.uniform(q["low"], q["width"])),
        (d.normal_sample(q["mean"], q["std"], n, rng), stats.norm(q["mean"], q["std"])),
        (d.box_muller(n, rng), stats.norm()),
        (d.exponential_sample(q["rate"], n, rng), stats.expon(scale=1 / q["rate"])),
        (d.gamma_sample(q["shape"], q["scale"], n, rng), stats.gamma(q["shape"], scale=q["scale"])),
        (d.beta_sample(q["a"], q["b"], n, rng), stats.beta(q["a"], q["b"])),
    ]
    for draws, reference in cases:
        assert draws.shape == (n,)
        assert stats.kstest(draws, reference.cdf).pvalue > 1e-3, reference.dist.name
        # moments: the sample mean within 5 standard errors of the true mean
        assert abs(draws.mean() - reference.mean()) < 5 * reference.std() / np.sqrt(n), reference.dist.name


@pytest.mark.parametrize("shape", [0.05, 0.3, 0.99, 1.0, 1.7, 25.0, 400.0])
def test_gamma_sampler_over_a_range_of_shapes(shape):
    draws = d.gamma_sample(shape, 1.0, 30_000, rng=int(shape * 100))
    assert np.isfinite(draws).all() and (draws >= 0).all()
    assert stats.kstest(draws, stats.gamma(shape).cdf).pvalue > 1e-3
    assert abs(draws.var() - shape) < 0.05 * shape + 5e-3  # Var = k theta^2


def test_facts_stated_in_the_chapter():
    # the exponential distribution is memoryless: P(X > s + t | X > s) = P(X > t)
    for s_, t in [(0.5, 1.0), (5.0, 0.3), (2.0, 2.0)]:
        survive = lambda x: 1 - d.exponential_cdf(x, 1.7)  # noqa: E731
        assert survive(s_ + t) / survive(s_) == pytest.approx(survive(t), rel=1e-12)
    # Gamma(k) = (k - 1)! for whole numbers
    for k in range(1, 12):
        assert special.gamma(k) == pytest.approx(float(np.prod(np.arange(1, k))), rel=1e-13)
    # the squared radius of two standard normals is exponential with rate 1/2: P(R > r) = exp(-r^2 / 2)
    r = np.linspace(0, 4, 9)
    np.testing.assert_allclose(stats.chi2(2).sf(r**2), np.exp(-(r**2) / 2), rtol=1e-12)
    # Marsaglia-Tsang accepts more than 95 % of its proposals for every shape >= 1
    rng = np.random.default_rng(0)
    for shape in (1.0, 1.5, 3.0, 20.0):
        dd = shape - 1 / 3
        c = 1 / np.sqrt(9 * dd)
        z, u = rng.standard_normal(200_000), rng.random(200_000)
        v = (1 + c * z) ** 3
        with np.errstate(invalid="ignore", divide="ignore"):
            accepted = (v > 0) & (np.log(u) < 0.5 * z**2 + dd - dd * v + dd * np.log(np.where(v > 0, v, 1)))
        assert accepted.mean() > 0.95


def test_box_muller_gives_independent_pairs():
    z = d.box_muller(200_000, rng=1)
    first, second = z[:100_000], z[100_000:]  # the cos and sin halves of the same pairs
    assert abs(np.corrcoef(first, second)[0, 1]) < 0.01
    assert abs(np.corrcoef(first**2, second**2)[0, 1]) < 0.01  # not just uncorrelated: no link in the radii
    assert stats.kstest(np.hypot(first, second), stats.chi(2).cdf).pvalue > 1e-3


@pytest.mark.parametrize("seed", range(6))
def test_discrete_samplers_pass_chi_square(seed):
    rng, q = params(seed)
    n = 20_000
    draws = d.bernoulli_sample(q["p"], n, rng)
    assert set(np.unique(draws)) <= {0, 1}
    assert chi_square_pvalue(draws, lambda k: stats.bernoulli(q["p"]).pmf(k), np.arange(2)) > 1e-3
    draws = d.binomial_sample(q["n"], q["p"], n, rng)
    assert chi_square_pvalue(draws, lambda k: stats.binom(q["n"], q["p"]).pmf(k), np.arange(q["n"] + 1)) > 1e-3
    assert abs(draws.var() - q["n"] * q["p"] * (1 - q["p"])) < 0.06 * q["n"] * q["p"] * (1 - q["p"]) + 0.01
    draws = d.poisson_sample(q["rate"], n, rng)
    assert chi_square_pvalue(draws, lambda k: stats.poisson(q["rate"]).pmf(k), np.arange(int(q["rate"] * 3 + 20))) > 1e-3
    p = rng.dirichlet(np.ones(int(rng.integers(2, 12))))
    support = np.arange(len(p))
    assert chi_square_pvalue(d.sample_discrete(p, n, rng), lambda k: p[k], support) > 1e-3
    assert chi_square_pvalue(d.AliasTable(p).sample(n, rng), lambda k: p[k], support) > 1e-3


def test_large_poisson_rate_and_tiny_probabilities():
    draws = d.poisson_sample(2.5e5, 20_000, rng=2)
    assert abs(draws.mean() - 2.5e5) < 5 * np.sqrt(2.5e5 / 20_000)
    assert abs(draws.var() / 2.5e5 - 1) < 0.05
    p = np.array([0.0, 0.5, 0.0, 0.5, 0.0])
    for draws in (d.sample_discrete(p, 10_000, rng=3), d.AliasTable(p).sample(10_000, rng=3)):
        assert set(np.unique(draws)) == {1, 3}  # zero-probability categories are never drawn


@pytest.mark.parametrize("seed", SEEDS)
def test_alias_table_represents_exactly_its_distribution(seed):
    rng = np.random.default_rng(seed)
    k = int(rng.integers(1, 200))
    p = rng.dirichlet(np.full(k, 0.3))
    table = d.AliasTable(p)
    assert len(table) == k
    assert ((table.probability >= 0) & (table.probability <= 1 + 1e-12)).all()
    np.testing.assert_allclose(table.probabilities(), p, rtol=1e-9, atol=1e-15)


def test_sample_discrete_per_row_for_a_batch_of_softmax_outputs():
    logits = np.array([[2.0, 1.0, 0.0], [0.0, 0.0, 5.0]])
    probs = special.softmax(logits, axis=1)
    draws = d.sample_discrete(np.tile(probs, (4000, 1)), rng=1).reshape(4000, 2)  # rows alternate 0, 1
    assert draws.shape == (4000, 2)
    for row in range(2):
        assert chi_square_pvalue(draws[:, row], lambda k, r=row: probs[r, k], np.arange(3)) > 1e-3


def test_multinomial_sampler_counts_and_moments():
    p = np.array([0.1, 0.2, 0.3, 0.4])
    counts = d.multinomial_sample(25, p, 20_000, rng=5)
    assert counts.shape == (20_000, 4) and (counts.sum(axis=1) == 25).all()
    np.testing.assert_allclose(counts.mean(axis=0), 25 * p, rtol=0.02)
    np.testing.assert_allclose(counts.var(axis=0), 25 * p * (1 - p), rtol=0.05)
    cov = np.cov(counts.T)[0, 1]
    assert cov == pytest.approx(-25 * p[0] * p[1], rel=0.15)  # counts compete: Cov = -n p_i p_j
    one = d.multinomial_sample(10, p, rng=0)
    assert one.shape == (4,) and one.sum() == 10
    assert d.multinomial_sample(0, p, 3, rng=0).tolist() == [[0, 0, 0, 0]] * 3


def test_inverse_transform_sample_reproduces_the_logistic_distribution():
    draws = d.inverse_transform_sample(special.logit, 30_000, rng=8)  # F^{-1} of the logistic cdf
    assert stats.kstest(draws, stats.logistic.cdf).pvalue > 1e-3
    # the open interval: even the inverse normal cdf, infinite at 0 and 1, gives finite draws
    assert np.isfinite(d.inverse_transform_sample(special.ndtri, 10_000, rng=0)).all()


def test_samplers_are_reproducible_with_a_seed():
    for sampler in (
        lambda rng: d.normal_sample(0, 1, 50, rng),
        lambda rng: d.gamma_sample(0.7, 2, 50, rng),
        lambda rng: d.beta_sample(2, 3, 50, rng),
        lambda rng: d.poisson_sample(3, 50, rng),
        lambda rng: d.AliasTable([0.3, 0.7]).sample(50, rng),
    ):
        np.testing.assert_array_equal(sampler(42), sampler(42))


# --- limit theorems and Bayesian updating --------------------------------------------------


def test_central_limit_theorem_for_sums_of_uniforms():
    rng = np.random.default_rng(12)
    sums = d.uniform_sample(size=(20_000, 48), rng=rng).sum(axis=1)
    assert abs(sums.mean() - 24) < 5 * 2 / np.sqrt(20_000)
    assert sums.std() == pytest.approx(2.0, rel=0.03)
    assert stats.kstest(sums, stats.norm(24, 2).cdf).pvalue > 1e-3


@pytest.mark.parametrize("seed", SEEDS)
def test_beta_posterior_equals_bayes_rule_on_a_grid(seed):
    rng = np.random.default_rng(seed)
    a, b = rng.uniform(0.5, 5, size=2)
    trials = int(rng.integers(0, 40))
    successes = int(rng.integers(0, trials + 1))
    a_post, b_post = d.beta_posterior(a, b, successes, trials)
    theta = np.linspace(0.0005, 0.9995, 1000)  # midpoints of 1000 equal cells
    prior = d.beta_pdf(theta, a, b)
    prior /= prior.sum()
    posterior = bayes_rule(prior, stats.binom.pmf(successes, trials, theta))  # prior x likelihood, normalised
    exact = d.beta_pdf(theta, a_post, b_post) / d.beta_pdf(theta, a_post, b_post).sum()
    np.testing.assert_allclose(posterior, exact, rtol=1e-9, atol=1e-15)
    assert (a_post, b_post) == pytest.approx((a + successes, b + trials - successes))


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: d.normal_pdf(0.0, 0.0, -1.0), ValueError, "std must be greater than 0"),
        (lambda: d.normal_sample(0.0, 0.0, 10), ValueError, "std must be greater than 0"),
        (lambda: d.gamma_pdf(1.0, shape=2.0, scale=-1.0), ValueError, "scale must be greater than 0"),
        (lambda: d.gamma_sample(-1.0), ValueError, "shape must be greater than 0"),
        (lambda: d.exponential_sample(0.0), ValueError, "rate must be greater than 0"),
        (lambda: d.poisson_pmf(2, -3.0), ValueError, "rate must be greater than 0"),
        (lambda: d.poisson_sample(1e9), ValueError, "rate must be at most"),
        (lambda: d.beta_sample(1.0, 0.0), ValueError, "b must be greater than 0"),
        (lambda: d.uniform_pdf(0.5, 1.0, 1.0), ValueError, "low must be smaller than high"),
        (lambda: d.binomial_pmf(2, 10, 1.5), ValueError, "p must be at most 1"),
        (lambda: d.binomial_pmf(2, -1, 0.5), ValueError, "n must be at least 0"),
        (lambda: d.binomial_pmf(2, 10.5, 0.5), TypeError, "n must be an integer"),
        (lambda: d.bernoulli_sample(np.nan), ValueError, "p must be a finite number"),
        (lambda: d.normal_pdf([0.0, np.nan]), ValueError, "x must contain only finite numbers; found 1 NaN"),
        (lambda: d.normal_cdf([]), ValueError, "x must not be empty"),
        (lambda: d.poisson_cdf("three", 2.0), TypeError, "k must be numbers"),
        (lambda: d.sample_discrete([0.2, 0.3]), ValueError, "p must sum to 1"),
        (lambda: d.sample_discrete([1.2, -0.2]), ValueError, "p must not contain negative"),
        (lambda: d.sample_discrete([[0.5, 0.5]], size=3), ValueError, "size must be None"),
        (lambda: d.AliasTable([]), ValueError, "p must not be empty"),
        (lambda: d.AliasTable([0.5, 0.4]), ValueError, "p must sum to 1"),
        (lambda: d.categorical_pmf(1, [[0.5, 0.5]]), ValueError, "1-D probability vector"),
        (lambda: d.multinomial_pmf([1, 2], [0.2, 0.3, 0.5]), ValueError, "one entry per category"),
        (lambda: d.multinomial_pmf([1, -2, 3], [0.2, 0.3, 0.5]), ValueError, "non-negative integers"),
        (lambda: d.multinomial_sample(5, [0.2, 0.8], size=(2, 2)), TypeError, "size must be None or a non-negative integer"),
        (lambda: d.expectation([1, 2, 3], [0.5, 0.5]), ValueError, "values and p must have the same length"),
        (lambda: d.variance([1, 2], [0.7, 0.7]), ValueError, "p must sum to 1"),
        (lambda: d.uniform_sample(size=-3), ValueError, "size must be at least 0"),
        (lambda: d.uniform_sample(size=2.5), TypeError, "size must be None"),
        (lambda: d.uniform_sample(size=(2, "3")), TypeError, "size\\[1\\] must be an integer"),
        (lambda: d.box_muller(5, rng=1.5), TypeError, "rng must be a numpy.random.Generator"),
        (lambda: d.inverse_transform_sample(3.0, 5), TypeError, "inverse_cdf must be a function"),
        (lambda: d.inverse_transform_sample(lambda u: u[:2], 5), ValueError, "one value per uniform number"),
        (lambda: d.inverse_transform_sample(lambda u: np.where(u < 0.5, np.nan, u), 50, rng=0), ValueError, "NaN or infinite"),
        (lambda: d.beta_posterior(1.0, 1.0, 5, 3), ValueError, "successes must be at most 3"),
        (lambda: d.beta_posterior(1.0, -1.0, 1, 3), ValueError, "b must be greater than 0"),
    ],
)
def test_bad_input_gives_clear_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()
