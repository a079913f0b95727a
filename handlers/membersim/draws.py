"""Seeded uniforms for vectorised draws, and the inverse-CDF transforms MemberSim uses.

Both depend only on the seed and the person, never on the other persons of a run or shard:

- ``person_uniforms``: a fixed ``BLOCK_SIZE x k`` matrix per block of ``BLOCK_SIZE`` person
  indices (``context.rng("membersim", stream, block)``), one row per person index;
- ``row_uniforms``: one row per record, for records sorted by person index (and a stable order
  within a person), from the person's own generator (``context.rng("membersim", stream,
  person_index)``).

Transforms are closed-form inverse CDFs of uniforms (no rejection sampling), so every record
consumes a fixed number of draws.
"""

from __future__ import annotations

import math

import numpy as np

from handlers.base import HandlerContext
from sim.seeds import BLOCK_SIZE

__all__ = ["PRODUCT", "log_normal_quantile", "person_uniforms", "row_uniforms"]

PRODUCT = "membersim"


def person_uniforms(
    context: HandlerContext, stream: int, person_index: np.ndarray, columns: int
) -> np.ndarray:
    """``columns`` uniforms in [0, 1) per person index, whatever else the run holds."""
    person_index = np.asarray(person_index, dtype=np.int64)
    out = np.empty((person_index.size, columns))
    blocks = person_index // BLOCK_SIZE
    for block in np.unique(blocks).tolist():
        rows = np.flatnonzero(blocks == block)
        matrix = context.rng(PRODUCT, stream, block).random((BLOCK_SIZE, columns))
        out[rows] = matrix[person_index[rows] % BLOCK_SIZE]
    return out


def row_uniforms(
    context: HandlerContext, stream: int, person_index: np.ndarray, columns: int
) -> np.ndarray:
    """``columns`` uniforms per row from the row's person's own generator; rows must be sorted
    by person index (and in a stable order within a person)."""
    person_index = np.asarray(person_index, dtype=np.int64)
    if person_index.size and (np.diff(person_index) < 0).any():
        raise ValueError("row_uniforms needs rows sorted by person index")
    out = np.empty((person_index.size, columns))
    if not person_index.size:
        return out
    starts = np.flatnonzero(np.r_[True, person_index[1:] != person_index[:-1]])
    ends = np.r_[starts[1:], person_index.size]
    generators = context.rngs(PRODUCT, stream, indices=person_index[starts])
    for start, end, generator in zip(starts.tolist(), ends.tolist(), generators, strict=True):
        generator.random(out=out[start:end])
    return out


# Acklam's rational approximation of the standard normal quantile (relative error < 1.2e-9).
_A = (
    -39.69683028665376,
    220.9460984245205,
    -275.9285104469687,
    138.3577518672690,
    -30.66479806614716,
    2.506628277459239,
)
_B = (
    -54.47609879822406,
    161.5858368580409,
    -155.6989798598866,
    66.80131188771972,
    -13.28068155288572,
)
_C = (
    -0.007784894002430293,
    -0.3223964580411365,
    -2.400758277161838,
    -2.549732539343734,
    4.374664141464968,
    2.938163982698783,
)
_D = (0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416)
_P_LOW = 0.02425


def _tail(q: np.ndarray) -> np.ndarray:
    c, d = _C, _D
    numerator = ((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]
    return numerator / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)


def _normal_quantile(p: np.ndarray) -> np.ndarray:
    """Φ⁻¹(p) for p in (0, 1)."""
    z = np.empty_like(p)
    low, high = p < _P_LOW, p > 1 - _P_LOW
    mid = ~(low | high)
    q = p[mid] - 0.5
    r = q * q
    a, b = _A, _B
    z[mid] = (
        (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5])
        * q
        / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
    )
    z[low] = _tail(np.sqrt(-2 * np.log(p[low])))
    z[high] = -_tail(np.sqrt(-2 * np.log1p(-p[high])))
    return z


def _normal_cdf(z: float) -> float:
    return 0.5 * math.erfc(-z / math.sqrt(2))


def log_normal_quantile(
    u: np.ndarray, *, median: float, sigma: float, low: float, high: float
) -> np.ndarray:
    """The log-normal with this median and log-scale ``sigma``, truncated to [low, high]
    (truncation, not clamping: the mass outside is spread over the interval)."""
    mu = math.log(median)
    cdf_low = _normal_cdf((math.log(low) - mu) / sigma)
    cdf_high = _normal_cdf((math.log(high) - mu) / sigma)
    p = cdf_low + np.asarray(u, dtype=np.float64) * (cdf_high - cdf_low)
    p = np.clip(p, np.nextafter(0.0, 1.0), np.nextafter(1.0, 0.0))
    # the clip only absorbs floating-point rounding at the bounds
    return np.clip(np.exp(mu + sigma * _normal_quantile(p)), low, high)
