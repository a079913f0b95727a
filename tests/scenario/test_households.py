"""Explicit households and linked identities."""

import datetime as dt

import pyarrow as pa
import pytest

from sim.errors import SpecError
from sim.scenario import load_scenario, run
from sim.scenario.households import condition_flags, household_persons
from sim.scenario.identities import add_identities
from sim.scenario.spec import Household
from sim.seeds import SeedTree

START = dt.date(2025, 1, 1)
FAMILY = {
    "key": "lee",
    "last_name": "Lee",
    "county_fips": "06037",
    "members": [
        {
            "key": "ana",
            "first_name": "Ana",
            "relationship": "subscriber",
            "sex": "F",
            "age": 40,
            "conditions": ["E11.9"],
            "attributes": {"severity": "controlled"},
        },
        {
            "key": "bo",
            "first_name": "Bo",
            "relationship": "spouse",
            "sex": "M",
            "birth_date": "1980-06-30",
        },
        {"key": "cy", "first_name": "Cy", "relationship": "child", "sex": "M", "age": 9},
    ],
}


def persons(copies=1, seed=1):
    return household_persons([Household.model_validate(FAMILY)], copies, SeedTree(seed), START)


def test_members_become_rows_with_their_attributes_and_flags():
    table = persons().to_pylist()
    ana, bo, cy = table
    assert [r["person_id"] for r in table] == ["P000000000", "P000000001", "P000000002"]
    assert ana["has_E11"] and ana["has_E11_9"] and not bo["has_E11"]
    assert ana["severity"] == "controlled" and bo["severity"] is None
    assert bo["birth_date"] == dt.date(1980, 6, 30) and bo["age"] == 44
    # an age gives a birth date with exactly that age on the start date
    for row in (ana, cy):
        birth = row["birth_date"]
        age = START.year - birth.year - ((START.month, START.day) < (birth.month, birth.day))
        assert age == row["age"]
    assert {r["state"] for r in table} == {"CA"} and ana["zip_code"] == cy["zip_code"]


def test_copies_keep_person_i_the_same():
    one, three = persons(1), persons(3)
    assert three.num_rows == 9
    assert three.slice(0, 3).equals(one)
    assert three["household_index"].to_pylist() == [0, 0, 0, 1, 1, 1, 2, 2, 2]
    # copies 1..2 alone are rows 3..8 of the three
    later = household_persons(
        [Household.model_validate(FAMILY)], 2, SeedTree(1), START, first_copy=1
    )
    assert later.equals(three.slice(3))


def test_identities_link_products_and_households():
    table = add_identities(persons(2), ["patientsim", "membersim", "rxmembersim"])
    rows = table.to_pylist()
    assert "subject_id" not in table.column_names  # trialsim not enabled
    assert [r["subscriber_id"] for r in rows] == ["M000000000"] * 3 + ["M000000003"] * 3
    assert [r["relationship_code"] for r in rows[:3]] == ["18", "01", "19"]
    assert rows[4]["patient_id"] == "PT000000004" and rows[4]["rx_member_id"] == "RX000000004"
    assert len({r["household_id"] for r in rows}) == 2


def test_a_profile_population_is_its_own_subscribers():
    table = pa.table({"person_index": pa.array([5, 6], pa.int64()), "person_id": ["a", "b"]})
    out = add_identities(table, ["membersim", "trialsim"]).to_pylist()
    assert [r["subscriber_id"] for r in out] == ["M000000005", "M000000006"]
    assert [r["relationship"] for r in out] == ["subscriber", "subscriber"]
    assert out[0]["subject_id"] == "S000000005" and "patient_id" not in out[0]


def test_condition_flags():
    assert condition_flags("E11.9") == ("has_E11", "has_E11_9")
    assert condition_flags("I10") == ("has_I10",)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"members": [{**FAMILY["members"][1], "relationship": "spouse"}]}, "one subscriber"),
        ({"county_fips": "99999"}, "county_fips"),
        ({"members": [{**FAMILY["members"][0], "age": None}]}, "age or a birth_date"),
        ({"members": [{**FAMILY["members"][0], "conditions": ["diabetes"]}]}, "ICD-10-CM"),
        (
            {"members": [FAMILY["members"][0], {**FAMILY["members"][1], "key": "ana"}]},
            "keys must differ",
        ),
    ],
)
def test_bad_households_are_located_errors(change, message):
    spec = {"id": "x", "start_date": "2025-01-01", "households": [{**FAMILY, **change}]}
    with pytest.raises(SpecError, match=message) as caught:
        load_scenario(spec)
    assert "households" in str(caught.value)


def test_profile_or_households_not_both():
    with pytest.raises(SpecError, match="a profile or households"):
        load_scenario(
            {
                "id": "x",
                "start_date": "2025-01-01",
                "profile": "medicare-diabetic",
                "households": [FAMILY],
            }
        )


def test_a_journey_reading_an_attribute_no_member_has_is_an_error():
    members = [
        {**FAMILY["members"][0], "attributes": {}, "journeys": ["diabetic-first-year"]},
        *FAMILY["members"][1:],
    ]
    spec = {"id": "x", "start_date": "2025-01-01", "households": [{**FAMILY, "members": members}]}
    with pytest.raises(SpecError, match="reads attribute 'severity' that the households"):
        load_scenario(spec)


def test_member_journeys_apply_to_their_members_only():
    spec = {
        "id": "x",
        "start_date": "2025-01-01",
        "triggers": [],
        "households": [
            {
                **FAMILY,
                "members": [
                    {**FAMILY["members"][0], "journeys": ["diabetic-first-year"]},
                    FAMILY["members"][1],
                    {**FAMILY["members"][2], "journeys": ["diabetic-first-year"]},
                ],
            }
        ],
    }
    events = run(spec, 2, seed=3).tables["events"]
    assert set(events["person_index"].to_pylist()) == {0, 2, 3, 5}
