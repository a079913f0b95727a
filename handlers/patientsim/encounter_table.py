"""The ``encounters`` table: each encounter with its class, status, times, facility and
provider, patient by patient in time order."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from handlers.patientsim import schemas
from handlers.patientsim.care_sites import CareSites, Facility
from handlers.patientsim.columns import per_value, table
from handlers.patientsim.draws import Draws
from handlers.patientsim.encounter_kinds import (
    EncounterKind,
    discharge_status_code,
    encounter_kind,
)
from handlers.patientsim.encounters import Encounters
from handlers.patientsim.events import ClinicalEvents
from handlers.patientsim.patients import Patients

__all__ = ["encounter_table"]


def _stay_days(made: pa.Table) -> pa.Array:
    """Midnights from admission to discharge, for a discharged inpatient stay."""
    start = made["start"].to_numpy().astype("datetime64[D]")
    end = made["end"].to_numpy().astype("datetime64[D]")
    inpatient = pc.equal(made["encounter_type"], "inpatient").to_numpy()
    stayed = inpatient & ~np.isnat(end)
    return pa.array((end - start).astype(np.int64), pa.int32(), mask=~stayed)


def _care(
    patient: list[int], kinds: list[EncounterKind], specialties: list[str], sites: list[CareSites]
) -> dict[str, list[str]]:
    """The facility and the provider of each encounter: the patient's own, each looked up once
    per patient and kind of facility or specialty."""

    def facility(of: tuple[int, str]) -> Facility:
        return sites[of[0]].facility(of[1])

    def provider(of: tuple[int, str]) -> str:
        return sites[of[0]].provider_npi(of[1])

    facility_kinds = [kind.facility_kind for kind in kinds]
    facilities = per_value(list(zip(patient, facility_kinds, strict=True)), facility)
    return {
        "facility_id": [found.facility_id for found in facilities],
        "facility_name": [found.name for found in facilities],
        "provider_npi": per_value(list(zip(patient, specialties, strict=True)), provider),
    }


def encounter_table(
    encounters: Encounters, events: ClinicalEvents, patients: Patients, draws: Draws
) -> pa.Table:
    made = encounters.made
    source = made["source"].to_numpy()
    patient = events.patient[source]
    kinds = per_value(made["encounter_type"].to_pylist(), encounter_kind)
    sites = [
        CareSites.of(county, key)
        for county, key in zip(patients.county_fips, draws.site_keys, strict=True)
    ]
    disposition = made["discharge_disposition"].to_pylist()
    named_places = events.text("place_of_service", source)
    columns = {
        "encounter_id": encounters.ids,
        **patients.ids(patient),
        "event_id": events.ids(source),
        "discharge_event_id": events.ids(pc.fill_null(made["discharge"], -1).to_numpy()),
        "journey_id": events.table["journey_id"].take(source),
        "encounter_class": [kind.encounter_class for kind in kinds],
        "encounter_type": made["encounter_type"],
        "status": pc.if_else(pc.is_null(made["end"]), "in-progress", "finished"),
        "start_datetime": made["start"],
        "end_datetime": made["end"],
        "length_of_stay_days": _stay_days(made),
        "admission_type": events.text("admission_type", source),
        "discharge_disposition": made["discharge_disposition"],
        "discharge_status_code": per_value(
            disposition, lambda text: discharge_status_code(text) if text else None
        ),
        "place_of_service": [
            named or kind.place_of_service for named, kind in zip(named_places, kinds, strict=True)
        ],
        **_care(patient.tolist(), kinds, made["specialty"].to_pylist(), sites),
        "provider_specialty": made["specialty"],
        "cpt": made["cpt"],
        "reason_icd10": made["reason_icd10"],
    }
    # patient by patient, in time order
    order = pc.sort_indices(
        pa.table({"patient": patient, "start": made["start"], "id": encounters.ids}),
        sort_keys=[("patient", "ascending"), ("start", "ascending"), ("id", "ascending")],
    )
    return table(schemas.ENCOUNTERS, columns).take(order)
