"""Encounters: the visits of a chart, its hospital stays, and the visits that events outside any
encounter imply.

- An ``encounter`` event is a visit that lasts the usual minutes of its CPT code (procedure
  table), drawn uniformly, 15-30 minutes when the table gives none, from its moment on the
  working-day clock (``Clock``).
- An ``admission`` is an inpatient stay until the ``discharge`` of the same journey that closes
  it; without one by the horizon the stay is ``in-progress`` and has no end.
- A ``diagnosis``, ``procedure`` or ``medication_administration`` outside every encounter gets
  one of its own: an office visit billed as the default trigger bills a diagnosis (CPT 99213),
  a hospital outpatient procedure, an infusion visit.
Other events belong to the encounter whose period contains their moment (``EncounterIndex``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from handlers.patientsim.chart import Chart, ClinicalEvent
from handlers.patientsim.encounter_kinds import EncounterKind, discharge_status_code, encounter_kind
from sim.codes.procedures import load_procedures

__all__ = ["Encounter", "EncounterIndex", "build_encounters"]

#: the CPT code of a visit a diagnosis implies: the default trigger bills such a diagnosis so
DIAGNOSIS_VISIT_CPT = "99213"
#: minutes of a visit whose CPT code the procedure table gives no length for
DEFAULT_VISIT_MINUTES = (15.0, 30.0)
#: the encounter types of the events that imply an encounter of their own
IMPLIED_TYPES = {
    "diagnosis": "office",
    "procedure": "procedure",
    "medication_administration": "infusion",
}


@dataclass
class Encounter:
    encounter_id: str
    event: ClinicalEvent
    encounter_type: str
    kind: EncounterKind
    start: dt.datetime
    end: dt.datetime | None  # None: a stay not discharged by the horizon
    cpt: str | None
    reason_icd10: str | None
    specialty: str
    discharge: ClinicalEvent | None = None

    def contains(self, moment: dt.datetime) -> bool:
        # an open stay holds only what happens at its admission: its end is unknown
        return self.start <= moment <= (self.start if self.end is None else self.end)

    def row(self, chart: Chart) -> dict[str, Any]:
        patient = chart.patient
        facility = chart.sites.facility(self.kind.facility_kind)
        stay_days = None
        if self.encounter_type == "inpatient" and self.end is not None:
            stay_days = (self.end.date() - self.start.date()).days
        disposition = self.discharge.text("discharge_disposition") if self.discharge else None
        return {
            "encounter_id": self.encounter_id,
            "patient_id": patient.patient_id,
            "person_id": patient.person_id,
            "event_id": self.event.event_id,
            "discharge_event_id": self.discharge.event_id if self.discharge else None,
            "journey_id": self.event.journey_id,
            "encounter_class": self.kind.encounter_class,
            "encounter_type": self.encounter_type,
            "status": "in-progress" if self.end is None else "finished",
            "start_datetime": self.start,
            "end_datetime": self.end,
            "length_of_stay_days": stay_days,
            "admission_type": self.event.text("admission_type"),
            "discharge_disposition": disposition,
            "discharge_status_code": discharge_status_code(disposition) if disposition else None,
            "place_of_service": self.event.text("place_of_service") or self.kind.place_of_service,
            "facility_id": facility.facility_id,
            "facility_name": facility.name,
            "provider_npi": chart.sites.provider_npi(self.specialty),
            "provider_specialty": self.specialty,
            "cpt": self.cpt,
            "reason_icd10": self.reason_icd10,
        }


class EncounterIndex:
    """The encounters of one chart, to find the one an event happened in."""

    def __init__(self, encounters: list[Encounter]) -> None:
        self.encounters = encounters

    def find(self, moment: dt.datetime, journey_id: str) -> Encounter | None:
        """The encounter containing this moment: of the same journey if one is, the latest
        begun otherwise."""
        around = [e for e in self.encounters if e.contains(moment)]
        if not around:
            return None
        return max(around, key=lambda e: (e.event.journey_id == journey_id, e.start))

    def of_event(self, event: ClinicalEvent) -> Encounter | None:
        """The encounter an event happened in."""
        return self.find(event.moment, event.journey_id)


def _specialty(chart: Chart, event: ClinicalEvent, kind: EncounterKind, cpt: str | None) -> str:
    named = event.text("specialty")
    if named:
        return named
    procedure = load_procedures().get(cpt) if cpt else None
    if procedure is not None and procedure.specialty is not None:
        return procedure.specialty
    return kind.default_specialty(chart.patient.age_years)


def _visit(
    chart: Chart, event: ClinicalEvent, encounter_type: str, cpt: str | None, reason: str | None
) -> Encounter:
    procedure = load_procedures().get(cpt) if cpt else None
    low, high = DEFAULT_VISIT_MINUTES
    if procedure is not None and procedure.minutes_min is not None:
        assert procedure.minutes_max is not None
        low, high = procedure.minutes_min, procedure.minutes_max
    start = event.moment
    minutes = low + chart.uniform(event) * (high - low)
    kind = encounter_kind(encounter_type)
    return Encounter(
        f"EN-{event.event_id}",
        event,
        encounter_type,
        kind,
        start,
        start + dt.timedelta(seconds=round(minutes * 60)),
        cpt,
        reason,
        _specialty(chart, event, kind, cpt),
    )


def _stays(chart: Chart) -> list[Encounter]:
    """Each admission with the discharge that closes it: a discharge closes the latest admission
    of its journey still open (so a stay never discharged does not take a later one's)."""
    discharge_of: dict[str, ClinicalEvent] = {}
    open_admissions: dict[str, list[ClinicalEvent]] = {}
    for event in chart.of_type("admission", "discharge"):
        waiting = open_admissions.setdefault(event.journey_id, [])
        if event.event_type == "admission":
            waiting.append(event)
        elif waiting:
            discharge_of[waiting.pop().event_id] = event
    kind = encounter_kind("inpatient")
    stays = []
    for admission in chart.of_type("admission"):
        discharge = discharge_of.get(admission.event_id)
        stays.append(
            Encounter(
                f"EN-{admission.event_id}",
                admission,
                "inpatient",
                kind,
                admission.moment,
                None if discharge is None else discharge.moment,
                None,
                admission.text("icd10"),
                _specialty(chart, admission, kind, None),
                discharge,
            )
        )
    return stays


def build_encounters(chart: Chart) -> EncounterIndex:
    """Every encounter of the chart."""
    encounters = [
        _visit(
            chart, e, e.text("encounter_type") or "office", e.text("cpt"), e.text("reason_icd10")
        )
        for e in chart.of_type("encounter")
    ]
    encounters += _stays(chart)
    index = EncounterIndex(encounters)
    for event in chart.of_type(*IMPLIED_TYPES):
        if index.of_event(event) is not None:
            continue
        if event.event_type == "diagnosis":
            cpt, reason = event.text("cpt") or DIAGNOSIS_VISIT_CPT, event.text("icd10")
        else:
            cpt, reason = event.text("cpt"), event.text("icd10")
        index.encounters.append(_visit(chart, event, IMPLIED_TYPES[event.event_type], cpt, reason))
    return index
