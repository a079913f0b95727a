"""PatientSim's records on the test clinic (fixtures/clinic.yaml): what each kind of event
becomes, how records link, and that they depend only on the seed and the patient."""

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import pyarrow.compute as pc
import pytest
import yaml

from handlers.base import HandlerContext
from handlers.patientsim import SCHEMAS, check, records
from handlers.patientsim.identifiers import is_valid_npi
from sim.codes.labs import load_labs
from sim.codes.procedures import load_procedures
from sim.errors import SpecError
from sim.scenario import RunResult, run
from sim.seeds import SeedTree

CLINIC = Path(__file__).parent / "fixtures" / "clinic.yaml"
START = dt.date(2025, 1, 1)
ANN, BOB = "P000000000", "P000000001"


def rows(result: RunResult, table: str, person_id: str | None = None) -> list[dict[str, Any]]:
    data = result.tables[table]
    if person_id is not None:
        data = data.filter(pc.equal(data["person_id"], person_id))
    return data.to_pylist()


def event_id(result: RunResult, person_id: str, definition_id: str) -> str:
    events = result.tables["events"]
    mask = pc.and_(
        pc.equal(events["person_id"], person_id), pc.equal(events["definition_id"], definition_id)
    )
    (found,) = events.filter(mask)["event_id"].to_pylist()
    return found


def by_event(result: RunResult, table: str, person_id: str, definition_id: str) -> dict:
    wanted = event_id(result, person_id, definition_id)
    (row,) = [row for row in rows(result, table) if row["event_id"] == wanted]
    return row


def conditions_of(result: RunResult, person_id: str) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for row in rows(result, "conditions", person_id):
        found.setdefault(row["icd10"], []).append(row)
    return found


def clinic_with(change) -> dict[str, Any]:
    data = yaml.safe_load(CLINIC.read_text(encoding="utf-8"))
    changed = copy.deepcopy(data)
    change(changed["households"][0]["members"][0]["journeys"][0]["events"])
    return changed


# --- tables -----------------------------------------------------------------------------------


def test_the_six_tables_have_their_schemas_and_every_link_holds(clinic):
    for name, schema in SCHEMAS.items():
        assert clinic.tables[name].schema.equals(schema), name
        for field in schema:
            if not field.nullable:
                assert clinic.tables[name][field.name].null_count == 0, (name, field.name)
    assert check(clinic.tables) == []


def test_persons_without_a_patient_id_get_empty_typed_tables(clinic):
    context = HandlerContext(START, 365, SeedTree(1), ("membersim",))
    persons = clinic.tables["persons"].drop_columns(["patient_id"])
    tables = records(clinic.tables["events"], persons, context)
    for name, schema in SCHEMAS.items():
        assert tables[name].num_rows == 0 and tables[name].schema.equals(schema), name


def test_patients_carry_identity_address_and_conditions(clinic):
    ann, bob = rows(clinic, "patients")
    assert (ann["patient_id"], ann["name"], ann["sex"]) == ("PT000000000", "Ann Rivera", "F")
    assert (ann["address_line"], ann["county_fips"], ann["state"]) == ("12 Main St", "48201", "TX")
    assert ann["conditions_at_start"] == ["E11", "I50.9"]
    assert bob["conditions_at_start"] == ["H66.90"]
    assert ann["mrn"] != bob["mrn"] and len(ann["mrn"]) == 10


# --- encounters -------------------------------------------------------------------------------


def test_a_diagnosis_outside_any_visit_gets_an_office_visit_billed_as_99213(clinic):
    visit = by_event(clinic, "encounters", ANN, "dx")
    assert (visit["encounter_class"], visit["encounter_type"]) == ("AMB", "office")
    assert (visit["cpt"], visit["reason_icd10"], visit["place_of_service"]) == (
        "99213",
        "E11.9",
        "11",
    )
    minutes = (visit["end_datetime"] - visit["start_datetime"]).total_seconds() / 60
    assert 20 <= minutes <= 29  # the procedure table's range for 99213
    assert visit["start_datetime"] == dt.datetime(2025, 1, 1, 8, 0)  # day 0 opens the clinic


