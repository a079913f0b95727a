"""The journey engine: semantics on the shipped journeys, determinism, horizon, and the
timeline against the dynamic engine."""

import datetime as dt
import json
from collections import defaultdict
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from sim.distributions import create_distribution
from sim.engine import EVENTS_SCHEMA, JourneyAssignment, simulate
from sim.engine.resources import SharedResource
from sim.engine.timeline import compute_order
from sim.errors import SpecError
from sim.journeys import load_plan, parse_journey, shipped_journeys

START = dt.date(2025, 1, 1)
FIXTURES = Path(__file__).parents[1] / "journeys" / "fixtures"


def persons(count, first=0, seed=0):
    rng = np.random.default_rng(seed)
    index = np.arange(first, first + count)
    return pa.table(
        {
            "person_index": pa.array(index, pa.int64()),
            "person_id": [f"P{i:07d}" for i in index],
            "age": rng.integers(2, 90, count),
            "sex": rng.choice(["F", "M"], count),
            "severity": rng.choice(["controlled", "uncontrolled", "none"], count),
            "has_E11": rng.random(count) < 0.5,
            "has_I10": rng.random(count) < 0.5,
        }
    )


def run(journey, count=200, seed=1, horizon_days=365, **options):
    return simulate(
        persons(count),
        [journey],
        start_date=START,
        horizon_days=horizon_days,
        seeds=seed,
        **options,
    )


def by_person(events):
    """person_index -> definition_id -> list of (time_days, parameters)."""
    out = defaultdict(lambda: defaultdict(list))
    columns = events.select(["person_index", "definition_id", "time_days", "parameters"])
    for person, definition, time, parameters in zip(*columns.to_pydict().values(), strict=True):
        out[person][definition].append((time, json.loads(parameters)))
    return out


@pytest.fixture(scope="module")
def diabetic():
    return run("diabetic-first-year", count=2000, seed=11)


def test_events_table_has_the_schema(diabetic):
    assert diabetic.schema == EVENTS_SCHEMA
    assert pc.count_distinct(diabetic["event_id"]).as_py() == diabetic.num_rows
    assert diabetic["caused_by"].null_count == diabetic.num_rows


def test_diabetic_events_follow_the_diagnosis_in_their_windows(diabetic):
    people = by_person(diabetic)
    assert len(people) == 2000
    windows = {
        "initial_a1c": (0, 7),
        "metformin_start": (1, 7),
        "followup_3mo": (80, 100),
        "followup_6mo": (170, 190),
        "followup_9mo": (260, 280),
    }
    for events in people.values():
        ((dx_time, dx),) = events["initial_dx"]
        assert dx_time == 0 and dx["icd10"] == "E11.9"
        for definition, (low, high) in windows.items():
            ((time, _),) = events[definition]
            assert dx_time + low <= time <= dx_time + high
        ((_, a1c),) = events["initial_a1c"]
        assert a1c["loinc"] == "4548-4" and 5 <= a1c["value"] <= 15
        ((start_time, metformin),) = events["metformin_start"]
        assert metformin["rxnorm"] == "860975"
        assert all(time > start_time for time, _ in events["metformin_refill"])
        assert len(events["metformin_refill"]) <= 11
        for visit in ("followup_3mo", "followup_6mo", "followup_9mo"):
            assert events[f"{visit}_a1c"][0][0] == events[visit][0][0]


def test_second_agent_exactly_when_the_baseline_a1c_is_above_9(diabetic):
    for events in by_person(diabetic).values():
        value = events["initial_a1c"][0][1]["value"]
        assert bool(events["second_agent"]) == (value > 9)


def test_a1c_values_depend_on_severity(diabetic):
    table = persons(2000)
    severity = dict(
        zip(table["person_index"].to_pylist(), table["severity"].to_pylist(), strict=True)
    )
    values = defaultdict(list)
    for person, events in by_person(diabetic).items():
        values[severity[person]].append(events["initial_a1c"][0][1]["value"])
    assert np.mean(values["uncontrolled"]) == pytest.approx(9.6, abs=0.2)
    assert np.mean(values["controlled"]) == pytest.approx(6.9, abs=0.1)


def test_repeat_probability_gives_adherence_gaps(diabetic):
    refills = [len(e["metformin_refill"]) for e in by_person(diabetic).values()]
    # 11 refills with probability 0.9 each, all inside the year: mean 9.9, sd of mean ~0.02
    assert np.mean(refills) == pytest.approx(9.9, abs=0.1)


