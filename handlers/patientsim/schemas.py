"""The Arrow schemas of PatientSim's tables (docs/patientsim.md describes every column)."""

from __future__ import annotations

import pyarrow as pa

__all__ = [
    "CONDITIONS",
    "ENCOUNTERS",
    "MEDICATION_ORDERS",
    "OBSERVATIONS",
    "PATIENTS",
    "PROCEDURES",
    "SCHEMAS",
]

_TEXT = pa.string()
_MOMENT = pa.timestamp("s")


def _id(name: str) -> pa.Field:
    return pa.field(name, _TEXT, nullable=False)


PATIENTS = pa.schema(
    [
        _id("patient_id"),
        _id("person_id"),
        _id("mrn"),
        ("name", _TEXT),
        ("given_name", _TEXT),
        ("family_name", _TEXT),
        ("sex", _TEXT),
        ("birth_date", pa.date32()),
        ("race_ethnicity", _TEXT),
        ("address_line", _TEXT),
        ("city", _TEXT),
        ("state", _TEXT),
        ("zip_code", _TEXT),
        ("county_fips", _TEXT),
        ("conditions_at_start", pa.list_(_TEXT)),
    ]
)

ENCOUNTERS = pa.schema(
    [
        _id("encounter_id"),
        _id("patient_id"),
        _id("person_id"),
        _id("event_id"),
        ("discharge_event_id", _TEXT),
        ("journey_id", _TEXT),
        ("encounter_class", _TEXT),
        ("encounter_type", _TEXT),
        ("status", _TEXT),
        ("start_datetime", _MOMENT),
        ("end_datetime", _MOMENT),
        ("length_of_stay_days", pa.int32()),
        ("admission_type", _TEXT),
        ("discharge_disposition", _TEXT),
        ("discharge_status_code", _TEXT),
        ("place_of_service", _TEXT),
        ("facility_id", _TEXT),
        ("facility_name", _TEXT),
        ("provider_npi", _TEXT),
        ("provider_specialty", _TEXT),
        ("cpt", _TEXT),
        ("reason_icd10", _TEXT),
    ]
)

CONDITIONS = pa.schema(
    [
        _id("condition_id"),
        _id("patient_id"),
        _id("person_id"),
        ("event_id", _TEXT),
        ("encounter_id", _TEXT),
        ("icd10", _TEXT),
        ("description", _TEXT),
        ("source", _TEXT),
        ("onset_date", pa.date32()),
        ("recorded_date", pa.date32()),
        ("abatement_date", pa.date32()),
        ("clinical_status", _TEXT),
    ]
)

OBSERVATIONS = pa.schema(
    [
        _id("observation_id"),
        _id("patient_id"),
        _id("person_id"),
        _id("event_id"),
        ("encounter_id", _TEXT),
        ("order_event_id", _TEXT),
        ("loinc", _TEXT),
        ("name", _TEXT),
        ("value", pa.float64()),
        ("unit", _TEXT),
        ("reference_low", pa.float64()),
        ("reference_high", pa.float64()),
        ("abnormal_flag", _TEXT),
        ("ordered_datetime", _MOMENT),
        ("effective_datetime", _MOMENT),
    ]
)

MEDICATION_ORDERS = pa.schema(
    [
        _id("order_id"),
        _id("patient_id"),
        _id("person_id"),
        _id("event_id"),
        ("encounter_id", _TEXT),
        ("rxnorm", _TEXT),
        ("drug_name", _TEXT),
        ("dosage_text", _TEXT),
        ("quantity", pa.float64()),
        ("days_supply", pa.int32()),
        ("refills", pa.int32()),
        ("authored_date", pa.date32()),
    ]
)

PROCEDURES = pa.schema(
    [
        _id("procedure_id"),
        _id("patient_id"),
        _id("person_id"),
        _id("event_id"),
        ("encounter_id", _TEXT),
        ("code", _TEXT),
        ("code_system", _TEXT),
        ("description", _TEXT),
        ("reason_icd10", _TEXT),
        ("performed_date", pa.date32()),
    ]
)

#: table name -> schema, in the order the handler returns them
SCHEMAS: dict[str, pa.Schema] = {
    "patients": PATIENTS,
    "encounters": ENCOUNTERS,
    "conditions": CONDITIONS,
    "observations": OBSERVATIONS,
    "medication_orders": MEDICATION_ORDERS,
    "procedures": PROCEDURES,
}
