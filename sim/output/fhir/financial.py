"""MemberSim's tables as financial resources: Coverage (an enrollment), Claim and
ExplanationOfBenefit (a medical claim with its lines, as billed and as adjudicated)."""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from typing import Any

import pyarrow as pa

from sim.errors import SpecError
from sim.output.fhir.common import (
    SYSTEMS,
    Resource,
    concept,
    fhir_date,
    fhir_id,
    money,
    pruned,
    reference,
)
from sim.output.fhir.directory import Directory

__all__ = ["Coverages", "claims"]

_RELATIONSHIPS = {"18": "self", "01": "spouse", "19": "child"}  # X12 individual relationship
_CLAIM_TYPE = "http://terminology.hl7.org/CodeSystem/claim-type"
_ADJUDICATION = "http://terminology.hl7.org/CodeSystem/adjudication"
_ADJUDICATED = (("submitted", "billed_usd"), ("eligible", "allowed_usd"), ("benefit", "paid_usd"))


class Coverages:
    """Coverage resources from ``enrollments`` (plan names from ``members``), and the one
    covering a member on a date."""

    def __init__(self, enrollments: pa.Table, members: pa.Table | None, directory: Directory):
        plan_names: dict[str, str] = {}
        if members is not None:
            plan_names = {
                row["plan_id"]: row["plan_name"]
                for row in members.select(["plan_id", "plan_name"]).to_pylist()
            }
        self.resources: list[Resource] = []
        self._by_member: dict[str, list[tuple[dt.date, str]]] = defaultdict(list)
        relationships = _relationships(members)
        for row in enrollments.to_pylist():
            resource_id = fhir_id(row["enrollment_id"])
            self._by_member[row["member_id"]].append((row["start_date"], resource_id))
            plan_id = row["plan_id"]
            payer = directory.organization(f"payer-{plan_id}", "payer", plan_names.get(plan_id))
            relationship = _RELATIONSHIPS.get(relationships.get(row["member_id"], ""), "other")
            self.resources.append(
                pruned(
                    {
                        "resourceType": "Coverage",
                        "id": resource_id,
                        "identifier": [{"system": SYSTEMS["member"], "value": row["member_id"]}],
                        "status": "active",
                        "type": {"text": row["plan_type"]} if row["plan_type"] else None,
                        "subscriberId": row["subscriber_id"],
                        "beneficiary": directory.patient(row["person_id"], "enrollments"),
                        "relationship": concept(
                            "http://terminology.hl7.org/CodeSystem/subscriber-relationship",
                            relationship,
                        ),
                        "period": {
                            "start": fhir_date(row["start_date"]),
                            "end": fhir_date(row["end_date"]),
                        },
                        "payor": [payer],
                        "class": [
                            {
                                "type": concept(
                                    "http://terminology.hl7.org/CodeSystem/coverage-class", "plan"
                                ),
                                "value": plan_id,
                                "name": plan_names.get(plan_id),
                            }
                        ],
                    }
                )
            )
        for spans in self._by_member.values():
            spans.sort()

    def covering(self, member_id: str, day: dt.date, claim_id: str) -> dict[str, str]:
        """The member's enrollment in force on ``day``: the latest to start on or before it
        (the first one for a claim dated before every enrollment)."""
        spans = self._by_member.get(member_id)
        if not spans:
            raise SpecError(
                f"claim '{claim_id}': member '{member_id}' has no row in 'enrollments'",
                path=("claims", "member_id"),
            )
        position = bisect.bisect_right(spans, (day, "\uffff")) - 1
        return reference("Coverage", spans[max(position, 0)][1])


