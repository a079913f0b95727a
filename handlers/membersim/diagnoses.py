"""The diagnoses a member has on record at a date, for a claim's secondary diagnosis codes.

A claim lists its principal diagnosis and then the member's other active conditions, as coders
do for chronic conditions: the billable codes of the person's conditions when the run starts
(the persons table's ``conditions``), then the ICD-10-CM codes seen so far on the member's
diagnoses, visits, admissions, procedures and professional claims, in the order first seen,
leaving out reasons
for a visit that are not conditions (chapter 21, Z codes) and acute conditions past their
usual course since last seen (``resolves_after_days`` of the diagnosis table,
sim/codes/data/diagnoses.csv). An 837 claim has room for 12 diagnosis codes.
"""

from __future__ import annotations

import math
from bisect import bisect_right

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from handlers.base import events_of
from handlers.membersim.parameters import parameter_columns
from sim.codes.diagnoses import DiagnosisTable, is_health_factor, load_diagnoses

__all__ = ["MAX_DIAGNOSES", "DiagnosisHistory"]

MAX_DIAGNOSES = 12
#: (product, event type, parameter holding an ICD-10-CM code)
_SOURCES = (
    ("patientsim", "diagnosis", "icd10"),
    ("patientsim", "encounter", "reason_icd10"),
    ("patientsim", "admission", "icd10"),
    ("patientsim", "procedure", "icd10"),
    ("membersim", "claim_professional", "diagnosis_code"),
)


class DiagnosisHistory:
    """Per person, every (time in days, code) a condition was recorded, in time order."""

    def __init__(self, events: pa.Table, persons_table: pa.Table) -> None:
        diagnoses = load_diagnoses()
        persons, times, codes = _conditions_at_start(persons_table, diagnoses)
        types = pa.array(sorted({event_type for _, event_type, _ in _SOURCES}))
        events = events.filter(pc.is_in(events["event_type"], value_set=types))
        for product, event_type, name in _SOURCES:
            table = events_of(events, product, event_type)
            code = parameter_columns(table, [name])[name]
            # reasons for a visit (chapter 21, Z codes) are not conditions to carry over
            keep = pc.and_kleene(pc.is_valid(code), pc.invert(pc.starts_with(code, "Z")))
            persons.append(table["person_index"].filter(keep).to_numpy())
            times.append(table["time_days"].filter(keep).to_numpy())
            codes.append(code.filter(keep))
        person = np.concatenate(persons)
        time = np.concatenate(times)
        order = np.lexsort((time, person))
        person = person[order]
        starts = np.flatnonzero(np.r_[True, person[1:] != person[:-1]]) if person.size else []
        ends = np.r_[starts[1:], person.size] if person.size else []
        #: person index -> (first, last + 1) of their rows
        self._rows: dict[int, tuple[int, int]] = dict(
            zip(
                person[starts].tolist(),
                zip(np.asarray(starts).tolist(), np.asarray(ends).tolist(), strict=True),
                strict=True,
            )
        )
        self._time: list[float] = time[order].tolist()
        self._code: list[str] = pa.concat_arrays(codes).take(pa.array(order)).to_pylist()
        #: days an episode lasts after it was last seen (inf: a chronic condition)
        self._lasts: dict[str, float] = {}
        for code in set(self._code):
            known = diagnoses.get(code)
            resolves = known.resolves_after_days if known else None
            self._lasts[code] = math.inf if resolves is None else resolves

    def secondary(self, person_index: int, time_days: float, principal: str | None) -> list[str]:
        """Active conditions on record for the person at ``time_days`` other than the
        principal one, as many as fit beside it on a claim."""
        first, last = self._rows.get(person_index, (0, 0))
        until = bisect_right(self._time, time_days, first, last)
        last_seen: dict[str, float] = {}
        for i in range(first, until):
            last_seen[self._code[i]] = self._time[i]  # dicts keep the order of first sight
        lasts = self._lasts
        active = [
            code
            for code, seen in last_seen.items()
            if code != principal and time_days - seen <= lasts[code]
        ]
        return active[: MAX_DIAGNOSES - 1]


def _conditions_at_start(
    persons: pa.Table, table: DiagnosisTable
) -> tuple[list[np.ndarray], list[np.ndarray], list[pa.Array]]:
    """The persons' billable starting conditions, on record before day 0."""
    if "conditions" not in persons.column_names:
        return [], [], []
    conditions = persons["conditions"].combine_chunks()
    flat = pc.list_flatten(conditions)
    owner = pc.list_parent_indices(conditions).to_numpy()
    billable = {}
    for code in pc.unique(flat).to_pylist():
        known = table.get(code) if code else None
        ok = known is not None and known.billable and not is_health_factor(known.icd10)
        billable[code] = known.icd10 if ok else None
    codes = pa.array([billable[c] for c in flat.to_pylist()], pa.string())
    keep = pc.is_valid(codes)
    who = persons["person_index"].to_numpy()[owner[keep.to_numpy(zero_copy_only=False)]]
    return [who], [np.full(who.size, -1.0)], [codes.filter(keep)]
