"""Continuous samplers: moments, bounds (truncation, never clamping) and analytic means.

Tolerances: a sample mean is within 5 standard errors (sd / sqrt(n)) of its target, a sample
variance within 5 standard errors of the variance estimate (estimated from the draws' fourth
moment), a share within 5 binomial standard errors. With fixed seeds the tests are deterministic;
the 5-SE margin keeps them honest (a wrong mean or a clamped bound moves far more than that).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from sim.distributions import create_distribution

N = 200_000
SE = 5  # standard errors allowed everywhere in this file


def rng(seed: int = 20240501) -> np.random.Generator:
    return np.random.default_rng(seed)


def phi(z: float) -> float:
    return math.exp(-z * z / 2) / math.sqrt(2 * math.pi)


def big_phi(z: float) -> float:
    return 0.5 * math.erfc(-z / math.sqrt(2))


def assert_mean(x: np.ndarray, mean: float, sd: float) -> None:
    tolerance = SE * sd / math.sqrt(x.size)
    assert abs(x.mean() - mean) <= tolerance, (x.mean(), mean, tolerance)


def assert_variance(x: np.ndarray, variance: float) -> None:
    deviations = (x - x.mean()) ** 2
    tolerance = SE * deviations.std() / math.sqrt(x.size)
    assert abs(x.var() - variance) <= tolerance, (x.var(), variance, tolerance)


def assert_share(hits: int, n: int, p: float) -> None:
    tolerance = SE * math.sqrt(p * (1 - p) / n)
    assert abs(hits / n - p) <= tolerance, (hits / n, p, tolerance)


def integrate(f, low: float, high: float, points: int = 400_001) -> float:
    """Trapezoid rule on a fine grid: exact enough for smooth densities (no scipy)."""
    x = np.linspace(low, high, points)
    return float(np.trapezoid(f(x), x))


def truncated_normal_moments(mean: float, sd: float, low: float, high: float):
    a, b = (low - mean) / sd, (high - mean) / sd
    mass = big_phi(b) - big_phi(a)
    shift = (phi(a) - phi(b)) / mass
    tail = (a * phi(a) if math.isfinite(a) else 0) - (b * phi(b) if math.isfinite(b) else 0)
    variance = 1 + tail / mass - shift**2
    return mean + sd * shift, sd * sd * variance


# --- normal ---------------------------------------------------------------------------------


def test_normal_mean_and_variance():
    sampler = create_distribution({"type": "normal", "mean": 10, "std_dev": 3})
    x = sampler.sample(rng(), N)
    assert_mean(x, 10, 3)
    assert_variance(x, 9)
    assert sampler.expected_mean() == 10


def test_truncated_normal_mean_is_74_63():
    sampler = create_distribution(
        {"type": "normal", "mean": 72, "std_dev": 8, "min": 65, "max": 95}
    )
    x = sampler.sample(rng(), 100_000)
    assert x.min() >= 65 and x.max() <= 95
    assert abs(x.mean() - 74.63) <= 0.2
    exact_mean, exact_variance = truncated_normal_moments(72, 8, 65, 95)
    assert exact_mean == pytest.approx(74.63, abs=0.005)
    assert sampler.expected_mean() == pytest.approx(exact_mean, rel=1e-12)
    assert_mean(x, exact_mean, math.sqrt(exact_variance))
    assert_variance(x, exact_variance)


def test_truncated_normal_has_no_pile_up_at_the_bound():
    sampler = create_distribution(
        {"type": "normal", "mean": 72, "std_dev": 8, "min": 65, "max": 95}
    )
    n = 100_000
    x = sampler.sample(rng(7), n)
    mass = big_phi(23 / 8) - big_phi(-7 / 8)
    first = (big_phi(-6.5 / 8) - big_phi(-7 / 8)) / mass  # share the density gives [65, 65.5]
    second = (big_phi(-6 / 8) - big_phi(-6.5 / 8)) / mass  # and [65.5, 66]
    assert_share(int(((x >= 65) & (x < 65.5)).sum()), n, first)
    assert_share(int(((x >= 65.5) & (x < 66)).sum()), n, second)
    # Clamping would put P(N(72, 8) < 65) ~ 19% of all draws exactly at 65.
    assert (x == 65).sum() == 0


def test_truncated_normal_one_sided_bounds():
    low_only = create_distribution({"type": "normal", "mean": 0, "std_dev": 1, "min": 1})
    x = low_only.sample(rng(), N)
    mean, variance = truncated_normal_moments(0, 1, 1, math.inf)
    assert x.min() >= 1
    assert_mean(x, mean, math.sqrt(variance))
    assert low_only.expected_mean() == pytest.approx(mean)

    high_only = create_distribution({"type": "normal", "mean": 0, "std_dev": 1, "max": -1})
    y = high_only.sample(rng(), N)
    assert y.max() <= -1
    assert_mean(y, -mean, math.sqrt(variance))


@pytest.mark.parametrize(("low", "high"), [(8, 9), (-9, -8), (8, math.inf), (20, 20.5), (3, 3.3)])
def test_truncated_normal_far_tails(low, high):
    spec = {"type": "normal", "mean": 0, "std_dev": 1, "min": low}
    if math.isfinite(high):
        spec["max"] = high
    sampler = create_distribution(spec)
    x = sampler.sample(rng(), 50_000)
    assert x.min() >= low and x.max() <= high
    if low > 0:
        a, b = low, high
        mass = 0.5 * (math.erfc(a / math.sqrt(2)) - math.erfc(b / math.sqrt(2)))
        mean = (phi(a) - phi(b)) / mass
        variance = 1 + (a * phi(a) - (b * phi(b) if math.isfinite(b) else 0)) / mass - mean**2
    else:  # the mirror image of (8, 9)
        a, b = 8, 9
        mass = 0.5 * (math.erfc(a / math.sqrt(2)) - math.erfc(b / math.sqrt(2)))
        mean = -(phi(a) - phi(b)) / mass
        variance = 1 + (a * phi(a) - b * phi(b)) / mass - mean**2
    assert_mean(x, mean, math.sqrt(variance))
    assert sampler.expected_mean() == pytest.approx(mean, rel=1e-6)


def test_truncated_normal_narrow_interval():
    sampler = create_distribution(
        {"type": "normal", "mean": 50, "std_dev": 10, "min": 60, "max": 60.01}
    )
    x = sampler.sample(rng(), N)
    assert x.min() >= 60 and x.max() <= 60.01
    mean, variance = truncated_normal_moments(50, 10, 60, 60.01)
    assert_mean(x, mean, math.sqrt(variance))
    # Nearly uniform on a width of 0.01: sd about 0.01 / sqrt(12).
    assert math.sqrt(variance) == pytest.approx(0.01 / math.sqrt(12), rel=0.01)


def test_normal_with_zero_std_dev_is_its_mean():
    sampler = create_distribution({"type": "normal", "mean": 4.5, "std_dev": 0})
    assert np.all(sampler.sample(rng(), 100) == 4.5)


# --- log-normal -----------------------------------------------------------------------------


def test_log_normal_arithmetic_moments_cost_example():
    sampler = create_distribution({"type": "log_normal", "mean": 5000, "std_dev": 8000})
    sigma_squared = math.log1p((8000 / 5000) ** 2)
    exact_median = math.exp(math.log(5000) - sigma_squared / 2)
    assert exact_median == pytest.approx(2650, rel=0.001)
    x = sampler.sample(rng(), 1_000_000)
    assert x.min() > 0
    assert abs(x.mean() - 5000) <= 0.03 * 5000
    assert abs(np.median(x) - exact_median) <= 0.03 * exact_median
    assert abs(np.median(x) - 2650) <= 0.03 * 2650
    assert sampler.expected_mean() == pytest.approx(5000)


def test_log_normal_mu_sigma():
    sampler = create_distribution({"type": "log_normal", "mu": 1.0, "sigma": 0.5})
    x = sampler.sample(rng(), N)
    mean = math.exp(1.0 + 0.125)
    variance = (math.exp(0.25) - 1) * math.exp(2.0 + 0.25)
    assert_mean(x, mean, math.sqrt(variance))
    assert_variance(x, variance)
    assert_mean(np.log(x), 1.0, 0.5)
    assert sampler.expected_mean() == pytest.approx(mean)


def test_truncated_log_normal_matches_the_truncated_mean():
    spec = {"type": "log_normal", "mean": 5000, "std_dev": 8000, "min": 500, "max": 20000}
    sampler = create_distribution(spec)
    x = sampler.sample(rng(), N)
    assert x.min() >= 500 and x.max() <= 20000
    s2 = math.log1p(1.6**2)
    mu, s = math.log(5000) - s2 / 2, math.sqrt(s2)
    a, b = (math.log(500) - mu) / s, (math.log(20000) - mu) / s
    mass = big_phi(b) - big_phi(a)
    mean = math.exp(mu + s2 / 2) * (big_phi(b - s) - big_phi(a - s)) / mass
    second = math.exp(2 * mu + 2 * s2) * (big_phi(b - 2 * s) - big_phi(a - 2 * s)) / mass
    assert_mean(x, mean, math.sqrt(second - mean**2))


# --- uniform, triangular, beta --------------------------------------------------------------


def test_uniform():
    sampler = create_distribution({"type": "uniform", "min": 2, "max": 14})
    x = sampler.sample(rng(), N)
    assert x.min() >= 2 and x.max() <= 14
    assert_mean(x, 8, 12 / math.sqrt(12))
    assert_variance(x, 144 / 12)
    assert sampler.expected_mean() == 8


def test_triangular():
    low, mode, high = 1.0, 2.0, 10.0
    sampler = create_distribution({"type": "triangular", "min": low, "mode": mode, "max": high})
    x = sampler.sample(rng(), N)
    assert x.min() >= low and x.max() <= high
    mean = (low + mode + high) / 3
    variance = (low**2 + mode**2 + high**2 - low * mode - low * high - mode * high) / 18
    assert_mean(x, mean, math.sqrt(variance))
    assert_variance(x, variance)
    assert sampler.expected_mean() == pytest.approx(mean)


def test_beta():
    a, b = 2.0, 5.0
    sampler = create_distribution({"type": "beta", "alpha": a, "beta": b})
    x = sampler.sample(rng(), N)
    assert x.min() >= 0 and x.max() <= 1
    mean = a / (a + b)
    variance = a * b / ((a + b) ** 2 * (a + b + 1))
    assert_mean(x, mean, math.sqrt(variance))
    assert_variance(x, variance)
    assert sampler.expected_mean() == pytest.approx(mean)


# --- exponential ----------------------------------------------------------------------------


@pytest.mark.parametrize("spec", [{"mean": 4.0}, {"rate": 0.25}])
def test_exponential_mean_or_rate(spec):
    sampler = create_distribution({"type": "exponential", **spec})
    x = sampler.sample(rng(), N)
    assert x.min() >= 0
    assert_mean(x, 4.0, 4.0)
    assert_variance(x, 16.0)
    assert sampler.expected_mean() == pytest.approx(4.0)


def truncated_exponential_mean(scale: float, low: float, high: float) -> float:
    """E[X | low <= X <= high] for X ~ Exp(mean=scale), by integrating x e^(-x/scale)."""
    if math.isinf(high):
        return low + scale  # memoryless
    ea, eb = math.exp(-low / scale), math.exp(-high / scale)
    return scale + (low * ea - high * eb) / (ea - eb)


@pytest.mark.parametrize(("low", "high"), [(0, 10), (5, 15), (30, math.inf), (0.5, 0.6)])
def test_truncated_exponential(low, high):
    spec = {"type": "exponential", "mean": 10.0, "min": low}
    if math.isfinite(high):
        spec["max"] = high
    x = create_distribution(spec).sample(rng(), N)
    assert x.min() >= low and x.max() <= high
    mean = truncated_exponential_mean(10.0, low, high)
    sd = 10.0 if math.isinf(high) else (high - low) / 2  # sd <= half the interval's width
    assert_mean(x, mean, sd)


# --- gamma ----------------------------------------------------------------------------------


def test_gamma_shape_scale():
    sampler = create_distribution({"type": "gamma", "shape": 2.5, "scale": 3.0})
    x = sampler.sample(rng(), N)
    assert x.min() >= 0
    assert_mean(x, 7.5, math.sqrt(2.5 * 9))
    assert_variance(x, 2.5 * 9)
    assert sampler.expected_mean() == pytest.approx(7.5)


def test_gamma_mean_std_dev():
    sampler = create_distribution({"type": "gamma", "mean": 12.0, "std_dev": 4.0})
    x = sampler.sample(rng(), N)
    assert_mean(x, 12.0, 4.0)
    assert_variance(x, 16.0)
    assert sampler.expected_mean() == pytest.approx(12.0)


def gamma_pdf(shape: float, scale: float):
    log_norm = math.lgamma(shape) + shape * math.log(scale)

    def pdf(x: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore"):
            return np.exp((shape - 1) * np.log(x) - x / scale - log_norm)

    return pdf


@pytest.mark.parametrize(("low", "high"), [(2, 6), (0, 15), (9, 40)])
def test_truncated_gamma(low, high):
    shape, scale = 2.0, 2.0
    spec = {"type": "gamma", "shape": shape, "scale": scale, "min": low, "max": high}
    sampler = create_distribution(spec)
    x = sampler.sample(rng(), N)
    assert x.min() >= low and x.max() <= high
    pdf = gamma_pdf(shape, scale)
    mass = integrate(pdf, max(low, 1e-12), high)
    mean = integrate(lambda t: t * pdf(t), max(low, 1e-12), high) / mass
    second = integrate(lambda t: t * t * pdf(t), max(low, 1e-12), high) / mass
    assert_mean(x, mean, math.sqrt(second - mean**2))
    assert sampler.expected_mean() is None  # not the untruncated shape * scale


def test_gamma_far_bound_is_still_a_bound():
    # P(X > 15) is about 5e-6: a pilot that keeps every draw must not drop the bound.
    sampler = create_distribution({"type": "gamma", "shape": 2, "scale": 1, "max": 15})
    x = sampler.sample(rng(), 2_000_000)
    assert x.max() <= 15


# --- weibull --------------------------------------------------------------------------------


def test_weibull():
    shape, scale = 1.5, 20.0
    sampler = create_distribution({"type": "weibull", "shape": shape, "scale": scale})
    x = sampler.sample(rng(), N)
    mean = scale * math.gamma(1 + 1 / shape)
    variance = scale**2 * math.gamma(1 + 2 / shape) - mean**2
    assert x.min() >= 0
    assert_mean(x, mean, math.sqrt(variance))
    assert_variance(x, variance)
    assert sampler.expected_mean() == pytest.approx(mean)


@pytest.mark.parametrize(("low", "high"), [(5, 30), (40, math.inf), (0, 2)])
def test_truncated_weibull(low, high):
    shape, scale = 1.5, 20.0
    spec = {"type": "weibull", "shape": shape, "scale": scale, "min": low}
    if math.isfinite(high):
        spec["max"] = high
    x = create_distribution(spec).sample(rng(), N)
    assert x.min() >= low and x.max() <= high

    def pdf(t: np.ndarray) -> np.ndarray:
        z = t / scale
        return shape / scale * z ** (shape - 1) * np.exp(-(z**shape))

    top = high if math.isfinite(high) else scale * 20  # the density is ~e^-89 beyond
    mass = integrate(pdf, low, top)
    mean = integrate(lambda t: t * pdf(t), low, top) / mass
    second = integrate(lambda t: t * t * pdf(t), low, top) / mass
    assert_mean(x, mean, math.sqrt(second - mean**2))


# --- empirical and fixed --------------------------------------------------------------------


def test_empirical_histogram():
    edges, weights = [0, 1, 3, 10], [0.2, 0.5, 0.3]
    sampler = create_distribution({"type": "empirical", "edges": edges, "weights": weights})
    x = sampler.sample(rng(), N)
    assert x.min() >= 0 and x.max() <= 10
    for (low, high), weight in zip(itertools.pairwise(edges), weights, strict=True):
        assert_share(int(((x >= low) & (x < high)).sum()), N, weight)
    centres = [(a + b) / 2 for a, b in itertools.pairwise(edges)]
    widths = [b - a for a, b in itertools.pairwise(edges)]
    mean = sum(w * c for w, c in zip(weights, centres, strict=True))
    second = sum(w * (c * c + d * d / 12) for w, c, d in zip(weights, centres, widths, strict=True))
    assert_mean(x, mean, math.sqrt(second - mean**2))
    assert sampler.expected_mean() == pytest.approx(mean)
    # Uniform within a bin: the middle bin's lower and upper halves hold equal shares.
    assert_share(int(((x >= 1) & (x < 2)).sum()), N, 0.25)


@pytest.mark.parametrize("value", [3, 2.5, "pending", True])
def test_fixed(value):
    sampler = create_distribution({"type": "fixed", "value": value})
    x = sampler.sample(rng(), 50)
    assert x.tolist() == [value] * 50
    assert sampler.sample_one(rng()) == value
    expected = None if isinstance(value, str) else float(value)
    assert sampler.expected_mean() == expected
