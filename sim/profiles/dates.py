"""Birth dates that give exactly the sampled age on the reference date."""

from __future__ import annotations

import datetime as dt
from functools import cache

import numpy as np

__all__ = ["MAX_AGE_YEARS", "birth_dates", "integer_ages"]

MAX_AGE_YEARS = 125


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year - years, day=28)


@cache
def _windows(reference_date: dt.date) -> tuple[np.ndarray, np.ndarray]:
    """For each age: the earliest birth date and the number of possible birth dates."""
    earliest, count = [], []
    for age in range(MAX_AGE_YEARS + 1):
        latest = _years_before(reference_date, age)
        first = _years_before(reference_date, age + 1) + dt.timedelta(days=1)
        earliest.append(np.datetime64(first, "D"))
        count.append((latest - first).days + 1)
    return np.asarray(earliest, dtype="datetime64[D]"), np.asarray(count, dtype=np.int64)


def birth_dates(ages: np.ndarray, reference_date: dt.date, rng: np.random.Generator) -> np.ndarray:
    """Uniform among the dates on which a person born then is exactly ``age`` on the date."""
    earliest, count = _windows(reference_date)
    offset = np.floor(rng.random(ages.size) * count[ages]).astype(np.int64)
    return earliest[ages] + offset.astype("timedelta64[D]")


def integer_ages(values: np.ndarray, low: float, high: float) -> np.ndarray:
    """Nearest integer, kept inside the bounds (DESIGN.md: round, never clamp the draw)."""
    low_int = max(0, int(np.ceil(low))) if np.isfinite(low) else 0
    high_int = min(MAX_AGE_YEARS, int(np.floor(high))) if np.isfinite(high) else MAX_AGE_YEARS
    return np.clip(np.rint(values), low_int, high_int).astype(np.int64)
