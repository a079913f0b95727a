"""``export_fhir``: a run's tables as FHIR R4 Bulk Data NDJSON, one file per resource type."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
from collections.abc import Mapping
from pathlib import Path

import pyarrow as pa

from sim.errors import SpecError
from sim.output.fhir import clinical, financial, pharmacy, research
from sim.output.fhir.common import Resource, fhir_id
from sim.output.fhir.directory import Directory

__all__ = ["export_fhir", "fhir_resources"]


def fhir_resources(tables: Mapping[str, pa.Table]) -> dict[str, list[Resource]]:
    """The resources of ``tables`` by resource type (types whose table is absent are left
    out; Patient, Practitioner and Organization hold what the others reference)."""
    directory = Directory(tables)
    result: dict[str, list[Resource]] = {}
    encounter_ids: set[str] = set()
    if "encounters" in tables:
        result["Encounter"] = clinical.encounters(tables["encounters"], directory)
        encounter_ids = set(tables["encounters"]["encounter_id"].to_pylist())
    if "conditions" in tables:
        result["Condition"] = clinical.conditions(tables["conditions"], directory, encounter_ids)
    if "observations" in tables:
        result["Observation"] = clinical.observations(
            tables["observations"], directory, encounter_ids
        )
    orders_by_event: dict[str, str] = {}
    if "medication_orders" in tables:
        orders = tables["medication_orders"]
        result["MedicationRequest"] = clinical.medication_requests(
            orders, directory, encounter_ids, _run_end(tables)
        )
        orders_by_event = {
            row["event_id"]: fhir_id(row["order_id"])
            for row in orders.select(["event_id", "order_id"]).to_pylist()
        }
    if "procedures" in tables:
        result["Procedure"] = clinical.procedures(tables["procedures"], directory, encounter_ids)
    if "fills" in tables:
        result["MedicationDispense"] = pharmacy.medication_dispenses(
            tables["fills"], directory, orders_by_event
        )
    if "enrollments" in tables:
        coverages = financial.Coverages(tables["enrollments"], tables.get("members"), directory)
        result["Coverage"] = coverages.resources
        if "claims" in tables and "claim_lines" in tables:
            result["Claim"], result["ExplanationOfBenefit"] = financial.claims(
                tables["claims"], tables["claim_lines"], directory, coverages
            )
    if "trial_subjects" in tables:
        subjects = tables["trial_subjects"]
        result["ResearchStudy"], result["ResearchSubject"] = research.research_subjects(
            subjects, directory
        )
        if "adverse_events" in tables:
            result["AdverseEvent"] = research.adverse_events(
                tables["adverse_events"], subjects, directory
            )
    result.update(directory.resources())
    return {kind: resources for kind, resources in sorted(result.items()) if resources}


def export_fhir(
    tables: Mapping[str, pa.Table], folder: str | Path, *, overwrite: bool = False
) -> dict[str, int]:
    """Writes ``<folder>/<ResourceType>.ndjson`` (one resource a line, UTF-8) and returns the
    number of resources per type. The folder appears only when complete; an existing one is
    replaced only with ``overwrite``."""
    path = Path(folder)
    if path.exists() and not overwrite:
        raise SpecError(
            f"'{path}' exists", path=("folder",), hint="choose another folder or pass overwrite"
        )
    resources = fhir_resources(tables)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.partial")
    shutil.rmtree(temporary, ignore_errors=True)
    try:
        temporary.mkdir()
        for kind, items in resources.items():
            with (temporary / f"{kind}.ndjson").open("w", encoding="utf-8") as handle:
                for resource in items:
                    handle.write(json.dumps(resource, ensure_ascii=False, separators=(",", ":")))
                    handle.write("\n")
        if path.exists():
            shutil.rmtree(path) if path.is_dir() else path.unlink()
        os.replace(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            shutil.rmtree(temporary)
    return {kind: len(items) for kind, items in resources.items()}


def _run_end(tables: Mapping[str, pa.Table]) -> dt.date | None:
    """The last day of the run (from ``run_manifest``), or None without a manifest."""
    manifest = tables.get("run_manifest")
    if manifest is None or manifest.num_rows == 0:
        return None
    row = manifest.select(["start_date", "horizon_days"]).to_pylist()[0]
    return row["start_date"] + dt.timedelta(days=int(row["horizon_days"]))
