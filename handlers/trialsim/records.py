"""``records``: the TrialSim tables of a run, from its ``trialsim`` events.

``trial_subjects`` (one row per person screened for a trial), ``trial_visits``,
``adverse_events`` and ``exposure``, and their SDTM forms (``sdtm_dm``, ``sdtm_sv``,
``sdtm_ae``, ``sdtm_ex``). Nothing is drawn here: every value comes from the events, which
depend only on the seed and the person.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from handlers.base import HandlerContext, event_rows, events_of
from handlers.trialsim.protocol import FREQUENCIES
from handlers.trialsim.sdtm import sdtm_tables
from handlers.trialsim.subjects import Subject, collect_subjects, study_day
from sim.errors import SpecError

__all__ = ["ADVERSE_EVENTS", "EXPOSURE", "SUBJECTS", "VISITS", "records"]

SUBJECTS = pa.schema(
    [
        ("study_id", pa.string()),
        ("subject_id", pa.string()),
        ("person_id", pa.string()),
        ("person_index", pa.int64()),
        ("site_id", pa.string()),
        ("arm_code", pa.string()),
        ("arm", pa.string()),
        ("status", pa.string()),
        ("screening_date", pa.date32()),
        ("randomization_date", pa.date32()),
        ("end_of_study_date", pa.date32()),
        ("withdrawal_reason", pa.string()),
    ]
)
VISITS = pa.schema(
    [
        ("study_id", pa.string()),
        ("subject_id", pa.string()),
        ("visit_number", pa.int32()),
        ("visit_name", pa.string()),
        ("planned_day", pa.int32()),
        ("actual_day", pa.int32()),
        ("window_days", pa.int32()),
        ("in_window", pa.bool_()),
        ("visit_date", pa.date32()),
        ("event_id", pa.string()),
    ]
)
ADVERSE_EVENTS = pa.schema(
    [
        ("study_id", pa.string()),
        ("subject_id", pa.string()),
        ("sequence", pa.int32()),
        ("term", pa.string()),
        ("system_organ_class", pa.string()),
        ("grade", pa.int8()),
        ("severity", pa.string()),
        ("serious", pa.bool_()),
        ("related", pa.bool_()),
        ("outcome", pa.string()),
        ("onset_date", pa.date32()),
        ("onset_day", pa.int32()),
        ("arm_code", pa.string()),
        ("event_id", pa.string()),
    ]
)
EXPOSURE = pa.schema(
    [
        ("study_id", pa.string()),
        ("subject_id", pa.string()),
        ("sequence", pa.int32()),
        ("arm_code", pa.string()),
        ("treatment", pa.string()),
        ("dose", pa.float64()),
        ("dose_unit", pa.string()),
        ("dose_form", pa.string()),
        ("frequency", pa.string()),
        ("route", pa.string()),
        ("start_date", pa.date32()),
        ("end_date", pa.date32()),
        ("start_day", pa.int32()),
        ("end_day", pa.int32()),
        ("administrations", pa.int32()),
        ("total_dose", pa.float64()),
    ]
)
#: CTCAE grade -> AESEV
SEVERITY = {1: "MILD", 2: "MODERATE", 3: "SEVERE", 4: "SEVERE", 5: "SEVERE"}


def _subject_ids(subjects: list[Subject], persons: pa.Table) -> list[str]:
    wanted = pa.array([s.person_index for s in subjects], pa.int64())
    rows = pc.index_in(wanted, value_set=persons["person_index"].combine_chunks())
    return persons["subject_id"].take(rows).to_pylist()


def _subject_rows(subjects: list[Subject], ids: list[str]) -> list[dict[str, Any]]:
    return [
        {
            "study_id": s.study_id,
            "subject_id": subject_id,
            "person_id": s.person_id,
            "person_index": s.person_index,
            "site_id": s.site_id,
            "arm_code": s.arm_code,
            "arm": s.arm_name,
            "status": s.status,
            "screening_date": s.screening,
            "randomization_date": s.randomized,
            "end_of_study_date": s.end_of_study,
            "withdrawal_reason": s.withdrawal_reason,
        }
        for s, subject_id in zip(subjects, ids, strict=True)
    ]


def _visit_rows(subjects: list[Subject], ids: list[str]) -> list[dict[str, Any]]:
    rows = []
    for s, subject_id in zip(subjects, ids, strict=True):
        for visit in s.visits:
            actual = None if s.randomized is None else study_day(visit.date, s.randomized)
            known = None not in (actual, visit.planned_day, visit.window_days)
            rows.append(
                {
                    "study_id": s.study_id,
                    "subject_id": subject_id,
                    "visit_number": visit.number,
                    "visit_name": visit.name,
                    "planned_day": visit.planned_day,
                    "actual_day": actual,
                    "window_days": visit.window_days,
                    "in_window": abs(actual - visit.planned_day) <= visit.window_days
                    if known
                    else None,
                    "visit_date": visit.date,
                    "event_id": visit.event_id,
                }
            )
    return rows


def _adverse_event_rows(subjects: list[Subject], ids: list[str]) -> list[dict[str, Any]]:
    rows = []
    for s, subject_id in zip(subjects, ids, strict=True):
        for sequence, event in enumerate(s.adverse_events, start=1):
            rows.append(
                {
                    "study_id": s.study_id,
                    "subject_id": subject_id,
                    "sequence": sequence,
                    "term": event.term,
                    "system_organ_class": event.system_organ_class,
                    "grade": event.grade,
                    "severity": SEVERITY.get(event.grade),  # type: ignore[arg-type]
                    "serious": event.serious,
                    "related": event.related,
                    "outcome": event.outcome,
                    "onset_date": event.onset,
                    "onset_day": None
                    if s.randomized is None
                    else study_day(event.onset, s.randomized),
                    "arm_code": s.arm_code,
                    "event_id": event.event_id,
                }
            )
    return rows


def _exposure_rows(subjects: list[Subject], ids: list[str], last_date: dt.date) -> list[dict]:
    """One row per constant-dosing period a subject started: doses on the period's dosing days
    up to the end of treatment, the day the subject left the study, or the end of the records."""
    rows = []
    for s, subject_id in zip(subjects, ids, strict=True):
        if s.randomized is None or not s.dosing or s.treatment_days is None:
            continue
        last_day = min(s.treatment_days, study_day(s.end_of_study or last_date, s.randomized))
        for sequence, period in enumerate(s.dosing, start=1):
            following = s.dosing[sequence]["from_day"] - 1 if sequence < len(s.dosing) else last_day
            start, stop = period["from_day"], min(following, last_day)
            if start > stop:
                break
            per_day, every_days = FREQUENCIES[period["frequency"]]
            dosing_days = (stop - start) // every_days + 1
            end = start + (dosing_days - 1) * every_days
            rows.append(
                {
                    "study_id": s.study_id,
                    "subject_id": subject_id,
                    "sequence": sequence,
                    "arm_code": s.arm_code,
                    "treatment": s.treatment,
                    "dose": float(period["dose"]),
                    "dose_unit": period["unit"],
                    "dose_form": period["form"],
                    "frequency": period["frequency"],
                    "route": period["route"],
                    "start_date": s.randomized + dt.timedelta(days=start - 1),
                    "end_date": s.randomized + dt.timedelta(days=end - 1),
                    "start_day": start,
                    "end_day": end,
                    "administrations": dosing_days * per_day,
                    "total_dose": dosing_days * per_day * float(period["dose"]),
                }
            )
    return rows


def records(events: pa.Table, persons: pa.Table, context: HandlerContext) -> dict[str, pa.Table]:
    """The trial tables of a run (empty tables, with their columns, when nobody was screened)."""
    if "subject_id" not in persons.column_names:
        raise SpecError(
            "the persons table has no 'subject_id' column",
            path=("persons",),
            hint="sim.scenario.identities.add_identities(persons, ['trialsim']) adds it",
        )
    subjects = collect_subjects(event_rows(events_of(events, "trialsim")))
    ids = _subject_ids(subjects, persons)
    # the last calendar day with records: times are in [0, horizon)
    last_date = context.date_of(math.nextafter(context.horizon_days, 0.0))
    tables = {
        "trial_subjects": pa.Table.from_pylist(_subject_rows(subjects, ids), SUBJECTS),
        "trial_visits": pa.Table.from_pylist(_visit_rows(subjects, ids), VISITS),
        "adverse_events": pa.Table.from_pylist(_adverse_event_rows(subjects, ids), ADVERSE_EVENTS),
        "exposure": pa.Table.from_pylist(_exposure_rows(subjects, ids, last_date), EXPOSURE),
    }
    return tables | sdtm_tables(tables, persons)
