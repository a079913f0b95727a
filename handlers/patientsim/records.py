"""``records``: PatientSim's tables from a run's persons and events.

Each patient's chart is built on its own, in this order of draws from the patient's stream
``(handlers, patientsim, person index)``: a key for their care sites and one uniform per event
(a visit's length), the onsets of the conditions on them at the start, any lab value a result
lacks. Records therefore depend only on
the seed and the patient, whatever else the run holds.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from handlers.base import HandlerContext, events_of
from handlers.patientsim import schemas
from handlers.patientsim.chart import Chart, ClinicalEvent, Clock, PatientFacts
from handlers.patientsim.conditions import build_conditions
from handlers.patientsim.encounters import build_encounters
from handlers.patientsim.identifiers import mrn
from handlers.patientsim.medications import build_medication_orders
from handlers.patientsim.observations import build_observations
from handlers.patientsim.procedures import build_procedures

__all__ = ["PRODUCT", "records"]

PRODUCT = "patientsim"
_OPTIONAL_TEXT = ("race_ethnicity", "address_line", "city", "state", "zip_code", "county_fips")


def _column(persons: pa.Table, name: str, kind: pa.DataType) -> pa.ChunkedArray | pa.Array:
    if name in persons.column_names:
        return persons[name]
    return pa.nulls(persons.num_rows, kind)


def _conditions(persons: pa.Table) -> pa.ChunkedArray | pa.Array:
    if "conditions" not in persons.column_names:
        return pa.array([[] for _ in range(persons.num_rows)], pa.list_(pa.string()))
    return pc.fill_null(persons["conditions"], pa.scalar([], pa.list_(pa.string())))


def _patients(persons: pa.Table) -> pa.Table:
    index = persons["person_index"].to_pylist()
    given = _column(persons, "first_name", pa.string())
    family = _column(persons, "last_name", pa.string())
    columns: dict[str, Any] = {
        "patient_id": persons["patient_id"],
        "person_id": persons["person_id"],
        "mrn": pa.array([mrn(i) for i in index], pa.string()),
        "name": pc.binary_join_element_wise(given, family, " "),
        "given_name": given,
        "family_name": family,
        "sex": persons["sex"],
        "birth_date": persons["birth_date"],
    }
    columns |= {name: _column(persons, name, pa.string()) for name in _OPTIONAL_TEXT}
    columns["conditions_at_start"] = _conditions(persons)
    arrays = [columns[field.name].cast(field.type) for field in schemas.PATIENTS]
    return pa.Table.from_arrays(arrays, schema=schemas.PATIENTS)


def _facts(patients: pa.Table, persons: pa.Table) -> list[PatientFacts]:
    return [
        PatientFacts(person_id, patient_id, index, age, birth, county, tuple(conditions))
        for person_id, patient_id, index, age, birth, county, conditions in zip(
            persons["person_id"].to_pylist(),
            persons["patient_id"].to_pylist(),
            persons["person_index"].to_pylist(),
            persons["age"].to_pylist(),
            persons["birth_date"].to_pylist(),
            patients["county_fips"].to_pylist(),
            patients["conditions_at_start"].to_pylist(),
            strict=True,
        )
    ]


def _events_by_person(
    events: pa.Table, person_ids: pa.Array, clock: Clock
) -> dict[str, list[ClinicalEvent]]:
    clinical = events_of(events, PRODUCT)
    clinical = clinical.filter(pc.is_in(clinical["person_id"], person_ids))
    clinical = clinical.sort_by(
        [("person_index", "ascending"), ("time_days", "ascending"), ("event_id", "ascending")]
    )
    # one JSON document for all the parameters: far faster than a parse per row
    parameters = json.loads("[" + ",".join(clinical["parameters"].to_pylist()) + "]")
    columns = [
        clinical[name].to_pylist()
        for name in ("event_id", "event_type", "definition_id", "journey_id", "time_days")
    ]
    moments = clock.moments(clinical["time_days"].to_numpy())
    grouped: dict[str, list[ClinicalEvent]] = defaultdict(list)
    for person_id, *fields, moment, caused_by, parameter in zip(
        clinical["person_id"].to_pylist(),
        *columns,
        moments,
        clinical["caused_by"].to_pylist(),
        parameters,
        strict=True,
    ):
        grouped[person_id].append(ClinicalEvent(*fields, moment, caused_by, parameter))
    return grouped


def records(events: pa.Table, persons: pa.Table, context: HandlerContext) -> dict[str, pa.Table]:
    """patients, encounters, conditions, observations, medication_orders and procedures of
    every person with a ``patient_id``."""
    if "patient_id" in persons.column_names:
        persons = persons.filter(pc.is_valid(persons["patient_id"]))
    else:
        persons = persons.slice(0, 0).append_column("patient_id", pa.array([], pa.string()))
    patients = _patients(persons)
    clock = Clock(context.start_date, context.horizon_days)
    grouped = _events_by_person(events, persons["person_id"].combine_chunks(), clock)
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in schemas.SCHEMAS}
    everyone = _facts(patients, persons)
    rngs = context.rngs(PRODUCT, indices=[facts.person_index for facts in everyone])
    for facts, rng in zip(everyone, rngs, strict=True):
        chart = Chart(facts, grouped.get(facts.person_id, []), clock, rng)
        encounters = build_encounters(chart)
        in_time_order = sorted(encounters.encounters, key=lambda e: (e.start, e.encounter_id))
        rows["encounters"] += [encounter.row(chart) for encounter in in_time_order]
        rows["conditions"] += build_conditions(chart, encounters)
        rows["observations"] += build_observations(chart, encounters)
        rows["medication_orders"] += build_medication_orders(chart, encounters)
        rows["procedures"] += build_procedures(chart, encounters)
    tables = {"patients": patients}
    for name, schema in schemas.SCHEMAS.items():
        if name != "patients":
            tables[name] = pa.Table.from_pylist(rows[name], schema=schema)
    return tables
