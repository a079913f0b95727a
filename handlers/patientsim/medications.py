"""Medication orders: one row per prescription, named and described through the drug table.

Quantity and days supply are the event's, else the drug's typical fill. The directions follow
from the daily amount: tablets or capsules per day become "1 tablet by mouth twice daily", an
oral liquid's millilitres per day are split into two doses; other forms are "as directed". A
maintenance drug is authorized for a year (11 refills of a 30-day supply, 3 of a 90-day one);
an acute course has none.
"""

from __future__ import annotations

import pyarrow as pa

from handlers.patientsim import schemas
from handlers.patientsim.columns import per_value, table
from handlers.patientsim.encounters import Encounters
from handlers.patientsim.events import ClinicalEvents
from handlers.patientsim.patients import Patients
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


def build_medication_orders(
    events: ClinicalEvents, patients: Patients, encounters: Encounters
) -> pa.Table:
    rows = events.of_type("medication_order")
    rxnorm = events.required_text("rxnorm", rows)
    drugs: list[Drug | None] = per_value(rxnorm, load_drugs().get)
    quantities = [
        drug.typical_quantity if quantity is None and drug is not None else quantity
        for quantity, drug in zip(events.number("quantity", rows), drugs, strict=True)
    ]
    days = [
        float(drug.typical_days_supply) if days is None and drug is not None else days
        for days, drug in zip(events.number("days_supply", rows), drugs, strict=True)
    ]
    days_supply = [None if days is None else max(round(days), 1) for days in days]
    fills = list(zip(drugs, quantities, days_supply, strict=True))
    columns = {
        "order_id": events.ids(rows, prefix="MO-"),
        **patients.ids(events.patient[rows]),
        "event_id": events.ids(rows),
        "encounter_id": encounters.ids_at(encounters.of_event[rows]),
        "rxnorm": rxnorm,
        "drug_name": [
            drug.name if drug else name
            for drug, name in zip(drugs, events.text("drug_name", rows), strict=True)
        ],
        "dosage_text": per_value(fills, _directions),
        "quantity": quantities,
        "days_supply": days_supply,
        "refills": [None if days is None else refills(drug, days) for drug, _, days in fills],
        "authored_date": events.moment[rows].astype("datetime64[D]"),
    }
    return table(schemas.MEDICATION_ORDERS, columns)


def _directions(fill: tuple[Drug | None, float | None, int | None]) -> str | None:
    drug, quantity, days_supply = fill
    if drug is None or quantity is None or days_supply is None:
        return None
    return dosage_text(drug, quantity, days_supply)
