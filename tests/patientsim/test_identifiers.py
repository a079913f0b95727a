"""Medical record numbers, NPIs, care sites and the working-day clock."""

import datetime as dt

import numpy as np
import pytest

from handlers.identifiers import luhn_check_digits
from handlers.patientsim.care_sites import (
    FACILITY_KINDS,
    PROVIDERS_PER_SPECIALTY,
    CareSites,
    specialty_code,
)
from handlers.patientsim.clock import Clock
from handlers.patientsim.encounter_kinds import discharge_status_code, encounter_kind
from handlers.patientsim.identifiers import is_valid_npi, luhn_check_digit, mrns, npi


def luhn_valid(number: str) -> bool:
    """The Luhn check written the other way round: double every second digit from the right."""
    total = 0
    for position, char in enumerate(reversed(number)):
        digit = int(char) * (2 if position % 2 else 1)
        total += digit - 9 if digit > 9 else digit
    return total % 10 == 0


def test_the_cms_example_npi_is_valid():
    # the NPI standard's worked example: 123456789 gets check digit 3 (Luhn over 80840123456789)
    assert npi("123456789") == "1234567893"
    assert is_valid_npi("1234567893")
    assert luhn_valid("80840" + "1234567893")


def test_a_mistyped_npi_digit_or_a_bad_shape_fails():
    assert not is_valid_npi("1234567894")
    assert not is_valid_npi("1234576893")  # two digits swapped
    assert not is_valid_npi("3234567893")  # NPIs start with 1 or 2
    assert not is_valid_npi("123456789")
    with pytest.raises(ValueError, match="nine digits"):
        npi("12345678a")


def test_luhn_digits_agree_with_an_independent_check():
    rng = np.random.default_rng(0)
    payloads = ["".join(map(str, rng.integers(0, 10, size=9))) for _ in range(500)]
    for payload in payloads:
        assert luhn_valid(payload + str(luhn_check_digit(payload)))
    # the column-wise form gives the same digits (leading zeros count)
    columns = luhn_check_digits(np.array([int(p) for p in payloads]), 9)
    assert columns.tolist() == [luhn_check_digit(p) for p in payloads]


def test_medical_record_numbers_are_unique_ten_digit_and_luhn_valid():
    numbers = mrns(np.arange(200_000)).to_pylist()
    assert len(set(numbers)) == len(numbers)
    assert all(len(n) == 10 and n.isdigit() and luhn_valid(n) for n in numbers[:5000])
    (far,) = mrns(np.array([99_999_999])).to_pylist()
    assert far != numbers[0] and luhn_valid(far)
    # not the person index in disguise: neighbours are far apart
    assert abs(int(numbers[1][:9]) - int(numbers[0][:9])) > 1_000_000


def test_care_sites_are_stable_per_patient_and_named_after_the_county():
    sites = CareSites.of("48201", key=12345)
    assert sites.facility("clinic") == CareSites.of("48201", key=12345).facility("clinic")
    clinic = sites.facility("clinic")
    assert clinic.facility_id.startswith("FAC-48201-C") and clinic.name.startswith("Harris ")
    assert sites.facility("hospital").facility_id.startswith("FAC-48201-H")
    npi_cardiology = sites.provider_npi("Cardiology")
    assert is_valid_npi(npi_cardiology) and npi_cardiology.startswith("14820106")
    assert sites.provider_npi("cardiology") == npi_cardiology  # specialty names ignore case


def test_patients_spread_over_every_facility_and_provider_slot():
    keys = range(2_000)
    clinics = {CareSites.of("06037", k).facility("clinic").facility_id for k in keys}
    assert len(clinics) == len(FACILITY_KINDS["clinic"].names)
    doctors = {CareSites.of("06037", k).provider_npi("Family Practice") for k in keys}
    assert len(doctors) == PROVIDERS_PER_SPECIALTY


def test_an_unknown_county_and_specialty_still_give_valid_ids():
    sites = CareSites.of(None, key=1)
    assert sites.facility("urgent_care").name.startswith("Community ")
    unknown = sites.provider_npi("Hyperbaric Medicine")
    assert specialty_code("Hyperbaric Medicine") == "99" and is_valid_npi(unknown)
    assert unknown[6:8] == "99"


def test_encounter_kinds_and_discharge_codes():
    assert encounter_kind("urgent_care").place_of_service == "20"
    assert encounter_kind("inpatient").encounter_class == "IMP"
    assert encounter_kind("emergency").encounter_class == "EMER"
    assert encounter_kind("something new") == encounter_kind("office")
    assert encounter_kind("office").default_specialty(6) == "Pediatric Medicine"
    assert encounter_kind("office").default_specialty(45) == "Family Practice"
    assert discharge_status_code("home") == "01"
    assert discharge_status_code("Home with services") == "06"
    assert discharge_status_code("to the moon") is None


def test_the_clock_lays_each_day_on_the_working_day():
    clock = Clock(dt.date(2025, 1, 1), 365)
    times = np.array([0.0, 0.5, 12.5, 12.999999, 13.0, 364.75])
    moments = clock.moments(times).tolist()
    assert moments[0] == dt.datetime(2025, 1, 1, 8, 0)
    assert moments[1] == dt.datetime(2025, 1, 1, 13, 0)
    assert moments[2] == dt.datetime(2025, 1, 13, 13, 0)
    assert moments[3] == dt.datetime(2025, 1, 13, 18, 0)
    assert moments[4] == dt.datetime(2025, 1, 14, 8, 0)
    assert moments[5] == dt.datetime(2025, 12, 31, 15, 30)
    assert clock.last_date == dt.date(2025, 12, 31)


def test_the_clock_keeps_dates_and_order():
    clock = Clock(dt.date(2024, 2, 27), 400)
    times = np.sort(np.random.default_rng(3).uniform(0, 400, size=5_000))
    moments = clock.moments(times).tolist()
    assert moments == sorted(moments)
    dates = [dt.date(2024, 2, 27) + dt.timedelta(days=int(t)) for t in times]
    assert [m.date() for m in moments] == dates
    assert all(dt.time(8) <= m.time() <= dt.time(18) for m in moments)
