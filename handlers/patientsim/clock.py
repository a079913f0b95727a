"""The run's clock: simulation days to the moments and dates of clinical records."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import numpy as np

__all__ = ["WORKDAY", "WORKDAY_START", "Clock"]

#: clinical records happen in a working day: a simulated day's hours are laid out on this span
WORKDAY_START = dt.timedelta(hours=8)
WORKDAY = dt.timedelta(hours=10)


@dataclass(frozen=True)
class Clock:
    """Simulation days to calendar moments.

    The journeys' delays place events at any hour, so the fraction of each simulated day is laid
    out on the working day, 08:00 to 18:00: day 12.5 is 13:00 on the twelfth day after the start.
    The map keeps every event's date (``event_date``), its order and what happens together.
    """

    start_date: dt.date
    horizon_days: float
    _first_morning: np.datetime64 = field(init=False, repr=False)  # 08:00 on the start date

    def __post_init__(self) -> None:
        morning = dt.datetime.combine(self.start_date, dt.time()) + WORKDAY_START
        object.__setattr__(self, "_first_morning", np.datetime64(morning, "s"))

    def moments(self, time_days: np.ndarray) -> np.ndarray:
        """The moments (``datetime64[s]``) of simulation times."""
        days = np.floor(time_days)
        seconds = days * 86_400 + np.round((time_days - days) * WORKDAY.total_seconds())
        return self._first_morning + seconds.astype("timedelta64[s]")

    @property
    def start_day(self) -> np.datetime64:
        return np.datetime64(self.start_date, "D")

    @property
    def last_date(self) -> dt.date:
        """The run's last day: statuses are as known at its end."""
        last_day = math.floor(math.nextafter(self.horizon_days, 0.0))
        return self.start_date + dt.timedelta(days=last_day)
