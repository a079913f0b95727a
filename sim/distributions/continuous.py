"""Samplers of continuous values: normal, log-normal, uniform, exponential, gamma, Weibull,
triangular, beta, empirical histograms, and fixed values."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from sim.distributions.base import Attributes, Sampler, rejection_sample
from sim.distributions.truncnorm import TruncatedStandardNormal

__all__ = [
    "BetaSampler",
    "EmpiricalSampler",
    "ExponentialSampler",
    "FixedSampler",
    "GammaSampler",
    "LogNormalSampler",
    "NormalSampler",
    "TriangularSampler",
    "UniformSampler",
    "WeibullSampler",
]

PILOT_DRAWS = 20_000
MIN_ACCEPTANCE = 1e-3


def _bounds(low: float | None, high: float | None) -> tuple[float, float]:
    return (-math.inf if low is None else low, math.inf if high is None else high)


class FixedSampler(Sampler):
    def __init__(self, value: Any) -> None:
        self.value = value

    def sample(self, rng: np.random.Generator, n: int, attributes: Attributes | None = None):
        return np.full(n, self.value)

    def sample_one(self, rng: np.random.Generator, attributes: Attributes | None = None) -> Any:
        return self.value

    def expected_mean(self) -> float | None:
        return float(self.value) if isinstance(self.value, int | float) else None

    def support(self) -> tuple[float, float]:
        if isinstance(self.value, int | float):
            return (float(self.value), float(self.value))
        return super().support()


class NormalSampler(Sampler):
    """Normal with mean/std_dev, truncated (never clamped) to [low, high]."""

    def __init__(self, mean: float, std_dev: float, low: float | None, high: float | None):
        self.mean, self.std_dev = mean, std_dev
        self.low, self.high = _bounds(low, high)
        self.truncated = None
        if std_dev == 0:
            if not self.low <= mean <= self.high:
                raise ValueError(f"std_dev 0 puts every value at {mean:g}, outside the bounds")
        elif math.isfinite(self.low) or math.isfinite(self.high):
            a, b = (self.low - mean) / std_dev, (self.high - mean) / std_dev
            if self.low == self.high:
                raise ValueError("min equals max: use a fixed value")
            if not a < b:  # bounds a few ulps apart over a vanishing std_dev
                raise ValueError(
                    f"std_dev {std_dev:g} is too small for these bounds: use a fixed value"
                )
            self.truncated = TruncatedStandardNormal(a, b)
            if self.truncated.mass <= 0:
                raise ValueError("the bounds leave (almost) no probability mass")

    def sample(self, rng: np.random.Generator, n: int, attributes: Attributes | None = None):
        if self.truncated is None:
            return rng.normal(self.mean, self.std_dev, n)
        return self.mean + self.std_dev * self.truncated.sample(rng, n)

    def sample_one(self, rng: np.random.Generator, attributes: Attributes | None = None) -> float:
        if self.truncated is None:
            return float(rng.normal(self.mean, self.std_dev))
        return float(self.sample(rng, 1)[0])

    def expected_mean(self) -> float:
        if self.truncated is None:
            return self.mean
        return self.mean + self.std_dev * self.truncated.mean()

    def support(self) -> tuple[float, float]:
        return (self.low, self.high)


class LogNormalSampler(Sampler):
    """exp of a (truncated) normal: bounds on the output are bounds on the log."""

    def __init__(self, mu: float, sigma: float, low: float | None, high: float | None):
        self.mu, self.sigma = mu, sigma
        log_low = None if low is None or low <= 0 else math.log(low)
        log_high = None if high is None else math.log(high) if high > 0 else -math.inf
        if log_high == -math.inf:
            raise ValueError("max of a log-normal must be positive")
        self.log = NormalSampler(mu, sigma, log_low, log_high)

    def sample(self, rng: np.random.Generator, n: int, attributes: Attributes | None = None):
        return np.exp(self.log.sample(rng, n))

    def sample_one(self, rng: np.random.Generator, attributes: Attributes | None = None) -> float:
        return math.exp(self.log.sample_one(rng))

    def expected_mean(self) -> float | None:
        if self.log.truncated is None:
            return math.exp(self.mu + self.sigma**2 / 2)
        return None

    def support(self) -> tuple[float, float]:
        return (max(0.0, math.exp(self.log.low)), math.exp(self.log.high))


class UniformSampler(Sampler):
    def __init__(self, low: float, high: float) -> None:
        self.low, self.high = low, high

    def sample(self, rng: np.random.Generator, n: int, attributes: Attributes | None = None):
        return rng.uniform(self.low, self.high, n)

    def sample_one(self, rng: np.random.Generator, attributes: Attributes | None = None) -> float:
        return self.low + (self.high - self.low) * rng.random()

    def expected_mean(self) -> float:
        return (self.low + self.high) / 2

    def support(self) -> tuple[float, float]:
        return (self.low, self.high)


class _InverseCdfSampler(Sampler):
    """Truncation by drawing the uniform between F(low) and F(high): exact and cheap."""

    def __init__(self, low: float | None, high: float | None) -> None:
        self.low, self.high = max(0.0, _bounds(low, high)[0]), _bounds(low, high)[1]
        if self.high <= self.low:  # e.g. a negative max: the values are never negative
            raise ValueError("the bounds leave no probability mass (the values are >= 0)")
        self.u_low, self.u_high = self.cdf(self.low), self.cdf(self.high)
        if self.u_high - self.u_low < 1e-12:
            raise ValueError("the bounds leave (almost) no probability mass")

    def cdf(self, x: float) -> float:
        raise NotImplementedError

    def quantile(self, u: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def sample(self, rng: np.random.Generator, n: int, attributes: Attributes | None = None):
        return self.quantile(rng.uniform(self.u_low, self.u_high, n))

    def support(self) -> tuple[float, float]:
        return (self.low, self.high)


class ExponentialSampler(_InverseCdfSampler):
    def __init__(self, scale: float, low: float | None, high: float | None) -> None:
        self.scale = scale
        super().__init__(low, high)

    def cdf(self, x: float) -> float:
        return -math.expm1(-x / self.scale) if math.isfinite(x) else 1.0

    def quantile(self, u: np.ndarray) -> np.ndarray:
        return -self.scale * np.log1p(-u)

    def expected_mean(self) -> float | None:
        return self.scale if (self.low, self.high) == (0.0, math.inf) else None


class WeibullSampler(_InverseCdfSampler):
    def __init__(self, shape: float, scale: float, low: float | None, high: float | None):
        self.shape, self.scale = shape, scale
        super().__init__(low, high)

    def cdf(self, x: float) -> float:
        try:
            return -math.expm1(-((x / self.scale) ** self.shape)) if math.isfinite(x) else 1.0
        except OverflowError:  # (x / scale) ** shape beyond float range: all the mass is below
            return 1.0

    def quantile(self, u: np.ndarray) -> np.ndarray:
        return self.scale * (-np.log1p(-u)) ** (1 / self.shape)

    def expected_mean(self) -> float | None:
        if (self.low, self.high) == (0.0, math.inf):
            return self.scale * math.gamma(1 + 1 / self.shape)
        return None


class GammaSampler(Sampler):
    """Gamma; bounds by rejection, refused when they keep under 0.1% of the mass."""

    def __init__(self, shape: float, scale: float, low: float | None, high: float | None):
        self.shape, self.scale = shape, scale
        self.low, self.high = _bounds(low, high)
        self.acceptance = 1.0
        self.bounded = math.isfinite(self.low) or math.isfinite(self.high)
        if self.bounded:
            # A fixed-seed pilot estimates the kept mass: no scipy for the incomplete gamma.
            pilot = np.random.default_rng(0).gamma(shape, scale, PILOT_DRAWS)
            self.acceptance = float(np.mean((pilot >= self.low) & (pilot <= self.high)))
            if self.acceptance < MIN_ACCEPTANCE:
                raise ValueError("the bounds keep under 0.1% of the distribution")

    def sample(self, rng: np.random.Generator, n: int, attributes: Attributes | None = None):
        if not self.bounded:  # a pilot that kept every draw does not make the bounds optional
            return rng.gamma(self.shape, self.scale, n)
        low, high = self.low, self.high
        return rejection_sample(
            rng,
            n,
            lambda g, m: g.gamma(self.shape, self.scale, m),
            lambda _g, x: (x >= low) & (x <= high),
            self.acceptance,
        )

    def expected_mean(self) -> float | None:
        return None if self.bounded else self.shape * self.scale

    def support(self) -> tuple[float, float]:
        return (max(0.0, self.low), self.high)


class TriangularSampler(Sampler):
    def __init__(self, low: float, mode: float, high: float) -> None:
        self.low, self.mode, self.high = low, mode, high

    def sample(self, rng: np.random.Generator, n: int, attributes: Attributes | None = None):
        return rng.triangular(self.low, self.mode, self.high, n)

    def expected_mean(self) -> float:
        return (self.low + self.mode + self.high) / 3

    def support(self) -> tuple[float, float]:
        return (self.low, self.high)


class BetaSampler(Sampler):
    def __init__(self, alpha: float, beta: float) -> None:
        self.alpha, self.beta = alpha, beta

    def sample(self, rng: np.random.Generator, n: int, attributes: Attributes | None = None):
        return rng.beta(self.alpha, self.beta, n)

    def expected_mean(self) -> float:
        return self.alpha / (self.alpha + self.beta)

    def support(self) -> tuple[float, float]:
        return (0.0, 1.0)


class EmpiricalSampler(Sampler):
    """A histogram: pick a bin by weight, then a uniform value inside it."""

    def __init__(self, edges: list[float], weights: list[float]) -> None:
        self.edges = np.asarray(edges, dtype=float)
        self.weights = np.asarray(weights, dtype=float) / math.fsum(weights)
        self.cumulative = np.cumsum(self.weights)

    def sample(self, rng: np.random.Generator, n: int, attributes: Attributes | None = None):
        bins = np.minimum(
            np.searchsorted(self.cumulative, rng.random(n), side="right"), self.weights.size - 1
        )
        low, high = self.edges[bins], self.edges[bins + 1]
        return low + (high - low) * rng.random(n)

    def expected_mean(self) -> float:
        centres = (self.edges[:-1] + self.edges[1:]) / 2
        return float(np.dot(self.weights, centres))

    def support(self) -> tuple[float, float]:
        return (float(self.edges[0]), float(self.edges[-1]))
