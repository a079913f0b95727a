"""One patient's chart in the making: their clinical events in time order, the facts about them
the records need, the run's clock and the patient's own random stream."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from handlers.patientsim.care_sites import CareSites
from sim.errors import SpecError

__all__ = ["Chart", "ClinicalEvent", "Clock", "PatientFacts"]


class ClinicalEvent(NamedTuple):
    """A patientsim row of the events table, with its parameters parsed and its moment (a
    named tuple: a shard makes one per clinical event, and a tuple is made fastest)."""

    event_id: str
    event_type: str
    definition_id: str  # the journey event, or the trigger for a triggered event
    journey_id: str
    time_days: float
    moment: dt.datetime  # on the working-day clock (``Clock``)
    caused_by: str | None
    parameters: dict[str, Any]

    @property
    def date(self) -> dt.date:
        return self.moment.date()

    def _path(self, name: str) -> tuple[str, ...]:
        # a journey event is written in its journey, a triggered one in its trigger
        if self.caused_by is None:
            return ("journeys", self.journey_id, "events", self.definition_id, "parameters", name)
        return ("triggers", self.definition_id, "parameters", name)

    def text(self, name: str) -> str | None:
        """A parameter as text (codes may be written as numbers in YAML); None if absent."""
        value = self.parameters.get(name)
        if value is None or value.__class__ is str:  # most are: the checks below are slower
            return value
        if isinstance(value, dict | list):
            message = f"a {self.event_type} event's '{name}' is one value, not a list or mapping"
            raise SpecError(message, path=self._path(name))
        return str(value)

    def required_text(self, name: str) -> str:
        value = self.text(name)
        if not value:
            raise SpecError(f"a {self.event_type} event needs '{name}'", path=self._path(name))
        return value

    def number(self, name: str) -> float | None:
        value = self.parameters.get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise SpecError(f"'{value}' is not a number", path=self._path(name))
        return float(value)


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
    _first_morning: dt.datetime = field(init=False, repr=False)  # 08:00 on the start date

    def __post_init__(self) -> None:
        morning = dt.datetime.combine(self.start_date, dt.time()) + WORKDAY_START
        object.__setattr__(self, "_first_morning", morning)

    def moments(self, time_days: np.ndarray) -> list[dt.datetime]:
        """The moments of simulation times (vectorised)."""
        days = np.floor(time_days)
        seconds = days * 86_400 + np.round((time_days - days) * WORKDAY.total_seconds())
        moments = np.datetime64(self._first_morning, "s") + seconds.astype("timedelta64[s]")
        return moments.tolist()

    @property
    def last_date(self) -> dt.date:
        """The run's last day: statuses are as known at its end."""
        last_day = math.floor(math.nextafter(self.horizon_days, 0.0))
        return self.start_date + dt.timedelta(days=last_day)


@dataclass(frozen=True)
class PatientFacts:
    person_id: str
    patient_id: str
    person_index: int
    age_years: int
    birth_date: dt.date
    county_fips: str | None
    conditions: tuple[str, ...]  # ICD-10-CM codes on the person at the start


@dataclass
class Chart:
    patient: PatientFacts
    events: list[ClinicalEvent]
    clock: Clock
    rng: np.random.Generator
    sites: CareSites = field(init=False)
    by_id: dict[str, ClinicalEvent] = field(init=False)
    _by_type: dict[str, list[ClinicalEvent]] = field(init=False)
    _uniforms: dict[str, float] = field(init=False)

    def __post_init__(self) -> None:
        # the first draws of the patient's stream, in one call: a key for their clinic and
        # doctors, then one uniform per event (a visit's length)
        draws = self.rng.random(1 + len(self.events))
        self.sites = CareSites.of(self.patient.county_fips, int(draws[0] * 2**32))
        ids = [event.event_id for event in self.events]
        self._uniforms = dict(zip(ids, draws[1:].tolist(), strict=True))
        self.by_id = dict(zip(ids, self.events, strict=True))
        self._by_type = {}
        for event in self.events:
            self._by_type.setdefault(event.event_type, []).append(event)

    def uniform(self, event: ClinicalEvent) -> float:
        """The event's own uniform draw in [0, 1)."""
        return self._uniforms[event.event_id]

    def of_type(self, *event_types: str) -> list[ClinicalEvent]:
        """The events of these types, in time order."""
        if len(event_types) == 1:
            return self._by_type.get(event_types[0], [])
        return [event for event in self.events if event.event_type in event_types]
