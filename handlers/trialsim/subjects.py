"""A subject's course through a trial, read from its ``trialsim`` events in time order.

One ``Subject`` per person and trial journey. Events of journeys compiled from a protocol
carry everything (study and site ids, arm, dosing, visit windows, adverse event details);
other trial journeys give what their parameters say and leave the rest unknown (None).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from handlers.trialsim.terms import load_ae_terms

__all__ = ["STATUSES", "Subject", "collect_subjects", "study_day"]

#: a subject's status at the end of the records
STATUSES = ("screening", "screen_failed", "ongoing", "completed", "withdrawn", "died")


def study_day(date: dt.date, day_one: dt.date) -> int:
    """SDTM study day: Day 1 is the reference start, the day before it Day -1 (no Day 0)."""
    delta = (date - day_one).days
    return delta + 1 if delta >= 0 else delta


def _integer(value: Any) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def _yes(value: Any) -> bool | None:
    return {"Y": True, "N": False}.get(value) if isinstance(value, str) else None


@dataclass
class VisitRecord:
    number: int | None
    name: str
    planned_day: int | None
    window_days: int | None
    date: dt.date
    event_id: str


@dataclass
class AdverseEventRecord:
    term: str
    system_organ_class: str | None
    grade: int | None
    serious: bool | None
    related: bool | None
    outcome: str | None
    onset: dt.date
    event_id: str


@dataclass
class Subject:
    person_index: int
    person_id: str
    study_id: str
    site_id: str | None = None
    screening: dt.date | None = None
    screen_failed: dt.date | None = None
    randomized: dt.date | None = None
    arm_code: str | None = None
    arm_name: str | None = None
    treatment: str | None = None
    treatment_days: int | None = None
    dosing: list[dict[str, Any]] = field(default_factory=list)
    visits: list[VisitRecord] = field(default_factory=list)
    adverse_events: list[AdverseEventRecord] = field(default_factory=list)
    withdrawal: dt.date | None = None
    withdrawal_reason: str | None = None
    completed: dt.date | None = None
    death: dt.date | None = None

    @property
    def status(self) -> str:
        if self.death is not None:
            return "died"
        if self.withdrawal is not None:
            return "withdrawn"
        if self.completed is not None:
            return "completed"
        if self.screen_failed is not None:
            return "screen_failed"
        return "screening" if self.randomized is None else "ongoing"

    @property
    def end_of_study(self) -> dt.date | None:
        """The day the subject left the study (screen failure, completion, withdrawal, death)."""
        return self.death or self.withdrawal or self.completed or self.screen_failed

    def read(self, event_type: str, date: dt.date, event_id: str, parameters: dict) -> None:
        """Takes one event into account (events come in time order)."""
        if event_type == "screening":
            self.screening = date
            self.study_id = str(parameters.get("study_id", self.study_id))
            self.site_id = parameters.get("site_id")
        elif event_type == "screen_failed":
            self.screen_failed = date
        elif event_type == "randomization":
            self.randomized = date
            self.arm_code = parameters.get("arm")
            self.arm_name = parameters.get("arm_name", self.arm_code)
            self.treatment = parameters.get("treatment")
            self.treatment_days = _integer(parameters.get("treatment_days"))
            self.dosing = list(parameters.get("dosing", []))
        elif event_type == "scheduled_visit":
            self.visits.append(
                VisitRecord(
                    _integer(parameters.get("visit_number")),
                    str(parameters.get("visit_name", "")),
                    _integer(parameters.get("planned_day")),
                    _integer(parameters.get("window_days")),
                    date,
                    event_id,
                )
            )
        elif event_type == "adverse_event":
            self._adverse_event(date, event_id, parameters)
        elif event_type == "withdrawal":
            self.withdrawal = date
            self.withdrawal_reason = parameters.get("reason")
        elif event_type == "end_of_study":
            self.completed = date

    def _adverse_event(self, date: dt.date, event_id: str, parameters: dict) -> None:
        term = str(parameters.get("term", ""))
        known = load_ae_terms().get(term)
        grade = _integer(parameters.get("grade"))
        self.adverse_events.append(
            AdverseEventRecord(
                term,
                parameters.get("body_system") or (known.system_organ_class if known else None),
                grade,
                _yes(parameters.get("serious")),
                _yes(parameters.get("related")),
                parameters.get("outcome"),
                date,
                event_id,
            )
        )
        if grade == 5 and self.death is None:
            self.death = date


def collect_subjects(rows: Iterable[dict[str, Any]]) -> list[Subject]:
    """Subjects from ``trialsim`` event rows (parameters parsed), sorted by person and time."""
    subjects: dict[tuple[int, str], Subject] = {}
    for row in rows:
        key = (row["person_index"], row["journey_id"])
        subject = subjects.get(key)
        if subject is None:
            subject = subjects[key] = Subject(
                row["person_index"], row["person_id"], row["journey_id"].upper()
            )
        subject.read(row["event_type"], row["event_date"], row["event_id"], row["parameters"])
    return list(subjects.values())
