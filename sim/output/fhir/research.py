"""TrialSim's tables as research resources: ResearchStudy (one per trial, with its arms),
ResearchSubject and AdverseEvent."""

from __future__ import annotations

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
from sim.output.fhir.directory import Directory

__all__ = ["adverse_events", "research_subjects"]

_SUBJECT_STATUSES = {
    "screening": "screening",
    "screen_failed": "ineligible",
    "ongoing": "on-study",
    "completed": "off-study",
    "withdrawn": "withdrawn",
    "died": "off-study",
}
# CDISC OUT -> http://terminology.hl7.org/CodeSystem/adverse-event-outcome
_OUTCOMES = {
    "RECOVERED/RESOLVED": "resolved",
    "RECOVERING/RESOLVING": "recovering",
    "NOT RECOVERED/NOT RESOLVED": "ongoing",
    "RECOVERED/RESOLVED WITH SEQUELAE": "resolvedWithSequelae",
    "FATAL": "fatal",
    "UNKNOWN": "unknown",
}
_SEVERITIES = {"MILD": "mild", "MODERATE": "moderate", "SEVERE": "severe"}


def research_subjects(
    table: pa.Table, directory: Directory
) -> tuple[list[Resource], list[Resource]]:
    """ResearchStudy resources (one per study id, its arms as randomised) and a
    ResearchSubject per subject row."""
    arms: dict[str, dict[str, str]] = {}
    subjects = []
    for row in table.to_pylist():
        study_arms = arms.setdefault(row["study_id"], {})
        if row["arm_code"]:
            study_arms[row["arm_code"]] = row["arm"]
        subjects.append(
            pruned(
                {
                    "resourceType": "ResearchSubject",
                    "id": fhir_id(row["study_id"], row["subject_id"]),
                    "identifier": [{"system": SYSTEMS["subject"], "value": row["subject_id"]}],
                    "status": _SUBJECT_STATUSES.get(row["status"], "off-study"),
                    "period": {
                        "start": fhir_date(row["screening_date"]),
                        "end": fhir_date(row["end_of_study_date"]),
                    },
                    "study": reference("ResearchStudy", fhir_id(row["study_id"])),
                    "individual": directory.patient(row["person_id"], "trial_subjects"),
                    "assignedArm": row["arm_code"],
                    "actualArm": row["arm_code"],
                }
            )
        )
    studies = [
        pruned(
            {
                "resourceType": "ResearchStudy",
                "id": fhir_id(study_id),
                "identifier": [{"system": SYSTEMS["study"], "value": study_id}],
                "status": "active",
                "arm": [
                    {"name": code, "description": name} for code, name in sorted(study_arms.items())
                ],
            }
        )
        for study_id, study_arms in arms.items()
    ]
    return studies, subjects


def adverse_events(table: pa.Table, subjects: pa.Table, directory: Directory) -> list[Resource]:
    person_of = {
        (row["study_id"], row["subject_id"]): row["person_id"]
        for row in subjects.select(["study_id", "subject_id", "person_id"]).to_pylist()
    }
    return [_adverse_event(row, person_of, directory) for row in table.to_pylist()]


def _adverse_event(
    row: dict[str, Any], person_of: dict[tuple[str, str], str], directory: Directory
) -> Resource:
    person_id = person_of.get((row["study_id"], row["subject_id"]))
    if person_id is None:
        raise SpecError(
            f"adverse event of subject '{row['subject_id']}' in study '{row['study_id']}' "
            "has no row in 'trial_subjects'",
            path=("adverse_events", "subject_id"),
        )
    serious = row["serious"]
    return pruned(
        {
            "resourceType": "AdverseEvent",
            "id": fhir_id(row["study_id"], row["subject_id"], str(row["sequence"])),
            "actuality": "actual",
            # the CTCAE term as text: MedDRA codes are licensed and not shipped
            "event": {"text": row["term"]},
            "subject": directory.patient(person_id, "adverse_events"),
            "date": fhir_date(row["onset_date"]),
            "seriousness": concept(
                "http://terminology.hl7.org/CodeSystem/adverse-event-seriousness",
                *(("serious", "Serious") if serious else ("non-serious", "Non-serious")),
            )
            if serious is not None
            else None,
            "severity": concept(
                "http://terminology.hl7.org/CodeSystem/adverse-event-severity",
                _SEVERITIES[row["severity"]],
            )
            if row["severity"] in _SEVERITIES
            else None,
            "outcome": concept(
                "http://terminology.hl7.org/CodeSystem/adverse-event-outcome",
                _OUTCOMES[row["outcome"]],
            )
            if row["outcome"] in _OUTCOMES
            else None,
            "study": [reference("ResearchStudy", fhir_id(row["study_id"]))],
        }
    )
