"""What an encounter type means for the record: its HL7 v3 ActCode class, CMS place of service,
kind of facility and the specialty that sees the patient when the event names none."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "DISCHARGE_STATUS_CODES",
    "ENCOUNTER_KINDS",
    "EncounterKind",
    "discharge_status_code",
    "encounter_kind",
]

PRIMARY_CARE = "Family Practice"
PEDIATRIC_PRIMARY_CARE = "Pediatric Medicine"
ADULT_AGE_YEARS = 18


@dataclass(frozen=True)
class EncounterKind:
    encounter_class: str  # HL7 v3 ActCode: AMB, EMER, IMP, HH, VR
    place_of_service: str  # CMS place-of-service code
    facility_kind: str  # a key of care_sites.FACILITY_KINDS
    specialty: str | None  # None: the patient's primary care (family or pediatric)

    def default_specialty(self, age_years: int) -> str:
        if self.specialty is not None:
            return self.specialty
        return PRIMARY_CARE if age_years >= ADULT_AGE_YEARS else PEDIATRIC_PRIMARY_CARE


_PRIMARY = EncounterKind("AMB", "11", "clinic", None)

#: the journeys' encounter types, plus the ones the handler makes: ``inpatient`` (an admission
#: to its discharge), ``procedure`` and ``infusion`` (a procedure or drug administration outside
#: any visit, at a hospital outpatient department like the default trigger bills it)
ENCOUNTER_KINDS: dict[str, EncounterKind] = {
    "office": _PRIMARY,
    "preventive": _PRIMARY,
    "transitional_care": _PRIMARY,
    "specialist": EncounterKind("AMB", "11", "specialty", None),
    "urgent_care": EncounterKind("AMB", "20", "urgent_care", PRIMARY_CARE),
    "therapy": EncounterKind("AMB", "11", "rehabilitation", "Physical Therapy"),
    "procedure": EncounterKind("AMB", "22", "hospital", None),
    "infusion": EncounterKind("AMB", "22", "hospital", "Medical Oncology"),
    "emergency": EncounterKind("EMER", "23", "hospital", "Emergency Medicine"),
    "inpatient": EncounterKind("IMP", "21", "hospital", "Internal Medicine"),
    "home_health": EncounterKind("HH", "12", "clinic", None),
    "virtual": EncounterKind("VR", "10", "clinic", None),
}


def encounter_kind(encounter_type: str) -> EncounterKind:
    """The kind of an encounter type; an unknown type is an office visit."""
    return ENCOUNTER_KINDS.get(encounter_type, _PRIMARY)


#: NUBC patient discharge status codes (UB-04 form locator 17) for the dispositions journeys use
DISCHARGE_STATUS_CODES: dict[str, str] = {
    "home": "01",
    "transfer": "02",
    "skilled_nursing": "03",
    "snf": "03",
    "intermediate_care": "04",
    "home_with_services": "06",
    "home_health": "06",
    "against_medical_advice": "07",
    "expired": "20",
    "hospice_home": "50",
    "hospice_facility": "51",
    "rehabilitation": "62",
    "long_term_care_hospital": "63",
}


def discharge_status_code(disposition: str) -> str | None:
    """The NUBC code of a disposition (``home``, ``home with services``, ...); None if unknown."""
    return DISCHARGE_STATUS_CODES.get(disposition.strip().lower().replace(" ", "_"))
