"""Encounters: the visits of the charts, their hospital stays, and the visits that events
outside any encounter imply.

- An ``encounter`` event is a visit that lasts the usual minutes of its CPT code (procedure
  table), drawn uniformly, 15-30 minutes when the table gives none, from its moment on the
  working-day clock (``Clock``).
- An ``admission`` is an inpatient stay until the ``discharge`` of the same journey that closes
  it; without one by the horizon the stay is ``in-progress`` and has no end.
- A ``diagnosis``, ``procedure`` or ``medication_administration`` outside every encounter gets
  one of its own: an office visit billed as the default trigger bills a diagnosis (CPT 99213),
  a hospital outpatient procedure, an infusion visit.
Other events belong to the encounter whose period contains their moment (``EncounterIndex``).

The shard's encounters are made together, as columns; only the events outside every visit and
stay go one by one, since each may fall in a visit implied by one before it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from handlers.patientsim.columns import per_value, taken
from handlers.patientsim.draws import Draws
from handlers.patientsim.encounter_index import EncounterIndex
from handlers.patientsim.encounter_kinds import encounter_kind
from handlers.patientsim.events import ClinicalEvents
from handlers.patientsim.patients import Patients
from sim.codes.procedures import load_procedures

__all__ = ["Encounters", "build_encounters"]

#: the CPT code of a visit a diagnosis implies: the default trigger bills such a diagnosis so
DIAGNOSIS_VISIT_CPT = "99213"
#: minutes of a visit whose CPT code the procedure table gives no length for
DEFAULT_VISIT_MINUTES = (15.0, 30.0)
#: the encounter types of the events that imply an encounter of their own
IMPLIED_TYPES = {
    "diagnosis": "office",
    "procedure": "procedure",
    "medication_administration": "infusion",
}
_MADE = pa.schema(
    [
        ("source", pa.int64()),  # the event row it is made from
        ("discharge", pa.int64()),  # the event row of the discharge closing a stay
        ("encounter_type", pa.string()),
        ("start", pa.timestamp("s")),
        ("end", pa.timestamp("s")),  # null: a stay not discharged by the horizon
        ("cpt", pa.string()),
        ("reason_icd10", pa.string()),
        ("specialty", pa.string()),
        ("discharge_disposition", pa.string()),
    ]
)


@dataclass(frozen=True)
class Encounters:
    """The shard's encounters in the order they are made: visits, stays, then the visits
    events imply (``_MADE`` columns)."""

    made: pa.Table
    ids: pa.Array
    of_event: np.ndarray  # per event row: the encounter it happened in, -1 outside all
    made_by_event: np.ndarray  # per event row: the encounter made from it, -1 if none

    def ids_at(self, positions: np.ndarray) -> pa.Array:
        """The ids of the encounters at these positions; null where a position is -1."""
        return taken(self.ids, positions)


@cache
def _visit_minutes(cpt: str | None) -> tuple[float, float]:
    procedure = load_procedures().get(cpt) if cpt else None
    if procedure is not None and procedure.minutes_min is not None:
        assert procedure.minutes_max is not None
        return procedure.minutes_min, procedure.minutes_max
    return DEFAULT_VISIT_MINUTES


def _usual_specialty(of: tuple[str | None, str, int]) -> str:
    """Who sees a patient of this age for this CPT code and encounter type."""
    cpt, encounter_type, age_years = of
    procedure = load_procedures().get(cpt) if cpt else None
    if procedure is not None and procedure.specialty is not None:
        return procedure.specialty
    return encounter_kind(encounter_type).default_specialty(age_years)


def _specialties(
    events: ClinicalEvents,
    patients: Patients,
    rows: np.ndarray,
    encounter_types: list[str],
    cpts: list[str | None],
) -> list[str]:
    ages = [patients.age_years[patient] for patient in events.patient[rows].tolist()]
    usual = per_value(list(zip(cpts, encounter_types, ages, strict=True)), _usual_specialty)
    named = events.text("specialty", rows)
    return [name or default for name, default in zip(named, usual, strict=True)]


def _visits(
    events: ClinicalEvents,
    patients: Patients,
    draws: Draws,
    rows: np.ndarray,
    encounter_types: list[str],
    cpts: list[str | None],
    reasons: list[str | None],
) -> pa.Table:
    minutes = np.array(per_value(cpts, _visit_minutes), np.float64).reshape(len(rows), 2)
    low, high = minutes[:, 0], minutes[:, 1]
    length = low + draws.uniforms[rows] * (high - low)
    start = events.moment[rows]
    return pa.Table.from_arrays(
        [
            pa.array(rows, pa.int64()),
            pa.nulls(len(rows), pa.int64()),
            pa.array(encounter_types, pa.string()),
            pa.array(start),
            pa.array(start + np.round(length * 60).astype("timedelta64[s]")),
            pa.array(cpts, pa.string()),
            pa.array(reasons, pa.string()),
            pa.array(_specialties(events, patients, rows, encounter_types, cpts), pa.string()),
            pa.nulls(len(rows), pa.string()),
        ],
        schema=_MADE,
    )


def _stays(events: ClinicalEvents, patients: Patients) -> pa.Table:
    """Each admission with the discharge that closes it: a discharge closes the latest admission
    of its journey still open (so a stay never discharged does not take a later one's)."""
    discharge_of: dict[int, int] = {}
    open_admissions: dict[tuple[int, int], list[int]] = {}
    rows = events.of_type("admission", "discharge")
    kinds = events.table["event_type"].take(rows).to_pylist()
    is_admission = [kind == "admission" for kind in kinds]
    journeys = zip(events.patient[rows].tolist(), events.journey[rows].tolist(), strict=True)
    for row, admission, journey in zip(rows.tolist(), is_admission, journeys, strict=True):
        waiting = open_admissions.setdefault(journey, [])
        if admission:
            waiting.append(row)
        elif waiting:
            discharge_of[waiting.pop()] = row
    admissions = rows[np.array(is_admission, bool)]
    discharges = np.array([discharge_of.get(row, -1) for row in admissions.tolist()], np.int64)
    closed = discharges >= 0
    end = np.where(closed, events.moment[discharges], np.datetime64("NaT"))
    types = ["inpatient"] * len(admissions)
    dispositions = iter(events.text("discharge_disposition", discharges[closed]))
    disposition = [next(dispositions) if stay_closed else None for stay_closed in closed.tolist()]
    return pa.Table.from_arrays(
        [
            pa.array(admissions, pa.int64()),
            pa.array(discharges, pa.int64(), mask=~closed),
            pa.array(types, pa.string()),
            pa.array(events.moment[admissions]),
            pa.array(end),
            pa.nulls(len(admissions), pa.string()),
            pa.array(events.text("icd10", admissions), pa.string()),
            pa.array(
                _specialties(events, patients, admissions, types, [None] * len(types)), pa.string()
            ),
            pa.array(disposition, pa.string()),
        ],
        schema=_MADE,
    )


def _index(made: pa.Table, events: ClinicalEvents) -> EncounterIndex:
    source = made["source"].to_numpy()
    start = made["start"].to_numpy().view(np.int64)
    end = pc.fill_null(made["end"], made["start"]).to_numpy().view(np.int64)
    return EncounterIndex(events.patient[source], start, end, events.journey[source])


def _queries(events: ClinicalEvents, rows: np.ndarray) -> tuple[np.ndarray, ...]:
    """What ``EncounterIndex.find`` asks of these events: patient, moment, journey."""
    return events.patient[rows], events.moment[rows].view(np.int64), events.journey[rows]


def _implied(
    events: ClinicalEvents, patients: Patients, draws: Draws, index: EncounterIndex
) -> pa.Table:
    """The visits of the events of ``IMPLIED_TYPES`` outside every encounter of ``index`` and
    every visit implied before them."""
    rows = events.of_type(*IMPLIED_TYPES)
    rows = rows[index.find(*_queries(events, rows)) < 0]
    kinds = events.table["event_type"].take(rows).to_pylist()
    cpts = [
        (cpt or DIAGNOSIS_VISIT_CPT) if kind == "diagnosis" else cpt
        for kind, cpt in zip(kinds, events.text("cpt", rows), strict=True)
    ]
    types = [IMPLIED_TYPES[kind] for kind in kinds]
    visits = _visits(events, patients, draws, rows, types, cpts, events.text("icd10", rows))
    # an event inside a visit implied before it makes none
    implied_before: dict[int, list[tuple[int, int]]] = {}
    kept = []
    starts = visits["start"].to_numpy().view(np.int64).tolist()
    ends = visits["end"].to_numpy().view(np.int64).tolist()
    for patient, start, end in zip(events.patient[rows].tolist(), starts, ends, strict=True):
        earlier = implied_before.setdefault(patient, [])
        inside = any(begun <= start <= ended for begun, ended in earlier)
        if not inside:
            earlier.append((start, end))
        kept.append(not inside)
    return visits.filter(pa.array(kept, pa.bool_()))


def build_encounters(events: ClinicalEvents, patients: Patients, draws: Draws) -> Encounters:
    """Every encounter of the shard, and the one each event happened in."""
    rows = events.of_type("encounter")
    types = [kind or "office" for kind in events.text("encounter_type", rows)]
    visits = _visits(
        events,
        patients,
        draws,
        rows,
        types,
        events.text("cpt", rows),
        events.text("reason_icd10", rows),
    )
    explicit = pa.concat_tables([visits, _stays(events, patients)])
    implied = _implied(events, patients, draws, _index(explicit, events))
    made = pa.concat_tables([explicit, implied]).combine_chunks()
    of_event = _index(made, events).find(*_queries(events, np.arange(len(events))))
    made_by_event = np.full(len(events), -1, np.int64)
    made_by_event[made["source"].to_numpy()] = np.arange(made.num_rows)
    ids = events.ids(made["source"].to_numpy(), prefix="EN-")
    return Encounters(made, ids, of_event, made_by_event)
