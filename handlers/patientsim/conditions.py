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

The rows of the whole shard are columns: the history is made at once, the diagnoses one by
one (each may confirm or add a row a later one finds), and of the reasons only those the rows
before them do not already cover go one by one.
"""

from __future__ import annotations

from functools import cache
from itertools import compress
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from handlers.patientsim import schemas
from handlers.patientsim.clock import Clock
from handlers.patientsim.columns import per_value, table, taken
from handlers.patientsim.encounters import Encounters
from handlers.patientsim.events import ClinicalEvents
from handlers.patientsim.patients import Patients
from sim.codes.diagnoses import icd10_key, is_health_factor, load_diagnoses

__all__ = ["HISTORY_YEARS", "build_conditions", "onset_windows"]

#: how far before the start a chronic condition on the person may have begun
HISTORY_YEARS = 10
_DAYS_PER_YEAR = 365.25
_HISTORY_DAYS = round(HISTORY_YEARS * _DAYS_PER_YEAR)
#: event types whose diagnosis code is the reason for an encounter
_REASON_PARAMETERS = {"encounter": "reason_icd10", "admission": "icd10", "procedure": "icd10"}


@cache
def _same_condition(a: str, b: str) -> bool:
    key_a, key_b = icd10_key(a), icd10_key(b)
    return key_a.startswith(key_b) or key_b.startswith(key_a)


@cache
def _course_days(code: str) -> int | None:
    """How long an episode of the condition lasts; None if it persists."""
    diagnosis = load_diagnoses().get(code)
    return None if diagnosis is None else diagnosis.resolves_after_days


def onset_windows(patients: Patients, clock: Clock) -> list[list[int]]:
    """Per patient, per condition on them at the start: the days before the start its onset
    is drawn in (from 1 to the window)."""
    lived_days = np.maximum((clock.start_day - patients.birth_day).astype(np.int64), 1).tolist()
    windows = []
    for codes, lived in zip(patients.conditions, lived_days, strict=True):
        courses = [_course_days(code) for code in codes]
        # a chronic condition began in the history window, an acute one is still in its course
        chronic = min(_HISTORY_DAYS, lived)
        windows.append([chronic if days is None else max(days - 1, 1) for days in courses])
    return windows


class _Problems:
    """The condition rows as columns: every patient's history first, then the rows diagnoses
    and reasons add, in the order they are made."""

    def __init__(self, patients: Patients, onset_days: np.ndarray, clock: Clock) -> None:
        self.history_counts = [len(codes) for codes in patients.conditions]
        self.patient = np.repeat(np.arange(len(patients)), self.history_counts).tolist()
        self.icd10 = [code for codes in patients.conditions for code in codes]
        birth = np.repeat(patients.birth_day, self.history_counts)
        onset = np.maximum(clock.start_day - onset_days.astype("timedelta64[D]"), birth)
        self.onset = onset.astype(np.int64).tolist()  # days since 1970-01-01
        self.recorded = list(self.onset)
        self.event = [-1] * len(self.icd10)  # the event row it is made from or confirmed by
        self.encounter = [-1] * len(self.icd10)
        self.source = ["history"] * len(self.icd10)
        ends = np.cumsum(self.history_counts, dtype=np.int64).tolist()
        #: per patient: the positions of their rows
        self.of_patient = [
            list(range(end - count, end))
            for end, count in zip(ends, self.history_counts, strict=True)
        ]

    def add(self, source: str, event: _Event) -> None:
        self.of_patient[event.patient].append(len(self.icd10))
        self.patient.append(event.patient)
        self.icd10.append(event.code)
        self.onset.append(event.day)
        self.recorded.append(event.day)
        self.event.append(event.row)
        self.encounter.append(event.encounter)
        self.source.append(source)

    def active_on(self, position: int, day: int) -> bool:
        onset, course = self.onset[position], _course_days(self.icd10[position])
        return onset <= day and (course is None or day < onset + course)

    def codes_of(self, patient: int) -> tuple[str, ...]:
        return tuple(map(self.icd10.__getitem__, self.of_patient[patient]))


class _Event(NamedTuple):
    row: int
    patient: int
    code: str
    day: int  # days since 1970-01-01
    encounter: int  # the encounter it belongs to, -1 if none


def _events(
    events: ClinicalEvents, rows: np.ndarray, codes: list[str], encounters: np.ndarray
) -> list[_Event]:
    days = events.moment[rows].astype("datetime64[D]").astype(np.int64)
    columns = zip(
        rows.tolist(),
        events.patient[rows].tolist(),
        codes,
        days.tolist(),
        encounters.tolist(),
        strict=True,
    )
    return list(map(_Event._make, columns))


def _diagnose(problems: _Problems, diagnosis: _Event) -> None:
    code, day = diagnosis.code, diagnosis.day
    same = next(
        (
            position
            for position in problems.of_patient[diagnosis.patient]
            if _same_condition(problems.icd10[position], code) and problems.active_on(position, day)
        ),
        None,
    )
    if same is None:
        problems.add("diagnosis", diagnosis)
    elif problems.source[same] == "history" and problems.event[same] < 0:
        problems.event[same], problems.recorded[same] = diagnosis.row, day
        problems.encounter[same] = diagnosis.encounter
        if len(icd10_key(code)) > len(icd10_key(problems.icd10[same])):
            problems.icd10[same] = code


def _covers(of: tuple[tuple[str, ...], str]) -> bool:
    codes, code = of
    return any(_same_condition(known, code) for known in codes)


def _reasons(
    events: ClinicalEvents, encounters: Encounters
) -> tuple[np.ndarray, list[str], np.ndarray]:
    """The events of ``_REASON_PARAMETERS`` whose reason code may be a condition, in chart
    order: their rows, their codes, and the encounter each made, or else happened in."""
    of_kinds = [(events.of_type(kind), name) for kind, name in _REASON_PARAMETERS.items()]
    rows = np.concatenate([rows for rows, _ in of_kinds])
    codes = [code for rows, name in of_kinds for code in events.text(name, rows)]
    order = np.argsort(rows, kind="stable").tolist()
    codes = [codes[position] for position in order]
    condition = per_value(codes, lambda code: bool(code) and not is_health_factor(code))
    rows = rows[order][np.array(condition, bool)]
    made = encounters.made_by_event[rows]
    encounter = np.where(made >= 0, made, encounters.of_event[rows])
    return rows, list(compress(codes, condition)), encounter


def build_conditions(
    events: ClinicalEvents,
    patients: Patients,
    encounters: Encounters,
    onset_days: np.ndarray,
    clock: Clock,
) -> pa.Table:
    problems = _Problems(patients, onset_days, clock)
    rows = events.of_type("diagnosis")
    codes = events.required_text("icd10", rows)
    for diagnosis in _events(events, rows, codes, encounters.of_event[rows]):
        _diagnose(problems, diagnosis)
    rows, codes, encounter = _reasons(events, encounters)
    # whether the rows so far cover a reason, once per set of codes and reason; one they do
    # not cover may still be covered by a row a reason before it added
    codes_before = per_value(events.patient[rows].tolist(), problems.codes_of)
    covered = per_value(list(zip(codes_before, codes, strict=True)), _covers)
    new = np.flatnonzero(~np.array(covered, bool))
    for reason in _events(events, rows[new], [codes[i] for i in new], encounter[new]):
        if not _covers((problems.codes_of(reason.patient), reason.code)):
            problems.add("encounter-reason", reason)
    return _table(problems, patients, events, encounters, clock)


def _condition_ids(problems: _Problems, patients: Patients, events: ClinicalEvents) -> pa.Array:
    """``CD-``, then the person and the number of a history row (``CD-P000000042-H01``), the
    id of the event that made any other row."""
    counts = problems.history_counts
    history = sum(counts)
    numbers = np.arange(history) - np.repeat(np.cumsum(counts) - counts, counts)
    history_ids = pc.binary_join_element_wise(
        "CD-",
        taken(patients.table["person_id"], np.array(problems.patient[:history], np.int64)),
        "-H",
        pc.utf8_lpad(pc.cast(pa.array(numbers, pa.int64()), pa.string()), 2, "0"),
        "",
    )
    made_ids = events.ids(np.array(problems.event[history:], np.int64), prefix="CD-")
    return pa.concat_arrays([history_ids, made_ids])


def _table(
    problems: _Problems,
    patients: Patients,
    events: ClinicalEvents,
    encounters: Encounters,
    clock: Clock,
) -> pa.Table:
    diagnoses = load_diagnoses()
    onset = np.array(problems.onset, np.int64)
    course = np.array(per_value(problems.icd10, lambda code: _course_days(code) or 0), np.int64)
    last_day = np.datetime64(clock.last_date, "D").astype(np.int64)
    resolved = (course > 0) & (onset + course <= last_day)
    patient = np.array(problems.patient, np.int64)
    columns = {
        "condition_id": _condition_ids(problems, patients, events),
        **patients.ids(patient),
        "event_id": events.ids(np.array(problems.event, np.int64)),
        "encounter_id": encounters.ids_at(np.array(problems.encounter, np.int64)),
        "icd10": problems.icd10,
        "description": per_value(
            problems.icd10, lambda code: getattr(diagnoses.get(code), "description", None)
        ),
        "source": problems.source,
        "onset_date": onset.astype("datetime64[D]"),
        "recorded_date": np.array(problems.recorded, np.int64).astype("datetime64[D]"),
        "abatement_date": pa.array(
            (onset + course).astype("datetime64[D]"), pa.date32(), mask=~resolved
        ),
        "clinical_status": np.where(resolved, "resolved", "active").tolist(),
    }
    # patient by patient, each in the order the rows were made
    order = np.argsort(patient, kind="stable")
    return table(schemas.CONDITIONS, columns).take(order)
