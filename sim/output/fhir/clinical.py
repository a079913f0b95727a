"""PatientSim's tables as clinical resources: Encounter, Condition, Observation,
MedicationRequest and Procedure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

import pyarrow as pa

from sim.output.fhir.common import (
    SYSTEMS,
    Resource,
    coding,
    concept,
    fhir_date,
    fhir_datetime,
    fhir_id,
    pruned,
    reference,
)
from sim.output.fhir.directory import Directory

__all__ = ["conditions", "encounters", "medication_requests", "observations", "procedures"]

_CLASS_NAMES = {
    "AMB": "ambulatory",
    "EMER": "emergency",
    "IMP": "inpatient encounter",
    "HH": "home health",
    "VR": "virtual",
}
_INTERPRETATIONS = {"H": "High", "L": "Low", "N": "Normal"}
_CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"


def encounters(table: pa.Table, directory: Directory) -> list[Resource]:
    resources = []
    for row in table.to_pylist():
        encounter_class = row["encounter_class"]
        discharge = row["discharge_status_code"]
        resources.append(
            pruned(
                {
                    "resourceType": "Encounter",
                    "id": fhir_id(row["encounter_id"]),
                    "status": row["status"],
                    "class": coding("act_code", encounter_class, _CLASS_NAMES.get(encounter_class)),
                    "type": [_procedure_code(row["cpt"])] if row["cpt"] else None,
                    "subject": directory.patient(row["person_id"], "encounters"),
                    "participant": [{"individual": directory.practitioner(row["provider_npi"])}]
                    if row["provider_npi"]
                    else None,
                    "period": {
                        "start": fhir_datetime(row["start_datetime"]),
                        "end": fhir_datetime(row["end_datetime"]),
                    },
                    "reasonCode": [concept("icd10cm", row["reason_icd10"])]
                    if row["reason_icd10"]
                    else None,
                    "hospitalization": {
                        "dischargeDisposition": concept(
                            "discharge_status", discharge, row["discharge_disposition"]
                        )
                    }
                    if discharge
                    else None,
                    "serviceProvider": directory.organization(
                        row["facility_id"], "provider", row["facility_name"]
                    )
                    if row["facility_id"]
                    else None,
                }
            )
        )
    return resources


def conditions(
    table: pa.Table, directory: Directory, encounter_ids: Collection[str]
) -> list[Resource]:
    resources = []
    for row in table.to_pylist():
        history = row["source"] == "history"
        category = (
            ("problem-list-item", "Problem List Item")
            if history
            else (
                "encounter-diagnosis",
                "Encounter Diagnosis",
            )
        )
        resources.append(
            pruned(
                {
                    "resourceType": "Condition",
                    "id": fhir_id(row["condition_id"]),
                    "clinicalStatus": concept(
                        "http://terminology.hl7.org/CodeSystem/condition-clinical",
                        row["clinical_status"],
                    ),
                    "verificationStatus": concept(
                        "http://terminology.hl7.org/CodeSystem/condition-ver-status", "confirmed"
                    ),
                    "category": [concept(_CONDITION_CATEGORY, *category)],
                    "code": concept("icd10cm", row["icd10"], row["description"]),
                    "subject": directory.patient(row["person_id"], "conditions"),
                    "encounter": _encounter(row["encounter_id"], encounter_ids),
                    "onsetDateTime": fhir_date(row["onset_date"]),
                    "abatementDateTime": fhir_date(row["abatement_date"]),
                    "recordedDate": fhir_date(row["recorded_date"]),
                }
            )
        )
    return resources


def observations(
    table: pa.Table, directory: Directory, encounter_ids: Collection[str]
) -> list[Resource]:
    resources = []
    for row in table.to_pylist():
        unit = row["unit"]  # the lab table's units are UCUM codes
        flag = row["abnormal_flag"]
        low, high = row["reference_low"], row["reference_high"]
        resources.append(
            pruned(
                {
                    "resourceType": "Observation",
                    "id": fhir_id(row["observation_id"]),
                    "status": "final",
                    "category": [
                        concept(
                            "http://terminology.hl7.org/CodeSystem/observation-category",
                            "laboratory",
                            "Laboratory",
                        )
                    ],
                    "code": concept("loinc", row["loinc"], row["name"]),
                    "subject": directory.patient(row["person_id"], "observations"),
                    "encounter": _encounter(row["encounter_id"], encounter_ids),
                    "effectiveDateTime": fhir_datetime(row["effective_datetime"]),
                    "valueQuantity": _quantity(row["value"], unit),
                    "interpretation": [concept("interpretation", flag, _INTERPRETATIONS[flag])]
                    if flag
                    else None,
                    "referenceRange": [{"low": _quantity(low, unit), "high": _quantity(high, unit)}]
                    if low is not None or high is not None
                    else None,
                }
            )
        )
    return resources


def medication_requests(
    table: pa.Table, directory: Directory, encounter_ids: Collection[str], run_end: dt.date | None
) -> list[Resource]:
    """An order is ``active`` while its fills (the first and every refill) can still run,
    ``completed`` once they have all run out before the end of the run."""
    resources = []
    for row in table.to_pylist():
        days_supply, refills = row["days_supply"], row["refills"] or 0
        status = "active"
        if run_end is not None and days_supply is not None:
            supply_end = row["authored_date"] + dt.timedelta(days=days_supply * (refills + 1))
            status = "completed" if supply_end < run_end else "active"
        resources.append(
            pruned(
                {
                    "resourceType": "MedicationRequest",
                    "id": fhir_id(row["order_id"]),
                    "status": status,
                    "intent": "order",
                    "medicationCodeableConcept": concept("rxnorm", row["rxnorm"], row["drug_name"]),
                    "subject": directory.patient(row["person_id"], "medication_orders"),
                    "encounter": _encounter(row["encounter_id"], encounter_ids),
                    "authoredOn": fhir_date(row["authored_date"]),
                    "dosageInstruction": [{"text": row["dosage_text"]}]
                    if row["dosage_text"]
                    else None,
                    "dispenseRequest": {
                        "numberOfRepeatsAllowed": refills,
                        "quantity": {"value": row["quantity"]}
                        if row["quantity"] is not None
                        else None,
                        "expectedSupplyDuration": _days(days_supply),
                    },
                }
            )
        )
    return resources


def procedures(
    table: pa.Table, directory: Directory, encounter_ids: Collection[str]
) -> list[Resource]:
    resources = []
    for row in table.to_pylist():
        resources.append(
            pruned(
                {
                    "resourceType": "Procedure",
                    "id": fhir_id(row["procedure_id"]),
                    "status": "completed",
                    "code": _procedure_code(row["code"], row["description"]),
                    "subject": directory.patient(row["person_id"], "procedures"),
                    "encounter": _encounter(row["encounter_id"], encounter_ids),
                    "performedDateTime": fhir_date(row["performed_date"]),
                    "reasonCode": [concept("icd10cm", row["reason_icd10"])]
                    if row["reason_icd10"]
                    else None,
                }
            )
        )
    return resources


def _procedure_code(code: str, description: str | None = None) -> Resource:
    """CPT codes are five digits (Category II/III end in F/T); HCPCS Level II start with a
    letter."""
    system = "hcpcs" if code[:1].isalpha() else "cpt"
    return concept(system, code, description)


def _encounter(encounter_id: str | None, encounter_ids: Collection[str]) -> Resource | None:
    """A reference to an exported encounter, or none (its table may be absent)."""
    if encounter_id is None or encounter_id not in encounter_ids:
        return None
    return reference("Encounter", fhir_id(encounter_id))


def _quantity(value: float | None, unit: str) -> dict[str, Any] | None:
    if value is None:
        return None
    return {"value": value, "unit": unit, "system": SYSTEMS["ucum"], "code": unit}


def _days(days: int | None) -> dict[str, Any] | None:
    if days is None:
        return None
    return {"value": days, "unit": "days", "system": SYSTEMS["ucum"], "code": "d"}
