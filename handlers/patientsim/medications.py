"""Medication orders: one row per prescription, named and described through the drug table.

Quantity and days supply are the event's, else the drug's typical fill. The directions follow
from the daily amount: tablets or capsules per day become "1 tablet by mouth twice daily", an
oral liquid's millilitres per day are split into two doses; other forms are "as directed". A
maintenance drug is authorized for a year (11 refills of a 30-day supply, 3 of a 90-day one);
an acute course has none.
"""

from __future__ import annotations

from typing import Any

from handlers.patientsim.chart import Chart, ClinicalEvent
from handlers.patientsim.encounters import EncounterIndex
from sim.codes.drugs import Drug, load_drugs

__all__ = ["build_medication_orders", "dosage_text", "refills"]

AUTHORIZATION_DAYS = 365
_FREQUENCIES = {1: "once daily", 2: "twice daily", 3: "three times daily", 4: "four times daily"}
_SOLID_UNITS = ("tablet", "capsule")
_LIQUID_FORMS = ("oral suspension", "oral solution")


def dosage_text(drug: Drug, quantity: float, days_supply: int) -> str:
    """Directions from the daily amount, e.g. ``1 tablet by mouth twice daily``."""
    per_day = quantity / days_supply
    form = drug.dose_form.lower()
    unit = next((u for u in _SOLID_UNITS if u in form), None)
    if unit is not None and "oral" in form:
        if per_day.is_integer() and int(per_day) in _FREQUENCIES:
            return f"1 {unit} by mouth {_FREQUENCIES[int(per_day)]}"
        if per_day == 0.5:
            return f"1/2 {unit} by mouth once daily"
    if any(liquid in form for liquid in _LIQUID_FORMS) and drug.billing_unit == "ML":
        dose_ml = round(per_day / 2 * 2) / 2  # to the half millilitre of an oral syringe
        if dose_ml > 0:
            return f"{dose_ml:g} mL by mouth twice daily"
    return "use as directed"


def refills(drug: Drug | None, days_supply: int) -> int:
    if drug is None or not drug.maintenance:
        return 0
    return max(AUTHORIZATION_DAYS // days_supply - 1, 0)


def _order(chart: Chart, event: ClinicalEvent, encounters: EncounterIndex) -> dict[str, Any]:
    rxnorm = event.required_text("rxnorm")
    drug = load_drugs().get(rxnorm)
    quantity = event.number("quantity")
    days = event.number("days_supply")
    if quantity is None and drug is not None:
        quantity = drug.typical_quantity
    if days is None and drug is not None:
        days = float(drug.typical_days_supply)
    days_supply = None if days is None else max(round(days), 1)
    directions = None
    if drug is not None and quantity is not None and days_supply is not None:
        directions = dosage_text(drug, quantity, days_supply)
    encounter = encounters.of_event(event)
    return {
        "order_id": f"MO-{event.event_id}",
        "patient_id": chart.patient.patient_id,
        "person_id": chart.patient.person_id,
        "event_id": event.event_id,
        "encounter_id": encounter.encounter_id if encounter else None,
        "rxnorm": rxnorm,
        "drug_name": drug.name if drug else event.text("drug_name"),
        "dosage_text": directions,
        "quantity": quantity,
        "days_supply": days_supply,
        "refills": None if days_supply is None else refills(drug, days_supply),
        "authored_date": event.date,
    }


def build_medication_orders(chart: Chart, encounters: EncounterIndex) -> list[dict[str, Any]]:
    return [_order(chart, event, encounters) for event in chart.of_type("medication_order")]
