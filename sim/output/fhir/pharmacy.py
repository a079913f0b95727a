"""RxMemberSim's fills as MedicationDispense resources."""

from __future__ import annotations

from collections.abc import Mapping

import pyarrow as pa

from sim.output.fhir.common import (
    SYSTEMS,
    Resource,
    coding,
    concept,
    fhir_date,
    fhir_id,
    pruned,
    reference,
)
from sim.output.fhir.directory import Directory

__all__ = ["medication_dispenses"]

# a reversed fill's claim was taken back: the pharmacy returned the drug to stock unsold
_STATUSES = {"paid": "completed", "reversed": "cancelled"}


def medication_dispenses(
    table: pa.Table, directory: Directory, orders_by_event: Mapping[str, str]
) -> list[Resource]:
    """``orders_by_event``: MedicationRequest ids by the event id of their order, so a fill
    caused by a prescription points at it (``authorizingPrescription``)."""
    resources = []
    for row in table.to_pylist():
        order = orders_by_event.get(row["caused_by"] or "")
        first_fill = row["refill_number"] == 0
        codings = [coding("ndc", row["ndc"], row["drug_name"])] if row["ndc"] else []
        codings.append(coding("rxnorm", row["rxnorm"], row["drug_name"]))
        resources.append(
            pruned(
                {
                    "resourceType": "MedicationDispense",
                    "id": fhir_id(row["fill_id"]),
                    "status": _STATUSES.get(row["status"], "unknown"),
                    "medicationCodeableConcept": {"coding": codings, "text": row["drug_name"]},
                    "subject": directory.patient(row["person_id"], "fills"),
                    "authorizingPrescription": [reference("MedicationRequest", order)]
                    if order
                    else None,
                    "type": concept(
                        "act_code",
                        *(("FF", "First Fill") if first_fill else ("RF", "Refill")),
                    ),
                    "quantity": {"value": row["quantity"]},
                    "daysSupply": {
                        "value": row["days_supply"],
                        "unit": "days",
                        "system": SYSTEMS["ucum"],
                        "code": "d",
                    },
                    "whenHandedOver": fhir_date(row["fill_date"])
                    if row["status"] == "paid"
                    else None,
                }
            )
        )
    return resources
