"""``records``: PatientSim's tables from a run's persons and events.

The patients' random draws come first, patient by patient from each one's own stream
(``draws``); every table is then built for the whole shard at once, column by column. Records
therefore depend only on the seed and the patient, whatever else the run holds.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from handlers.base import HandlerContext, events_of
from handlers.patientsim.clock import Clock
from handlers.patientsim.conditions import build_conditions, onset_windows
from handlers.patientsim.draws import draw
from handlers.patientsim.encounter_table import encounter_table
from handlers.patientsim.encounters import build_encounters
from handlers.patientsim.events import ClinicalEvents
from handlers.patientsim.medications import build_medication_orders
from handlers.patientsim.observations import LabResults
from handlers.patientsim.patients import Patients
from handlers.patientsim.procedures import build_procedures

__all__ = ["PRODUCT", "records"]

PRODUCT = "patientsim"


def records(events: pa.Table, persons: pa.Table, context: HandlerContext) -> dict[str, pa.Table]:
    """patients, encounters, conditions, observations, medication_orders and procedures of
    every person with a ``patient_id``."""
    patients = Patients.of(persons)
    clock = Clock(context.start_date, context.horizon_days)
    person_ids = patients.table["person_id"].combine_chunks()
    clinical = ClinicalEvents.of(events_of(events, PRODUCT), person_ids, clock)
    results = LabResults(clinical)
    draws = draw(
        context.rngs(PRODUCT, indices=patients.person_index),
        np.bincount(clinical.patient, minlength=len(patients)),
        onset_windows(patients, clock),
        results.to_draw(),
        patients.conditions,
    )
    encounters = build_encounters(clinical, patients, draws)
    return {
        "patients": patients.table,
        "encounters": encounter_table(encounters, clinical, patients, draws),
        "conditions": build_conditions(clinical, patients, encounters, draws.onset_days, clock),
        "observations": results.table(patients, encounters, draws.lab_values),
        "medication_orders": build_medication_orders(clinical, patients, encounters),
        "procedures": build_procedures(clinical, patients, encounters),
    }
