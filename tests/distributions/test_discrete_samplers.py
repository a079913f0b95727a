"""Discrete samplers: categorical, explicit, age bands, Poisson, negative binomial.

Tolerances: a share is within 5 binomial standard errors (sqrt(p(1-p)/n)), a mean within 5
standard errors (sd / sqrt(n)), a variance within 5 standard errors of the variance estimate.
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest

from sim.distributions import create_distribution

N = 200_000
SE = 5


def rng(seed: int = 99) -> np.random.Generator:
    return np.random.default_rng(seed)


def assert_share(hits: int, n: int, p: float) -> None:
    tolerance = SE * math.sqrt(p * (1 - p) / n)
    assert abs(hits / n - p) <= tolerance, (hits / n, p, tolerance)


def assert_mean(x: np.ndarray, mean: float, sd: float) -> None:
    tolerance = SE * sd / math.sqrt(x.size)
    assert abs(x.mean() - mean) <= tolerance, (x.mean(), mean, tolerance)


def assert_variance(x: np.ndarray, variance: float) -> None:
    deviations = (x - x.mean()) ** 2
    tolerance = SE * deviations.std() / math.sqrt(x.size)
    assert abs(x.var() - variance) <= tolerance, (x.var(), variance, tolerance)


def assert_shares(values: np.ndarray, expected: dict) -> None:
    counts = Counter(values.tolist())
    assert set(counts) <= set(expected)
    for value, p in expected.items():
        assert_share(counts.get(value, 0), values.size, p)


# --- categorical ----------------------------------------------------------------------------


def test_categorical_shares():
    weights = {"F": 0.51, "M": 0.48, "X": 0.01}
    sampler = create_distribution({"type": "categorical", "weights": weights})
    x = sampler.sample(rng(), N)
    assert_shares(x, weights)
    assert sampler.expected_shares() == pytest.approx(weights)
    assert sampler.expected_mean() is None


def test_categorical_weights_within_tolerance_are_renormalised():
    sampler = create_distribution({"type": "categorical", "weights": {"a": 0.5, "b": 0.4995}})
    shares = sampler.expected_shares()
    assert sum(shares.values()) == pytest.approx(1.0, abs=1e-12)
    assert shares["a"] == pytest.approx(0.5 / 0.9995)


def test_categorical_zero_weight_is_never_drawn():
    sampler = create_distribution({"type": "categorical", "weights": {"a": 0, "b": 1, "c": 0}})
    assert set(sampler.sample(rng(), 10_000).tolist()) == {"b"}


# --- explicit -------------------------------------------------------------------------------


def test_explicit_unweighted_values_are_equally_likely():
    sampler = create_distribution({"type": "explicit", "values": [10, 20, 30, 40]})
    x = sampler.sample(rng(), N)
    assert_shares(x, {10: 0.25, 20: 0.25, 30: 0.25, 40: 0.25})
    assert sampler.expected_mean() == pytest.approx(25)
    assert_mean(x, 25, math.sqrt(125))


def test_explicit_weighted_values():
    values = [
        {"value": "E11.9", "weight": 0.7},
        {"value": "E11.65", "weight": 0.2},
        {"value": "E11.22", "weight": 0.1},
    ]
    sampler = create_distribution({"type": "explicit", "values": values})
    x = sampler.sample(rng(), N)
    assert_shares(x, {"E11.9": 0.7, "E11.65": 0.2, "E11.22": 0.1})
    assert sampler.expected_shares() == pytest.approx({"E11.9": 0.7, "E11.65": 0.2, "E11.22": 0.1})


def test_explicit_weighted_numbers_have_an_expected_mean():
    values = [{"value": 30, "weight": 0.8}, {"value": 90, "weight": 0.2}]
    sampler = create_distribution({"type": "explicit", "values": values})
    x = sampler.sample(rng(), N)
    assert sampler.expected_mean() == pytest.approx(42)
    assert_mean(x, 42, math.sqrt(0.8 * 0.2) * 60)


# --- age bands ------------------------------------------------------------------------------

BANDS = {"0-17": 0.22, "18-44": 0.36, "45-64": 0.25, "65+": 0.17}


def test_age_bands_shares_and_integer_ages():
    sampler = create_distribution({"type": "age_bands", "bands": BANDS})
    ages = sampler.sample(rng(), N)
    assert ages.dtype.kind == "i"
    assert ages.min() >= 0 and ages.max() <= 90  # open band ends at open_band_max (90)
    assert_share(int((ages <= 17).sum()), N, 0.22)
    assert_share(int(((ages >= 18) & (ages <= 44)).sum()), N, 0.36)
    assert_share(int(((ages >= 45) & (ages <= 64)).sum()), N, 0.25)
    assert_share(int((ages >= 65).sum()), N, 0.17)


def test_age_bands_are_uniform_over_their_years():
    sampler = create_distribution({"type": "age_bands", "bands": {"0-9": 0.5, "80+": 0.5}})
    ages = sampler.sample(rng(), N)
    counts = Counter(ages.tolist())
    assert set(counts) == set(range(10)) | set(range(80, 91))
    for age in range(10):
        assert_share(counts[age], N, 0.05)
    for age in range(80, 91):
        assert_share(counts[age], N, 0.5 / 11)


def test_age_bands_expected_mean_and_open_band_max():
    spec = {"type": "age_bands", "bands": {"18-64": 0.6, "65+": 0.4}, "open_band_max": 100}
    sampler = create_distribution(spec)
    ages = sampler.sample(rng(), N)
    assert ages.max() == 100 and ages.min() == 18
    mean = 0.6 * 41 + 0.4 * 82.5
    assert sampler.expected_mean() == pytest.approx(mean)
    second = 0.6 * (41**2 + (47**2 - 1) / 12) + 0.4 * (82.5**2 + (36**2 - 1) / 12)
    assert_mean(ages.astype(float), mean, math.sqrt(second - mean**2))


def test_age_bands_single_year_band():
    sampler = create_distribution({"type": "age_bands", "bands": {"40-40": 1.0}})
    assert set(sampler.sample(rng(), 100).tolist()) == {40}


# --- counts ---------------------------------------------------------------------------------


@pytest.mark.parametrize("mean", [0.3, 4.0, 250.0])
def test_poisson(mean):
    sampler = create_distribution({"type": "poisson", "mean": mean})
    x = sampler.sample(rng(), N)
    assert x.dtype.kind == "i" and x.min() >= 0
    assert_mean(x, mean, math.sqrt(mean))
    assert_variance(x.astype(float), mean)
    assert sampler.expected_mean() == mean


def test_poisson_zero_mean_is_always_zero():
    x = create_distribution({"type": "poisson", "mean": 0}).sample(rng(), 100)
    assert np.all(x == 0)


def test_negative_binomial_mean_dispersion():
    mean, k = 6.0, 1.5
    sampler = create_distribution({"type": "negative_binomial", "mean": mean, "dispersion": k})
    x = sampler.sample(rng(), N)
    variance = mean + mean**2 / k
    assert x.min() >= 0
    assert_mean(x, mean, math.sqrt(variance))
    assert_variance(x.astype(float), variance)
    assert sampler.expected_mean() == pytest.approx(mean)


def test_negative_binomial_n_p():
    n, p = 3.0, 0.4
    sampler = create_distribution({"type": "negative_binomial", "n": n, "p": p})
    x = sampler.sample(rng(), N)
    mean, variance = n * (1 - p) / p, n * (1 - p) / p**2
    assert_mean(x, mean, math.sqrt(variance))
    assert_variance(x.astype(float), variance)
    assert sampler.expected_mean() == pytest.approx(mean)
