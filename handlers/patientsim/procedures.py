"""Procedures: one row per procedure event and per drug administration (chemotherapy infusion),
with the code's description from the procedure table (the event's own wording for a code the
table does not have)."""

from __future__ import annotations

from typing import Any

from handlers.patientsim.chart import Chart, ClinicalEvent
from handlers.patientsim.encounters import EncounterIndex
from sim.codes.procedures import is_hcpcs_level2, load_procedures

__all__ = ["build_procedures"]


def _procedure(chart: Chart, event: ClinicalEvent, encounters: EncounterIndex) -> dict[str, Any]:
    code = event.required_text("cpt")
    known = load_procedures().get(code)
    if known is not None:
        system, description = known.code_system, known.description
    else:
        system = "HCPCS" if is_hcpcs_level2(code) else "CPT"
        description = event.text("description")
    encounter = encounters.of_event(event)
    return {
        "procedure_id": f"PR-{event.event_id}",
        "patient_id": chart.patient.patient_id,
        "person_id": chart.patient.person_id,
        "event_id": event.event_id,
        "encounter_id": encounter.encounter_id if encounter else None,
        "code": code,
        "code_system": system,
        "description": description,
        "reason_icd10": event.text("icd10"),
        "performed_date": event.date,
    }


def build_procedures(chart: Chart, encounters: EncounterIndex) -> list[dict[str, Any]]:
    events = chart.of_type("procedure", "medication_administration")
    return [_procedure(chart, event, encounters) for event in events]