def test_same_seed_same_events(diabetic):
    again = run("diabetic-first-year", count=2000, seed=11)
    assert again.equals(diabetic)
    other = run("diabetic-first-year", count=2000, seed=12)
    assert not other["time_days"].equals(diabetic["time_days"])


def test_person_events_do_not_depend_on_population_or_shards(diabetic):
    few = simulate(
        persons(2000).slice(1500, 5),
        ["diabetic-first-year"],
        start_date=START,
        horizon_days=365,
        seeds=11,
        shard_size=2,
    )
    assert few.num_rows > 0
    same = diabetic.filter(pc.is_in(diabetic["person_index"], few["person_index"].unique()))
    assert few.equals(same)
    sharded = run("diabetic-first-year", count=2000, seed=11, shard_size=333)
    assert sharded.equals(diabetic)


def test_skipped_prerequisite_skips_dependents_in_disenrollment():
    people = by_person(run("disenrollment", count=1000))
    for events in people.values():
        ((termination, _),) = events["termination"]
        for time, _ in events["cobra_notice"]:
            assert time >= termination + 7
        if events["cobra_election"]:
            assert events["cobra_notice"]
        runout = events["runout_complete"]
        assert runout and runout[0][0] == pytest.approx(termination + 90)
    shares = np.mean([bool(e["cobra_notice"]) for e in people.values()])
    assert shares == pytest.approx(0.8, abs=0.05)


def test_refills_never_follow_a_skipped_refill():
    people = by_person(run("chronic-therapy-maintenance", count=1000))
    for events in people.values():
        previous = events["fill_1"][0][0]
        for k in range(2, 13):
            refill = events[f"refill_{k}"]
            if not refill:
                assert not any(events[f"refill_{j}"] for j in range(k + 1, 13))
                break
            assert refill[0][0] >= previous + 26
            previous = refill[0][0]


def test_healthsim_chronic_refills_are_never_at_day_zero():
    plan = load_plan(FIXTURES / "journey_rx_chronic-therapy-maintenance.engine.json")
    for events in by_person(run(plan, count=500)).values():
        for k in (2, 3, 4):
            if events[f"fill_{k}"]:
                assert events[f"refill_{k - 1}"]
                assert events[f"fill_{k}"][0][0] > 80


def test_choice_picks_exactly_one_branch_by_weight():
    count = 5000
    people = by_person(run("annual-enrollment", count=count))
    changed = 0
    for events in people.values():
        assert len(events["plan_change"]) + len(events["no_change"]) == 1
        changed += bool(events["plan_change"])
        if events["new_id_card"] or events["effective_date"]:
            assert events["plan_change"]
    assert changed / count == pytest.approx(0.15, abs=0.02)


def test_nothing_at_or_past_the_horizon():
    events = run("chf-first-year", count=300, horizon_days=100)
    assert pc.max(events["time_days"]).as_py() < 100
    assert "followup_6mo" not in events["definition_id"].to_pylist()
    assert pc.max(events["event_date"]).as_py() < START + dt.timedelta(days=100)


def test_repeat_beyond_the_reserve_continues_deterministically():
    journey = parse_journey(
        {
            "id": "daily",
            "duration_days": 365,
            "events": [
                {
                    "id": "dose",
                    "event_type": "administration",
                    "product": "patientsim",
                    "repeat": {"every": {"type": "uniform", "min": 1, "max": 2}, "count": 150},
                    "parameters": {"dose_mg": {"type": "uniform", "min": 5, "max": 10}},
                }
            ],
        }
    )
    events = run(journey, count=20)
    counts = np.bincount(events["person_index"].to_numpy())
    assert (counts == 150).all()
    assert events.equals(run(journey, count=20, shard_size=3))
    assert events.equals(run(journey, count=20, engine="dynamic"))


def test_persons_whose_repeats_outrun_the_reserve_mix_with_the_others():
    # 64 occurrences are drawn ahead; some persons need more before day 300, most do not
    journey = parse_journey(
        {"id": "irregular", "duration_days": 365, "events": [
            {"id": "dx", "event_type": "diagnosis", "product": "patientsim", "delay": 0},
            {"id": "check", "event_type": "lab_result", "product": "patientsim",
             "depends_on": "dx", "delay": 1, "probability": 0.8,
             "repeat": {"every": {"type": "uniform", "min": 0.5, "max": 10}, "until_day": 300},
             "conditions": "events.check.count < 70"}]}
    )  # fmt: skip
    events = run(journey, count=300)
    checks = np.bincount(events["person_index"].to_numpy()) - 1
    occurrences = checks / 0.8
    assert (occurrences > 64).any() and (occurrences < 60).any()
    assert checks.max() <= 70
    assert events.equals(run(journey, count=300, engine="dynamic"))
    assert events.equals(run(journey, count=300, shard_size=17))


