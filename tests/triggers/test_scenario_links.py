"""The shipped scenarios with the default triggers: every triggered record is linked to its
cause, pharmacy records carry NDCs from the drug table, and the Oswald family's products link."""

import json
import subprocess
import sys

import duckdb
import pytest

from sim.codes import load_drugs, load_labs
from sim.scenario import run
from sim.triggers import load_triggers

DEFAULTS = {t.id: t for t in load_triggers().triggers}


@pytest.fixture(scope="module")
def diabetic():
    return run("medicare-diabetic", 400, seed=21).tables


@pytest.fixture(scope="module")
def oswald():
    return run("oswald-family").tables


def _rows(events):
    return [{**r, "parameters": json.loads(r["parameters"])} for r in events.to_pylist()]


def test_every_triggered_record_points_to_an_earlier_source_within_the_delay_bounds(diabetic):
    rows = _rows(diabetic["events"])
    by_id = {r["event_id"]: r for r in rows}
    triggered = [r for r in rows if r["caused_by"] is not None]
    assert len(triggered) > 1000
    for record in triggered:
        source = by_id[record["caused_by"]]  # an existing event ...
        assert source["person_id"] == record["person_id"]  # ... of the same person
        trigger = DEFAULTS[record["definition_id"]]
        assert (source["product"], source["event_type"]) == trigger.source
        assert (record["product"], record["event_type"]) == trigger.target
        low, high = trigger.delay.support()
        lag = record["time_days"] - source["time_days"]
        assert low - 1e-9 <= lag <= high + 1e-9
        assert record["event_date"] >= source["event_date"]
    kinds = {(r["product"], r["event_type"]) for r in triggered}
    assert {
        ("rxmembersim", "fill"),
        ("rxmembersim", "pharmacy_claim"),
        ("membersim", "claim_professional"),
    } <= kinds


def test_pharmacy_records_carry_ndcs_from_the_drug_table_never_rxnorm(diabetic):
    drugs = load_drugs()
    rxnorm_codes = {drug.rxnorm for drug in drugs}
    pharmacy = [
        r
        for r in _rows(diabetic["events"])
        if r["event_type"] in ("fill", "pharmacy_claim", "pharmacy_claim_reversal")
    ]
    assert pharmacy
    for record in pharmacy:
        if record["caused_by"] is None and "ndc" not in record["parameters"]:
            continue  # a journey's own fill names its drug by RxNorm only
        ndc = record["parameters"]["ndc"]
        assert ndc not in rxnorm_codes and len(ndc) == 11 and ndc.isdigit()
        assert drugs.by_ndc(ndc).rxnorm == record["parameters"]["rxnorm"]


def test_reversals_follow_their_claims_at_about_the_configured_rate(diabetic):
    rows = _rows(diabetic["events"])
    claims = [r for r in rows if r["event_type"] == "pharmacy_claim"]
    reversals = [r for r in rows if r["event_type"] == "pharmacy_claim_reversal"]
    by_id = {r["event_id"]: r for r in rows}
    assert all(by_id[r["caused_by"]]["event_type"] == "pharmacy_claim" for r in reversals)
    p = DEFAULTS["pharmacy-claim-reversal"].spec.probability
    n = len(claims)
    assert abs(len(reversals) / n - p) < 4 * (p * (1 - p) / n) ** 0.5 + 2 / n


def _of(tables, first_name):
    persons = tables["persons"].to_pylist()
    (person,) = [p for p in persons if p["first_name"] == first_name]
    events = [r for r in _rows(tables["events"]) if r["person_id"] == person["person_id"]]
    return person, events


def test_oswald_household_shares_a_plan_with_linked_ids(oswald):
    persons = oswald["persons"].to_pylist()
    assert [p["first_name"] for p in persons] == ["Mark", "Diane", "Miles"]
    assert {p["household_id"] for p in persons} == {"H000000000"}
    assert {p["plan"] for p in persons} == {"family-ppo"}
    assert {p["subscriber_id"] for p in persons} == {persons[0]["member_id"]}
    assert [p["relationship_code"] for p in persons] == ["18", "01", "19"]
    assert all(p["patient_id"] and p["rx_member_id"] for p in persons)
    assert "subject_id" not in oswald["persons"].column_names


