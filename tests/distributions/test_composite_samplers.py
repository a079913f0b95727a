"""Conditional and mixture samplers, and the scalar path (``sample_one``) of every type.

Tolerances: means within 5 standard errors (sd / sqrt(n)), shares within 5 binomial standard
errors. ``sample_one`` is compared with ``sample`` by a two-sample Kolmogorov-Smirnov statistic
against its critical value at alpha = 0.001 (1.95 * sqrt((n + m) / (n m))).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.distributions import create_distribution
from sim.errors import SpecError

SE = 5


def normal(mean: float, std_dev: float) -> dict:
    return {"type": "normal", "mean": mean, "std_dev": std_dev}


def fixed(value: object) -> dict:
    return {"type": "fixed", "value": value}


def rng(seed: int = 314) -> np.random.Generator:
    return np.random.default_rng(seed)


def assert_mean(x: np.ndarray, mean: float, sd: float) -> None:
    tolerance = SE * sd / math.sqrt(x.size)
    assert abs(x.mean() - mean) <= tolerance, (x.mean(), mean, tolerance)


def assert_share(hits: int, n: int, p: float) -> None:
    tolerance = SE * math.sqrt(p * (1 - p) / n)
    assert abs(hits / n - p) <= tolerance, (hits / n, p, tolerance)


A1C_BY_SEVERITY = {
    "type": "conditional",
    "rules": [
        {"if": "severity == 'uncontrolled'", "distribution": normal(9.5, 1.0)},
        {"if": "severity == 'controlled' and age >= 65", "distribution": normal(7.4, 0.5)},
        {"if": "severity == 'controlled'", "distribution": normal(6.8, 0.5)},
    ],
    "default": normal(5.4, 0.3),
}


def population(n: int) -> dict[str, np.ndarray]:
    g = np.random.default_rng(5)
    return {
        "severity": g.choice(np.array(["controlled", "uncontrolled", "none"]), n),
        "age": g.integers(20, 90, n),
    }


# --- conditional ----------------------------------------------------------------------------


def test_conditional_picks_the_first_matching_rule_for_each_entity():
    branches = {
        "type": "conditional",
        "rules": [
            {"if": "severity == 'uncontrolled'", "distribution": fixed(1)},
            {"if": "severity == 'controlled' and age >= 65", "distribution": fixed(2)},
            {"if": "severity == 'controlled'", "distribution": fixed(3)},
        ],
        "default": fixed(0),
    }
    attributes = population(5_000)
    sampler = create_distribution(branches, attributes=["severity", "age"])
    got = sampler.sample(rng(), 5_000, attributes)
    severity, age = attributes["severity"], attributes["age"]
    expected = np.where(
        severity == "uncontrolled",
        1,
        np.where(severity == "controlled", np.where(age >= 65, 2, 3), 0),
    )
    assert np.array_equal(got, expected)
    for i in range(0, 5_000, 97):
        one = {"severity": str(severity[i]), "age": int(age[i])}
        assert sampler.sample_one(rng(i), one) == expected[i]


def test_conditional_branch_means_match_a1c_by_severity():
    n = 120_000
    attributes = population(n)
    sampler = create_distribution(A1C_BY_SEVERITY, attributes=["severity", "age"])
    a1c = sampler.sample(rng(), n, attributes)
    severity, age = attributes["severity"], attributes["age"]
    groups = [
        (severity == "uncontrolled", 9.5, 1.0),
        ((severity == "controlled") & (age >= 65), 7.4, 0.5),
        ((severity == "controlled") & (age < 65), 6.8, 0.5),
        (severity == "none", 5.4, 0.3),
    ]
    for mask, mean, sd in groups:
        assert mask.sum() > 10_000
        assert_mean(a1c[mask], mean, sd)
        assert abs(a1c[mask].std() - sd) < 0.05 * sd


def test_conditional_structured_conditions():
    spec = {
        "type": "conditional",
        "rules": [
            {
                "if": {
                    "all": [
                        {"attribute": "sex", "op": "==", "value": "F"},
                        {
                            "any": [
                                {"attribute": "age", "op": "<", "value": 18},
                                {"attribute": "state", "op": "in", "value": ["CA", "OR"]},
                            ]
                        },
                    ]
                },
                "distribution": {"type": "fixed", "value": "a"},
            },
            {
                "if": {"not": {"attribute": "age", "op": ">=", "value": 40}},
                "distribution": {"type": "fixed", "value": "b"},
            },
        ],
        "default": {"type": "fixed", "value": "c"},
    }
    sampler = create_distribution(spec, attributes=["sex", "age", "state"])
    attributes = {
        "sex": np.array(["F", "F", "F", "M", "M"]),
        "age": np.array([10, 50, 50, 30, 50]),
        "state": np.array(["TX", "CA", "TX", "CA", "CA"]),
    }
    assert sampler.sample(rng(), 5, attributes).tolist() == ["a", "a", "c", "b", "c"]
    assert sampler.sample_one(rng(), {"sex": "F", "age": 50, "state": "OR"}) == "a"
    assert sampler.sample_one(rng(), {"sex": "M", "age": 39, "state": "OR"}) == "b"


def test_conditional_without_match_or_default_raises_spec_error():
    spec = {
        "type": "conditional",
        "rules": [{"if": "age >= 65", "distribution": fixed(1)}],
    }
    sampler = create_distribution(spec, attributes=["age"], path=("profile", "copay"))
    with pytest.raises(SpecError, match=r"profile\.copay: no rule matched"):
        sampler.sample(rng(), 3, {"age": np.array([70, 30, 80])})
    with pytest.raises(SpecError, match="no rule matched"):
        sampler.sample_one(rng(), {"age": 30})
    assert sampler.sample(rng(), 2, {"age": np.array([70, 80])}).tolist() == [1, 1]


def test_conditional_nested_and_mixed_value_types():
    spec = {
        "type": "conditional",
        "rules": [{"if": "age < 18", "distribution": {"type": "fixed", "value": "child"}}],
        "default": {
            "type": "conditional",
            "rules": [{"if": "age >= 65", "distribution": {"type": "fixed", "value": 65}}],
            "default": {"type": "uniform", "min": 0, "max": 1},
        },
    }
    sampler = create_distribution(spec, attributes=["age"])
    got = sampler.sample(rng(), 3, {"age": np.array([5, 70, 30])})
    assert got[0] == "child" and got[1] == 65 and 0 <= got[2] <= 1


# --- mixture --------------------------------------------------------------------------------


def test_mixture_weights_and_mean():
    spec = {
        "type": "mixture",
        "components": [
            {"weight": 0.3, "distribution": fixed(0)},
            {"weight": 0.7, "distribution": normal(100, 10)},
        ],
    }
    sampler = create_distribution(spec)
    n = 200_000
    x = sampler.sample(rng(), n)
    assert_share(int((x == 0).sum()), n, 0.3)
    mean = 0.7 * 100
    variance = 0.7 * (100 + 100**2) - mean**2
    assert_mean(x, mean, math.sqrt(variance))
    assert_mean(x[x != 0], 100, 10)
    assert sampler.expected_mean() == pytest.approx(mean)


def test_mixture_of_bounded_components_respects_their_bounds():
    spec = {
        "type": "mixture",
        "components": [
            {"weight": 0.5, "distribution": {"type": "uniform", "min": 1, "max": 2}},
            {
                "weight": 0.5,
                "distribution": {"type": "exponential", "mean": 5, "min": 10, "max": 20},
            },
        ],
    }
    sampler = create_distribution(spec)
    x = sampler.sample(rng(), 50_000)
    assert ((x >= 1) & (x <= 2) | (x >= 10) & (x <= 20)).all()
    assert sampler.support() == (1, 20)
    assert sampler.expected_mean() is None  # a truncated exponential has no closed form here


# --- sample_one agrees with sample ----------------------------------------------------------

SCALAR_SPECS = [
    {"type": "normal", "mean": 72, "std_dev": 8, "min": 65, "max": 95},
    normal(0, 1),
    {"type": "log_normal", "mean": 5000, "std_dev": 8000},
    {"type": "uniform", "min": 0, "max": 3},
    {"type": "exponential", "mean": 10, "min": 2, "max": 30},
    {"type": "gamma", "shape": 2, "scale": 3, "max": 12},
    {"type": "weibull", "shape": 1.5, "scale": 20},
    {"type": "triangular", "min": 0, "mode": 1, "max": 5},
    {"type": "beta", "alpha": 2, "beta": 5},
    {"type": "empirical", "edges": [0, 1, 3, 10], "weights": [0.2, 0.5, 0.3]},
    {"type": "poisson", "mean": 4},
    {"type": "negative_binomial", "mean": 6, "dispersion": 1.5},
    {"type": "age_bands", "bands": {"0-17": 0.3, "18-64": 0.5, "65+": 0.2}},
    {"type": "explicit", "values": [1, 2, 3]},
    {
        "type": "mixture",
        "components": [
            {"weight": 0.4, "distribution": normal(0, 1)},
            {"weight": 0.6, "distribution": {"type": "uniform", "min": 5, "max": 6}},
        ],
    },
]


def ks_statistic(a: np.ndarray, b: np.ndarray) -> float:
    a, b = np.sort(a), np.sort(b)
    grid = np.concatenate([a, b])
    cdf_a = np.searchsorted(a, grid, side="right") / a.size
    cdf_b = np.searchsorted(b, grid, side="right") / b.size
    return float(np.abs(cdf_a - cdf_b).max())


@pytest.mark.parametrize("spec", SCALAR_SPECS, ids=lambda s: s["type"])
def test_sample_one_agrees_in_distribution_with_sample(spec):
    sampler = create_distribution(spec)
    n, m = 4_000, 100_000
    g = rng(2)
    ones = np.array([sampler.sample_one(g) for _ in range(n)], dtype=float)
    many = np.asarray(sampler.sample(rng(3), m), dtype=float)
    low, high = sampler.support()
    assert ones.min() >= low and ones.max() <= high
    critical = 1.95 * math.sqrt((n + m) / (n * m))
    assert ks_statistic(ones, many) <= critical


def test_sample_one_of_categorical_agrees_with_sample():
    sampler = create_distribution({"type": "categorical", "weights": {"a": 0.2, "b": 0.8}})
    g = rng(4)
    ones = [sampler.sample_one(g) for _ in range(20_000)]
    assert all(isinstance(v, str) for v in ones)
    assert_share(ones.count("a"), 20_000, 0.2)
