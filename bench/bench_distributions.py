"""Draws per second of every distribution type: ``sample(rng, 1_000_000)`` (vectorised), best of
a few repeats, plus the scalar path (``sample_one``) that per-event delays use."""

from __future__ import annotations

import time

import numpy as np

from sim.distributions import create_distribution

N = 1_000_000
REPEATS = 3
SCALAR_CALLS = 20_000


def normal(mean: float, std_dev: float) -> dict:
    return {"type": "normal", "mean": mean, "std_dev": std_dev}


def fixed(value: object) -> dict:
    return {"type": "fixed", "value": value}


SPECS: dict[str, dict] = {
    "categorical": {"type": "categorical", "weights": {"F": 0.51, "M": 0.48, "X": 0.01}},
    "normal": normal(72, 8),
    "normal truncated [65, 95]": {"type": "normal", "mean": 72, "std_dev": 8, "min": 65, "max": 95},
    "normal far tail [8, 9] sd": {"type": "normal", "mean": 0, "std_dev": 1, "min": 8, "max": 9},
    "log_normal mean/std_dev": {"type": "log_normal", "mean": 5000, "std_dev": 8000},
    "log_normal mu/sigma bounded": {
        "type": "log_normal",
        "mu": 7.9,
        "sigma": 1.1,
        "min": 100,
        "max": 100000,
    },
    "uniform": {"type": "uniform", "min": 0, "max": 30},
    "age_bands": {"type": "age_bands", "bands": {"0-17": 0.22, "18-64": 0.61, "65+": 0.17}},
    "explicit unweighted": {"type": "explicit", "values": ["E11.9", "E11.65", "E11.22"]},
    "explicit weighted": {
        "type": "explicit",
        "values": [{"value": 30, "weight": 0.8}, {"value": 90, "weight": 0.2}],
    },
    "conditional (3 rules)": {
        "type": "conditional",
        "rules": [
            {"if": "severity == 'uncontrolled'", "distribution": normal(9.5, 1)},
            {"if": "severity == 'controlled' and age >= 65", "distribution": normal(7.4, 0.5)},
            {
                "if": {"attribute": "severity", "value": "controlled"},
                "distribution": normal(6.8, 0.5),
            },
        ],
        "default": normal(5.4, 0.3),
    },
    "fixed": {"type": "fixed", "value": 30},
    "exponential": {"type": "exponential", "mean": 14},
    "exponential truncated": {"type": "exponential", "mean": 14, "min": 1, "max": 60},
    "gamma": {"type": "gamma", "shape": 2, "scale": 3},
    "gamma truncated": {"type": "gamma", "mean": 4.5, "std_dev": 2, "min": 2, "max": 8},
    "weibull": {"type": "weibull", "shape": 1.5, "scale": 200},
    "triangular": {"type": "triangular", "min": 1, "mode": 3, "max": 10},
    "poisson": {"type": "poisson", "mean": 3.2},
    "negative_binomial": {"type": "negative_binomial", "mean": 4, "dispersion": 1.2},
    "beta": {"type": "beta", "alpha": 8, "beta": 2},
    "empirical": {"type": "empirical", "edges": [0, 1, 3, 7, 30], "weights": [0.4, 0.3, 0.2, 0.1]},
    "mixture": {
        "type": "mixture",
        "components": [
            {"weight": 0.3, "distribution": fixed(0)},
            {"weight": 0.7, "distribution": {"type": "log_normal", "mean": 900, "std_dev": 1500}},
        ],
    },
}


def attributes(n: int) -> dict[str, np.ndarray]:
    g = np.random.default_rng(1)
    return {
        "severity": g.choice(np.array(["controlled", "uncontrolled", "none"]), n),
        "age": g.integers(0, 100, n),
    }


def best_seconds(call, repeats: int = REPEATS) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - started)
    return best


def run() -> list[dict]:
    columns = attributes(N)
    one = {name: column[0].item() for name, column in columns.items()}
    rows = []
    for name, spec in SPECS.items():
        sampler = create_distribution(spec, attributes=list(columns))
        rng = np.random.default_rng(0)
        sampler.sample(rng, 1_000, {k: v[:1_000] for k, v in columns.items()})  # warm up
        seconds = best_seconds(lambda s=sampler, r=rng: s.sample(r, N, columns))
        scalar = best_seconds(
            lambda s=sampler, r=rng: [s.sample_one(r, one) for _ in range(SCALAR_CALLS)], 1
        )
        rows.append(
            {
                "distribution": name,
                "seconds per 1M": seconds,
                "draws/s": N / seconds,
                "sample_one/s": SCALAR_CALLS / scalar,
            }
        )
    return rows
