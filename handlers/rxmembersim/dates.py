"""``dates``: the calendar day of times in days from the run's start."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa

__all__ = ["dates"]


def dates(time_days: np.ndarray, start_date: dt.date) -> pa.Array:
    """The day each time falls on (day 0 is ``start_date``)."""
    start = np.datetime64(start_date, "D")
    return pa.array(start + np.floor(time_days).astype("timedelta64[D]"), pa.date32())
