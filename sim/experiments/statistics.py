"""Means with 95 % t intervals, without scipy: the t quantiles a run needs, tabulated."""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["mean_interval", "t_quantile_975"]

# Student t, 0.975 quantile, by degrees of freedom (standard tables)
_T975 = {
    1: 12.706,
    2: 4.303,
    3: 3.182,
    4: 2.776,
    5: 2.571,
    6: 2.447,
    7: 2.365,
    8: 2.306,
    9: 2.262,
    10: 2.228,
    11: 2.201,
    12: 2.179,
    13: 2.160,
    14: 2.145,
    15: 2.131,
    16: 2.120,
    17: 2.110,
    18: 2.101,
    19: 2.093,
    20: 2.086,
    21: 2.080,
    22: 2.074,
    23: 2.069,
    24: 2.064,
    25: 2.060,
    26: 2.056,
    27: 2.052,
    28: 2.048,
    29: 2.045,
    30: 2.042,
    40: 2.021,
    60: 2.000,
    120: 1.980,
}


def t_quantile_975(degrees: int) -> float:
    if degrees < 1:
        raise ValueError("a t interval needs at least two values")
    if degrees in _T975:
        return _T975[degrees]
    if degrees > 120:
        return 1.960
    # between tabulated points: linear in 1/df, which tracks the quantile closely
    low = max(d for d in _T975 if d < degrees)
    high = min(d for d in _T975 if d > degrees)
    weight = (1 / degrees - 1 / high) / (1 / low - 1 / high)
    return _T975[high] + weight * (_T975[low] - _T975[high])


def mean_interval(values: Sequence[float]) -> tuple[float, float, float]:
    """(mean, low, high) of the 95 % t interval of the mean; NaN values are left out."""
    kept = [v for v in values if not math.isnan(v)]
    if len(kept) < 2:
        mean = kept[0] if kept else math.nan
        return mean, math.nan, math.nan
    n = len(kept)
    mean = math.fsum(kept) / n
    sd = math.sqrt(math.fsum((v - mean) ** 2 for v in kept) / (n - 1))
    half = t_quantile_975(n - 1) * sd / math.sqrt(n)
    return mean, mean - half, mean + half
