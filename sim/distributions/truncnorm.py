"""The truncated standard normal, sampled without scipy (Robert 1995 proposals).

The proposal (plain normal, uniform on the interval, or a translated exponential for a far
tail) is chosen once from its acceptance rate, so every interval samples efficiently.
"""

from __future__ import annotations

import math

import numpy as np

from sim.distributions.base import rejection_sample

__all__ = ["TruncatedStandardNormal", "normal_cdf", "normal_pdf"]

_SQRT_2PI = math.sqrt(2 * math.pi)


def normal_pdf(z: float) -> float:
    return 0.0 if math.isinf(z) else math.exp(-z * z / 2) / _SQRT_2PI


def normal_cdf(z: float) -> float:
    return 0.5 * math.erfc(-z / math.sqrt(2))


def _mass(a: float, b: float) -> float:
    # For the upper tail use the survival function: erfc keeps precision where 1 - cdf would not.
    if a > 0:
        return 0.5 * (math.erfc(a / math.sqrt(2)) - math.erfc(b / math.sqrt(2)))
    return normal_cdf(b) - normal_cdf(a)


class TruncatedStandardNormal:
    """N(0, 1) restricted to [a, b] (either may be infinite)."""

    def __init__(self, a: float, b: float) -> None:
        if not a < b:
            raise ValueError("needs a < b")
        self.a, self.b = a, b
        self.mass = _mass(a, b)
        if not self.mass > 0:  # underflow (bounds ~38 sd out): nothing left to sample from
            raise ValueError("the bounds leave (almost) no probability mass")
        # Mirror a lower tail onto the upper one so the exponential proposal serves both.
        self.sign = -1.0 if b <= 0 else 1.0
        lo, hi = (-b, -a) if self.sign < 0 else (a, b)
        self.lo, self.hi = lo, hi
        self.method, self.acceptance = self._choose(lo, hi)

    def _choose(self, lo: float, hi: float) -> tuple[str, float]:
        if self.mass >= 0.25:
            return "normal", self.mass
        if math.isfinite(lo) and math.isfinite(hi):
            nearest = 0.0 if lo <= 0 <= hi else lo
            uniform = self.mass * _SQRT_2PI / ((hi - lo) * math.exp(-nearest * nearest / 2))
            if uniform >= 0.25:
                return "uniform", uniform
        # Far upper tail (lo > 0): Robert's exponential proposal, acceptance >= ~0.75 one-sided.
        self.alpha = (lo + math.sqrt(lo * lo + 4)) / 2
        return "exponential", 0.5

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        lo, hi = self.lo, self.hi
        if self.method == "normal":
            a, b = self.a, self.b
            return rejection_sample(
                rng,
                n,
                lambda g, m: g.standard_normal(m),
                lambda _g, z: (z >= a) & (z <= b),
                self.acceptance,
            )
        if self.method == "uniform":
            nearest = 0.0 if lo <= 0 <= hi else lo
            z = rejection_sample(
                rng,
                n,
                lambda g, m: g.uniform(lo, hi, m),
                lambda g, z: g.random(z.size) <= np.exp((nearest * nearest - z * z) / 2),
                self.acceptance,
            )
        else:
            alpha = self.alpha
            z = rejection_sample(
                rng,
                n,
                lambda g, m: lo + g.exponential(1 / alpha, m),
                lambda g, z: (g.random(z.size) <= np.exp(-((z - alpha) ** 2) / 2)) & (z <= hi),
                self.acceptance,
            )
        return self.sign * z

    def mean(self) -> float:
        return (normal_pdf(self.a) - normal_pdf(self.b)) / self.mass
