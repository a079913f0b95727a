"""Procedures: one row per procedure event and per drug administration (chemotherapy infusion),
with the code's description from the procedure table (the event's own wording for a code the
table does not have)."""

from __future__ import annotations

import pyarrow as pa

from handlers.patientsim import schemas
from handlers.patientsim.columns import per_value, table
from handlers.patientsim.encounters import Encounters
from handlers.patientsim.events import ClinicalEvents
from handlers.patientsim.patients import Patients
from sim.codes.procedures import is_hcpcs_level2, load_procedures

__all__ = ["build_procedures"]


def _coded(code: str) -> tuple[str, str | None]:
    """The code system and description of a code; no description if the table lacks it."""
    known = load_procedures().get(code)
    if known is not None:
        return known.code_system, known.description
    return ("HCPCS" if is_hcpcs_level2(code) else "CPT"), None


def build_procedures(
    events: ClinicalEvents, patients: Patients, encounters: Encounters
) -> pa.Table:
    rows = events.of_type("procedure", "medication_administration")
    codes = events.required_text("cpt", rows)
    coded = per_value(codes, _coded)
    columns = {
        "procedure_id": events.ids(rows, prefix="PR-"),
        **patients.ids(events.patient[rows]),
        "event_id": events.ids(rows),
        "encounter_id": encounters.ids_at(encounters.of_event[rows]),
        "code": codes,
        "code_system": [system for system, _ in coded],
        "description": [
            described or own
            for (_, described), own in zip(coded, events.text("description", rows), strict=True)
        ],
        "reason_icd10": events.text("icd10", rows),
        "performed_date": events.moment[rows].astype("datetime64[D]"),
    }
    return table(schemas.PROCEDURES, columns)
