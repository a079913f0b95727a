"""Where and by whom care is given: synthetic facilities in the patient's county and their
clinicians, each with a Luhn-valid NPI.

Facilities and providers are not drawn one by one: each county has a fixed set (a few clinics,
urgent cares, hospitals, ...), and each specialty a fixed set of providers per county, with
ids derived from the county FIPS code. A patient is assigned among them by a key drawn from
their own stream, so they keep their clinic and their doctors for the whole run.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from functools import cache, lru_cache

from handlers.patientsim.identifiers import npi
from sim.reference import load_counties

__all__ = [
    "FACILITY_KINDS",
    "PROVIDERS_PER_SPECIALTY",
    "SPECIALTY_CODES",
    "CareSites",
    "FacilityKind",
    "specialty_code",
]

#: CMS Medicare provider specialty codes (Medicare Claims Processing Manual, chapter 26,
#: section 10.8.2); "99" is the manual's "unknown physician specialty"
SPECIALTY_CODES: dict[str, str] = {
    "general practice": "01",
    "general surgery": "02",
    "cardiology": "06",
    "dermatology": "07",
    "family practice": "08",
    "family medicine": "08",
    "gastroenterology": "10",
    "internal medicine": "11",
    "neurology": "13",
    "obstetrics/gynecology": "16",
    "ophthalmology": "18",
    "orthopedic surgery": "20",
    "psychiatry": "26",
    "pulmonary disease": "29",
    "diagnostic radiology": "30",
    "pediatric medicine": "37",
    "nephrology": "39",
    "endocrinology": "46",
    "physical therapy": "65",
    "rheumatology": "66",
    "hematology/oncology": "83",
    "medical oncology": "90",
    "emergency medicine": "93",
}
UNKNOWN_SPECIALTY_CODE = "99"
#: providers of one specialty in one county; a patient sees one of them
PROVIDERS_PER_SPECIALTY = 5


def specialty_code(specialty: str) -> str:
    return SPECIALTY_CODES.get(specialty.strip().lower(), UNKNOWN_SPECIALTY_CODE)


@dataclass(frozen=True)
class FacilityKind:
    key: str
    code: str  # one letter in the facility id
    names: tuple[str, ...]  # one per facility of this kind in a county; {place} is filled in


FACILITY_KINDS: dict[str, FacilityKind] = {
    kind.key: kind
    for kind in (
        FacilityKind(
            "clinic",
            "C",
            ("{place} Family Medicine", "{place} Primary Care Associates", "{place} Health Center"),
        ),
        FacilityKind("specialty", "S", ("{place} Specialty Associates",)),
        FacilityKind("urgent_care", "U", ("{place} Urgent Care", "{place} Walk-In Clinic")),
        FacilityKind("hospital", "H", ("{place} General Hospital", "{place} Medical Center")),
        FacilityKind("rehabilitation", "R", ("{place} Physical Therapy and Rehabilitation",)),
    )
}
#: where a patient without a known county is seen
_NO_COUNTY = ("00000", "Community")


@cache
def _place_name(county_fips: str) -> str:
    counties = load_counties()
    row = counties.row_of.get(county_fips)
    return _NO_COUNTY[1] if row is None else str(counties.county_short_name[row])


@lru_cache(maxsize=65_536)
def _choice(key: int, role: str, options: int) -> int:
    # a stable pick for one patient and role (a facility kind or a specialty code): CRC-32
    # mixes the patient's key and the role
    return zlib.crc32(f"{key}/{role}".encode()) % options


@dataclass(frozen=True)
class Facility:
    facility_id: str
    name: str


@dataclass(frozen=True)
class CareSites:
    """One patient's facilities and providers, from their county and their drawn key."""

    county_fips: str
    key: int  # drawn once per patient from their own stream

    @classmethod
    def of(cls, county_fips: str | None, key: int) -> CareSites:
        known = county_fips is not None and len(county_fips) == 5 and county_fips.isdigit()
        return cls(county_fips if known else _NO_COUNTY[0], key)

    def facility(self, kind_key: str) -> Facility:
        kind = FACILITY_KINDS[kind_key]
        return _facility(self.county_fips, kind, _choice(self.key, kind.key, len(kind.names)))

    def provider_npi(self, specialty: str) -> str:
        """An individual (type 1) NPI: 1, the county FIPS, the CMS specialty code, the slot."""
        code = specialty_code(specialty)
        slot = _choice(self.key, code, PROVIDERS_PER_SPECIALTY)
        return _npi(f"1{self.county_fips}{code}{slot}")


@lru_cache(maxsize=65_536)
def _facility(county_fips: str, kind: FacilityKind, slot: int) -> Facility:
    name = kind.names[slot].format(place=_place_name(county_fips))
    return Facility(f"FAC-{county_fips}-{kind.code}{slot + 1}", name)


@lru_cache(maxsize=65_536)
def _npi(first_nine_digits: str) -> str:
    return npi(first_nine_digits)
