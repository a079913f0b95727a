"""Fills and rx members: NDCs only from the drug table, refill numbers per prescription chain,
valid synthetic ids, located errors for bad drug parameters, reproducible records."""

from __future__ import annotations

import json

import numpy as np
import pyarrow.compute as pc
import pytest

import sim
from handlers.rxmembersim import is_valid_npi, records
from handlers.rxmembersim.identifiers import PRESCRIBER_POOL, prescriber_npis
from sim.codes import load_drugs
from sim.errors import SpecError

RX_TABLES = ("rx_members", "fills", "pharmacy_claims", "adherence")


def test_every_ndc_is_in_the_drug_table_and_never_an_rxnorm_code(diabetic_run):
    drugs = load_drugs()
    rxnorm_codes = {drug.rxnorm for drug in drugs}
    events = diabetic_run.tables["events"]
    parameters = [json.loads(text) for text in events["parameters"].to_pylist()]
    rxnorm_codes |= {str(p["rxnorm"]) for p in parameters if "rxnorm" in p}
    for table in ("fills", "pharmacy_claims"):
        ndcs = set(diabetic_run.tables[table]["ndc"].to_pylist())
        assert ndcs and not ndcs & rxnorm_codes
        for ndc in ndcs:
            assert len(ndc) == 11 and ndc.isdigit()
            assert drugs.by_ndc(ndc).ndc == ndc


def test_a_journey_fill_without_an_ndc_gets_the_ndc_of_its_rxnorm(diabetic_run):
    fills = diabetic_run.tables["fills"]
    journey_fills = fills.filter(pc.is_null(fills["caused_by"]))  # fill_1 of the journey
    assert journey_fills.num_rows > 100
    for row in journey_fills.select(["rxnorm", "ndc", "drug_name"]).to_pylist():
        drug = load_drugs().by_rxnorm(row["rxnorm"])
        assert (row["ndc"], row["drug_name"]) == (drug.ndc, drug.name)


def test_refill_numbers_count_the_fills_of_each_prescription_chain(diabetic_run):
    fills = diabetic_run.tables["fills"]
    events = diabetic_run.tables["events"]
    refills = set(events.filter(pc.equal(events["event_type"], "refill"))["event_id"].to_pylist())
    chains: dict[tuple, list[dict]] = {}
    for row in fills.to_pylist():  # in person and time order
        chains.setdefault((row["person_id"], row["journey_id"], row["rxnorm"]), []).append(row)
    for chain in chains.values():
        assert chain[0]["caused_by"] not in refills  # a prescription (or the journey) starts it
        assert all(row["caused_by"] in refills for row in chain[1:])
        assert [row["refill_number"] for row in chain] == list(range(len(chain)))
    assert max(len(chain) for chain in chains.values()) == 12


def test_fill_status_and_dates(diabetic_run):
    fills = diabetic_run.tables["fills"]
    events = diabetic_run.tables["events"]
    assert fills.num_rows == pc.sum(pc.equal(events["event_type"], "fill")).as_py()
    assert set(fills["status"].to_pylist()) == {"paid", "reversed"}
    # without prior authorization a fill is dispensed on its event's day
    event_date = dict(
        zip(events["event_id"].to_pylist(), events["event_date"].to_pylist(), strict=True)
    )
    for row in fills.select(["event_id", "fill_date"]).to_pylist():
        assert row["fill_date"] == event_date[row["event_id"]]


def test_members_have_plausible_ids(diabetic_run):
    members = diabetic_run.tables["rx_members"]
    assert members.num_rows == 500
    rows = members.to_pylist()
    assert all(is_valid_npi(row["prescriber_npi"]) for row in rows)
    assert all(
        len(row["pharmacy_ncpdp_id"]) == 7 and row["pharmacy_ncpdp_id"].isdigit() for row in rows
    )
    covered = [row for row in rows if row["drug_coverage"]]
    assert all(len(row["bin"]) == 6 and row["pcn"] and row["rx_group"] for row in covered)
    assert {row["member_id"] for row in rows} == set(
        diabetic_run.tables["persons"]["member_id"].to_pylist()
    )
    # pools: pharmacies are shared by members
    assert len({row["pharmacy_ncpdp_id"] for row in rows}) < 500


