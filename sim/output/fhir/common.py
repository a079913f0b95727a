"""What every FHIR resource builder shares: ids, references, codings, dates and money.

Everything here is deterministic: a resource's id comes from its table id, never from a
counter or a random draw, so the same tables give byte-identical NDJSON.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import Any

__all__ = [
    "SYSTEMS",
    "coding",
    "concept",
    "fhir_date",
    "fhir_datetime",
    "fhir_id",
    "money",
    "pruned",
    "reference",
]

Resource = dict[str, Any]

#: the code systems of the export (canonical URIs from HL7 terminology and US realm guides)
SYSTEMS = {
    "icd10cm": "http://hl7.org/fhir/sid/icd-10-cm",
    "loinc": "http://loinc.org",
    "rxnorm": "http://www.nlm.nih.gov/research/umls/rxnorm",
    "ndc": "http://hl7.org/fhir/sid/ndc",
    "cpt": "http://www.ama-assn.org/go/cpt",
    "hcpcs": "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets",
    "ucum": "http://unitsofmeasure.org",
    "npi": "http://hl7.org/fhir/sid/us-npi",
    "act_code": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
    "interpretation": "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation",
    "identifier_type": "http://terminology.hl7.org/CodeSystem/v2-0203",
    "place_of_service": "https://www.cms.gov/Medicare/Coding/place-of-service-codes/"
    "Place_of_Service_Code_Set",
    "revenue": "https://www.nubc.org/CodeSystem/RevenueCodes",
    "discharge_status": "https://www.nubc.org/CodeSystem/PatDischargeStatus",
    "carc": "https://x12.org/codes/claim-adjustment-reason-codes",
    "ms_drg": "https://www.cms.gov/Medicare/Medicare-Fee-for-Service-Payment/AcuteInpatientPPS/"
    "MS-DRG-Classifications-and-Software",
    "data_absent": "http://terminology.hl7.org/CodeSystem/data-absent-reason",
    # HealthSim's own identifiers (synthetic, so under a URN rather than a real authority)
    "mrn": "urn:healthsim:mrn",
    "person": "urn:healthsim:person-id",
    "member": "urn:healthsim:member-id",
    "claim": "urn:healthsim:claim-id",
    "subject": "urn:healthsim:trial-subject-id",
    "study": "urn:healthsim:study-id",
}

_INVALID_ID = re.compile(r"[^A-Za-z0-9\-.]")
_MAX_ID_LENGTH = 64


def fhir_id(*parts: str) -> str:
    """A FHIR id ([A-Za-z0-9-.]{1,64}) from table ids: other characters become '-', and an id
    too long keeps its first 47 characters plus a hash of the whole, so it stays unique."""
    text = _INVALID_ID.sub("-", "-".join(parts))
    if len(text) > _MAX_ID_LENGTH:
        digest = hashlib.sha256(text.encode()).hexdigest()[:16]
        text = f"{text[: _MAX_ID_LENGTH - 17]}-{digest}"
    return text


def reference(resource_type: str, resource_id: str) -> dict[str, str]:
    return {"reference": f"{resource_type}/{resource_id}"}


def coding(system: str, code: str, display: str | None = None) -> dict[str, str]:
    result = {"system": SYSTEMS.get(system, system), "code": code}
    if display:
        result["display"] = display
    return result


def concept(system: str, code: str, display: str | None = None) -> Resource:
    """A CodeableConcept with one coding (its display also the text)."""
    result: Resource = {"coding": [coding(system, code, display)]}
    if display:
        result["text"] = display
    return result


def fhir_date(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def fhir_datetime(value: dt.datetime | None) -> str | None:
    """Timestamps are simulated wall-clock times without a zone; FHIR requires a zone when a
    time is given, so they are written as UTC."""
    if value is None:
        return None
    return value.replace(microsecond=0).isoformat() + "Z"


def money(value_usd: float) -> dict[str, Any]:
    return {"value": round(float(value_usd), 2), "currency": "USD"}


def pruned(resource: Resource) -> Resource:
    """The resource without None values or empty lists (FHIR JSON forbids nulls and empty
    arrays); nested objects are pruned too."""
    result: Resource = {}
    for key, value in resource.items():
        if isinstance(value, dict):
            value = pruned(value)
        elif isinstance(value, list):
            value = [pruned(item) if isinstance(item, dict) else item for item in value]
            value = [item for item in value if item not in (None, {})]
        if value is None or value == [] or value == {}:
            continue
        result[key] = value
    return result