def claims(
    claims_table: pa.Table, lines: pa.Table, directory: Directory, coverages: Coverages
) -> tuple[list[Resource], list[Resource]]:
    """Claim and ExplanationOfBenefit resources, one of each per claim."""
    lines_of: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for line in lines.to_pylist():
        lines_of[line["claim_id"]].append(line)
    claim_resources, benefit_resources = [], []
    for row in claims_table.to_pylist():
        resource_id = fhir_id(row["claim_id"])
        items = [
            _item(line)
            for line in sorted(lines_of[row["claim_id"]], key=lambda line: line["line_number"])
        ]
        shared = {
            "id": resource_id,
            "identifier": [{"system": SYSTEMS["claim"], "value": row["claim_id"]}],
            "status": "active",
            "type": concept(_CLAIM_TYPE, row["claim_type"]),
            "use": "claim",
            "patient": directory.patient(row["person_id"], "claims"),
            "billablePeriod": {
                "start": fhir_date(row["service_date"]),
                "end": fhir_date(row["service_end_date"]),
            },
            "insurer": directory.organization(f"payer-{row['plan_id']}", "payer"),
            "provider": directory.organization(
                f"npi-{row['billing_npi']}", "provider", npi=row["billing_npi"]
            ),
            "careTeam": [{"sequence": 1, "provider": directory.practitioner(row["rendering_npi"])}]
            if row["rendering_npi"]
            else None,
            "diagnosis": _diagnoses(row),
        }
        coverage = coverages.covering(row["member_id"], row["service_date"], row["claim_id"])
        claim_resources.append(
            pruned(
                {
                    "resourceType": "Claim",
                    **shared,
                    "created": fhir_date(row["received_date"] or row["service_date"]),
                    "priority": concept(
                        "http://terminology.hl7.org/CodeSystem/processpriority", "normal"
                    ),
                    "insurance": [{"sequence": 1, "focal": True, "coverage": coverage}],
                    "item": [item for item, _ in items],
                    "total": money(row["billed_usd"]),
                }
            )
        )
        benefit_resources.append(pruned(_benefit(row, shared, coverage, items)))
    return claim_resources, benefit_resources


def _benefit(
    row: dict[str, Any],
    shared: Resource,
    coverage: dict[str, str],
    items: list[tuple[Resource, list[Resource]]],
) -> Resource:
    denial = row["denial_code"]
    adjudicated = row["paid_date"] is not None
    header = [
        {"category": concept(_ADJUDICATION, category), "amount": money(row[column])}
        for category, column in (("copay", "copay_usd"), ("deductible", "deductible_usd"))
        if row[column]
    ]
    if denial:
        # CARC codes come as <group>-<reason> (CO-16); the reason code is the CARC code
        header.append(
            {
                "category": concept(_ADJUDICATION, "benefit"),
                "reason": concept("carc", denial.split("-")[-1], denial),
                "amount": money(0.0),
            }
        )
    return {
        "resourceType": "ExplanationOfBenefit",
        **shared,
        "created": fhir_date(row["paid_date"] or row["received_date"] or row["service_date"]),
        "claim": reference("Claim", shared["id"]),
        "outcome": "complete" if adjudicated else "queued",
        "disposition": f"{row['status']}" + (f" ({denial})" if denial else ""),
        "insurance": [{"focal": True, "coverage": coverage}],
        "item": [{**item, "adjudication": adjudication} for item, adjudication in items],
        "adjudication": header,
        "total": [
            {"category": concept(_ADJUDICATION, category), "amount": money(row[column])}
            for category, column in _ADJUDICATED
            if row[column] is not None
        ],
        "payment": {"date": fhir_date(row["paid_date"]), "amount": money(row["paid_usd"])}
        if adjudicated and row["paid_usd"] is not None
        else None,
    }


def _item(line: dict[str, Any]) -> tuple[Resource, list[Resource]]:
    """A claim line (Claim.item) and its adjudication (for ExplanationOfBenefit.item)."""
    code, revenue = line["procedure_code"], line["revenue_code"]
    if code:
        product = concept("hcpcs" if code[:1].isalpha() else "cpt", code, line["description"])
    else:  # an institutional line billed by revenue code alone
        product = concept("data_absent", "not-applicable", "Not Applicable")
    place = line["place_of_service"]
    item = {
        "sequence": line["line_number"],
        "revenue": concept("revenue", revenue, line["description"]) if revenue else None,
        "productOrService": product,
        "servicedDate": fhir_date(line["service_date"]),
        "locationCodeableConcept": concept("place_of_service", place) if place else None,
        "quantity": {"value": line["units"]} if line["units"] is not None else None,
        "net": money(line["billed_usd"]),
    }
    adjudication = [
        {"category": concept(_ADJUDICATION, category), "amount": money(line[column])}
        for category, column in _ADJUDICATED
        if line[column] is not None
    ]
    return item, adjudication


def _diagnoses(row: dict[str, Any]) -> list[Resource]:
    result = []
    for sequence, code in enumerate(row["diagnosis_codes"] or [], start=1):
        diagnosis: Resource = {
            "sequence": sequence,
            "diagnosisCodeableConcept": concept("icd10cm", code),
        }
        if sequence == 1 and row["drg"]:
            diagnosis["packageCode"] = concept("ms_drg", row["drg"])
        result.append(diagnosis)
    return result


def _relationships(members: pa.Table | None) -> dict[str, str]:
    if members is None:
        return {}
    return {
        row["member_id"]: row["relationship_code"]
        for row in members.select(["member_id", "relationship_code"]).to_pylist()
    }