def test_applies_to_and_start_day():
    table = persons(400)
    assignment = JourneyAssignment.of(
        "new-member-onboarding", applies_to="has_E11 and age >= 40", start_day=10.0
    )
    events = simulate(table, [assignment], start_date=START, horizon_days=365, seeds=3)
    eligible = {
        i
        for i, flag, age in zip(
            *table.select(["person_index", "has_E11", "age"]).to_pydict().values(), strict=True
        )
        if flag and age >= 40
    }
    assert set(events["person_index"].to_pylist()) == eligible
    enrollment = events.filter(pc.equal(events["definition_id"], "enrollment"))
    assert set(enrollment["time_days"].to_pylist()) == {10.0}


def test_condition_on_attributes_and_outcomes():
    journey = parse_journey(
        {
            "id": "screening",
            "duration_days": 60,
            "events": [
                {
                    "id": "visit",
                    "event_type": "encounter",
                    "product": "patientsim",
                    "probability": 0.5,
                },
                {
                    "id": "colonoscopy",
                    "event_type": "procedure",
                    "product": "patientsim",
                    "delay": 20,
                    "conditions": [
                        {"attribute": "age", "op": ">=", "value": 45},
                        "events.visit.happened",
                    ],
                },
            ],
        }
    )
    table = persons(500)
    events = by_person(run(journey, count=500))
    ages = dict(zip(table["person_index"].to_pylist(), table["age"].to_pylist(), strict=True))
    for person in range(500):
        expected = ages[person] >= 45 and bool(events[person]["visit"])
        assert bool(events[person]["colonoscopy"]) == expected


def test_missing_attribute_column_is_a_located_error():
    table = persons(10).drop_columns(["severity"])
    with pytest.raises(
        SpecError,
        match=r"journeys\.diabetic-first-year: reads the attribute "
        r"'severity'",
    ):
        simulate(table, ["diabetic-first-year"], start_date=START, horizon_days=365, seeds=1)


@pytest.mark.parametrize("name", shipped_journeys())
def test_the_timeline_and_the_dynamic_engine_make_the_same_events(name):
    """The vectorised timeline is checked against the dynamic engine on the same draws."""
    plan = load_plan(name)
    service = create_distribution({"type": "exponential", "mean": 1})
    resources = {r: SharedResource(1, service) for r in plan.resources}
    auto = run(plan, count=300, seed=4, resources=resources)
    assert auto.num_rows > 0
    assert auto.equals(run(plan, count=300, seed=4, resources=resources, engine="dynamic"))


def test_which_journeys_the_timeline_takes():
    order = compute_order(load_plan("diabetic-first-year"))
    assert order is not None
    index = load_plan("diabetic-first-year").index
    # second_agent reads the baseline A1C's value: computed after it
    assert order.index(index["initial_a1c"]) < order.index(index["second_agent"])
    # waiting for a resource needs the event loop
    assert compute_order(load_plan("endocrinology-referral")) is None
    # two events whose conditions read each other have no order
    mutual = parse_journey(
        {"id": "m", "duration_days": 100, "events": [
            {"id": "a", "event_type": "x", "product": "patientsim", "delay": 5,
             "conditions": "not events.b.happened"},
            {"id": "b", "event_type": "y", "product": "patientsim", "delay": 5,
             "conditions": "not events.a.happened"}]}
    )  # fmt: skip
    assert compute_order(load_plan(mutual)) is None
    events = run(mutual, count=20)
    # at the same time, the event earlier in plan order fires first and excludes the other
    assert set(events["definition_id"].to_pylist()) == {"a"}
    assert events.equals(run(mutual, count=20, engine="dynamic"))


def test_an_unknown_engine_is_refused():
    with pytest.raises(SpecError, match="unknown engine"):
        run("diabetic-first-year", count=2, engine="fast")


@pytest.mark.parametrize("name", shipped_journeys())
def test_every_shipped_journey_runs(name):
    plan = load_plan(name)
    service = create_distribution({"type": "exponential", "mean": 1})
    resources = {r: SharedResource(1, service) for r in plan.resources}
    events = run(plan, count=25, resources=resources)
    assert events.num_rows > 0
    assert set(events["journey_id"].to_pylist()) == {name}
    assert all(json.loads(text) is not None for text in events["parameters"].to_pylist())