def test_an_admission_lasts_until_its_discharge_and_holds_what_happens_in_it(clinic):
    stay = by_event(clinic, "encounters", ANN, "admit")
    assert (stay["encounter_class"], stay["encounter_type"], stay["status"]) == (
        "IMP",
        "inpatient",
        "finished",
    )
    assert stay["discharge_event_id"] == event_id(clinic, ANN, "discharge")
    assert stay["start_datetime"].date() == START + dt.timedelta(days=30)
    assert stay["end_datetime"].date() == START + dt.timedelta(days=34)
    assert stay["length_of_stay_days"] == 4
    assert (stay["discharge_disposition"], stay["discharge_status_code"]) == (
        "home_with_services",
        "06",
    )
    assert (stay["place_of_service"], stay["provider_specialty"]) == ("21", "Internal Medicine")
    echo = by_event(clinic, "procedures", ANN, "echo")
    assert echo["encounter_id"] == stay["encounter_id"]
    # the echo happened in the stay, so it made no encounter of its own
    assert event_id(clinic, ANN, "echo") not in {e["event_id"] for e in rows(clinic, "encounters")}


def test_an_admission_never_discharged_is_in_progress_without_an_end(clinic):
    stay = by_event(clinic, "encounters", ANN, "stay")
    assert stay["status"] == "in-progress"
    assert stay["end_datetime"] is None and stay["length_of_stay_days"] is None
    assert stay["discharge_event_id"] is None and stay["admission_type"] == "emergency"
    # the next discharge closes the admission just before it, not the open one
    readmission = by_event(clinic, "encounters", ANN, "readmit")
    assert readmission["discharge_event_id"] == event_id(clinic, ANN, "readmit_discharge")
    assert (readmission["status"], readmission["length_of_stay_days"]) == ("finished", 3)


def test_a_procedure_outside_any_visit_is_a_hospital_outpatient_encounter(clinic):
    ct = by_event(clinic, "encounters", ANN, "ct")
    assert (ct["encounter_type"], ct["place_of_service"], ct["cpt"]) == ("procedure", "22", "71260")
    assert ct["provider_specialty"] == "Diagnostic Radiology"  # who performs 71260
    assert ct["facility_id"].startswith("FAC-48201-H")
    procedure = by_event(clinic, "procedures", ANN, "ct")
    assert procedure["encounter_id"] == ct["encounter_id"]
    assert procedure["description"] == load_procedures().by_code("71260").description


def test_visit_lengths_follow_their_cpt_codes_and_providers_are_valid(clinic):
    procedures = load_procedures()
    for visit in rows(clinic, "encounters"):
        assert is_valid_npi(visit["provider_npi"])
        if visit["encounter_class"] == "IMP":
            continue
        minutes = (visit["end_datetime"] - visit["start_datetime"]).total_seconds() / 60
        known = procedures.by_code(visit["cpt"])
        assert known.minutes_min <= minutes <= known.minutes_max + 1 / 60, visit["cpt"]


def test_a_child_sees_a_pediatrician_and_urgent_care_is_place_of_service_20(clinic):
    urgent = by_event(clinic, "encounters", BOB, "urgent_care_visit")
    follow_up = by_event(clinic, "encounters", BOB, "follow_up")
    assert (urgent["encounter_class"], urgent["place_of_service"]) == ("AMB", "20")
    assert urgent["facility_id"].startswith("FAC-48201-U")
    assert follow_up["provider_specialty"] == "Pediatric Medicine"
    assert follow_up["provider_npi"][6:8] == "37"  # the CMS code of pediatric medicine


def test_encounters_are_in_time_order_per_patient(clinic):
    for person_id in (ANN, BOB):
        starts = [row["start_datetime"] for row in rows(clinic, "encounters", person_id)]
        assert starts == sorted(starts)


# --- conditions -------------------------------------------------------------------------------