def test_prescriber_npis_are_valid_and_distinct():
    numbers = prescriber_npis(np.arange(PRESCRIBER_POOL)).to_pylist()
    assert len(set(numbers)) == PRESCRIBER_POOL
    assert all(is_valid_npi(n) and n.startswith("1") for n in numbers)
    assert is_valid_npi("1234567893") and not is_valid_npi("1234567890")


def test_a_family_shares_a_pharmacy():
    members = sim.run("oswald-family").tables["rx_members"]
    assert len(set(members["pharmacy_ncpdp_id"].to_pylist())) == 1
    assert set(members["benefit_plan_id"].to_pylist()) == {"family-ppo"}


def test_no_member_id_without_membersim(make_scenario):
    spec = make_scenario("chronic-therapy-maintenance", products=["rxmembersim"])
    tables = sim.run(spec, 20, seed=1).tables
    assert "member_id" not in tables["rx_members"].column_names
    assert tables["fills"].num_rows > 0


def test_same_seed_same_records_and_persons_do_not_depend_on_the_run_size():
    small = sim.run("medicare-diabetic", 120, seed=9).tables
    again = sim.run("medicare-diabetic", 120, seed=9).tables
    large = sim.run("medicare-diabetic", 300, seed=9, shard_size=64).tables
    for name in RX_TABLES:
        assert small[name].equals(again[name])
        first = large[name].filter(pc.is_in(large[name]["person_id"], small[name]["person_id"]))
        if name == "adherence":
            first = first.filter(pc.is_in(first["rx_member_id"], small[name]["rx_member_id"]))
        assert first.equals(small[name]), name


def test_records_of_an_empty_run(make_persons, make_events, make_context):
    tables = records(make_events([]), make_persons(["PPO"]), make_context())
    assert [tables[name].num_rows for name in RX_TABLES] == [1, 0, 0, 0]


@pytest.mark.parametrize(
    ("parameters", "message"),
    [
        ({"rxnorm": "31407"}, "event 'fill'): unknown RxNorm code '31407'"),
        ({}, "event 'fill'): no rxnorm parameter"),
        ({"rxnorm": "314076", "ndc": "314076"}, "unknown NDC '314076'"),
        ({"rxnorm": "314076", "ndc": "00093104801"}, "is the NDC of 'metformin"),
        ({"rxnorm": "314076", "days_supply": 0}, "days_supply 0.0: it must be above 0"),
    ],
)
def test_bad_drug_parameters_are_located_errors(
    parameters, message, make_events, make_persons, make_context
):
    events = make_events([("E1", 0, "fill", 1, None, parameters)])
    with pytest.raises(SpecError) as error:
        records(events, make_persons(["PPO"]), make_context())
    text = str(error.value)
    assert text.startswith("events.fill.parameters: fill event E1 (journey 'hand-made'")
    assert message in text


def test_forgiving_drug_parameters(make_events, make_persons, make_context):
    events = make_events(
        [
            ("E1", 0, "fill", 1, None, {"rxnorm": 314076}),  # a code written as a number
            ("E2", 0, "fill", 40, None, {"rxnorm": "314076", "ndc": "99999-0016-01"}),
        ]
    )
    fills = records(events, make_persons(["PPO"]), make_context())["fills"].to_pylist()
    assert [row["ndc"] for row in fills] == ["99999001601"] * 2
    drug = load_drugs().by_rxnorm("314076")
    assert fills[0]["quantity"] == drug.typical_quantity  # none given: the drug's typical fill
    assert fills[0]["days_supply"] == drug.typical_days_supply
