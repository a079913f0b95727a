"""The diagnosis and procedure tables: every row well formed, every code the shipped journeys,
triggers, profiles and reference conditions use present, lookups and located errors."""

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from sim.codes.diagnoses import (
    DIAGNOSIS_COLUMNS,
    icd10_key,
    is_health_factor,
    is_icd10_cm,
    load_diagnoses,
    parse_diagnoses,
)
from sim.codes.procedures import (
    PROCEDURE_COLUMNS,
    is_cpt,
    is_hcpcs_level2,
    load_procedures,
    parse_procedures,
)
from sim.errors import SpecError
from sim.profiles.reference_merge import REFERENCE_CONDITIONS

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "sim" / "codes" / "data"
SCENARIOS = ROOT / "scenarios"


def values_under(node: Any, keys: set[str]) -> Iterator[str]:
    """Every value under one of ``keys``, however deep (a code, or a list of codes)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in keys and isinstance(value, str | int):
                yield str(value)
            elif key in keys and isinstance(value, list):
                yield from (str(item) for item in value)
            else:
                yield from values_under(value, keys)
    elif isinstance(node, list):
        for item in node:
            yield from values_under(item, keys)


def shipped(folder: str, keys: set[str]) -> set[str]:
    codes: set[str] = set()
    for path in sorted((SCENARIOS / folder).glob("*.yaml")):
        codes |= set(values_under(yaml.safe_load(path.read_text(encoding="utf-8")), keys))
    return codes


# --- what the shipped specs use is in the tables ----------------------------------------------


def test_every_diagnosis_code_of_the_journeys_is_in_the_table():
    codes = shipped("journeys", {"icd10", "reason_icd10"})
    assert {"E11.9", "H66.90", "I50.9", "Z00.00", "D70.1"} <= codes  # the walk found them
    assert codes - {d.icd10 for d in load_diagnoses()} == set()


def test_every_condition_of_the_profiles_scenarios_and_reference_data_is_in_the_table():
    profile_codes = shipped("profiles", {"code"})
    # a scenario's ``conditions`` are a member's codes (or, in a journey, an expression)
    scenario_codes = {code for code in shipped("scenarios", {"conditions"}) if is_icd10_cm(code)}
    reference_codes = {code for code, _ in REFERENCE_CONDITIONS.values()}
    assert {"E11", "N18.3", "J45.909"} <= profile_codes and "I10" in scenario_codes
    wanted = profile_codes | scenario_codes | reference_codes
    assert wanted - {d.icd10 for d in load_diagnoses()} == set()


def test_every_cpt_code_of_the_journeys_and_triggers_is_in_the_table():
    codes = shipped("journeys", {"cpt"}) | shipped("triggers", {"cpt", "default"})
    codes = {code for code in codes if is_cpt(code) or is_hcpcs_level2(code)}
    assert {"99213", "99214", "27447", "96413"} <= codes
    assert codes - {p.code for p in load_procedures()} == set()


# --- the diagnosis table ----------------------------------------------------------------------


def test_every_diagnosis_row_parses():
    diagnoses = load_diagnoses()
    with (DATA / "diagnoses.csv").open(encoding="utf-8") as fh:
        assert fh.readline().strip().split(",") == list(DIAGNOSIS_COLUMNS)
        assert sum(1 for _ in fh) == len(diagnoses)
    assert all(is_icd10_cm(d.icd10) for d in diagnoses)


def test_category_headers_are_not_billable_and_their_children_are():
    diagnoses = load_diagnoses()
    assert not diagnoses.by_icd10("E11").billable
    assert not diagnoses.by_icd10("N18.3").billable  # subdivided into N18.30-N18.32 in FY2021
    assert all(diagnoses.by_icd10(code).billable for code in ("N18.30", "N18.31", "E11.9"))
    # a non-billable code is a header: some longer code of the table is under it
    for header in (d for d in diagnoses if not d.billable):
        assert any(
            icd10_key(d.icd10).startswith(icd10_key(header.icd10)) and d is not header
            for d in diagnoses
        )


def test_acute_conditions_resolve_and_chronic_ones_persist():
    diagnoses = load_diagnoses()
    assert diagnoses.by_icd10("H66.90").resolves_after_days == 14
    assert diagnoses.by_icd10("I21.9").resolves_after_days == 28
    for chronic in ("E11.9", "I10", "I50.9", "J45.909", "C50.911", "Z85.9"):
        assert diagnoses.by_icd10(chronic).resolves_after_days is None


def test_lookups_accept_the_code_without_its_dot_and_hint_at_typos():
    diagnoses = load_diagnoses()
    assert diagnoses.by_icd10("e119") is diagnoses.by_icd10("E11.9")
    assert "E11.9" in diagnoses and "E119" in diagnoses and "X99.9" not in diagnoses
    with pytest.raises(SpecError, match=r"unknown ICD-10-CM code 'E11\.99'.*did you mean 'E11\.9'"):
        diagnoses.by_icd10("E11.99")
    with pytest.raises(SpecError, match=r"did you mean 'J44\.9'"):
        diagnoses.by_icd10("Chronic obstructive pulmonary disease, unspecified")


def test_health_factors_are_chapter_z():
    assert is_health_factor("Z00.00") and is_health_factor("z47.1")
    assert not is_health_factor("E11.9")


@pytest.mark.parametrize(
    ("row", "column"),
    [
        ("E119,Type 2 diabetes,true,", "icd10"),
        ("E11.9,,true,", "description"),
        ("E11.9,Type 2 diabetes,yes,", "billable"),
        ("H66.90,Otitis media,true,0", "resolves_after_days"),
        ("H66.90,Otitis media,true,two", "resolves_after_days"),
    ],
)
def test_a_bad_diagnosis_value_is_located(row, column):
    text = ",".join(DIAGNOSIS_COLUMNS) + "\nI10,Essential (primary) hypertension,true,\n" + row
    with pytest.raises(SpecError) as error:
        parse_diagnoses(text, source="diagnoses.csv")
    assert str(error.value).startswith(f"diagnoses.csv:3: {column}: ")


def test_duplicate_diagnoses_and_wrong_columns_are_rejected():
    header = ",".join(DIAGNOSIS_COLUMNS)
    with pytest.raises(SpecError, match=r"diagnoses\.csv:3: icd10: 'E11\.9' is already on line 2"):
        parse_diagnoses(f"{header}\nE11.9,a,true,\nE11.9,b,true,\n", source="diagnoses.csv")
    with pytest.raises(SpecError, match="columns must be"):
        parse_diagnoses("code,title\nI10,x\n")


# --- the procedure table ----------------------------------------------------------------------


def test_every_procedure_row_parses_with_coherent_minutes():
    procedures = load_procedures()
    with (DATA / "procedures.csv").open(encoding="utf-8") as fh:
        assert fh.readline().strip().split(",") == list(PROCEDURE_COLUMNS)
        assert sum(1 for _ in fh) == len(procedures)
    for procedure in procedures:
        assert (procedure.minutes_min is None) == (procedure.minutes_max is None)
        if procedure.minutes_min is not None:
            assert 0 < procedure.minutes_min <= procedure.minutes_max


def test_office_visit_lengths_follow_the_e_m_time_ranges():
    procedures = load_procedures()
    codes = ("99212", "99213", "99214", "99215")
    ranges = {
        code: (procedures.by_code(code).minutes_min, procedures.by_code(code).minutes_max)
        for code in codes
    }
    assert ranges == {"99212": (10, 19), "99213": (20, 29), "99214": (30, 39), "99215": (40, 54)}


def test_descriptions_are_ours_not_the_cpt_descriptors():
    # a CPT descriptor begins "Office or other outpatient visit for the evaluation and
    # management of ..."; ours are short plain-language summaries
    for procedure in load_procedures():
        assert len(procedure.description) <= 90
        assert "evaluation and management" not in procedure.description.lower()
    assert load_procedures().by_code("27447").description == "Total knee replacement"


def test_code_systems_match_the_code_shapes():
    for procedure in load_procedures():
        shaped = is_cpt if procedure.code_system == "CPT" else is_hcpcs_level2
        assert shaped(procedure.code), procedure.code
    assert is_cpt("0001U") and is_cpt("3044F") and not is_cpt("G0439")
    assert is_hcpcs_level2("J9267") and not is_hcpcs_level2("99213")


def test_an_unknown_procedure_code_is_a_spec_error_with_a_hint():
    with pytest.raises(SpecError, match=r"unknown CPT/HCPCS code '99231x'.*did you mean '99231'"):
        load_procedures().by_code("99231x")


@pytest.mark.parametrize(
    ("row", "column"),
    [
        ("9921,CPT,Visit,,10,19", "code"),
        ("G0439,CPT,Visit,,10,19", "code"),
        ("99212,AMA,Visit,,10,19", "code_system"),
        ("99212,CPT,,,10,19", "description"),
        ("99212,CPT,Visit,,ten,19", "minutes_min"),
        ("99212,CPT,Visit,,10,", "minutes_min"),
        ("99212,CPT,Visit,,20,19", "minutes_min"),
        ("99212,CPT,Visit,,0,0", "minutes_min"),
    ],
)
def test_a_bad_procedure_value_is_located(row, column):
    text = ",".join(PROCEDURE_COLUMNS) + "\n99211,CPT,Brief visit,,5,10\n" + row
    with pytest.raises(SpecError) as error:
        parse_procedures(text, source="procedures.csv")
    assert re.match(rf"procedures\.csv:3: {column}: ", str(error.value)), str(error.value)


def test_duplicate_procedures_are_rejected():
    header = ",".join(PROCEDURE_COLUMNS)
    with pytest.raises(SpecError, match=r"procedures\.csv:3: code: '99211' is already on line 2"):
        parse_procedures(f"{header}\n99211,CPT,a,,,\n99211,CPT,b,,,\n", source="procedures.csv")
