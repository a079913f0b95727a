"""Conditions: the problem list as known at the end of the run.

Three sources, in this order:
1. ``history``: every ICD-10-CM code on the person at the start. A chronic condition began on
   a day drawn uniformly in the ten years before the start (not before birth); an acute one
   (the diagnosis table gives its course) began within its course, so it is still active.
2. ``diagnosis``: each diagnosis event, unless the same condition is active then. The same
   condition is a code under the other (``E11`` and ``E11.9``): a diagnosis of a history
   condition confirms it (the row keeps the history onset, takes the diagnosis as its event and
   recorded date, and the more specific code).
3. ``encounter-reason``: the reason codes of visits, stays and procedures that no row covers
   yet, except chapter Z codes (examinations, aftercare, history), which are not conditions.
An acute condition is ``resolved`` once its course has passed within the run, with that
abatement date; every other condition is ``active``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from handlers.patientsim.chart import Chart, ClinicalEvent
from handlers.patientsim.encounters import EncounterIndex
from sim.codes.diagnoses import icd10_key, is_health_factor, load_diagnoses

__all__ = ["HISTORY_YEARS", "build_conditions"]

#: how far before the start a chronic condition on the person may have begun
HISTORY_YEARS = 10
_DAYS_PER_YEAR = 365.25
_HISTORY_DAYS = round(HISTORY_YEARS * _DAYS_PER_YEAR)
#: event types whose diagnosis code is the reason for an encounter
_REASON_PARAMETERS = {"encounter": "reason_icd10", "admission": "icd10", "procedure": "icd10"}


def _same_condition(a: str, b: str) -> bool:
    key_a, key_b = icd10_key(a), icd10_key(b)
    return key_a.startswith(key_b) or key_b.startswith(key_a)


@dataclass
class _Condition:
    condition_id: str
    icd10: str
    source: str
    onset_date: dt.date
    recorded_date: dt.date
    event: ClinicalEvent | None = None
    encounter_id: str | None = None

    @property
    def abatement_date(self) -> dt.date | None:
        diagnosis = load_diagnoses().get(self.icd10)
        if diagnosis is None or diagnosis.resolves_after_days is None:
            return None
        return self.onset_date + dt.timedelta(days=diagnosis.resolves_after_days)

    def active_on(self, day: dt.date) -> bool:
        abatement = self.abatement_date
        return self.onset_date <= day and (abatement is None or day < abatement)

    def row(self, chart: Chart) -> dict[str, Any]:
        diagnosis = load_diagnoses().get(self.icd10)
        abatement = self.abatement_date
        resolved = abatement is not None and abatement <= chart.clock.last_date
        return {
            "condition_id": self.condition_id,
            "patient_id": chart.patient.patient_id,
            "person_id": chart.patient.person_id,
            "event_id": self.event.event_id if self.event else None,
            "encounter_id": self.encounter_id,
            "icd10": self.icd10,
            "description": diagnosis.description if diagnosis else None,
            "source": self.source,
            "onset_date": self.onset_date,
            "recorded_date": self.recorded_date,
            "abatement_date": abatement if resolved else None,
            "clinical_status": "resolved" if resolved else "active",
        }


def _history(chart: Chart) -> list[_Condition]:
    """The conditions on the person at the start, with their onsets."""
    start, patient = chart.clock.start_date, chart.patient
    if not patient.conditions:
        return []
    lived_days = max((start - patient.birth_date).days, 1)
    diagnoses = load_diagnoses()
    rows = []
    for number, code in enumerate(patient.conditions):
        diagnosis = diagnoses.get(code)
        course_days = diagnosis.resolves_after_days if diagnosis else None
        # a chronic condition began in the history window, an acute one is still in its course
        window = min(_HISTORY_DAYS, lived_days) if course_days is None else max(course_days - 1, 1)
        # one draw a condition: the same numbers as one call with all the windows, faster
        days = 1 + int(chart.rng.integers(window))
        onset = max(start - dt.timedelta(days=days), patient.birth_date)
        condition_id = f"CD-{patient.person_id}-H{number:02d}"
        rows.append(_Condition(condition_id, code, "history", onset, onset))
    return rows


def _diagnose(
    conditions: list[_Condition], event: ClinicalEvent, encounters: EncounterIndex
) -> None:
    code = event.required_text("icd10")
    day = event.date
    encounter = encounters.of_event(event)
    encounter_id = encounter.encounter_id if encounter else None
    same = [c for c in conditions if _same_condition(c.icd10, code) and c.active_on(day)]
    if not same:
        condition = _Condition(f"CD-{event.event_id}", code, "diagnosis", day, day, event)
        condition.encounter_id = encounter_id
        conditions.append(condition)
        return
    confirmed = same[0]
    if confirmed.source == "history" and confirmed.event is None:
        confirmed.event, confirmed.recorded_date = event, day
        confirmed.encounter_id = encounter_id
        if len(icd10_key(code)) > len(icd10_key(confirmed.icd10)):
            confirmed.icd10 = code


def _reasons(chart: Chart, conditions: list[_Condition], encounters: EncounterIndex) -> None:
    by_event = {encounter.event.event_id: encounter for encounter in encounters.encounters}
    for event in chart.of_type(*_REASON_PARAMETERS):
        code = event.text(_REASON_PARAMETERS[event.event_type])
        if not code or is_health_factor(code):
            continue
        if any(_same_condition(c.icd10, code) for c in conditions):
            continue
        encounter = by_event.get(event.event_id) or encounters.of_event(event)
        day = event.date
        condition = _Condition(f"CD-{event.event_id}", code, "encounter-reason", day, day, event)
        condition.encounter_id = encounter.encounter_id if encounter else None
        conditions.append(condition)


def build_conditions(chart: Chart, encounters: EncounterIndex) -> list[dict[str, Any]]:
    conditions = _history(chart)
    for event in chart.of_type("diagnosis"):
        _diagnose(conditions, event, encounters)
    _reasons(chart, conditions, encounters)
    return [condition.row(chart) for condition in conditions]