def test_mark_diabetes_records_link_across_products(oswald):
    _, events = _of(oswald, "Mark")
    by_id = {r["event_id"]: r for r in events}
    types = [r["event_type"] for r in events]
    assert types.count("diagnosis") == 1 and types.count("lab_result") >= 2
    order = next(r for r in events if r["event_type"] == "medication_order")
    assert order["parameters"]["rxnorm"] == "860975"
    fills = [r for r in events if r["event_type"] == "fill"]
    assert len(fills) >= 9  # the first fill and monthly refills (a tenth missed)
    first = next(f for f in fills if f["caused_by"] == order["event_id"])
    assert 0 <= first["time_days"] - order["time_days"] <= 3
    claims = [r for r in events if r["event_type"] == "pharmacy_claim"]
    assert {by_id[c["caused_by"]]["event_type"] for c in claims} == {"fill"}
    assert len(claims) >= len(fills) - 1  # a fill on the last day may bill after the horizon
    professional = [r for r in events if r["event_type"] == "claim_professional"]
    assert professional and all(
        by_id[c["caused_by"]]["event_type"] in ("diagnosis", "encounter") for c in professional
    )
    assert {c["parameters"]["diagnosis_code"] for c in professional} == {"E11.9"}


def test_diane_hypertension_fills_and_wellness_visit(oswald):
    _, events = _of(oswald, "Diane")
    wellness = [r for r in events if r["parameters"].get("cpt") == "99396"]
    assert len(wellness) == 2  # the visit and its claim
    fills = [r for r in events if r["event_type"] == "fill"]
    assert len(fills) >= 8
    assert {f["parameters"]["rxnorm"] for f in fills} == {"314076"}
    assert {f["parameters"]["ndc"] for f in fills} == {load_drugs().by_rxnorm("314076").ndc}


def test_miles_ear_infection_visit_fill_and_follow_up(oswald):
    _, events = _of(oswald, "Miles")
    by_id = {r["event_id"]: r for r in events}
    visits = [r for r in events if r["event_type"] == "encounter"]
    assert [v["parameters"]["encounter_type"] for v in visits] == ["urgent_care", "office"]
    assert visits[1]["time_days"] > visits[0]["time_days"]
    (fill,) = [r for r in events if r["event_type"] == "fill"]
    assert "amoxicillin" in load_drugs().by_ndc(fill["parameters"]["ndc"]).ingredient.lower()
    claims = [r for r in events if r["event_type"] == "claim_professional"]
    # billed once per visit: the diagnosis made at the urgent-care visit is on its claim
    assert sorted(by_id[c["caused_by"]]["event_type"] for c in claims) == ["encounter"] * 2
    assert claims[0]["parameters"]["place_of_service"] == "20"


def test_lab_results_from_orders_use_the_lab_table():
    scenario = {
        "id": "chf",
        "profile": "chf-medicare",
        "start_date": "2025-01-01",
        "journeys": [{"journey": "chf-first-year"}],
    }
    labs = load_labs()
    results = [
        r
        for r in _rows(run(scenario, 200, seed=5).tables["events"])
        if r["event_type"] == "lab_result" and r["caused_by"] is not None
    ]
    assert len(results) > 100
    for record in results:
        lab = labs.by_loinc(record["parameters"]["loinc"])
        assert record["parameters"]["unit"] == lab.unit
        assert lab.min_value <= record["parameters"]["value"] <= lab.max_value


def test_oswald_runs_from_the_cli(tmp_path):
    out = tmp_path / "oswald.duckdb"
    done = subprocess.run(
        [sys.executable, "-m", "sim.cli", "run", "oswald-family", "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "3 persons" in done.stdout and "triggered" in done.stdout
    with duckdb.connect(str(out), read_only=True) as connection:
        orphans = connection.execute(
            "select count(*) from events e where caused_by is not null and not exists "
            "(select 1 from events s where s.event_id = e.caused_by and s.person_id = e.person_id"
            " and s.time_days <= e.time_days)"
        ).fetchone()[0]
        linked = connection.execute(
            "select count(*) from events e join persons p using (person_id) "
            "where e.product = 'rxmembersim'"
        ).fetchone()[0]
    assert orphans == 0 and linked > 0
