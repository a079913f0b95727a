"""The resources other resources point at: patients, practitioners and organizations.

Builders ask the directory for a reference; the directory remembers what it handed out and
emits each referenced Practitioner and Organization once, so every reference in the export
resolves and nothing unreferenced is invented.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pyarrow as pa

from sim.errors import SpecError
from sim.output.fhir.common import (
    SYSTEMS,
    Resource,
    concept,
    fhir_date,
    fhir_id,
    pruned,
    reference,
)

__all__ = ["Directory"]

_GENDERS = {"F": "female", "M": "male"}
_ORGANIZATION_TYPES = {"payer": ("pay", "Payer"), "provider": ("prov", "Healthcare Provider")}


class Directory:
    """Patients by person id (from ``patients``; a person with no patient row, such as a
    member of a run without PatientSim, gets a Patient from ``persons``), and the
    practitioners and organizations referenced so far."""

    def __init__(self, tables: Mapping[str, pa.Table]) -> None:
        self.patients: dict[str, Resource] = {}
        self._persons: dict[str, dict[str, Any]] = {}
        if "patients" in tables:
            for row in tables["patients"].to_pylist():
                self.patients[row["person_id"]] = _patient(row)
        if "persons" in tables:
            self._persons = {row["person_id"]: row for row in tables["persons"].to_pylist()}
        self.practitioners: dict[str, Resource] = {}
        self.organizations: dict[str, Resource] = {}

    def patient(self, person_id: str, table: str) -> dict[str, str]:
        """The reference to the person's Patient (made from ``persons`` if need be)."""
        if person_id not in self.patients:
            person = self._persons.get(person_id)
            if person is None:
                raise SpecError(
                    f"person '{person_id}' has no row in 'patients' or 'persons'",
                    path=(table, "person_id"),
                )
            self.patients[person_id] = _patient(
                {
                    **person,
                    "given_name": person.get("first_name"),
                    "family_name": person.get("last_name"),
                }
            )
        return reference("Patient", self.patients[person_id]["id"])

    def practitioner(self, npi: str) -> dict[str, str]:
        resource_id = fhir_id("npi", npi)
        self.practitioners.setdefault(
            resource_id,
            {
                "resourceType": "Practitioner",
                "id": resource_id,
                "identifier": [{"system": SYSTEMS["npi"], "value": npi}],
                "active": True,
            },
        )
        return reference("Practitioner", resource_id)

    def organization(
        self, key: str, kind: str, name: str | None = None, npi: str | None = None
    ) -> dict[str, str]:
        """An Organization of ``kind`` payer or provider, identified by ``key``."""
        resource_id = fhir_id(key)
        code, display = _ORGANIZATION_TYPES[kind]
        identifier = [{"system": SYSTEMS["npi"], "value": npi}] if npi else None
        self.organizations.setdefault(
            resource_id,
            pruned(
                {
                    "resourceType": "Organization",
                    "id": resource_id,
                    "identifier": identifier,
                    "active": True,
                    "type": [
                        concept(
                            "http://terminology.hl7.org/CodeSystem/organization-type",
                            code,
                            display,
                        )
                    ],
                    "name": name,
                }
            ),
        )
        return reference("Organization", resource_id)

    def resources(self) -> dict[str, list[Resource]]:
        return {
            "Patient": list(self.patients.values()),
            "Practitioner": list(self.practitioners.values()),
            "Organization": list(self.organizations.values()),
        }


def _patient(row: Mapping[str, Any]) -> Resource:
    identifiers = [{"system": SYSTEMS["person"], "value": row["person_id"]}]
    if row.get("mrn"):
        identifiers.insert(
            0,
            {
                "type": concept("identifier_type", "MR", "Medical record number"),
                "system": SYSTEMS["mrn"],
                "value": row["mrn"],
            },
        )
    given = row.get("given_name")
    return pruned(
        {
            "resourceType": "Patient",
            "id": fhir_id(row.get("patient_id") or row["person_id"]),
            "identifier": identifiers,
            "name": [
                {
                    "use": "official",
                    "family": row.get("family_name"),
                    "given": [given] if given else None,
                }
            ],
            "gender": _GENDERS.get(row.get("sex") or "", "unknown"),
            "birthDate": fhir_date(row.get("birth_date")),
            "address": [
                {
                    "use": "home",
                    "line": [row["address_line"]] if row.get("address_line") else None,
                    "city": row.get("city"),
                    "state": row.get("state"),
                    "postalCode": row.get("zip_code"),
                    "country": "US",
                }
            ],
        }
    )
