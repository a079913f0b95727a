"""Observations: one row per lab result, with the lab table's name, reference range and flag.

The value is the event's: a journey draws it by the person's attributes (the diabetic journey's
HbA1c by ``severity``), the default trigger from the lab table for the person's conditions. A
result without a value draws one from the lab table for the conditions on the person at the
start. A result caused by a lab order points at it and belongs to the order's encounter.
"""

from __future__ import annotations

from typing import Any

from handlers.patientsim.chart import Chart, ClinicalEvent
from handlers.patientsim.encounters import EncounterIndex
from sim.codes.labs import load_labs

__all__ = ["build_observations"]


def _order_of(chart: Chart, result: ClinicalEvent) -> ClinicalEvent | None:
    cause = chart.by_id.get(result.caused_by) if result.caused_by else None
    return cause if cause is not None and cause.event_type == "lab_order" else None


def _observation(chart: Chart, result: ClinicalEvent, encounters: EncounterIndex) -> dict[str, Any]:
    loinc = result.required_text("loinc")
    test = load_labs().get(loinc)
    value = result.number("value")
    if value is None and test is not None:
        value = float(test.sample(chart.rng, chart.patient.conditions))
    order = _order_of(chart, result)
    # a result belongs to the encounter its specimen was ordered in
    encounter = encounters.of_event(result if order is None else order)
    return {
        "observation_id": f"OB-{result.event_id}",
        "patient_id": chart.patient.patient_id,
        "person_id": chart.patient.person_id,
        "event_id": result.event_id,
        "encounter_id": encounter.encounter_id if encounter else None,
        "order_event_id": order.event_id if order else None,
        "loinc": loinc,
        "name": test.name if test else result.text("test_name"),
        "value": value,
        "unit": result.text("unit") or (test.unit if test else None),
        "reference_low": test.reference_low if test else None,
        "reference_high": test.reference_high if test else None,
        "abnormal_flag": test.abnormal_flag(value) if test and value is not None else None,
        "ordered_datetime": order.moment if order else None,
        "effective_datetime": result.moment,
    }


def build_observations(chart: Chart, encounters: EncounterIndex) -> list[dict[str, Any]]:
    return [_observation(chart, result, encounters) for result in chart.of_type("lab_result")]