def test_a_diagnosis_confirms_the_history_condition_it_specifies(clinic):
    diabetes = conditions_of(clinic, ANN)
    assert "E11" not in diabetes  # E11 on the person became E11.9 when diagnosed
    (row,) = diabetes["E11.9"]
    assert row["source"] == "history" and row["condition_id"] == "CD-P000000000-H00"
    assert START - dt.timedelta(days=3653) <= row["onset_date"] < START
    assert row["recorded_date"] == START
    assert row["event_id"] == event_id(clinic, ANN, "dx")
    assert row["encounter_id"] == by_event(clinic, "encounters", ANN, "dx")["encounter_id"]
    assert row["description"] == "Type 2 diabetes mellitus without complications"


def test_history_without_events_and_reasons_already_covered_add_no_rows(clinic):
    found = conditions_of(clinic, ANN)
    (heart,) = found["I50.9"]  # the admission for I50.9 is the same condition
    assert (heart["source"], heart["event_id"], heart["clinical_status"]) == (
        "history",
        None,
        "active",
    )
    assert heart["onset_date"] < START
    assert "Z00.00" not in found  # an examination is not a condition


def test_a_new_reason_code_is_an_encounter_reason_condition(clinic):
    (knee,) = conditions_of(clinic, ANN)["M17.11"]  # the CT for M17.11 adds none
    visit = by_event(clinic, "encounters", ANN, "knee")
    assert (knee["source"], knee["event_id"], knee["encounter_id"]) == (
        "encounter-reason",
        visit["event_id"],
        visit["encounter_id"],
    )
    assert knee["onset_date"] == visit["start_datetime"].date()
    assert knee["clinical_status"] == "active" and knee["abatement_date"] is None


def test_acute_conditions_resolve_after_their_course(clinic):
    (neutropenia,) = conditions_of(clinic, ANN)["D70.1"]
    assert neutropenia["clinical_status"] == "resolved"
    assert neutropenia["abatement_date"] == neutropenia["onset_date"] + dt.timedelta(days=7)
    history, episode = sorted(conditions_of(clinic, BOB)["H66.90"], key=lambda r: r["onset_date"])
    # the ear infection on Bob at the start was in its course then, and is over
    assert START - dt.timedelta(days=13) <= history["onset_date"] < START
    assert history["abatement_date"] == history["onset_date"] + dt.timedelta(days=14)
    assert history["abatement_date"] > START
    # the one diagnosed at the urgent-care visit is a new episode
    urgent = by_event(clinic, "encounters", BOB, "urgent_care_visit")
    assert (episode["source"], episode["encounter_id"]) == ("diagnosis", urgent["encounter_id"])
    assert episode["abatement_date"] == episode["onset_date"] + dt.timedelta(days=14)
    assert episode["clinical_status"] == "resolved"


# --- observations -----------------------------------------------------------------------------


def test_a_result_points_at_its_order_and_never_precedes_it(clinic):
    result = by_event(clinic, "observations", ANN, "lab-order-result")
    assert result["order_event_id"] == event_id(clinic, ANN, "bnp")
    assert result["ordered_datetime"] < result["effective_datetime"]
    # the specimen was taken at the diagnosis visit, so the result belongs to it
    assert result["encounter_id"] == by_event(clinic, "encounters", ANN, "dx")["encounter_id"]
    test = load_labs().by_loinc("30934-4")
    assert (result["name"], result["unit"]) == (test.name, test.unit)
    assert result["abnormal_flag"] == test.abnormal_flag(result["value"])


def test_a_result_without_a_value_draws_one_for_the_patient(clinic):
    a1c = by_event(clinic, "observations", ANN, "a1c")
    test = load_labs().by_loinc("4548-4")
    assert a1c["order_event_id"] is None and a1c["encounter_id"] is None
    assert test.min_value <= a1c["value"] <= test.max_value
    assert round(a1c["value"], 1) == a1c["value"]
    assert (a1c["reference_low"], a1c["reference_high"]) == (4.0, 5.6)


