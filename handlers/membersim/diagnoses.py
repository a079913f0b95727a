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

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from handlers.membersim.distinct import first_rows_of, first_seen_numbers, per_distinct
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
)
_RECORD_SCHEMA = pa.schema(
    [
        ("person_index", pa.int64()),
        ("time_days", pa.float64()),
        ("code", pa.string()),
    ]
)


class DiagnosisHistory:
    """Every (time in days, code) a condition was recorded, as one time-ordered run of records
    per person and code; a person's runs are in the order their codes were first seen."""

    def __init__(
        self, events: pa.Table, persons_table: pa.Table, claim_diagnoses: pa.Table
    ) -> None:
        """``claim_diagnoses``: the persons' professional claims' ``diagnosis_code``
        parameters (person_index, time_days, code), in events order."""
        diagnoses = load_diagnoses()
        claims = claim_diagnoses.select(_RECORD_SCHEMA.names).cast(_RECORD_SCHEMA)
        claims = claims.filter(_condition(claims["code"]))
        records = pa.concat_tables(
            [_conditions_at_start(persons_table, diagnoses), _recorded(events), claims]
        )
        # stable: at the same time, conditions at the start, then by source, in events order
        order = pc.sort_indices(
            records, [("person_index", "ascending"), ("time_days", "ascending")]
        )
        records = records.take(order)
        encoded = records["code"].combine_chunks().dictionary_encode()
        #: the codes, numbered
        self._codes: pa.Array = encoded.dictionary
        run = first_seen_numbers(records["person_index"], encoded.indices)
        first = first_rows_of(run)
        by_run = np.argsort(run, kind="stable")
        #: each run's records' times, run after run
        self._time = records["time_days"].to_numpy()[by_run]
        self._start = np.searchsorted(run[by_run], np.arange(first.size))
        self._end = np.r_[self._start[1:], run.size].astype(np.int64)
        self._person = records["person_index"].to_numpy()[first]
        self._code = encoded.indices.to_numpy().astype(np.int64)[first]
        lasts = []
        for code in self._codes.to_pylist():
            known = diagnoses.get(code)
            resolves = known.resolves_after_days if known else None
            lasts.append(math.inf if resolves is None else resolves)
        #: days an episode lasts after it was last seen (inf: a chronic condition)
        self._lasts = np.array(lasts, dtype=np.float64)[self._code]

    def claim_codes(
        self, person_index: np.ndarray, time_days: np.ndarray, principal: pa.Array
    ) -> pa.ListArray:
        """Per claim (its person, the time of its service and its principal diagnosis): its
        principal diagnosis unless null or empty, then the conditions other than the principal
        one active on record at that time, in the order first seen, at most
        ``MAX_DIAGNOSES - 1`` of them."""
        person = np.asarray(person_index, dtype=np.int64)
        when = np.asarray(time_days, dtype=np.float64)
        claims = person.size
        # one row per claim and run of the claim's person
        first_run = np.searchsorted(self._person, person, "left")
        runs = np.searchsorted(self._person, person, "right") - first_run
        row_start = np.cumsum(runs) - runs
        claim = np.repeat(np.arange(claims), runs)
        run = np.arange(claim.size) - row_start[claim] + first_run[claim]
        at = when[claim]
        start = self._start[run]
        seen_until = _after_last_at_most(self._time, start, self._end[run], at)
        last_seen = self._time[np.maximum(seen_until - 1, 0)]
        principal_code = pc.index_in(principal, value_set=self._codes)
        principal_code = pc.fill_null(principal_code, -1).to_numpy()
        listed = (
            (seen_until > start)
            & (self._code[run] != principal_code[claim])
            & (at - last_seen <= self._lasts[run])
        )
        # each listed code's rank among its claim's, from 1
        listed_so_far = np.cumsum(listed)
        rank = listed_so_far - np.r_[0, listed_so_far][row_start][claim]
        kept = np.flatnonzero(listed & (rank < MAX_DIAGNOSES))
        kept_claim = claim[kept]
        has_principal = pc.fill_null(pc.not_equal(principal, ""), False)
        has_principal = has_principal.to_numpy(zero_copy_only=False)
        offsets = np.r_[0, np.cumsum(has_principal + np.bincount(kept_claim, minlength=claims))]
        # each listed code's index in the codes, then in the principal diagnoses
        flat = np.empty(offsets[-1], dtype=np.int64)
        flat[offsets[:-1][has_principal]] = len(self._codes) + np.flatnonzero(has_principal)
        position = offsets[kept_claim] + has_principal[kept_claim] + rank[kept] - 1
        flat[position] = self._code[run[kept]]
        values = pa.concat_arrays([self._codes, principal.cast(pa.string())]).take(pa.array(flat))
        return pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), values)


def _after_last_at_most(
    values: np.ndarray, start: np.ndarray, end: np.ndarray, limit: np.ndarray
) -> np.ndarray:
    """For each sorted slice ``values[start:end]``, the index after its last value at most
    ``limit`` (``start`` if there is none): a binary search over all slices at once."""
    low, high = start.copy(), end.copy()
    searching = low < high
    while searching.any():
        middle = (low + high) // 2
        below = searching & (values[np.minimum(middle, values.size - 1)] <= limit)
        low = np.where(below, middle + 1, low)
        high = np.where(searching & ~below, middle, high)
        searching = low < high
    return low


def _recorded(events: pa.Table) -> pa.Table:
    """The codes of the ``_SOURCES`` events, by source and then in events order."""
    types = pa.array(sorted({event_type for _, event_type, _ in _SOURCES}))
    columns = ["person_index", "product", "event_type", "time_days", "parameters"]
    events = events.select(columns).filter(pc.is_in(events["event_type"], value_set=types))
    parts = []
    for product, event_type, name in _SOURCES:
        table = events.filter(
            pc.and_(
                pc.equal(events["product"], product), pc.equal(events["event_type"], event_type)
            )
        )
        code = parameter_columns(table, [name])[name]
        part = pa.table(
            {
                "person_index": table["person_index"],
                "time_days": table["time_days"],
                "code": code,
            },
            schema=_RECORD_SCHEMA,
        )
        parts.append(part.filter(_condition(code)))
    return pa.concat_tables(parts)


def _condition(code: pa.Array) -> pa.Array:
    """Whether each code is a condition to carry over: not a reason for a visit (chapter 21,
    Z codes)."""
    return pc.and_kleene(pc.is_valid(code), pc.invert(pc.starts_with(code, "Z")))


def _conditions_at_start(persons: pa.Table, table: DiagnosisTable) -> pa.Table:
    """The persons' billable starting conditions, on record before day 0 and before any
    event's code."""
    if "conditions" not in persons.column_names:
        return _RECORD_SCHEMA.empty_table()
    conditions = persons["conditions"].combine_chunks()
    flat = pc.list_flatten(conditions)
    owner = pc.list_parent_indices(conditions)

    def billable(code: str | None) -> str | None:
        known = table.get(code) if code else None
        ok = known is not None and known.billable and not is_health_factor(known.icd10)
        return known.icd10 if ok else None

    values, index = per_distinct(billable, flat)
    codes = pa.array(values, pa.string()).take(pa.array(index))
    n = len(codes)
    records = pa.table(
        {
            "person_index": persons["person_index"].take(owner),
            "time_days": pa.array(np.full(n, -1.0)),
            "code": codes,
        },
        schema=_RECORD_SCHEMA,
    )
    return records.filter(pc.is_valid(codes))
