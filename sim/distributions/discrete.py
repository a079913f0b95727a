"""Samplers of discrete values: weighted choices (categorical, explicit, age bands) and counts
(Poisson, negative binomial)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from sim.distributions.base import Attributes, Sampler

__all__ = [
    "AgeBandsSampler",
    "ChoiceSampler",
    "NegativeBinomialSampler",
    "PoissonSampler",
    "value_array",
]


def value_array(values: Sequence[Any]) -> np.ndarray:
    """A typed array when the values share a type (text, numbers), else an object array."""
    kinds = {type(v) for v in values}
    if kinds <= {str} and any(v.endswith("\0") for v in values):
        return np.asarray(values, dtype=object)  # numpy's fixed-width text drops trailing NULs
    if kinds <= {str} or kinds <= {int, float} or kinds <= {bool}:
        return np.asarray(values)
    return np.asarray(values, dtype=object)


class ChoiceSampler(Sampler):
    """Picks one of ``values``, with ``weights`` (normalised) or equally likely."""

    def __init__(self, values: Sequence[Any], weights: Sequence[float] | None = None) -> None:
        self.values = value_array(values)
        self.weights = None
        if weights is not None:
            total = math.fsum(weights)
            self.weights = np.asarray(weights, dtype=float) / total
            self.cumulative = np.cumsum(self.weights)
            self.cumulative[-1] = 1.0

    def indices(self, rng: np.random.Generator, n: int) -> np.ndarray:
        if self.weights is None:
            return rng.integers(0, self.values.size, n)
        return np.searchsorted(self.cumulative, rng.random(n), side="right")

    def sample(self, rng: np.random.Generator, n: int, attributes: Attributes | None = None):
        return self.values[self.indices(rng, n)]

    def sample_one(self, rng: np.random.Generator, attributes: Attributes | None = None) -> Any:
        return self.values[self.indices(rng, 1)[0]].item()

    def expected_shares(self) -> dict[Any, float]:
        weights = (
            self.weights
            if self.weights is not None
            else np.full(self.values.size, 1 / self.values.size)
        )
        shares: dict[Any, float] = {}
        for value, weight in zip(self.values.tolist(), weights.tolist(), strict=True):
            shares[value] = shares.get(value, 0.0) + weight
        return shares

    def expected_mean(self) -> float | None:
        if self.values.dtype.kind not in "iuf":
            return None
        return float(sum(v * w for v, w in self.expected_shares().items()))


class AgeBandsSampler(Sampler):
    """A band by weight, then an integer age uniform over the band's years (inclusive)."""

    def __init__(self, spans: Sequence[tuple[int, int]], weights: Sequence[float]) -> None:
        self.bands = ChoiceSampler(list(range(len(spans))), weights)
        self.low = np.asarray([low for low, _ in spans], dtype=np.int64)
        self.width = np.asarray([high - low + 1 for low, high in spans], dtype=np.int64)

    def sample(self, rng: np.random.Generator, n: int, attributes: Attributes | None = None):
        band = self.bands.sample(rng, n)
        offset = np.floor(rng.random(n) * self.width[band]).astype(np.int64)
        return self.low[band] + offset

    def expected_mean(self) -> float:
        centres = self.low + (self.width - 1) / 2
        return float(np.dot(self.bands.weights, centres))

    def support(self) -> tuple[float, float]:
        return (float(self.low.min()), float((self.low + self.width - 1).max()))


class PoissonSampler(Sampler):
    def __init__(self, mean: float) -> None:
        self.mean = mean
        try:  # numpy refuses means near 2**63 at draw time: refuse them at load time instead
            np.random.default_rng(0).poisson(mean)
        except ValueError:
            raise ValueError(f"mean {mean:g} is too large for a count") from None

    def sample(self, rng: np.random.Generator, n: int, attributes: Attributes | None = None):
        return rng.poisson(self.mean, n)

    def expected_mean(self) -> float:
        return self.mean

    def support(self) -> tuple[float, float]:
        return (0.0, math.inf)


class NegativeBinomialSampler(Sampler):
    def __init__(self, n: float, p: float) -> None:
        self.n, self.p = n, p
        try:  # as for Poisson: numpy's own limit, checked once at load time
            np.random.default_rng(0).negative_binomial(n, p)
        except ValueError:
            raise ValueError("the mean is too large for a count") from None

    def sample(self, rng: np.random.Generator, n: int, attributes: Attributes | None = None):
        return rng.negative_binomial(self.n, self.p, n)

    def expected_mean(self) -> float:
        return self.n * (1 - self.p) / self.p

    def support(self) -> tuple[float, float]:
        return (0.0, math.inf)