def test_drawn_values_follow_the_conditions_on_the_patient():
    # 400 copies of the clinic: Ann has E11, so her drawn HbA1c comes from the lab table's
    # diabetic distribution, normal(7.6, 1.3) clamped to [3.5, 16] (clamping moves the mean by
    # well under 0.001)
    copies = 400
    result = run(CLINIC, copies)
    observations = result.tables["observations"]
    values = observations.filter(pc.equal(observations["loinc"], "4548-4"))["value"].to_numpy()
    assert len(values) == copies
    test = load_labs().by_loinc("4548-4")
    tolerance = 4 * test.condition_sd / copies**0.5
    assert abs(values.mean() - test.condition_mean) < tolerance
    assert abs(values.std() - test.condition_sd) < 0.15 * test.condition_sd


# --- medication orders ------------------------------------------------------------------------


def test_orders_get_directions_and_a_year_of_refills(clinic):
    metformin = by_event(clinic, "medication_orders", ANN, "metformin")
    assert metformin["drug_name"] == "metformin hydrochloride 500 MG Oral Tablet"
    assert metformin["dosage_text"] == "1 tablet by mouth twice daily"  # 60 tablets, 30 days
    assert (metformin["quantity"], metformin["days_supply"], metformin["refills"]) == (60, 30, 11)
    lisinopril = by_event(clinic, "medication_orders", ANN, "lisinopril")  # no quantity given
    assert (lisinopril["quantity"], lisinopril["days_supply"]) == (30, 30)  # the typical fill
    assert lisinopril["dosage_text"] == "1 tablet by mouth once daily"
    amoxicillin = by_event(clinic, "medication_orders", BOB, "amoxicillin_order")
    assert amoxicillin["dosage_text"] == "10 mL by mouth twice daily"  # 200 mL over 10 days
    assert amoxicillin["refills"] == 0  # an acute course
    urgent = by_event(clinic, "encounters", BOB, "urgent_care_visit")
    assert amoxicillin["encounter_id"] == urgent["encounter_id"]
    assert amoxicillin["authored_date"] == urgent["start_datetime"].date()


# --- reproducibility --------------------------------------------------------------------------


def test_the_same_seed_gives_the_same_records_and_another_seed_other_ones(clinic):
    again = run(CLINIC)
    for name in SCHEMAS:
        assert again.tables[name].equals(clinic.tables[name]), name
    other = run(CLINIC, seed=12)
    assert not other.tables["encounters"].equals(clinic.tables["encounters"])


def test_a_patient_s_records_do_not_depend_on_who_else_is_in_the_run():
    small = run("medicare-diabetic", 40, seed=3, overrides=["products=[patientsim]"])
    large = run(
        "medicare-diabetic", 130, seed=3, shard_size=32, overrides=["products=[patientsim]"]
    )
    for name in SCHEMAS:
        table = large.tables[name]
        first = table.filter(pc.is_in(table["person_id"], small.tables["persons"]["person_id"]))
        assert first.equals(small.tables[name]), name


# --- bad input --------------------------------------------------------------------------------


def _drop(event: str, parameter: str):
    def change(events: list[dict[str, Any]]) -> None:
        (found,) = [e for e in events if e["id"] == event]
        del found["parameters"][parameter]

    return change


@pytest.mark.parametrize(
    ("event", "parameter", "event_type"),
    [
        ("a1c", "loinc", "lab_result"),
        ("metformin", "rxnorm", "medication_order"),
        ("dx", "icd10", "diagnosis"),
        ("ct", "cpt", "procedure"),
    ],
)
def test_a_missing_code_names_the_journey_event(event, parameter, event_type):
    with pytest.raises(SpecError) as error:
        run(clinic_with(_drop(event, parameter)))
    assert str(error.value) == (
        f"journeys.ann-year.events.{event}.parameters.{parameter}: "
        f"a {event_type} event needs '{parameter}'"
    )


def test_a_value_that_is_not_a_number_names_the_journey_event():
    def change(events: list[dict[str, Any]]) -> None:
        (a1c,) = [e for e in events if e["id"] == "a1c"]
        a1c["parameters"]["value"] = "high"

    # refused when the scenario loads (handlers/parameters.py), before the run
    where = r"^households\.clinic\.members\.ann\.journeys\[0\]\.events\.a1c\.parameters\.value"
    with pytest.raises(SpecError, match=where + ": 'high' is not a number"):
        run(clinic_with(change))
